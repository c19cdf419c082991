"""Synthetic corpora: generated once per (flavor, size) with gen_corpus.py, then reused.

Every flavor is generated from the same seed, so article i has the same slug, date
and body for all three tools; the benchmark edits the same article in each.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SEED = 1
STAMP = ".bench-corpus.json"


@dataclass(frozen=True, slots=True)
class Corpus:
    """One generated site folder: content/articles/** plus the tool's site files."""

    flavor: str
    size: int
    root: Path


@dataclass(frozen=True, slots=True)
class Target:
    """The article the benchmark edits: its slug and its URL path (the same for every tool)."""

    slug: str
    url: str

    def source(self, corpus: Corpus) -> Path:
        """The article's file in `corpus` (hugo keeps every article in one folder)."""
        found = sorted((corpus.root / "content" / "articles").glob(f"**/{self.slug}.md"))
        if len(found) != 1:
            raise RuntimeError(f"expected one {self.slug}.md in {corpus.root}, found {len(found)}")
        return found[0]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def ensure_corpus(work: Path, gen: Path, flavor: str, size: int, log: Callable[[str], None]) -> Corpus:
    """Generate `work/corpora/<flavor>-<size>` unless a complete one made by the same generator exists."""
    root = work / "corpora" / f"{flavor}-{size}"
    wanted = {"flavor": flavor, "size": size, "seed": SEED, "generator": _file_digest(gen)}
    stamp = root / STAMP
    if stamp.is_file():
        try:
            if json.loads(stamp.read_text()) == wanted:
                log(f"corpus {flavor}-{size}: reusing {root}")
                return Corpus(flavor, size, root)
        except ValueError:
            pass
    if root.exists():
        shutil.rmtree(root)
    log(f"corpus {flavor}-{size}: generating …")
    subprocess.run(
        [sys.executable, str(gen), str(root), "--articles", str(size), "--seed", str(SEED), "--flavor", flavor],
        check=True, stdout=subprocess.DEVNULL,
    )
    stamp.write_text(json.dumps(wanted))
    return Corpus(flavor, size, root)


def install_site_files(corpus: Corpus, site_files: Path) -> None:
    """Copy the tool's config, layouts or theme (bench/sites/<tool>/) over the corpus folder."""
    for item in site_files.iterdir():
        target = corpus.root / item.name
        if item.is_dir():
            if target.exists():
                shutil.rmtree(target)  # mirror it: a layout deleted in bench/sites must not linger
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)


def linked_site(corpus: Corpus, name: str, site_files: Path) -> Corpus:
    """A second site over `corpus`'s articles: `<name>-<size>/` beside it, with `site_files` and a link to its content.

    The link, not a copy, so both sites read the very same files.
    """
    root = corpus.root.with_name(f"{name}-{corpus.size}")
    root.mkdir(parents=True, exist_ok=True)
    content = root / "content"
    if content.is_symlink():
        content.unlink()
    elif content.exists():
        shutil.rmtree(content)
    content.symlink_to(Path("..") / corpus.root.name / "content", target_is_directory=True)
    linked = Corpus(corpus.flavor, corpus.size, root)
    install_site_files(linked, site_files)
    return linked


_DATE = re.compile(r"^date: (\S+)$", re.M)


def _target(path: Path) -> Target:
    match = _DATE.search(path.read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"no date in {path}")
    day = datetime.fromisoformat(match.group(1)).astimezone(UTC)
    return Target(path.stem, f"/{day:%Y}/{day:%m}/{day:%d}/{path.stem}/")


def _article_files(digest_corpus: Corpus) -> list[Path]:
    return sorted((digest_corpus.root / "content" / "articles").glob("*/*.md"))


def pick_target(digest_corpus: Corpus) -> Target:
    """The middle article of the corpus (by path), so edits touch neither list end."""
    files = _article_files(digest_corpus)
    return _target(files[len(files) // 2])


def sample_targets(digest_corpus: Corpus) -> list[Target]:
    """The first, middle and last articles by path: pages to watch for an edit that changes every page."""
    files = _article_files(digest_corpus)
    return [_target(files[i]) for i in sorted({0, len(files) // 2, len(files) - 1})]


def article_bodies(digest_corpus: Corpus) -> list[str]:
    """Every article's Markdown body (front matter stripped), in path order."""
    bodies = []
    for path in sorted((digest_corpus.root / "content" / "articles").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        _, _, rest = text.partition("\n---\n")  # the closing fence; the file starts with the opening one
        bodies.append(rest)
    return bodies
