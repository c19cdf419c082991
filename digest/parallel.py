"""Process pools for the two costly stages: Markdown conversion and page rendering.

Each worker process keeps its own parser (one reused Markdown instance) or its
own copy of the render job; nothing is shared between processes but the files
they stage. Small jobs stay in the calling process: a pool only pays off when
there is enough work for every core.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .bodies import BodyStore
from .config import SiteConfig
from .content import ArticleParser, Parsed
from .errors import DigestError, Location, Problem, display_path
from .output import Staging
from .pages import PagePlan
from .sources import read_source
from .templates import PageRenderer

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when its parent dies."""
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

PARSE_BATCH = 16
"""Files handed to a worker at a time; it answers file by file, so a worker that dies owes only the rest of its batch."""


def _quiet_signals() -> None:
    """Workers leave Ctrl-C and SIGTERM to the parent, which stops the pool and cleans up, and die with it: a parent
    killed outright (SIGKILL) leaves no orphan to print broken-pipe errors into the terminal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux: the kernel kills us with it
    except (OSError, AttributeError):  # another system: the parent's pool cleans up on any orderly exit
        pass


def _parse_with(parser: ArticleParser, path: Path) -> tuple[Path, ParseResult]:
    try:
        return path, parser.parse(read_source(path, parser.config))
    except DigestError as exc:
        return path, exc.problems


@dataclass(frozen=True, slots=True)
class _Bug:
    """An exception a worker did not expect while reading a file: a bug of digest's, which stops the build as it would in
    one process."""

    traceback: str


def _serve_parses(config: SiteConfig, connection: Connection) -> None:
    """A worker process: parse each batch of paths the parent sends, answering one file at a time, until it sends None."""
    _quiet_signals()
    parser = ArticleParser.for_site(config)
    while (batch := connection.recv()) is not None:
        for path in batch:
            try:
                connection.send(_parse_with(parser, path))
            except Exception:
                connection.send((path, _Bug(traceback.format_exc())))


@dataclass(slots=True)
class _Worker:
    """A worker process, its end of the pipe, and the files it was given and has not answered for, in order."""

    process: multiprocessing.process.BaseProcess
    connection: Connection
    owed: deque[tuple[int, Path]]


def parse_files(config: SiteConfig, parser: ArticleParser, paths: Sequence[Path]) -> Iterator[tuple[Path, ParseResult]]:
    """(path, article or problems) for each file, in order, across all cores when there are many; workers read the files.

    A worker that dies (killed, out of memory, a crash in native code) costs only the file it was parsing, which
    gets a problem saying so; a new worker takes over the rest.
    """
    workers = _workers(len(paths), PARSE_PER_WORKER)
    if workers == 1:
        for path in paths:
            yield _parse_with(parser, path)
        return
    yield from _parse_in_workers(config, paths, workers)


def _parse_in_workers(config: SiteConfig, paths: Sequence[Path], count: int) -> Iterator[tuple[Path, ParseResult]]:
    context = _context()
    todo: deque[tuple[int, Path]] = deque(enumerate(paths))
    done: dict[int, tuple[Path, ParseResult]] = {}
    following = 0
    running: dict[Connection, _Worker] = {}
    finished: list[_Worker] = []

    def start() -> None:
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve_parses, args=(config, theirs), daemon=True)  # type: ignore[attr-defined]
        process.start()
        theirs.close()  # only the worker holds its end now: when it dies, ours reads as closed
        worker = running[ours] = _Worker(process, ours, deque())
        hand_out(worker)

    def hand_out(worker: _Worker) -> None:
        """The next batch for `worker`, or None (its signal to stop) when there is none."""
        batch = [todo.popleft() for _ in range(min(PARSE_BATCH, len(todo)))]
        try:
            worker.connection.send([path for _, path in batch] if batch else None)
        except OSError:  # it died after its last answer: the batch waits for another, and reading its pipe finds it gone
            todo.extendleft(reversed(batch))
            return
        worker.owed.extend(batch)
        if not batch:
            retire(worker)

    def retire(worker: _Worker) -> None:
        del running[worker.connection]
        finished.append(worker)

    try:
        for _ in range(count):
            start()
        while following < len(paths):
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                worker = running[ready]
                try:
                    answer: tuple[Path, ParseResult | _Bug] = ready.recv()
                except (EOFError, OSError):  # the worker is gone: its end of the pipe closed, or reset
                    if worker.owed:  # it died reading the first file it owes; the others go to another worker
                        index, path = worker.owed.popleft()
                        done[index] = (path, (_died(worker.process, path),))
                        todo.extendleft(reversed(worker.owed))
                    retire(worker)
                    if todo:
                        start()
                    continue
                path, result = answer
                if isinstance(result, _Bug):
                    raise RuntimeError(f"reading {path} failed in a worker process:\n{result.traceback}")
                index, _ = worker.owed.popleft()
                done[index] = (path, result)
                if not worker.owed:
                    hand_out(worker)
            while following in done:
                yield done.pop(following)
                following += 1
    finally:
        for worker in running.values():
            worker.process.terminate()
        for worker in [*running.values(), *finished]:
            worker.process.join()
            worker.connection.close()


def _died(process: multiprocessing.process.BaseProcess, path: Path) -> Problem:
    """The problem of a file whose worker died while parsing it."""
    process.join(5)
    if process.is_alive():  # its pipe broke, yet it runs: end it
        process.kill()
        process.join()
    code = process.exitcode or 0
    how = f"was killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals() else f"exited with status {code}"
    return Problem(
        Location(display_path(path)), f"the process reading it {how}",
        hint="it may have needed more memory or stack than the machine gives: look for very large or deeply nested content",
    )


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
