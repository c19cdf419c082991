"""Sources and authors are indexes like topics and countries: `/sources/` and `/authors/`, a page and feeds for each,
spellings that differ only in case merged, site.yaml's aliases honoured, and every article linking to them."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import html5lib
import pytest
import yaml

from digest.build import Changes, Session
from digest.errors import DigestError
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, SITE_YAML, Output, clean_snapshot, copy_sample, only_problem, snapshot
from tests.feed_rules import atom_problems, json_feed_problems, rss_problems
from tests.nu import nu_errors

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def story(slug: str, source: str = "", author: str = "", day: int = 24, url: str = "") -> str:
    """One article of an inline site, from `source` by `author` (either left out when empty)."""
    lines = [f"title: {slug.replace('-', ' ').capitalize()}", f"date: 2021-11-{day:02d}", "countries: [Israel]", "topics: [defence]"]
    lines += [f"source: {source}"] if source else []
    lines += [f"author: {author}"] if author else []
    lines += [f"url: {url}"] if url else []
    return f"-- content/articles/{slug}.md --\n---\n" + "\n".join(lines) + f"\n---\nBody of {slug}.\n"


def index(out: Output, relative: str) -> dict[str, tuple[str, int]]:
    """An index page's entries: name → (its page's URL, the count it shows)."""
    page = html5lib.parse(out.read(relative), namespaceHTMLElements=False)
    entries = {}
    for item in page.iterfind(".//ul[@class='terms']/li"):
        link, count = item.find("a"), item.find("span")
        assert link is not None and count is not None
        entries["".join(link.itertext()).strip()] = (link.get("href", ""), int(count.text or ""))
    return entries


def titles(out: Output, relative: str) -> list[str]:
    """The headlines a list page shows, in order."""
    page = html5lib.parse(out.read(relative), namespaceHTMLElements=False)
    return ["".join(h.itertext()).strip() for h in page.iterfind(".//article/h2")]


def footer_links(out: Output, relative: str) -> list[str]:
    page = html5lib.parse(out.read(relative), namespaceHTMLElements=False)
    return ["".join(a.itertext()) for a in page.iterfind(".//footer//nav//a")]


# -- the bundled sample ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Output:
    session = Session(copy_sample(tmp_path_factory.mktemp("sample") / "site"), BuildOptions(now=FIXED_NOW), use_cache=False)
    result = session.build()
    session.close()
    return Output(result.config.output_dir, result)


@pytest.fixture(scope="module")
def written() -> list[dict[str, object]]:
    """Every sample article's front matter, read without digest."""
    found = []
    for path in sorted(Path(__file__).resolve().parents[1].joinpath("content", "articles").rglob("*.md")):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        assert match, path
        found.append(yaml.safe_load(match.group(1)))
    return found


def test_the_sources_index_lists_every_source_of_the_sample_with_its_count(sample, written):
    counts = Counter(str(meta["source"]) for meta in written if meta.get("source"))
    listed = index(sample, "sources/index.html")
    assert {name: count for name, (_, count) in listed.items()} == counts
    assert listed["Reuters"] == ("/sources/reuters/", counts["Reuters"])
    assert list(listed) == sorted(listed, key=str.casefold)


def test_a_source_page_lists_its_articles_newest_first_and_has_valid_feeds(sample, written):
    theirs = sorted((meta for meta in written if meta.get("source") == "Reuters"), key=lambda m: str(m["date"]), reverse=True)
    assert titles(sample, "sources/reuters/index.html") == [m["title"] for m in theirs]
    atom = feedparser.parse(sample.read("sources/reuters/feed.xml"))
    assert atom.feed.title == "Reuters · The Late-2021 Digest"
    assert [e.title for e in atom.entries] == [m["title"] for m in theirs]
    rss = feedparser.parse(sample.read("sources/reuters/rss.xml"))
    assert [e.title for e in rss.entries] == [m["title"] for m in theirs]
    assert [item["title"] for item in json.loads(sample.read("sources/reuters/feed.json"))["items"]] == [m["title"] for m in theirs]
    for name, check in (("feed.xml", atom_problems), ("rss.xml", rss_problems), ("feed.json", json_feed_problems)):
        assert check((sample.root / "sources/reuters" / name).read_bytes(), name) == []
    page = sample.read("sources/reuters/index.html")
    assert '<link rel="alternate" type="application/atom+xml" title="Reuters · The Late-2021 Digest (Atom)" href="/sources/reuters/feed.xml">' in page


