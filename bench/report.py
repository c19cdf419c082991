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
    bare: list[float] = field(default_factory=list)
    """digest only: cold builds of the same articles with feeds and sitemaps off (bench/sites/digest-bare/)."""
    html_files: int = 0
    article_pages: int = 0
    files: int = 0
    bare_files: int = 0
    """Every file the first cold build wrote, with feeds and sitemaps and (digest) without."""
    failed: dict[str, str] = field(default_factory=dict)


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
    Row("rss", "peak RSS, cold build", "MiB"),
)
DIGEST_ONLY = ("bare", "feeds", "topics")
"""Rows Hugo and Pelican have no counterpart for: digest's site without feeds, and its topics edits."""


def median_of(result: ToolResult, key: str) -> float | None:
    if key == "feeds":  # the cold build with feeds and sitemaps ÷ the one without
        cold, bare = median_of(result, "cold"), median_of(result, "bare")
        return cold / bare if cold is not None and bare else None
    samples: list[float] = {
        "cold": result.cold, "noop": result.noop, "edit": result.edit, "serve": result.serve,
        "topics": result.topics, "bare": result.bare, "rss": [kib / 1024 for kib in result.rss_kib],
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
    if row.key in result.failed:
        return "failed: " + result.failed[row.key].replace("|", "/")
    value = median_of(result, row.key)
    if value is None:
        return "–"
    text = fmt(value, row.unit)
    count = len(result.serve if row.key == "serve" else result.topics) if row.key in ("serve", "topics") else 0
    if row.key in ("serve", "topics") and count < wanted_samples:
        text += f" (n={count})"
    return text


def ratio(a: ToolResult | None, b: ToolResult | None, key: str) -> str:
    if a is None or b is None or key in a.failed or key in b.failed:
        return "–"
    x, y = median_of(a, key), median_of(b, key)
    if x is None or y is None or y == 0:
        return "–"
    return f"{x / y:.2f}×"


def results_table(results: list[SizeResult], labels: dict[str, str], modes: dict[str, str], samples: dict[str, int]) -> str:
    names = list(labels)
    head = ["articles", "measurement (median)", *(labels[n] for n in names)]
    pairs = [(other, f"digest ÷ {labels[other]}") for other in names if other != "digest" and "digest" in names]
    head += [title for _, title in pairs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size_result in results:
        for row in ROWS:
            tools = size_result.tools
            if row.key in DIGEST_ONLY and "digest" not in tools:
                continue
            if row.key in DIGEST_ONLY:
                cells = [cell(tools.get(n), row, samples["topics"]) if n == "digest" else "not measured" for n in names]
                ratios = ["–"] * len(pairs)
            else:
                cells = [cell(tools.get(n), row, samples["serve"]) for n in names]
                ratios = [ratio(tools.get("digest"), tools.get(other), row.key) for other, _ in pairs]
            lines.append("| " + " | ".join([f"{size_result.size:,}", row.title, *cells, *ratios]) + " |")
        pages = [
            f"{tools[n].html_files:,} ({tools[n].article_pages:,} articles)" if n in tools and tools[n].html_files else "–"
            for n in names
        ]
        lines.append("| " + " | ".join([f"{size_result.size:,}", "HTML files written (article pages)", *pages, *["–"] * len(pairs)]) + " |")
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


def floor_table(results: list[SizeResult]) -> str:
    lines = [
        "| articles | Python-Markdown, all bodies, 1 core | floor (÷ cores) | digest cold build | digest ÷ floor |",
        "|---|---|---|---|---|",
    ]
    for size_result in results:
        floor = size_result.floor
        if floor is None:
            lines.append(f"| {size_result.size:,} | failed: {size_result.floor_failed} | – | – | – |")
            continue
        digest = size_result.tools.get("digest")
        cold = median_of(digest, "cold") if digest and "cold" not in digest.failed else None
        lines.append(
            f"| {floor.articles:,} | {floor.seconds:.2f} s | {floor.per_core:.2f} s ({floor.cores} cores) | "
            + (f"{cold:.2f} s | {cold / floor.per_core:.1f}×" if cold else "– | –") + " |"
        )
    return "\n".join(lines)


def extension_table(costs: dict[str, float], articles: int) -> str:
    lines = [f"| Python-Markdown extensions ({articles} articles) | ms / article |", "|---|---|"]
    lines += [f"| {label} | {ms:.2f} |" for label, ms in costs.items()]
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
    table: str, floors: str, extensions: str, notes: list[str],
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
