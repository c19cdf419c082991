"""The tools that check digest's output catch what they claim to: a tidy feed passes, each mistake a generator
makes is named (file, where, what), and the crawler finds the one broken link planted in a small site, whether
the site is served under a sub-path or opened from disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_files
from tests.crawl import crawl, crawl_published, serve_folder
from tests.feed_rules import atom_problems, json_feed_problems, rss_problems

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:example.org,2021:digest</id>
  <title>Test Digest</title>
  <updated>2021-11-24T09:30:00Z</updated>
  <author><name>Test Digest</name></author>
  <link rel="alternate" type="text/html" href="https://example.org/digest/"/>
  <link rel="self" type="application/atom+xml" href="https://example.org/digest/feed.xml"/>
  <entry>
    <id>tag:example.org,2021-11-24:pact</id>
    <title>Israel signs defence pact with Morocco</title>
    <published>2021-11-24T09:30:00Z</published>
    <updated>2021-11-24T09:30:00Z</updated>
    <link rel="alternate" type="text/html" href="https://example.org/digest/2021/11/24/pact/"/>
    <content type="html">&lt;p&gt;Signed in &lt;a href="https://example.org/digest/countries/ma/"&gt;Rabat&lt;/a&gt;.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>tag:example.org,2021-11-20:port</id>
    <title>Port deal agreed in Haifa</title>
    <updated>2021-11-20T10:00:00+02:00</updated>
    <link href="https://example.org/digest/2021/11/20/port/"/>
    <summary>A port deal.</summary>
  </entry>
</feed>
"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Test Digest</title>
    <link>https://example.org/digest/</link>
    <description>News from the region</description>
    <lastBuildDate>Wed, 24 Nov 2021 09:30:00 +0000</lastBuildDate>
    <atom:link rel="self" type="application/rss+xml" href="https://example.org/digest/rss.xml"/>
    <item>
      <title>Israel signs defence pact with Morocco</title>
      <link>https://example.org/digest/2021/11/24/pact/</link>
      <guid>https://example.org/digest/2021/11/24/pact/</guid>
      <pubDate>Wed, 24 Nov 2021 09:30:00 +0000</pubDate>
      <description>&lt;p&gt;Signed in &lt;a href="https://example.org/digest/countries/ma/"&gt;Rabat&lt;/a&gt;.&lt;/p&gt;</description>
    </item>
    <item>
      <title>Port deal agreed in Haifa</title>
      <guid isPermaLink="false">tag:example.org,2021-11-20:port</guid>
      <pubDate>Sat, 20 Nov 2021 10:00:00 +0200</pubDate>
    </item>
  </channel>
</rss>
"""

JSON_FEED = """{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Test Digest",
  "home_page_url": "https://example.org/digest/",
  "feed_url": "https://example.org/digest/feed.json",
  "language": "en",
  "authors": [{"name": "Test Digest"}],
  "items": [
    {
      "id": "https://example.org/digest/2021/11/24/pact/",
      "url": "https://example.org/digest/2021/11/24/pact/",
      "title": "Israel signs defence pact with Morocco",
      "content_html": "<p>Signed in <a href=\\"https://example.org/digest/countries/ma/\\">Rabat</a>.</p>",
      "date_published": "2021-11-24T09:30:00Z",
      "tags": ["defence"]
    },
    {"id": "tag:example.org,2021-11-20:port", "content_text": "A port deal.", "date_published": "2021-11-20T10:00:00+02:00"}
  ]
}
"""

PACT_ID = "(tag:example.org,2021-11-24:pact)"
PORT_ID = "(tag:example.org,2021-11-20:port)"


def edited(feed: str, old: str, new: str) -> bytes:
    """The feed with one mistake put in."""
    assert old in feed, old
    return feed.replace(old, new, 1).encode()


# -- feeds ----------------------------------------------------------------------------


