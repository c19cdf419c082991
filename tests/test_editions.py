"""A curator publishes the digest as editions: every article in the edition of its day, numbered, introduced,
grouped, fed to readers whole, and mailed as an email twin with a plain-text alternative."""

from __future__ import annotations

import re
import shutil
from datetime import date

import feedparser
import pytest

from digest.build import Changes, Session, build_once
from digest.periods import EditionSettings, Period, span_of, span_of_id
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, SITE_YAML, Output, article, only_problem, snapshot
from tests.feed_rules import feed_problems
from tests.html_refs import StartTags

WEEKLY = SITE_YAML + "editions: {period: weekly}\n"


def edition_of(day: str, period: Period = Period.WEEKLY, week_starts: int = 0) -> str:
    return span_of(date.fromisoformat(day), EditionSettings(period, week_starts)).id


@pytest.mark.parametrize(
    "day, period, week_starts, expected",
    [
        ("2021-11-24", Period.WEEKLY, 0, "2021-W47"),
        ("2021-01-01", Period.WEEKLY, 0, "2020-W53"),  # a Friday: its week's Thursday is in 2020
        ("2021-01-04", Period.WEEKLY, 0, "2021-W01"),
        ("2019-12-30", Period.WEEKLY, 0, "2020-W01"),  # a Monday in December that ISO puts in 2020's first week
        ("2021-01-03", Period.WEEKLY, 6, "2021-W01"),  # weeks from Sunday: Sunday 3 January opens the week of Thursday 7th
        ("2021-01-02", Period.WEEKLY, 6, "2020-W53"),
        ("2021-11-24", Period.DAILY, 0, "2021-11-24"),
        ("2021-12-31", Period.MONTHLY, 0, "2021-12"),
    ],
)
def test_every_day_belongs_to_one_edition_whose_id_names_it_back(day, period, week_starts, expected):
    assert edition_of(day, period, week_starts) == expected
    settings = EditionSettings(period, week_starts)
    span = span_of_id(expected, settings)
    assert span is not None and span.start <= date.fromisoformat(day) <= span.end and span.id == expected


def test_an_id_that_names_no_edition_is_refused():
    weekly = EditionSettings(Period.WEEKLY)
    assert span_of_id("2021-W54", weekly) is None and span_of_id("2021-11", weekly) is None
    assert span_of_id("2020-W53", weekly) is not None
    assert span_of_id("2021-02-30", EditionSettings(Period.DAILY)) is None


def test_an_article_is_in_the_edition_of_its_day_in_the_sites_time_zone(make_site):
    late = article("late", date="2021-11-28T23:30:00+00:00")  # Sunday night in London, Monday in Berlin
    out = make_site(WEEKLY + "timezone: Europe/Berlin\n" + late + article("early", date="2021-11-22")).build()
    assert "/2021/11/29/late/" in out.read("editions/2021-W48/index.html")
    assert "late" not in out.read("editions/2021-W47/index.html")
    out = make_site(WEEKLY + "timezone: Europe/London\n" + late + article("early", date="2021-11-22")).build()
    assert "/2021/11/28/late/" in out.read("editions/2021-W47/index.html")


def test_editions_are_numbered_from_the_oldest_and_a_note_sets_title_order_number_and_intro(make_site):
    site = make_site(
        WEEKLY
        + article("first", date="2021-11-02")
        + article("pact", date="2021-11-24", topics="defence")
        + article("port", date="2021-11-25", topics="trade")
        + article("gas", date="2021-12-01", topics="energy")
        + "-- content/editions/2021-W47.md --\n---\ntitle: The pact week\norder: [pact]\nnumber: 10\n---\n"
        "The *pact* leads; the [port deal](/2021/11/25/port/) follows.\n"
    )
    out = site.build()
    assert re.search(r"<h1>Week 44, 2021</h1>.*No\. 1<", out.read("editions/2021-W44/index.html"), re.S)
    pact_week = out.read("editions/2021-W47/index.html")
    assert "<h1>The pact week</h1>" in pact_week and "No. 10" in pact_week
    assert "<p>The <em>pact</em> leads; the <a href=\"/2021/11/25/port/\">port deal</a> follows.</p>" in pact_week
    assert pact_week.index("/2021/11/24/pact/") < pact_week.index("/2021/11/25/port/")  # the note's order, not newest first
    assert re.findall(r'<h2 id="group-\d+">.*?>(\w+)</a> <span class="count">(\d+)</span>', pact_week) == [("Defence", "1"), ("Trade", "1")]
    assert "No. 11" in out.read("editions/2021-W48/index.html")  # counting on from the note's number
    listing = out.read("editions/index.html")
    assert listing.index("/editions/2021-W48/") < listing.index("/editions/2021-W47/") < listing.index("/editions/2021-W44/")
    home = out.read("index.html")
    assert 'class="latest-edition"' in home and 'href="/editions/2021-W48/"' in home
    assert 'href="/editions/2021-W47/"><span>← Earlier edition</span> The pact week</a>' in out.read("editions/2021-W48/index.html")


