"""The cache cannot lie: damaged entries are made again, a cache that cannot be written is said and never leaves a
stale page behind, `--no-cache` leaves no trace, and `digest clean` removes what is digest's and nothing else.

Every way of breaking the cache here works as root (as CI runs): a file where the cache folder goes, a folder where
the cache file goes, a file opened read-only (as an immutable file or a read-only file system opens), a file size
limit (as a full disk fails a write)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from digest import parallel
from digest.build import Session
from digest.cache import CACHE_DIR, WAL_LIMIT
from digest.config import Overrides
from digest.output import MANIFEST
from digest.site import BuildOptions
from tests.conftest import CLI_TIMEOUT, FIXED_NOW, article, restore_ctrl_c, snapshot

DATABASE = f"{CACHE_DIR}/cache.sqlite3"
PAGE = "2021/11/03/story-2/index.html"


def site_text(bodies: int = 0) -> str:
    """Six articles over three countries and two topics; `bodies` extra paragraphs make each body larger."""
    return "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\npaginate: 2\n" + "".join(
        article(f"story-{n}", date=f"2021-11-{n + 1:02d}", countries=("Israel", "France", "Japan")[n % 3], topics=("defence", "energy")[n % 2])
        + "".join(f"\nParagraph {p} of story {n}: " + "words " * 60 + "\n" for p in range(bodies))
        for n in range(6)
    )


def session(root: Path, output: Path | None = None, *, cache: bool = True) -> Session:
    return Session(root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=output), use_cache=cache)


def build(root: Path, output: Path | None = None, *, cache: bool = True):  # type: ignore[no-untyped-def]
    """One build, as `digest build` runs it: its result and the warnings the command line would print."""
    live = session(root, output, cache=cache)
    try:
        return live.build(once=True), live.cache_notes.take()
    finally:
        live.close()


def clean_build(root: Path, folder: Path) -> dict[str, bytes]:
    """What a build without any cache writes, as a snapshot."""
    build(root, folder, cache=False)
    return snapshot(folder)


def environment() -> dict[str, str]:
    return {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}


def damage(root: Path, statement: str, *values: object) -> None:
    """Change stored bytes behind digest's back, checksums left as they were."""
    db = sqlite3.connect(root / DATABASE, isolation_level=None)
    try:
        assert db.execute(statement, values).rowcount == 1
    finally:
        db.close()


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / f"content/articles/{name}.md"
    path.write_text(path.read_text().replace(old, new))


# -- damaged entries -------------------------------------------------------------------------------------------------


def test_a_damaged_body_is_parsed_again_and_said_once(make_site, tmp_path):
    site = make_site(site_text())
    assert site.cli("build", env=environment()).returncode == 0
    damage(site.root, "UPDATE articles SET body = replace(body, 'Body of', 'Bogus!!') WHERE data LIKE '%story-2.md%'")
    (site.root / "public" / PAGE).unlink()  # its page must render again to need the body
    done = site.cli("build", env=environment())
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"warning: {DATABASE}: 1 entry failed its checksum; dropped and made again from the sources, "
        "so the output is right (if this happens again, check the disk)"
    ]
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")
    (site.root / "public" / PAGE).unlink()
    again = site.cli("build", env=environment())
    assert again.returncode == 0 and again.stderr == ""  # the entry was dropped, and stored whole again


def test_a_damaged_body_met_by_a_render_worker_is_dropped_by_the_parent(make_site, tmp_path, monkeypatch):
    site = make_site(site_text())
    build(site.root)
    damage(site.root, "UPDATE articles SET body = replace(body, 'Body of', 'Bogus!!') WHERE data LIKE '%story-2.md%'")
    (site.root / "public" / PAGE).unlink()
    monkeypatch.setattr(parallel, "RENDER_PER_WORKER", 1)  # forked workers even for this small site
    result, warnings = build(site.root)
    assert result.rendered == 1 and len(warnings) == 1 and "1 entry failed its checksum" in warnings[0]
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")
    db = sqlite3.connect(site.root / DATABASE)
    assert db.execute("SELECT count(*) FROM articles WHERE data LIKE '%story-2.md%'").fetchone() == (0,)
    db.close()


