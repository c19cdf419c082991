"""digest as a user installs it: the wheel holds the package, its themes and its licence, and builds the sample site
on its own, from a folder far from this repository, exactly as the source tree builds it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from digest import __version__
from digest.build import build_once
from digest.site import BuildOptions
from tests.conftest import CLI_TIMEOUT, FIXED_NOW, REPO, copy_sample, snapshot


def build_wheel(folder: Path) -> Path:
    """The wheel of this source tree, made by pip through the build backend (installed by the test extra), offline."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", str(folder), str(REPO)],
        check=True, capture_output=True, timeout=CLI_TIMEOUT,
    )
    (wheel,) = folder.glob("digest-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


def source_files() -> set[str]:
    """Where each file of the package and of its themes belongs in the wheel (the themes' README pictures stay out)."""
    package = {f"digest/{path.relative_to(REPO / 'digest').as_posix()}" for path in (REPO / "digest").rglob("*")
               if path.is_file() and "__pycache__" not in path.parts}
    themes = {f"digest/themes/{path.relative_to(REPO / 'themes').as_posix()}" for path in (REPO / "themes").rglob("*")
              if path.is_file() and "screenshots" not in path.relative_to(REPO / "themes").parts[1:2]}
    return package | themes


def install(wheel: Path, folder: Path) -> Path:
    """A fresh virtual environment with the wheel unpacked into it; its dependencies are read from this one's
    site-packages (a plain path in a .pth file, so this checkout's own editable digest is not among them). Its python."""
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    purelib = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(purelib)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "dependencies.pth").write_text("".join(f"{path}\n" for path in sorted(ours)), encoding="utf-8")
    return python


def test_the_wheel_ships_the_package_its_themes_its_licence_and_one_version(wheel):
    assert wheel.name == f"digest-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"digest-{__version__}.dist-info"
        metadata = HeaderParser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
        licence = archive.read(f"{info}/licenses/LICENSE").decode("utf-8")
    assert sorted(source_files() - names) == []
    assert "digest/themes/default/templates/base.html" in names and "digest/themes/default/theme.yaml" in names
    assert not [name for name in names if "/screenshots/" in name or name.startswith(("tests/", "content/", "bench/"))]
    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert "Copyright (c) 2026 The digest authors" in licence and licence == (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "digest = digest.cli:main" in entry_points.splitlines()


def test_the_installed_wheel_builds_the_sample_as_the_source_tree_does(wheel, tmp_path):
    python = install(wheel, tmp_path / "env")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sample = copy_sample(tmp_path / "sample")
    env = {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat(), "PYTHONPATH": ""}

    where = subprocess.run([python, "-c", "import digest; print(digest.__file__)"], cwd=elsewhere, env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "env"), where

    built = subprocess.run([python, "-m", "digest", "-s", str(sample), "build"], check=False, cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built ") and built.stdout.rstrip().endswith("files written)")
    assert list(elsewhere.iterdir()) == []

    installed = snapshot(sample / "public")
    assert "index.html" in installed and any(name.startswith("css/digest.") for name in installed)
    from_source = build_once(copy_sample(tmp_path / "from-source"), BuildOptions(now=FIXED_NOW))
    assert installed == snapshot(from_source.config.output_dir)
