"""The bundled sample digest, built once: its file list, every page kind, determinism and valid HTML."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
import yaml

from digest.build import build_once
from digest.countries import CountryIndex, CountrySettings
from digest.names import slugify
from digest.output import MANIFEST
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, Output
from tests.nu import nu_errors

GOLDEN_PAGES = Path(__file__).parent / "golden" / "sample_pages.txt"
PACT_FILE = REPO / "content" / "articles" / "2021" / "israel-morocco-defence-pact.md"
PACT_PAGE = "2021/11/24/israel-morocco-defence-pact/index.html"
PACT_URL = "/2021/11/24/israel-morocco-defence-pact/"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")


# --- the sample, built once -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """The sample site built into a temporary folder, never into the repository."""
    return build_sample(tmp_path_factory.mktemp("sample") / "public")


def build_sample(output_dir: Path) -> Output:
    result = build_once(REPO, BuildOptions(now=FIXED_NOW), output_dir=output_dir)
    assert result.config.output_dir == output_dir.resolve()
    return Output(output_dir, result)


@dataclass(frozen=True)
class Source:
    """One sample article as its Markdown file says it, read without digest."""

    path: Path
    meta: dict[str, Any]
    body: str

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def day(self) -> date:
        value = self.meta["date"]
        return value.date() if isinstance(value, datetime) else value


def read_source(path: Path) -> Source:
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match, f"{path} has no front matter"
    return Source(path, yaml.safe_load(match.group(1)), match.group(2))


@pytest.fixture(scope="module")
def sources() -> list[Source]:
    return [read_source(p) for p in sorted((REPO / "content" / "articles").rglob("*.md"))]


@pytest.fixture(scope="module")
def site_yaml() -> dict[str, Any]:
    return yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def country_codes(site_yaml: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Written country name → lower-case ISO code, honouring the site's aliases."""
    index = CountryIndex(CountrySettings(aliases=(site_yaml.get("countries") or {}).get("aliases") or {}))
    return lambda name: index.resolve(name).code.lower()


# --- reading pages ----------------------------------------------------------------------------------------


def parse(output: Output, relative: str) -> Element:
    return html5lib.parse(output.read(relative), namespaceHTMLElements=False)


def text(element: Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def by_class(root: Element, tag: str, name: str) -> list[Element]:
    return [e for e in root.iter(tag) if name in e.get("class", "").split()]


def one(found: list[Element]) -> Element:
    assert len(found) == 1, f"expected one element, found {len(found)}"
    return found[0]


def main(output: Output, relative: str) -> Element:
    found = parse(output, relative).find(".//main")
    assert found is not None, f"{relative} has no <main>"
    return found


def file_of(url: str) -> str:
    """'/2021/11/' → '2021/11/index.html' (the sample's base path is '/')."""
    assert url.startswith("/") and url.endswith("/"), url
    inner = url.strip("/")
    return f"{inner}/index.html" if inner else "index.html"


def hrefs(root: Element) -> set[str]:
    return {a.get("href", "") for a in root.iter("a")}


def flag_of(code: str) -> str:
    """Where a country's SVG flag is written, by its ISO alpha-2 code."""
    return f"/flags/{code.lower()}.svg"


def flag_in(link: Element) -> str:
    """The flag image of a country link: decorative (empty alt), sized, and its name written beside it."""
    image = one(by_class(link, "img", "flag"))
    assert image.get("alt") == "" and image.get("width") and image.get("height")
    return image.get("src", "")


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    published: datetime
    date_shown: str
    source: str
    summary: str
    countries: tuple[tuple[str, str, str], ...]  # (href, flag, name)
    topics: tuple[tuple[str, str], ...]  # (href, name)


def country_chip(link: Element) -> tuple[str, str, str]:
    return link.get("href", ""), flag_in(link), text(link)


def chips(root: Element) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, str], ...]]:
    countries = tuple(country_chip(a) for a in by_class(root, "a", "country"))
    topics = tuple((a.get("href", ""), text(a)) for a in by_class(root, "a", "topic"))
    return countries, topics


def cards(output: Output, relative: str) -> list[Card]:
    found = []
    for card in by_class(main(output, relative), "article", "card"):
        link = card.find(".//h2/a")
        time = card.find(".//time")
        assert link is not None and time is not None
        source = by_class(card, "span", "source")
        summary = by_class(card, "p", "summary")
        countries, topics = chips(card)
        found.append(
            Card(
                text(link), link.get("href", ""), datetime.fromisoformat(time.get("datetime", "")), text(time),
                text(source[0]) if source else "", text(summary[0]) if summary else "", countries, topics,
            )
        )
    return found


