"""Pagefind, driven through its Python API: finding its binary, indexing a folder of pages into a bundle, stopping it.

The API talks to Pagefind's process through a pipe and, as shipped, waits forever for an answer from a process that
ended, and terminates the process before it has finished writing; both are handled here. Pagefind runs in a thread
of its own with its own event loop, so a caller that runs one already (an async program, Playwright) can build.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import os
import signal
import threading
import zlib
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .config import CONFIG_NAME, SiteConfig
from .errors import DigestError, Location, Problem, display_path

if TYPE_CHECKING:
    from pagefind.service import PagefindService

PACKAGE = "pagefind[bin]"
"""What to install for the indexer: the Python API and the wheel that ships Pagefind's binary."""
FINISH_SECONDS = 600
QUIET_SECONDS = 0.5
"""How long the bundle's files must stay unchanged before Pagefind is let go (see `settled`)."""
POLL_SECONDS = 0.1
GZIP_MAGIC = b"\x1f\x8b"
"""How long Pagefind may take to finish writing its files once it said it wrote them."""
T = TypeVar("T")


class SearchError(DigestError):
    """The search index cannot be made: its indexer is missing, or failed."""


class IndexStopped(Exception):
    """A search index was stopped before its commit (by a rebuild that will make it again)."""


class Stop:
    """Asks an index under way to stop: its Pagefind process is killed, and nothing of it is committed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requested = False
        self.pid: int | None = None

    def watch(self, process: asyncio.subprocess.Process) -> None:
        with self.lock:
            self.pid = process.pid
            if self.requested:
                os.kill(process.pid, signal.SIGKILL)

    def release(self, process: asyncio.subprocess.Process) -> None:
        """The process has ended: its id is no longer its own to kill."""
        with self.lock:
            if self.pid == process.pid:
                self.pid = None

    def __call__(self) -> None:
        with self.lock:
            self.requested = True
            if self.pid is not None:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def check(self) -> None:
        if self.requested:
            raise IndexStopped()


def indexer_version() -> str:
    """Pagefind's version, read from the wheel that ships its binary ('' when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind-bin")
    except PackageNotFoundError:
        return ""


def find_indexer(config: SiteConfig) -> Path:
    """Pagefind's binary; a `SearchError` at site.yaml's `search:` line, naming the package to install, when it is missing."""
    binary: Path | None = None
    if importlib.util.find_spec("pagefind") is not None:
        from pagefind.service import get_executable

        try:
            binary = get_executable()
        except FileNotFoundError:  # pagefind_bin installed without its binary
            binary = None
    if binary is None or not binary.is_file():
        where = search_location(config)
        raise SearchError([Problem(
            where, f"search needs Pagefind's indexer, which is not installed (the Python package '{PACKAGE}')", "search",
            f"install it: pip install '{PACKAGE}', or turn search off: search: {{enabled: false}}",
        )])
    return binary


def search_location(config: SiteConfig) -> Location:
    """Where site.yaml turns search on (read again only for this error's sake)."""
    from .yamlfile import parse_yaml

    path = display_path(config.root / CONFIG_NAME)
    try:
        doc = parse_yaml((config.root / CONFIG_NAME).read_text(encoding="utf-8"), path)
        spot = doc.keys.get(("search",)) or doc.spot(("search",))
    except (OSError, UnicodeDecodeError, DigestError):
        return Location(path)
    return Location(path, spot.line, spot.col)


