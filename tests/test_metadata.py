"""What search engines and link previews read: sitemaps, robots.txt, canonical links, OpenGraph, JSON-LD."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import html5lib

from digest.build import Session, build_once
from digest.pages import PageKind
from digest.plan import Planner
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, SITE_YAML, Output, article

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

HOSTILE = """-- content/articles/2021/hostile.md --
---
title: 'Quotes "here" & a </script><script>alert(1)</script>'
date: 2021-11-24
countries: [Morocco]
topics: [Defence]
source: Le Desk
url: https://example.org/original
summary: 'He said "no" & <b>left</b>; it''s over.'
author: Desk
---
Body.
"""


def head_meta(out: Output, page: str) -> dict[str, list[str]]:
    """Every <meta> of a page's head by name or property, as a browser would read the attributes."""
    document = html5lib.parse(out.read(page), namespaceHTMLElements=False)
    found: dict[str, list[str]] = {}
    for meta in document.iter("meta"):
        key = meta.get("name") or meta.get("property")
        if key:
            found.setdefault(key, []).append(meta.get("content", ""))
    return found


def link_href(out: Output, page: str, rel: str) -> str | None:
    document = html5lib.parse(out.read(page), namespaceHTMLElements=False)
    return next((link.get("href") for link in document.iter("link") if link.get("rel") == rel), None)


def json_ld(out: Output, page: str) -> dict[str, object]:
    document = html5lib.parse(out.read(page), namespaceHTMLElements=False)
    [script] = [s for s in document.iter("script") if s.get("type") == "application/ld+json"]
    return json.loads(script.text or "")  # type: ignore[no-any-return]


def html_pages(out: Output) -> list[str]:
    return [p for p in out.files() if p.endswith(".html")]


def test_the_sitemap_lists_every_public_page_with_its_last_change(make_site):
    out = make_site(SITE_YAML + HOSTILE + article("older", date="2021-10-01") + article("newer", date="2021-11-26")).build()
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in ET.fromstring(out.read("sitemap.xml"))}
    pages = {"https://news.example.org/" + p.removesuffix("index.html") for p in html_pages(out) if p != "404.html"}
    assert set(urls) == pages
    assert urls["https://news.example.org/2021/10/01/older/"] == "2021-10-01T00:00:00+00:00"
    assert urls["https://news.example.org/"] == "2021-11-26T00:00:00+00:00"  # its newest article
    assert urls["https://news.example.org/countries/ma/"] == "2021-11-24T00:00:00+00:00"
    assert out.read("robots.txt") == "User-agent: *\nAllow: /\n\nSitemap: https://news.example.org/sitemap.xml\n"


def test_above_the_limit_the_sitemap_becomes_an_index_of_numbered_sitemaps(make_site):
    site = make_site(SITE_YAML + "".join(article(f"s{n}", date=f"2021-11-{n + 1:02d}") for n in range(4)))
    session = Session(site.root, BuildOptions(now=FIXED_NOW))
    session.build()
    assert session.state is not None and session.state.planner is not None
    last = session.state.planner
    plans = list(Planner(last.site, last.related, sitemap_limit=5).plans())
    session.close()
    listed = [p for p in plans if p.kind is PageKind.SITEMAP]
    [index] = [p for p in plans if p.kind is PageKind.SITEMAP_INDEX]
    assert [p.output for p in listed] == [f"sitemap-{n}.xml" for n in range(1, len(listed) + 1)]
    assert all(len(p.context["sitemap"].entries) <= 5 for p in listed) and len(listed) > 1
    assert index.output == "sitemap.xml"
    assert [s.url for s in index.context["sitemaps"]] == [f"https://news.example.org/{p.output}" for p in listed]


def test_the_news_sitemap_lists_the_last_two_days_for_google_news(make_site):
    today = FIXED_NOW.date()
    recent = [article(f"day-{n}", date=(today - timedelta(days=n)).isoformat()) for n in range(4)]
    out = make_site(SITE_YAML + "news_sitemap: true\n" + "".join(recent)).build()
    root = ET.fromstring(out.read("news-sitemap.xml"))
    listed = [u.findtext(f"{SITEMAP}loc") for u in root]
    assert [url.rsplit("/", 2)[-2] for url in listed] == ["day-0", "day-1"]  # two days before 2026-11-25T12:00Z
    news = root[0].find(f"{NEWS}news")
    assert news is not None
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Test Digest"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Day 0"
    assert news.findtext(f"{NEWS}publication_date") == "2026-11-25T00:00:00+00:00"
    assert "Sitemap: https://news.example.org/news-sitemap.xml" in out.read("robots.txt")
    assert not make_site(SITE_YAML + "".join(recent)).build().exists("news-sitemap.xml")  # off by default


def test_an_article_leaves_the_news_sitemap_two_days_later_without_an_edit(make_site):
    site = make_site(SITE_YAML + "news_sitemap: true\n" + article("fresh", date=FIXED_NOW.date().isoformat()))

    def listed(now: datetime) -> list[str | None]:
        output = build_once(site.root, BuildOptions(now=now)).config.output_dir
        return [u.findtext(f"{SITEMAP}loc") for u in ET.fromstring((output / "news-sitemap.xml").read_text())]

    assert listed(FIXED_NOW) == ["https://news.example.org/2026/11/25/fresh/"]
    assert listed(FIXED_NOW + timedelta(hours=1)) == ["https://news.example.org/2026/11/25/fresh/"]  # nothing to do
    assert listed(FIXED_NOW + timedelta(days=2)) == []  # nothing was edited, yet the window moved on


