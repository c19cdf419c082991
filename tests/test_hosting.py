"""Hosting the bundled sample digest where its curator wants it: under a sub-path of a domain, opened from disk
with relative URLs, or moved with those relative URLs under a path it was never built for. Wherever it lands, a
reader and a search engine find no broken link and reach every page, feed and sitemap, and every feed is valid."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from digest.build import build_once
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, run_cli
from tests.crawl import crawl, crawl_published, offered_files, serve_folder
from tests.feed_rules import feed_files, feed_problems

BASE_URL = "https://news.example.org/digest/"
ROOT_RELATIVE = re.compile(r'\b(?:href|src)="/')
SITEMAP_LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
PACT_HEADING = "A first for an Arab state"
"""A heading in the body of the Israel-Morocco pact article: in its feeds only when they carry the full text."""


def sample_site(folder: Path, base_url: str, *extra: str) -> Path:
    """A curator's copy of the bundled sample (content/ and site.yaml) published at `base_url`, with `extra`
    lines added to its site.yaml."""
    shutil.copytree(REPO / "content", folder / "content")
    config, count = re.subn(r"(?m)^base_url: .*$", f"base_url: {base_url}", (REPO / "site.yaml").read_text(encoding="utf-8"))
    assert count == 1, "the sample's site.yaml has no base_url line to rewrite"
    (folder / "site.yaml").write_text(config + "".join(f"{line}\n" for line in extra), encoding="utf-8")
    return folder


def build(site: Path, output: Path) -> Path:
    build_once(site, BuildOptions(now=FIXED_NOW), output_dir=output)
    return output


def term_pages(output: Path) -> list[str]:
    return sorted(p.parent.relative_to(output).as_posix() for p in output.glob("*/*/index.html") if p.parts[-3] in ("topics", "countries", "sources", "authors"))


# --- hosted under a sub-path ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample published at https://news.example.org/digest/, built into `<served root>/digest/`; returns the served root."""
    folder = tmp_path_factory.mktemp("hosted")
    build(sample_site(folder / "site", BASE_URL), folder / "served" / "digest")
    return folder / "served"


def test_under_a_sub_path_every_link_works_and_readers_and_robots_reach_every_page_feed_and_sitemap(hosted: Path) -> None:
    with serve_folder(hosted) as base:
        report = crawl_published(base + "digest/", inside=base + "digest/", published_at=BASE_URL)
    assert report.broken == [], report
    assert offered_files(hosted / "digest") - report.files() == set()


def test_under_a_sub_path_a_reader_reaches_every_page_and_feed_from_the_home_page(hosted: Path) -> None:
    """Only the not-found page, which the host shows for a missing URL, and the sitemap, which robots.txt names,
    are not linked from a page."""
    with serve_folder(hosted) as base:
        report = crawl(base + "digest/", inside=base + "digest/", published_at=BASE_URL)
    assert report.broken == [], report
    assert offered_files(hosted / "digest") - report.files() == {"404.html", "sitemap.xml"}


def test_under_a_sub_path_robots_txt_names_the_sitemap_at_its_public_address(hosted: Path) -> None:
    robots = (hosted / "digest" / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots.splitlines()


# --- relative URLs: from disk, and moved anywhere -------------------------------------------------------------


@pytest.fixture(scope="module", params=["relative_urls in site.yaml", "digest build --relative"])
def relative(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample published at https://news.example.org/digest/ and built with relative URLs, either way a curator
    can ask for them; returns the output folder."""
    folder = tmp_path_factory.mktemp("relative")
    output = folder / "public"
    if request.param == "relative_urls in site.yaml":
        return build(sample_site(folder / "site", BASE_URL, "relative_urls: true"), output)
    site = sample_site(folder / "site", BASE_URL)
    done = run_cli(site, "build", "--relative", "--output", str(output), env={**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()})
    assert done.returncode == 0, done.stderr
    return output


def test_relative_output_opened_from_disk_has_no_broken_link_and_reaches_everything(relative: Path) -> None:
    site = relative.as_uri() + "/"
    report = crawl_published(site + "index.html", inside=site, published_at=BASE_URL)
    assert report.broken == [], report
    assert offered_files(relative) - report.files() == set()


def test_relative_pages_have_no_root_relative_link(relative: Path) -> None:
    found = [
        f"{page.relative_to(relative).as_posix()}: {line.strip()}"
        for page in sorted(relative.rglob("*.html"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if ROOT_RELATIVE.search(line)
    ]
    assert found == []


def test_the_relative_404_page_links_to_the_published_site(relative: Path) -> None:
    """Hosts show 404.html at whatever address was missing, where no relative link can work: it links to base_url."""
    page = (relative / "404.html").read_text(encoding="utf-8")
    links = re.findall(r'\b(?:href|src)="([^"]*)"', page)
    assert re.search(rf'href="{BASE_URL}css/digest\.[0-9a-f]{{8}}\.css"', page) and f'href="{BASE_URL}topics/"' in page
    assert [link for link in links if not link.startswith((BASE_URL, "#", "https://"))] == []


def test_relative_output_keeps_absolute_urls_in_its_feeds_and_sitemap(relative: Path, hosted: Path) -> None:
    """Feeds and sitemaps are read away from the site, so relative URLs change nothing in them: they are the bytes
    of the same site built with absolute URLs, valid, and every sitemap address is under base_url."""
    absolute = hosted / "digest"
    assert feed_files(relative) == feed_files(absolute)
    for name in [*feed_files(relative), "sitemap.xml", "robots.txt"]:
        assert (relative / name).read_bytes() == (absolute / name).read_bytes(), name
    assert feed_problems(relative) == []
    addresses = [loc.text or "" for loc in ET.parse(relative / "sitemap.xml").iter(SITEMAP_LOC)]
    assert addresses and [a for a in addresses if not a.startswith(BASE_URL)] == []


def test_relative_output_served_under_a_path_it_was_not_built_for_has_no_broken_link(relative: Path, tmp_path: Path) -> None:
    shutil.copytree(relative, tmp_path / "elsewhere" / "deeper")
    with serve_folder(tmp_path) as base:
        site = base + "elsewhere/deeper/"
        report = crawl_published(site, inside=site, published_at=BASE_URL)
    assert report.broken == [], report
    assert offered_files(relative) - report.files() == set()


# --- feeds ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("full_content", [False, True], ids=["summaries", "full_content"])
def test_every_feed_of_the_sample_is_valid_atom_rss_or_json_feed(tmp_path: Path, full_content: bool) -> None:
    extra = ["feeds: {full_content: true}"] if full_content else []
    output = build(sample_site(tmp_path / "site", BASE_URL, *extra), tmp_path / "public")
    folders = ["", "editions/", *(f"{term}/" for term in term_pages(output))]  # the site's, the editions', each term's
    expected = {f"{folder}{name}" for folder in folders for name in ("feed.xml", "rss.xml", "feed.json")}
    assert set(feed_files(output)) == expected
    assert feed_problems(output) == []
    for name in ("feed.xml", "rss.xml", "feed.json"):
        feed = (output / "topics" / "abraham-accords" / name).read_text(encoding="utf-8")
        assert (PACT_HEADING in feed) == full_content, f"topics/abraham-accords/{name}"
