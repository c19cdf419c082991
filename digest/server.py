"""The preview server: serves the output folder, reloads browsers, shows build errors.

Only files inside the output folder are ever served (after decoding, with
symlinks resolved); folders are never listed; misses get the theme's 404 page.
The reload script is added to HTML responses here, never to the built files.

Only requests addressed to this machine are answered (see `HostPolicy`), so a
web page cannot read the preview through DNS rebinding. What one client may
take is bounded (see `Limits`): a connection that trickles its request or sits
idle is closed, and beyond a fixed number of connections, each with its own
thread, the server answers 503 instead of starting another thread.
"""

from __future__ import annotations

import contextlib
import errno
import io
import ipaddress
import json
import mimetypes
import posixpath
import secrets
import select
import socket
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

EVENTS_PATH = "/__digest__/events"
PORT_TRIES = 20
KEEPALIVE_SECONDS = 15.0
"""How long a kept-alive connection may wait for its next request, and how often an event stream says it is alive."""
STREAM_CHECK_SECONDS = 1.0
"""How soon an event stream notices that its page was closed."""
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
GONE_ERRNOS = frozenset({errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ENOTCONN, errno.ESHUTDOWN, errno.ETIMEDOUT})


@dataclass(frozen=True, slots=True)
class Limits:
    """What one client may take of the preview server; tests shorten the times."""

    head_seconds: float = 10.0  # for a request line and headers, from a fresh connection's start or a request's first byte
    idle_seconds: float = KEEPALIVE_SECONDS  # for a kept-alive connection's next request to begin
    send_seconds: float = 30.0  # for a client to take in one whole response (or event)
    connections: int = 256  # open at once, one thread each; beyond that, 503 and closed
    event_streams: int = 64  # live-reload streams among those connections; beyond that, 503


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """The host names a request may be addressed to (its Host header, an event stream's Origin).

    A page on another site can make a browser send requests here under the
    page's own name (DNS rebinding); naming only this machine refuses them.
    """

    names: frozenset[str]
    any_address: bool  # bound to every interface: any IP literal is this machine or one on its network

    @classmethod
    def serving(cls, host: str, bound: str, allowed: Iterable[str] = ()) -> HostPolicy:
        """The policy for a server asked to listen on `host`, which bound address `bound`, plus the `allowed` names
        (each a name or an address, with or without a port)."""
        given = (host.strip("[]"), bound, *(host_name(name) or name.strip("[]") for name in allowed))
        return cls(LOOPBACK_NAMES | {canonical(name) for name in given if name}, host in WILDCARD_ADDRESSES)

    def allows(self, authority: str) -> bool:
        """Whether a Host header's value (`name` or `name:port`, IPv6 in brackets) is one of ours."""
        name = host_name(authority)
        if name is None:
            return False
        address = ip_literal(name)
        return (address or name) in self.names or (address is not None and self.any_address)


