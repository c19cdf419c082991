"""Building a site, top to bottom: config → theme → articles → model → plan → choose pages → render → commit → remember.

`build_once` is `digest build`; a `Session` builds once and then `rebuild`s
after each change, for `serve` and `watch`. Both go through the same stages and
ask the same `BuildState` which pages to render, so a rebuild's output is
byte-identical to a clean build's. Only reading and the commit touch the disk.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import CacheNotes, problems_from_lists
from .config import CONFIG_NAME, NO_OVERRIDES, Overrides, SiteConfig
from .content import Article
from .errors import Problem, display_path, printable
from .output import WriteReport, check_output_dir, recover, staging_folder
from .pages import FEED_KINDS, PagePlan
from .publish import BuildResult, PoolSource, publish, publish_streamed
from .reporting import Reporter, SilentReporter, timed
from .site import BuildOptions, LeftOut, Site, model_site
from .sources import ARTICLES_DIR, SourceStamp, check_content_dir, find_article_files, index_sources, load_config, stamp_sources, stat_sources
from .state import BuildState
from .theme import THEME_FILE, Theme, resolve_theme

if TYPE_CHECKING:  # imported where pages are rendered: a build with nothing changed starts no process pool
    from .indexer import Stop
    from .parallel import RenderPool
    from .plan import Planner
    from .related import RelatedIndex

YOUNG_OBJECTS_PER_COLLECTION = 50_000


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

    @property
    def reshapes_site(self) -> bool:
        """site.yaml or a theme.yaml changed: config and theme must be read again."""
        return self.config or any(p.name == THEME_FILE for p in self.templates)

    def describe(self) -> str:
        """'content/articles/pact.md', or '3 content, 1 template changed', for the rebuild's one-line report."""
        parts = [f"{len(s)} {name}" for name, s in (("content", self.content), ("template", self.templates), ("static", self.static)) if s]
        if self.config:
            parts.insert(0, CONFIG_NAME)
        files = sorted(self.content | self.templates | self.static)
        articles = [p for p in files if p.suffix == ".md"]
        if not self.config and len(articles) == 1:
            return printable(str(display_path(articles[0])))  # an editor's save may touch a temp file or two as well
        if not self.config and len(files) == 1:
            return printable(str(display_path(files[0])))
        return ", ".join(parts) + " changed"


@dataclass(frozen=True, slots=True)
class Project:
    """What to build and how, as the user asked for it."""

    root: Path
    options: BuildOptions
    overrides: Overrides = NO_OVERRIDES
    use_cache: bool = True
    force: bool = False


def build_once(
    root: Path,
    options: BuildOptions | None = None,
    *,
    output_dir: Path | None = None,
    relative: bool = False,
    reporter: Reporter | None = None,
    force: bool = False,
) -> BuildResult:
    """`digest build`: raises a `DigestError` before writing anything if the input is bad.

    When every input matches the last build into the same folder, it stops after
    reading the sources: nothing is rendered or written.
    """
    session = Session(root, options, overrides=Overrides(output_dir, relative), reporter=reporter, force=force)
    try:
        return session.build(once=True)
    finally:
        session.close()


