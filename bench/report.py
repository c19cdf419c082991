"""Results → Markdown tables, printed and written into bench/README.md between the result markers."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from mdfloor import Floor

START = "<!-- results:start -->"
END = "<!-- results:end -->"


@dataclass
class ToolResult:
    """Every sample one tool gave at one size; `failed` maps a measurement to why it has none."""

    cold: list[float] = field(default_factory=list)
    noop: list[float] = field(default_factory=list)
    edit: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    serve: list[float] = field(default_factory=list)
    topics: list[float] = field(default_factory=list)
    template: list[float] = field(default_factory=list)
    """digest only: a template used by every page edited under `digest serve`, until every page serves it."""
    bare: list[float] = field(default_factory=list)
    """digest only: cold builds of the same articles with feeds and sitemaps off (bench/sites/digest-bare/)."""
    html_files: int = 0
    article_pages: int = 0
    files: int = 0
    bare_files: int = 0
    """Every file the first cold build wrote, with feeds and sitemaps and (digest) without."""
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Measurements left out on purpose at this size (Pelican at 100,000 articles), with why."""
    stages: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    """digest only: per build kind ("cold", "noop", "edit"), one {stage: ms} per build, from `digest build --debug`."""


@dataclass
class SizeResult:
    size: int
    tools: dict[str, ToolResult]
    target_url: str = ""
    floor: Floor | None = None
    floor_failed: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    title: str
    unit: str  # "s", "ms", "MiB" or "%" (a ratio shown as what it adds)


ROWS = (
    Row("cold", "cold build", "s"),
    Row("bare", "cold build without feeds and sitemaps", "s"),
    Row("feeds", "feeds and sitemaps: cold build with ÷ without", "%"),
    Row("noop", "no-op rebuild", "s"),
    Row("edit", "rebuild after a body edit", "s"),
    Row("serve", "serve: body edit → served", "ms"),
    Row("topics", "serve: topics edit → served", "ms"),
    Row("template", "serve: template edit → served (all pages)", "ms"),
    Row("rss", "peak RSS, cold build", "MiB"),
)
DIGEST_ONLY = ("bare", "feeds", "topics", "template")
"""Rows only the default digest is measured for: its site without feeds, its topics and template edits."""
SERVED = ("serve", "topics", "template")
STAGE_KINDS = (("cold", "cold"), ("noop", "no-op"), ("edit", "edit"))
STAGE_ORDER = ("read sources", "parse articles", "model", "images", "plan", "choose pages", "render", "commit")


def is_digest(name: str) -> bool:
    """digest and its variants (digest-commonmark): the columns ratios are taken of."""
    return name == "digest" or name.startswith("digest-")


def median_of(result: ToolResult, key: str) -> float | None:
    if key == "feeds":  # the cold build with feeds and sitemaps ÷ the one without
        cold, bare = median_of(result, "cold"), median_of(result, "bare")
        return cold / bare if cold is not None and bare else None
    samples: list[float] = {
        "cold": result.cold, "noop": result.noop, "edit": result.edit, "serve": result.serve,
        "topics": result.topics, "template": result.template, "bare": result.bare,
        "rss": [kib / 1024 for kib in result.rss_kib],
    }[key]
    return statistics.median(samples) if samples else None


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit == "ms":
        return f"{value * 1000:,.0f} ms"
    if unit == "%":
        return f"{(value - 1) * 100:+.1f} % ({value:.3f}×)"
    return f"{value:,.0f} MiB"


def cell(result: ToolResult | None, row: Row, wanted_samples: int) -> str:
    if result is None:
        return "–"
    if row.key in result.skipped:
        return "skipped"
    if row.key in result.failed:
        return "failed: " + result.failed[row.key].replace("|", "/")
    value = median_of(result, row.key)
    if value is None:
        return "–"
    text = fmt(value, row.unit)
    count = len(getattr(result, row.key)) if row.key in SERVED else 0
    if row.key in SERVED and count < wanted_samples:
        text += f" (n={count})"
    return text


def ratio(a: ToolResult | None, b: ToolResult | None, key: str) -> str:
    if a is None or b is None or key in a.failed or key in b.failed or key in a.skipped or key in b.skipped:
        return "–"
    x, y = median_of(a, key), median_of(b, key)
    if x is None or y is None or y == 0:
        return "–"
    return f"{x / y:.2f}×"