def test_a_damaged_article_is_parsed_again_rather_than_published(make_site, tmp_path):
    site = make_site(site_text())
    build(site.root)
    damage(site.root, "UPDATE articles SET data = replace(data, 'Story 3', 'Story X') WHERE data LIKE '%story-3.md%'")
    edit(site.root, "story-0", "Body of", "New body of")  # not the same inputs: the build reads the cache
    result, warnings = build(site.root)
    assert len(warnings) == 1 and "1 entry failed its checksum" in warnings[0]
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")
    assert not any(b"Story X" in data for data in snapshot(site.root / "public").values())


def test_a_damaged_page_record_makes_its_page_unknown(make_site, tmp_path):
    site = make_site(site_text())
    build(site.root)
    damage(site.root, "UPDATE pages SET fingerprint = iif(fingerprint LIKE '0%', '1', '0') || substr(fingerprint, 2) WHERE path = 'topics/energy/index.html'")
    result, warnings = build(site.root)  # the same inputs, but a damaged ledger is no ground for doing nothing
    assert result.rendered_outputs == ("topics/energy/index.html",) and result.files.written == 0
    assert len(warnings) == 1 and "1 entry failed its checksum" in warnings[0]
    result, warnings = build(site.root)
    assert result.rendered == 0 and warnings == []
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")


def test_a_damaged_record_of_the_last_build_is_not_trusted(make_site):
    site = make_site(site_text())
    build(site.root)
    damage(site.root, "UPDATE builds SET data = replace(data, '\"pages\": ', '\"pages\": 1')")
    result, warnings = build(site.root)
    assert result.pages == 54 and result.files.written == 0
    assert len(warnings) == 1 and "1 entry failed its checksum" in warnings[0]


# -- a cache that cannot be written ------------------------------------------------------------------------------------


def test_a_cache_file_that_cannot_be_opened_gives_a_complete_build_and_a_warning(make_site, tmp_path):
    site = make_site(site_text())
    (site.root / DATABASE).mkdir(parents=True)  # what sqlite meets when it cannot open the file, even as root
    done = site.cli("build", env=environment())
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"warning: cannot use the build cache {CACHE_DIR}/ (unable to open database file): this build runs without it, slower but "
        f"complete; make {CACHE_DIR}/ writable, free some disk space, or remove it (digest clean)"
    ]
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")
    (site.root / DATABASE).rmdir()
    result, warnings = build(site.root)
    assert warnings == [] and result.files.written == 0
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean2")


def test_a_file_where_the_cache_folder_goes_gives_a_complete_build_and_a_warning(make_site, tmp_path):
    site = make_site(site_text())
    (site.root / CACHE_DIR).write_text("not a folder\n")
    result, warnings = build(site.root)
    assert warnings == [
        f"cannot use the build cache {CACHE_DIR}/ (it is a file, not a folder): this build runs without it, slower but complete; "
        f"make {CACHE_DIR}/ writable, free some disk space, or remove it (digest clean)"
    ]
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")


