"""How a build tells its caller what it is doing: progress through a stage, and how long each stage took."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Reporter(Protocol):
    """Receives progress and stage times; the CLI draws them on a terminal, tests record them."""

    def progress(self, stage: str, total: int) -> Callable[[int], None]: ...

    def finished(self, stage: str, seconds: float) -> None: ...


class SilentReporter:
    def progress(self, stage: str, total: int) -> Callable[[int], None]:
        return lambda done: None

    def finished(self, stage: str, seconds: float) -> None:
        return None


@contextmanager
def timed(reporter: Reporter, stage: str) -> Iterator[None]:
    """Report how long the block took, as the named stage."""
    started = time.perf_counter()
    yield
    reporter.finished(stage, time.perf_counter() - started)


class Stopwatch:
    """Time that stages interleaved in batches add up to, reported once per stage at the end."""

    def __init__(self, *stages: str) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(stages, 0.0)
        """Seconds by stage, in the order given."""

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

    def report(self, reporter: Reporter) -> None:
        for stage, seconds in self.seconds.items():
            reporter.finished(stage, seconds)