def test_tidy_feeds_of_every_kind_have_no_problems() -> None:
    assert atom_problems(ATOM.encode(), "feed.xml") == []
    assert rss_problems(RSS.encode(), "rss.xml") == []
    assert json_feed_problems(JSON_FEED.encode(), "feed.json") == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('href="https://example.org/digest/countries/ma/"', 'href="../countries/ma/"',
         f"entry 1 {PACT_ID} <content type=\"html\">: relative URL '../countries/ma/' in the HTML; feed bodies need absolute URLs"),
        ("<id>tag:example.org,2021-11-24:pact</id>", "", "entry 1: missing <id>"),
        ("<updated>2021-11-24T09:30:00Z</updated>", "<updated>2026-11-25T12:00:00Z</updated>",
         "feed: <updated> is 2026-11-25T12:00:00+00:00, not its newest entry's 2021-11-24T09:30:00+00:00 (a feed's date is its newest entry's)"),
        ("2021-11-20T10:00:00+02:00", "2021-11-20",
         f"entry 2 {PORT_ID}: <updated> '2021-11-20' is not an RFC 3339 date-time like 2021-11-24T09:30:00Z"),
        ("<published>2021-11-24T09:30:00Z", "<published>2021-11-25T09:30:00Z",
         f"entry 1 {PACT_ID}: <published> 2021-11-25T09:30:00+00:00 is later than <updated> 2021-11-24T09:30:00+00:00"),
        ('<link rel="self" type="application/atom+xml" href="https://example.org/digest/feed.xml"/>', "",
         'feed: no <link rel="self"> (readers use it to find the feed again; we always write one)'),
        ('href="https://example.org/digest/2021/11/20/port/"', 'href="/digest/2021/11/20/port/"',
         f'entry 2 {PORT_ID}: <link href="/digest/2021/11/20/port/"> is not an absolute http(s) URL'),
        ("tag:example.org,2021-11-20:port", "tag:example.org,2021-11-24:pact",
         "feed: entry id 'tag:example.org,2021-11-24:pact' appears 2 times; ids must be unique"),
        ("<id>tag:example.org,2021:digest</id>", "<id>digest</id>",
         "feed: <id> 'digest' is not an absolute IRI (a tag: URI or an http(s) URL)"),
        ("<summary>A port deal.</summary>", "", f"entry 2 {PORT_ID}: neither <content> nor <summary>"),
    ],
)
def test_an_atom_feed_with_a_mistake_names_it(old: str, new: str, problem: str) -> None:
    assert atom_problems(edited(ATOM, old, new), "topics/defence/feed.xml") == [f"topics/defence/feed.xml: {problem}"]


def test_an_atom_feed_without_authors_anywhere_names_the_entries_that_lack_one() -> None:
    assert atom_problems(edited(ATOM, "<author><name>Test Digest</name></author>", ""), "feed.xml") == [
        f"feed.xml: feed: no <author>, nor do entry 1 {PACT_ID}, entry 2 {PORT_ID} have one (RFC 4287: on the feed or on every entry)"
    ]


