"""File events → `Changes` → a quiet period → one rebuild at a time.

Watches the content folder, the theme chain, the site's templates/ and static/,
and site.yaml; never the output folder. Editor debris and dotfiles are ignored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import Changes
from .config import CONFIG_NAME, SiteConfig
from .i18n import LOCALES
from .sources import is_ignored_name
from .theme import SITE_STATIC, SITE_TEMPLATES, THEME_FILE, Theme

QUIET_SECONDS = 0.03
"""How long the files must stay still after a save before a rebuild: long enough for an editor's save, short enough to feel instant."""

SAVE_PATHS = 2
"""A burst of up to this many paths is a save (the file, maybe a temporary one renamed over it) and waits `QUIET_SECONDS`."""

# A bigger burst is a bulk operation (a git checkout, an unzip). On a loaded machine its events can pause for longer
# than a save's quiet period, and the busier the machine, the longer the burst lasts; a rebuild of that many files
# costs far more than the wait. So it waits for the longest of:
BULK_QUIET_SECONDS = 0.1  # a floor for every bulk burst,
QUIET_PER_PATH = 0.0002  # this for each of its paths,
QUIET_PER_SECOND = 0.5  # and this for each second it has lasted so far;
BULK_QUIET_MAX = 1.0  # but never longer than this.


@dataclass(frozen=True, slots=True)
class WatchedFolders:
    """Which folders to watch, and what a changed path in them affects."""

    root: Path
    content_dir: Path
    output_dir: Path
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    theme_dirs: tuple[Path, ...]

    @classmethod
    def of(cls, config: SiteConfig, theme: Theme) -> "WatchedFolders":
        theme_dirs = tuple({d.parent for d in theme.template_dirs + theme.static_dirs + theme.locale_dirs} - {config.root})
        return cls(config.root, config.content_dir, config.output_dir, theme.template_dirs, theme.static_dirs, theme_dirs)

    def to_watch(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) pairs; the site root only shallowly, for site.yaml and new folders."""
        deep = {self.content_dir, *self.template_dirs, *self.static_dirs, *self.theme_dirs}
        for name in (SITE_TEMPLATES, SITE_STATIC, LOCALES):
            if (self.root / name).is_dir():
                deep.add(self.root / name)
        chosen = [(folder, True) for folder in sorted(deep) if folder.is_dir() and not any(p in deep for p in folder.parents)]
        return [(self.root, False)] + chosen

    def classify(self, paths: Iterable[Path]) -> Changes:
        """What the changed paths affect: content, templates, static files or the site's shape."""
        content: set[Path] = set()
        templates: set[Path] = set()
        static: set[Path] = set()
        config = False
        for path in paths:
            if self.ignored(path):
                continue
            if path == self.root / CONFIG_NAME or path.name == THEME_FILE and path.parent in self.theme_dirs:
                config = True
            elif _under(path, self.content_dir):
                content.add(path)
            elif any(_under(path, d) for d in self.template_dirs):
                templates.add(path)
            elif any(_under(path, d) for d in self.static_dirs):
                static.add(path)
            elif any(_under(path, folder / LOCALES) for folder in (self.root, *self.theme_dirs)):
                config = True  # a catalogue's words are on every page, and in the planner's names
            elif path.parent == self.root and path.name in (SITE_TEMPLATES, SITE_STATIC, LOCALES):
                config = True  # a new override folder changes the theme chain
            elif any(_under(path, self.root / name) for name in (SITE_TEMPLATES, SITE_STATIC)):
                config = True
        return Changes(frozenset(content), frozenset(templates), frozenset(static), config)

    def ignored(self, path: Path) -> bool:
        if path == self.output_dir or _under(path, self.output_dir):
            return True
        try:
            parts = path.relative_to(self.root).parts
        except ValueError:
            parts = (path.name,)
        return any(is_ignored_name(part) for part in parts)


def _under(path: Path, folder: Path) -> bool:
    return folder in path.parents


