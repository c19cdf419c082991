"""The writer: stage every changed file first, then move them all into place.

Nothing in the output folder changes until every page has rendered; unchanged
bytes are never rewritten (hosts that sync by mtime thank us); files the last
build wrote and this one did not are removed; nothing outside the output folder
is ever written or deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
    return Path(OutputTree(base).path(relative))


class OutputTree:
    """Files under one folder, each checked to land inside it however its folders are linked.

    Every folder on the way is checked once per tree (one build), so a page
    costs a look at its own folder, not a walk of its whole path.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.real = os.path.realpath(base)
        self.checked: set[str] = {str(base)}
        self.made: set[str] = set()

    def path(self, relative: str) -> str:
        """The file `relative` names under the base; an `OutputError` if it would land outside."""
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise OutputError.single(Path(relative), "refusing to write outside the output folder")
        folder = str(self.base)
        for part in pure.parts[:-1]:
            folder = os.path.join(folder, part)
            if folder not in self.checked:
                self._check(folder)
                self.checked.add(folder)
        return os.path.join(folder, pure.parts[-1])

    def _check(self, folder: str) -> None:
        if not os.path.islink(folder):
            return
        real = os.path.realpath(folder)
        if real != self.real and not real.startswith(self.real.rstrip(os.sep) + os.sep):
            raise OutputError.single(
                display_path(Path(folder)), f"refusing to write through a link that leads out of the output folder (to {real})",
                hint="remove the link from the output folder; digest never writes outside it",
            )

    def make_folder_for(self, file: str) -> None:
        folder = os.path.dirname(file)
        if folder not in self.made:
            os.makedirs(folder, exist_ok=True)
            self.made.add(folder)


class Staging:
    """Where changed files wait for the commit: one flat folder inside the output, named by digest.

    A staged file's name is a digest of its path, so staging needs no folders
    of its own and no staged name can point anywhere else.
    """

    def __init__(self, output: Path) -> None:
        self.tree = OutputTree(output)
        self.folder = output / STAGING
        self.ready = False

    def put(self, relative: str, data: bytes) -> bool:
        """Stage `data` for `relative` unless the output already holds those bytes; True if staged."""
        if same_bytes(self.tree.path(relative), data):
            return False
        if not self.ready:
            os.makedirs(self.folder, exist_ok=True)
            self.ready = True
        with open(self.staged(relative), "wb") as handle:
            handle.write(data)
        return True

    def staged(self, relative: str) -> str:
        name = hashlib.blake2b(relative.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        return os.path.join(self.folder, name)


class OutputWriter:
    """One transaction on the output folder: `stage` files, then `commit` or `abort`."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.staging = Staging(output)
        self.staged: list[str] = []
        self.unchanged = 0
        output.mkdir(parents=True, exist_ok=True)
        remove_staging(self.staging.folder)  # left over by a crashed build

    def stage(self, relative: str, data: bytes) -> bool:
        """Queue `data` for `relative` unless the file already holds it; True if it will change."""
        return self.record(relative, self.staging.put(relative, data))

    def record(self, relative: str, changed: bool) -> bool:
        """Count a file staged elsewhere (by a worker process, through a copy of `staging`)."""
        if changed:
            self.staged.append(relative)
        else:
            self.unchanged += 1
        return changed

    def abort(self) -> None:
        remove_staging(self.staging.folder)
        self.staged.clear()

    def commit(self, wanted: set[str]) -> WriteReport:
        """Move staged files into place; remove what the last build wrote and `wanted` lacks.

        Ctrl-C and SIGTERM wait until this is done: a few renames, never half of them.
        """
        with signals_deferred():
            return self._commit(wanted)

    def _commit(self, wanted: set[str]) -> WriteReport:
        tree = self.staging.tree
        for relative in self.staged:
            target = tree.path(relative)
            tree.make_folder_for(target)
            staged = self.staging.staged(relative)
            try:
                os.replace(staged, target)
            except IsADirectoryError:  # a folder stands where the file goes now
                shutil.rmtree(target)
                os.replace(staged, target)
        removed = _prune(self.output, tree, read_manifest(self.output) - wanted)
        _write_manifest(self.output, wanted)
        remove_staging(self.staging.folder)
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


def read_manifest(output: Path) -> set[str]:
    """The files the last build wrote (digest's marker in an output folder)."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        return {str(p) for p in data.get("files", [])}
    except (OSError, ValueError, AttributeError):
        return set()


def same_bytes(target: Path | str, data: bytes) -> bool:
    """Whether `target` is a regular file (not a link) holding exactly `data`."""
    try:
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _prune(output: Path, tree: OutputTree, stale: set[str]) -> int:
    """Remove files an earlier build wrote, then the folders that left empty."""
    removed = 0
    for relative in sorted(stale):
        try:
            target = Path(tree.path(relative))
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