def listing(output: Output, first: str) -> Iterator[tuple[str, list[Card]]]:
    """Each page of a paginated list, following its rel=next links from the first page."""
    relative: str | None = first
    seen = set()
    while relative:
        assert relative not in seen, f"pagination loops back to {relative}"
        seen.add(relative)
        yield relative, cards(output, relative)
        nav = by_class(main(output, relative), "nav", "pagination")
        following = [a.get("href", "") for nav_el in nav for a in nav_el.iter("a") if a.get("rel") == "next"]
        relative = file_of(following[0]) if following else None


def all_cards(output: Output, first: str) -> list[Card]:
    return [card for _, page in listing(output, first) for card in page]


# --- the output files ------------------------------------------------------------------------------------


def test_output_files_match_the_golden_list(sample: Output, golden) -> None:  # type: ignore[no-untyped-def]
    # A stylesheet's name holds a digest of its bytes: the list names it by its place, not by its contents; so do the
    # search index's files, which are counted (one fragment per article).
    files = [re.sub(r"\.[0-9a-f]{8}\.(css|js)$", r".HASH.\1", f) for f in sample.files() if f != MANIFEST]
    files = [re.sub(r"^(pagefind/.*)_[0-9a-f]{7,}\.(pf_\w+)$", r"\1_HASH.\2", f) for f in files]
    counted = [f"{name} (x{len(list(same))})" if "HASH.pf_" in name else name for name, same in itertools.groupby(files)]
    golden.check(GOLDEN_PAGES, "".join(f + "\n" for f in counted))


def test_the_sample_is_big_enough_to_show_every_feature(sample: Output) -> None:
    files = sample.files()
    articles = [f for f in files if ARTICLE_PAGE.match(f)]
    countries = [f for f in files if re.fullmatch(r"countries/[a-z]{2}/index\.html", f)]
    topics = [f for f in files if re.fullmatch(r"topics/[^/]+/index\.html", f)]
    assert len(articles) >= 12
    assert len(countries) >= 12
    assert len(topics) >= 8


def test_two_builds_into_two_folders_are_byte_identical(sample: Output, tmp_path: Path) -> None:
    again = build_sample(tmp_path / "again")
    assert again.files() == sample.files()
    differing = [f for f in sample.files() if (sample.root / f).read_bytes() != (again.root / f).read_bytes()]
    assert differing == []


# --- every page kind -------------------------------------------------------------------------------------


def test_home_lists_the_newest_articles_with_their_details(sample: Output, sources: list[Source], site_yaml: dict[str, Any]) -> None:
    first_page = cards(sample, "index.html")
    assert len(first_page) == min(site_yaml["paginate"], len(sources))
    everything = all_cards(sample, "index.html")
    assert sorted(c.title for c in everything) == sorted(s.title for s in sources)
    dates = [c.published for c in everything]
    assert dates == sorted(dates, reverse=True), "the home listing is not newest first"
    summaries = {s.title: " ".join(str(s.meta["summary"]).split()) for s in sources}
    for card in first_page:
        assert sample.exists(file_of(card.url)), card.url
        assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", card.date_shown), card.date_shown
        assert card.source, f"{card.title}: no source"
        assert card.summary == summaries[card.title]
        assert card.countries and card.topics, f"{card.title}: no country or topic chips"
        for href, flag, name in card.countries:
            code = re.fullmatch(r"/countries/([a-z]{2})/", href)
            assert code and flag == flag_of(code.group(1)) and name, (href, flag, name)
        for href, name in card.topics:
            assert re.fullmatch(r"/topics/[a-z0-9-]+/", href) and name, (href, name)


def test_pagination_pages_exist_when_there_are_more_articles_than_paginate(sample: Output, sources: list[Source], site_yaml: dict[str, Any]) -> None:
    size = site_yaml["paginate"]
    total = max(1, math.ceil(len(sources) / size))
    pages = list(listing(sample, "index.html"))
    assert [relative for relative, _ in pages] == ["index.html"] + [f"page/{n}/index.html" for n in range(2, total + 1)]
    assert not sample.exists(f"page/{total + 1}/index.html")
    assert [len(items) for _, items in pages] == [min(size, len(sources) - size * n) for n in range(total)]
    if total > 1:
        nav = one(by_class(main(sample, "page/2/index.html"), "nav", "pagination"))
        assert f"Page 2 of {total}" in text(nav)
        assert {a.get("rel"): a.get("href") for a in nav.iter("a")}["prev"] == "/"


