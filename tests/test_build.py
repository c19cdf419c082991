"""What a curator sees when they build: pages, lists, drafts, themes and the output folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from digest.errors import DigestError
from tests.conftest import SITE_YAML, article, full_snapshot, only_problem, snapshot

PACT = """
-- site.yaml --
title: Test Digest
base_url: https://news.example.org/
-- content/articles/2021/pact.md --
---
title: Israel signs defence pact with Morocco
date: 2021-11-24
countries: [Israel, Morocco, USA]
topics: [defence, Abraham Accords]
source: Example Times
url: https://example.org/pact
summary: A first formal defence pact.
author: Desk
---
The pact *covers* intelligence.
"""


def test_an_article_appears_on_its_page_and_every_list(make_site):
    out = make_site(PACT).build()
    page = out.read("2021/11/24/pact/index.html")
    assert "<h1>Israel signs defence pact with Morocco</h1>" in page
    assert "<em>covers</em>" in page
    assert 'href="https://example.org/pact"' in page
    assert '<a class="chip country" href="/countries/us/"><img class="flag" src="/flags/us.svg" alt="" width="20" height="15"> United States</a>' in page
    assert out.read("flags/us.svg").startswith("<svg") and sorted(f for f in out.files() if f.startswith("flags/")) == [
        "flags/il.svg", "flags/ma.svg", "flags/us.svg",  # only the flags of the countries the site names
    ]
    assert 'href="/topics/abraham-accords/"' in page
    for listing in ("index.html", "topics/defence/index.html", "topics/abraham-accords/index.html",
                    "countries/il/index.html", "countries/ma/index.html", "2021/index.html", "2021/11/index.html",
                    "sources/example-times/index.html", "authors/desk/index.html"):
        assert "Israel signs defence pact" in out.read(listing), listing
    assert "Abraham Accords" in out.read("topics/index.html")
    assert "Africa" in out.read("countries/index.html") and "Morocco" in out.read("countries/index.html")
    assert "November 2021" in out.read("archive/index.html")
    # 18 HTML pages (with /stats/); Atom, RSS and JSON feeds of the site, its 2 topics, 3 countries, source and author; sitemap.xml and robots.txt
    assert out.result is not None and out.result.pages == 18 + 3 * 8 + 2


def test_topic_spellings_are_one_topic_with_the_best_display_name(make_site):
    out = make_site(
        SITE_YAML
        + article("a", topics="abraham-accords")
        + article("b", date="2021-11-25", topics="ABRAHAM ACCORDS")
        + article("c", date="2021-11-26", topics="Abraham Accords")
    ).build()
    topics = [p for p in out.files() if p.startswith("topics/") and p.endswith("index.html") and p != "topics/index.html"]
    assert topics == ["topics/abraham-accords/index.html"]
    assert "<h1>Abraham Accords</h1>" in out.read("topics/abraham-accords/index.html")


def test_countries_accept_names_codes_and_aliases(make_site):
    out = make_site(SITE_YAML + article("a", countries="UK, USA, Türkiye, Ivory Coast, ISR, ma")).build()
    for code in ("gb", "us", "tr", "ci", "il", "ma"):
        assert out.exists(f"countries/{code}/index.html"), code


def test_lists_paginate_with_links_both_ways(make_site):
    text = "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\npaginate: 2\n" + "".join(
        article(f"story-{n}", date=f"2021-11-{n + 10:02d}") for n in range(5)
    )
    out = make_site(text).build()
    assert out.exists("page/2/index.html") and out.exists("page/3/index.html")
    assert not out.exists("page/4/index.html")
    second = out.read("page/2/index.html")
    assert 'href="/"' in second and 'href="/page/3/"' in second
    assert out.exists("topics/defence/page/3/index.html")
    newest_first = out.read("index.html")
    assert newest_first.index("Story 4") < newest_first.index("Story 3")


def test_related_articles_are_those_sharing_most_terms_shown_newest_first(make_site):
    out = make_site(
        SITE_YAML
        + article("base", date="2021-11-01", countries="Israel, Morocco", topics="defence, diplomacy")
        + article("two-shared", date="2021-08-01", countries="Israel", topics="defence")
        + "".join(article(f"one-{n}", date=f"2021-12-0{n + 1}", countries="France", topics="defence") for n in range(5))
        + article("unrelated", date="2021-12-09", countries="Japan", topics="energy")
    ).build()
    page = out.read("2021/11/01/base/index.html")
    related = re.findall(r'<li><a href="/2021/(\d\d/\d\d)/([a-z0-9-]+)/">', page[page.index('id="related-heading"') :])
    assert "two-shared" in [slug for _, slug in related]  # the oldest, but it shares the most
    assert len(related) == 5 and [day for day, _ in related] == sorted((day for day, _ in related), reverse=True)
    assert "unrelated" not in page


def test_drafts_and_future_articles_are_left_out_unless_asked(make_site):
    site = make_site(
        SITE_YAML
        + article("published")
        + article("later", date="2030-01-01")
        + "-- content/articles/draft.md --\n---\ntitle: Draft story\ndate: 2021-11-20\ndraft: true\n---\nx\n"
    )
    out = site.build()
    assert not out.exists("2021/11/20/draft/index.html") and not out.exists("2030/01/01/later/index.html")
    assert "Draft story" not in out.read("index.html")
    out = site.build(drafts=True, future=True)
    assert out.exists("2021/11/20/draft/index.html") and out.exists("2030/01/01/later/index.html")


def test_naive_dates_are_in_the_site_time_zone(make_site):
    out = make_site(
        "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\ntimezone: Asia/Tokyo\n"
        + article("late", date="2021-11-24T23:30:00+00:00")
        + article("plain", date="2021-11-24")
    ).build()
    assert out.exists("2021/11/25/late/index.html")  # 23:30 UTC is the next morning in Tokyo
    assert 'datetime="2021-11-24T00:00:00+09:00"' in out.read("2021/11/24/plain/index.html")


def test_base_url_path_prefixes_every_link(make_site):
    out = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/digest/\n" + article("a")).build()
    home = out.read("index.html")
    assert 'href="/digest/2021/11/24/a/"' in home and re.search(r'href="/digest/css/digest\.[0-9a-f]{8}\.css"', home)
    assert out.exists("2021/11/24/a/index.html")


def test_a_site_template_overrides_the_theme(make_site):
    out = make_site(
        PACT + '-- templates/article.html --\n{% extends "base.html" %}{% block content %}<p>Custom {{ article.title }}</p>{% endblock %}\n'
    ).build()
    assert "<p>Custom Israel signs defence pact with Morocco</p>" in out.read("2021/11/24/pact/index.html")
    assert "Custom" not in out.read("index.html")


def test_a_template_error_points_at_the_template_line_and_writes_nothing(make_site):
    site = make_site(PACT)
    site.build()
    before = full_snapshot(site.root / "public")
    site.write("-- templates/article.html --\n<p>\n{{ article.no_such_field }}\n</p>\n")
    headline = only_problem(site.build_error()).headline()
    assert headline.startswith("templates/article.html:2: ")
    assert "no_such_field" in headline
    assert full_snapshot(site.root / "public") == before


def test_unchanged_files_are_not_rewritten_and_stale_ones_removed(make_site):
    site = make_site(SITE_YAML + article("first") + article("second", date="2021-11-25", countries="France"))
    site.build()
    page = site.root / "public/countries/il/index.html"  # shows only "first"
    stamp = page.stat().st_mtime_ns
    os.utime(page, ns=(stamp - 10**9, stamp - 10**9))
    (site.root / "content/articles/second.md").unlink()
    out = site.build()
    assert page.stat().st_mtime_ns == stamp - 10**9
    assert not out.exists("2021/11/25/second/index.html") and not out.exists("2021/11/25")
    assert not out.exists("countries/fr/index.html")
    assert not out.exists("countries/fr/feed.xml") and not out.exists("flags/fr.svg")
    assert out.result is not None and out.result.files.removed == 2 + 3 + 1  # two pages, France's three feeds and its flag


def test_files_digest_did_not_write_survive_a_build(make_site):
    site = make_site(SITE_YAML + article("a"))
    (site.root / "public").mkdir()
    (site.root / "public/CNAME").write_text("news.example.org\n")
    (site.root / "public/.nojekyll").write_text("")
    site.build()
    site.build()
    assert site.output.read("CNAME") == "news.example.org\n"
    assert site.output.exists(".nojekyll")


def test_two_builds_are_byte_identical(make_site, tmp_path):
    site = make_site(PACT + article("b", date="2021-11-25"))
    first = site.build(output_dir=tmp_path / "one")
    second = site.build(output_dir=tmp_path / "two")
    assert snapshot(first.root) == snapshot(second.root)


@pytest.mark.parametrize("output", [".", "content", "content/out", ".."])
def test_an_output_folder_overlapping_the_sources_is_refused(make_site, output):
    site = make_site(SITE_YAML + article("a"))
    with pytest.raises(DigestError) as caught:
        site.build(output_dir=Path(output))
    assert "--output" in caught.value.report()
    assert not (site.root / "content/out").exists()


def test_output_inside_a_sibling_with_a_similar_name_is_fine(make_site):
    site = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\ncontent_dir: docs-src/content\noutput_dir: docs\n"
                     "-- docs-src/content/articles/a.md --\n---\ntitle: A\ndate: 2021-11-24\n---\nx\n")
    assert site.build().exists("2021/11/24/a/index.html")


def test_the_command_line_builds_and_summarises(make_site):
    site = make_site(PACT)
    done = site.cli("build")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built 44 pages from 1 article in ")
    assert "→ public/" in done.stdout
    assert site.cli("build", "--quiet").stdout == ""


def test_the_command_line_reports_errors_without_a_traceback(make_site):
    site = make_site(SITE_YAML + "-- content/articles/bad.md --\n---\ntitle: Bad\ndate: soon\n---\n")
    done = site.cli("build")
    assert done.returncode == 1
    assert done.stderr.startswith("content/articles/bad.md:3:7: date: must be a date like 2021-11-24, got 'soon'")
    assert "Traceback" not in done.stderr
    assert "Traceback" in site.cli("build", "--debug").stderr


def test_python_dash_m_and_site_option_work_from_elsewhere(make_site, tmp_path):
    site = make_site(PACT)
    done = site.cli("--site", str(site.root), "build", "--output", str(tmp_path / "elsewhere"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "elsewhere/2021/11/24/pact/index.html").is_file()


def test_debug_prints_how_long_each_stage_took(make_site):
    site = make_site(SITE_YAML + article("pact"))
    result = site.cli("build", "--debug")
    assert result.returncode == 0, result.stderr
    stages = [line.split(":")[0].strip() for line in result.stderr.splitlines() if line.endswith(" ms")]
    assert stages == ["read sources", "parse articles", "model", "images", "plan", "choose pages", "render", "commit"]


def test_the_nav_marks_the_section_of_a_term_or_archive_page(make_site):
    out = make_site(SITE_YAML + article("a")).build()
    assert '<a href="/topics/" aria-current="page">Topics</a>' in out.read("topics/index.html")
    assert '<a href="/topics/" aria-current="true">Topics</a>' in out.read("topics/defence/index.html")
    assert '<a href="/countries/" aria-current="true">Countries</a>' in out.read("countries/il/index.html")
    assert '<a href="/archive/" aria-current="true">Archive</a>' in out.read("2021/11/index.html")
    assert 'aria-current' not in out.read("2021/11/24/a/index.html")
    assert '<a href="/" aria-current="page">Latest</a>' in out.read("index.html")


def test_related_articles_are_listed_newest_first_and_page_two_names_the_site_once(make_site):
    site = make_site(SITE_YAML + "paginate: 1\n" + "".join(article(f"s{n}", date=f"2021-11-{n + 10}") for n in range(4)))
    out = site.build()
    page = out.read("2021/11/11/s1/index.html")
    shown = re.findall(r'<li><a href="/2021/11/(\d+)/s\d/">', page[page.index('id="related-heading"'):])
    assert shown == sorted(shown, reverse=True) and len(shown) == 3
    assert "<title>Page 2 · Test Digest</title>" in out.read("page/2/index.html")


def test_cards_show_a_few_chips_and_never_the_term_of_their_own_page(make_site):
    busy = article("busy", countries="Israel, Morocco, France, Spain", topics="defence, energy, climate, trade")
    out = make_site(SITE_YAML + busy).build()
    card = out.read("topics/defence/index.html").split('<div class="cards">', 1)[1]
    chips = re.findall(r'class="chip (country|topic)" href="([^"]+)"', card)
    assert [kind for kind, _ in chips] == ["country", "country", "topic", "topic", "topic"]
    assert "/topics/defence/" not in [url for _, url in chips]
    page = out.read("2021/11/24/busy/index.html")
    assert len(re.findall(r'class="chip (?:country|topic)"', page)) == 8  # the article's own page shows them all


def test_pagination_numbers_the_pages_with_the_first_and_last_always_in_reach(make_site):
    out = make_site(SITE_YAML + "paginate: 1\n" + "".join(article(f"s{n}", date=f"2021-11-{n + 1:02d}") for n in range(12))).build()
    nav = out.read("page/6/index.html").split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="/(?:page/(\d+)/)?"', nav) == ["5", "", "4", "5", "6", "7", "8", "12", "7"]  # newer, 1, 4-8, 12, older
    assert nav.count('class="gap"') == 2 and 'aria-current="page"' in nav and "Page </span>6<span" in nav