def read_only_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open the cache file as a read-only file system or an immutable file (chattr +i) has it opened: reads work, writes fail."""
    connect = sqlite3.connect

    def read_only(database: str | Path, **options):  # type: ignore[no-untyped-def]
        if options.pop("uri", False):
            return connect(database, uri=True, **options)
        return connect(Path(database).absolute().as_uri() + "?mode=ro", uri=True, **options)

    monkeypatch.setattr(sqlite3, "connect", read_only)


def test_a_build_whose_cache_cannot_be_written_leaves_no_stale_page_for_the_next(make_site, tmp_path, monkeypatch):
    """The cache remembers the site with story-2 as it was; a build it cannot record changes story-2; once the cache
    can be written again, story-2 goes back to what the cache remembers. No page may be taken for current because
    the cache says so: the files changed since it last wrote them."""
    site = make_site(site_text())
    build(site.root)
    edit(site.root, "story-2", "title: Story 2", "title: Renamed story")
    with monkeypatch.context() as patch:
        read_only_cache(patch)
        result, warnings = build(site.root)
    assert warnings == [
        f"cannot use the build cache {CACHE_DIR}/ (attempt to write a readonly database): this build runs without it, slower but "
        f"complete; make {CACHE_DIR}/ writable, free some disk space, or remove it (digest clean)"
    ]
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "renamed")
    edit(site.root, "story-2", "title: Renamed story", "title: Story 2")
    result, warnings = build(site.root)
    assert warnings == [] and result.rendered > 0
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "back")


def test_an_immutable_cache_file_gives_a_complete_build_a_warning_and_no_stale_page(make_site, tmp_path):
    """The real thing behind `read_only_cache`, where the machine allows it (root with CAP_LINUX_IMMUTABLE)."""
    site = make_site(site_text())
    build(site.root)
    database = site.root / DATABASE
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", database], check=False, capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not allowed here (it needs root, CAP_LINUX_IMMUTABLE and a file system that has the flag)")
    try:
        edit(site.root, "story-2", "title: Story 2", "title: Renamed story")
        done = site.cli("build", env=environment())
        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith(f"warning: cannot use the build cache {CACHE_DIR}/ (")
        assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "renamed")
    finally:
        subprocess.run(["chattr", "-i", database], check=True)
    edit(site.root, "story-2", "title: Renamed story", "title: Story 2")
    assert build(site.root)[1] == []
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "back")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_read_only_cache_folder_gives_a_complete_build_and_a_warning(make_site, tmp_path):
    site = make_site(site_text())
    build(site.root)
    edit(site.root, "story-2", "title: Story 2", "title: Renamed story")
    (site.root / CACHE_DIR).chmod(0o500)
    try:
        result, warnings = build(site.root)
    finally:
        (site.root / CACHE_DIR).chmod(0o700)
    assert len(warnings) == 1 and warnings[0].startswith(f"cannot use the build cache {CACHE_DIR}/ (")
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")


def test_a_build_without_the_cache_leaves_no_stale_page_for_the_next(make_site, tmp_path):
    site = make_site(site_text())
    build(site.root)
    edit(site.root, "story-2", "Body of", "A new body of")
    build(site.root, cache=False)
    edit(site.root, "story-2", "A new body of", "Body of")
    build(site.root)
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")


def test_a_file_added_by_a_build_without_the_cache_is_removed_by_the_next(make_site, tmp_path):
    """No page changes, one file comes and goes: the last build's record must not let the next do nothing."""
    site = make_site(site_text())
    build(site.root)
    (site.root / "static").mkdir()
    (site.root / "static/extra.txt").write_text("for a while\n")
    build(site.root, cache=False)
    assert (site.root / "public/extra.txt").is_file()
    (site.root / "static/extra.txt").unlink()
    build(site.root)
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")


def test_a_full_disk_during_a_build_gives_a_complete_build_a_warning_and_no_growing_log(make_site, tmp_path):
    """A file size limit fails the cache's writes as a full disk does (the pages written stay under it)."""
    site = make_site(site_text(bodies=40))  # a cache of about 240 kB with the world map's shapes; no page over 130 kB (the map's)
    limit = 160 * 1024

    def limited() -> None:
        restore_ctrl_c()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = subprocess.run(
        [sys.executable, "-m", "digest", "build"], check=False, cwd=site.root, capture_output=True, text=True, env=environment(),
        preexec_fn=limited, timeout=CLI_TIMEOUT,
    )
    assert process.returncode == 0, process.stderr
    [warning] = process.stderr.splitlines()
    assert warning.startswith(f"warning: cannot write the build cache {DATABASE} (")
    assert "this build went on without writing it, and its output is complete" in warning
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")
    log = site.root / f"{DATABASE}-wal"
    assert not log.exists() or log.stat().st_size <= WAL_LIMIT
    result, warnings = build(site.root)  # room again: the next build is complete, and fills the cache
    assert warnings == []
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean2")
    assert build(site.root)[0].rendered == 0


