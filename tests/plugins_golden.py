"""`pytest --update-golden`: golden files are compared by default and rewritten only when asked, never silently."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest

REFRESH = "pytest --update-golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden/ from the current output instead of comparing with them",
    )


@dataclass(frozen=True, slots=True)
class Golden:
    """Compares text with a golden file; in update mode rewrites the file and reports it as a skip."""

    update: bool

    def check(self, path: Path, actual: str) -> None:
        expected = path.read_text(encoding="utf-8") if path.exists() else None
        if actual == expected:
            return
        shown = _shown(path)
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            added, removed = _changes(expected or "", actual)
            pytest.skip(f"--update-golden rewrote {shown} (+{added} -{removed} lines); review and commit it")
        if expected is None:
            pytest.fail(f"golden file {shown} is missing; create it with `{REFRESH}`", pytrace=False)
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"{shown} (golden)", "actual output"
            )
        )
        pytest.fail(f"output differs from {shown}; if the change is intended, run `{REFRESH}`\n{diff}", pytrace=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """`golden.check(path, text)`: assert `text` equals the file, or rewrite it under --update-golden."""
    return Golden(bool(request.config.getoption("--update-golden")))


def _changes(old: str, new: str) -> tuple[int, int]:
    lines = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    return sum(line.startswith("+ ") for line in lines), sum(line.startswith("- ") for line in lines)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