def test_a_feed_that_is_not_well_formed_is_reported_by_feedparser_and_by_the_xml_parser() -> None:
    problems = atom_problems(edited(ATOM, "</feed>", "</fed>"), "feed.xml")
    assert [problem.split(":")[1].strip() for problem in problems] == ["feedparser", "document"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("Sat, 20 Nov", "Sun, 20 Nov", f"item 2 {PORT_ID}: <pubDate> 'Sun, 20 Nov 2021 10:00:00 +0200' names the wrong weekday: that date is a Saturday"),
        ("Sat, 20 Nov 2021 10:00:00 +0200", "2021-11-20",
         f"item 2 {PORT_ID}: <pubDate> '2021-11-20' is not an RFC 822 date like 'Wed, 24 Nov 2021 09:30:00 +0000'"),
        ("<lastBuildDate>Wed, 24 Nov 2021 09:30:00 +0000", "<lastBuildDate>Tue, 23 Nov 2021 12:00:00 +0000",
         "channel: <lastBuildDate> is 2021-11-23T12:00:00+00:00, before its newest item's 2021-11-24T09:30:00+00:00"),
        ("<link>https://example.org/digest/2021", "<link>/digest/2021",
         "item 1 (https://example.org/digest/2021/11/24/pact/): <link> /digest/2021/11/24/pact/ is not an absolute http(s) URL"),
        ('<guid isPermaLink="false">', "<guid>",
         f"item 2 {PORT_ID}: <guid> 'tag:example.org,2021-11-20:port' is a permalink (no isPermaLink=\"false\") but not an absolute http(s) URL"),
        ('<atom:link rel="self" type="application/rss+xml" href="https://example.org/digest/rss.xml"/>', "",
         'channel: no <atom:link rel="self"> (RSS best practice: the feed names its own URL)'),
        ('&lt;a href="https://example.org/digest/countries/ma/"', '&lt;img src="/digest/ma.png"&gt;&lt;a href="#rabat"',
         "item 1 (https://example.org/digest/2021/11/24/pact/) <description>: relative URL '/digest/ma.png' in the HTML; feed bodies need absolute URLs"),
    ],
)
def test_an_rss_feed_with_a_mistake_names_it(old: str, new: str, problem: str) -> None:
    assert rss_problems(edited(RSS, old, new), "rss.xml")[:1] == [f"rss.xml: {problem}"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('"url": "https://example.org/digest/2021/11/24/pact/"', '"url": "/2021/11/24/pact/"', "items/0/url: '/2021/11/24/pact/' is not an absolute URL"),
        ('"2021-11-24T09:30:00Z"', '"24/11/21"', "items/0/date_published: '24/11/21' is not an RFC 3339 date-time like 2021-11-24T09:30:00Z"),
        ('"id": "tag:example.org,2021-11-20:port", ', "", "items/1: 'id' is a required property"),
        ('"content_text"', '"body"', "items/1: needs content_html or content_text"),
        ('1.1"', '1"', "version: is 'https://jsonfeed.org/version/1', must be 'https://jsonfeed.org/version/1.1'"),
        ('"tags"', '"tag"', "items/0: unknown key 'tag' (JSON Feed extensions start with '_')"),
        ('"id": "tag:example.org,2021-11-20:port"', '"id": "https://example.org/digest/2021/11/24/pact/"',
         "feed: item id 'https://example.org/digest/2021/11/24/pact/' appears 2 times; ids must be unique"),
        ('href=\\"https://example.org/digest/countries/ma/\\"', 'href=\\"countries/ma/\\"',
         "items/0 (https://example.org/digest/2021/11/24/pact/) content_html: relative URL 'countries/ma/' in the HTML; feed bodies need absolute URLs"),
    ],
)
def test_a_json_feed_with_a_mistake_names_it(old: str, new: str, problem: str) -> None:
    assert json_feed_problems(edited(JSON_FEED, old, new), "countries/ma/feed.json")[:1] == [f"countries/ma/feed.json: {problem}"]


# -- crawling -------------------------------------------------------------------------

SITE = """
-- digest/index.html --
<!doctype html>
<link rel="stylesheet" href="css/site.css">
<link rel="alternate" type="application/atom+xml" href="feed.xml">
<a href="topics/defence/#latest">Defence</a> <a href="https://elsewhere.example/">Elsewhere</a>
<a href="mailto:desk@example.org">Write to us</a> <img src="img/logo.png" srcset="img/logo.png 1x, img/logo@2x.png 2x">
-- digest/topics/defence/index.html --
<!doctype html>
<link rel="stylesheet" href="../../css/site.css">
<a href="../../">Home</a> <a href="../../2021/pact.html">Pact</a>
-- digest/2021/pact.html --
<!doctype html>
<a href="../topics/defence/">Defence</a>
-- digest/css/site.css --
body { margin: 0 }
-- digest/img/logo.png --
png
-- digest/img/logo@2x.png --
png
-- digest/feed.xml --
<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="feed.xml"/><entry><link href="2021/pact.html"/></entry></feed>
"""


def test_crawling_a_site_served_under_a_sub_path_finds_the_one_broken_link(tmp_path: Path) -> None:
    write_files(tmp_path, SITE.replace('href="../../2021/pact.html"', 'href="../../2021/treaty.html"'))
    with serve_folder(tmp_path) as base:
        report = crawl(base + "digest/", inside=base + "digest/")
    assert report.broken == ["topics/defence/ → 2021/treaty.html (404 File not found)"], report
    assert report.external == {"https://elsewhere.example/"}
    assert base + "digest/feed.xml" in report.visited and base + "digest/img/logo@2x.png" in report.visited


def test_a_root_relative_link_escapes_a_site_hosted_under_a_sub_path(tmp_path: Path) -> None:
    write_files(tmp_path, SITE.replace('href="css/site.css"', 'href="/css/site.css"'))
    with serve_folder(tmp_path) as base:
        report = crawl(base + "digest/", inside=base + "digest/")
    assert report.broken == [f"./ → {base}css/site.css (outside the site's path /digest/)"]