@pytest.mark.parametrize(
    "note, line, message",
    [
        ("---\norder: [pact, nowhere]\n---\n", 2, "order: no article 'nowhere' in edition 2021-W47"),
        ("---\ntitle: T\nsummary: S\n---\n", 3, "summary: unknown field 'summary'"),
        ("---\nnumber: none\n---\n", 2, "number: must be a whole number of at least 1"),
    ],
    ids=["unknown-slug", "unknown-field", "bad-number"],
)
def test_a_note_with_a_mistake_is_an_error_at_its_line(make_site, note, line, message):
    site = make_site(WEEKLY + article("pact") + f"-- content/editions/2021-W47.md --\n{note}")
    problem = only_problem(site.build_error())
    assert problem.headline().startswith(f"content/editions/2021-W47.md:{line}:") and message in problem.headline()


def test_a_note_named_after_no_edition_of_the_period_says_how_to_name_it(make_site):
    site = make_site(WEEKLY + article("pact") + "-- content/editions/2021-11.md --\n---\ntitle: November\n---\n")
    problem = only_problem(site.build_error())
    assert "'2021-11' is no weekly edition" in problem.message and "2021-W47.md" in problem.hint


# --- the email twin --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """The bundled sample, which is weekly, built out of the repository."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "site.yaml", root)
    shutil.copytree(REPO / "content", root / "content")
    result = build_once(root, BuildOptions(now=FIXED_NOW))
    return Output(result.config.output_dir, result)


def editions(sample: Output) -> list[str]:
    return sorted(p.parent.name for p in (sample.root / "editions").glob("*/index.html"))


def test_the_sample_has_an_edition_page_email_and_text_for_every_week_it_covers(sample: Output):
    weeks = editions(sample)
    assert len(weeks) >= 8 and all(re.fullmatch(r"2021-W\d\d", week) for week in weeks)
    for week in weeks:
        assert sample.exists(f"editions/{week}/email.html") and sample.exists(f"editions/{week}/email.txt")


def test_every_email_is_self_contained_with_absolute_links_and_inlined_css(sample: Output):
    for week in editions(sample):
        email = sample.read(f"editions/{week}/email.html")
        tags = StartTags(email).tags
        names = [name for name, _ in tags]
        assert "style" not in names and "script" not in names, week
        assert not any(name == "link" for name in names), week  # no stylesheet, no icon: nothing fetched
        for name, attrs in tags:
            for key in ("href", "src"):
                if key in attrs:
                    assert attrs[key].startswith(("https://", "http://")), f"{week}: {name} {key}={attrs[key]}"
            if name == "img":
                assert attrs.get("width") and attrs.get("height") and attrs.get("alt"), f"{week}: {attrs}"
            if name in ("td", "h1", "h2", "h3", "p") and "class" in attrs:
                assert "style" in attrs, f"{week}: a {name}.{attrs['class']} whose rules were not inlined"
        assert f'href="https://news.example.org/editions/{week}/"' in email  # view in the browser
        assert re.search(r'<div class="preheader" style="display: none;[^"]*">[^<]{20,}</div>', email), week


def test_every_email_has_a_plain_text_twin_with_every_article_and_link(sample: Output):
    for week in editions(sample):
        text = sample.read(f"editions/{week}/email.txt")
        page = sample.read(f"editions/{week}/index.html")
        links = re.findall(r'<article class="card">.*?<h2><a href="([^"]+)">([^<]+)</a>', page, re.S)
        assert links, week
        for url, title in links:
            assert f"https://news.example.org{url}" in text, f"{week} lacks {url}"
            assert " ".join(title.replace("&#39;", "'").split()) in " ".join(text.split()), f"{week} lacks {title}"
        assert not re.search(r"</?[a-z][^>]*>", text), f"{week}: HTML left in the text"


