"""The preview server under load and abuse: real sockets against a real server.

A `digest serve` subprocess where its stderr or command line matters (one for
the module, with `--allowed-host preview.lan`); elsewhere the server `serve`
runs, made the same way (`bind_server`, `serve_in_background`) in this process,
with its timeouts shortened through `Limits` so no test waits ten seconds.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from digest.server import EVENTS_PATH, Limits, LiveState, PreviewHandler, PreviewServer, bind_server, serve_in_background
from tests.conftest import article, write_files
from tests.servers import Server, eventually, free_port, serve

SITE = "-- site.yaml --\ntitle: Test Digest\n" + article("pact", title="Israel signs defence pact with Morocco")
PACT_URL = "/2021/11/24/pact/"
BIG = 1024 * 1024  # bytes of static/big.bin: more than the socket buffers hold, so a client can leave mid-response
QUICK = Limits(head_seconds=0.5, idle_seconds=0.5)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `digest serve --allowed-host preview.lan` for the module; stopping it checks its stderr holds no traceback."""
    root = tmp_path_factory.mktemp("site")
    write_files(root, SITE)
    (root / "static").mkdir()
    (root / "static" / "big.bin").write_bytes(bytes(range(256)) * (BIG // 256))
    with serve(root, "--allowed-host", "preview.lan", watching=root / "content/articles/pact.md") as server:
        yield server
    assert "digest serve:" not in server.err.text, server.err.text  # not even a one-line report


@contextmanager
def preview(output: Path, host: str = "127.0.0.1", allowed: tuple[str, ...] = (), limits: Limits = QUICK) -> Iterator[PreviewServer]:
    """The server `digest serve` runs, over an `output` folder, answering in a background thread."""
    live = LiveState()
    server = bind_server(host, free_port(), output, "/", live, allowed, limits)
    serve_in_background(server)
    try:
        yield server
    finally:
        live.close()
        server.shutdown()
        server.server_close()


@pytest.fixture
def output(make_site) -> Path:  # type: ignore[no-untyped-def]
    site = make_site("-- site.yaml --\ntitle: Test Digest\nbase_url: https://news.example.org/\n" + article("pact"))
    return site.build().root


def ask(port: int, target: str = "/", host: str | None = None, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, str, str]:
    """(status, Content-Type, body) of one request, with `host` as its Host header (default: 127.0.0.1:port)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type", ""), answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def closed_after(sock: socket.socket, trickle: bytes = b"", every: float = 0.1, limit: float = 5.0) -> float:
    """Seconds until the server closes `sock`, while sending it `trickle` a byte every `every` seconds."""
    started = time.monotonic()
    sock.settimeout(every)
    while time.monotonic() - started < limit:
        try:
            if trickle:
                sock.sendall(trickle[:1])
                trickle = trickle[1:]
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:  # reset: closed all the same
            return time.monotonic() - started
    raise AssertionError(f"the server kept the connection open for {limit} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# -- under load --------------------------------------------------------------------


def test_fifty_clients_some_leaving_mid_response_some_trickling_headers(running: Server) -> None:
    """30 readers, 10 clients that leave in the middle of a 1 MB response, 10 that send their headers slowly;
    the readers stay fast, the slow ones are answered, and nobody's leaving prints anything."""
    port = running.port
    start = threading.Barrier(50, timeout=10)
    latencies: list[float] = []
    trickled: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def reader() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.connect()  # as a browser's open tab has: what is timed is answering, not starting a thread per connection
        start.wait()
        for _ in range(10):
            began = time.perf_counter()
            connection.request("GET", PACT_URL)
            answer = connection.getresponse()
            assert answer.status == 200 and b"Israel signs defence pact" in answer.read()
            with lock:
                latencies.append(time.perf_counter() - began)
        connection.close()

    def leaver(number: int) -> None:
        start.wait()
        for _ in range(3):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(f"GET /big.bin HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
            assert sock.recv(1000).startswith(b"HTTP/1.1 200 ")
            if number % 2:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, as a killed tab
            sock.close()

    def trickler() -> None:
        start.wait()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for byte in f"GET {PACT_URL} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n".encode():
                sock.sendall(bytes([byte]))
                time.sleep(0.01)
            answer = b"".join(iter(lambda: sock.recv(65536), b""))
        with lock:
            trickled.append(int(answer.split(b" ", 2)[1]))

    def run(task: Callable[..., None], *args: object) -> None:
        try:
            task(*args)
        except BaseException as exc:  # noqa: BLE001 - shown below
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(reader,)) for _ in range(30)]
    threads += [threading.Thread(target=run, args=(leaver, n)) for n in range(10)]
    threads += [threading.Thread(target=run, args=(trickler,)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert trickled == [200] * 10
    assert len(latencies) == 300
    assert percentile(latencies, 0.99) < 0.200, f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
    assert ask(port, PACT_URL)[0] == 200
    assert "Traceback" not in running.err.text and "Error" not in running.err.text, running.err.text


def test_requests_on_a_kept_alive_connection_cost_what_fresh_ones_do(running: Server) -> None:
    """Headers and body leave in one write, with TCP_NODELAY: no 40 ms wait for a delayed ACK from the second request on."""
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
    connection.connect()
    sock = connection.sock
    took = []
    for _ in range(50):
        began = time.perf_counter()
        connection.request("GET", PACT_URL)
        answer = connection.getresponse()
        assert answer.status == 200 and answer.getheader("Connection") != "close"
        answer.read()
        took.append(time.perf_counter() - began)
        assert connection.sock is sock  # one connection throughout
    connection.close()
    assert statistics.median(took) < 0.010, f"median {statistics.median(took) * 1000:.1f} ms"


def test_a_burst_of_connections_waits_in_the_listen_queue(output: Path) -> None:
    """200 connections at once are all queued by the kernel, none dropped to retry a second later."""
    server = bind_server("127.0.0.1", free_port(), output, "/", LiveState())  # bound, not yet accepting: the queue alone
    try:
        assert server.request_queue_size >= 128
        wanted = min(200, _somaxconn())
        sockets = [socket.socket() for _ in range(200)]
        for sock in sockets:
            sock.setblocking(False)
            sock.connect_ex(server.server_address)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            connected = sum(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 and _connected(sock) for sock in sockets)
            if connected >= wanted:
                break
            time.sleep(0.02)
        assert connected >= wanted
    finally:
        for sock in sockets:
            sock.close()
        server.server_close()


def _connected(sock: socket.socket) -> bool:
    try:
        sock.getpeername()
    except OSError:
        return False
    return True


def _somaxconn() -> int:
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        return 128


# -- timeouts and limits -----------------------------------------------------------


def test_a_client_that_trickles_its_headers_or_says_nothing_is_dropped(output: Path) -> None:
    with preview(output) as server:
        port = server.server_address[1]
        with socket.create_connection(("127.0.0.1", port)) as sock:
            head = f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX-Slow: {'a' * 100}\r\n\r\n".encode()
            assert 0.4 < closed_after(sock, trickle=head) < 1.5
        with socket.create_connection(("127.0.0.1", port)) as sock:
            assert 0.4 < closed_after(sock) < 1.5


def test_an_idle_kept_alive_connection_is_closed(output: Path) -> None:
    with preview(output) as server:
        port = server.server_address[1]
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.1)  # the rest of the page
            assert 0.3 < closed_after(sock) < 1.5


def test_slow_clients_hold_at_most_the_connection_limit_in_threads(output: Path) -> None:
    """30 silent clients against a limit of 8: 8 threads, 22 answers of 503, all gone after the header timeout.
    (`digest serve` allows 256 connections: a thousand slow clients hold 256 threads for 10 s, not 1,000 forever.)"""
    before = threading.active_count()
    with preview(output, limits=Limits(head_seconds=0.5, connections=8)) as server:
        port = server.server_address[1]
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(30)]
        answers = [sock.recv(4096) for sock in sockets[8:]]
        assert all(answer.startswith(b"HTTP/1.1 503 ") and b"too many connections" in answer for answer in answers), answers
        assert threading.active_count() <= before + 1 + 8  # the accepting thread and one per connection
        for sock in sockets[:8]:
            assert sock.recv(4096) == b""  # dropped at the header timeout
            sock.close()
        eventually(lambda: threading.active_count() <= before + 1, timeout=2, what="the connections' threads to end")
        assert ask(port)[0] == 200
        for sock in sockets[8:]:
            sock.close()


def test_live_reload_streams_are_limited_and_a_closed_one_frees_its_place(output: Path) -> None:
    with preview(output, limits=Limits(event_streams=2)) as server:
        port = server.server_address[1]
        first, second = (_open_stream(port) for _ in range(2))
        assert b"200 OK" in first.recv(4096) and b"200 OK" in second.recv(4096)
        status, kind, body = ask(port, EVENTS_PATH)
        assert (status, kind) == (503, "text/plain; charset=utf-8") and "live-reload" in body
        first.close()
        eventually(lambda: _stream_status(port) == 200, timeout=3, what="the closed stream's place to free")  # within a second
        second.close()


def _open_stream(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    return sock


def _stream_status(port: int) -> int:
    with _open_stream(port) as sock:
        return int(sock.recv(4096).split(b" ", 2)[1])


# -- whom it answers ---------------------------------------------------------------


def test_only_requests_addressed_to_this_machine_are_answered(running: Server) -> None:
    port = running.port
    for host in (f"localhost:{port}", "localhost", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST.", "preview.lan", f"Preview.LAN:{port}"):
        assert ask(port, PACT_URL, host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", "192.168.1.20", f"localhost.evil.example:{port}", "preview.lan.evil.example", "localhost:80x", ""):
        status, kind, body = ask(port, PACT_URL, host)
        assert (status, kind) == (403, "text/plain; charset=utf-8"), host
        assert "--allowed-host" in body and "Israel" not in body, host
    status, kind, body = ask(port, PACT_URL, "evil.example")
    assert body == (
        "digest serve answers only requests addressed to this machine, not to 'evil.example'.\n"
        "If you opened the preview under that name yourself, restart with --allowed-host 'evil.example'\n"
    )
    assert ask(port, PACT_URL, "evil.example", method="HEAD")[:2] == (403, "text/plain; charset=utf-8")


def test_a_request_without_host_is_answered(running: Server) -> None:
    """HTTP/1.0 without Host: no browser sends that, so no page can be behind it."""
    with socket.create_connection(("127.0.0.1", running.port), timeout=5) as sock:
        sock.sendall(f"GET {PACT_URL} HTTP/1.0\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 200 ")


def test_live_reload_refuses_pages_of_other_origins(running: Server) -> None:
    port = running.port
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", "file://"):
        status, _, body = ask(port, EVENTS_PATH, headers={"Origin": origin})
        assert status == 403 and "live-reload" in body, origin
    for origin in (f"http://localhost:{port}", f"http://127.0.0.1:{port}", "http://preview.lan"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: {origin}\r\n\r\n".encode())
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 "), origin


def test_bound_to_every_interface_any_address_is_answered_but_names_still_need_allowing(output: Path) -> None:
    with preview(output, host="0.0.0.0", allowed=("preview.lan",)) as server:
        port = server.server_address[1]
        for host in (f"192.168.1.20:{port}", "10.0.0.7", f"[fe80::1]:{port}", "0.0.0.0", "localhost", "preview.lan"):
            assert ask(port, "/", host)[0] == 200, host
        for host in ("evil.example", "192.168.1.20.nip.io"):
            assert ask(port, "/", host)[0] == 403, host


# -- errors ------------------------------------------------------------------------


def test_an_unexpected_error_is_a_500_and_one_line_on_stderr(output: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: PreviewHandler, raw_path: str) -> tuple[Path | None, str]:
        raise RuntimeError("boom")

    with preview(output) as server:
        monkeypatch.setattr(PreviewHandler, "locate", broken)
        status, kind, body = ask(server.server_address[1], "/boom")
        assert (status, kind) == (500, "text/plain; charset=utf-8")
        assert body == "digest serve could not answer this request: RuntimeError: boom\n"
        assert capsys.readouterr().err == "digest serve: 'GET /boom HTTP/1.1' failed: RuntimeError: boom\n"
