"""Timing primitives: a build as a child process (wall time + peak RSS), and a dev server's edit latency."""

from __future__ import annotations

import http.client
import os
import re
import resource
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools import CHILD_ENV, Tool


class ToolFailed(Exception):
    """A tool did not do what was asked; the message goes into the table as 'failed: …'."""


@dataclass(frozen=True, slots=True)
class BuildRun:
    seconds: float
    peak_rss_kib: int
    contention: float
    """Share of the machine's CPU that other processes used meanwhile (0 on an idle machine)."""
    output: str = ""
    """What the build printed (stdout and stderr), as written to its log file."""


def timed_build(cmd: list[str], cwd: Path, log_file: Path, timeout: float) -> BuildRun:
    """Run one build to completion; wall time from spawn to exit, peak RSS from wait4().

    wait4() returns the rusage of that one child (and any grandchildren it
    reaped), so ru_maxrss is that build's own peak resident set, in KiB on Linux.
    """
    with log_file.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        offset = out.tell()
        watch = CpuWatch()
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=CHILD_ENV)
        except OSError as exc:
            raise ToolFailed(f"cannot start {cmd[0]}: {exc}") from None
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    with log_file.open("rb") as log:
        log.seek(offset)
        output = log.read().decode("utf-8", errors="replace")
    if proc.returncode != 0:
        reason = "timed out" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
        raise ToolFailed(f"{reason}: {_reason(output)}")
    return BuildRun(seconds, usage.ru_maxrss, watch.foreign_share(), output)


ERROR_AT = re.compile(r"(?:^|\s)(\S+:\d+:\d+: .+)")
"""digest's error lines, `site.yaml:4:1: unknown key 'markdown'`, also as a traceback's last line (with --debug)."""


