"""The stat index: a build reads only the article files whose stat moved, never trusts an entry a coarse clock could
fool, drops a damaged row with a warning, and `--verify` reads everything; a no-op build opens no article file, and
its process imports none of what only parsing and rendering need."""

from __future__ import annotations

import builtins
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from digest import cli, watch
from digest.build import Session
from digest.cache import CACHE_DIR, source_checksum
from digest.config import Overrides
from digest.site import BuildOptions
from tests.conftest import CLI_TIMEOUT, FIXED_NOW, article, snapshot

DATABASE = f"{CACHE_DIR}/cache.sqlite3"
STORY = "content/articles/story-2.md"
PAGE = "public/2021/11/03/story-2/index.html"
AN_HOUR = 3600


def site_text() -> str:
    return "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\n" + "".join(
        article(f"story-{n}", date=f"2021-11-{n + 1:02d}") for n in range(4)
    )


def build(root: Path, *, cache: bool = True):  # type: ignore[no-untyped-def]
    """One build, as `digest build` runs it: its result and the warnings the command line would print."""
    live = Session(root, BuildOptions(now=FIXED_NOW), use_cache=cache)
    try:
        return live.build(once=True), live.cache_notes.take()
    finally:
        live.close()


def environment() -> dict[str, str]:
    return {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}


def age(root: Path, seconds: int = AN_HOUR) -> None:
    """Date every article file `seconds` back, as files checked out long before the build."""
    then = os.stat(root / STORY).st_mtime_ns - seconds * 1_000_000_000
    for path in (root / "content/articles").glob("*.md"):
        os.utime(path, ns=(then, then))


def edit_in_place(root: Path, old: str = "Body of Story 2.", new: str = "Body of Story X.") -> None:
    """Change story 2's body, keeping its size, and set its modification time back to what it was."""
    path = root / STORY
    before = os.stat(path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    assert os.stat(path).st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def hide_the_change_time(root: Path, taken_after: float | None = None) -> None:
    """Make story 2's index row match its file's stat again, its old fingerprint kept: what a file system that keeps
    no change time (some network and FUSE mounts) shows of an edit whose modification time was set back.

    With `taken_after`, the entry says it was taken that many seconds after the file's modification time.
    """
    path = str(root / STORY)
    info = os.stat(path)
    db = sqlite3.connect(root / DATABASE, isolation_level=None)
    try:
        recorded, fingerprint = db.execute("SELECT recorded, fingerprint FROM sources WHERE path = ?", (path,)).fetchone()
        if taken_after is not None:
            recorded = info.st_mtime_ns + int(taken_after * 1_000_000_000)
        entry = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, recorded, fingerprint)
        db.execute(
            "UPDATE sources SET size = ?, mtime = ?, inode = ?, ctime = ?, recorded = ?, sum = ? WHERE path = ?",
            (*entry[:5], source_checksum(path, *entry), path),
        )
    finally:
        db.close()


def story_page(root: Path) -> str:
    return (root / PAGE).read_text()


def test_an_edit_that_keeps_size_and_time_is_read_when_the_index_took_its_entry_too_soon_after_the_file_changed(make_site, tmp_path):
    site = make_site(site_text())
    age(site.root)
    build(site.root)
    edit_in_place(site.root)
    hide_the_change_time(site.root, taken_after=1.5)  # a file system with 2-second times could not tell the edit apart
    result, warnings = build(site.root)
    assert "Body of Story X." in story_page(site.root) and warnings == []
    assert result.rendered > 0
    assert snapshot(site.root / "public") == _clean(site.root, tmp_path)
    hide_the_change_time(site.root, taken_after=2.5)
    edit_in_place(site.root, "Body of Story X.", "Body of Story Y.")
    hide_the_change_time(site.root, taken_after=2.5)
    build(site.root)
    assert "Body of Story X." in story_page(site.root)  # outside the window the entry is trusted: see --verify below


