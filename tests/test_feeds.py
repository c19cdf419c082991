"""Feeds as a feed reader gets them: Atom, RSS and JSON Feed for the site and every topic and country.

Every feed is read back with a real parser (feedparser, and the rules in tests/feed_rules.py: RFC 4287,
RSS 2.0, the JSON Feed 1.1 schema); rebuilds are compared with clean builds byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import pytest

from digest.build import Changes, Session
from digest.config import Overrides
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, SITE_YAML, Output, article, only_problem, snapshot
from tests.feed_rules import atom_problems, json_feed_problems, rss_problems

PACT = """-- content/articles/2021/pact.md --
---
title: Israel signs defence pact with Morocco
date: 2021-11-24T09:30:00+01:00
updated: 2021-11-25
countries: [Israel, Morocco]
topics: [Defence, Diplomacy]
source: Times of Israel
url: https://example.org/pact?id=1&lang=en
summary: The "first" formal defence pact between Israel & an Arab state.
author: Digest Desk
---
The memorandum was signed in [Rabat](/countries/ma/) with a [map](map.png) and ![a photo](/img/rabat.jpg).
"""

FEEDS = ("feed.xml", "rss.xml", "feed.json")


def feed_problems(out: Output) -> list[str]:
    """Every feed of a built site checked by the format's rules."""
    checks = {"feed.xml": atom_problems, "rss.xml": rss_problems, "feed.json": json_feed_problems}
    problems: list[str] = []
    for path in sorted(out.root.rglob("*")):
        if path.name in checks:
            problems += checks[path.name](path.read_bytes(), path.relative_to(out.root).as_posix())
    return problems


def entry_for(parsed: feedparser.FeedParserDict, title: str) -> feedparser.FeedParserDict:
    return next(e for e in parsed.entries if e.title == title)


def test_the_site_and_every_topic_and_country_have_valid_feeds_in_three_formats(make_site):
    out = make_site(SITE_YAML + PACT + article("port", date="2021-11-20", countries="Israel", topics="economy")).build()
    folders = ["", "topics/defence/", "topics/diplomacy/", "topics/economy/", "countries/il/", "countries/ma/"]
    assert {f"{folder}{name}" for folder in folders for name in FEEDS} <= set(out.files())
    assert feed_problems(out) == []
    atom = feedparser.parse(out.read("topics/economy/feed.xml"))
    assert [e.title for e in atom.entries] == ["Port"]
    assert atom.feed.title == "Economy · Test Digest"


def test_an_atom_entry_carries_everything_a_reader_shows(make_site):
    out = make_site(SITE_YAML + PACT).build()
    entry = entry_for(feedparser.parse(out.read("feed.xml")), "Israel signs defence pact with Morocco")
    assert entry.link == "https://news.example.org/2021/11/24/pact/"
    assert entry.id == "tag:news.example.org,2021-11-24:/2021/11/24/pact/"
    assert entry.published == "2021-11-24T08:30:00+00:00"  # from the article (in the site's time zone), never the build's clock
    assert entry.updated == "2021-11-25T00:00:00+00:00"
    assert entry.summary == 'The "first" formal defence pact between Israel & an Arab state.'
    assert entry.author == "Digest Desk"
    assert {t.term for t in entry.tags} == {"Defence", "Diplomacy", "Israel", "Morocco"}
    assert {(link.rel, link.href) for link in entry.links} >= {("via", "https://example.org/pact?id=1&lang=en")}
    assert "content" not in entry  # summaries unless full_content is asked for


def test_a_feed_is_as_new_as_its_newest_entry(make_site):
    out = make_site(SITE_YAML + PACT + article("older", date="2021-10-01")).build()
    assert feedparser.parse(out.read("feed.xml")).feed.updated == "2021-11-25T00:00:00+00:00"
    rss = feedparser.parse(out.read("countries/il/rss.xml")).feed
    assert rss.updated == "Thu, 25 Nov 2021 00:00:00 +0000"  # lastBuildDate: the newest change
    assert rss.published == "Wed, 24 Nov 2021 08:30:00 +0000"  # pubDate: the newest publication
    assert json.loads(out.read("feed.json"))["items"][1]["date_published"] == "2021-10-01T00:00:00+00:00"


def test_rss_and_json_feed_carry_the_same_entry(make_site):
    out = make_site(SITE_YAML + PACT).build()
    item = entry_for(feedparser.parse(out.read("rss.xml")), "Israel signs defence pact with Morocco")
    assert item.link == "https://news.example.org/2021/11/24/pact/"
    assert item.id == "tag:news.example.org,2021-11-24:/2021/11/24/pact/"
    assert item.published == "Wed, 24 Nov 2021 08:30:00 +0000"
    assert item.author == "Digest Desk"
    assert item.source == {"href": "https://example.org/pact?id=1&lang=en", "title": "Times of Israel"}
    data = json.loads(out.read("feed.json"))
    [entry] = data["items"]
    assert entry["id"] == item.id and entry["url"] == item.link
    assert entry["external_url"] == "https://example.org/pact?id=1&lang=en"
    assert entry["tags"] == ["Defence", "Diplomacy", "Israel", "Morocco"]
    assert entry["authors"] == [{"name": "Digest Desk"}]
    assert data["feed_url"] == "https://news.example.org/feed.json"


def test_an_entry_keeps_its_id_when_its_title_changes(make_site):
    site = make_site(SITE_YAML + PACT)
    before = feedparser.parse(site.build().read("feed.xml")).entries[0].id
    path = site.root / "content/articles/2021/pact.md"
    path.write_text(path.read_text().replace("title: Israel signs", "title: Israel and Morocco sign"))
    after = feedparser.parse(site.build().read("feed.xml")).entries[0]
    assert after.title == "Israel and Morocco sign defence pact with Morocco"
    assert after.id == before