def _reason(output: str) -> str:
    """The line that says why a build failed: the first `path:line:col: message`, else the last line printed."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    located = [m.group(1) for m in map(ERROR_AT.search, lines) if m]
    chosen = located[0] if located else lines[-1] if lines else "no output"
    return chosen[:160]


STAGE_LINE = re.compile(r"^  ([a-z][a-z ]*[a-z]): ([0-9.]+) ms$", re.M)
SUMMARY_LINE = re.compile(r"^Built \d+ pages .* in ([0-9.]+) s ", re.M)
TOTAL = "total (digest's own)"


def digest_stages(output: str) -> dict[str, float]:
    """ms per stage from `digest build --debug` output, in the order printed, plus digest's own total.

    A stage printed twice (a rebuild that plans twice) counts with its sum.
    """
    stages: dict[str, float] = {}
    for name, ms in STAGE_LINE.findall(output):
        stages[name] = stages.get(name, 0.0) + float(ms)
    summary = SUMMARY_LINE.search(output)
    if summary:
        stages[TOTAL] = float(summary.group(1)) * 1000
    return stages


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (from /proc/stat), 0 where unknown."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process and every child it has waited for."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


class CpuWatch:
    """CPU time other processes use from now on: the machine's busy time minus this process's and its reaped children's.

    Children still running are not counted as ours until reaped, so use it only
    while none are (around a build, or to wait for a quiet machine).
    """

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.busy = busy_cpu_seconds()
        self.own = own_cpu_seconds()

    def foreign_share(self) -> float:
        elapsed = time.monotonic() - self.started
        if elapsed <= 0:
            return 0.0
        foreign = (busy_cpu_seconds() - self.busy) - (own_cpu_seconds() - self.own)
        return max(0.0, foreign / (elapsed * (os.cpu_count() or 1)))


@dataclass
class Quiet:
    """Waits for a quiet machine before each build and counts the builds that did not get one."""

    max_wait: float
    threshold: float = 0.10
    builds: int = 0
    contended: int = 0
    waited: float = 0.0

    def wait(self) -> None:
        """Until other processes use under `threshold` of the CPU for one second, or `max_wait` has passed."""
        deadline = time.monotonic() + self.max_wait
        started = time.monotonic()
        while time.monotonic() < deadline:
            watch = CpuWatch()
            time.sleep(1.0)
            if watch.foreign_share() < self.threshold:
                break
        self.waited += time.monotonic() - started

    def record(self, run: BuildRun) -> BuildRun:
        self.builds += 1
        if run.contention > 2 * self.threshold:
            self.contended += 1
        return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    """The body at `url`, or None while it is not there (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            data: bytes = response.read()
            return data.decode("utf-8", errors="replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return None  # not served yet, or caught mid-write (a short read)


class DevServer:
    """A tool's dev server in its own process group; output collected line by line."""

    def __init__(self, tool: Tool, site: Path, log_file: Path) -> None:
        self.tool = tool
        self.port = free_port()
        self.lines: list[str] = []
        self.counts: dict[str, int] = {}
        self.seen_at: dict[str, float] = {}
        """When (time.perf_counter()) a line containing each watched text was last read."""
        self.lock = threading.Lock()
        self.log = log_file.open("a", encoding="utf-8")
        cmd = tool.serve_cmd(site, self.port)
        self.log.write(f"\n$ {' '.join(cmd)}\n")
        self.proc = subprocess.Popen(
            cmd, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=CHILD_ENV, start_new_session=True, text=True, errors="replace", bufsize=1,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        """Count the lines that matter and keep the last few; request logs are not written to the log file."""
        assert self.proc.stdout is not None
        watched = (*self.tool.ready, self.tool.rebuilt)
        for line in self.proc.stdout:
            with self.lock:
                for text in watched:
                    if text in line:
                        self.counts[text] = self.counts.get(text, 0) + 1
                        self.seen_at[text] = time.perf_counter()
                self.lines.append(line)
                del self.lines[:-20]
            if '"GET ' not in line:
                self.log.write(line)
                self.log.flush()

    def count(self, text: str) -> int:
        """How many lines containing `text` (one of the tool's ready or rebuilt texts) were printed."""
        with self.lock:
            return self.counts.get(text, 0)

    def last_seen(self, text: str) -> float:
        """When (time.perf_counter()) the last line containing `text` was read; 0 if never."""
        with self.lock:
            return self.seen_at.get(text, 0.0)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, path: str, timeout: float) -> None:
        """Until every ready line was printed and `path` answers; then a moment for watchers to start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ToolFailed(f"dev server exited with {self.proc.returncode}: {self.tail()}")
            if all(self.count(text) for text in self.tool.ready) and fetch(self.url(path)) is not None:
                time.sleep(1.0)
                return
            time.sleep(0.05)
        raise ToolFailed(f"dev server not ready after {timeout:.0f} s: {self.tail()}")

    def wait_rebuilt(self, before: int, timeout: float) -> None:
        """Until the server printed one more 'rebuilt' line than `before` (or `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.count(self.tool.rebuilt) <= before:
            time.sleep(0.01)

    def tail(self) -> str:
        with self.lock:
            lines = [line.strip() for line in self.lines if line.strip()]
        return lines[-1][:160] if lines else "no output"

    def stop(self) -> None:
        """SIGINT to the group (Ctrl-C), then SIGKILL whatever is left after 10 s."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGINT)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # pelican's worker processes, if any survived
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.reader.join(timeout=5)
        self.log.close()


def edit_latency(
    server: DevServer, path: str, write: Callable[[int], str], samples: int, *,
    poll_every: float, timeout: float, budget: float,
) -> list[float]:
    """Write edit i (`write(i)` returns the text that proves it), poll `path` until it shows; seconds per edit.

    After each edit the server gets to finish its rebuild and a quiet 0.3 s, so
    one edit's rebuild never delays the next. Stops early (after at least three
    edits) once `budget` seconds are spent; gives up after three timeouts.
    """
    url = server.url(path)
    latencies: list[float] = []
    timeouts = 0
    started = time.monotonic()
    for i in range(samples):
        if len(latencies) >= 3 and time.monotonic() - started > budget:
            break
        rebuilt_before = server.count(server.tool.rebuilt)
        t0 = time.perf_counter()
        proof = write(i)
        deadline = t0 + timeout
        while True:
            body = fetch(url)
            now = time.perf_counter()
            if body is not None and proof in body:
                latencies.append(now - t0)
                break
            if now > deadline:
                timeouts += 1
                break
            if server.proc.poll() is not None:
                raise ToolFailed(f"dev server exited with {server.proc.returncode}: {server.tail()}")
            time.sleep(poll_every)
        if timeouts >= 3:
            raise ToolFailed(f"edit not served within {timeout:.0f} s ({len(latencies)} of {i + 1} edits were)")
        server.wait_rebuilt(rebuilt_before, timeout)
        time.sleep(0.3)
    if not latencies:
        raise ToolFailed(f"no edit was served within {timeout:.0f} s")
    return latencies


def all_pages_latency(
    server: DevServer, paths: list[str], write: Callable[[int], str], samples: int, *,
    check: Callable[[str], str], poll_every: float, timeout: float, budget: float,
) -> list[float]:
    """An edit that changes every page: seconds from write(i) until every one of `paths` serves the proof *and* the
    server has printed its rebuilt line (it prints it once the whole rebuild is in place), whichever comes later.

    `check(proof)` runs after each edit, outside the timed span, and returns why the edit did not reach every page
    ("" when it did). Stops early (after at least three edits) once `budget` seconds are spent.
    """
    latencies: list[float] = []
    started = time.monotonic()
    for i in range(samples):
        if len(latencies) >= 3 and time.monotonic() - started > budget:
            break
        rebuilt_before = server.count(server.tool.rebuilt)
        t0 = time.perf_counter()
        proof = write(i)
        deadline = t0 + timeout
        waiting = list(paths)
        while waiting:
            body = fetch(server.url(waiting[0]))
            now = time.perf_counter()
            if body is not None and proof in body:
                waiting.pop(0)
                continue
            if now > deadline:
                raise ToolFailed(f"{waiting[0]} did not show the edit within {timeout:.0f} s")
            if server.proc.poll() is not None:
                raise ToolFailed(f"dev server exited with {server.proc.returncode}: {server.tail()}")
            time.sleep(poll_every)
        served = time.perf_counter()
        server.wait_rebuilt(rebuilt_before, max(0.0, deadline - served))
        if server.count(server.tool.rebuilt) <= rebuilt_before:
            raise ToolFailed(f"no rebuild line within {timeout:.0f} s")
        latencies.append(max(served, server.last_seen(server.tool.rebuilt)) - t0)
        missing = check(proof)
        if missing:
            raise ToolFailed(missing)
        time.sleep(0.3)
    return latencies
