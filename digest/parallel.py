"""Process pools for the two costly stages: Markdown conversion and page rendering.

Each worker process keeps its own parser (one reused Markdown instance) or its
own copy of the render job; nothing is shared between processes but the files
they stage. Small jobs stay in the calling process: a pool only pays off when
there is enough work for every core. A process running other threads (serve,
watch) must not fork, so its session keeps warm render workers started from the
forkserver instead, which get the plans through a pipe and keep them for the next job.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection, wait
from pathlib import Path

from markupsafe import Markup

from .bodies import BodyStore
from .cache import BuildCache, CacheUnavailable
from .config import SiteConfig
from .content import ArticleParser, Parsed
from .errors import DigestError, Location, OutputError, Problem, display_path
from .i18n import load_translator
from .output import Staging
from .pages import PagePlan
from .sources import read_source
from .templates import PageRenderer, bodies_wanted
from .theme import Theme

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


def _how_it_ended(process: multiprocessing.process.BaseProcess) -> str:
    """'was killed by SIGKILL' or 'exited with status 1', once the worker whose pipe broke has surely ended."""
    process.join(5)
    if process.is_alive():  # its pipe broke, yet it runs: end it
        process.kill()
        process.join()
    code = process.exitcode or 0
    return f"was killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals() else f"exited with status {code}"


def _died(process: multiprocessing.process.BaseProcess, path: Path) -> Problem:
    """The problem of a file whose worker died while parsing it."""
    how = _how_it_ended(process)
    return Problem(
        Location(display_path(path)), f"the process reading it {how}",
        hint="it may have needed more memory or stack than the machine gives: look for very large or deeply nested content",
    )


# -- rendering --------------------------------------------------------------------

RENDER_BATCH = 200
"""Pages handed to a worker at a time."""
IN_FLIGHT = 2
"""Batches a worker holds at once: one it renders, one waiting, so it never idles while the parent prepares the next."""


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Pages to render with one renderer, their bodies from one store, staged in one place."""

    renderer: PageRenderer
    plans: Sequence[PagePlan]
    staging: Staging
    bodies: BodyStore


Rendered = list[tuple[str, bool]]
"""(output path, changed?) for each page of a batch, rendered and staged."""


def _render(job: RenderJob, indices: range) -> Rendered:
    return _stage(job.renderer, job.bodies, job.staging, [job.plans[index] for index in indices])


def _stage(renderer: PageRenderer, bodies: BodyStore, staging: Staging, plans: Iterable[PagePlan]) -> Rendered:
    return [(plan.output, staging.put(plan.output, renderer.render(plan, bodies.body_of))) for plan in plans]


def render_plans(job: RenderJob, progress: Callable[[int], None], pool: RenderPool | None = None) -> Iterator[tuple[str, bool]]:
    """Render and stage every plan of `job`, across all cores when it is large.

    A process running one thread forks workers that inherit the job; with other
    threads alive (serve, watch) forking is unsafe, so `pool`'s warm workers,
    started clean, get the plans instead (without a pool, this process renders alone).
    A worker that dies ends the build with an `OutputError`; nothing in the output has changed then.
    """
    total = len(job.plans)
    workers = _workers(total, RENDER_PER_WORKER)
    if workers > 1 and threading.active_count() == 1:
        yield from _render_forked(job, workers, progress)
    elif workers > 1 and pool is not None:
        yield from pool.render(job, workers, progress)
    else:
        for start in range(0, total, 100):
            yield from _render(job, range(start, min(total, start + 100)))
            progress(min(total, start + 100))


@dataclass(frozen=True, slots=True)
class _Failed:
    """A `DigestError` a worker raised (a template's), sent back as its class and problems: its message alone would not
    rebuild it."""

    kind: type[DigestError]
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class _Raised:
    """Any other exception a worker raised (a full disk's OSError, a bug), with the worker's traceback."""

    exception: BaseException
    traceback: str


@dataclass(slots=True)
class _RenderWorker:
    """A render worker, its end of the pipe, the batches it was given and has not answered, and the renderer it holds."""

    process: multiprocessing.process.BaseProcess
    connection: Connection
    owed: deque[int]
    generation: int = -1
    held: dict[str, PagePlan] = field(default_factory=dict)
    """The plans a warm worker holds from earlier batches, by output: sending it the name is enough."""