def test_full_content_feeds_carry_the_body_with_absolute_links(make_site):
    site = make_site(SITE_YAML.replace("title: Test Digest", "title: Test Digest\nfeeds: {full_content: true, entries: 1}") + PACT
                     + article("older", date="2021-10-01"))
    out = site.build()
    assert feed_problems(out) == []
    atom = feedparser.parse(out.read("feed.xml"))
    assert len(atom.entries) == 1  # entries: 1
    body = atom.entries[0].content[0].value
    assert 'href="https://news.example.org/countries/ma/"' in body
    assert 'href="https://news.example.org/2021/11/24/pact/map.png"' in body
    assert 'src="https://news.example.org/img/rabat.jpg"' in body
    assert "https://news.example.org/img/rabat.jpg" in json.loads(out.read("feed.json"))["items"][0]["content_html"]
    assert 'src="https://news.example.org/img/rabat.jpg"' in feedparser.parse(out.read("rss.xml")).entries[0].description


@pytest.mark.parametrize(
    ("setting", "written"),
    [
        pytest.param("feeds: false", (), id="off"),
        pytest.param("feeds: {rss: false, json: false}", ("feed.xml",), id="atom-only"),
        pytest.param("feeds: {atom: false}", ("rss.xml", "feed.json"), id="no-atom"),
    ],
)
def test_site_yaml_chooses_the_feed_formats(make_site, setting, written):
    out = make_site(SITE_YAML + setting + "\n" + PACT).build()
    for folder in ("", "topics/defence/"):
        assert [name for name in FEEDS if out.exists(folder + name)] == list(written)
    page = out.read("index.html")
    assert page.count('rel="alternate"') == len(written)


def test_every_page_advertises_the_site_feeds_and_term_pages_their_own(make_site):
    out = make_site(SITE_YAML + PACT).build()
    site_links = [
        '<link rel="alternate" type="application/atom+xml" title="Test Digest (Atom)" href="/feed.xml">',
        '<link rel="alternate" type="application/rss+xml" title="Test Digest (RSS)" href="/rss.xml">',
        '<link rel="alternate" type="application/feed+json" title="Test Digest (JSON Feed)" href="/feed.json">',
    ]
    for page in [p for p in out.files() if p.endswith(".html")]:
        assert all(link in out.read(page) for link in site_links), page
    topic = out.read("topics/defence/index.html")
    assert '<link rel="alternate" type="application/atom+xml" title="Defence · Test Digest (Atom)" href="/topics/defence/feed.xml">' in topic
    assert 'href="/countries/ma/feed.json"' in out.read("countries/ma/index.html")
    assert "/topics/defence/feed.xml" not in out.read("index.html")


def test_feeds_without_a_base_url_is_an_error_that_says_what_to_set(make_site):
    site = make_site("-- site.yaml --\ntitle: Test Digest\n" + PACT)
    problem = only_problem(site.build_error())
    assert problem.headline() == "site.yaml:1:1: feeds need absolute links, so base_url is required"
    assert "base_url: https://news.example.org/" in problem.hint and "feeds: false" in problem.hint
    done = site.cli("build")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert not (site.root / "public").exists()
    site.write("-- site.yaml --\ntitle: Test Digest\nfeeds: false\n")
    assert not site.build().exists("feed.xml")


def test_an_updated_date_before_the_article_date_is_refused(make_site):
    site = make_site(SITE_YAML + PACT.replace("updated: 2021-11-25", "updated: 2021-11-01"))
    problem = only_problem(site.build_error())
    assert problem.headline() == "content/articles/2021/pact.md:4:10: updated: is before the article's date (2021-11-24)"


# -- incremental -------------------------------------------------------------------------


def live(root: Path, output: Path | None = None) -> Session:
    return Session(root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=output), use_cache=output is None)


def stories(count: int) -> str:
    topics = ("defence", "energy", "climate")
    return "".join(article(f"story-{n}", date=f"2021-11-{n + 1:02d}", topics=topics[n % 3]) for n in range(count))


@pytest.mark.parametrize("full_content", [False, True], ids=["summaries", "full-content"])
def test_a_body_edit_touches_the_feeds_that_carry_the_body_and_nothing_else(make_site, tmp_path, full_content):
    settings = "feeds: {full_content: true}\n" if full_content else ""
    site = make_site(SITE_YAML + settings + stories(6))
    session = live(site.root)
    session.build()
    path = site.root / "content/articles/story-4.md"  # topic energy, country Israel
    path.write_text(path.read_text().replace("Body of", "The revised body of"))
    rendered = set(session.rebuild(Changes(content=frozenset({path}))).rendered_outputs)
    page = "2021/11/05/story-4/index.html"
    carrying = {f"{folder}{name}" for folder in ("", "topics/energy/", "countries/il/", "sources/example-news/") for name in FEEDS}
    assert rendered == ({page} | carrying if full_content else {page})
    session.close()
    clean = live(site.root, tmp_path / "clean")
    clean.build()
    clean.close()
    assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")


def test_a_title_edit_rebuilds_feeds_byte_identical_to_a_clean_build(make_site, tmp_path):
    site = make_site(SITE_YAML + stories(6))
    session = live(site.root)
    session.build()
    path = site.root / "content/articles/story-2.md"
    path.write_text(path.read_text().replace("title: Story 2", "title: Renamed story"))
    rendered = set(session.rebuild(Changes(content=frozenset({path}))).rendered_outputs)
    assert {"feed.xml", "topics/climate/rss.xml", "countries/il/feed.json"} <= rendered
    assert not any(name.startswith("topics/defence/") for name in rendered)
    session.close()
    clean = live(site.root, tmp_path / "clean")
    clean.build()
    clean.close()
    assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")
