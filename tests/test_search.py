"""`search: {enabled: true}`: a /search/ page and a Pagefind index of the article pages, made, kept and pruned like
every other output. Each test builds a small site and reads the index Pagefind wrote (its page fragments are gzipped
JSON) as the browser would get it; test_search_browser.py searches it in Chromium."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

import digest.search
from digest.build import Changes, Session
from digest.config import Overrides
from digest.indexer import IndexStopped, SearchError, Stop, check_complete
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, article, full_snapshot, only_problem, snapshot
from tests.servers import edit, serve

SEARCH_YAML = "-- site.yaml --\ntitle: Test Digest\nbase_url: {base}\neditions: {{period: weekly}}\nsearch:\n  enabled: true\n"
SITE = (
    article("pact", title="Israel signs defence pact with Morocco", countries="Israel, Morocco", topics="defence")
    + article("port", title="Port deal agreed in Haifa", date="2021-11-20", countries="Israel", topics="trade")
    + article("gas", title="Gas field opens", date="2021-10-18", countries="Egypt", topics="energy")
)
PACT = "content/articles/pact.md"


def site_text(base: str = "https://news.example.org/") -> str:
    return SEARCH_YAML.format(base=base) + SITE


def fragments(output: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """What the index holds about each page, by the URL it gives the page (Pagefind's fragment files)."""
    found = {}
    for path in (output / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        found[fragment["url"]] = fragment
    return found


def bundle(output: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(output).items() if name.startswith("pagefind/")}


def test_the_index_holds_every_article_page_with_its_filters_and_date_and_the_search_page_links_to_it(make_site):
    out = make_site(site_text()).build()
    entry = json.loads(out.read("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == 3
    pages = fragments(out.root)
    assert sorted(pages) == ["/2021/10/18/gas/", "/2021/11/20/port/", "/2021/11/24/pact/"]  # article pages only
    pact = pages["/2021/11/24/pact/"]
    assert pact["meta"]["title"] == "Israel signs defence pact with Morocco"
    assert pact["meta"]["date"].startswith("2021-11-24")
    assert pact["filters"] == {
        "country": ["Israel", "Morocco"], "topic": ["Defence"], "year": ["2021"], "source": ["Example News"], "edition": ["Week 47, 2021"],
    }
    assert "Body of Israel signs defence pact with Morocco" in pact["content"]
    assert "Related" not in pact["content"] and "Older" not in pact["content"]  # the story only, not what surrounds it
    for name, data in bundle(out.root).items():  # every file whole: Pagefind finishes its writes before it is let go
        if name.endswith((".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta")):
            assert gzip.decompress(data).startswith(b"pagefind_dcd"), name
    assert out.read("pagefind/pagefind.js").rstrip().endswith("search};")
    manifest = json.loads(out.read(".digest-manifest.json"))["files"]
    assert set(bundle(out.root)) <= set(manifest) and "search/index.html" in manifest
    page = out.read("search/index.html")
    assert '<form class="search" role="search" action="/search/" method="get" data-search hidden>' in page
    assert "<noscript>" in page and '<meta name="robots" content="noindex">' in page
    assert 'value="Morocco"' in page and 'value="Defence"' in page
    assert '<a href="/search/">Search</a>' in out.read("index.html")  # every page links to it, JavaScript or not


def test_under_a_sub_path_the_index_names_pages_from_the_site_root_and_the_page_loads_its_script_there(make_site):
    out = make_site(site_text("https://news.example.org/digest/")).build()
    assert sorted(fragments(out.root))[0] == "/2021/10/18/gas/"  # the browser puts the bundle's own folder in front
    assert '<script type="module" src="/digest/js/search.' in out.read("search/index.html")


def test_a_body_edit_indexes_again_and_writes_only_the_index_files_that_changed_as_a_clean_build_would(make_site, tmp_path):
    site = make_site(site_text())
    site.build()
    before = full_snapshot(site.root / "public")
    pact = site.root / PACT
    pact.write_text(pact.read_text().replace("Body of", "A revised zeppelin body of"))
    site.build()
    after = full_snapshot(site.root / "public")
    assert any("zeppelin" in f["content"] for f in fragments(site.root / "public").values())
    rewritten = sorted(name for name in after if name.startswith("pagefind/") and before.get(name) != after[name])
    untouched = [name for name in after if name.startswith("pagefind/fragment/") and name not in rewritten]
    assert len(untouched) == 2 and len(rewritten) < len(bundle(site.root / "public")) / 2, rewritten
    clean = site.root.parent / "clean"
    Session(site.root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=clean), use_cache=False).build()
    assert snapshot(site.root / "public") == snapshot(clean)


def test_an_index_is_made_only_when_an_article_page_changed(make_site, monkeypatch):
    site = make_site(site_text())
    calls: list[Path] = []
    run = digest.search.run_pagefind
    monkeypatch.setattr(digest.search, "run_pagefind", lambda *args: calls.append(args[0]) or run(*args))
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    assert len(calls) == 1
    note = site.root / "content/editions/2021-W47.md"
    note.parent.mkdir()
    note.write_text("---\ntitle: A week of pacts\n---\nThe week in short.\n")
    live.rebuild(Changes(content=frozenset({note})))  # edition pages change, article pages do not
    assert len(calls) == 1
    pact = site.root / PACT
    pact.write_text(pact.read_text() + "\nOne more line.\n")
    live.rebuild(Changes(content=frozenset({pact})))
    assert len(calls) == 2
    live.close()


def test_in_serve_a_rebuild_commits_the_pages_first_and_the_index_after_reporting_its_time(make_site, tmp_path):
    site = make_site(site_text())
    with serve(site.root, watching=site.root / PACT) as server:
        mark = server.mark()
        edit(site.root / PACT, ("Body of", "A hovercraft body of"))
        line = server.wait_rebuild(mark, what=PACT)
        assert line["rendered"] == "1" and line["index_ms"] is not None, line.string
        assert any("hovercraft" in f["content"] for f in fragments(site.root / "public").values())
    Session(site.root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=tmp_path / "clean"), use_cache=False).build()
    assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")


def test_an_index_stopped_by_the_next_rebuild_commits_nothing_and_the_next_one_catches_up(make_site, tmp_path):
    site = make_site(site_text())
    public = site.root / "public"
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    before = bundle(public)
    pact = site.root / PACT
    pact.write_text(pact.read_text().replace("Body of", "A bathyscaphe body of"))
    live.rebuild(Changes(content=frozenset({pact})), index_later=True)
    assert "bathyscaphe" in (public / "2021/11/24/pact/index.html").read_text() and bundle(public) == before  # the pages first
    stop = Stop()
    stop()
    with pytest.raises(IndexStopped):
        live.index_search(stop)
    assert bundle(public) == before
    assert live.index_search() is not None
    assert any("bathyscaphe" in f["content"] for f in fragments(public).values())
    live.close()
    Session(site.root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=tmp_path / "clean"), use_cache=False).build()
    assert snapshot(public) == snapshot(tmp_path / "clean")


def test_turning_search_on_in_serve_publishes_the_pages_first_and_the_index_after(make_site):
    site = make_site(site_text().replace("enabled: true", "enabled: false"))
    public = site.root / "public"
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text().replace("enabled: false", "enabled: true"))
    live.rebuild(Changes(config=True), index_later=True)
    assert (public / "search/index.html").is_file() and not (public / "pagefind").exists()
    assert live.index_search() is not None
    assert len(fragments(public)) == 3
    live.close()


