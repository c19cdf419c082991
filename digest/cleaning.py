"""`digest clean`: remove the build cache, and with `--output` the files digest wrote into the output folder.

Only what is digest's goes. The cache folder goes when it holds digest's own
`.gitignore` or cache file. In the output folder, the files its manifest lists
go (through the writer's checks: nothing outside the folder, no link followed
out of it), then the folders that left empty; everything else stays, and the
report names it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .cache import CACHE_DIR, DATABASE, IGNORE_FILE, IGNORE_TEXT
from .config import SiteConfig
from .errors import CommandError, OutputError, Problem, display_path
from .output import MANIFEST, STAGING, OutputTree, check_output_dir, read_manifest, remove_staging
from .sources import load_config

SHOWN_LEFT = 5
"""How many of the things left in the output folder the report names."""


def clean_site(root: Path, *, output: bool) -> list[str]:
    """Remove the site's cache (and with `output` digest's files in its output folder); what was done, a line each."""
    config = load_config(root) if output else None  # a broken site.yaml stops the command before anything goes
    lines = [remove_cache(root)]
    if config is not None:
        lines.append(remove_output(config))
    return lines


def looks_like_cache(folder: Path) -> bool:
    """Whether a folder is digest's cache: it holds digest's cache file or the .gitignore digest puts there."""
    try:
        return (folder / DATABASE).exists() or (folder / IGNORE_FILE).read_text(encoding="utf-8") == IGNORE_TEXT
    except (OSError, UnicodeDecodeError):
        return False


def remove_cache(root: Path) -> str:
    folder = root / CACHE_DIR
    shown = display_path(folder)
    if not folder.exists() and not folder.is_symlink():
        return f"No {shown}/ to remove."
    if folder.is_symlink() or not folder.is_dir() or not looks_like_cache(folder):
        raise CommandError([Problem.at_option(
            str(shown), "does not look like digest's cache (it holds neither cache.sqlite3 nor digest's .gitignore), so it was left as it is",
            "remove it yourself if it is yours to remove",
        )])
    files, size = _measure(folder)
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        raise CommandError([Problem.at_option(
            str(shown), f"cannot be removed: {exc.filename}: {exc.strerror or exc}" if exc.filename else f"cannot be removed: {exc}",
            "check the permissions of the folder and the files in it (an immutable file needs chattr -i first)",
        )]) from None
    return f"Removed {shown}/ ({files} file{'s' if files != 1 else ''}, {_size(size)})."


def remove_output(config: SiteConfig) -> str:
    """Remove the files the output folder's manifest lists, the manifest itself and the folders that left empty."""
    output = config.output_dir
    shown = display_path(output)
    if not output.is_dir():
        return f"No {shown}/ to remove."
    check_output_dir(config, force=True)  # an output folder that is or holds the sources is refused, as a build refuses it
    if not (output / MANIFEST).is_file():
        return f"{shown}/ has no {MANIFEST}, so nothing in it is known to be digest's: left as it is."
    tree = OutputTree(output)
    removed = 0
    for relative in sorted(read_manifest(output)):
        try:
            target = Path(tree.path(relative))
        except OutputError:
            continue  # the manifest names a place outside the folder: never touched
        if target.is_symlink() or target.is_file():
            target.unlink()
            removed += 1
            _remove_empty_folders(target.parent, output)
    remove_staging(output / STAGING)
    for name in (MANIFEST, MANIFEST + ".tmp"):
        (output / name).unlink(missing_ok=True)
    files = f"{removed} file{'s' if removed != 1 else ''} digest wrote"
    left = sorted(entry.name + ("/" if entry.is_dir(follow_symlinks=False) else "") for entry in os.scandir(output))
    if not left:
        output.rmdir()
        return f"Removed {shown}/ ({files})."
    named = ", ".join(left[:SHOWN_LEFT]) + (f" and {len(left) - SHOWN_LEFT} more" if len(left) > SHOWN_LEFT else "")
    return f"Removed the {files} from {shown}/; left what it did not write there: {named}."


def _remove_empty_folders(folder: Path, output: Path) -> None:
    """Remove `folder` and its parents up to (not including) `output` while they are empty."""
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or not ours to remove): stop here
            return
        folder = folder.parent


def _measure(folder: Path) -> tuple[int, int]:
    """How many files a folder holds and their bytes, links not followed."""
    files = size = 0
    for base, _, names in os.walk(folder):
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                pass
    return files, size


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"
