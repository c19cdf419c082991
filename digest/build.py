"""Builds: `full_build` once, or a `Builder` kept alive to `rebuild` after each change.

load config → read sources → parse articles → model the site → plan pages →
render → write. Only the first steps and the last touch the disk. A rebuild
re-parses only the files that changed and re-renders only the pages whose
context or templates changed; its output is byte-identical to a full build.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from markupsafe import Markup

from .bodies import BodyStore
from .cache import BuildCache, LastBuild, article_key, settings_key
from .config import CONFIG_NAME, SiteConfig, load_config
from .content import (
    ARTICLES_DIR,
    Article,
    ArticleParser,
    SourceStamp,
    find_article_files,
    is_ignored_name,
    read_source,
    shared_values,
    stamp_sources,
)
from .countries import CountryIndex
from .errors import ContentError, DigestError, Problem, display_path
from .fingerprint import Fingerprinter
from .output import OutputWriter, WriteReport, check_output_dir, read_manifest
from .parallel import RenderJob, parse_files, render_plans
from .plan import PagePlan, Planner, check_collisions
from .site import BuildOptions, build_site
from .templates import PageRenderer, Theme, resolve_theme, static_files


class Reporter(Protocol):
    """Receives progress; the CLI draws it on a terminal, tests record it."""

    def stage(self, name: str, total: int = 0) -> Callable[[int], None]: ...


class SilentReporter:
    def stage(self, name: str, total: int = 0) -> Callable[[int], None]:
        return lambda done: None


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed on disk since the last build, sorted by what it affects."""

    content: frozenset[Path] = frozenset()
    templates: frozenset[Path] = frozenset()
    static: frozenset[Path] = frozenset()
    config: bool = False

    def __bool__(self) -> bool:
        return bool(self.content or self.templates or self.static or self.config)

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(
            self.content | other.content, self.templates | other.templates, self.static | other.static, self.config or other.config
        )

    def describe(self) -> str:
        """'content/articles/pact.md', or '3 content, 1 template changed', for the rebuild's one-line report."""
        parts = [f"{len(s)} {name}" for name, s in (("content", self.content), ("template", self.templates), ("static", self.static)) if s]
        if self.config:
            parts.insert(0, CONFIG_NAME)
        files = sorted(self.content | self.templates | self.static)
        articles = [p for p in files if p.suffix == ".md"]
        if not self.config and len(articles) == 1:
            return str(display_path(articles[0]))  # an editor's save may touch a temp file or two as well
        if not self.config and len(files) == 1:
            return str(display_path(files[0]))
        return ", ".join(parts) + " changed"


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: SiteConfig
    articles: int
    pages: int
    rendered: int
    files: WriteReport
    seconds: float
    rendered_outputs: tuple[str, ...] = field(default=(), compare=False)

    def summary(self, output_shown: str) -> str:
        return (
            f"Built {self.pages} pages from {self.articles} articles in {self.seconds:.2f} s → {output_shown} "
            f"({self.files.written} written, {self.files.unchanged} unchanged, {self.files.removed} removed)"
        )


def full_build(
    root: Path,
    options: BuildOptions | None = None,
    *,
    output_dir: Path | None = None,
    reporter: Reporter | None = None,
) -> BuildResult:
    """Build the site in `root`; raises a `DigestError` before writing anything if the input is bad."""
    return Builder(root, options, output_dir=output_dir, reporter=reporter).build(skip_if_unchanged=True)


STORE_BATCH = 500
YOUNG_OBJECTS_PER_COLLECTION = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Let the cycle collector run less often while a build allocates its many small, acyclic objects.

    With Python's default (a young collection every 700 allocations, and full
    ones as the heap grows) the collector costs about a fifth of a cached
    build; the build makes few cycles, so collecting rarely loses nothing.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_OBJECTS_PER_COLLECTION), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def detached(article: Article, key: str, shared: dict[Any, Any]) -> Article:
    """The article without its body, which waits in a `BodyStore` under `key`.

    Its countries and topics become the equal objects in `shared`, so a large
    site holds each once rather than once per article.
    """
    return replace(
        article,
        body_html=Markup(""),
        body_key=key,
        countries=shared_values(shared, article.countries),
        topics=shared_values(shared, article.topics),
    )