class _Collector(FileSystemEventHandler):
    def __init__(self, wake: Callable[[Iterable[Path]], None]) -> None:
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's listing changed: the file events say what changed in it
        paths = [Path(str(event.src_path))]
        dest = getattr(event, "dest_path", "")
        if dest:
            paths.append(Path(str(dest)))
        self.wake(paths)


class Watcher:
    """Runs `on_change(changes)` after each burst of file events, one call at a time.

    A burst ends once the files have been still for its quiet period. A save
    touches a path or two (besides editor debris) and waits `quiet`; a bulk
    operation touches many, and its quiet period grows with its paths and with
    the time it has lasted so far (`quiet_for`). Paths that arrive after the
    quiet period ended but before the rebuild is handed its changes join that
    rebuild, which then waits for stillness again.
    """

    def __init__(self, watched: WatchedFolders, on_change: Callable[[Changes], WatchedFolders | None], quiet: float = QUIET_SECONDS) -> None:
        self.watched = watched
        self.on_change = on_change
        self.quiet = quiet
        self.pending: set[Path] = set()
        self.counted = 0  # paths in `pending` that are not editor debris or dotfiles: the size of the burst
        self.first_event = 0.0
        self.last_event = 0.0
        self.lock = threading.Condition()
        self.stopped = False
        self.paused = True
        self.observer = Observer()
        self.thread = threading.Thread(target=self._loop, name="digest-rebuild", daemon=True)

    def start(self) -> None:
        """Start collecting events; they are acted on only after `resume`, so nothing saved meanwhile is lost."""
        self._schedule()
        self.observer.start()
        self.thread.start()

    def resume(self) -> None:
        with self.lock:
            self.paused = False
            self.lock.notify_all()

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            self.lock.notify_all()
        self.observer.stop()
        self.observer.join(timeout=5)
        self.thread.join(timeout=5)

    def quiet_for(self, paths: int, lasted: float) -> float:
        """How long a burst of `paths` paths that has gone on for `lasted` seconds must stay still."""
        if paths <= SAVE_PATHS:
            return self.quiet
        grown = max(BULK_QUIET_SECONDS, paths * QUIET_PER_PATH, lasted * QUIET_PER_SECOND)
        return max(self.quiet, min(grown, BULK_QUIET_MAX))

    def _schedule(self) -> None:
        self.observer.unschedule_all()
        handler = _Collector(self._wake)
        for folder, recursive in self.watched.to_watch():
            self.observer.schedule(handler, str(folder), recursive=recursive)

    def _wake(self, paths: Iterable[Path]) -> None:
        with self.lock:
            now = time.monotonic()
            idle = not self.pending
            if idle:
                self.first_event = now
            for path in paths:
                if path not in self.pending:
                    self.pending.add(path)
                    if not is_ignored_name(path.name):
                        self.counted += 1
            self.last_event = now
            if idle:  # a waiting quiet period rereads the clock when it ends; only an idle loop needs waking
                self.lock.notify_all()

    def _still(self) -> bool:
        """Wait (holding the lock) until the burst has been still for its quiet period; False if stopped first."""
        while not self.stopped:
            quiet = self.quiet_for(self.counted, self.last_event - self.first_event)
            left = self.last_event + quiet - time.monotonic()
            if left <= 0:
                return True
            self.lock.wait(left)
        return False

    def _loop(self) -> None:
        while True:
            with self.lock:
                while (self.paused or not self.pending) and not self.stopped:
                    self.lock.wait()
                if not self._still():
                    return
                paths, counted, first = self.pending, self.counted, self.first_event
                self.pending, self.counted = set(), 0
            changes = self.watched.classify(paths)
            with self.lock:
                if self.counted:  # the burst went on while it was sorted: its new paths join this rebuild, which waits again
                    self.counted = counted + sum(not is_ignored_name(path.name) for path in self.pending - paths)
                    self.pending |= paths
                    self.first_event = first
                    continue
            if changes:
                now_watched = self.on_change(changes)
                if now_watched is not None and now_watched != self.watched:
                    self.watched = now_watched
                    self._schedule()
