"""A curator's day without a text editor's template: `digest init` starts a site, `digest new` writes an
article's file checked as the build checks it, `digest list` shows what the site holds."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from digest.catalogue import Filters, entries_table, read_catalogue, select_entries
from digest.content import ArticleParser, SourceFile
from digest.drafting import ArticleRequest, compose_article
from digest.site import BuildOptions
from digest.sources import load_config
from tests.conftest import FIXED_NOW, SITE_YAML, article, full_snapshot, run_cli

NOW = {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}
"""The environment of every command here: the clock fixed at 2026-11-25 12:00 UTC."""

PACT = "content/articles/2026/morocco-and-israel-sign-a-pact.md"

VOCABULARY = """-- site.yaml --
title: Maghreb Watch
base_url: https://news.example.org/
timezone: Africa/Casablanca
countries:
  aliases: {Holland: NL}
topics:
  defence: {name: Defence, aliases: [military]}
  diplomacy: {name: Diplomacy & Talks}
"""

# -- init -----------------------------------------------------------------------------


def shell(folder: Path, *args: str) -> tuple[int, str, str]:
    """`python -m digest ARGS` run in `folder` at the fixed time, as a curator runs it."""
    done = run_cli(folder, *args, env=NOW)
    return done.returncode, done.stdout, done.stderr


def test_init_new_build_is_the_readme_s_first_five_minutes(tmp_path):
    code, out, err = shell(tmp_path, "init", "my-digest")
    assert (code, err) == (0, "")
    assert out == (
        "Created a digest in my-digest/:\n"
        "  site.yaml\n"
        "  content/articles/2026/welcome-to-your-digest.md\n"
        "  .gitignore\n"
        "\n"
        "Next:\n"
        "  cd my-digest\n"
        '  digest new "Your first headline" --country Morocco --topic defence\n'
        "  digest serve\n"
    )
    site = tmp_path / "my-digest"
    config = load_config(site)  # the real loader reads the commented site.yaml
    assert (config.title, config.base_url, config.language, config.timezone, config.paginate, config.theme) == (
        "My News Digest", "https://example.org/", "en", "UTC", 20, "default",
    )
    assert "README" in (site / "site.yaml").read_text()
    assert (site / ".gitignore").read_text().splitlines()[1::2] == ["/public/", "/.digest-cache/"]

    code, out, err = shell(site, "new", "Morocco and Israel sign a pact", "--country", "Morocco", "--topic", "defence")
    assert (code, out, err) == (0, PACT + "\n", "")
    code, out, err = shell(site, "build")
    assert code == 0, err
    page = (site / "public/2026/11/25/morocco-and-israel-sign-a-pact/index.html").read_text()
    assert "<h1>Morocco and Israel sign a pact</h1>" in page
    assert "<h1>Welcome to your digest</h1>" in (site / "public/2026/11/25/welcome-to-your-digest/index.html").read_text()
    assert "Morocco and Israel sign a pact" in (site / "public/topics/defence/index.html").read_text()


def test_the_example_article_teaches_and_reads_without_a_problem(tmp_path, digest):
    assert digest(tmp_path, "init")[0] == 0
    config = load_config(tmp_path)
    example = tmp_path / "content/articles/2026/welcome-to-your-digest.md"
    text = example.read_text()
    assert text.startswith("---\ntitle: Welcome to your digest\ndate: 2026-11-25\n")
    assert 'digest new "Morocco and Israel sign a defence pact" --country Morocco --topic defence' in text
    catalogue = read_catalogue(config)
    assert catalogue.problems == ()
    [welcome] = catalogue.articles
    assert [c.name for c in welcome.countries] == ["Morocco", "Israel"]
    assert (welcome.source, welcome.url, welcome.summary) == (
        "Example News", "https://example.org/the-original-article", "What an article file holds, and how to write the next one.",
    )


def test_init_refuses_a_folder_with_something_in_it_and_touches_nothing(tmp_path, digest):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ideas.txt").write_text("a digest of Maghreb news\n")
    before = full_snapshot(folder)
    code, out, err = digest(tmp_path, "init", "notes")
    assert (code, out) == (1, "")
    assert err == "notes: is not empty (it holds ideas.txt); use --force to add only the starter files it lacks (nothing is overwritten)\n"
    assert full_snapshot(folder) == before


def test_init_force_adds_what_is_missing_and_leaves_every_existing_file_as_it_was(tmp_path, digest):
    (tmp_path / "content/articles").mkdir(parents=True)
    (tmp_path / "site.yaml").write_text("title: Maghreb Watch\nbase_url: https://maghreb.example.org/\ntimezone: Africa/Casablanca\n")
    (tmp_path / "ideas.txt").write_text("a digest of Maghreb news\n")
    before = full_snapshot(tmp_path)
    code, out, err = digest(tmp_path, "init", "--force")
    assert (code, err) == (0, "")
    assert out.startswith(
        "Added here:\n  content/articles/2026/welcome-to-your-digest.md\n  .gitignore\n"
        "Left as they were (already there):\n  site.yaml\n\nNext:\n  digest new"
    )
    after = full_snapshot(tmp_path)
    assert {name: after[name] for name in before} == before  # byte-identical, not even touched
    assert "/public/" in (tmp_path / ".gitignore").read_text()
    again = full_snapshot(tmp_path)
    assert digest(tmp_path, "init", "--force")[1].startswith("Left as they were (already there):\n  site.yaml\n  content/")
    assert full_snapshot(tmp_path) == again


def test_init_starts_in_a_git_repository_just_made(tmp_path, digest):
    (tmp_path / ".git").mkdir()
    assert digest(tmp_path, "init")[0] == 0
    assert (tmp_path / "site.yaml").is_file()


# -- new ------------------------------------------------------------------------------

def test_new_writes_countries_by_name_and_topics_by_their_vocabulary_name(make_site, digest):
    site = make_site(VOCABULARY)
    code, out, err = digest(
        site.root, "new", "Rabat hosts: a 1:20 summit", "--country", "MA", "--country", "ksa", "--country", "Holland",
        "--country", "NO", "--country", "Morocco", "--topic", "military", "--topic", "DIPLOMACY", "--source", "Le Desk",
        "--url", "https://example.org/summit", "--summary", "NO deal yet.", "--draft",
    )
    assert (code, err) == (0, "")
    assert out == "content/articles/2026/rabat-hosts-a-1-20-summit.md\n"
    assert (site.root / out.strip()).read_text() == (
        "---\n"
        "title: 'Rabat hosts: a 1:20 summit'\n"
        "date: 2026-11-25T13:00:00+01:00\n"  # now, in the site's zone
        "countries: [Morocco, Saudi Arabia, Netherlands, Norway]\n"
        "topics: [Defence, diplomacy]\n"  # 'Diplomacy & Talks' would read as another topic: the slug stands in
        "source: Le Desk\n"
        "url: https://example.org/summit\n"
        "summary: NO deal yet.\n"
        "draft: true\n"
        "---\n\n"
    )


def test_new_refuses_what_the_build_would_refuse_with_the_build_s_hints_and_writes_nothing(make_site, digest):
    site = make_site(VOCABULARY)
    before = full_snapshot(site.root)
    code, out, err = digest(site.root, "new", "Pact", "--country", "Marocco", "--topic", "defense", "--date", "24/11/21")
    assert (code, out) == (1, "")
    assert err == (
        "--date: must be a date like 2021-11-24, got '24/11/21'\n"
        "  hint: write it as YYYY-MM-DD (2021-11-24) or an ISO 8601 time (2021-11-24T09:30:00+01:00)\n\n"
        "--country: unknown country 'Marocco'\n"
        "  hint: did you mean 'Morocco' or 'Macao' or 'Monaco'?\n\n"
        "--topic: unknown topic 'defense'\n"
        "  hint: did you mean 'defence'? (or add it under topics: in site.yaml)\n\n"
        "3 problems; nothing was written.\n"
    )
    assert full_snapshot(site.root) == before


def test_new_never_overwrites_and_never_takes_another_article_s_address(make_site, digest):
    site = make_site(SITE_YAML + """-- content/articles/2021/older.md --