class Builder:
    """Holds a site's state between builds, so a rebuild does only what a change needs."""

    def __init__(
        self,
        root: Path,
        options: BuildOptions | None = None,
        *,
        output_dir: Path | None = None,
        reporter: Reporter | None = None,
        use_cache: bool = True,
        force: bool = False,
    ) -> None:
        self.root = root
        self.use_cache = use_cache
        self.force = force
        self.options = options or BuildOptions(now=datetime.now(timezone.utc))
        self.output_override = output_dir
        self.reporter = reporter or SilentReporter()
        self._reset()

    def _reset(self) -> None:
        self.config: SiteConfig | None = None
        self.theme: Theme | None = None
        self.parser: ArticleParser | None = None
        self.renderer: PageRenderer | None = None
        self.fingerprints: dict[Path, str] = {}
        self.articles: dict[Path, Article] = {}
        self.shared: dict[Any, Any] = {}
        """One object for each distinct country and topic spelling the articles hold."""
        self.article_keys: dict[Path, str] = {}
        self.bodies = BodyStore()
        self.settings = ""
        self.broken: dict[Path, tuple[Problem, ...]] = {}
        self.planner: Planner | None = None
        self.plans: dict[str, PagePlan] = {}
        self.rendered_with: dict[str, str] = {}
        self.statics: dict[str, Path] = {}
        self.template_files: set[Path] = set()
        self.dirty = False
        self.pending = Changes()

    # -- full builds -----------------------------------------------------------

    def build(self, *, skip_if_unchanged: bool = False) -> BuildResult:
        """Everything from scratch (also after a site.yaml or theme change).

        With `skip_if_unchanged`, a build whose every input matches the last
        build into the same folder (and whose files are all still there) stops
        after reading the sources: the no-op rebuild of a one-shot `digest build`.
        """
        with fewer_collections():
            return self._build(skip_if_unchanged)

    def _build(self, skip_if_unchanged: bool) -> BuildResult:
        started = time.perf_counter()
        self._reset()
        config = load_config(self.root, output_dir=self.output_override)
        theme = resolve_theme(config)
        check_output_dir(config, theme.template_dirs + theme.static_dirs, force=self.force)
        self.config, self.theme = config, theme  # known from here on, so a broken article can still be watched
        self.parser = ArticleParser(config, CountryIndex(config.country_aliases))
        cache = BuildCache(config.root) if self.use_cache else None
        self.bodies = BodyStore(config.root if cache is not None else None)
        self.settings = settings_key(config)
        try:
            sources = stamp_sources(find_article_files(config.content_dir), config)
            signature = self._signature(config, theme, sources)
            last = cache.last_build(config.output_dir) if cache is not None and skip_if_unchanged else None
            if last is not None and self._still_current(last, signature):
                files = WriteReport(0, len(read_manifest(config.output_dir)), 0)
                return BuildResult(config, last.articles, last.pages, 0, files, time.perf_counter() - started)
            self._load_all(config, cache, sources)
            del sources  # the articles hold what is needed; the raw bytes can go
            self._raise_if_broken()
            self.renderer = PageRenderer(theme)
            self.template_files = self._scan_templates()
            self.statics = dict(static_files(theme))
            plans = self._plan()
            todo = list(plans)
            if cache is not None:
                fingerprints = self._fingerprints(plans)
                known = cache.page_fingerprints(config.output_dir)
                output = str(config.output_dir)
                todo = [out for out, fp in fingerprints.items() if known.get(out) != fp or not os.path.isfile(os.path.join(output, out))]
            result = self._write(plans, todo, started)
            if cache is not None:
                cache.store_page_fingerprints(config.output_dir, fingerprints)
                cache.store_last_build(config.output_dir, LastBuild(signature, result.pages, result.articles, self._next_change()))
        finally:
            if cache is not None:
                cache.close()
        return result

    def _signature(self, config: SiteConfig, theme: Theme, sources: list[SourceStamp]) -> str:
        """Everything a build's output depends on, as one digest."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{settings_key(config)}|{self.options.drafts}|{self.options.future}|{config.output_dir}".encode())
        digest.update(repr(config).encode())
        for source in sources:
            digest.update(str(source.path).encode("utf-8", "surrogateescape") + b"\0" + source.fingerprint.encode())
        for folder in theme.template_dirs + theme.static_dirs:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def _still_current(self, last: LastBuild, signature: str) -> bool:
        assert self.config is not None
        if last.signature != signature:
            return False
        now = self.options.now
        if last.next_change and now is not None and not self.options.future and now >= datetime.fromisoformat(last.next_change):
            return False  # an article dated in the future has come due
        output = str(self.config.output_dir)
        written = read_manifest(self.config.output_dir)
        return bool(written) and all(os.path.isfile(os.path.join(output, name)) for name in written)

    def _next_change(self) -> str:
        """When the first article now in the future will be due ('' if none)."""
        now = self.options.now
        if now is None or self.options.future:
            return ""
        due = [a.published for a in self.articles.values() if a.published > now and (self.options.drafts or not a.draft)]
        return min(due).isoformat() if due else ""

    def _load_all(self, config: SiteConfig, cache: BuildCache | None, sources: list[SourceStamp]) -> None:
        """Every article: from the cache when its bytes and settings are known, else parsed on all cores.

        Fresh articles go to the cache in batches and keep no body in memory, so
        a large site's memory stays flat.
        """
        assert self.parser is not None
        keys = self.article_keys = {s.path: article_key(self.settings, s.path, s.fingerprint) for s in sources}
        cached = cache.articles({key: path for path, key in keys.items()}, self.shared) if cache is not None else {}
        progress = self.reporter.stage("Reading articles", len(sources))
        misses = []
        for source in sources:
            self.fingerprints[source.path] = source.fingerprint
            article = cached.get(keys[source.path])
            if article is None:
                misses.append(source.path)
            else:
                self.articles[source.path] = article  # detached: its body stays in the cache
        progress(len(cached))
        fresh: dict[str, Article] = {}
        for count, (path, parsed) in enumerate(parse_files(config, self.parser, misses), len(cached) + 1):
            if isinstance(parsed, Article):
                fresh[keys[path]] = parsed
                if len(fresh) >= STORE_BATCH:
                    self._keep(fresh, cache)
            else:
                self.broken[path] = parsed
            progress(count)
        self._keep(fresh, cache)
        if cache is not None:
            cache.forget_articles_except(keys.values())

    def _keep(self, fresh: dict[str, Article], cache: BuildCache | None) -> None:
        """Move freshly parsed articles into the model, their bodies into the cache (or memory)."""
        stored = cache is not None and cache.store_articles(fresh)
        for key, article in fresh.items():
            if not stored:
                self.bodies.put(key, article.body_html)
            self.articles[article.path] = detached(article, key, self.shared)
        fresh.clear()

    def _fingerprints(self, plans: dict[str, PagePlan]) -> dict[str, str]:
        assert self.renderer is not None and self.planner is not None and self.config is not None
        printer = Fingerprinter(self.renderer)
        planner = self.planner
        settings = settings_key(self.config)
        for path, card in planner.cards.items():
            # a card is a function of its file's bytes (and the settings in its key), its topics' names and the base URL
            article = planner.articles_by_path[path]
            names = tuple(planner.topic_names[t.slug] for t in article.topics)
            shown = f"{settings}|{path}|{article.meta_fingerprint}|{names}|{self.config.base_url}"
            printer.seed(card, b"C" + hashlib.blake2b(shown.encode("utf-8", "surrogateescape"), digest_size=16).digest())
            whole = f"{self.article_keys[path]}|{names}|{self.config.base_url}"
            view = planner.article_plans[path][1].context["article"]
            printer.seed(view, b"V" + hashlib.blake2b(whole.encode("utf-8", "surrogateescape"), digest_size=16).digest())
        fingerprints = {}
        for out, plan in plans.items():
            fingerprints[out] = printer.page(plan)
            self.rendered_with[out] = self.renderer.template_for(plan).name or plan.templates[0]
        return fingerprints

    # -- rebuilds ----------------------------------------------------------------

    def rebuild(self, changes: Changes) -> BuildResult:
        """Apply `changes`; fall back to a full build when the site's shape changed.

        After a failed rebuild the next one re-plans everything, compares it with
        what was last written and applies the failed changes again, so nothing
        changed meanwhile is lost.
        """
        changes = self.pending | changes
        try:
            with fewer_collections():
                result = self._rebuild(changes)
        except BaseException:
            self.dirty = True
            self.pending = changes
            raise
        self.dirty = False
        self.pending = Changes()
        return result

    def _rebuild(self, changes: Changes) -> BuildResult:
        started = time.perf_counter()
        if changes.config or self.config is None or self.renderer is None or any(p.name == "theme.yaml" for p in changes.templates):
            return self.build()
        config = self.config
        meta_changed = self.dirty
        bodies: list[Article] = []
        articles_root = config.content_dir / ARTICLES_DIR
        for path in sorted(changes.content):
            if articles_root not in path.parents:
                continue
            if path.suffix != ".md" or is_ignored_name(path.name) or path.is_dir():
                prefix = f"{path}{os.sep}"
                if path.is_dir() or any(str(known).startswith(prefix) for known in self.fingerprints):
                    meta_changed |= self._rescan(articles_root)  # a folder appeared, moved or vanished
                continue
            before = self.articles.get(path)
            was_broken = path in self.broken
            if not self._read(path):
                continue
            after = self.articles.get(path)
            if before is None or after is None or before != after or was_broken:
                meta_changed = True
            elif after is not before:
                bodies.append(after)
        self._raise_if_broken()

        template_names = {self._template_name(p) for p in changes.templates}
        template_names.discard(None)
        selection_changed = any((p in self.template_files) != p.is_file() for p in changes.templates)
        selection_changed |= self.dirty and bool(changes.templates)  # a failed attempt may have seen it already
        if changes.templates:
            self.renderer = PageRenderer(self.theme)  # type: ignore[arg-type]
            self.template_files = self._scan_templates()
        if changes.static:
            self.statics = dict(static_files(self.theme))  # type: ignore[arg-type]

        if meta_changed or selection_changed:
            plans = self._plan()
            old = self.plans
            todo = [
                out for out, plan in plans.items()
                if (last := old.get(out)) is not plan
                and (last is None or last.context != plan.context or last.templates != plan.templates)
            ]
        else:
            assert self.planner is not None
            plans = dict(self.plans)
            todo = []
            for article in bodies:
                if article.path not in self.planner.index:
                    continue  # a draft or future article: it has no page to update
                plan = self.planner.article_plan(article)
                out = plan.output
                if plans[out].context != plan.context:
                    plans[out] = plan
                    todo.append(out)
        if selection_changed:
            todo = list(plans)
        elif template_names:
            users = {name for name in set(self.rendered_with.values()) if self._uses_any(name, template_names)}  # type: ignore[arg-type]
            todo += [out for out, name in self.rendered_with.items() if name in users and out in plans]
        return self._write(plans, list(dict.fromkeys(todo)), started, static_changes=bool(changes.static))

    # -- steps -------------------------------------------------------------------

    def _read(self, path: Path) -> bool:
        """(Re)parse one article file; False if it is gone or unchanged."""
        assert self.parser is not None and self.config is not None
        if not path.is_file():
            self.articles.pop(path, None)
            self.fingerprints.pop(path, None)
            self.broken.pop(path, None)
            return True
        try:
            source = read_source(path, self.config)
        except OSError:  # vanished between the check and the read: the next event brings it back
            return False
        fingerprint = source.fingerprint
        if self.fingerprints.get(path) == fingerprint and path not in self.broken:
            return False
        self.fingerprints[path] = fingerprint
        try:
            article = self.parser.parse(source)
        except DigestError as exc:
            self.broken[path] = exc.problems
            self.articles.pop(path, None)
            return True
        self.bodies.forget(self.article_keys.get(path, ""))
        key = self.article_keys[path] = article_key(self.settings, path, fingerprint)
        self.bodies.put(key, article.body_html)
        self.articles[path] = detached(article, key, self.shared)
        self.broken.pop(path, None)
        return True

    def _rescan(self, articles_root: Path) -> bool:
        """A folder moved or vanished: reconcile the known files with the disk."""
        present = set(find_article_files(articles_root.parent))
        changed = False
        for path in set(self.articles) | set(self.broken) - present:
            if path not in present:
                self.articles.pop(path, None)
                self.broken.pop(path, None)
                self.fingerprints.pop(path, None)
                changed = True
        for path in present:
            changed |= self._read(path)
        return changed

    def _raise_if_broken(self) -> None:
        if self.broken:
            problems = [p for path in sorted(self.broken) for p in self.broken[path]]
            raise ContentError(problems)

    def _plan(self) -> dict[str, PagePlan]:
        assert self.config is not None
        site = build_site(self.config, self.articles.values(), self.options, self.planner.site if self.planner else None)
        self.planner = Planner(site, previous=self.planner, bodies=self.bodies)
        plans = list(self.planner.plans())
        check_collisions(plans)
        return {plan.output: plan for plan in plans}

    def _scan_templates(self) -> set[Path]:
        assert self.theme is not None
        return {p for folder in self.theme.template_dirs for p in folder.rglob("*") if p.is_file()}

    def _template_name(self, path: Path) -> str | None:
        assert self.theme is not None
        for folder in self.theme.template_dirs:
            if folder in path.parents:
                return path.relative_to(folder).as_posix()
        return None

    def _uses_any(self, name: str, changed: set[str]) -> bool:
        assert self.renderer is not None
        uses = self.renderer.uses(name)
        return "*" in uses or bool(uses & changed)

    def _write(self, plans: dict[str, PagePlan], todo: list[str], started: float, *, static_changes: bool = True) -> BuildResult:
        """Render `todo` (and static files), then commit the whole output set at once."""
        assert self.config is not None and self.renderer is not None
        writer = OutputWriter(self.config.output_dir)
        progress = self.reporter.stage("Rendering pages", len(todo))
        rendered_with = dict(self.rendered_with)
        job = RenderJob(self.renderer, [plans[out] for out in todo], writer.stage_area)
        try:
            if static_changes:
                for relative, path in self.statics.items():
                    writer.stage(relative, path.read_bytes())
            for out, template, changed in render_plans(job, progress):
                writer.record(out, changed)
                rendered_with[out] = template
        except BaseException:
            writer.abort()
            raise
        report = writer.commit(set(plans) | set(self.statics))
        self.plans = plans
        self.rendered_with = {out: name for out, name in rendered_with.items() if out in plans}
        assert self.planner is not None
        return BuildResult(
            self.config, len(self.planner.site.articles), len(plans), len(todo), report,
            time.perf_counter() - started, tuple(todo),
        )

