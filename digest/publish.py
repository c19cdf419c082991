"""The last stages of a build: choose the pages whose inputs changed, render them, and commit them all at once.

`publish` works from a site's plans kept in memory (serve and watch need them for
the next rebuild); `publish_streamed` makes, renders and lets go of plans a batch
at a time, for a build that is its session's only one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING

from .config import SiteConfig
from .errors import OutputError, Problem, environment_problem
from .output import OutputWriter, WriteReport
from .pages import PagePlan
from .reporting import Reporter, Stopwatch, timed
from .site import left_out_notes
from .state import BuildState

if TYPE_CHECKING:  # imported where pages are rendered: a build with nothing changed starts no process pool
    from .parallel import RenderPool
    from .plan import Planner

STREAM_BATCH = 5_000
"""Plans a one-shot build makes, renders and lets go at a time: few enough to keep memory flat, enough to keep every core busy."""
PoolSource = Callable[[], "RenderPool"]
"""Gives the session's warm render workers, making them when first asked."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: SiteConfig
    articles: int
    pages: int
    rendered: int
    files: WriteReport
    seconds: float
    rendered_outputs: tuple[str, ...] = field(default=(), compare=False)
    notes: tuple[str, ...] = ()
    """Asides the summary line adds after its sentence, each one short: what the build left out, say, and how to include it."""
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    """Links that lead nowhere, and the like: the build went on, and says so."""

    def summary(self, output_shown: str) -> str:
        """One line, e.g. `Built 24 pages from 21 articles in 0.21 s → public/ (3 files written, 1 removed)`, then any notes after a dash.

        It counts files, not pages: stylesheets, flags, pictures and the search index are written and removed too.
        """
        written, removed = self.files.written, self.files.removed
        changes = [f"{counted(written, 'file')} written"] if written else []
        changes += [f"{counted(removed, 'file') if not written else removed} removed"] if removed else []
        sentence = (
            f"Built {counted(self.pages, 'page')} from {counted(self.articles, 'article')} in {self.seconds:.2f} s → {output_shown} "
            f"({', '.join(changes) or 'nothing changed'})"
        )
        return " — ".join((sentence, *self.notes))