---
title: An older take
date: 2021-11-24
slug: pact
---
""")
    assert digest(site.root, "new", "Pact", "--date", "2021-11-24")[1:] == ("", (
        "content/articles/2021/older.md: already has the address /2021/11/24/pact/ the new article would get\n"
        "  hint: give the new article another title, or another --date\n"
    ))
    assert digest(site.root, "new", "Pact", "--date", "2021-11-25") == (0, "content/articles/2021/pact.md\n", "")
    written = (site.root / "content/articles/2021/pact.md").read_bytes()
    code, out, err = digest(site.root, "new", "Pact", "--date", "2021-11-26", "--source", "Other")
    assert (code, err) == (1, "content/articles/2021/pact.md: already exists; digest never overwrites an article\n"
                              "  hint: edit it, or give the new article another title\n")
    assert (site.root / "content/articles/2021/pact.md").read_bytes() == written


def test_the_date_decides_the_year_folder_and_the_address_in_the_site_s_zone(make_site, digest):
    site = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\ntimezone: Asia/Tokyo\n")
    config = load_config(site.root)
    new_year = compose_article(config, ArticleRequest("Fireworks", date="2021-12-31T20:00:00Z"), FIXED_NOW)
    assert new_year.path == config.content_dir / "articles/2022/fireworks.md"
    assert "date: 2021-12-31T20:00:00+00:00\n" in new_year.text
    assert digest(site.root, "new", "Pact", "--date", "2021-11-24") == (0, "content/articles/2021/pact.md\n", "")
    assert "\ndate: 2021-11-24\n" in (site.root / "content/articles/2021/pact.md").read_text()
    assert site.build().exists("2021/11/24/pact/index.html")


def test_a_title_without_letters_gives_no_file_name(make_site, digest):
    site = make_site(SITE_YAML)
    code, _, err = digest(site.root, "new", "!!!")
    assert (code, err) == (1, "title: '!!!' has no letters or digits to make the file's name from\n"
                              '  hint: give a title in words, e.g. digest new "Morocco and Israel sign a defence pact"\n')


def test_what_new_writes_reads_back_as_the_same_article(make_site):
    site = make_site(SITE_YAML)
    config = load_config(site.root)
    request = ArticleRequest("Yes: 0x1F # “quotes” and 'apostrophes'", ("Côte d'Ivoire", "USA"), ("Abraham Accords", "AI"),
                             "El País", "https://example.org/a?b=1#c", "2021-11-24T09:30", "On: off", draft=True)
    made = compose_article(config, request, FIXED_NOW)
    parsed = ArticleParser.for_site(config).parse(SourceFile(made.path, made.path, made.text.encode())).article
    assert parsed == made.article
    assert (parsed.title, parsed.source, parsed.url, parsed.summary, parsed.draft) == (request.title, "El País", request.url, "On: off", True)
    assert [c.code for c in parsed.countries] == ["CI", "US"] and [t.label for t in parsed.topics] == ["Abraham Accords", "AI"]


def test_edit_opens_the_editor_on_the_new_file(make_site, tmp_path, digest):
    site = make_site(SITE_YAML)
    record = tmp_path / "record.py"
    record.write_text("import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(repr(sys.argv[2:]))\n")
    editor = f"{sys.executable} {record} {tmp_path / 'opened'}"
    assert digest(site.root, "new", "Pact", "--edit", EDITOR=editor) == (0, "content/articles/2026/pact.md\n", "")
    assert (tmp_path / "opened").read_text() == "['content/articles/2026/pact.md']"
    assert digest(site.root, "new", "Talks", "--edit", EDITOR="", VISUAL=editor)[0] == 0
    assert (tmp_path / "opened").read_text() == "['content/articles/2026/talks.md']"
    code, out, err = digest(site.root, "new", "Summit", "--edit", EDITOR="", VISUAL="")
    assert (code, out) == (1, "content/articles/2026/summit.md\n")
    assert err.startswith("--edit: neither EDITOR nor VISUAL is set, so no editor was opened; the file is written\n")
    assert (site.root / "content/articles/2026/summit.md").is_file()


# -- list -----------------------------------------------------------------------------

NEWSROOM = (
    SITE_YAML + "countries:\n  aliases: {Holland: NL}\n"
    + article("pact", "Israel signs defence pact with Morocco", "2021-11-24", "Israel, Morocco", "defence, Abraham Accords")
    + article("dutch-visit", "Dutch minister visits Rabat", "2021-11-26", "NL, MA", "diplomacy")
    + article("gas", "Gas pipeline talks resume", "2021-11-25", "Algeria", "energy")
    + "-- content/articles/draft.md --\n---\ntitle: Unfinished\ndate: 2021-11-27\ndraft: true\n---\n"
    + article("tomorrow", "Summit next month", "2027-01-10", "Israel", "diplomacy")
)


def test_list_shows_what_the_build_publishes_newest_first(make_site, digest):
    site = make_site(NEWSROOM)
    code, out, err = digest(site.root, "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "TITLE", "COUNTRIES", "TOPICS", "PATH"]
    assert [line[:10] for line in lines[1:]] == ["2021-11-26", "2021-11-25", "2021-11-24"]
    assert lines[3].endswith("Israel signs defence pact with Morocco  Israel, Morocco       Defence, Abraham Accords  content/articles/pact.md")
    columns = {line.index("content/") for line in lines[1:]}
    assert len(columns) == 1 and lines[0].index("PATH") in columns  # aligned
    everything = digest(site.root, "list", "--drafts", "--future")[1].splitlines()
    assert [line[:10] for line in everything[1:]] == ["2027-01-10", "2021-11-27", "2021-11-26", "2021-11-25", "2021-11-24"]
    assert "Unfinished (draft)" in everything[2]


def test_list_as_json_gives_scripts_the_addresses_the_build_makes(make_site, digest):
    site = make_site(NEWSROOM)
    code, out, err = digest(site.root, "list", "--format", "json", "--country", "Holland")
    assert (code, err) == (0, "")
    assert json.loads(out) == [{
        "date": "2021-11-26T00:00:00+00:00",
        "title": "Dutch minister visits Rabat",
        "slug": "dutch-visit",
        "url": "https://news.example.org/2021/11/26/dutch-visit/",
        "countries": [{"name": "Netherlands", "code": "NL"}, {"name": "Morocco", "code": "MA"}],
        "topics": [{"slug": "diplomacy", "name": "Diplomacy"}],
        "source": "Example News",
        "path": "content/articles/dutch-visit.md",
        "draft": False,
    }]
    assert site.build().exists("2021/11/26/dutch-visit/index.html")


def test_list_filters_accept_every_spelling_an_article_may_use(make_site, digest):
    site = make_site(NEWSROOM)

    def titles(*args: str) -> list[str]:
        code, out, err = digest(site.root, "list", "--format", "json", *args)
        assert (code, err) == (0, "")
        return [item["title"] for item in json.loads(out)]

    assert titles("--topic", "ABRAHAM ACCORDS") == ["Israel signs defence pact with Morocco"]
    assert titles("--country", "ma") == ["Dutch minister visits Rabat", "Israel signs defence pact with Morocco"]
    assert titles("--country", "Israel", "--future") == ["Summit next month", "Israel signs defence pact with Morocco"]
    assert titles("--country", "ISR", "--topic", "diplomacy", "--future") == ["Summit next month"]
    code, out, err = digest(site.root, "list", "--country", "Marocco")
    assert (code, out) == (1, "")
    assert err == "--country: unknown country 'Marocco'\n  hint: did you mean 'Morocco' or 'Macao' or 'Monaco'?\n"


def test_list_topic_filter_keeps_to_the_vocabulary(make_site, digest):
    site = make_site(VOCABULARY + article("pact", topics="military"))
    code, out, err = digest(site.root, "list", "--topic", "defense")
    assert (code, out) == (1, "")
    assert err == "--topic: unknown topic 'defense'\n  hint: did you mean 'defence'? (or add it under topics: in site.yaml)\n"
    assert "Pact" in digest(site.root, "list", "--topic", "military")[1]


def test_a_broken_article_is_reported_as_the_build_reports_it_and_the_rest_are_listed(make_site, digest):
    site = make_site(NEWSROOM + "-- content/articles/bad.md --\n---\ntitle: Bad\ndate: soon\n---\n")
    code, out, err = digest(site.root, "list")
    assert code == 1
    assert len(out.splitlines()) == 4  # the header and the three good, published articles
    assert err.startswith("content/articles/bad.md:3:7: date: must be a date like 2021-11-24, got 'soon'\n    date: soon\n")
    assert err.endswith("\n\n1 article file could not be read and is not listed.\n")


def test_a_built_site_lists_from_the_cache_without_parsing_a_file(make_site, monkeypatch):
    site = make_site(NEWSROOM)
    site.build()

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed a file the cache knows")

    monkeypatch.setattr(ArticleParser, "parse", no_parsing)
    catalogue = read_catalogue(load_config(site.root))
    assert len(catalogue.articles) == 5 and catalogue.problems == ()


def test_a_table_on_a_narrow_terminal_cuts_titles_rather_than_wrapping(make_site):
    site = make_site(NEWSROOM)
    config = load_config(site.root)
    entries = select_entries(config, read_catalogue(config).articles, Filters(BuildOptions(now=FIXED_NOW)))
    full = entries_table(entries)
    narrow = entries_table(entries, width=90)
    assert max(len(line) for line in full.splitlines()) > 90
    assert max(len(line) for line in narrow.splitlines()) <= 90
    assert narrow.splitlines()[3] == "2021-11-24  Israel signs def…  Israel, Mor…  Defence, Ab…  content/articles/pact.md"


@pytest.mark.parametrize("command", [["new", "Pact"], ["list"]])
def test_new_and_list_outside_a_site_say_how_to_start_one(tmp_path, command, digest):
    code, _, err = digest(tmp_path, *command)
    assert code == 1 and "no site.yaml" in err and "digest init DIR" in err and "Traceback" not in err
