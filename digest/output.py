"""The writer: stage every changed file first, then move them all into place, all or nothing.

Nothing in the output folder changes until every page has rendered; unchanged
bytes are never rewritten (hosts that sync by mtime thank us); files the last
build wrote and this one did not are removed; nothing outside the output folder
is ever deleted.

Staging sits beside the site's sources (`.digest-build/`), not in the output
folder, so a crash never leaves it where a deploy would publish it — unless the
output folder is outside the site or on another file system, where staging
goes into it as `.digest-staging` (nothing is written outside the site and the
output), and the next command clears what a crash left.
The commit writes a journal first and moves every file it replaces or removes
aside; if anything fails, or the process dies, the old files go back — at once,
or when the next digest command opens the output — so the output is the
previous site or the new one, never a mix.
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
"""The staging folder's name inside the output folder: where staging goes when the output is on another file system."""
WORK_DIR = ".digest-build"
"""Beside site.yaml: what a build needs only while it runs (its lock, its staging folders)."""
JOURNAL = "journal.json"
ASIDE = "aside"
TREE = "tree"


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


def work_dir(root: Path) -> Path:
    """`.digest-build/` beside site.yaml, made with a .gitignore of its own (nothing in it belongs in git)."""
    folder = root / WORK_DIR
    if not folder.is_dir() or folder.is_symlink():
        if folder.is_symlink() or folder.exists():
            folder.unlink()
        folder.mkdir()
        (folder / ".gitignore").write_text("*\n")
    return folder


def staging_folder(root: Path, output: Path) -> Path:
    """Where files for `output` wait for the commit: in the site's `.digest-build/` when the output folder is inside the
    site and on its file system (so a rename moves a file in); else in the output folder itself. Makes nothing."""
    existing = next(folder for folder in (output, *output.parents) if folder.exists())
    if root.resolve() not in output.resolve().parents or os.stat(root).st_dev != os.stat(existing).st_dev:
        return output / STAGING
    key = hashlib.blake2b(str(output.resolve()).encode("utf-8", "surrogateescape"), digest_size=6).hexdigest()
    return root / WORK_DIR / f"staging-{key}"


class Staging:
    """Where changed files wait for the commit: a tree shaped like the output's, under `folder/tree`.

    Shaped like the output, so the commit moves a folder the output lacks in
    one rename (a first build into an empty folder: a few renames in all), and
    only files that replace others one by one.
    """

    def __init__(self, output: Path, folder: Path) -> None:
        self.tree = OutputTree(output)
        self.folder = folder
        self.root = os.path.join(folder, TREE)
        self.made: set[str] = set()
        """Folders of the staging tree made (in this process, or before it was forked)."""

    def put(self, relative: str, data: bytes) -> bool:
        """Stage `data` for `relative` unless the output already holds those bytes; True if staged."""
        if same_bytes(self.tree.path(relative), data):
            return False
        staged = self.staged(relative)
        folder = os.path.dirname(staged)
        if folder not in self.made:
            if not self.made and self.folder.parent.name == WORK_DIR:
                work_dir(self.folder.parent.parent)
            os.makedirs(folder, exist_ok=True)  # another worker may make it at the same moment
            self.made.add(folder)
        with open(staged, "wb") as handle:
            handle.write(data)
        return True

    def staged(self, relative: str) -> str:
        """Where `relative` waits: it was checked by `tree.path` first, so it stays inside the staging tree."""
        return os.path.join(self.root, relative)

    def aside(self, relative: str) -> str:
        """Where the commit keeps the file (or folder) `relative` replaces or removes until the commit is complete."""
        return os.path.join(self.folder, ASIDE, _name(relative))

    def moves(self, staged: Iterable[str]) -> list[tuple[str, bool]]:
        """What the commit moves for these staged files: the highest folder of each whose place in the output is free
        (or not a real folder) moves whole, else the file itself; each with whether it replaces something.

        One look per folder and one per file, against the output: a commit of 14,000 pages in folders that all
        exist looks at each page's folder once and at each page once."""
        real: dict[str, bool] = {}
        """Folders of the output looked at: True for a real folder (not a link)."""
        moves: dict[str, bool] = {}
        for relative in staged:
            parts = relative.split("/")
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder in moves:
                    break  # moves whole already
                known = real.get(folder)
                if known is None:
                    known = real[folder] = _is_real_folder(self.tree.path(folder))
                if not known:
                    moves[folder] = os.path.lexists(self.tree.path(folder))
                    break
            else:
                moves[relative] = os.path.lexists(self.tree.path(relative))
        return sorted(moves.items())


