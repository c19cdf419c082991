"""The build cache saves time and never changes a byte of the output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from digest import cache
from digest.build import Session
from digest.cache import CACHE_DIR, code_fingerprint
from digest.config import Overrides
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, article, snapshot


def site_text() -> str:
    return "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\npaginate: 2\n" + "".join(
        article(f"story-{n}", date=f"2021-11-{n + 1:02d}", countries=("Israel", "France", "Japan")[n % 3],
                topics=("defence", "energy")[n % 2])
        for n in range(6)
    )


def build(root: Path, output: Path | None = None, *, cache: bool = True):  # type: ignore[no-untyped-def]
    session = Session(root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=output), use_cache=cache)
    try:
        return session.build(once=True)
    finally:
        session.close()



def test_a_cached_build_is_byte_identical_to_an_uncached_one(make_site, tmp_path):
    site = make_site(site_text())
    build(site.root)
    edited = site.root / "content/articles/story-2.md"
    edited.write_text(edited.read_text().replace("title: Story 2", "title: Retitled"))
    build(site.root)
    build(site.root, tmp_path / "fresh", cache=False)
    assert snapshot(site.root / "public") == snapshot(tmp_path / "fresh")


def test_a_no_op_build_renders_and_writes_nothing(make_site):
    site = make_site(site_text())
    build(site.root)
    result = build(site.root)
    assert result.rendered == 0 and result.files.written == 0 and result.files.removed == 0
    assert result.pages == 31 + 3 * 7 + 2 and result.articles == 6  # HTML pages; 3 feeds each for the site, 2 topics, 3 countries, 1 source; sitemap, robots.txt


def test_one_edited_article_re_renders_only_the_pages_that_show_it(make_site):
    site = make_site(site_text())
    build(site.root)
    edited = site.root / "content/articles/story-4.md"
    edited.write_text(edited.read_text() + "\nAnother paragraph.\n")
    result = build(site.root)
    assert "2021/11/05/story-4/index.html" in result.rendered_outputs
    assert result.files.written == 1
    assert len(result.rendered_outputs) < 10


def test_a_deleted_output_file_is_written_again(make_site):
    site = make_site(site_text())
    build(site.root)
    (site.root / "public/topics/energy/index.html").unlink()
    result = build(site.root)
    assert result.files.written == 1
    assert (site.root / "public/topics/energy/index.html").is_file()


def test_a_corrupt_cache_is_rebuilt_not_trusted(make_site, tmp_path):
    site = make_site(site_text())
    build(site.root)
    (site.root / CACHE_DIR / "cache.sqlite3").write_bytes(b"this is not a database" * 100)
    for leftover in (site.root / CACHE_DIR).glob("cache.sqlite3-*"):
        leftover.unlink()
    edited = site.root / "content/articles/story-1.md"
    edited.write_text(edited.read_text().replace("Body of", "New body of"))
    build(site.root)
    build(site.root, tmp_path / "fresh", cache=False)
    assert snapshot(site.root / "public") == snapshot(tmp_path / "fresh")


def test_a_template_edit_invalidates_the_pages_that_use_it(make_site):
    site = make_site(site_text() + '-- templates/term.html --\n{% extends "list.html" %}\n')
    build(site.root)
    (site.root / "templates/term.html").write_text('{% extends "list.html" %}{% block heading %}<h1>About {{ term.name }}</h1>{% endblock %}\n')
    result = build(site.root)
    assert result.rendered_outputs and all(o.startswith(("topics/", "countries/", "sources/")) for o in result.rendered_outputs)
    assert "<h1>About Energy</h1>" in (site.root / "public/topics/energy/index.html").read_text()


def test_the_cache_keeps_itself_out_of_git(make_site):
    site = make_site(site_text())
    build(site.root)
    assert (site.root / CACHE_DIR / ".gitignore").read_text() == "*\n"


def test_a_reinstall_of_the_same_digest_keeps_the_cache(tmp_path):
    """CI installs digest afresh on every run: the same bytes with new file times must not throw the cache away."""
    package = Path(cache.__file__).resolve().parent
    installs = [tmp_path / "first", tmp_path / "second"]
    for install in installs:
        install.mkdir()
        for module in package.glob("*.py"):
            shutil.copyfile(module, install / module.name)
    for module in installs[1].iterdir():
        os.utime(module, (1_000_000_000, 1_000_000_000))
    assert code_fingerprint(installs[0]) == code_fingerprint(installs[1]) == code_fingerprint()
    edited = installs[1] / "cache.py"
    edited.write_text(edited.read_text() + "# a local edit\n")
    assert code_fingerprint(installs[1]) != code_fingerprint(installs[0])
