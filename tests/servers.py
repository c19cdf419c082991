"""A real `digest serve` in a subprocess, for tests that edit files and fetch pages.

`serve(site_root)` starts `python -m digest serve --port <free port>`, waits for
its "Serving" line, and on leaving stops it with Ctrl-C (SIGINT), asserting a
clean exit. Output is read in threads, so tests can await a line with a timeout.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from tests.conftest import restore_ctrl_c

WAIT = 10.0  # seconds: the bound on every wait
SERVING = re.compile(r"^Serving (?P<output>\S+) at (?P<url>http://(?P<host>[^:/]+):(?P<port>\d+)(?P<base>/\S*)) — ")
REBUILD = re.compile(r"^(?P<what>.+): re-rendered (?P<rendered>\d+) of (?P<pages>\d+) pages in (?P<ms>\d+) ms(?:; search index (?:in (?P<index_ms>\d+) ms|left to the next rebuild))?$")

T = TypeVar("T")


def free_port() -> int:
    """A port nobody listens on right now (the server moves on by itself if it is taken meanwhile)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def eventually(check: Callable[[], T], timeout: float = WAIT, what: str = "the condition") -> T:
    """Poll `check` every 20 ms until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last value: {value!r}")
        time.sleep(0.02)


def edit(path: Path, *changes: tuple[str, str]) -> None:
    """Replace (old, new) pieces of a file and save it in place, as most editors' plain save does."""
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, f"{old!r} not in {path}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


class Lines:
    """The lines of a child's stream, collected by a thread so they can be awaited."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self.closed = False
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def __len__(self) -> int:
        with self.changed:
            return len(self.lines)

    def since(self, start: int = 0) -> list[str]:
        with self.changed:
            return self.lines[start:]

    @property
    def text(self) -> str:
        return "\n".join(self.since())

    def wait_for(self, pattern: str | re.Pattern[str], since: int = 0, timeout: float = WAIT) -> re.Match[str]:
        """The first line from index `since` on that matches `pattern` (searched, not anchored)."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self.changed:
            index = since
            while True:
                while index < len(self.lines):
                    found = regex.search(self.lines[index])
                    index += 1
                    if found:
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise AssertionError(f"no line matching {regex.pattern!r} within {timeout:.0f} s; got:\n" + "\n".join(self.lines))
                self.changed.wait(left)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Server:
    process: subprocess.Popen[str]
    out: Lines
    err: Lines
    root: Path
    url: str = ""
    host: str = ""
    port: int = 0
    serving_line: str = ""
    notes: list[str] = field(default_factory=list)

    # -- HTTP ------------------------------------------------------------------

    def get(self, path: str, timeout: float = 5.0) -> Response:
        """GET `path` with http.client (which normalises nothing that matters for ordinary paths)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            body = answer.read().decode("utf-8", "replace")
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, body)
        finally:
            connection.close()

    def raw(self, target: str, timeout: float = 5.0) -> Response:
        """Send `GET <target> HTTP/1.1` byte for byte, so hostile paths reach the server as written."""
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n\r\n".encode("latin-1")
        with socket.create_connection((self.host, self.port), timeout=timeout) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        data = b"".join(chunks)
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/"):
            raise AssertionError(f"no HTTP response to {target!r}: {data[:200]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Response(int(lines[0].split()[1]), headers, body.decode("utf-8", "replace"))

    def page(self, path: str, contains: str, timeout: float = WAIT) -> Response:
        """Wait until `path` answers 200 with `contains` in its body."""

        def check() -> Response | None:
            answer = self.get(path)
            return answer if answer.status == 200 and contains in answer.body else None

        return eventually(check, timeout, f"{path} to show {contains!r}")

    def status(self, path: str, status: int, timeout: float = WAIT) -> Response:
        """Wait until `path` answers `status`."""

        def check() -> Response | None:
            answer = self.get(path)
            return answer if answer.status == status else None

        return eventually(check, timeout, f"{path} to answer {status}")

    def events(self) -> "EventStream":
        return EventStream(self.host, self.port)

    # -- output ----------------------------------------------------------------

    def mark(self) -> int:
        """Where stdout is now; pass it to `rebuilds` / `wait_rebuild` to see only what follows."""
        return len(self.out)

    def rebuilds(self, since: int = 0) -> list[re.Match[str]]:
        return [m for line in self.out.since(since) if (m := REBUILD.match(line))]

    def wait_rebuild(self, since: int, what: str | None = None, timeout: float = WAIT) -> re.Match[str]:
        """The first "re-rendered" line after `since` (whose subject is `what`, if given)."""
        subject = re.escape(what) if what else ".+"
        return self.out.wait_for(
            rf"^(?P<what>{subject}): re-rendered (?P<rendered>\d+) of (?P<pages>\d+) pages in \d+ ms(?:; search index (?:in (?P<index_ms>\d+) ms|left to the next rebuild))?$",
            since, timeout,
        )

    def probe(self, path: Path) -> re.Match[str]:
        """Save `path` with its own bytes; the next rebuild line must name it alone, and is returned.

        The rebuild renders nothing and tells no browser to reload. Rebuilds run
        one at a time, in order, so a rebuild still owed for earlier changes
        shows first (or takes the save in with it) and fails the probe: a test
        that has seen the rebuild it expected probes to show nothing else follows.
        """
        start = self.mark()
        path.write_bytes(path.read_bytes())
        shown = path.relative_to(self.root).as_posix()
        line = self.wait_rebuild(start)
        assert line["what"] == shown, f"saved {shown}, but the next rebuild was {line.string!r}"
        return line

    def wait_until_watching(self, probe: Path) -> None:
        """Wait until the watcher demonstrably acts on a save: `probe(probe)`.

        One save is enough: `digest serve` starts watching before its first
        build and prints its Serving line only after that build, so no save
        made after that line is lost (test_serve.py,
        test_an_edit_saved_while_the_server_starts_is_not_lost, covers the
        saves made before it).
        """
        self.probe(probe)

    # -- stopping ----------------------------------------------------------------

    def stop(self) -> None:
        """Ctrl-C, as a person would; the server must exit 0 and print no traceback."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("digest serve did not stop within 10 s of Ctrl-C:\n" + self.err.text) from None
        self.out.thread.join(timeout=WAIT)
        self.err.thread.join(timeout=WAIT)
        assert "Traceback" not in self.err.text, self.err.text
        assert code == 0, f"digest serve exited {code}:\n{self.err.text}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT)


