"""Reading the site folder: site.yaml, and every article file's bytes before parsing it.

Dotfiles and editor debris are never content; files over the size limit and
links leading out of the content folder are refused by name, not read.

A file whose stat (size, mtime, inode, ctime) is the one the cache's stat index
recorded with its fingerprint is not read again, unless it was modified too
close to the moment the entry was taken for the file system's clock to tell a
later edit apart (git's "racy" rule): then it is read and hashed as if new.
`digest build --verify` drops the index and reads everything.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import CONFIG_NAME, NO_OVERRIDES, STARTER, Overrides, SiteConfig, parse_config, setting_problem
from .content import SourceFile, source_fingerprint
from .errors import NOT_UTF8_NAME, ConfigError, display_path, rename_hint, undecodable

if TYPE_CHECKING:
    from .cache import BuildCache, SourceEntry

ARTICLES_DIR = "articles"
RACY_NS = 2_000_000_000
"""How much older than its entry a file's mtime must be for the entry to be trusted: the coarsest common
timestamp granularity (FAT's 2 s; ext4, APFS and NTFS keep far finer times)."""


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



def check_content_dir(config: SiteConfig) -> None:
    """A content folder that is not there is an error, not a site of no articles (an empty one is fine)."""
    folder = config.content_dir
    if folder.is_dir():
        return
    shown = display_path(folder)
    written = "content_dir" in config.written_at
    if folder.exists():
        message = f"{shown} is a file, not a folder" + ("" if written else " (content/ is content_dir's default)")
        make = f"move the file away and make the folder: mkdir -p {display_path(folder / ARTICLES_DIR)}"
    else:
        message = f"the content folder {shown}/ does not exist" if written else f"no {shown}/ folder (content_dir's default)"
        make = f"make it: mkdir -p {display_path(folder / ARTICLES_DIR)}"
    hint = (f"set content_dir to the folder your articles/ are in, or {make}" if written else
            f"run digest in your site's folder (or pass --site DIR), set content_dir: in {CONFIG_NAME} to the folder "
            f"your articles/ are in, or {make}")
    raise ConfigError([setting_problem(config, "content_dir", message, hint)])


def is_ignored_name(name: str) -> bool:
    """Dotfiles and editor debris never count as content."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___"))
        or name == "4913"
    )


def find_article_files(content_dir: Path) -> list[Path]:
    """Every regular `*.md` under content/articles, in a stable order (symlinked folders are not followed).

    The order is that of sorted paths: each folder's entries by name, a subfolder's files where its name sorts
    (sorting the `Path`s afterwards cost a tenth of a second at 100,000 files).
    """
    found: list[Path] = []
    _walk(content_dir / ARTICLES_DIR, found)
    return found


def _walk(folder: Path, found: list[Path]) -> None:
    """`folder / name`, not `Path(entry.path)`: joining a name costs half of parsing a whole path again."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        name = entry.name
        if is_ignored_name(name):
            continue
        if entry.is_dir(follow_symlinks=False):
            _walk(folder / name, found)
        elif name.endswith(".md") and entry.is_file():
            found.append(folder / name)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


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
    """The file's bytes, or b"", why they were not read and what to do about it."""
    info, refusal, hint = _examine(path, str(path), config)
    if info is None:
        return b"", refusal, hint
    with open(path, "rb") as handle:
        return handle.read(), "", ""


def _examine(path: Path, name: str, config: SiteConfig) -> tuple[os.stat_result | None, str, str]:
    """The stat of the file to read (where a link leads), or None, why it is not read and what to do about it.

    A name that is not UTF-8 is refused rather than skipped: the article would silently vanish from the site, and its
    name could reach neither the cache, nor a web page, nor a terminal as it is.
    """
    if undecodable(name):
        return None, NOT_UTF8_NAME, rename_hint(path)
    info = os.lstat(name)
    if stat.S_ISLNK(info.st_mode):
        real = path.resolve()
        if config.content_dir.resolve() not in real.parents:
            return None, f"is a link to {real}, outside {display_path(config.content_dir)}/", "move the file into the content folder instead of linking to it"
        info = os.stat(path)
    if info.st_size > config.max_article_size:
        limit = human_size(config.max_article_size)
        return None, f"is {human_size(info.st_size)}, over the {limit} limit", "raise max_article_size in site.yaml if this is right"
    return info, "", ""


def stamp_sources(paths: Iterable[Path], config: SiteConfig, cache: BuildCache | None = None) -> list[SourceStamp]:
    """A digest of every file, reading one at a time (a large site never sits in memory whole), and only the files
    the cache's stat index cannot vouch for; what was read goes into the index."""
    started = time.time_ns()  # before any stat: an edit after it cannot keep a time older than this
    known: dict[str, SourceEntry] = cache.source_entries() if cache is not None else {}
    fresh: dict[str, SourceEntry] = {}
    stamps = []
    matched = 0
    for path in paths:
        name = str(path)
        info, refusal, _ = _examine(path, name, config)
        if info is None:
            stamps.append(SourceStamp(path, source_fingerprint(b"", refusal)))
            continue
        seen = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        entry = known.get(name)
        if entry is not None:
            matched += 1
            if entry[:4] == seen and info.st_mtime_ns < entry[4] - RACY_NS:
                stamps.append(SourceStamp(path, entry[5]))
                continue
        with open(name, "rb") as handle:
            fingerprint = source_fingerprint(handle.read())
        stamps.append(SourceStamp(path, fingerprint))
        fresh[name] = (*seen, started, fingerprint)  # a racy entry, taken again, is trusted once its file is old enough
    if cache is not None and (fresh or matched < len(known)):
        listed = {str(stamp.path) for stamp in stamps} if matched < len(known) else set()
        cache.update_source_entries(fresh, [name for name in known if name not in listed])
    return stamps


@dataclass(frozen=True, slots=True)
class SourceStats:
    """Each file's stat, taken before parsing reads its bytes: with the digests parsing finds, the stat index entries
    `stamp_sources` would have made (a file changed after its stat was taken no longer matches its entry)."""

    started: int
    seen: dict[str, tuple[int, int, int, int]]


def stat_sources(paths: Iterable[Path], config: SiteConfig) -> SourceStats:
    """The stat of every file that will be read as it is (not refused), for `index_sources` once it is parsed."""
    started = time.time_ns()
    seen = {}
    for path in paths:
        name = str(path)
        try:
            info, _, _ = _examine(path, name, config)
        except OSError:  # gone already: parsing reports it
            continue
        if info is not None:
            seen[name] = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    return SourceStats(started, seen)


def index_sources(cache: BuildCache, stats: SourceStats, fingerprints: Mapping[Path, str]) -> None:
    """Put the files parsed without being stamped first into the stat index, so the next build need not read them."""
    fresh: dict[str, SourceEntry] = {}
    for path, fingerprint in fingerprints.items():
        name = str(path)
        seen = stats.seen.get(name)
        if seen is not None:
            fresh[name] = (*seen, stats.started, fingerprint)
    cache.update_source_entries(fresh)