def host_name(authority: str) -> str | None:
    """The host of `name[:port]` or `[v6][:port]`, lower case, without a final dot; None if it is not one."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        name, bracket, rest = authority[1:].partition("]")
        if not bracket:
            return None
    else:
        name, colon, port = authority.partition(":")
        rest = colon + port
    if rest and not (rest[0] == ":" and (rest[1:] == "" or (rest[1:].isascii() and rest[1:].isdigit()))):
        return None
    name = name.removesuffix(".")
    return name or None


def ip_literal(name: str) -> str | None:
    """`name` as an IP address is written canonically (`fe80:0::1` is `fe80::1`), or None for a name."""
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return None


def canonical(name: str) -> str:
    name = name.lower().removesuffix(".")
    return ip_literal(name) or name


def client_went_away(error: BaseException | None) -> bool:
    """A closed tab, a spare socket a browser opened ahead, a client too slow to finish: nothing to report."""
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    return isinstance(error, OSError) and error.errno in GONE_ERRNOS


RELOAD_SCRIPT = """<script id="digest-live">(() => {
  const loadedBuild = "%(build)s";
  let source;
  function overlay(text) {
    let box = document.getElementById("digest-error");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "digest-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(box);
    }
    box.innerHTML = "<h2 style='color:#ff8a80;font:600 18px system-ui,sans-serif;margin:0 0 1rem'>digest: the last build failed</h2><pre style='white-space:pre-wrap;margin:0'></pre><p style='font:14px system-ui,sans-serif;color:#bbb'>The page shows the last good build. Fix the file and save; this page reloads by itself.</p>";
    box.querySelector("pre").textContent = text;
  }
  function connect() {
    source = new EventSource("%(events)s");
    source.addEventListener("hello", (e) => {
      const state = JSON.parse(e.data);
      if (state.error) overlay(state.error);
      else if (state.build !== loadedBuild) location.reload();  // rebuilt, or a new server since this page loaded
      else overlay("");
    });
    source.addEventListener("reload", () => location.reload());
    source.addEventListener("error-report", (e) => overlay(JSON.parse(e.data).error));
    source.onerror = () => { source.close(); setTimeout(connect, 500); };
  }
  connect();
})();</script>"""


class LiveState:
    """The build number and the last error, shared with every open page."""

    def __init__(self) -> None:
        self.session = secrets.token_hex(4)  # tells pages a restarted server from the one that served them
        self.build = 0
        self.error = ""
        self.changed = threading.Condition()
        self.closing = False

    def built(self) -> None:
        with self.changed:
            self.build += 1
            self.error = ""
            self.changed.notify_all()

    def failed(self, report: str) -> None:
        with self.changed:
            self.error = report
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # connections the kernel queues until accepted; at socketserver's 5, a burst's extra SYNs were dropped and retried a second later

    def __init__(
        self, address: tuple[str, int], output: Path, base_path: str, live: LiveState,
        allowed_hosts: Iterable[str] = (), limits: Limits = Limits(),
    ) -> None:
        self.output = output.resolve()
        self.base_path = base_path
        self.live = live
        self.limits = limits
        self.connections = threading.BoundedSemaphore(limits.connections)
        self.event_streams = threading.BoundedSemaphore(limits.event_streams)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)
        self.hosts = HostPolicy.serving(address[0], str(self.server_address[0]), allowed_hosts)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Answer in a thread of its own, unless `limits.connections` are open already: then 503, no thread."""
        if not self.connections.acquire(blocking=False):
            turn_away(request, BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connections.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is no error; anything else is one line on stderr, not a traceback."""
        error = sys.exc_info()[1]
        if not client_went_away(error):
            report_error(f"a connection from {client_address}", error)


def report_error(what: str, error: BaseException | None) -> None:
    print(f"digest serve: {what} failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)


def shown(value: str) -> str:
    """A client's header value, quoted and cut short, for a plain-text answer."""
    return repr(value if len(value) <= 100 else value[:100] + "…")


BUSY_TEXT = b"digest serve has too many connections open; try again.\n"
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(BUSY_TEXT), BUSY_TEXT)
)


def turn_away(request: socket.socket, answer: bytes) -> None:
    """Say `answer` without waiting on the client: the accepting thread must not block."""
    try:
        request.setblocking(False)
        try:
            request.recv(65536)  # what already came: closing with unread bytes would reset the connection before the answer is read
        except BlockingIOError:
            pass
        request.send(answer)
    except OSError:
        pass


def bind_server(
    host: str, port: int, output: Path, base_path: str, live: LiveState,
    allowed_hosts: Iterable[str] = (), limits: Limits = Limits(),
) -> PreviewServer:
    """Bind `port`, or the next free one, without answering yet: browsers that connect wait until `serve_in_background`.

    Requests are answered when addressed to `host`, this machine's loopback
    names or one of `allowed_hosts` (see `HostPolicy`); `limits` bound what each client may take.
    """
    last_error: OSError | None = None
    for candidate in range(port, port + PORT_TRIES):
        try:
            return PreviewServer((host, candidate), output, base_path, live, allowed_hosts, limits)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            last_error = exc
    raise OSError(errno.EADDRINUSE, f"ports {port}-{port + PORT_TRIES - 1} are all taken") from last_error