def start(root: Path, *args: str, port: int | None = None, stdout: int | IO[str] | None = None) -> Server:
    """Start `digest serve` in `root`; returns before the Serving line (see `serve`)."""
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "digest", "serve", "--port", str(port or free_port()), *args]
    process = subprocess.Popen(
        command, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env, preexec_fn=restore_ctrl_c,
    )
    out = Lines(process.stdout) if process.stdout is not None else None
    assert process.stderr is not None
    return Server(process, out, Lines(process.stderr), root)  # type: ignore[arg-type]


def await_serving(server: Server) -> Server:
    found = server.out.wait_for(SERVING)
    server.serving_line = found.string
    server.url, server.host, server.port = found["url"], found["host"], int(found["port"])
    return server


@contextmanager
def serve(root: Path, *args: str, port: int | None = None, watching: Path | None = None) -> Iterator[Server]:
    """A running `digest serve` for the site in `root`, stopped with Ctrl-C afterwards.

    Also waits until the watcher demonstrably runs, by rewriting `watching` (by
    default the first article) with its own bytes; a site without one skips that.
    """
    if watching is None:
        watching = next(iter(sorted((root / "content" / "articles").rglob("*.md"))), None)
    server = start(root, *args, port=port)
    try:
        await_serving(server)
        if watching is not None:
            server.wait_until_watching(watching)
        yield server
    except BaseException:
        server.kill()
        print(f"--- digest serve stdout ---\n{server.out.text}\n--- digest serve stderr ---\n{server.err.text}")  # shown on failure
        raise
    server.stop()


class EventStream:
    """A raw connection to the live-reload stream; `next(name)` returns that event's data."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=WAIT)
        self.sock.sendall(f"GET /__digest__/events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.buffer = b""
        self.seen: list[tuple[str, object]] = []
        head = self._until(b"\r\n\r\n", time.monotonic() + WAIT)
        self.status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.headers = head.decode("latin-1").lower()

    def _until(self, separator: bytes, deadline: float) -> bytes:
        while separator not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no complete event within {WAIT:.0f} s; saw {self.seen!r} and {self.buffer!r}")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise AssertionError(f"the event stream closed; saw {self.seen!r}")
            self.buffer += chunk
        block, self.buffer = self.buffer.split(separator, 1)
        return block

    def next(self, name: str, timeout: float = WAIT, where: Callable[[object], bool] = lambda data: True) -> object:
        """Skip events until one called `name` whose data satisfies `where`."""
        deadline = time.monotonic() + timeout
        while True:
            block = self._until(b"\n\n", deadline).decode("utf-8")
            fields = dict(line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":"))
            if "event" not in fields:
                continue  # a keep-alive comment
            data = json.loads(fields.get("data", "null"))
            self.seen.append((fields["event"], data))
            if fields["event"] == name and where(data):
                return data

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