def test_article_page_shows_everything_about_the_article(sample: Output, country_codes) -> None:  # type: ignore[no-untyped-def]
    source = read_source(PACT_FILE)
    meta = source.meta
    raw = sample.read(PACT_PAGE)
    assert "Exit mobile version" not in raw
    story = one(by_class(main(sample, PACT_PAGE), "article", "story"))

    assert text(story.find(".//h1")) == "Israel signs defence pact with Morocco" == meta["title"]
    time = story.find("./header//time")
    assert time is not None and time.get("datetime", "").startswith("2021-11-24") and text(time) == "November 24, 2021"  # CLDR's English (language: en)
    author_link = one(by_class(story, "span", "author")).find("a")
    assert author_link is not None
    assert (author_link.get("href"), text(author_link)) == (f"/authors/{slugify(meta['author'])}/", meta["author"])
    source_link = one(by_class(story, "span", "source")).find("a")
    assert source_link is not None
    assert (source_link.get("href"), text(source_link)) == (f"/sources/{slugify(meta['source'])}/", meta["source"])
    original = one(by_class(story, "p", "original")).find("a")
    assert original is not None
    assert (original.get("href"), text(original)) == (meta["url"], f"Read the original at {meta['source']}")
    for href in (author_link.get("href", ""), source_link.get("href", "")):
        assert sample.exists(file_of(href)), href

    countries, topics = chips(one(by_class(story, "ul", "chips")))
    codes = [country_codes(name) for name in meta["countries"]]
    assert [href for href, _, _ in countries] == [f"/countries/{code}/" for code in codes]
    assert [flag for _, flag, _ in countries] == [flag_of(code) for code in codes]
    assert [name for _, _, name in countries] == meta["countries"]  # all written in their common form
    assert topics == tuple((f"/topics/{slugify(t)}/", t) for t in meta["topics"])
    for href in [c[0] for c in countries] + [t[0] for t in topics]:
        assert sample.exists(file_of(href)), href

    assert text(one(by_class(story, "p", "lede"))) == " ".join(meta["summary"].split())
    body = one(by_class(story, "div", "body"))
    plain = re.sub(r"^(## |- )", "", source.body, flags=re.M)
    assert text(body) == " ".join(plain.split())
    assert [text(h) for h in body.iter("h2")] == ["A first for an Arab state"]
    assert len(list(body.iter("li"))) == 4


def test_article_page_links_related_articles_and_its_neighbours(sample: Output) -> None:
    page = main(sample, PACT_PAGE)
    related = one(by_class(page, "section", "related"))
    assert text(related.find("h2")) == "Related"
    links = [a.get("href", "") for a in related.iter("a")]
    assert 1 <= len(links) <= 5
    assert len(set(links)) == len(links) and PACT_URL not in links
    for href in links:
        assert ARTICLE_PAGE.match(file_of(href)) and sample.exists(file_of(href)), href

    newest_first = [c.url for c in all_cards(sample, "index.html")]
    here = newest_first.index(PACT_URL)
    neighbours = one(by_class(page, "nav", "neighbours"))
    rels = {a.get("rel"): a.get("href") for a in neighbours.iter("a")}
    assert rels == {"prev": newest_first[here + 1], "next": newest_first[here - 1]}


def test_topics_index_lists_every_topic_with_its_count(sample: Output, sources: list[Source]) -> None:
    expected = Counter(slug for s in sources for slug in {slugify(t) for t in s.meta["topics"]})
    page = main(sample, "topics/index.html")
    shown = {}
    for item in one(by_class(page, "ul", "terms")).iter("li"):
        link = item.find("a")
        assert link is not None and text(link)
        shown[link.get("href")] = int(text(one(by_class(item, "span", "count"))))
    assert shown == {f"/topics/{slug}/": count for slug, count in expected.items()}
    assert f"{len(expected)} topics" in text(page)


def test_countries_index_groups_countries_under_region_headings(sample: Output, sources: list[Source], country_codes) -> None:  # type: ignore[no-untyped-def]
    expected = Counter(code for s in sources for code in {country_codes(c) for c in s.meta["countries"]})
    page = main(sample, "countries/index.html")
    regions: dict[str, dict[str, int]] = {}
    for section in by_class(page, "section", "region"):
        heading = text(section.find("h2"))
        assert heading not in regions, f"region {heading} appears twice"
        regions[heading] = {}
        for item in section.iter("li"):
            link = item.find("a")
            assert link is not None
            href = link.get("href", "")
            assert flag_in(link) == flag_of(href.strip("/").split("/")[-1])
            regions[heading][href] = int(text(one(by_class(item, "span", "count"))))
    assert set(regions) <= {"Africa", "Americas", "Asia", "Europe", "Oceania", "Antarctica", "Other"}
    assert len(regions) >= 2
    merged = {href: count for members in regions.values() for href, count in members.items()}
    assert sum(len(m) for m in regions.values()) == len(merged), "a country is listed under two regions"
    assert merged == {f"/countries/{code}/": count for code, count in expected.items()}
    region_of = {href: region for region, members in regions.items() for href in members}
    assert region_of["/countries/il/"] == "Asia"
    assert region_of["/countries/ma/"] == "Africa"
    assert region_of["/countries/us/"] == "Americas"
    assert region_of["/countries/gb/"] == "Europe"
    assert region_of["/countries/au/"] == "Oceania"