def serve_in_background(server: PreviewServer) -> threading.Thread:
    """Answer requests from now on, in a background thread."""
    thread = threading.Thread(target=server.serve_forever, name="digest-server", daemon=True)
    thread.start()
    return thread


class RequestHeadReader(io.RawIOBase):
    """A socket's bytes, read against one deadline for a whole request head rather than one per read:
    a client sending a byte a second would otherwise keep its connection, and its thread, forever."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline: float | None = None
        self.after_first_byte: float | None = None

    def readable(self) -> bool:
        return True

    def expect_head(self, within: float, then: float | None = None) -> None:
        """The head must be in within `within` seconds, or, with `then`, begin within `within` and end `then` seconds after."""
        self.deadline = time.monotonic() + within
        self.after_first_byte = then

    def head_read(self) -> None:
        self.deadline = self.after_first_byte = None

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request's head did not come in time")
            self.sock.settimeout(left)
        count = self.sock.recv_into(buffer)
        if count and self.after_first_byte is not None:
            self.deadline, self.after_first_byte = time.monotonic() + self.after_first_byte, None
        return count


class ResponseWriter(io.BufferedIOBase):
    """Holds what a handler writes until it flushes, then sends it in one piece.

    A header sent apart from its body waits for the client's delayed ACK
    (Nagle), some 40 ms on every request of a kept-alive connection but the first.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.parts: list[bytes] = []
        self.sends = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        part = data if isinstance(data, bytes) else bytes(data)
        self.parts.append(part)
        return len(part)

    def flush(self) -> None:
        if self.parts:
            data = b"".join(self.parts)
            self.parts.clear()  # before sending: a client gone now must not be sent to again on close
            self.sends += 1
            self.sock.sendall(data)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.connection = self.request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.head = RequestHeadReader(self.connection)
        self.rfile = io.BufferedReader(self.head)
        self.wfile = self.out = ResponseWriter(self.connection)
        self.answered = 0

    def handle(self) -> None:
        """Requests until the client closes, goes quiet or errs; an error is one line on stderr, a client gone none."""
        try:
            super().handle()
        except Exception as exc:
            self.close_connection = True
            if client_went_away(exc):
                return
            report_error(repr(self.requestline) if self.requestline else "a request", exc)
            if self.out.sends == self.sends_before:  # nothing of the answer has left: say what went wrong instead
                self.out.parts.clear()
                with contextlib.suppress(OSError):
                    self.plain(HTTPStatus.INTERNAL_SERVER_ERROR, f"digest serve could not answer this request: {type(exc).__name__}: {exc}\n")
                    self.wfile.flush()

    def handle_one_request(self) -> None:
        limits = self.server.limits
        if self.answered:
            self.head.expect_head(limits.idle_seconds, then=limits.head_seconds)
        else:
            self.head.expect_head(limits.head_seconds)
        self.answered += 1
        self.sends_before = self.out.sends
        super().handle_one_request()

    def parse_request(self) -> bool:
        """Read the headers; answer only requests addressed to this machine."""
        parsed = super().parse_request()
        self.head.head_read()
        self.connection.settimeout(self.server.limits.send_seconds)
        if not parsed:
            return False
        hosts = self.headers.get_all("Host") or []  # none at all: no browser, so no rebinding either
        foreign = next((host for host in hosts if not self.server.hosts.allows(host)), None)
        if foreign is not None:
            self.plain(HTTPStatus.FORBIDDEN, (
                f"digest serve answers only requests addressed to this machine, not to {shown(foreign)}.\n"
                f"If you opened the preview under that name yourself, restart with --allowed-host {shown(host_name(foreign) or foreign)}\n"
            ))
            return False
        return True

    def plain(self, status: HTTPStatus, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if status == HTTPStatus.SERVICE_UNAVAILABLE:
            self.send_header("Retry-After", "1")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
        return

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == EVENTS_PATH:
            self.stream_events()
        else:
            self.respond(head=False)

    # -- files -----------------------------------------------------------------

    def respond(self, head: bool) -> None:
        target, redirect = self.locate(urlsplit(self.path).path)
        if redirect:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if target is None:
            status = HTTPStatus.NOT_FOUND
            missing = self.server.output / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<!doctype html><title>Not found</title><h1>Not found</h1>"
            kind = "text/html"
        else:
            body = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = self.inject(body)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "application/xml", "image/svg+xml"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def locate(self, raw_path: str) -> tuple[Path | None, str]:
        """The file for a URL path inside the output folder, or (None, redirect-or-'')."""
        path = unquote(raw_path, errors="replace") if "%" in raw_path else raw_path  # bad escapes become U+FFFD: a miss
        base = self.server.base_path
        if "\x00" in path or "\\" in path or not path.startswith("/"):
            return None, ""
        if not path.startswith(base):
            return (None, base) if path in ("/", base.rstrip("/")) else (None, "")
        relative = path[len(base) :]
        parts = [p for p in relative.split("/") if p]
        if any(p in (".", "..") for p in parts) or posixpath.isabs(relative):
            return None, ""
        output = self.server.output
        candidate = output.joinpath(*parts) if parts else output
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, ""
        if resolved != output and output not in resolved.parents:
            return None, ""
        if resolved.is_dir():
            index = resolved / "index.html"
            if not index.is_file():
                return None, ""
            if not path.endswith("/"):
                return None, path + "/"
            return index, ""
        return (resolved, "") if resolved.is_file() else (None, "")

    def inject(self, body: bytes) -> bytes:
        live = self.server.live
        script = (RELOAD_SCRIPT % {"build": f"{live.session}-{live.build}", "events": EVENTS_PATH}).encode("utf-8")
        marker = body.rfind(b"</body>")
        return body[:marker] + script + body[marker:] if marker >= 0 else body + script

    # -- live reload -------------------------------------------------------------

    def stream_events(self) -> None:
        """Events for one open page, while it is open; only for pages of an allowed origin, and only so many at once."""
        origin = self.headers.get("Origin")
        if origin is not None and not self.server.hosts.allows(urlsplit(origin).netloc if "://" in origin else ""):
            self.plain(HTTPStatus.FORBIDDEN, (
                f"digest serve sends live-reload events only to its own pages, not to {shown(origin)}.\n"
                "If you opened the preview under another name yourself, restart with --allowed-host NAME\n"
            ))
            return
        if not self.server.event_streams.acquire(blocking=False):
            self.plain(HTTPStatus.SERVICE_UNAVAILABLE, f"digest serve has {self.server.limits.event_streams} live-reload streams open already.\n")
            return
        try:
            self.send_events()
        finally:
            self.server.event_streams.release()

    def send_events(self) -> None:
        live = self.server.live
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            with live.changed:
                build, error = live.build, live.error
            self.send_event("hello", {"build": f"{live.session}-{build}", "error": error})
            said = time.monotonic()
            while True:
                with live.changed:
                    live.changed.wait_for(lambda: live.closing or (live.build, live.error) != (build, error), timeout=STREAM_CHECK_SECONDS)  # noqa: B023 - waited on here
                    if live.closing:
                        return
                    now = (live.build, live.error)
                if now == (build, error):
                    if self.peer_closed():
                        return  # a closed tab gives its place among the streams back now, not at the next keep-alive
                    if time.monotonic() - said >= KEEPALIVE_SECONDS:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                        said = time.monotonic()
                    continue
                if now[1]:
                    self.send_event("error-report", {"error": now[1]})
                elif now[0] != build:
                    self.send_event("reload", {"build": now[0]})
                build, error = now
                said = time.monotonic()
        except OSError as exc:
            if not client_went_away(exc):
                raise

    def peer_closed(self) -> bool:
        """Whether the client has closed its end (an event stream's client sends nothing after its request)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def send_event(self, name: str, data: object) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()

