"""What search costs: Pagefind's index time and size, and a cold build with search against one without, in one run.

Usage: python bench/search.py [--sizes 1000,10000] [--runs 3]

For each size, the digest corpus of bench/run.py (bench/gen_corpus.py, same seed) is built cold (no output folder,
no cache) with the bench site's site.yaml, then with `search: {enabled: true}` added, alternately, `--runs` times
each; the two sites share the corpus's content folder. Then, with search on, one article's body is edited and the
site built again (a CLI rebuild), to time the index made again and count the index files rewritten. It prints one
line per size: medians of wall-clock seconds, the "search index" stage of `digest build --debug`, the index's size
(all of pagefind/, and the part that is index data: fragments, word index, filters, metadata) and its file count.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import Corpus, ensure_corpus  # noqa: E402

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
STAGE = re.compile(r"^\s+search index: ([\d.]+) ms$", re.M)
DATA = (".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta")


def site(corpus: Corpus, name: str, search: bool) -> Path:
    root = WORK / "search" / f"{name}-{corpus.size}"
    root.mkdir(parents=True, exist_ok=True)
    text = (BENCH / "sites" / "digest" / "site.yaml").read_text()
    (root / "site.yaml").write_text(text + ("search:\n  enabled: true\n" if search else ""))
    link = root / "content"
    if not link.is_symlink():
        link.symlink_to(corpus.root / "content")
    return root


def cold(root: Path) -> tuple[float, float]:
    """Wall-clock seconds of a cold build, and its search index stage in seconds (0 without search)."""
    for folder in ("public", ".digest-cache", ".digest-build"):
        shutil.rmtree(root / folder, ignore_errors=True)
    return build(root)


def build(root: Path) -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "digest", "build", "--debug"], cwd=root, capture_output=True, text=True, check=True)
    took = time.perf_counter() - started
    stage = STAGE.search(done.stdout + done.stderr)
    return took, float(stage.group(1)) / 1000 if stage else 0.0


def bundle_size(root: Path) -> tuple[int, int, int]:
    """Bytes of pagefind/, bytes of its index data, and its file count."""
    files = [p for p in (root / "public" / "pagefind").rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), sum(p.stat().st_size for p in files if p.name.endswith(DATA)), len(files)


def edit_one(root: Path, corpus: Corpus) -> tuple[float, float, int]:
    """A body edit and a CLI rebuild with search: seconds, index seconds, index files rewritten."""
    article = sorted((corpus.root / "content" / "articles").rglob("*.md"))[len(list((corpus.root / "content").rglob("*.md"))) // 2]
    original = article.read_bytes()
    before = {p: p.stat().st_mtime_ns for p in (root / "public" / "pagefind").rglob("*") if p.is_file()}
    try:
        article.write_bytes(original + b"\n\nA sentence added by the search benchmark.\n")
        took, index = build(root)
    finally:
        article.write_bytes(original)
    after = {p: p.stat().st_mtime_ns for p in (root / "public" / "pagefind").rglob("*") if p.is_file()}
    return took, index, sum(1 for p, mtime in after.items() if before.get(p) != mtime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| articles | cold build without search | cold build with search | overhead | index stage | index size (data) | files "
          "| rebuild after one edit: build, index, files rewritten |")
    print("|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = ensure_corpus(WORK, BENCH / "gen_corpus.py", "digest", size, lambda message: print(message, file=sys.stderr))
        off, on = site(corpus, "off", False), site(corpus, "on", True)
        without: list[float] = []
        with_search: list[float] = []
        stages: list[float] = []
        for _ in range(args.runs):
            without.append(cold(off)[0])
            took, stage = cold(on)
            with_search.append(took)
            stages.append(stage)
        total, data, count = bundle_size(on)
        edit_took, edit_index, rewritten = edit_one(on, corpus)
        a, b = statistics.median(without), statistics.median(with_search)
        print(f"| {size:,} | {a:.1f} s | {b:.1f} s | {(b / a - 1) * 100:+.0f} % | {statistics.median(stages):.2f} s "
              f"| {total / 1e6:.1f} MB ({data / 1e6:.1f} MB) | {count:,} | {edit_took:.1f} s, {edit_index:.2f} s, {rewritten} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
