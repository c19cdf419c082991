"""Screenshots the browser tests take: written to a folder of the run, which the end of the run names, and with
`pytest --update-screenshots` also to the README pictures a theme keeps in `themes/<name>/screenshots/`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

UPDATE = "--update-screenshots"
_TAKEN = pytest.StashKey["Screenshots"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        UPDATE,
        action="store_true",
        default=False,
        help="also rewrite the README screenshots under themes/<name>/screenshots/ from the browser tests' pictures",
    )


@dataclass
class Screenshots:
    """The pictures of one run: all of them in `folder`; under --update-screenshots the README ones also where a
    theme keeps them."""

    folder: Path
    update: bool
    rewritten: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)

    def save(self, png: bytes, name: str, publish_to: Path | None = None) -> Path:
        """Write `png` as `folder/name`; with --update-screenshots also, made small, as `publish_to` (left alone
        when it holds the same bytes, so an unchanged theme leaves nothing to commit). Returns the first."""
        path = self.folder / name
        path.write_bytes(png)
        if self.update and publish_to is not None:
            small = _smaller(png)
            if publish_to.is_file() and publish_to.read_bytes() == small:
                self.unchanged.append(publish_to)
            else:
                publish_to.parent.mkdir(parents=True, exist_ok=True)
                publish_to.write_bytes(small)
                self.rewritten.append(publish_to)
        return path


def _smaller(png: bytes) -> bytes:
    """The same picture re-encoded by Pillow with optimize=True, which Chromium's fast encoder is not; as it is without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return png
    smaller = io.BytesIO()
    with Image.open(io.BytesIO(png)) as image:
        image.save(smaller, "PNG", optimize=True)
    return smaller.getvalue() if smaller.tell() < len(png) else png


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Screenshots:
    """Where the browser tests put their pictures; the run's summary names the folder."""
    taken = Screenshots(tmp_path_factory.mktemp("screenshots", numbered=True), bool(request.config.getoption(UPDATE)))
    request.config.stash[_TAKEN] = taken
    return taken


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    taken = config.stash.get(_TAKEN, None)
    if taken is None or not any(taken.folder.iterdir()):
        return
    terminalreporter.write_sep("-", "screenshots")
    terminalreporter.write_line(f"screenshots: {taken.folder}")
    for path in taken.rewritten:
        terminalreporter.write_line(f"{UPDATE} rewrote {_shown(path)}; review and commit it")
    if taken.unchanged:
        terminalreporter.write_line(f"{UPDATE}: {len(taken.unchanged)} README screenshot(s) unchanged")
    if taken.update and not (taken.rewritten or taken.unchanged):
        terminalreporter.write_line(f"{UPDATE}: no test that makes README screenshots ran")


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