def scale_cell(big: ToolResult | None, small: ToolResult | None) -> str:
    """One tool's median cold build at this size ÷ at a tenth of it."""
    if big is None or small is None:
        return "–"
    x, y = median_of(big, "cold"), median_of(small, "cold")
    if "cold" in big.failed or "cold" in small.failed or x is None or not y:
        return "–"
    return f"{x / y:.1f}×"


def results_table(results: list[SizeResult], labels: dict[str, str], modes: dict[str, str], samples: dict[str, int]) -> str:
    """One row per measurement and size, one column per tool, then each digest column ÷ each other tool.

    `samples` is how many edits each served measurement asked for at each size ({key: {size: n}}), for the n= marks.
    """
    names = list(labels)
    head = ["articles", "measurement (median)", *(labels[n] for n in names)]
    pairs = [(mine, other, f"{labels[mine]} ÷ {labels[other]}")
             for mine in names if is_digest(mine) for other in names if not is_digest(other)]
    head += [title for _, _, title in pairs]
    by_size = {r.size: r for r in results}
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size_result in results:
        size = size_result.size
        tools = size_result.tools
        for row in ROWS:
            wanted = samples.get(row.key, {}).get(size, 0)
            if row.key in DIGEST_ONLY and "digest" not in tools:
                continue
            if row.key in DIGEST_ONLY:
                cells = [cell(tools.get(n), row, wanted) if n == "digest" else "not measured" for n in names]
                ratios = ["–"] * len(pairs)
            else:
                cells = [cell(tools.get(n), row, wanted) for n in names]
                ratios = [ratio(tools.get(mine), tools.get(other), row.key) for mine, other, _ in pairs]
            lines.append("| " + " | ".join([f"{size:,}", row.title, *cells, *ratios]) + " |")
        smaller = by_size.get(size // 10) if size % 10 == 0 else None
        if smaller is not None:
            cells = [scale_cell(tools.get(n), smaller.tools.get(n)) for n in names]
            title = f"cold build ÷ cold build at {smaller.size:,} (target ≤ 10×)"
            lines.append("| " + " | ".join([f"{size:,}", title, *cells, *["–"] * len(pairs)]) + " |")
        pages = [
            f"{tools[n].html_files:,} ({tools[n].article_pages:,} articles)" if n in tools and tools[n].html_files else "–"
            for n in names
        ]
        lines.append("| " + " | ".join([f"{size:,}", "HTML files written (article pages)", *pages, *["–"] * len(pairs)]) + " |")
    lines.append("")
    lines.append("Dev-server modes: " + "; ".join(f"{labels[n]}: {modes[n]}" for n in names) + ".")
    return "\n".join(lines)


def feeds_notes(results: list[SizeResult]) -> list[str]:
    """What feeds and sitemaps add to digest's cold build at each size, with each repetition's ratio and the files written."""
    notes = []
    for size_result in results:
        digest = size_result.tools.get("digest")
        if digest is None or not digest.cold or not digest.bare:
            continue
        cold, bare = statistics.median(digest.cold), statistics.median(digest.bare)
        paired = [f"{(c / b - 1) * 100:+.1f} %" for c, b in zip(digest.cold, digest.bare)]  # both stop at a failure
        notes.append(
            f"Feeds and sitemaps at {size_result.size:,} articles: digest's cold build took {fmt(cold, 's')} with them and "
            f"{fmt(bare, 's')} without (bench/sites/digest-bare/site.yaml: `feeds: false`, no base_url), so they add "
            f"{(cold / bare - 1) * 100:+.1f} % (median ÷ median; repetition by repetition {', '.join(paired)}). "
            f"The first cold build wrote {digest.files:,} files with them, {digest.bare_files:,} without."
        )
    return notes


def stage_table(results: list[SizeResult], labels: dict[str, str]) -> str:
    """Median ms per stage of digest's builds (both engines), from `digest build --debug`; "" when none was timed.

    A stage a build skipped (a no-op build renders nothing) counts as 0 ms in the median; "–" where no build ran it.
    """
    columns = [(size_result, name, kind, title)
               for size_result in results for name in labels if is_digest(name)
               for kind, title in STAGE_KINDS if size_result.tools.get(name) and size_result.tools[name].stages.get(kind)]
    if not columns:
        return ""
    sizes = sorted({size_result.size for size_result, *_ in columns})
    lines = []
    for size in sizes:
        mine = [(r, name, kind, title) for r, name, kind, title in columns if r.size == size]
        seen: list[str] = []
        for r, name, kind, _ in mine:
            for build in r.tools[name].stages[kind]:
                seen += [stage for stage in build if stage not in seen]
        order = [s for s in STAGE_ORDER if s in seen]
        order += [s for s in seen if s not in order and not s.startswith("total")]
        order += [s for s in seen if s.startswith("total")]
        head = ["stage (median ms)", *(f"{labels[name]}: {title}" for _, name, _, title in mine)]
        lines += [f"At {size:,} articles:", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for stage in order:
            cells = []
            for r, name, kind, _ in mine:
                builds = r.tools[name].stages[kind]
                if not any(stage in build for build in builds):
                    cells.append("–")
                else:
                    cells.append(f"{statistics.median(build.get(stage, 0.0) for build in builds):,.0f}")
            lines.append("| " + " | ".join([stage, *cells]) + " |")
        lines.append("")
    return "\n".join(lines).rstrip()


def floor_table(results: list[SizeResult]) -> str:
    lines = [
        "| articles | Python-Markdown, all bodies, 1 core | floor (÷ cores) | digest cold build | digest ÷ floor "
        "| cmarkgfm, all bodies, 1 core | its floor (÷ cores) | digest (commonmark) cold build | digest (commonmark) ÷ its floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def cold_of(result: ToolResult | None) -> float | None:
        return median_of(result, "cold") if result and "cold" not in result.failed else None

    for size_result in results:
        floor = size_result.floor
        if floor is None:
            lines.append(f"| {size_result.size:,} | failed: {size_result.floor_failed} | – | – | – | – | – | – | – |")
            continue
        cold = cold_of(size_result.tools.get("digest"))
        cells = [f"{floor.articles:,}", f"{floor.seconds:.2f} s", f"{floor.per_core:.2f} s ({floor.cores} cores)"]
        cells += [f"{cold:.2f} s", f"{cold / floor.per_core:.1f}×"] if cold else ["–", "–"]
        if floor.cmark_seconds is None:
            cells += [f"not measured ({floor.cmark_missing})", "–", "–", "–"]
        else:
            fast = cold_of(size_result.tools.get("digest-commonmark"))
            per_core = floor.cmark_seconds / floor.cores
            cells += [f"{floor.cmark_seconds:.3g} s", f"{per_core:.3g} s ({floor.cores} cores)"]
            cells += [f"{fast:.2f} s", f"{fast / per_core:.1f}×"] if fast and per_core else ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def extension_table(costs: dict[str, float], articles: int, cmark_missing: str = "") -> str:
    lines = [f"| Markdown converter ({articles} articles) | ms / article |", "|---|---|"]
    lines += [f"| {label} | {ms:.2f} |" for label, ms in costs.items()]
    if cmark_missing:
        lines.append(f"| cmarkgfm (the commonmark engine's library) | not measured: {cmark_missing} |")
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """Cores, CPU model, RAM, OS and Python of this machine."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def render(
    *, date: str, command: str, duration: str, host: dict[str, str], versions: dict[str, str],
    table: str, stages: str, floors: str, extensions: str, notes: list[str],
) -> str:
    parts = [
        f"Run on {date} with `{command}`; it took {duration}.",
        "",
        f"Machine: {host['cores']} cores, {host['cpu']}, {host['ram']} RAM, {host['os']}, Python {host['python']}.",
        "",
        "Versions: " + ", ".join(f"{name} {version}" if not version.lower().startswith(name.lower()) else version
                                 for name, version in versions.items()) + ".",
        "",
        table,
        "",
    ]
    if stages:
        parts += ["Stages of digest's builds (`digest build --debug`, median ms of the same builds as above):", "", stages, ""]
    parts += [
        "Markdown floor (see above):",
        "",
        floors,
        "",
        extensions,
    ]
    if notes:
        parts += ["", "Notes from this run:", ""] + [f"- {note}" for note in notes]
    return "\n".join(parts)


def update_readme(path: Path, section: str) -> None:
    """Replace what is between the markers, keeping the rest of the file."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n## Latest results\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{section.strip()}\n{END}{after}", encoding="utf-8")