def run_pagefind(pages: Path, bundle: Path, language: str, stop: Stop | None = None) -> int:
    """Index every HTML file under `pages` (its URL is its path there) into a bundle written to `bundle`; the page count.

    Pagefind's service answers through a pipe; should its process end (a crash, a binary that is no Pagefind), the
    request it owed would wait forever, so every request also waits for the process, and its end is an error.
    """
    from pagefind.service import PagefindService

    async def index() -> int:
        service = await PagefindService().launch()
        process = service._backend  # the indexer's process: the API offers no other way to see it end
        if stop is not None:
            stop.watch(process)
        try:
            pagefind = await until_ended(process, service.create_index({"force_language": language}))
            found = await until_ended(process, pagefind.add_directory(str(pages)))
            await until_ended(process, pagefind.write_files(str(bundle)))
            await settled(bundle, process)
            await finish(service, process)
            check_complete(bundle)
        except BaseException as exc:
            service._poll_task.cancel()
            if not isinstance(exc, SearchError):
                try:  # a request that failed because the process ended ("Connection lost"): say so
                    await asyncio.wait_for(process.wait(), 1)
                except TimeoutError:
                    pass
                else:
                    raise stopped(process) from None
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
        finally:
            if stop is not None:
                stop.release(process)
        return int(found["page_count"])

    try:  # in a thread of its own: the caller's thread may be running an event loop already (an async program, Playwright)
        with ThreadPoolExecutor(1, thread_name_prefix="pagefind") as pool:
            return pool.submit(lambda: asyncio.run(index())).result()
    except DigestError:
        if stop is not None and stop.requested:
            raise IndexStopped() from None
        raise
    except Exception as exc:  # Pagefind answers a bad request with a bare Exception carrying its message
        raise SearchError.single(display_path(pages), f"Pagefind could not index the article pages: {exc}",
                                 hint="build again with --debug for the whole story") from None


async def finish(service: PagefindService, process: asyncio.subprocess.Process) -> None:
    """Let Pagefind end by itself, at the end of its input. It answers a request to write the bundle before the last
    bytes of each file are written (its writes go on in threads of its own, which it finishes on its way out); the
    API's own `close` terminates it at once, which can leave a file cut short."""
    service._poll_task.cancel()
    assert process.stdin is not None
    process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), FINISH_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise SearchError.single(Path(PACKAGE), f"Pagefind's indexer did not finish writing the index within {FINISH_SECONDS} s",
                                 hint="build again; if it happens again, reinstall pagefind[bin]") from None
    if process.returncode != 0:
        raise stopped(process)


async def settled(bundle: Path, process: asyncio.subprocess.Process) -> None:
    """Wait until no file of the bundle has changed for `QUIET_SECONDS`: Pagefind answers a request to write them
    before its writes are done, and on a busy machine ending it at once has left a file cut short."""
    waited, quiet, last = 0.0, 0.0, snapshot(bundle)
    while quiet < QUIET_SECONDS and waited < FINISH_SECONDS and process.returncode is None:
        await asyncio.sleep(POLL_SECONDS)
        waited += POLL_SECONDS
        now = snapshot(bundle)
        quiet = quiet + POLL_SECONDS if now == last else 0.0
        last = now


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file under `folder` with its size and time."""
    found = {}
    for path in folder.rglob("*"):
        try:
            info = path.stat()
        except OSError:
            continue
        found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


def check_complete(bundle: Path) -> None:
    """A `SearchError` if a compressed file of the bundle is cut short (its gzip trailer, length and CRC, says so)."""
    for path in sorted(bundle.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] != GZIP_MAGIC:
            continue
        try:
            gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise SearchError.single(
                display_path(path), "Pagefind left this index file incomplete", hint="build again; the previous site was kept",
            ) from None


async def until_ended(process: asyncio.subprocess.Process, request: Awaitable[T]) -> T:
    """`request`'s answer, or a `SearchError` if Pagefind's process ends first."""
    answer = asyncio.ensure_future(request)
    ended = asyncio.ensure_future(process.wait())
    await asyncio.wait({answer, ended}, return_when=asyncio.FIRST_COMPLETED)
    if answer.done():
        ended.cancel()
        return answer.result()
    answer.cancel()
    raise stopped(process)


def stopped(process: asyncio.subprocess.Process) -> DigestError:
    """The error of a Pagefind process that ended before it answered."""
    return SearchError.single(
        Path(PACKAGE), f"Pagefind's indexer stopped (exit code {process.returncode}) before it answered",
        hint="reinstall it (pip install --force-reinstall 'pagefind[bin]'), or check PAGEFIND_BINARY_PATH",
    )