def test_turning_search_off_removes_the_index_the_page_and_the_link(make_site):
    site = make_site(site_text())
    site.build()
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text().replace("enabled: true", "enabled: false"))
    out = site.build()
    assert not out.exists("pagefind") and not out.exists("search")
    assert "/search/" not in out.read("index.html")


def test_a_missing_indexer_is_one_error_at_the_search_line_naming_the_package(make_site):
    site = make_site(site_text())
    done = site.cli("build", env={**os.environ, "PAGEFIND_BINARY_PATH": str(site.root / "no-such-pagefind")})
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        "site.yaml:4:1: search: search needs Pagefind's indexer, which is not installed (the Python package 'pagefind[bin]')"
    ), done.stderr
    assert "pip install 'pagefind[bin]'" in done.stderr and "Traceback" not in done.stderr
    assert not (site.root / "public").exists()


def test_an_indexer_that_stops_fails_the_build_and_leaves_the_old_site_whole(make_site):
    site = make_site(site_text())
    site.build()
    before = full_snapshot(site.root / "public")
    pact = site.root / PACT
    pact.write_text(pact.read_text().replace("Body of", "A changed body of"))
    done = site.cli("build", env={**os.environ, "PAGEFIND_BINARY_PATH": "/bin/false"})  # a binary that ends at once
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "pagefind[bin]: Pagefind's indexer stopped (exit code 1) before it answered", done.stderr
    assert "Traceback" not in done.stderr
    assert full_snapshot(site.root / "public") == before


@pytest.mark.parametrize("value, headline", [
    ("search: yes-please", "site.yaml:3:9: search: must be a mapping or true/false, got 'yes-please'"),
    ("search: {enable: true}", "site.yaml:3:10: search.enable: unknown key 'enable'"),
])
def test_a_mistyped_search_setting_is_an_error_at_its_line(make_site, value: str, headline: str):
    site = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\n" + value + "\n" + article("pact"))
    assert only_problem(site.build_error()).headline() == headline


def test_an_index_file_pagefind_left_cut_short_stops_the_build_instead_of_being_published(tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "fragment").mkdir(parents=True)
    whole = gzip.compress(b"<p>words</p>" * 200)
    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(whole)
    (bundle / "pagefind.js").write_text("const pagefind_version='1.5.2';")
    check_complete(bundle)  # whole files pass

    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SearchError) as caught:
        check_complete(bundle)
    assert "Pagefind left this index file incomplete" in caught.value.report()
    assert "en_1.pf_fragment" in caught.value.report()
