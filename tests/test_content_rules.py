"""Rules that keep a curator from a silent surprise: a misnamed field, a tab, a missing folder or theme, a summary shown
twice, articles left out without a word."""

from __future__ import annotations

import os

import pytest

from digest.errors import ConfigError, ContentError
from tests.conftest import FIXED_NOW, SITE_YAML, article, full_snapshot, only_problem

PACT = "content/articles/pact.md"


def pact(*fields: str, body: str = "Body.\n") -> str:
    """content/articles/pact.md with a title and date on lines 2 and 3, then `fields` from line 4."""
    lines = "".join(f"{field}\n" for field in ("title: Pact", "date: 2021-11-24", *fields))
    return f"-- {PACT} --\n---\n{lines}---\n{body}"


# -- names other tools give a field -------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("tags", "topics"), ("categories", "topics"), ("category", "topics"), ("tag", "topics"), ("keywords", "topics"),
        ("country", "countries"), ("link", "url"), ("source_url", "url"), ("description", "summary"),
        ("excerpt", "summary"), ("authors", "author"), ("Tags", "topics"), ("published", "date"), ("countrie", "countries"),
    ],
)
def test_a_field_named_as_other_tools_name_it_suggests_digest_s_name(make_site, written, meant):
    site = make_site(SITE_YAML + pact(f"{written}: [x]"))
    problem = only_problem(site.build_error())
    assert problem.headline() == f"{PACT}:4:1: {written}: unknown field '{written}'"
    assert problem.hint == f"did you mean '{meant}'?"


def test_a_field_like_none_of_them_is_pointed_to_extra(make_site):
    problem = only_problem(make_site(SITE_YAML + pact("mood: sombre")).build_error())
    assert problem.hint == "custom fields go under 'extra:'"


# -- tabs -----------------------------------------------------------------------------------


def test_a_tab_indenting_front_matter_is_named_at_its_line_and_column(make_site):
    site = make_site(SITE_YAML + pact("extra:", "  region: Maghreb", "\t  desk: Rabat"))
    error = site.build_error()
    assert isinstance(error, ContentError)
    assert error.report() == (
        f"{PACT}:6:1: tab character at line 6 col 1: YAML indents with spaces\n"
        "    \\t  desk: Rabat\n"
        "    ^\n"
        "  hint: replace the tab with spaces (two for each level); most editors can insert spaces when Tab is pressed"
    )
    assert not (site.root / "public").exists()


def test_a_tab_after_a_list_dash_is_named_too(make_site):
    problem = only_problem(make_site(SITE_YAML + pact("topics:", "  -\tdefence")).build_error())
    assert problem.headline() == f"{PACT}:5:4: tab character at line 5 col 4: YAML indents with spaces"


def test_a_tab_in_site_yaml_is_named_as_in_an_article(make_site):
    site = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\nfeeds:\n\tentries: 5\n" + article("pact"))
    result = site.cli("build")
    assert result.returncode == 1
    assert result.stderr.startswith("site.yaml:4:1: tab character at line 4 col 1: YAML indents with spaces\n    \\tentries: 5\n")
    assert "hint: replace the tab with spaces" in result.stderr
    assert not (site.root / "public").exists()


def test_a_tab_yaml_accepts_between_a_key_and_its_value_is_no_error(make_site):
    site = make_site(SITE_YAML + pact("source:\tExample News"))
    assert "Example News" in site.build().read("2021/11/24/pact/index.html")


# -- the content folder -----------------------------------------------------------------------


def test_a_site_without_its_content_folder_is_an_error_naming_the_default(make_site):
    site = make_site(SITE_YAML)
    before = full_snapshot(site.root)
    result = site.cli("build")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "site.yaml: content_dir: no content/ folder (content_dir's default)",
        "  hint: run digest in your site's folder (or pass --site DIR), set content_dir: in site.yaml to the folder your "
        "articles/ are in, or make it: mkdir -p content/articles",
    ]
    assert "0 articles" not in result.stdout + result.stderr
    assert full_snapshot(site.root) == before


