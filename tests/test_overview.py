"""The coverage pages: a world map on /countries/, the numbers on /stats/ and in `digest stats`, agreeing with the content."""

from __future__ import annotations

import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from digest.build import Changes, Session, build_once
from digest.countries import CountryIndex
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, SITE_YAML, article, copy_sample, run_cli
from tests.crawl import serve_folder
from tests.nu import nu_errors
from tests.plugins_screenshots import Screenshots

SCREENSHOTS = REPO / "themes/default/screenshots"
SVG_MAP = re.compile(r'<svg class="world-map".*?</svg>', re.S)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, built once for the module: its output folder."""
    root = copy_sample(tmp_path_factory.mktemp("overview") / "site")
    return build_once(root, BuildOptions(now=FIXED_NOW)).config.output_dir


def published_front_matter() -> list[dict[str, object]]:
    """The front matter of every article of the sample a build publishes (no drafts, nothing dated after the build)."""
    found = []
    for path in sorted((REPO / "content/articles").rglob("*.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
        when = meta["date"]
        day = when if isinstance(when, date) else datetime.fromisoformat(str(when))
        moment = datetime(day.year, day.month, day.day, tzinfo=FIXED_NOW.tzinfo) if not isinstance(day, datetime) else day
        if not meta.get("draft") and moment <= FIXED_NOW:
            found.append(meta)
    return found


def table_rows(html: str, caption: str) -> list[tuple[str, int]]:
    """The (name, count) rows of the table with this caption."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", html, re.S)
    assert table, f"no table captioned {caption!r}"
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>.*?<td class="number[^"]*">(\d+)</td></tr>', table.group(1), re.S)
    return [(re.sub(r"<[^>]+>", "", name).strip(), int(count)) for name, count in rows]


def world_map(html: str) -> ET.Element:
    found = SVG_MAP.search(html)
    assert found, "no world map on the page"
    return ET.fromstring(found.group(0))


# --- the map -------------------------------------------------------------------------------------------------


def test_the_map_links_every_covered_country_to_its_page_and_no_other(sample: Path) -> None:
    html = (sample / "countries/index.html").read_text(encoding="utf-8")
    svg = world_map(html)
    links = svg.findall("a")
    country_pages = {p.parent.name for p in (sample / "countries").glob("*/index.html") if p.parent.name != "page"}
    linked = {a.get("href", "").strip("/").split("/")[-1] for a in links}
    assert linked == country_pages, "one linked shape for each country with articles"
    for a in links:
        target = sample / urljoin("/countries/", a.get("href", "")).lstrip("/") / "index.html"
        assert target.is_file(), f"{a.get('href')} leads nowhere"
        title = a.find("path/title")
        assert title is not None and title.text == a.get("aria-label")
    bare = svg.findall("path")
    assert len(bare) > 150, "the countries without articles are drawn too"
    assert all(p.get("class") == "shade-0" and p.find("title") is None for p in bare)
    assert len(html.encode()) < 200_000


def test_the_map_tells_each_country_s_count_as_the_table_beside_it_does(sample: Path) -> None:
    html = (sample / "countries/index.html").read_text(encoding="utf-8")
    told = {}
    for a in world_map(html).findall("a"):
        name, count = re.fullmatch(r"(.+): (\d+) articles?", a.get("aria-label", "")).groups()  # type: ignore[union-attr]
        told[name] = int(count)
    counted = Counter(country for meta in published_front_matter() for country in meta.get("countries") or [])
    assert dict(table_rows(html, "Articles by country")) == told
    assert sum(told.values()) == sum(counted.values())
    assert told["United States"] == max(told.values())
    shade = {a.get("aria-label", "").split(":")[0]: a.find("path").get("class") for a in world_map(html).findall("a")}  # type: ignore[union-attr]
    assert shade["United States"] == "shade-4"


def test_france_and_norway_are_found_though_natural_earth_gives_them_no_iso_a2(make_site) -> None:
    site = make_site(SITE_YAML + article("paris", countries="France") + article("oslo", countries="Norway"))
    svg = world_map(site.build().read("countries/index.html"))
    assert sorted(a.get("href", "") for a in svg.findall("a")) == ["/countries/fr/", "/countries/no/"]


