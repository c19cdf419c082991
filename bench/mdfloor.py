"""The Markdown floor: what Python-Markdown alone costs for a corpus, the least a Python build can take.

Runs in this process with digest's own extension list (digest.markup.MARKDOWN_EXTENSIONS)
and one reused `Markdown` instance, reset() between articles, as digest does. The same for
cmarkgfm (the C library behind digest's opt-in `commonmark` engine), when it is importable:
GitHub-flavored Markdown (tables, strikethrough, autolinks, as `extra` gives tables) with raw
HTML kept, since digest sanitises afterwards either way.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
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


def cmark_converter() -> tuple[Callable[[str], str] | None, str]:
    """(cmarkgfm's GFM converter, "") or (None, why it cannot be had)."""
    try:
        import cmarkgfm  # type: ignore[import-not-found,unused-ignore]
        from cmarkgfm.cmark import Options  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None, "cmarkgfm is not importable"
    options = Options.CMARK_OPT_UNSAFE

    def convert(body: str) -> str:
        html: str = cmarkgfm.github_flavored_markdown_to_html(body, options)
        return html

    return convert, ""


def cmark_version() -> str:
    try:
        from importlib.metadata import version

        return version("cmarkgfm")
    except Exception:
        return ""


def convert_all_with(bodies: list[str], convert: Callable[[str], str]) -> float:
    started = time.perf_counter()
    for body in bodies:
        convert(body)
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class Floor:
    articles: int
    seconds: float
    cores: int
    cmark_seconds: float | None = None
    """cmarkgfm over the same bodies on one core; None when it is not importable (`cmark_missing` says why)."""
    cmark_missing: str = ""

    @property
    def per_core(self) -> float:
        """The floor if the work were spread perfectly over every core."""
        return self.seconds / self.cores


def markdown_floor(bodies: list[str], runs: int) -> Floor:
    """Median over `runs` passes of converting the whole corpus."""
    extensions = digest_extensions()
    seconds = statistics.median(convert_all(bodies, extensions) for _ in range(max(1, runs)))
    cmark, missing = cmark_converter()
    fast = statistics.median(convert_all_with(bodies, cmark) for _ in range(max(1, runs))) if cmark else None
    return Floor(len(bodies), seconds, os.cpu_count() or 1, fast, missing)


def extension_costs(bodies: list[str], runs: int) -> dict[str, float]:
    """ms per article for: no extension, each of digest's alone, all of them, all plus smarty; then cmarkgfm's GFM."""
    sample = bodies[:SAMPLE]
    extensions = digest_extensions()
    configs: dict[str, tuple[str, ...]] = {"none": ()}
    configs.update({name: (name,) for name in extensions})
    configs["all (" + ", ".join(extensions) + ")"] = extensions
    configs["all + smarty"] = (*extensions, "smarty")
    costs = {
        "Python-Markdown, " + label: statistics.median(convert_all(sample, exts) for _ in range(max(1, runs))) * 1000 / len(sample)
        for label, exts in configs.items()
    }
    cmark, _ = cmark_converter()
    if cmark:
        costs["cmarkgfm, GitHub-flavored (the commonmark engine's library)"] = (
            statistics.median(convert_all_with(sample, cmark) for _ in range(max(1, runs))) * 1000 / len(sample)
        )
    return costs
