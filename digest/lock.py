"""One digest at a time per site: `build`, `serve` and `watch` hold `.digest-build/lock` while they work.

The lock is an advisory `flock` on a file, so the operating system releases it
when its holder exits, however it exits: a lock left by a killed process is
simply free. The file names its holder, for the message a second command prints.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from .errors import CommandError, display_path
from .output import work_dir

LOCK_FILE = "lock"


class SiteLock:
    """The site's lock; `acquire` waits for it (or refuses with `wait=False`), `release` or process exit frees it."""

    def __init__(self, root: Path, holder: str) -> None:
        self.path = work_dir(root) / LOCK_FILE
        self.holder = holder
        self.fd: int | None = None

    def acquire(self, *, wait: bool, say: Callable[[str], None]) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _read_holder(fd)
            if not wait:
                os.close(fd)
                raise CommandError.single(
                    display_path(self.path), f"{other} is working on this site", hint="wait for it to finish, or run without --no-wait to wait",
                ) from None
            say(f"Waiting for {other} to finish…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"digest {self.holder} (process {os.getpid()})".encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the file frees the lock
            self.fd = None

    def __enter__(self) -> SiteLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "another digest"