def test_an_edit_that_sets_an_old_time_back_is_read_for_its_change_time(make_site, tmp_path):
    site = make_site(site_text())
    age(site.root)
    build(site.root)
    edit_in_place(site.root)
    build(site.root)
    assert "Body of Story X." in story_page(site.root)
    assert snapshot(site.root / "public") == _clean(site.root, tmp_path)


def test_an_edit_the_stat_cannot_show_is_missed_by_the_index_and_read_by_verify(make_site, tmp_path):
    """What `--verify` is for: an edit outside the racy window that leaves size, times and inode as they were."""
    site = make_site(site_text())
    age(site.root)
    assert site.cli("build", env=environment()).returncode == 0
    edit_in_place(site.root)
    hide_the_change_time(site.root)
    assert site.cli("build", env=environment()).returncode == 0
    assert "Body of Story 2." in story_page(site.root)  # trusted: the file is an hour older than its entry
    done = site.cli("build", "--verify", env=environment())
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "Body of Story X." in story_page(site.root)
    assert snapshot(site.root / "public") == _clean(site.root, tmp_path)


def test_a_damaged_index_row_is_dropped_said_once_and_stored_whole_again(make_site):
    site = make_site(site_text())
    age(site.root)
    build(site.root)
    db = sqlite3.connect(site.root / DATABASE, isolation_level=None)
    try:
        changed = db.execute("UPDATE sources SET fingerprint = 'f' || substr(fingerprint, 2) WHERE path LIKE '%story-2.md'").rowcount
    finally:
        db.close()
    assert changed == 1
    result, warnings = build(site.root)
    assert warnings == [
        f"{DATABASE}: 1 entry failed its checksum; dropped and made again from the sources, "
        "so the output is right (if this happens again, check the disk)"
    ]
    assert result.rendered == 0  # read again, the bytes are the ones the last build used
    assert build(site.root)[1] == []


def test_the_index_forgets_a_removed_file(make_site):
    site = make_site(site_text())
    build(site.root)
    (site.root / STORY).unlink()
    build(site.root)
    db = sqlite3.connect(site.root / DATABASE)
    try:
        paths = [row[0] for row in db.execute("SELECT path FROM sources ORDER BY path")]
    finally:
        db.close()
    assert [Path(p).name for p in paths] == ["story-0.md", "story-1.md", "story-3.md"]


def test_a_no_op_build_opens_no_article_file(make_site, monkeypatch):
    site = make_site(site_text())
    age(site.root)
    build(site.root)
    articles = str(site.root / "content/articles")
    opened: list[str] = []
    real_open = builtins.open

    def watching_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file).startswith(articles):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.setattr(io, "open", watching_open)
    result, warnings = build(site.root)
    assert opened == [] and warnings == []
    assert result.rendered == 0 and result.files.written == 0


NO_OP = """
import sys
from digest.cli import main
code = main(["build", "--quiet"])
heavy = sorted(name for name in ("markdown", "cmarkgfm", "jinja2", "PIL", "pycountry", "babel", "nh3", "css_inline", "multiprocessing", "watchdog", "http.server",
                                 "pygal", "shapefile", "numpy", "shapely", "feedparser", "markdownify")
               if name in sys.modules)
print(code, *heavy)
"""


def test_a_no_op_build_imports_nothing_only_parsing_or_rendering_needs(make_site):
    site = make_site(site_text())
    age(site.root)
    assert site.cli("build", env=environment()).returncode == 0
    done = subprocess.run([sys.executable, "-c", NO_OP], check=False, cwd=site.root, env=environment(), capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert done.stderr == ""
    assert done.stdout.split() == ["0"]


def test_the_command_line_quiet_period_default_is_the_watchers():
    assert cli.QUIET_PERIOD_MS == watch.QUIET_SECONDS * 1000


def _clean(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build without any cache writes into a fresh folder, as a snapshot."""
    live = Session(root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=tmp_path / "clean"), use_cache=False)
    try:
        live.build()
    finally:
        live.close()
    return snapshot(tmp_path / "clean")
