"""Inline test sites (write files from one string, build them, read the output) and what every test shares:
`snapshot` and `full_snapshot` of a folder, `only_problem` of an error, `run_cli` and `start_cli` to run
digest's command line, and the `browser` of the browser tests."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from digest.build import Session, build_once
from digest.cli import main
from digest.config import Overrides
from digest.errors import DigestError, Problem
from digest.publish import BuildResult
from digest.site import BuildOptions

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytest_plugins = ["tests.plugins_golden", "tests.plugins_screenshots"]

REPO = Path(__file__).resolve().parents[1]
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
_FILE_HEADER = re.compile(r"^-- (.+?) --$", re.M)
CLI_TIMEOUT = 120
"""Seconds a `digest` command may run before the test gives up on it."""


def write_files(root: Path, text: str) -> None:
    """Write a txtar-like listing: `-- path --` lines followed by each file's text."""
    pieces = _FILE_HEADER.split(text)
    for name, body in zip(pieces[1::2], pieces[2::2]):
        path = root / name.strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.lstrip("\n"), encoding="utf-8")


@dataclass
class Output:
    root: Path
    result: BuildResult | None = None

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def exists(self, relative: str) -> bool:
        return (self.root / relative).exists()

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())


@dataclass
class InlineSite:
    root: Path

    def write(self, text: str) -> "InlineSite":
        write_files(self.root, text)
        return self

    def build(self, **options: object) -> Output:
        build_options = BuildOptions(
            drafts=bool(options.pop("drafts", False)), future=bool(options.pop("future", False)), now=FIXED_NOW
        )
        result = build_once(self.root, build_options, **options)  # type: ignore[arg-type]
        return Output(result.config.output_dir, result)

    def build_error(self, **options: object) -> DigestError:
        with pytest.raises(DigestError) as caught:
            self.build(**options)
        return caught.value

    @property
    def output(self) -> Output:
        return Output(self.root / "public")

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run `digest ARGS` in the site's folder, as a curator would: see `run_cli`."""
        return run_cli(self.root, *args, env=env)


def restore_ctrl_c() -> None:
    """In a child: Ctrl-C back to its default. A shell's `pytest &` runs the tests with it ignored, which children inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `python -m digest ARGS` in `folder` without waiting for it; its stdout and stderr are captured as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "digest", *args], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=restore_ctrl_c,
    )


def run_cli(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m digest ARGS` in `folder` to the end: its exit code, stdout and stderr."""
    process = start_cli(folder, *args, env=env)
    try:
        stdout, stderr = process.communicate(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Each file under `folder` with its bytes, by path relative to `folder`: what a site's reader gets."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_snapshot(root: Path, folder: Path) -> dict[str, bytes]:
    """What a build of the site at `root` without any cache, at the fixed time, writes into `folder`, as a snapshot."""
    clean = Session(root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=folder), use_cache=False)
    try:
        clean.build()
    finally:
        clean.close()
    return snapshot(folder)


def full_snapshot(folder: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every entry under `folder`, hidden ones too and links not followed, as (kind, bytes, mtime):
    `("file", its bytes, its mtime in ns)`, `("dir", b"", 0)` or `("link", its target, 0)`.

    Two equal full snapshots mean nothing under `folder` was added, removed, rewritten or even touched.
    """
    found: dict[str, tuple[str, bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path).encode(), 0)
            elif path.is_dir():
                found[relative] = ("dir", b"", 0)
            else:
                found[relative] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
    return found


def copy_sample(folder: Path) -> Path:
    """The bundled sample (site.yaml and content/ copied out of the repository) in `folder`, made here."""
    folder.mkdir()
    shutil.copy(REPO / "site.yaml", folder)
    shutil.copytree(REPO / "content", folder / "content")
    return folder


@contextmanager
def served_sample(folder: Path) -> Iterator[str]:
    """The bundled sample copied into `folder`, built and served over HTTP: its address."""
    from tests.crawl import serve_folder

    result = build_once(copy_sample(folder), BuildOptions(now=FIXED_NOW))
    with serve_folder(result.config.output_dir) as url:
        yield url


def only_problem(error: DigestError) -> Problem:
    """The error's one problem; fails, showing the whole report, if it holds more or none."""
    assert len(error.problems) == 1, error.report()
    return error.problems[0]


@pytest.fixture
def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`make_site(text)` → an `InlineSite` in a temporary folder (also the working folder)."""
    monkeypatch.chdir(tmp_path)

    def make(text: str = "") -> InlineSite:
        site = InlineSite(tmp_path / "site")
        site.root.mkdir(exist_ok=True)
        monkeypatch.chdir(site.root)
        return site.write(text)

    return make


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless Chromium with a fresh profile for the test module (see tests/browser.py, which a module
    imports first: without Chromium or Playwright that import skips the module)."""
    from tests.browser import launch_chromium

    with launch_chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


ARTICLE = """---
title: {title}
date: {date}
countries: [{countries}]
topics: [{topics}]
source: Example News
url: https://example.org/{slug}
summary: Summary of {title}.
---
Body of {title}.
"""


def article(slug: str, title: str = "", date: str = "2021-11-24", countries: str = "Israel", topics: str = "defence") -> str:
    """One `-- content/articles/<slug>.md --` entry for an inline site."""
    text = ARTICLE.format(title=title or slug.replace("-", " ").capitalize(), date=date, countries=countries, topics=topics, slug=slug)
    return f"-- content/articles/{slug}.md --\n{text}"


SITE_YAML = "-- site.yaml --\ntitle: Test Digest\nbase_url: https://news.example.org/\n"


Digest = Callable[..., tuple[int, str, str]]


@pytest.fixture
def digest(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Digest]:
    """`digest(folder, *args, **env)`: the command line run in `folder` at the fixed time → (exit code, stdout, stderr).

    It runs in this process (a tenth of a subprocess's time); the first story below runs the very
    `python -m digest` a curator types.
    """
    terminate = signal.getsignal(signal.SIGTERM)

    def run(folder: Path, *args: str, **env: str) -> tuple[int, str, str]:
        with monkeypatch.context() as scope:
            scope.chdir(folder)
            scope.setenv("DIGEST_NOW", FIXED_NOW.isoformat())
            for name, value in env.items():
                if value:
                    scope.setenv(name, value)
                else:
                    scope.delenv(name, raising=False)
            capsys.readouterr()
            code = main(list(args))
            out, err = capsys.readouterr()
        return code, out, err

    yield run
    if terminate is not None:
        signal.signal(signal.SIGTERM, terminate)  # main() makes SIGTERM a Ctrl-C