def test_the_projected_shapes_are_kept_in_the_cache_and_redrawn_when_it_is_damaged(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(SITE_YAML + article("paris", countries="France"))
    first = world_map(site.build().read("countries/index.html"))
    database = sqlite3.connect(site.root / ".digest-cache/cache.sqlite3")
    assert [key.split(":")[0] for (key,) in database.execute("SELECT key FROM derived")] == ["worldmap"]

    def not_again() -> None:
        raise AssertionError("the shapes were projected again though the cache holds them")

    with monkeypatch.context() as patched:
        patched.setattr("digest.worldmap.world_shapes", not_again)
        shutil.rmtree(site.root / "public")
        assert ET.tostring(world_map(site.build().read("countries/index.html"))) == ET.tostring(first)

    with database:
        database.execute("UPDATE derived SET data = '{}'")  # damaged: its checksum no longer matches
    shutil.rmtree(site.root / "public")
    assert ET.tostring(world_map(site.build().read("countries/index.html"))) == ET.tostring(first)


def test_a_site_without_countries_draws_no_map(make_site) -> None:
    site = make_site(SITE_YAML + article("nowhere", countries=""))
    html = site.build().read("countries/index.html")
    assert "<svg" not in html and "Nothing here yet." in html


# --- the numbers ---------------------------------------------------------------------------------------------


def test_stats_count_the_articles_of_each_month_topic_and_source(sample: Path) -> None:
    html = (sample / "stats/index.html").read_text(encoding="utf-8")
    articles = published_front_matter()
    months = Counter(datetime.fromisoformat(str(meta["date"])).strftime("%b %Y") for meta in articles)
    assert dict(table_rows(html, "Articles per month")) == months
    topics = Counter(str(t).casefold().replace("-", " ") for meta in articles for t in meta.get("topics") or [])  # any spelling
    shown = table_rows(html, "Top topics")
    assert len(shown) == min(10, len(topics))
    assert [count for _, count in shown] == sorted(topics.values(), reverse=True)[:10]
    assert all(topics[name.casefold()] == count for name, count in shown)
    sources = Counter(str(meta["source"]) for meta in articles if meta.get("source"))
    listed = table_rows(html, "Top sources")
    assert all(sources[name] == count for name, count in listed)
    assert [count for _, count in listed] == sorted(sources.values(), reverse=True)[:10]
    assert f"{len(articles)} articles" in html
    svg = ET.fromstring(re.search(r'<svg [^>]*class="chart".*?</svg>', html, re.S).group(0))  # type: ignore[union-attr]
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    assert len(svg.findall(".//{*}rect[@class='rect reactive tooltip-trigger']")) == len(months)


def test_the_matrix_counts_articles_of_a_topic_about_a_country(sample: Path) -> None:
    html = (sample / "stats/index.html").read_text(encoding="utf-8")
    matrix = re.search(r'<table class="coverage matrix">(.*?)</table>', html, re.S).group(1)  # type: ignore[union-attr]
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<th scope="col">(.*?)</th>', matrix)]
    rows = re.findall(r'<tr><th scope="row"><a href="[^"]+">(.*?)</a></th>(.*?)</tr>', matrix)
    assert len(heads) == 10 and len(rows) == 10
    countries = CountryIndex()  # front matter may say US, UK or USA: named as the site names them
    articles = [
        ({str(t).casefold() for t in meta.get("topics") or []}, {countries.resolve(str(c)).name for c in meta.get("countries") or []})
        for meta in published_front_matter()
    ]
    for topic, cells in rows:
        for country, shown in zip(heads, re.findall(r">(\d+)</td>", cells)):
            expected = sum(1 for topics, places in articles if topic.casefold() in topics and country in places)
            assert int(shown) == expected, f"{topic} × {country}"


def test_digest_stats_prints_the_numbers_of_the_page(sample: Path, tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "site")
    done = run_cli(root, "stats")
    assert done.returncode == 0, done.stderr
    html = (sample / "stats/index.html").read_text(encoding="utf-8")
    printed = done.stdout
    for caption in ("Articles per month", "Top topics", "Top countries", "Top sources"):
        for name, count in table_rows(html, caption):
            assert re.search(rf"^  {re.escape(name)} +{count}$", printed, re.M), f"{caption}: {name} {count}"
    assert "Topics by country" in printed and not (root / "public").exists()


# --- rebuilt only when a count changes --------------------------------------------------------------------------


@pytest.fixture
def live(make_site) -> Iterator[tuple[Session, Path]]:
    site = make_site(SITE_YAML + "".join(
        article(f"story-{n}", date=f"2021-11-{n + 1:02d}", countries=("France", "Kenya")[n % 2]) for n in range(4)
    ))
    session = Session(site.root, BuildOptions(now=FIXED_NOW))
    session.build()
    yield session, site.root
    session.close()


def test_an_edit_that_changes_no_count_leaves_the_map_and_the_stats_alone(live: tuple[Session, Path]) -> None:
    session, root = live
    path = root / "content/articles/story-1.md"
    path.write_text(path.read_text().replace("title: Story 1", "title: Story one, renamed"))
    rendered = session.rebuild(Changes(content=frozenset({path}))).rendered_outputs
    assert "index.html" in rendered  # the lists that show the title
    assert "countries/index.html" not in rendered and "stats/index.html" not in rendered


def test_an_article_about_a_new_country_redraws_the_map_and_the_stats(live: tuple[Session, Path]) -> None:
    session, root = live
    path = root / "content/articles/story-1.md"
    path.write_text(path.read_text().replace("countries: [Kenya]", "countries: [Kenya, Japan]"))
    rendered = session.rebuild(Changes(content=frozenset({path}))).rendered_outputs
    assert {"countries/index.html", "stats/index.html"} <= set(rendered)
    svg = world_map((root / "public/countries/index.html").read_text(encoding="utf-8"))
    assert "/countries/jp/" in {a.get("href") for a in svg.findall("a")}


# --- valid, accessible, and photographed --------------------------------------------------------------------------


def test_the_map_and_the_stats_are_valid_html(sample: Path, tmp_path: Path) -> None:
    for page in ("countries/index.html", "stats/index.html"):
        (tmp_path / page).parent.mkdir(parents=True)
        shutil.copy(sample / page, tmp_path / page)
    assert nu_errors(tmp_path) == []


def test_the_map_and_the_stats_pass_axe_and_are_photographed_in_light_and_dark(sample: Path, screenshots: Screenshots) -> None:
    from tests.browser import axe_violations, launch_chromium

    with serve_folder(sample) as url, launch_chromium(sample.parent.parent / "chromium-profile") as browser:
        tab = browser.new_page()
        for page in ("countries", "stats"):
            for scheme in ("light", "dark"):
                tab.set_viewport_size({"width": 1100, "height": 900})
                tab.emulate_media(color_scheme=scheme)
                tab.goto(urljoin(url, f"{page}/"))
                violations = axe_violations(tab)
                assert not violations, f"axe-core on /{page}/ ({scheme}):\n" + "\n".join(violations)
                name = f"{page}-desktop-{scheme}.png"
                screenshots.save(tab.screenshot(), name, SCREENSHOTS / name)
