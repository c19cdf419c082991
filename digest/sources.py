"""Finding article files and reading their bytes: what the build knows of a file before parsing it.

Dotfiles and editor debris are never content; files over the size limit and
links leading out of the content folder are refused by name, not read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .config import SiteConfig
from .errors import ContentError, display_path

ARTICLES_DIR = "articles"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An article file's bytes with the names used to report on it."""

    path: Path
    shown: Path
    data: bytes
    refusal: str = ""
    """Why the file was not read (too large, a link out of the content folder), if it was not."""

    @property
    def fingerprint(self) -> str:
        """A digest of the bytes (and of why they were not read, if they were not)."""
        return source_fingerprint(self.data, self.refusal)


def source_fingerprint(data: bytes, refusal: str = "") -> str:
    """A digest of a file's bytes, and of why they were not read if they were not."""
    return hashlib.sha256(data).hexdigest() + (f"|{refusal}" if refusal else "")



def is_ignored_name(name: str) -> bool:
    """Dotfiles and editor debris never count as content."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___"))
        or name == "4913"
    )


def find_article_files(content_dir: Path) -> list[Path]:
    """Every regular `*.md` under content/articles, in a stable order (symlinked folders are not followed)."""
    found: list[Path] = []
    pending = [str(content_dir / ARTICLES_DIR)]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif entry.name.endswith(".md") and entry.is_file():
                found.append(Path(entry.path))
    return sorted(found)


def human_size(size: int) -> str:
    """1536 → '1.5 KB', 5242880 → '5 MB'."""
    for unit, scale in (("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


@dataclass(frozen=True, slots=True)
class SourceStamp:
    """What a build needs to know of a file before parsing it: its name and a digest of its bytes."""

    path: Path
    fingerprint: str


def read_source(path: Path, config: SiteConfig) -> SourceFile:
    """The bytes of one file, unless it is too large or a link leading out of the content folder."""
    data, refusal = _read_bytes(path, config)
    return SourceFile(path, display_path(path), data, refusal)


def _read_bytes(path: Path, config: SiteConfig) -> tuple[bytes, str]:
    """The file's bytes, or b"" and why they were not read."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        real = path.resolve()
        if config.content_dir.resolve() not in real.parents:
            return b"", f"is a link to {real}, outside {display_path(config.content_dir)}/"
        info = os.stat(path)
    if info.st_size > config.max_article_size:
        return b"", f"is {human_size(info.st_size)}, over the {human_size(config.max_article_size)} limit"
    with open(path, "rb") as handle:
        return handle.read(), ""


def stamp_sources(paths: Iterable[Path], config: SiteConfig) -> list[SourceStamp]:
    """A digest of every file, reading one at a time (a large site never sits in memory whole)."""
    stamps = []
    for path in paths:
        data, refusal = _read_bytes(path, config)
        stamps.append(SourceStamp(path, source_fingerprint(data, refusal)))
    return stamps



def decode(source: SourceFile) -> str:
    """UTF-8 (with or without BOM), any line ending, normalised to LF."""
    data = source.data[3:] if source.data.startswith(b"\xef\xbb\xbf") else source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError.single(
            source.shown, "is UTF-16 text; digest reads UTF-8", line=1, col=1,
            hint=f"convert it, e.g. iconv -f UTF-16 -t UTF-8 {source.shown} > converted.md, or save it as UTF-8 in your editor",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line_end = data.find(b"\n", exc.start)
        before = data[line_start : exc.start].decode("utf-8", errors="replace")
        shown = data[line_start : line_end if line_end >= 0 else len(data)].decode("utf-8", errors="replace")
        raise ContentError.single(
            source.shown,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            line=data.count(b"\n", 0, exc.start) + 1,
            col=len(before) + 1,
            hint="save the file as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 in.md > out.md",
            source_line=shown,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")