class Session:
    """Builds one site again and again, sharing a `BuildState` between builds."""

    def __init__(
        self,
        root: Path,
        options: BuildOptions | None = None,
        *,
        overrides: Overrides = NO_OVERRIDES,
        reporter: Reporter | None = None,
        use_cache: bool = True,
        force: bool = False,
    ) -> None:
        self.project = Project(root, options or BuildOptions(now=datetime.now(UTC)), overrides, use_cache, force)
        self.reporter: Reporter = reporter or SilentReporter()
        self.cache_notes = CacheNotes()
        """What went wrong with the cache (damaged entries, a cache that cannot be written), for the caller to print."""
        self.state: BuildState | None = None
        """None until a build has succeeded (and again after a build from scratch failed)."""
        self.config: SiteConfig | None = None
        self.theme: Theme | None = None
        """Known as soon as they are read, so a site whose articles are broken can still be watched."""
        self.warnings: tuple[Problem, ...] = ()
        """What the last build warned of (links that lead nowhere), for the caller to print once (`take_warnings`)."""
        self.renders: RenderPool | None = None
        """Render workers kept warm between builds, for when other threads (a server, a watcher) make forking unsafe;
        made when a build first has pages to render (a build that finds nothing changed imports no pool at all)."""

    def render_pool(self) -> RenderPool:
        if self.renders is None:
            from .parallel import RenderPool

            self.renders = RenderPool()
        return self.renders

    def check(self) -> None:
        """Read site.yaml and the theme and check the output folder, writing nothing: its errors, before a build's."""
        read_config(self.project)

    def build(self, *, once: bool = False, index_later: bool = False) -> BuildResult:
        """Everything from scratch (also after a site.yaml or theme change).

        `once`: this is the session's only build (`digest build`): it stops early when nothing changed since the
        last build into the folder, and lets each page's plan go once the page is rendered (no rebuild will need it).
        `index_later`: commit the pages without making the search index again; `index_search` makes it afterwards.
        """
        if self.state is not None:
            self.state.close()
        self.state = None
        with fewer_collections():
            self.config, self.theme = read_config(self.project)
            recover(self.config.output_dir, staging_folder(self.config.root, self.config.output_dir))  # before anything reads the output
            state = BuildState(self.config, self.theme, self.project.options, use_cache=self.project.use_cache, notes=self.cache_notes)
            try:
                result = build_from_scratch(state, self.reporter, once=once, pool=self.render_pool, index_later=index_later)
            except BaseException:
                state.close()
                raise
        if state.planner is None:  # nothing changed, so nothing was read: no state to rebuild from
            state.close()
        else:
            self.state = state
        self.warnings = result.warnings
        return result

    def rebuild(self, changes: Changes, *, index_later: bool = False) -> BuildResult:
        """Apply `changes` to the last build; from scratch when the site's shape changed or no build succeeded yet.

        `index_later`: commit the pages without making the search index again; `index_search` makes it afterwards.
        """
        if self.state is None or changes.reshapes_site:
            return self.build(index_later=index_later)
        with fewer_collections():
            result = apply_changes(self.state, changes, self.reporter, self.render_pool, index_later)
        self.warnings = result.warnings
        return result

    def take_warnings(self) -> tuple[Problem, ...]:
        """The last build's warnings, once: a second call gives none until the next build."""
        warnings, self.warnings = self.warnings, ()
        return warnings

    def index_search(self, stop: Stop | None = None) -> float | None:
        """Make the search index a rebuild left for later, and commit it: its seconds, or None when it was current."""
        if self.state is None:
            return None
        from .search import index_deferred

        return index_deferred(self.state, stop)

    @property
    def plans(self) -> dict[str, PagePlan]:
        """The last plans, by output file."""
        return self.state.plans if self.state is not None else {}

    @property
    def articles(self) -> Mapping[Path, Article]:
        """Every article read, drafts and future ones included, by file."""
        return self.state.articles.articles if self.state is not None else {}

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        """The drafts and future articles the last build did not publish."""
        planner = self.state.planner if self.state is not None else None
        return planner.site.left_out if planner is not None else ()

    def close(self) -> None:
        """Let go of the cache and end the render workers; a later build starts them again."""
        if self.state is not None:
            self.state.close()
        if self.renders is not None:
            self.renders.close()


# -- the stages -------------------------------------------------------------------------


def read_config(project: Project) -> tuple[SiteConfig, Theme]:
    """site.yaml and the theme chain, and an output folder that is safe to write."""
    config = load_config(project.root, project.overrides)
    check_content_dir(config)
    theme = resolve_theme(config)
    check_output_dir(config, theme.template_dirs + theme.static_dirs, force=project.force)
    return config, theme


def build_from_scratch(
    state: BuildState, reporter: Reporter, *, once: bool, pool: PoolSource | None = None, index_later: bool = False,
) -> BuildResult:
    """Read every article (from the cache when its bytes are known), then model, plan and publish the site.

    `once`: stop when the inputs are those of the last build into the folder, and stream the plans (`publish_streamed`).
    """
    started = time.perf_counter()
    config = state.config
    with timed(reporter, "read sources"):
        paths = find_article_files(config.content_dir)
        state.notes.load()
        state.scan_statics()
        sources: Sequence[SourceStamp] | Sequence[Path] = paths  # a cache that knows no article: digests ahead help nothing
        signature, stats = None, None
        if state.cache is not None and state.cache.has_articles():
            stamped = stamp_sources(paths, config, state.cache)
            sources, signature = stamped, state.signature(stamped)
        elif state.cache is not None:
            stats = stat_sources(paths, config)  # parsing reads the files; their stats, taken first, fill the stat index
    if once and signature is not None and (last := state.last_build(signature)) is not None:
        files = WriteReport(0, len(state.pages.records), 0)
        return BuildResult(config, last.articles, last.pages, 0, files, time.perf_counter() - started, notes=tuple(last.notes),
                           warnings=problems_from_lists(last.warnings))
    with timed(reporter, "parse articles"):
        state.articles.load(sources, reporter.progress("Reading articles", len(sources)))
        del sources, paths  # the articles hold what is needed
        state.articles.raise_if_broken()
        if stats is not None and state.cache is not None:
            index_sources(state.cache, stats, state.articles.fingerprints)
    if once:
        site, related = model(state, reporter)
        result = publish_streamed(state, lambda: new_planner(state, site, related, keep_plans=False), reporter, started, pool)
    else:
        result = publish(state, replan(state, reporter), reporter, started, pool, index_later=index_later)
    result = replace(result, warnings=state.link_problems)
    state.remember_signature(signature or state.signature(state.articles.stamps()), result.pages, result.articles, result.notes)
    return result


