"""What the machine refuses — a full disk, a read-only file system — is one line naming the folder and what to do,
with nothing left behind and the previous site kept."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SITE_YAML, article, full_snapshot


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 640 KB file system of its own (a tmpfs), where it can be mounted: room for a small site (its world map alone is some 110 KB), not a large one."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=640k", "tmpfs", str(folder)], check=False, capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): " + mounted.stderr.decode(errors="replace").strip())
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def many(count: int) -> str:
    return "".join(article(f"story-{n}", date=f"2021-{n % 12 + 1:02d}-{n % 28 + 1:02d}", topics=f"topic-{n}") for n in range(count))


def test_a_full_disk_is_one_line_naming_the_folder_and_leaves_nothing_behind(make_site, small_disk):
    site = make_site(SITE_YAML + many(60))
    output = small_disk / "public"
    result = site.cli("build", "--output", str(output))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == f"{output}: no space left on device"
    assert "free some disk space" in result.stderr
    assert sorted(p.name for p in output.iterdir()) == []  # no staging, no half-written page


def test_a_full_disk_at_the_second_build_keeps_the_first_site(make_site, small_disk):
    site = make_site(SITE_YAML + many(3))
    output = small_disk / "public"
    assert site.cli("build", "--output", str(output)).returncode == 0
    before = full_snapshot(output)
    site.write(many(60))  # far more than the disk holds
    result = site.cli("build", "--output", str(output))
    assert result.returncode == 1 and "no space left on device" in result.stderr and "Traceback" not in result.stderr
    assert full_snapshot(output) == before


def test_a_read_only_file_system_is_one_line_too(make_site, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)], check=False, capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        site = make_site(SITE_YAML + many(2))
        result = site.cli("build", "--output", str(folder / "public"))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "read-only file system" in result.stderr and "--output" in result.stderr
    finally:
        subprocess.run(["umount", str(folder)], check=False)
