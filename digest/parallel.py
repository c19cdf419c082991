"""Process pools for the two costly stages: Markdown conversion and page rendering.

Each worker process keeps its own parser (one reused Markdown instance) or its
own copy of the render job; nothing is shared between processes but the files
they stage. Small jobs stay in the calling process: a pool only pays off when
there is enough work for every core.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .bodies import BodyStore
from .config import SiteConfig
from .content import ArticleParser, Parsed
from .errors import DigestError, Problem
from .output import Staging
from .pages import PagePlan
from .sources import read_source
from .templates import PageRenderer

PARSE_PER_WORKER = 200
RENDER_PER_WORKER = 1000

ParseResult = Parsed | tuple[Problem, ...]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _workers(jobs: int, per_worker: int) -> int:
    return max(1, min(cores(), jobs // per_worker))


def _context() -> multiprocessing.context.BaseContext:
    """fork is fastest, but only safe while this process runs a single thread."""
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


# -- Markdown ---------------------------------------------------------------------

_parser: ArticleParser | None = None  # this worker's own parser; set once per worker process


def _quiet_signals() -> None:
    """Workers leave Ctrl-C and SIGTERM to the parent, which stops the pool and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _start_parser(config: SiteConfig) -> None:
    global _parser
    _quiet_signals()
    _parser = ArticleParser.for_site(config)


def _parse(path: Path) -> tuple[Path, ParseResult]:
    assert _parser is not None
    return _parse_with(_parser, path)


def _parse_with(parser: ArticleParser, path: Path) -> tuple[Path, ParseResult]:
    try:
        return path, parser.parse(read_source(path, parser.config))
    except DigestError as exc:
        return path, exc.problems


def parse_files(config: SiteConfig, parser: ArticleParser, paths: Sequence[Path]) -> Iterator[tuple[Path, ParseResult]]:
    """(path, article or problems) for each file, across all cores when there are many; workers read the files."""
    workers = _workers(len(paths), PARSE_PER_WORKER)
    if workers == 1:
        for path in paths:
            yield _parse_with(parser, path)
        return
    with _context().Pool(workers, initializer=_start_parser, initargs=(config,)) as pool:
        yield from pool.imap(_parse, paths, chunksize=16)


# -- rendering --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Pages to render with one renderer, their bodies from one store, staged in one place."""

    renderer: PageRenderer
    plans: Sequence[PagePlan]
    staging: Staging
    bodies: BodyStore


_job: RenderJob | None = None  # inherited by forked workers; never set in the parent


def _start_renderer(job: RenderJob) -> None:
    global _job
    _quiet_signals()
    _job = job


def _render_range(bounds: tuple[int, int]) -> tuple[list[tuple[str, bool]], list[str]]:
    """The plans' (output path, changed?), and the keys of the stored bodies found damaged, for the parent to drop."""
    assert _job is not None
    return _render(_job, range(*bounds)), _job.bodies.take_damaged()


def _render(job: RenderJob, indices: range) -> list[tuple[str, bool]]:
    """(output path, changed?) for each plan rendered and staged."""
    done = []
    for index in indices:
        plan = job.plans[index]
        done.append((plan.output, job.staging.put(plan.output, job.renderer.render(plan, job.bodies.body_of))))
    return done


def render_plans(job: RenderJob, progress: Callable[[int], None]) -> Iterator[tuple[str, bool]]:
    """Render and stage every plan of `job`, forking workers that inherit it when it is large."""
    total = len(job.plans)
    workers = _workers(total, RENDER_PER_WORKER) if threading.active_count() == 1 else 1
    if workers == 1:
        for start in range(0, total, 100):
            yield from _render(job, range(start, min(total, start + 100)))
            progress(min(total, start + 100))
        return
    step = 200
    chunks = [(start, min(total, start + step)) for start in range(0, total, step)]
    done = 0
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_renderer, initargs=(job,)) as pool:
        for results, damaged in pool.imap(_render_range, chunks):
            job.bodies.drop_damaged(damaged)
            done += len(results)
            progress(done)
            yield from results
