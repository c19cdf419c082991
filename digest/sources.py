"""Reading the site folder: site.yaml, and every article file's bytes before parsing it.

Dotfiles and editor debris are never content; files over the size limit and
links leading out of the content folder are refused by name, not read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import CONFIG_NAME, NO_OVERRIDES, STARTER, Overrides, SiteConfig, parse_config
from .content import SourceFile, source_fingerprint
from .errors import NOT_UTF8_NAME, ConfigError, display_path, rename_hint, undecodable

ARTICLES_DIR = "articles"


def load_config(root: Path, overrides: Overrides = NO_OVERRIDES) -> SiteConfig:
    """Read `root/site.yaml`, with the command line's `overrides`."""
    root = root.resolve()
    path = display_path(root / CONFIG_NAME)
    if not (root / CONFIG_NAME).is_file():
        raise ConfigError.single(
            path,
            f"no {CONFIG_NAME} in {root}",
            hint=f"run digest in your site's folder (or pass --site DIR); `digest init DIR` starts a new site, or create {CONFIG_NAME} with at least:\n"
            + "\n".join("    " + line for line in STARTER.splitlines()),
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError.single(path, f"not valid UTF-8 (byte {exc.start})", hint="save the file as UTF-8") from None
    return parse_config(text, root, overrides)



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
    """The bytes of one file, unless it is too large, a link leading out of the content folder or named in bytes that are not UTF-8."""
    data, refusal, hint = _read_bytes(path, config)
    return SourceFile(path, display_path(path), data, refusal, hint)


def _read_bytes(path: Path, config: SiteConfig) -> tuple[bytes, str, str]:
    """The file's bytes, or b"", why they were not read and what to do about it.

    A name that is not UTF-8 is refused rather than skipped: the article would silently vanish from the site, and its
    name could reach neither the cache, nor a web page, nor a terminal as it is.
    """
    if undecodable(str(path)):
        return b"", NOT_UTF8_NAME, rename_hint(path)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        real = path.resolve()
        if config.content_dir.resolve() not in real.parents:
            return b"", f"is a link to {real}, outside {display_path(config.content_dir)}/", "move the file into the content folder instead of linking to it"
        info = os.stat(path)
    if info.st_size > config.max_article_size:
        limit = human_size(config.max_article_size)
        return b"", f"is {human_size(info.st_size)}, over the {limit} limit", "raise max_article_size in site.yaml if this is right"
    with open(path, "rb") as handle:
        return handle.read(), "", ""


def stamp_sources(paths: Iterable[Path], config: SiteConfig) -> list[SourceStamp]:
    """A digest of every file, reading one at a time (a large site never sits in memory whole)."""
    stamps = []
    for path in paths:
        data, refusal, _ = _read_bytes(path, config)
        stamps.append(SourceStamp(path, source_fingerprint(data, refusal)))
    return stamps