class _Deal:
    """Which batch each worker renders next: first its own (the pages it holds the plans of), then anyone's, then it
    takes over another worker's last."""

    def __init__(self, batches: int, home: Callable[[int], _RenderWorker | None] = lambda index: None) -> None:
        self.own: dict[int, deque[int]] = {}
        self.anyone: deque[int] = deque()
        for index in range(batches):
            worker = home(index)
            (self.anyone if worker is None else self.own.setdefault(id(worker), deque())).append(index)

    def take(self, worker: _RenderWorker) -> int | None:
        own = self.own.get(id(worker))
        if own:
            return own.popleft()
        if self.anyone:
            return self.anyone.popleft()
        longest = max(self.own.values(), key=len, default=None)
        return longest.pop() if longest else None

    def clear(self) -> None:
        self.own.clear()
        self.anyone.clear()


def _answer(connection: Connection, bodies: BodyStore, render: Callable[[], Rendered]) -> None:
    """Send one batch's answer: what was rendered with the damaged bodies met, or why it failed."""
    try:
        answer: tuple[Rendered, list[str]] | _Failed | _Raised = (render(), bodies.take_damaged())
    except DigestError as exc:
        answer = _Failed(type(exc), exc.problems)
    except Exception as exc:
        try:
            pickle.dumps(exc)
        except Exception:  # it cannot cross the pipe: its text can
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        answer = _Raised(exc, traceback.format_exc())
    connection.send(answer)


def _start_worker(context: multiprocessing.context.BaseContext, target: Callable[..., None], *args: object) -> _RenderWorker:
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(*args, theirs), daemon=True)  # type: ignore[attr-defined]
    process.start()
    theirs.close()  # only the worker holds its end now: when it dies, ours reads as closed
    return _RenderWorker(process, ours, deque())


def _hand_out(
    workers: Sequence[_RenderWorker], batches: int, deal: _Deal, message: Callable[[int, _RenderWorker], object], job: RenderJob,
    progress: Callable[[int], None],
) -> Iterator[tuple[str, bool]]:
    """Give each worker up to `IN_FLIGHT` batches at a time and yield their pages in batch order.

    A worker's `DigestError` or bug is raised once the batches already given out
    are answered (the workers stay usable); a worker that dies raises at once.
    Workers still owing batches when this ends are stopped (see `_stop_owing`).
    """
    done: dict[int, Rendered] = {}
    following = rendered = 0
    failure: _Failed | _Raised | None = None
    by_connection = {worker.connection: worker for worker in workers}

    def fill(worker: _RenderWorker) -> None:
        while len(worker.owed) < IN_FLIGHT and (index := deal.take(worker)) is not None:
            _send(worker, message(index, worker), job)
            worker.owed.append(index)

    for worker in workers:
        fill(worker)
    while following < batches:
        owing = [worker.connection for worker in workers if worker.owed]
        if not owing:
            break
        for ready in wait(owing):
            assert isinstance(ready, Connection)
            worker = by_connection[ready]
            try:
                answer: tuple[Rendered, list[str]] | _Failed | _Raised = ready.recv()
            except (EOFError, OSError):  # its end of the pipe closed: the process is gone
                raise _render_worker_died(worker.process, job) from None
            index = worker.owed.popleft()
            if isinstance(answer, (_Failed, _Raised)):
                failure = failure or answer
                deal.clear()  # no new batches; those given out are answered, so the workers can stay
                continue
            results, damaged = answer
            job.bodies.drop_damaged(damaged)
            done[index] = results
            fill(worker)
        while following in done:
            results = done.pop(following)
            following += 1
            rendered += len(results)
            progress(rendered)
            yield from results
    if isinstance(failure, _Failed):
        raise failure.kind(failure.problems)
    if isinstance(failure, _Raised):
        raise failure.exception from RuntimeError(f"in a worker process rendering pages:\n{failure.traceback}")