def test_the_authors_index_and_pages_follow_the_articles_bylines(sample, written):
    counts = Counter(str(meta["author"]) for meta in written if meta.get("author"))
    assert {name: count for name, (_, count) in index(sample, "authors/index.html").items()} == counts
    desk = sorted((m for m in written if m.get("author") == "Europe Desk"), key=lambda m: str(m["date"]), reverse=True)
    assert titles(sample, "authors/europe-desk/index.html") == [m["title"] for m in desk]
    assert footer_links(sample, "index.html") == ["Sources", "Authors"]


def test_an_article_links_its_source_and_author_to_their_pages_and_keeps_the_original(sample):
    page = sample.read("2021/11/24/israel-morocco-defence-pact/index.html")
    assert '<a href="/sources/times-of-israel/">Times of Israel</a>' in page
    assert '<a href="/authors/digest-desk/" rel="author">Digest Desk</a>' in page
    assert re.search(r'<p class="original"><a href="https://[^"]+" rel="external noopener">Read the original at Times of Israel</a></p>', page)
    card = sample.read("topics/defence/index.html")
    assert '<span class="source"><a href="/sources/times-of-israel/">Times of Israel</a></span>' in card


def test_search_filters_by_source_under_the_names_the_source_pages_have(sample):
    search = sample.read("search/index.html")
    boxes = re.findall(r'<input type="checkbox" id="source-\d+" name="source" value="([^"]+)">', search)
    assert boxes == list(index(sample, "sources/index.html"))
    assert 'data-source="Times of Israel"' in sample.read("2021/11/24/israel-morocco-defence-pact/index.html")


def test_the_sitemap_lists_the_source_and_author_pages(sample):
    sitemap = sample.read("sitemap.xml")
    for url in ("/sources/", "/sources/reuters/", "/authors/", "/authors/europe-desk/"):
        assert f"<loc>https://news.example.org{url}</loc>" in sitemap


def test_the_index_and_a_source_and_author_page_pass_the_nu_html_checker(sample, tmp_path):
    for relative in ("sources/index.html", "sources/reuters/index.html", "authors/index.html", "authors/europe-desk/index.html"):
        copy = tmp_path / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample.root / relative, copy)
    assert nu_errors(tmp_path) == []


# -- normalising names -----------------------------------------------------------------------------------------------


def test_spellings_that_differ_in_case_and_aliases_are_one_source(make_site):
    site = make_site(
        SITE_YAML
        + "sources:\n  aliases:\n    NYT: The New York Times\n    Reuters.com: Reuters\n"
        + story("one", "NYT", day=20, url="https://example.org/one")
        + story("two", "the new york times", day=21)
        + story("three", "reuters", day=22)
        + story("four", " REUTERS ", day=23)
        + story("five", "Reuters.com", day=24)
    )
    out = site.build()
    assert index(out, "sources/index.html") == {
        "Reuters": ("/sources/reuters/", 3), "The New York Times": ("/sources/the-new-york-times/", 2),
    }
    assert titles(out, "sources/reuters/index.html") == ["Five", "Four", "Three"]
    page = out.read("2021/11/20/one/index.html")
    assert '<a href="/sources/the-new-york-times/">The New York Times</a>' in page
    assert "Read the original at The New York Times</a>" in page


def test_a_source_in_another_script_keeps_its_name_and_gets_a_page(make_site):
    out = make_site(SITE_YAML + story("one", "例えニュース", "известия desk", url="https://example.org/one")).build()
    [(name, (url, count))] = index(out, "sources/index.html").items()
    assert (name, count) == ("例えニュース", 1) and url.startswith("/sources/") and out.exists(url.strip("/") + "/index.html")
    page = out.read("2021/11/24/one/index.html")
    assert f'<a href="{url}">例えニュース</a>' in page and "Read the original at 例えニュース</a>" in page
    assert list(index(out, "authors/index.html")) == ["Известия Desk"]


@pytest.mark.parametrize(
    ("aliases", "problem"),
    [
        ("    NYT: The New York Times\n    nyt: New York Times\n",
         "site.yaml:6:5: 'nyt' matches the alias 'NYT', which stands for 'The New York Times'"),
        ("    FT: Financial Times\n    Financial Times: The Financial Times\n",
         "site.yaml:5:9: 'Financial Times' is itself an alias, of 'The Financial Times'"),
        ("    NYT: 3\n", "site.yaml:5:10: must be the source's own name, got 3"),
    ],
    ids=["one-spelling-two-ways", "alias-of-an-alias", "not-a-name"],
)
def test_a_bad_alias_is_an_error_at_its_line_in_site_yaml(make_site, aliases, problem):
    site = make_site(SITE_YAML + "sources:\n  aliases:\n" + aliases + story("one", "NYT"))
    error = site.build_error()
    found = only_problem(error)
    assert f"{found.location}: {found.message}" == problem
    assert not site.output.exists("index.html")