def test_a_content_dir_naming_no_folder_is_an_error_at_its_line(make_site):
    site = make_site(SITE_YAML + "content_dir: stories\n" + article("pact"))
    error = site.build_error()
    assert isinstance(error, ConfigError)
    assert error.report() == (
        "site.yaml:3:14: content_dir: the content folder stories/ does not exist\n"
        "    content_dir: stories\n"
        "                 ^\n"
        "  hint: set content_dir to the folder your articles/ are in, or make it: mkdir -p stories/articles"
    )
    assert not (site.root / "public").exists()


def test_list_says_the_same_of_a_missing_content_folder(make_site):
    result = make_site(SITE_YAML).cli("list")
    assert result.returncode == 1
    assert result.stderr.startswith("site.yaml: content_dir: no content/ folder (content_dir's default)\n")


def test_an_empty_content_folder_builds_a_site_of_no_articles(make_site):
    site = make_site(SITE_YAML)
    (site.root / "content").mkdir()
    output = site.build()
    assert output.result is not None and output.result.articles == 0
    assert output.exists("index.html")


# -- themes -------------------------------------------------------------------------------------


def test_an_unknown_theme_is_named_at_its_line_with_the_themes_there_are(make_site):
    site = make_site(SITE_YAML + "theme: dark\n-- themes/night/theme.yaml --\nextends: default\n" + article("pact"))
    error = site.build_error()
    assert isinstance(error, ConfigError)
    problem = only_problem(error)
    assert problem.headline() == "site.yaml:3:8: theme: unknown theme 'dark'"
    assert problem.source_line == "theme: dark"
    assert problem.hint == (
        "themes found: night (themes/), default (bundled), paper (bundled); "
        "or make themes/dark/ beside site.yaml (a theme.yaml, templates/ and static/)"
    )
    assert not (site.root / "public").exists()


def test_a_misspelt_theme_gets_a_did_you_mean(make_site):
    problem = only_problem(make_site(SITE_YAML + "theme: papr\n" + article("pact")).build_error())
    assert problem.hint.startswith("did you mean 'paper'? themes found: default (bundled), paper (bundled)")


def test_a_theme_extending_an_unknown_theme_is_named_at_its_extends_line(make_site):
    site = make_site(SITE_YAML + "theme: night\n-- themes/night/theme.yaml --\nname: Night\nextends: defualt\n" + article("pact"))
    problem = only_problem(site.build_error())
    assert problem.headline() == "themes/night/theme.yaml:2:10: extends: unknown theme 'defualt'"
    assert problem.hint.startswith("did you mean 'default'?")


# -- the summary, shown once -----------------------------------------------------------------------

OPENING = "Israel and Morocco signed the first defence pact between Israel and an Arab state."


def story(page: str) -> str:
    """The article element of an article page: what a reader reads, without the page's metadata."""
    return page[page.index('<article class="story"') : page.index("</article>")]


@pytest.mark.parametrize(
    "summary",
    [
        pytest.param("", id="summary-from-the-first-paragraph"),
        pytest.param(f"summary: {OPENING}", id="summary-written-as-the-first-paragraph"),
        pytest.param("summary: israel and morocco signed the first defence pact between Israel and an Arab state", id="same-words-other-case"),
    ],
)
def test_an_article_whose_summary_is_its_first_paragraph_reads_it_once(make_site, summary):
    fields = (summary,) if summary else ()
    site = make_site(SITE_YAML + pact(*fields, body=f"{OPENING}\n\nThe *second* paragraph.\n"))
    output = site.build()
    page = story(output.read("2021/11/24/pact/index.html"))
    assert page.count("signed the first defence pact") == 1
    assert 'class="lede"' not in page
    assert f"<p>{OPENING}</p>" in page
    assert "signed the first defence pact" in output.read("index.html")  # lists still show the summary


def test_a_summary_of_its_own_stands_above_the_body(make_site):
    site = make_site(SITE_YAML + pact("summary: The first pact of its kind.", body=f"{OPENING}\n"))
    page = story(site.build().read("2021/11/24/pact/index.html"))
    assert '<p class="lede">The first pact of its kind.</p>' in page
    assert page.count(OPENING) == 1