def test_an_archive_that_rounds_file_times_keeps_the_output_current(make_site):
    """CI restores public/ with .digest-cache/ from a zip or tar that keeps whole seconds: still no page to render."""
    site = make_site(site_text())
    build(site.root)
    for path in (site.root / "public").rglob("*"):
        if path.is_file():
            whole = path.stat().st_mtime_ns // 10**9 * 10**9
            os.utime(path, ns=(whole, whole))
    assert build(site.root)[0].rendered == 0
    edit(site.root, "story-4", "Body of", "New body of")
    assert build(site.root)[0].rendered_outputs == ("2021/11/05/story-4/index.html",)


# -- --no-cache and digest clean ------------------------------------------------------------------------------------


def test_no_cache_leaves_no_cache_folder(make_site, tmp_path):
    site = make_site(site_text())
    done = site.cli("build", "--no-cache", env=environment())
    assert done.returncode == 0 and done.stderr == ""
    assert not (site.root / CACHE_DIR).exists()
    assert snapshot(site.root / "public") == clean_build(site.root, tmp_path / "clean")


def test_clean_removes_the_cache_and_nothing_else(make_site):
    site = make_site(site_text())
    build(site.root)
    (site.root / ".gitignore").write_text("public/\n")
    before = {p for p in site.root.rglob("*") if CACHE_DIR not in p.parts}
    done = site.cli("clean")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Removed {CACHE_DIR}/ (2 files, ")  # cache.sqlite3 and .gitignore (closing removes the log)
    assert not (site.root / CACHE_DIR).exists()
    assert set(site.root.rglob("*")) == before
    assert site.cli("clean").stdout == f"No {CACHE_DIR}/ to remove.\n"


def test_clean_leaves_a_folder_that_is_not_digests_cache(make_site):
    site = make_site(site_text())
    (site.root / CACHE_DIR).mkdir()
    (site.root / CACHE_DIR / "notes.txt").write_text("mine\n")
    done = site.cli("clean")
    assert done.returncode == 1
    assert done.stderr.startswith(f"{CACHE_DIR}: does not look like digest's cache")
    assert (site.root / CACHE_DIR / "notes.txt").read_text() == "mine\n"


def test_clean_output_removes_only_the_files_digest_wrote(make_site):
    site = make_site(site_text())
    build(site.root)
    public = site.root / "public"
    (public / "CNAME").write_text("news.example.org\n")
    (public / ".git").mkdir()
    (public / ".git/HEAD").write_text("ref: refs/heads/pages\n")
    (public / "topics/notes.txt").write_text("mine\n")
    manifest = json.loads((public / MANIFEST).read_text())
    manifest["files"].append("../site.yaml")  # a manifest from anywhere must not reach out of the folder
    (public / MANIFEST).write_text(json.dumps(manifest))
    done = site.cli("clean", "--output")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == (
        f"Removed the {len(manifest['files']) - 1} files digest wrote from public/; left what it did not write there: .git/, CNAME, topics/."
    )
    assert sorted(p.relative_to(public).as_posix() for p in public.rglob("*")) == [".git", ".git/HEAD", "CNAME", "topics", "topics/notes.txt"]
    assert (site.root / "site.yaml").is_file() and not (site.root / CACHE_DIR).exists()


def test_clean_output_removes_an_output_folder_only_digest_wrote_into(make_site):
    site = make_site(site_text())
    build(site.root)
    done = site.cli("clean", "--output")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("Removed public/ (")
    assert not (site.root / "public").exists() and (site.root / "content").is_dir()