def test_an_unknown_key_under_sources_names_the_one_there_is(make_site):
    site = make_site(SITE_YAML + "sources:\n  alias:\n    NYT: The New York Times\n" + story("one", "NYT"))
    found = only_problem(site.build_error())
    assert (str(found.location), found.message, found.hint) == ("site.yaml:4:3", "unknown key 'alias'", "did you mean 'aliases'?")


# -- pages only when used, and kept up to date --------------------------------------------------------------------


def test_without_authors_there_are_no_author_pages_and_no_link_to_them(make_site):
    site = make_site(SITE_YAML + story("one", "Reuters") + story("two", day=25))
    out = site.build()
    assert not any(name.startswith("authors/") for name in out.files())
    assert footer_links(out, "index.html") == ["Sources"]
    assert '<span class="author">' not in out.read("2021/11/24/one/index.html")
    bare = make_site(SITE_YAML + "-- content/articles/one.md --\n---\ntitle: One\ndate: 2021-11-24\n---\nBody.\n")
    out = bare.build()
    assert not any(name.startswith(("authors/", "sources/")) for name in out.files())
    assert footer_links(out, "index.html") == []


def test_a_live_session_adds_the_page_of_a_new_source_and_author_as_a_clean_build_would(make_site, tmp_path):
    site = make_site(SITE_YAML + story("one", "Reuters", "Jane Doe", day=20) + story("two", "AP", day=21))
    session = Session(site.root, BuildOptions(now=FIXED_NOW))
    session.build()
    assert "sources/al-jazeera/index.html" not in site.output.files()
    added = site.root / "content/articles/three.md"
    site.write(story("three", "Al Jazeera", "jane doe", day=22))
    result = session.rebuild(Changes(content=frozenset({added})))
    rendered = set(result.rendered_outputs)
    assert {"sources/al-jazeera/index.html", "sources/al-jazeera/feed.xml", "sources/index.html", "authors/jane-doe/index.html"} <= rendered
    assert "sources/reuters/index.html" not in rendered
    assert index(site.output, "sources/index.html")["Al Jazeera"] == ("/sources/al-jazeera/", 1)
    assert titles(site.output, "authors/jane-doe/index.html") == ["Three", "One"]
    assert "<loc>https://news.example.org/sources/al-jazeera/</loc>" in site.output.read("sitemap.xml")
    session.close()
    assert snapshot(site.root / "public") == clean_snapshot(site.root, tmp_path / "clean")


def test_a_new_spelling_that_renames_a_source_renames_it_on_every_card(make_site, tmp_path):
    site = make_site(SITE_YAML + story("one", "bbc news", day=20) + story("two", "AP", day=21))
    session = Session(site.root, BuildOptions(now=FIXED_NOW))
    session.build()
    assert '<a href="/sources/bbc-news/">Bbc News</a>' in site.output.read("2021/11/20/one/index.html")
    added = site.root / "content/articles/three.md"
    site.write(story("three", "BBC News", day=22))
    session.rebuild(Changes(content=frozenset({added})))
    assert '<a href="/sources/bbc-news/">BBC News</a>' in site.output.read("2021/11/20/one/index.html")
    session.close()
    assert snapshot(site.root / "public") == clean_snapshot(site.root, tmp_path / "clean")


def test_changing_an_alias_in_site_yaml_moves_the_articles_to_the_source_it_names(make_site, tmp_path):
    site = make_site(SITE_YAML + story("one", "NYT", day=20) + story("two", "The New York Times", day=21))
    session = Session(site.root, BuildOptions(now=FIXED_NOW))
    session.build()
    assert set(index(site.output, "sources/index.html")) == {"NYT", "The New York Times"}
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text() + "sources: {aliases: {NYT: The New York Times}}\n")
    session.rebuild(Changes(config=True))
    assert index(site.output, "sources/index.html") == {"The New York Times": ("/sources/the-new-york-times/", 2)}
    assert not site.output.exists("sources/nyt/index.html")
    session.close()
    assert snapshot(site.root / "public") == clean_snapshot(site.root, tmp_path / "clean")


def test_a_config_error_in_sources_leaves_the_output_alone(make_site):
    site = make_site(SITE_YAML + story("one", "NYT"))
    site.build()
    before = snapshot(site.root / "public")
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text() + "sources: [NYT]\n")
    with pytest.raises(DigestError) as caught:
        site.build()
    assert only_problem(caught.value).message == "must be a mapping with 'aliases'"
    assert snapshot(site.root / "public") == before