def _send(worker: _RenderWorker, message: object, job: RenderJob) -> None:
    try:
        worker.connection.send(message)
    except OSError:  # its end of the pipe is closed: the process is gone
        raise _render_worker_died(worker.process, job) from None


def _stop_owing(workers: list[_RenderWorker]) -> None:
    """Stop the workers that still owe batches (a build that ended early), so none stages a file after it; the others stay."""
    for worker in workers:
        if worker.owed:
            worker.process.terminate()
    for worker in [w for w in workers if w.owed]:
        worker.process.join()
        worker.connection.close()
        workers.remove(worker)


def _render_worker_died(process: multiprocessing.process.BaseProcess, job: RenderJob) -> OutputError:
    """The one-line error of a build whose render worker died (killed, out of memory, a crash in native code)."""
    how = _how_it_ended(process)
    return OutputError([Problem(
        Location(display_path(job.staging.tree.base)), f"a process rendering pages {how}; the output was left as it was",
        hint="it may have run out of memory; build again",
    )])


# One-shot workers, forked with the job


def _serve_inherited(job: RenderJob, connection: Connection) -> None:
    """A forked worker: render each range of the job it inherited that the parent sends, until it sends None."""
    _quiet_signals()
    while (bounds := connection.recv()) is not None:
        _answer(connection, job.bodies, partial(_render, job, range(*bounds)))


