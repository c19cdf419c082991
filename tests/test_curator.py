"""A curator's day without a text editor's template: `digest init` starts a site, `digest new` writes an
article's file checked as the build checks it, `digest list` shows what the site holds."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.cli import main
from tests.conftest import FIXED_NOW, full_snapshot, run_cli

NOW = {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}
"""The environment of every command here: the clock fixed at 2026-11-25 12:00 UTC."""

PACT = "content/articles/2026/morocco-and-israel-sign-a-pact.md"

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


# -- init -----------------------------------------------------------------------------


def shell(folder: Path, *args: str) -> tuple[int, str, str]:
    """`python -m digest ARGS` run in `folder` at the fixed time, as a curator runs it."""
    done = run_cli(folder, *args, env=NOW)
    return done.returncode, done.stdout, done.stderr


def test_init_refuses_a_folder_with_something_in_it_and_touches_nothing(tmp_path, digest):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ideas.txt").write_text("a digest of Maghreb news\n")
    before = full_snapshot(folder)
    code, out, err = digest(tmp_path, "init", "notes")
    assert (code, out) == (1, "")
    assert err == "notes: is not empty (it holds ideas.txt); use --force to add only the starter files it lacks (nothing is overwritten)\n"
    assert full_snapshot(folder) == before


def test_init_force_adds_what_is_missing_and_leaves_every_existing_file_as_it_was(tmp_path, digest):
    (tmp_path / "content/articles").mkdir(parents=True)
    (tmp_path / "site.yaml").write_text("title: Maghreb Watch\nbase_url: https://maghreb.example.org/\ntimezone: Africa/Casablanca\n")
    (tmp_path / "ideas.txt").write_text("a digest of Maghreb news\n")
    before = full_snapshot(tmp_path)
    code, out, err = digest(tmp_path, "init", "--force")
    assert (code, err) == (0, "")
    assert out.startswith(
        "Added here:\n  content/articles/2026/welcome-to-your-digest.md\n  .gitignore\n"
        "Left as they were (already there):\n  site.yaml\n\nNext:\n  digest new"
    )
    after = full_snapshot(tmp_path)
    assert {name: after[name] for name in before} == before  # byte-identical, not even touched
    assert "/public/" in (tmp_path / ".gitignore").read_text()
    again = full_snapshot(tmp_path)
    assert digest(tmp_path, "init", "--force")[1].startswith("Left as they were (already there):\n  site.yaml\n  content/")
    assert full_snapshot(tmp_path) == again


def test_init_starts_in_a_git_repository_just_made(tmp_path, digest):
    (tmp_path / ".git").mkdir()
    assert digest(tmp_path, "init")[0] == 0
    assert (tmp_path / "site.yaml").is_file()