def test_crawling_from_disk_flags_a_link_to_a_folder(tmp_path: Path) -> None:
    write_files(tmp_path, SITE)
    site = (tmp_path / "digest").as_uri() + "/"
    report = crawl(site + "index.html", inside=site)
    assert report.broken == [
        "index.html → topics/defence/ (directory link: opened from disk, a browser shows the folder, not its index.html)",
        "2021/pact.html → topics/defence/ (directory link: opened from disk, a browser shows the folder, not its index.html)",
    ]


def test_crawling_from_disk_finds_every_page_when_links_name_their_files(tmp_path: Path) -> None:
    write_files(tmp_path, SITE.replace('defence/"', 'defence/index.html"').replace("defence/#", "defence/index.html#").replace('"../../"', '"../../index.html"'))
    site = (tmp_path / "digest").as_uri() + "/"
    report = crawl(site + "index.html", inside=site)
    assert report.broken == []
    assert sorted(url.removeprefix(site) for url in report.visited) == [
        "2021/pact.html", "css/site.css", "feed.xml", "img/logo.png", "img/logo@2x.png", "index.html", "topics/defence/index.html",
    ]


def test_the_public_addresses_in_a_sitemap_are_checked_against_the_files_built(tmp_path: Path) -> None:
    write_files(tmp_path, """
-- public/index.html --
<!doctype html>
<link rel="sitemap" type="application/xml" href="sitemap.xml">
-- public/sitemap.xml --
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/digest/</loc></url>
  <url><loc>https://example.org/digest/topics/defence/</loc></url>
  <url><loc>https://example.org/digest/2021/11/24/treaty/</loc></url>
</urlset>
-- public/topics/defence/index.html --
<!doctype html>
<h1>Defence</h1>
""")
    site = (tmp_path / "public").as_uri() + "/"
    report = crawl(site + "index.html", inside=site, published_at="https://example.org/digest/")
    assert report.broken == ["sitemap.xml → 2021/11/24/treaty/index.html (missing file)"]
    assert report.external == set()
    assert site + "topics/defence/index.html" in report.visited


PUBLISHED = """
-- digest/index.html --
<!doctype html>
<a href="topics/">Topics</a>
-- digest/topics/index.html --
<!doctype html>
<a href="../">Home</a>
-- digest/robots.txt --
User-agent: *
Allow: /

Sitemap: https://example.org/digest/sitemap.xml
-- digest/sitemap.xml --
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/digest/2021/11/24/pact/</loc></url>
</urlset>
-- digest/2021/11/24/pact/index.html --
<!doctype html>
<a href="../../../../">Home</a>
-- digest/404.html --
<!doctype html>
<a href="/digest/archive/">Archive</a>
-- digest/archive/index.html --
<!doctype html>
<h1>Archive</h1>
"""


def test_a_published_crawl_also_starts_from_the_sitemap_robots_txt_names_and_from_the_404_page(tmp_path: Path) -> None:
    write_files(tmp_path, PUBLISHED)
    with serve_folder(tmp_path) as base:
        report = crawl_published(base + "digest/", inside=base + "digest/", published_at="https://example.org/digest/")
    assert report.broken == [], report
    assert report.files() == {
        "index.html", "topics/index.html", "sitemap.xml", "2021/11/24/pact/index.html", "404.html", "archive/index.html",
    }


def test_a_published_crawl_reports_a_robots_txt_that_names_no_sitemap(tmp_path: Path) -> None:
    write_files(tmp_path, PUBLISHED.replace("Sitemap: https://example.org/digest/sitemap.xml", ""))
    with serve_folder(tmp_path) as base:
        report = crawl_published(base + "digest/", inside=base + "digest/", published_at="https://example.org/digest/")
    assert report.broken == ["(start) → robots.txt (names no sitemap)"]
    assert "sitemap.xml" not in report.files() and "404.html" in report.files()


def test_a_published_crawl_reports_a_sitemap_outside_the_site_without_fetching_it(tmp_path: Path) -> None:
    write_files(tmp_path, PUBLISHED.replace("https://example.org/digest/sitemap.xml", "https://example.org/sitemap.xml"))
    with serve_folder(tmp_path) as base:
        report = crawl_published(base + "digest/", inside=base + "digest/", published_at="https://example.org/digest/")
    assert report.broken == ["(start) → robots.txt (names a sitemap outside https://example.org/digest/: https://example.org/sitemap.xml)"]
    assert "2021/11/24/pact/index.html" not in report.files()