def test_a_long_first_paragraph_cut_for_lists_is_still_read_once(make_site):
    long = " ".join(f"word{n}" for n in range(80))
    output = make_site(SITE_YAML + pact(body=f"{long}\n")).build()
    page = story(output.read("2021/11/24/pact/index.html"))
    assert 'class="lede"' not in page and page.count("word49") == 1
    assert "word49…" in output.read("index.html")


def test_editing_the_body_to_open_with_the_summary_drops_the_lede_on_rebuild(make_site):
    site = make_site(SITE_YAML + pact("summary: The first pact of its kind.", body=f"{OPENING}\n"))
    assert 'class="lede"' in site.build().read("2021/11/24/pact/index.html")
    site.write(pact("summary: The first pact of its kind.", body="The first pact of its kind.\n\nMore.\n"))
    page = story(site.build().read("2021/11/24/pact/index.html"))
    assert 'class="lede"' not in page and page.count("The first pact of its kind.") == 1


# -- drafts and future articles, counted ---------------------------------------------------------

NOW = {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}
LEFT_OUT = (
    article("pact")
    + article("summit", date="2027-01-05")
    + article("talks", date="2026-12-01")
    + "-- content/articles/memo.md --\n---\ntitle: Memo\ndate: 2021-11-20\ncountries: [Israel]\ntopics: [defence]\n"
    "source: Example News\ndraft: true\n---\nNot yet.\n"
)


def test_a_build_says_how_many_drafts_and_future_articles_it_left_out(make_site):
    site = make_site(SITE_YAML + LEFT_OUT)
    first = site.cli("build", env=NOW)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Built ")
    assert first.stdout.endswith(" — 2 future articles left out; --future to include — 1 draft left out; --drafts to include\n")
    before = full_snapshot(site.root / "public")
    again = site.cli("build", env=NOW)  # nothing changed: the build stops after reading the sources, and says the same
    assert again.stdout.endswith(" — 2 future articles left out; --future to include — 1 draft left out; --drafts to include\n")
    assert full_snapshot(site.root / "public") == before


def test_what_is_asked_for_is_no_longer_noted(make_site):
    site = make_site(SITE_YAML + LEFT_OUT)
    assert site.cli("build", "--drafts", env=NOW).stdout.endswith(" — 2 future articles left out; --future to include\n")
    assert site.build(future=True).result.notes == ("1 draft left out; --drafts to include",)
    everything = site.build(future=True, drafts=True)
    assert everything.result.notes == ()
    assert everything.exists("2027/01/05/summit/index.html") and everything.exists("2021/11/20/memo/index.html")


def test_a_future_draft_is_counted_once_as_a_draft(make_site):
    site = make_site(SITE_YAML + article("pact") + "-- content/articles/plan.md --\n---\ntitle: Plan\ndate: 2030-01-01\ndraft: true\n---\nX.\n")
    assert site.build().result.notes == ("1 draft left out; --drafts to include",)
    assert site.build(drafts=True).result.notes == ("1 future article left out; --future to include",)


def test_check_lists_what_is_left_out_as_information_even_under_strict(make_site):
    site = make_site(SITE_YAML + LEFT_OUT)
    result = site.cli("check", "--strict", env=NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    notes = [line for line in lines if ": note: " in line]
    assert notes == [
        "content/articles/memo.md:7:1: draft: note: a draft, left out of the site",
        "content/articles/summit.md:3:1: date: note: dated 2027-01-05, in the future: left out of the site until then",
        "content/articles/talks.md:3:1: date: note: dated 2026-12-01, in the future: left out of the site until then",
    ]
    assert "  hint: --drafts includes it; draft: false publishes it" in lines
    assert lines[-1].startswith("Check passed: 0 errors, 0 warnings; 3 articles left out (1 draft, 2 future; not errors); ")
    assert "note" not in result.stderr


def test_check_of_a_site_that_publishes_everything_says_nothing_of_it(make_site):
    result = make_site(SITE_YAML + article("pact")).cli("check", env=NOW)
    assert result.returncode == 0
    assert "left out" not in result.stdout