@pytest.mark.parametrize(
    ("page", "heading"), [("countries/il/index.html", "Israel"), ("topics/abraham-accords/index.html", "Abraham Accords")]
)
def test_term_pages_list_the_pact(sample: Output, page: str, heading: str) -> None:
    assert text(main(sample, page).find(".//h1")) == heading
    listed = {c.url: c.title for c in all_cards(sample, page)}
    assert listed[PACT_URL] == "Israel signs defence pact with Morocco"


def test_every_term_page_lists_exactly_its_articles(sample: Output, sources: list[Source], country_codes) -> None:  # type: ignore[no-untyped-def]
    expected: dict[str, set[str]] = defaultdict(set)
    for s in sources:
        for topic in s.meta["topics"]:
            expected[f"topics/{slugify(topic)}/index.html"].add(s.title)
        for country in s.meta["countries"]:
            expected[f"countries/{country_codes(country)}/index.html"].add(s.title)
    for page, titles in expected.items():
        listed = [c.title for c in all_cards(sample, page)]
        assert sorted(listed) == sorted(titles), page
        count = one(by_class(main(sample, page), "p", "count"))
        assert text(count) == f"{len(titles)} article{'' if len(titles) == 1 else 's'}", page


def test_archive_year_and_month_pages_link_to_each_other(sample: Output, sources: list[Source]) -> None:
    months = Counter((s.day.year, s.day.month) for s in sources)
    years = Counter(s.day.year for s in sources)
    archive = main(sample, "archive/index.html")
    for year, count in years.items():
        assert f"/{year}/" in hrefs(archive)
        assert len(all_cards(sample, f"{year}/index.html")) == count
    for (year, month), count in months.items():
        month_url = f"/{year}/{month:02d}/"
        assert month_url in hrefs(archive), month_url
        assert month_url in hrefs(main(sample, f"{year}/index.html")), f"/{year}/ does not link to {month_url}"
        assert len(all_cards(sample, file_of(month_url))) == count
        assert "/archive/" in hrefs(parse(sample, file_of(month_url))), f"{month_url} does not link to /archive/"
    for year in years:
        assert "/archive/" in hrefs(parse(sample, f"{year}/index.html"))
    assert "2021/index.html" in sample.files() and "2021/11/index.html" in sample.files()


def test_month_page_links_up_to_its_year(sample: Output) -> None:
    assert "/2021/" in hrefs(main(sample, "2021/11/index.html"))


def test_not_found_page(sample: Output) -> None:
    page = main(sample, "404.html")
    assert text(page.find(".//h1")) == "Page not found"
    assert {"/", "/topics/", "/archive/"} <= hrefs(page)


# --- valid HTML ------------------------------------------------------------------------------------------


def test_every_page_passes_the_nu_html_checker(sample: Output) -> None:
    errors = nu_errors(sample.root)
    assert errors == [], "\n".join(errors)


# --- weight and pictures ---------------------------------------------------------------------------------


def test_the_pact_shows_its_local_picture_through_srcset(sample: Output) -> None:
    page = sample.read(PACT_PAGE)
    img = re.search(r'<img src="(/images/abraham-accords-timeline-[0-9a-f]{8}-800\.jpg)" srcset="([^"]+)"[^>]* width="800" height="450"', page)
    assert img, "the pact's picture is not drawn with srcset"
    widths = [item.split()[1] for item in img.group(2).split(", ")]
    assert widths == ["480w", "800w", "1200w", "1600w"]
    assert all(sample.exists(item.split()[0].lstrip("/")) for item in img.group(2).split(", "))
    assert '<source type="image/avif"' in page and '<source type="image/webp"' in page


def test_an_article_page_is_light_apart_from_its_text(sample: Output) -> None:
    """At most 30 KB of HTML and CSS besides the article's own words, in one render-blocking request."""
    for relative in [f for f in sample.files() if ARTICLE_PAGE.match(f)]:
        page = sample.read(relative)
        body = re.search(r'<div class="body">(.*?)\n  </div>', page, re.S)
        assert body, relative
        words = len(re.sub(r"<[^>]+>", "", body.group(1)).encode())
        blocking = re.findall(r'<link rel="stylesheet" href="([^"]+)">|<script src="[^"]+">', page)
        assert len(blocking) == 1, f"{relative}: {len(blocking)} render-blocking requests"
        css = (sample.root / blocking[0].lstrip("/")).stat().st_size
        weight = len(page.encode()) - words + css
        assert weight <= 30_000, f"{relative}: {weight} bytes of HTML and CSS apart from its text"