def test_every_page_has_a_canonical_link_a_description_and_preview_metadata(make_site):
    out = make_site(SITE_YAML + "description: World news, curated.\n" + HOSTILE).build()
    for page in html_pages(out):
        meta = head_meta(out, page)
        assert meta["description"][0], page
        assert meta["og:title"] and meta["og:site_name"] == ["Test Digest"], page
        assert meta["twitter:card"] == ["summary"], page
        if page == "404.html":
            assert link_href(out, page, "canonical") is None and meta["robots"] == ["noindex"]
        else:
            url = "https://news.example.org/" + page.removesuffix("index.html")
            assert link_href(out, page, "canonical") == url and meta["og:url"] == [url], page
    for page in ("index.html", "topics/defence/index.html", "countries/index.html", "2021/index.html"):
        assert head_meta(out, page)["description"] == ["World news, curated."], page  # no description of their own: the site's


def test_a_term_page_describes_itself_with_the_terms_description(make_site):
    vocabulary = "topics:\n  defence: {name: Defence, description: \"Armies, alliances and arms deals.\"}\n"
    out = make_site(SITE_YAML + "description: World news, curated.\n" + vocabulary + HOSTILE).build()
    assert head_meta(out, "topics/defence/index.html")["description"] == ["Armies, alliances and arms deals."]
    bare = make_site(SITE_YAML + HOSTILE).build()  # no description anywhere: the page says what it lists
    assert head_meta(bare, "topics/defence/index.html")["description"] == ["News about Defence in Test Digest: 1 article."]


def test_an_article_page_describes_itself_with_its_summary_even_without_a_site_description(make_site):
    out = make_site(SITE_YAML + HOSTILE).build()
    meta = head_meta(out, "2021/11/24/hostile/index.html")
    summary = """He said "no" & <b>left</b>; it's over."""
    assert meta["description"] == [summary]  # quotes and angle brackets do not break the attribute
    assert meta["og:description"] == [summary] and meta["twitter:description"] == [summary]
    assert meta["og:type"] == ["article"]
    assert meta["article:published_time"] == ["2021-11-24T00:00:00+00:00"]
    assert meta["article:section"] == ["Defence"]
    assert meta["article:tag"] == ["Defence", "Morocco"]
    assert head_meta(out, "index.html")["description"] == ["Test Digest"]  # no site description: its title


def test_an_article_page_embeds_a_news_article_for_search_engines(make_site):
    out = make_site(SITE_YAML + HOSTILE).build()
    page = "2021/11/24/hostile/index.html"
    data = json_ld(out, page)
    title = 'Quotes "here" & a </script><script>alert(1)</script>'
    assert data["@type"] == "NewsArticle" and data["headline"] == title
    assert data["datePublished"] == "2021-11-24T00:00:00+00:00" and data["dateModified"] == "2021-11-24T00:00:00+00:00"
    assert data["author"] == {"@type": "Person", "name": "Desk"}
    assert data["publisher"] == {"@type": "Organization", "name": "Test Digest", "url": "https://news.example.org/"}
    assert data["isBasedOn"] == "https://example.org/original"
    assert data["about"] == [{"@type": "Thing", "name": "Defence", "url": "https://news.example.org/topics/defence/"}]
    assert data["contentLocation"] == [
        {"@type": "Country", "name": "Morocco", "identifier": "MA", "url": "https://news.example.org/countries/ma/"}
    ]
    assert len(re.findall(r"<script\b", out.read(page))) == 1  # the title's </script> did not end the JSON-LD


def test_lists_embed_a_collection_page_of_what_they_list(make_site):
    out = make_site(SITE_YAML + HOSTILE + article("port", date="2021-11-20")).build()
    data = json_ld(out, "topics/defence/index.html")
    assert data["@type"] == "CollectionPage" and data["url"] == "https://news.example.org/topics/defence/"
    items = data["mainEntity"]
    assert isinstance(items, dict) and items["@type"] == "ItemList" and items["numberOfItems"] == 2
    assert items["itemListElement"][1] == {
        "@type": "ListItem", "position": 2, "url": "https://news.example.org/2021/11/20/port/", "name": "Port",
    }
    topics = json_ld(out, "topics/index.html")["mainEntity"]
    assert isinstance(topics, dict) and [i["name"] for i in topics["itemListElement"]] == ["Defence"]


def test_base_url_with_a_path_reaches_feeds_sitemaps_and_metadata(make_site):
    out = make_site(SITE_YAML.replace("https://news.example.org/", "https://example.org/digest/") + HOSTILE).build()
    assert link_href(out, "topics/index.html", "canonical") == "https://example.org/digest/topics/"
    assert "https://example.org/digest/2021/11/24/hostile/" in out.read("sitemap.xml")
    assert "Sitemap: https://example.org/digest/sitemap.xml" in out.read("robots.txt")
    assert 'href="/digest/feed.xml"' in out.read("index.html")
    assert "<id>tag:example.org,2021-11-24:/digest/2021/11/24/hostile/</id>" in out.read("feed.xml")
