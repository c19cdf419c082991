"""The Markdown floor: what Python-Markdown alone costs for a corpus, the least a Python build can take.

Runs in this process with digest's own extension list (digest.markup.MARKDOWN_EXTENSIONS)
and one reused `Markdown` instance, reset() between articles, as digest does.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

import markdown

SAMPLE = 500


def digest_extensions() -> tuple[str, ...]:
    from digest.markup import MARKDOWN_EXTENSIONS

    return tuple(MARKDOWN_EXTENSIONS)


def convert_all(bodies: list[str], extensions: tuple[str, ...]) -> float:
    """Seconds to convert every body with one reused converter."""
    md = markdown.Markdown(extensions=list(extensions), output_format="html")
    started = time.perf_counter()
    for body in bodies:
        md.reset()
        md.convert(body)
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class Floor:
    articles: int
    seconds: float
    cores: int

    @property
    def per_core(self) -> float:
        """The floor if the work were spread perfectly over every core."""
        return self.seconds / self.cores


def markdown_floor(bodies: list[str], runs: int) -> Floor:
    """Median over `runs` passes of converting the whole corpus."""
    extensions = digest_extensions()
    seconds = statistics.median(convert_all(bodies, extensions) for _ in range(max(1, runs)))
    return Floor(len(bodies), seconds, os.cpu_count() or 1)


def extension_costs(bodies: list[str], runs: int) -> dict[str, float]:
    """ms per article for: no extension, each of digest's alone, all of them, all plus smarty."""
    sample = bodies[:SAMPLE]
    extensions = digest_extensions()
    configs: dict[str, tuple[str, ...]] = {"none": ()}
    configs.update({name: (name,) for name in extensions})
    configs["all (" + ", ".join(extensions) + ")"] = extensions
    configs["all + smarty"] = (*extensions, "smarty")
    return {
        label: statistics.median(convert_all(sample, exts) for _ in range(max(1, runs))) * 1000 / len(sample)
        for label, exts in configs.items()
    }
