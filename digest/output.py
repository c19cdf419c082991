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
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from .config import SiteConfig
from .errors import Location, OutputError, Problem, display_path

MANIFEST = ".digest-manifest.json"
STAGING = ".digest-staging"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


PUBLISHING_FILES = frozenset({"CNAME"})
"""Files people put in an output folder before the first build (besides dotfiles like .git, .nojekyll)."""


def check_output_dir(config: SiteConfig, extra_sources: Iterable[Path] = (), *, force: bool = False) -> None:
    """Refuse an output folder that would overwrite or swallow the site's sources, or someone else's files."""
    output = config.output_dir.resolve()
    root = config.root.resolve()
    shown = display_path(output)
    origin = config.output_origin or Location(display_path(config.config_path))
    field = "" if origin.path == Path("--output") else "output_dir"

    example = "output_dir: public" if field else "--output public"

    def refuse(message: str, hint: str) -> OutputError:
        return OutputError([Problem(origin, message, field, hint)])

    if output == root or output in root.parents:
        raise refuse(f"{shown} would hold the whole site, its sources included", f"use a folder of its own, e.g. {example}")
    for source in (config.content_dir, root / "templates", root / "static", *extra_sources):
        source = source.resolve()
        if output == source or output in source.parents or source in output.parents:
            raise refuse(f"{shown} overlaps the source folder {display_path(source)}", f"use a folder outside your sources, e.g. {example}")
    if output.exists() and not output.is_dir():
        raise refuse(f"{shown} exists and is not a folder", "remove it or choose another output folder")
    if output.is_dir() and not force and not (output / MANIFEST).exists():
        strangers = sorted(e.name for e in os.scandir(output) if not e.name.startswith(".") and e.name not in PUBLISHING_FILES)
        if strangers:
            listed = ", ".join(strangers[:3]) + (", …" if len(strangers) > 3 else "")
            raise refuse(
                f"{shown} already holds files digest did not write ({listed})",
                "choose an empty folder, or pass --force to build into it (digest then removes only files it wrote itself)",
            )


def inside(base: Path, relative: str) -> Path:
    """`base/relative`, refusing anything that would land outside `base`."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise OutputError.single(Path(relative), "refusing to write outside the output folder")
    target = base.joinpath(*pure.parts)
    parent = target.parent.resolve()
    real = base.resolve()
    if parent != real and real not in parent.parents:
        raise OutputError.single(
            display_path(target), f"refusing to write through a link that leads out of the output folder (to {parent})",
            hint="remove the link from the output folder; digest never writes outside it",
        )
    return target


class OutputWriter:
    """One transaction on the output folder: `stage` files, then `commit` or `abort`."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.staging = output / STAGING
        self.staged: list[str] = []
        self.unchanged = 0
        output.mkdir(parents=True, exist_ok=True)
        remove_staging(self.staging)  # left over by a crashed build

    def stage(self, relative: str, data: bytes) -> bool:
        """Queue `data` for `relative` unless the file already holds it; True if it will change."""
        return self.record(relative, stage_file(self.output, self.staging, relative, data))

    def record(self, relative: str, changed: bool) -> bool:
        """Count a file staged elsewhere (by a worker process) with `stage_file`."""
        if changed:
            self.staged.append(relative)
        else:
            self.unchanged += 1
        return changed

    def abort(self) -> None:
        remove_staging(self.staging)
        self.staged.clear()

    def commit(self, wanted: set[str]) -> WriteReport:
        """Move staged files into place; remove what the last build wrote and `wanted` lacks.

        Ctrl-C and SIGTERM wait until this is done: a few renames, never half of them.
        """
        with signals_deferred():
            return self._commit(wanted)

    def _commit(self, wanted: set[str]) -> WriteReport:
        for relative in self.staged:
            target = inside(self.output, relative)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(inside(self.staging, relative), target)
        removed = _prune(self.output, read_manifest(self.output) - wanted)
        _write_manifest(self.output, wanted)
        remove_staging(self.staging)
        report = WriteReport(len(self.staged), self.unchanged, removed)
        self.staged = []
        self.unchanged = 0
        return report


def remove_staging(staging: Path) -> None:
    """Delete the staging folder; a link in its place is removed, never followed."""
    if staging.is_symlink() or staging.is_file():
        staging.unlink()
    elif staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stage_file(output: Path, staging: Path, relative: str, data: bytes) -> bool:
    """Write `data` under `staging` unless `output` already holds those bytes; True if staged."""
    if same_bytes(inside(output, relative), data):
        return False
    temp = inside(staging, relative)
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(data)
    return True


def read_manifest(output: Path) -> set[str]:
    """The files the last build wrote (digest's marker in an output folder)."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        return {str(p) for p in data.get("files", [])}
    except (OSError, ValueError, AttributeError):
        return set()


def same_bytes(target: Path, data: bytes) -> bool:
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
            target = inside(output, relative)
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
    if not same_bytes(path, data):
        temp = output / (MANIFEST + ".tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
