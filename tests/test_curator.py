"""A curator's day without a text editor's template: `digest init` starts a site, `digest new` writes an
article's file checked as the build checks it, `digest list` shows what the site holds."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.catalogue import Filters, entries_table, read_catalogue, select_entries
from digest.cli import main
from digest.content import ArticleParser
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

Digest = Callable[..., tuple[int, str, str]]


@pytest.fixture
def digest(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Digest]:
    """`digest(folder, *args, **env)`: the command line run in `folder` at the fixed time → (exit code, stdout, stderr).

    It runs in this process (a tenth of a subprocess's time); the first story below runs the very
    `python -m digest` a curator types.
    """
    terminate = signal.getsignal(signal.SIGTERM)

    def run(folder: Path, *args: str, **env: str) -> tuple[int, str, str]:
        with monkeypatch.context() as scope:
            scope.chdir(folder)
            scope.setenv("DIGEST_NOW", FIXED_NOW.isoformat())
            for name, value in env.items():
                if value:
                    scope.setenv(name, value)
                else:
                    scope.delenv(name, raising=False)
            capsys.readouterr()
            code = main(list(args))
            out, err = capsys.readouterr()
        return code, out, err

    yield run
    if terminate is not None:
        signal.signal(signal.SIGTERM, terminate)  # main() makes SIGTERM a Ctrl-C


# -- init -----------------------------------------------------------------------------


def shell(folder: Path, *args: str) -> tuple[int, str, str]:
    """`python -m digest ARGS` run in `folder` at the fixed time, as a curator runs it."""
    done = run_cli(folder, *args, env=NOW)
    return done.returncode, done.stdout, done.stderr


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


