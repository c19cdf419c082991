"""The writer: stage every changed file first, then move them all into place.

Nothing in the output folder changes until every page has rendered; unchanged
bytes are never rewritten (hosts that sync by mtime thank us); files the last
build wrote and this one did not are removed; nothing outside the output folder
is ever written or deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from .config import SiteConfig
from .content import display_path
from .errors import OutputError

MANIFEST = ".digest-manifest.json"
STAGING = ".digest-staging"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def check_output_dir(config: SiteConfig, extra_sources: Iterable[Path] = ()) -> None:
    """Refuse an output folder that would overwrite or swallow the site's sources."""
    output = config.output_dir.resolve()
    root = config.root.resolve()
    shown = display_path(output)
    if output == root or output in root.parents:
        raise OutputError.single(
            display_path(config.config_path), f"output_dir {shown} would hold the whole site, its sources included",
            field="output_dir", hint="use a folder of its own, e.g. output_dir: public",
        )
    for source in (config.content_dir, root / "templates", root / "static", *extra_sources):
        source = source.resolve()
        if output == source or output in source.parents or source in output.parents:
            raise OutputError.single(
                display_path(config.config_path), f"output_dir {shown} overlaps the source folder {display_path(source)}",
                field="output_dir", hint="use a folder outside your sources, e.g. output_dir: public",
            )
    if output.exists() and not output.is_dir():
        raise OutputError.single(shown, "output_dir exists and is not a folder", hint="remove it or choose another output_dir")


def _inside(base: Path, relative: str) -> Path:
    """`base/relative`, refusing anything that would land outside `base`."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise OutputError.single(Path(relative), "refusing to write outside the output folder")
    target = base.joinpath(*pure.parts)
    parent = target.parent.resolve()
    if parent != base.resolve() and base.resolve() not in parent.parents:
        raise OutputError.single(Path(relative), "refusing to follow a link out of the output folder")
    return target


def _read_manifest(output: Path) -> set[str]:
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        return {str(p) for p in data.get("files", [])}
    except (OSError, ValueError, AttributeError):
        return set()


def write_output(
    output: Path,
    files: Iterable[tuple[str, bytes]],
    progress: Callable[[int], None] | None = None,
) -> WriteReport:
    """Write `files` (relative path, bytes) into `output`, all or nothing."""
    output.mkdir(parents=True, exist_ok=True)
    staging = output / STAGING
    if staging.exists():
        shutil.rmtree(staging)  # left over by a crashed build
    staged: list[str] = []
    wanted: set[str] = set()
    unchanged = 0
    try:
        for count, (relative, data) in enumerate(files, 1):
            target = _inside(output, relative)
            wanted.add(relative)
            if _same_bytes(target, data):
                unchanged += 1
            else:
                temp = _inside(staging, relative)
                temp.parent.mkdir(parents=True, exist_ok=True)
                temp.write_bytes(data)
                staged.append(relative)
            if progress:
                progress(count)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for relative in staged:
        target = _inside(output, relative)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(_inside(staging, relative), target)
    removed = _prune(output, _read_manifest(output) - wanted)
    _write_manifest(output, wanted)
    shutil.rmtree(staging, ignore_errors=True)
    return WriteReport(len(staged), unchanged, removed)


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.is_symlink() or target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _prune(output: Path, stale: set[str]) -> int:
    """Remove files an earlier build wrote, then the folders that left empty."""
    removed = 0
    for relative in sorted(stale):
        try:
            target = _inside(output, relative)
        except OutputError:
            continue
        if target.is_symlink() or target.is_file():
            target.unlink()
            removed += 1
            folder = target.parent
            while folder != output and output in folder.parents and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
    return removed


def _write_manifest(output: Path, files: set[str]) -> None:
    data = json.dumps({"generator": "digest", "files": sorted(files)}, indent=0).encode("utf-8")
    path = output / MANIFEST
    if not _same_bytes(path, data):
        temp = output / (MANIFEST + ".tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