def test_the_editions_feed_carries_each_edition_whole(sample: Output):
    assert feed_problems(sample.root / "editions") == []
    feed = feedparser.parse((sample.root / "editions/feed.xml").read_bytes())
    assert len(feed.entries) == len(editions(sample))
    pact_week = next(e for e in feed.entries if e.link.endswith("/editions/2021-W47/"))
    assert pact_week.title == "The week the Abraham Accords grew teeth"
    html = pact_week.content[0].value
    assert "https://news.example.org/2021/11/24/israel-morocco-defence-pact/" in html and "Omicron" in html


# --- incremental ----------------------------------------------------------------------------------------------------


def test_an_article_edit_re_renders_its_edition_and_email_not_the_others_and_matches_a_clean_build(make_site, tmp_path):
    site = make_site(
        WEEKLY + article("first", date="2021-11-02") + article("pact", date="2021-11-24") + article("gas", date="2021-12-01", topics="energy")
    )
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    pact = site.root / "content/articles/pact.md"
    pact.write_text(pact.read_text().replace("title: Pact", "title: Pact signed"))
    rendered = set(live.rebuild(Changes(content=frozenset({pact}))).rendered_outputs)
    assert {"editions/2021-W47/index.html", "editions/2021-W47/email.html", "editions/2021-W47/email.txt"} <= rendered
    assert not {"editions/2021-W44/index.html", "editions/2021-W44/email.html", "editions/2021-W48/email.txt"} & rendered

    note = site.root / "content/editions/2021-W44.md"
    note.parent.mkdir(parents=True)
    note.write_text("---\ntitle: A quiet week\n---\nNothing much.\n")
    rendered = set(live.rebuild(Changes(content=frozenset({note}))).rendered_outputs)
    assert "editions/2021-W44/index.html" in rendered and "editions/2021-W48/index.html" not in rendered
    assert "<h1>A quiet week</h1>" in site.output.read("editions/2021-W44/index.html")
    clean = site.build(output_dir=tmp_path / "clean")
    assert snapshot(site.root / "public") == snapshot(clean.root)
    live.close()


def test_a_site_without_editions_has_no_edition_pages(make_site):
    out = make_site(SITE_YAML + article("pact")).build()
    assert not any(f.startswith("editions/") for f in out.files())
    assert "Editions" not in out.read("index.html")


def test_edition_emails_need_a_base_url_unless_turned_off(make_site):
    site = make_site("-- site.yaml --\ntitle: T\nfeeds: false\neditions: {period: monthly}\n" + article("pact"))
    problem = only_problem(site.build_error())
    assert "edition emails need absolute links" in problem.message and "email: false" in problem.hint
    site.write("-- site.yaml --\ntitle: T\nfeeds: false\neditions: {period: monthly, email: false}\n")
    out = site.build()
    assert out.exists("editions/2021-11/index.html") and not out.exists("editions/2021-11/email.html")


def test_email_files_are_never_rewritten_relative(make_site):
    out = make_site(WEEKLY + "relative_urls: true\n" + article("pact")).build()
    assert 'href="https://news.example.org/2021/11/24/pact/"' in out.read("editions/2021-W47/email.html")
    assert 'href="../2021/11/24/pact/index.html"' not in out.read("editions/2021-W47/email.html")



def test_a_site_template_replaces_the_themes_email_and_ids_stay_as_editions_come_and_go(make_site):
    site = make_site(WEEKLY + article("pact", date="2021-11-24") + "-- templates/email.txt --\n{{ edition.title }} in {{ edition.count }}\n")
    out = site.build()
    assert out.read("editions/2021-W47/email.txt") == "Week 47, 2021 in 1\n"
    site.write(article("first", date="2021-10-05"))  # an older week: numbers move up, addresses stay
    out = site.build()
    assert out.read("editions/2021-W47/email.txt") == "Week 47, 2021 in 1\n" and out.exists("editions/2021-W40/index.html")
    assert "No. 2" in out.read("editions/2021-W47/index.html")
