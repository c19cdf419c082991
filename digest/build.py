"""`full_build`: the whole pipeline, top to bottom, timed through a reporter.

load config → read sources → parse articles → model the site → plan pages →
render → write. Only the first steps and the last touch the disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Callable, Iterator, Protocol

from .config import SiteConfig, load_config
from .content import find_article_files, load_articles, read_sources
from .output import WriteReport, check_output_dir, write_output
from .plan import PagePlan, plan_site
from .site import BuildOptions, build_site
from .templates import PageRenderer, resolve_theme, static_files


class Reporter(Protocol):
    """Receives progress; the CLI draws it on a terminal, tests record it."""

    def stage(self, name: str, total: int = 0) -> Callable[[int], None]: ...


class SilentReporter:
    def stage(self, name: str, total: int = 0) -> Callable[[int], None]:
        return lambda done: None


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: SiteConfig
    articles: int
    pages: int
    files: WriteReport
    seconds: float

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
    """Build the site in `root` from scratch; raises a `DigestError` before writing anything if the input is bad."""
    started = time.perf_counter()
    reporter = reporter or SilentReporter()
    options = options or BuildOptions(now=datetime.now(timezone.utc))
    config = load_config(root, output_dir=output_dir)
    theme = resolve_theme(config)
    check_output_dir(config, theme.template_dirs + theme.static_dirs)

    paths = find_article_files(config.content_dir)
    sources = read_sources(paths)
    articles = load_articles(config, sources, progress=reporter.stage("Reading articles", len(sources)))
    site = build_site(config, articles, options)
    plans = plan_site(site)
    renderer = PageRenderer(theme)
    statics = list(static_files(theme))
    files = chain(_static_bytes(statics), _rendered(renderer, plans))
    report = write_output(config.output_dir, files, reporter.stage("Rendering pages", len(statics) + len(plans)))
    return BuildResult(config, len(site.articles), len(plans), report, time.perf_counter() - started)


def _static_bytes(statics: list[tuple[str, Path]]) -> Iterator[tuple[str, bytes]]:
    for relative, path in statics:
        yield relative, path.read_bytes()


def _rendered(renderer: PageRenderer, plans: list[PagePlan]) -> Iterator[tuple[str, bytes]]:
    for plan in plans:
        yield plan.output.as_posix(), renderer.render(plan)