def apply_changes(
    state: BuildState, changes: Changes, reporter: Reporter, pool: PoolSource | None = None, index_later: bool = False,
) -> BuildResult:
    """Read what changed, re-plan only what it can reach, and publish the pages whose fingerprint moved."""
    started = time.perf_counter()
    from .templates import PageRenderer  # here and below: a build that finds nothing changed needs none of these

    if changes.templates:  # first: a broken article must not make the state forget a template change
        state.renderer = PageRenderer(state.theme, state.translator)
    if changes.static:
        state.scan_statics()
    with timed(reporter, "parse articles"):
        state.articles.update(changes.content)
        state.articles.raise_if_broken()
    articles = state.config.content_dir / ARTICLES_DIR
    others = [path for path in changes.content if path.suffix != ".md" or articles not in path.parents]  # pictures, edition notes
    if others or state.unsettled:
        state.unsettled = True
        state.notes.load()
    bodies = None if state.unsettled else state.changed_bodies()
    if bodies is None:
        plans, only = replan(state, reporter), None
    else:
        before = state.plans
        plans = replan_bodies(state, bodies)
        only = None if changes.templates else {out for out, plan in plans.items() if before.get(out) is not plan}
    state.forget_signature()  # the output moves on without a whole-site signature
    return replace(publish(state, plans, reporter, started, pool, only, index_later), warnings=state.link_problems)


def replan(state: BuildState, reporter: Reporter) -> dict[str, PagePlan]:
    """Model and plan the whole site, reusing what the last plans can lend."""
    from .plan import check_collisions

    site, related = model(state, reporter)
    with timed(reporter, "plan"):
        planner = new_planner(state, site, related, keep_plans=True)
        plans = list(planner.plans())
        check_collisions(plans)
    state.plans = {plan.output: plan for plan in plans}
    return state.plans


def model(state: BuildState, reporter: Reporter) -> tuple[Site, RelatedIndex]:
    """The site's model and related articles (the last ones lend what still holds), and its pictures made ready."""
    from .related import relate

    state.unsettled = True  # until a planner is made from this model
    with timed(reporter, "model"):
        site = model_site(state.config, state.articles.articles.values(), state.options, state.notes.notes, state.translator)
        related = relate(site.articles, state.related)
        state.resolve_links(site)
    with timed(reporter, "images"):
        state.prepare_pictures(site.articles, state.config.base_path)
    return site, related


def new_planner(state: BuildState, site: Site, related: RelatedIndex, *, keep_plans: bool) -> Planner:
    """The planner of this model, reusing the last planner's cards and article plans where they hold.

    `keep_plans`: the planner remembers article plans for the next one (see `Planner`).
    """
    from .plan import Planner

    planner = Planner(
        site, related, previous=state.planner, params=state.theme.params, assets=state.assets, flags=state.flag_codes,
        pictures=state.pictures, keep_plans=keep_plans, world=state.world_shapes() if site.countries else None,
        links=state.links.links if state.links is not None else None, translator=state.translator,
    )
    state.choose_flags(term.country.code for term in site.countries if term.country)
    state.related, state.planner, state.modelled = related, planner, dict(state.articles.articles)
    state.unsettled = False
    return planner


def replan_bodies(state: BuildState, articles: list[Article]) -> dict[str, PagePlan]:
    """Only bodies changed: every list stays as it is; each article's own page gets a new plan, and so do
    the feeds that carry its body (with `full_content`)."""
    assert state.planner is not None
    plans = dict(state.plans)
    shown = []
    for article in articles:
        state.modelled[article.path] = article
        if article.path in state.planner.index:  # a draft or future article has no page to update
            plan = state.planner.article_plan(article)
            plans[plan.output] = plan
            shown.append(article)
    if shown and state.config.feeds.full_content:
        for output, plan in plans.items():
            if plan.kind in FEED_KINDS.values() and any(a.path in plan.sources for a in shown):
                plans[output] = state.planner.syndication.with_bodies(plan, shown)
    state.plans = plans
    return plans


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