def _render_forked(job: RenderJob, count: int, progress: Callable[[int], None]) -> Iterator[tuple[str, bool]]:
    total = len(job.plans)
    context = multiprocessing.get_context("fork")
    workers = [_start_worker(context, _serve_inherited, job) for _ in range(count)]
    batches = -(-total // RENDER_BATCH)
    try:
        yield from _hand_out(workers, batches, _Deal(batches), lambda i, w: (i * RENDER_BATCH, min(total, (i + 1) * RENDER_BATCH)), job, progress)
    finally:
        _stop_owing(workers)
        for worker in workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in workers:
            worker.process.join()
            worker.connection.close()


# Warm workers for a session with threads alive


@dataclass(frozen=True, slots=True)
class RenderRecipe:
    """What a warm worker makes its renderer and body store from: plain data that crosses a pipe, unlike them."""

    theme: Theme
    config: SiteConfig
    settings: str
    cache_root: Path | None

    @classmethod
    def of(cls, job: RenderJob) -> RenderRecipe:
        cache = job.bodies.cache
        return cls(job.renderer.theme, job.bodies.parser.config, job.bodies.settings, cache.folder.parent if cache is not None else None)


@dataclass(frozen=True, slots=True)
class _Setup:
    """Sent before a job's batches: where to stage, and a new recipe when the worker's is out of date."""

    generation: int
    recipe: RenderRecipe | None
    output: Path
    staging: Path
    forget: bool
    """Drop the plans held: they are of a state the parent no longer has (the site was built from scratch)."""


@dataclass(frozen=True, slots=True)
class _Batch:
    plans: Sequence[PagePlan | str]
    """Each page's plan, or its output when the worker holds that very plan from an earlier batch."""
    bodies: dict[str, Markup]
    """The bodies these pages need that only the parent holds (articles edited since the cache stored them)."""


class _WorkerBodies(BodyStore):
    """A warm worker's body store: it reads the cache, and hands the damaged bodies it meets to the parent, which alone writes."""

    def drop_damaged(self, keys: list[str]) -> None:
        self.damaged.extend(keys)


def _made_from(recipe: RenderRecipe) -> tuple[PageRenderer, BodyStore]:
    reader = None
    if recipe.cache_root is not None:
        try:
            reader = BuildCache(recipe.cache_root, writable=False)
        except CacheUnavailable:  # every body is parsed again: slower, still right
            pass
    translator = load_translator(recipe.theme.locale_dirs, recipe.config.language)
    return PageRenderer(recipe.theme, translator), _WorkerBodies(recipe.settings, reader, ArticleParser.for_site(recipe.config))


def _serve_renders(connection: Connection) -> None:
    """A warm worker: render the batches of each job the parent sends, until it sends None; a new recipe, a new renderer."""
    _quiet_signals()
    made: tuple[PageRenderer, BodyStore] | None = None
    staging: Staging | None = None
    held: dict[str, PagePlan] = {}
    while (message := connection.recv()) is not None:
        if isinstance(message, _Setup):
            if message.forget:
                held = {}
            if message.recipe is not None:
                if made is not None and made[1].cache is not None:
                    made[1].cache.close()
                made = _made_from(message.recipe)
            staging = Staging(message.output, message.staging)  # a new tree: each job checks the output's folders afresh
            continue
        assert made is not None and staging is not None and isinstance(message, _Batch)
        renderer, bodies = made
        bodies.memory = message.bodies
        plans = []
        for plan in message.plans:
            if isinstance(plan, str):
                plans.append(held[plan])
            else:
                plans.append(plan)
                held[plan.output] = plan
        _answer(connection, bodies, partial(_stage, renderer, bodies, staging, plans))


class RenderPool:
    """Render workers for a session whose process runs other threads (serve, watch), where forking is unsafe.

    They start from the forkserver, a clean process, on the first large render,
    and stay for the session: each remakes its renderer and body store from a
    `RenderRecipe` whenever the job's renderer or store is a new one (a template
    changed, the site was built from scratch). Each keeps the plans it was sent,
    and gets the pages it holds plans for again, so a template edit sends little
    more than their names. `close` ends them.
    """

    def __init__(self) -> None:
        self.workers: list[_RenderWorker] = []
        self.generation = 0
        self.made_for: tuple[PageRenderer, BodyStore] | None = None

    def render(self, job: RenderJob, count: int, progress: Callable[[int], None]) -> Iterator[tuple[str, bool]]:
        """Render and stage every plan of `job` on `count` workers; pages whose bodies only this process holds get them sent."""
        forget = self.made_for is not None and self.made_for[1] is not job.bodies
        if self.made_for is None or self.made_for[0] is not job.renderer or forget:
            self.generation += 1
            self.made_for = (job.renderer, job.bodies)
        self._start(count)
        workers = self.workers[:count]
        recipe = RenderRecipe.of(job)
        for worker in workers:
            fresh = worker.generation != self.generation
            _send(worker, _Setup(self.generation, recipe if fresh else None, job.staging.tree.base, job.staging.folder, forget), job)
            worker.generation = self.generation
            if forget:
                worker.held = {}
        plans, memory = job.plans, job.bodies.memory

        def home(index: int) -> _RenderWorker | None:
            plan = plans[index * RENDER_BATCH]
            return next((worker for worker in workers if worker.held.get(plan.output) is plan), None)

        def batch(index: int, worker: _RenderWorker) -> _Batch:
            chosen = plans[index * RENDER_BATCH:(index + 1) * RENDER_BATCH]
            wanted: dict[str, Markup] = {}
            if memory:
                for plan in chosen:
                    for view in bodies_wanted(plan):
                        key = job.bodies.key(view.path, view.fingerprint)
                        if key in memory:
                            wanted[key] = memory[key]
            held = worker.held
            sent: list[PagePlan | str] = []
            for plan in chosen:
                if held.get(plan.output) is plan:
                    sent.append(plan.output)
                else:
                    sent.append(plan)
                    held[plan.output] = plan
            return _Batch(sent, wanted)

        batches = -(-len(plans) // RENDER_BATCH)
        try:
            yield from _hand_out(workers, batches, _Deal(batches, home), batch, job, progress)
        finally:
            _stop_owing(self.workers)  # a build that ended early; one that died is replaced by the next `_start`

    def _start(self, count: int) -> None:
        """At least `count` live workers (one that died between builds is replaced)."""
        for worker in [w for w in self.workers if not w.process.is_alive()]:
            worker.process.join()
            worker.connection.close()
            self.workers.remove(worker)
        if len(self.workers) >= count:
            return
        context = multiprocessing.get_context("forkserver")
        while len(self.workers) < count:
            self.workers.append(_start_worker(context, _serve_renders))

    def close(self) -> None:
        """End every worker: asked first, then made to."""
        for worker in self.workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in self.workers:
            worker.process.join(1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
        self.workers = []