def counted(number: int, noun: str) -> str:
    """`1 page`, `2 pages`, `0 pages`: the nouns summaries count take an s."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def publish(
    state: BuildState, plans: dict[str, PagePlan], reporter: Reporter, started: float, pool: PoolSource | None = None,
    only: set[str] | None = None, index_later: bool = False,
) -> BuildResult:
    """Render the pages whose fingerprint changed and copy changed static files, then commit them all at once.

    `only`: the outputs whose plans changed, when every other plan is the one last published with the same templates.
    The search index is made after the pages are staged, from them, and committed with them (`index_later`: kept as it is).
    """
    from .parallel import RenderJob, render_plans
    from .search import SearchIndexer

    plans, search = SearchIndexer.split(state, plans)
    with timed(reporter, "choose pages"):
        todo = state.pages.to_render(plans, state.renderer, state.fingerprinter(), only)
        files = state.files
        statics = state.pages.files_to_copy(files)
    wanted = set(plans) | set(files)
    with writing(state) as writer:
        job = RenderJob(state.renderer, [plans[out] for out in todo], writer.staging, state.articles.bodies)
        with timed(reporter, "render"):
            for out in statics:
                writer.stage(out, files[out][0].read_bytes())
            for out, changed in render_plans(job, reporter.progress("Rendering pages", len(todo)), pool() if pool is not None else None):
                writer.record(out, changed)
        if search is not None:
            with timed(reporter, "search index"):
                wanted |= search.bundle() if index_later else search.stage(writer)
        report = commit(writer, wanted, reporter)
    state.pages.commit(wanted)
    assert state.planner is not None
    site = state.planner.site
    return BuildResult(
        state.config, len(site.articles), len(plans), len(todo), report, time.perf_counter() - started, tuple(todo),
        left_out_notes(site.left_out),
    )


def publish_streamed(
    state: BuildState, make_planner: Callable[[], Planner], reporter: Reporter, started: float, pool: PoolSource | None = None,
) -> BuildResult:
    """`publish` for a session's only build: plans are made, chosen, rendered and let go `STREAM_BATCH` at a time.

    Memory then holds one batch of plans (with what digesting their contexts
    made) instead of the whole site's; only each output's fingerprint stays.
    Collisions are checked across batches and raised before the commit, so a
    collision still leaves the output as it was.
    """
    from .indexer import find_indexer
    from .parallel import RenderJob, render_plans
    from .plan import Collisions
    from .search import SearchIndexer

    if state.config.search.enabled:
        find_indexer(state.config)  # a missing Pagefind is an error before anything renders, not after
    clock = Stopwatch("plan", "choose pages", "render")
    with clock("plan"):
        planner = make_planner()  # first: it chooses the flags among the files, and fingerprints lean on its cards
    search: SearchIndexer | None = None
    ledger, printer, renderer, files = state.pages, state.fingerprinter(), state.renderer, state.files
    collisions = Collisions()
    wanted = set(files)
    chosen: list[str] = []
    pages = 0
    with writing(state) as writer:
        with clock("render"):
            ledger.begin()
            for out in ledger.files_to_copy(files):
                writer.stage(out, files[out][0].read_bytes())
        plans = planner.plans()
        while True:
            with clock("plan"):
                batch = list(islice(plans, STREAM_BATCH))
            if not batch:
                break
            with clock("choose pages"):
                collisions.add(batch)
                drawn, indexer = SearchIndexer.split(state, {plan.output: plan for plan in batch})  # the index comes last
                search = indexer or search
                pages += len(drawn)
                wanted.update(drawn)
                todo = ledger.choose(drawn, renderer, printer, keep=False)
                printer.forget()  # what it remembers of these contexts keeps them alive
            if todo:
                with clock("render"):
                    picked = set(todo)
                    job = RenderJob(renderer, [plan for plan in batch if plan.output in picked], writer.staging, state.articles.bodies)
                    for out, changed in render_plans(job, progress_from(reporter, len(chosen), len(todo)), pool() if pool is not None else None):
                        writer.record(out, changed)
                chosen += todo
            del batch, drawn
        collisions.raise_if_any()
        clock.report(reporter)
        if search is not None:  # once every article page is staged or known current
            with timed(reporter, "search index"):
                wanted |= search.stage(writer)
        report = commit(writer, wanted, reporter)
    state.pages.commit(wanted)
    return BuildResult(
        state.config, len(planner.site.articles), pages, len(chosen), report, time.perf_counter() - started, tuple(chosen),
        left_out_notes(planner.site.left_out),
    )


def progress_from(reporter: Reporter, before: int, more: int) -> Callable[[int], None]:
    """Progress through `more` pages to render after `before` were: the total grows as batches come."""
    progress = reporter.progress("Rendering pages", before + more)
    return lambda done: progress(before + done)


@contextmanager
def writing(state: BuildState) -> Iterator[OutputWriter]:
    """A writer staging this build's files; anything raised inside clears the staging and leaves the output as it was."""
    writer = OutputWriter(state.config.output_dir, state.config.root, state.manifest)
    try:
        yield writer
    except OSError as exc:  # a full disk, a read-only folder: nothing was moved into the output
        writer.abort()
        raise OutputError([environment_problem(exc, state.config.output_dir)]) from None
    except BaseException:
        writer.abort()
        raise


def commit(writer: OutputWriter, wanted: set[str], reporter: Reporter) -> WriteReport:
    """Move the staged files into the output at once, removing what is not `wanted`."""
    with timed(reporter, "commit"):
        written = writer.commit(wanted)
    return replace(written, unchanged=len(wanted) - written.written)  # rendered the same, or not rendered at all