def _is_real_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _name(relative: str) -> str:
    return hashlib.blake2b(relative.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@dataclass(slots=True)
class ManifestMemo:
    """The manifest a session last wrote: its file's size and time, and the files it lists. While the file is as it was,
    a commit need not read it (nor write it again when the files are the same): at 10,000 articles that is 600 KB of
    JSON, more than the rest of a rebuild after an edit."""

    stamp: tuple[int, int] | None = None
    files: frozenset[str] = frozenset()

    def holds(self, path: Path) -> bool:
        return self.stamp is not None and self.stamp == file_stamp(path)

    def remember(self, path: Path, files: frozenset[str]) -> None:
        self.stamp, self.files = file_stamp(path), files


def file_stamp(path: str | Path) -> tuple[int, int] | None:
    """A regular file's size and modification time; None if there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None


class OutputWriter:
    """One transaction on the output folder: `stage` files, then `commit` or `abort`."""

    def __init__(self, output: Path, root: Path, memo: ManifestMemo | None = None) -> None:
        self.output = output
        self.memo = memo or ManifestMemo()
        output.mkdir(parents=True, exist_ok=True)
        folder = staging_folder(root, output)
        recover(output, folder)  # a commit a killed build left half done goes back first
        remove_staging(output / STAGING)  # where older versions, or a crash on another file system, left staging
        self.staging = Staging(output, folder)
        self.staged: list[str] = []
        self.unchanged = 0

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
        """Move staged files into place; remove what the last build wrote and `wanted` lacks; all or nothing.

        Ctrl-C and SIGTERM wait until this is done: a few renames, never half of them.
        A failure puts every file back as it was and raises an `OutputError`.
        """
        with signals_deferred():
            report = self._commit(wanted)
        self.memo.remember(self.output / MANIFEST, frozenset(wanted))
        return report

    def _commit(self, wanted: set[str]) -> WriteReport:
        tree = self.staging.tree
        path = self.output / MANIFEST
        known = self.memo.holds(path)
        previous = self.memo.files if known else read_manifest(self.output)
        stale = [r for r in sorted(previous - wanted) if _present(tree, r)]
        if not (known and self.memo.files == wanted):
            manifest = _manifest_bytes(wanted)
            if not same_bytes(path, manifest):
                self.staging.put(MANIFEST, manifest)
                self.staged.append(MANIFEST)
        moves = self.staging.moves(self.staged)
        if len(moves) == 1 and not stale and os.path.isfile(self.staging.staged(moves[0][0])):
            return self._replace_one(moves[0][0])
        journal = Journal(moves, stale, [])
        journal.write(self.staging.folder)
        try:
            os.makedirs(os.path.join(self.staging.folder, ASIDE), exist_ok=True)
            for relative, existed in journal.moves:
                target = tree.path(relative)
                if existed:
                    os.replace(target, self.staging.aside(relative))
                os.replace(self.staging.staged(relative), target)
            for relative in stale:
                os.replace(tree.path(relative), self.staging.aside(relative))
        except BaseException as exc:
            journal.roll_back(self.output, self.staging.folder)
            remove_staging(self.staging.folder)
            raise _commit_error(exc, self.output) from None
        Path(self.staging.folder, JOURNAL).unlink()  # the commit point: from here on the new site stands
        remove_staging(self.staging.folder)
        _remove_empty_folders(self.output, [Path(tree.path(r)).parent for r in stale])
        return self._report(len(stale))

    def _replace_one(self, relative: str) -> WriteReport:
        """One file in place of another (an edit in `serve`, mostly): a rename is all or nothing by itself, so it needs
        no journal, whose flush to disk would cost more than the rest of such a rebuild."""
        try:
            os.replace(self.staging.staged(relative), self.staging.tree.path(relative))
        except OSError as exc:
            remove_staging(self.staging.folder)
            raise _commit_error(exc, self.output) from None
        remove_staging(self.staging.folder)
        return self._report(0)

    def _report(self, removed: int) -> WriteReport:
        report = WriteReport(len([r for r in self.staged if r != MANIFEST]), self.unchanged, removed)
        self.staged = []
        self.unchanged = 0
        return report


@dataclass(frozen=True, slots=True)
class Journal:
    """What a commit is about to do: the files it moves in (and whether each replaces one) and the files it removes."""

    moves: list[tuple[str, bool]]
    removes: list[str]
    folders: list[str]
    """Folders to take away again on a roll back, deepest first: none since new folders move in whole (kept for the
    journals of earlier versions)."""

    def write(self, folder: Path) -> None:
        data = json.dumps({"moves": self.moves, "removes": self.removes, "folders": self.folders}).encode("utf-8", "surrogateescape")
        temp = folder / (JOURNAL + ".tmp")
        os.makedirs(folder, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, folder / JOURNAL)

    @classmethod
    def read(cls, folder: Path) -> Journal | None:
        try:
            data = json.loads((folder / JOURNAL).read_bytes().decode("utf-8", "surrogateescape"))
            return cls([(str(r), bool(e)) for r, e in data["moves"]], [str(r) for r in data["removes"]], [str(f) for f in data["folders"]])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return cls([], [], [])  # unreadable: it was being written, so nothing had moved yet

    def roll_back(self, output: Path, folder: Path) -> None:
        """Put every file the commit moved aside back, and take away every file it added."""
        tree = OutputTree(output)
        staging = Staging(output, folder)
        for relative in self.removes:
            _restore(staging.aside(relative), tree.path(relative))
        for relative, existed in reversed(self.moves):
            target = tree.path(relative)
            aside = staging.aside(relative)
            if os.path.lexists(aside):
                _restore(aside, target)
            elif not existed and os.path.lexists(target) and not os.path.lexists(staging.staged(relative)):
                _take_away(target)  # moved in by the commit, and there was nothing before it
        for made in self.folders:
            try:
                os.rmdir(tree.path(made))  # never through a link: rmdir refuses one
            except OSError:  # not made after all, or not empty
                pass


def recover(output: Path, folder: Path) -> None:
    """Roll back a commit that a killed process left half done (its journal is still there), then clear its staging."""
    journal = Journal.read(folder)
    if journal is not None:
        with signals_deferred():
            journal.roll_back(output, folder)
    if journal is not None or folder.exists():
        remove_staging(folder)


def _take_away(target: str) -> None:
    """Remove a file or a whole folder the commit moved into the output (a link is removed, never followed)."""
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    else:
        os.unlink(target)


def _restore(aside: str, target: str) -> None:
    if not os.path.lexists(aside):
        return
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    elif os.path.isdir(aside) and os.path.lexists(target):
        os.unlink(target)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(aside, target)


def _present(tree: OutputTree, relative: str) -> bool:
    try:
        target = tree.path(relative)
    except OutputError:
        return False
    return os.path.isfile(target) or os.path.islink(target)


def _commit_error(exc: BaseException, output: Path) -> BaseException:
    """What a failed commit tells the user: the file it could not move and why, and that nothing changed."""
    if not isinstance(exc, OSError):
        return exc
    where = display_path(Path(exc.filename)) if exc.filename else display_path(output)
    reason = exc.strerror or str(exc)
    return OutputError.single(
        where, f"cannot write the output ({reason}); the previous site was kept as it was",
        hint="make the output folder writable (or free some disk space) and build again",
    )


def _remove_empty_folders(output: Path, folders: Iterable[Path]) -> None:
    for folder in sorted(set(folders), key=lambda f: len(f.parts), reverse=True):
        while folder != output and output in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone)
                break
            folder = folder.parent


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


def _manifest_bytes(files: set[str]) -> bytes:
    return json.dumps({"generator": "digest", "files": sorted(files)}, indent=0).encode("utf-8")
