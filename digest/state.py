"""What a site remembers between builds into one folder, and the one question it answers: which files must be written now.

`ArticleMemory` holds every article file's fingerprint and parsed article (its
body waits in a `BodyStore`); `PageLedger` holds the fingerprint of every file
in the output folder as digest last wrote it, with the file's size and time
then. A page must render when its fingerprint (its context's digest with its
template choice's digest) differs from the ledger's, or the file is not the one
digest wrote (gone, or changed since: by a build without the cache, or a build
whose cache could not be written). The cold build, the CLI rebuild and `serve`
all ask the ledger; in memory, a plan equal to the one last written keeps its
context digest without digesting it again. The cache file is the storage behind
both.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import stat
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import BuildCache, CacheNotes, LastBuild, Stamp, article_key, open_cache, problems_to_lists, settings_key
from .config import SiteConfig
from .content import Article, ArticleParser, Parsed, interned
from .editions import EditionNotes
from .errors import ContentError, DigestError, Problem
from .output import MANIFEST, ManifestMemo, file_stamp
from .sources import ARTICLES_DIR, SourceStamp, find_article_files, is_ignored_name, read_source
from .theme import SITE_STATIC, Theme, asset_name, flag_files, static_files

if TYPE_CHECKING:  # the rest is imported where it is used: a build with nothing changed needs none of it
    from .fingerprint import Fingerprinter
    from .i18n import Translator
    from .images import ImageShop
    from .pages import PagePlan
    from .plan import Planner
    from .related import RelatedIndex
    from .site import BuildOptions, Site
    from .sourcelinks import LinkResolver, Resolution
    from .templates import PageRenderer
    from .views import Picture
    from .worldmap import WorldShapes

STORE_BATCH = 500

Progress = Callable[[int], None]


class ArticleMemory:
    """Every article file's fingerprint and article, or the problems that keep it out."""

    def __init__(self, config: SiteConfig, cache: BuildCache | None) -> None:
        from .bodies import BodyStore  # here: a build that finds nothing changed reads no body

        self.config = config
        self.cache = cache
        self.parser = ArticleParser.for_site(config)
        self.settings = settings_key(config)
        self.bodies = BodyStore(self.settings, cache, self.parser)
        self.fingerprints: dict[Path, str] = {}
        self.articles: dict[Path, Article] = {}
        self.broken: dict[Path, tuple[Problem, ...]] = {}
        self.pool: dict[Any, Any] = {}
        """One object for each distinct country and topic the articles hold."""

    def load(self, sources: Sequence[SourceStamp] | Sequence[Path], progress: Progress) -> None:
        """Every article: from the cache when its bytes and settings are known, else parsed on all cores.

        Given bare paths (the cache knows no article, so nothing was digested
        ahead), every file is parsed, and its digest comes with its article.
        Fresh articles go to the cache in batches and keep no body in memory, so
        a large site's memory stays flat.
        """
        stamped = [s for s in sources if isinstance(s, SourceStamp)]
        keys = {s.path: article_key(self.settings, s.path, s.fingerprint) for s in stamped}
        cached = self.cache.articles({key: path for path, key in keys.items()}, self.pool) if self.cache is not None and keys else {}
        misses = [s for s in sources if isinstance(s, Path)]
        for source in stamped:
            self.fingerprints[source.path] = source.fingerprint
            article = cached.get(keys[source.path])
            if article is None:
                misses.append(source.path)
            else:
                self.articles[source.path] = article
        progress(len(cached))
        from .parallel import parse_files  # here: worker processes are not needed by a build with nothing changed

        fresh: dict[str, Parsed] = {}
        for count, (path, parsed) in enumerate(parse_files(self.config, self.parser, misses), len(cached) + 1):
            if isinstance(parsed, Parsed):
                fingerprint = self.fingerprints[path] = parsed.article.fingerprint
                key = keys[path] = keys.get(path) or article_key(self.settings, path, fingerprint)
                fresh[key] = parsed
                if len(fresh) >= STORE_BATCH:
                    self._keep(fresh)
            else:
                self.broken[path] = parsed
            progress(count)
        self._keep(fresh)
        if self.cache is not None:
            self.cache.forget_articles_except(keys.values())

    def stamps(self) -> list[SourceStamp]:
        """Each article file read and the digest of its bytes, in the order of the files."""
        return [SourceStamp(path, fingerprint) for path, fingerprint in sorted(self.fingerprints.items())]

    def _keep(self, fresh: dict[str, Parsed]) -> None:
        """Move freshly parsed articles into memory, their bodies into the cache (or memory)."""
        stored = self.cache is not None and self.cache.store_articles(fresh)
        for key, parsed in fresh.items():
            if not stored:
                self.bodies.put(key, parsed.body)
            self.articles[parsed.article.path] = interned(parsed.article, self.pool)
        fresh.clear()

    def update(self, paths: Iterable[Path]) -> None:
        """Read again the files a change touched; a folder event reconciles the whole folder with the disk."""
        root = self.config.content_dir / ARTICLES_DIR
        for path in sorted(paths):
            if root not in path.parents:
                continue
            if path.suffix != ".md" or is_ignored_name(path.name) or path.is_dir():
                prefix = f"{path}{os.sep}"
                if path.is_dir() or any(str(known).startswith(prefix) for known in self.fingerprints):
                    self._rescan(root)  # a folder appeared, moved or vanished
                continue
            self._read(path)

    def _read(self, path: Path) -> None:
        """(Re)parse one article file, unless its bytes are the ones already read."""
        if not path.is_file():
            self._forget(path)
            return
        try:
            source = read_source(path, self.config)
        except OSError:  # vanished between the check and the read: the next event brings it back
            return
        old = self.fingerprints.get(path)
        if old == source.fingerprint and path not in self.broken:
            return
        self.fingerprints[path] = source.fingerprint
        if old is not None:
            self.bodies.forget(self.bodies.key(path, old))
        try:
            parsed = self.parser.parse(source)
        except DigestError as exc:
            self.broken[path] = exc.problems
            self.articles.pop(path, None)
            return
        self.bodies.put(self.bodies.key(path, source.fingerprint), parsed.body)
        self.articles[path] = interned(parsed.article, self.pool)
        self.broken.pop(path, None)

    def _forget(self, path: Path) -> None:
        self.articles.pop(path, None)
        self.broken.pop(path, None)
        fingerprint = self.fingerprints.pop(path, None)
        if fingerprint is not None:
            self.bodies.forget(self.bodies.key(path, fingerprint))

    def _rescan(self, root: Path) -> None:
        present = set(find_article_files(root.parent))
        for path in (set(self.articles) | set(self.broken)) - present:
            self._forget(path)
        for path in sorted(present):
            self._read(path)

    def raise_if_broken(self) -> None:
        if self.broken:
            raise ContentError([p for path in sorted(self.broken) for p in self.broken[path]])


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A file in the output folder as digest last wrote it."""

    fingerprint: str
    plan: PagePlan | None = None
    """The plan it was drawn from, while this process remembers it (None when known from the cache only)."""
    context: bytes = b""
    choice: bytes = b""


def page_fingerprint(context: bytes, choice: bytes) -> str:
    return hashlib.blake2b(context + choice, digest_size=20).hexdigest()


class PageLedger:
    """The fingerprint of every file digest wrote into one output folder, and the size and time each file had then."""

    def __init__(self, output: Path, cache: BuildCache | None) -> None:
        self.output = output
        self.folder = str(output)
        self.cache = cache
        known, self.stamps, self.whole = cache.page_records(output) if cache is not None else ({}, {}, True)
        """`stamps`: each file's size and time when digest wrote it or last saw it as it wrote it.
        `whole`: no record was dropped as damaged (else the last build's shortcut cannot be trusted)."""
        self.records: dict[str, PageRecord] = {out: PageRecord(fp) for out, fp in known.items()}
        self.pending: dict[str, PageRecord] = {}
        self.touched: list[str] = []
        """The files this build renders or copies: their stamps are taken once they are in place."""

    def on_disk(self, out: str) -> bool:
        """Whether the output holds the very file the ledger describes (see `same_file`)."""
        stamp = self.stamps.get(out)
        return stamp is not None and same_file(stamp, file_stamp(os.path.join(self.folder, out)))

    def all_on_disk(self) -> bool:
        """Whether every file the ledger knows is in the output as digest wrote it (`on_disk` for each, in one loop)."""
        folder, stamps, join = self.folder, self.stamps, os.path.join
        for out in self.records:
            recorded = stamps.get(out)
            try:
                info = os.stat(join(folder, out))
            except OSError:
                return False
            now = (info.st_size, info.st_mtime_ns)
            if recorded is None or not stat.S_ISREG(info.st_mode) or (now != recorded and not same_file(recorded, now)):
                return False
        return True

    def to_render(
        self, plans: Mapping[str, PagePlan], renderer: PageRenderer, printer: Fingerprinter, only: Collection[str] | None = None,
    ) -> list[str]:
        """The pages whose fingerprint differs from the file's, in plan order; `commit` records them once written.

        `only`: the outputs whose plans are new; every other plan is the very one the ledger holds, with the same templates.
        """
        self.begin()
        return self.choose(plans, renderer, printer, only)

    def begin(self) -> None:
        """Start choosing what this build writes: `choose` (and `files_to_copy`) then add to it until `commit`."""
        self.pending = {}
        self.touched = []

    def choose(
        self, plans: Mapping[str, PagePlan], renderer: PageRenderer, printer: Fingerprinter, only: Collection[str] | None = None,
        *, keep: bool = True,
    ) -> list[str]:
        """`to_render` for some of the build's plans, adding to what was chosen since `begin`.

        `keep`: remember each plan and its context digest, so that the next build in this process can compare
        plans instead of digesting them (a one-shot build keeps only fingerprints, and lets its plans go).
        """
        todo = []
        pending = self.pending
        for out in plans if only is None else [out for out in plans if out in only]:
            plan = plans[out]
            record = self.records.get(out)
            choice = renderer.choose(plan).digest
            last = record.plan if record is not None else None
            if record is not None and last is not None and (last is plan or (last.templates == plan.templates and last.context == plan.context)):
                if record.choice == choice:
                    if last is not plan:
                        pending[out] = PageRecord(record.fingerprint, plan, record.context, choice)
                    continue
                context = record.context
            else:
                context = printer.context(plan)
            fingerprint = page_fingerprint(context, choice)
            pending[out] = PageRecord(fingerprint, plan, context, choice) if keep else PageRecord(fingerprint)
            if record is None or record.fingerprint != fingerprint or (last is None and not self.on_disk(out)):
                todo.append(out)
        self.touched += todo
        return todo

    def files_to_copy(self, statics: Mapping[str, tuple[Path, str]]) -> list[str]:
        """Static files whose bytes differ from what the ledger says the output holds (or that are not the file it wrote)."""
        todo = []
        for out, (_, fingerprint) in statics.items():
            record = self.records.get(out)
            if record is None or record.fingerprint != fingerprint or not self.on_disk(out):
                todo.append(out)
            self.pending[out] = PageRecord(fingerprint, None, b"", b"static")
        self.touched += todo
        return todo

    def commit(self, wanted: Iterable[str]) -> None:
        """The files are in place: remember them with their new stamps, and forget what is no longer wanted.

        The cache learns a file's fingerprint only with the stamp of the file
        written from it; should the cache fail to learn it, its old record no
        longer matches the file, so no later build takes the file as current.
        """
        keep = set(wanted)
        removed = [out for out in self.records if out not in keep]
        for out in removed:
            del self.records[out]
            self.stamps.pop(out, None)
        self.records.update(self.pending)
        self.pending = {}
        written: dict[str, tuple[str, Stamp]] = {}
        for out in self.touched:
            stamp = file_stamp(os.path.join(self.folder, out))
            if stamp is None:  # not there after all: unknown, so the next build writes it
                self.records.pop(out, None)
                self.stamps.pop(out, None)
                continue
            record = self.records[out]
            self.stamps[out] = stamp
            written[out] = (record.fingerprint, stamp)
        self.touched = []
        if self.cache is not None and (written or removed):
            self.cache.update_pages(self.output, written, removed)


def engine_release(engine: str) -> str:
    """The Markdown library's dist-info folder, whose name holds its version, found beside the package without importing
    it or importlib.metadata (either costs more than the rest of a build that finds nothing changed); '' if not found."""
    name = "cmarkgfm" if engine == "commonmark" else "markdown"
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return ""
    folder = os.path.dirname(os.path.dirname(spec.origin))
    try:
        found = sorted(entry for entry in os.listdir(folder) if entry.lower().startswith(f"{name}-") and entry.endswith(".dist-info"))
    except OSError:
        return ""
    return " ".join(os.path.join(folder, entry) for entry in found)


SECOND = 1_000_000_000


def same_file(recorded: Stamp, now: Stamp | None) -> bool:
    """Whether a file is still the one digest wrote: the same size and time.

    Also when its time lost its fraction of a second, or was rounded down to an
    even second: archives do that (GitLab's cache zips, tar without --posix),
    and a CI job restores the output with its cache. A file written since
    cannot pass for that: clocks move forward, so its time is later than the
    one recorded, not a rounding down of it.
    """
    if now is None or now[0] != recorded[0]:
        return False
    mtime, then = now[1], recorded[1]
    return mtime == then or (mtime % SECOND == 0 and mtime in (then - then % SECOND, then - then % (2 * SECOND)))


class BuildState:
    """Everything one site's builds into one folder share: articles, the last plans, the ledger, the theme's renderer."""

    def __init__(self, config: SiteConfig, theme: Theme, options: BuildOptions, *, use_cache: bool, notes: CacheNotes | None = None) -> None:
        self.config = config
        self.theme = theme
        self.options = options
        self.cache_notes = CacheNotes() if notes is None else notes
        """What went wrong with the cache, for the caller to print once the build is over."""
        self.cache = open_cache(config.root, self.cache_notes) if use_cache else None
        self.pages = PageLedger(config.output_dir, self.cache)
        self.statics: dict[str, tuple[Path, str]] = {}
        self.assets: dict[str, str] = {}
        """Each static file's path in the theme (`css/digest.css`) → its name in the output (`css/digest.3f2a9c1b.css`)."""
        self.flag_paths = flag_files(theme)
        """Every flag the theme chain offers, by lower-case country code."""
        self.flag_codes = frozenset(self.flag_paths)
        self.world: WorldShapes | None = None
        """The world map's shapes, once a build of this state has drawn the map."""
        self.flags: dict[str, tuple[Path, str]] = {}
        """The flags of the countries the site names, as static files: `flags/il.svg` → (file, fingerprint)."""
        self.flag_digests: dict[Path, str] = {}
        self.notes = EditionNotes(config)
        """The curator's notes on editions (content/editions/*.md)."""
        self.pictures: dict[Path, Picture] = {}
        """Each article's picture, by article file."""
        self.image_files: dict[str, tuple[Path, str]] = {}
        """The renditions of those pictures, as static files: `images/pact-3f2a9c1b-800.webp` → (cached file, fingerprint)."""
        self.related: RelatedIndex | None = None
        self.planner: Planner | None = None
        self.plans: dict[str, PagePlan] = {}
        self.unsettled = False
        """A whole-site replan failed (a broken picture or edition note, say): the next change must replan everything."""
        self.manifest = ManifestMemo()
        """The output's manifest as this session last wrote it."""
        self.modelled: dict[Path, Article] = {}
        """The articles the last plans were made from: comparing them with `articles` says what a change touched."""
        self.links: Resolution | None = None
        """What the bodies' links by source path stand for in the last model (`resolve_links`)."""

    # Made when first used: a build that finds nothing changed stops before it needs a parser, a renderer or images
    # (and the Markdown engine, Jinja and Pillow they import).

    @cached_property
    def articles(self) -> ArticleMemory:
        return ArticleMemory(self.config, self.cache)

    @cached_property
    def translator(self) -> Translator:
        """The site's language, from the theme's catalogues; a language the theme has no catalogue of is a warning."""
        from .i18n import load_translator, missing_catalogue_note

        translator = load_translator(self.theme.locale_dirs, self.config.language)
        if translator.missing_catalogue:
            self.cache_notes.problems.append(missing_catalogue_note(translator, self.theme.locale_dirs))
        return translator

    @cached_property
    def renderer(self) -> PageRenderer:
        from .templates import PageRenderer

        return PageRenderer(self.theme, self.translator)

    @cached_property
    def images(self) -> ImageShop:
        from .images import ImageShop

        return ImageShop(self.config.content_dir, self.cache.folder / "images" if self.cache is not None else None)

    @cached_property
    def resolver(self) -> LinkResolver:
        from .sourcelinks import LinkResolver

        return LinkResolver(self.config.content_dir, self.config.root / SITE_STATIC, self.config.base_path)

    @cached_property
    def settings(self) -> str:
        """What, besides a file's bytes, decides how it parses (as `ArticleMemory.settings`, the engine named by its release)."""
        return settings_key(self.config, engine_release(self.config.markdown.engine))

    def close(self) -> None:
        if "images" in self.__dict__:  # never made, nothing to close
            self.images.close()
        if self.cache is not None:
            self.cache.close()

    # -- the whole-site shortcut -------------------------------------------------------

    def signature(self, sources: Sequence[SourceStamp]) -> str:
        """Everything a build's output depends on, as one digest: equal signatures give equal fingerprints for every page.

        Static files enter through `statics`, so `scan_statics` comes first.
        """
        digest = hashlib.blake2b(digest_size=20)
        options = self.options
        digest.update(f"{self.settings}|{options.drafts}|{options.future}|{self.config!r}".encode())
        for source in sources:
            digest.update(str(source.path).encode("utf-8", "surrogateescape") + b"\0" + source.fingerprint.encode())
        for path, fingerprint in self.notes.stamps():  # read by `notes.load`, which comes first
            digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + fingerprint.encode())
        for folder in self.theme.template_dirs + self.theme.locale_dirs:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        for out, (path, fingerprint) in sorted(self.statics.items()):  # read once, by `scan_statics`
            digest.update(f"{out}\0{path}\0{fingerprint}".encode("utf-8", "surrogateescape"))
        for code, path in sorted(self.flag_paths.items()):  # which flags exist, and each one's size and time
            stat = path.stat()
            digest.update(f"{code}\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def last_build(self, signature: str) -> LastBuild | None:
        """The last build into this folder, if it was made from exactly these inputs and its files are all there."""
        last = self.cache.last_build(self.config.output_dir) if self.cache is not None else None
        if last is None or last.signature != signature:
            return None
        now = self.options.now
        if last.next_change and now is not None and now >= datetime.fromisoformat(last.next_change):
            return None  # an article dated in the future has come due, or one has left the news sitemap
        for path, size, mtime in last.images:
            try:
                info = os.stat(path)
            except OSError:
                if size < 0:
                    continue  # a linked file that was missing then, and still is
                return None
            if (info.st_size, info.st_mtime_ns) != (size, mtime):
                return None  # a picture or a linked file was replaced under the same name, or one missing has come
        if not self.pages.records or not self.pages.whole or not self.pages.all_on_disk():
            return None  # a file is gone or not the one the ledger knows, or a record was damaged
        if last.manifest is None or not same_file((last.manifest[0], last.manifest[1]), file_stamp(self.manifest_path)):
            return None  # a build the cache did not see added or removed a file
        return last

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.config.output_dir, MANIFEST)

    def remember_signature(self, signature: str, pages: int, articles: int, notes: tuple[str, ...] = ()) -> None:
        if self.cache is not None:
            linked = self.links.stamps if self.links is not None else ()
            self.cache.store_last_build(self.config.output_dir, LastBuild(
                signature, pages, articles, self.next_change(),
                tuple((path, *stamp) for path, stamp in sorted(self.images.stamps.items())) + linked,
                file_stamp(self.manifest_path), notes, problems_to_lists(self.link_problems),
            ))

    def forget_signature(self) -> None:
        if self.cache is not None:
            self.cache.forget_last_build(self.config.output_dir)

    def next_change(self) -> str:
        """When the output changes with nothing edited ('' if never): the first article now in the future
        comes due, or, with a news sitemap, an article leaves its two-day window."""
        now = self.options.now
        if now is None:
            return ""
        from .syndication import NEWS_WINDOW  # here: a build with nothing changed plans no feed

        shown = [a for a in self.articles.articles.values() if self.options.drafts or not a.draft]
        moments = [] if self.options.future else [a.published for a in shown if a.published > now]
        if self.config.news_sitemap:
            moments += [a.published + NEWS_WINDOW for a in shown if a.published <= now < a.published + NEWS_WINDOW]
        return min(moments).isoformat() if moments else ""

    # -- what changed ------------------------------------------------------------------

    def world_shapes(self) -> WorldShapes:
        """Natural Earth's countries as the map draws them: projecting them takes a second or two, so the cache keeps them."""
        from .worldmap import shapes_from_json, shapes_key, shapes_to_json, world_shapes

        if self.world is not None:
            return self.world
        key = shapes_key()
        text = self.cache.derived(key) if self.cache is not None else None
        if text is not None:
            try:
                self.world = shapes_from_json(text)
                return self.world
            except ValueError:
                pass
        self.world = world_shapes()
        if self.cache is not None:
            self.cache.store_derived(key, shapes_to_json(self.world))
        return self.world

    def choose_flags(self, codes: Iterable[str]) -> None:
        """The flag files of these countries (each file read once per session), to be written beside the pages."""
        self.flags = {}
        for code in codes:
            path = self.flag_paths.get(code.lower())
            if path is not None:
                digest = self.flag_digests.get(path)
                if digest is None:
                    digest = self.flag_digests[path] = "s" + hashlib.sha256(path.read_bytes()).hexdigest()
                self.flags[f"flags/{code.lower()}.svg"] = (path, digest)

    @property
    def files(self) -> dict[str, tuple[Path, str]]:
        """Every file copied as it is: static files, the flags the site uses, its pictures' renditions and the files articles link to."""
        linked = self.links.files if self.links is not None else {}
        return {**linked, **self.statics, **self.flags, **self.image_files}

    @property
    def link_problems(self) -> tuple[Problem, ...]:
        """The links of the last model that lead nowhere: warnings of a build, errors of `digest check`."""
        return self.links.problems if self.links is not None else ()

    def resolve_links(self, site: Site) -> None:
        """What each published article's and edition note's links by source path stand for; an unchanged article keeps its very
        tuple of URLs, so its plan can be reused."""
        from .links import body_links
        from .pages import Urls
        from .sourcelinks import Targets

        urls = Urls(self.config.base_path)
        pages = {a.path: urls.article(a) for a in site.articles}
        notes = [e.note for e in site.editions if e.note is not None]
        pages.update((e.note.path, urls.path("editions", e.id)) for e in site.editions if e.note is not None)
        unpublished = {path: "a draft" if a.draft else "dated in the future" for path, a in self.articles.articles.items() if path not in pages}
        statics = {path: out for out, (path, _) in self.statics.items()}
        documents = [(a.path, a.links) for a in site.articles if a.links] + [(n.path, links) for n in notes if (links := body_links(n.intro))]
        fresh = self.resolver.resolve(documents, Targets(pages, unpublished, statics))
        before = self.links.links if self.links is not None else {}
        kept = {path: old if (old := before.get(path)) == pairs else pairs for path, pairs in fresh.links.items()}
        self.links = replace(fresh, links=kept)

    def prepare_pictures(self, articles: Iterable[Article], base_path: str) -> None:
        """The pictures of these articles, resized unless known; an unchanged picture keeps its very object."""
        pictures, self.image_files = self.images.prepare(articles, base_path)
        before = self.pictures
        self.pictures = {path: old if (old := before.get(path)) == new else new for path, new in pictures.items()}

    def scan_statics(self) -> None:
        """Every static file with a digest of its bytes, stylesheets and scripts under a name that holds it;
        the site's own win over the theme's."""
        self.statics = {}
        self.assets = {}
        for relative, path in static_files(self.theme):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out = self.assets[relative] = asset_name(relative, digest)
            self.statics[out] = (path, "s" + digest)

    def changed_bodies(self) -> list[Article] | None:
        """The articles whose body alone changed since the last plans, or None when lists may show something new."""
        if self.planner is None or len(self.modelled) != len(self.articles.articles):
            return None
        if self.planner.info.assets != self.assets:
            return None  # a stylesheet's new name is on every page
        changed = []
        for path, article in self.articles.articles.items():
            before = self.modelled.get(path)
            if before is article:
                continue
            if before is None or before != article:
                return None
            changed.append(article)
        return changed

    def fingerprinter(self) -> Fingerprinter:
        from .fingerprint import Fingerprinter

        return Fingerprinter(self.articles.settings, self.planner)
