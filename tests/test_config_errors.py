"""What a curator sees when site.yaml is missing or wrong: exact headlines, hints, nothing written.

site.yaml problems name the file relative to the working folder, like article problems.
"""

from __future__ import annotations

import pytest

from digest.config import KNOWN_KEYS, options_table
from digest.errors import ConfigError, OutputError
from tests.conftest import REPO, article, full_snapshot, only_problem


def shown_config(site) -> str:  # type: ignore[no-untyped-def]
    """site.yaml as config problems name it (the tests run in the site folder)."""
    return "site.yaml"


def test_a_missing_site_yaml_says_how_to_create_one(make_site):
    site = make_site(article("pact"))
    error = site.build_error()
    assert isinstance(error, ConfigError)
    problem = only_problem(error)
    root = site.root.resolve()
    assert problem.headline() == f"site.yaml: no site.yaml in {root}"
    assert "or pass --site DIR" in problem.hint
    assert "create site.yaml with at least:\n    title: My News Digest\n" in problem.hint
    assert not (site.root / "public").exists()


def test_cli_without_site_yaml_exits_1_with_the_message_and_no_traceback(make_site):
    site = make_site(article("pact"))
    result = site.cli("build")
    assert result.returncode == 1
    assert result.stderr.startswith(f"site.yaml: no site.yaml in {site.root.resolve()}\n")
    assert "create site.yaml with at least:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site.root / "public").exists()


def with_base_url(text: str) -> str:
    """site.yaml's text with a base_url after it (feeds need one), unless the text is about base_url or is no mapping."""
    return text if "base_url" in text or text.startswith("- ") else text + "base_url: https://news.example.org/\n"


# Each row: site.yaml's text, the headline after the folder, and a piece of the hint.
BAD_CONFIG = [
    pytest.param(
        "title: T\ndescription: D\ntimzone: Europe/Paris\n",
        "site.yaml:3:1: timzone: unknown key 'timzone'",
        "did you mean 'timezone'?",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        "title: T\nwriter: Desk\n",
        "site.yaml:2:1: writer: unknown key 'writer'",
        "known keys: " + ", ".join(KNOWN_KEYS),
        id="unknown-key-lists-known-keys",
    ),
    pytest.param(
        "description: What we follow\n",
        "site.yaml:1:1: 'title' is required",
        "add a line like 'title: My News Digest'",
        id="missing-title",
    ),
    pytest.param(
        "",
        "site.yaml:1:1: 'title' is required",
        "add a line like 'title: My News Digest'",
        id="empty-file",
    ),
    pytest.param(
        "title: 2021\n",
        "site.yaml:1:8: title: must be text, got 2021",
        'quote it: title: "2021"',
        id="title-is-a-number",
    ),
    pytest.param(
        "title: T\ntimezone: Europe/Pariss\n",
        "site.yaml:2:11: timezone: unknown time zone 'Europe/Pariss'",
        "use an IANA name, e.g. Europe/Paris",
        id="timezone-with-suggestions",
    ),
    pytest.param(
        "title: T\ntimezone: Mars/Olympus\n",
        "site.yaml:2:11: timezone: unknown time zone 'Mars/Olympus'",
        "use an IANA name such as Europe/Paris",
        id="timezone-without-suggestions",
    ),
    pytest.param(
        "title: T\npaginate: 0\n",
        "site.yaml:2:11: paginate: must be a whole number of at least 1, got 0",
        "e.g. paginate: 20",
        id="paginate-zero",
    ),
    pytest.param(
        "title: T\npaginate: -5\n",
        "site.yaml:2:11: paginate: must be a whole number of at least 1, got -5",
        "e.g. paginate: 20",
        id="paginate-negative",
    ),
    pytest.param(
        "title: T\npaginate: many\n",
        "site.yaml:2:11: paginate: must be a whole number of at least 1, got 'many'",
        "e.g. paginate: 20",
        id="paginate-text",
    ),
    pytest.param(
        "title: T\npaginate: 2.5\n",
        "site.yaml:2:11: paginate: must be a whole number of at least 1, got 2.5",
        "e.g. paginate: 20",
        id="paginate-fraction",
    ),
    pytest.param(
        "title: T\nbase_url: ftp://example.org/digest/\n",
        "site.yaml:2:11: base_url: must be an http(s) URL, got 'ftp://example.org/digest/'",
        "e.g. base_url: https://news.example.org/digest/",
        id="base-url-ftp",
    ),
    pytest.param(
        "title: T\nbase_url: example.org/digest/\n",
        "site.yaml:2:11: base_url: must be an http(s) URL, got 'example.org/digest/'",
        "e.g. base_url: https://news.example.org/digest/",
        id="base-url-without-scheme",
    ),
    pytest.param(
        "title: T\ntitle: U\n",
        "site.yaml:2:1: duplicate key 'title' (first given on line 1)",
        "keep only one of them",
        id="duplicate-key",
    ),
    pytest.param(
        "title: T\n  paginate: 10\n",
        "site.yaml:2:11: invalid YAML: mapping values are not allowed in this context",
        "check the indentation",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "- title: T\n",
        "site.yaml:1:1: site.yaml must be a mapping of keys to values",
        "start with a line like 'title: My Digest'",
        id="not-a-mapping",
    ),
    pytest.param(
        "title: T\ntopics:\n  defence:\n    nam: Defence\n",
        "site.yaml:4:5: topics.defence.nam: unknown key 'nam'",
        "topic entries take name, description and aliases",
        id="topic-entry-unknown-key",
    ),
    pytest.param(
        "title: T\ntopics: [defence, diplomacy]\n",
        "site.yaml:2:9: topics: must map topic slugs to {name, description, aliases}",
        "e.g. topics: {defence: {name: Defence}}",
        id="topics-a-list",
    ),
    pytest.param(
        "title: T\ncountries:\n  aliases:\n    Holland: 31\n",
        "site.yaml:4:14: countries.aliases.Holland: must be an ISO country code, got 31",
        'e.g. Holland: "NL"',
        id="country-alias-not-a-code",
    ),
    pytest.param(
        "title: T\nlimits:\n  topics_per_artcle: 30\n",
        "site.yaml:3:3: limits.topics_per_artcle: unknown key 'topics_per_artcle'",
        "did you mean 'topics_per_article'?",
        id="limits-unknown-key",
    ),
    pytest.param(
        "title: T\nmarkdown:\n  engine: cmark\n",
        "site.yaml:3:11: markdown.engine: unknown engine 'cmark'",
        "choose one of: python-markdown, commonmark",
        id="markdown-unknown-engine",
    ),
    pytest.param(
        "title: T\nmarkdown: {engin: commonmark}\n",
        "site.yaml:2:12: markdown.engin: unknown key 'engin'",
        "did you mean 'engine'?",
        id="markdown-unknown-key",
    ),
    pytest.param(
        "title: T\nlimits:\n  markdown_depth: 0\n",
        "site.yaml:3:19: limits.markdown_depth: must be a whole number of at least 1, got 0",
        "e.g. markdown_depth: 50",
        id="limits-depth-zero",
    ),
    pytest.param(
        "title: T\nlimits: {countries_per_article: many}\n",
        "site.yaml:2:33: limits.countries_per_article: must be a whole number of at least 1, got 'many'",
        "e.g. countries_per_article: 25",
        id="limits-countries-text",
    ),
    pytest.param(
        "title: T\nlimits: {seconds_per_article: -1}\n",
        "site.yaml:2:31: limits.seconds_per_article: must be a number of seconds above 0, got -1",
        "e.g. seconds_per_article: 10",
        id="limits-seconds-negative",
    ),
    pytest.param(
        "title: T\nlimits: 25\n",
        "site.yaml:2:9: limits: must be a mapping, got 25",
        "e.g. limits: {topics_per_article: 25",
        id="limits-a-number",
    ),
]


@pytest.mark.parametrize(("text", "headline", "hint"), BAD_CONFIG)
def test_bad_site_yaml_is_reported_with_its_place_and_a_hint(make_site, text, headline, hint):
    site = make_site("-- site.yaml --\n" + with_base_url(text) + article("pact"))
    error = site.build_error()
    assert isinstance(error, ConfigError)
    problem = only_problem(error)
    assert problem.headline() == headline
    assert hint in problem.hint
    assert not (site.root / "public").exists()


def test_site_yaml_is_named_relative_to_the_working_folder_like_articles(make_site):
    site = make_site("-- site.yaml --\ntitle: T\ntimzone: UTC\nbase_url: https://news.example.org/\n")
    assert only_problem(site.build_error()).headline() == "site.yaml:2:1: timzone: unknown key 'timzone'"


def test_every_site_yaml_problem_is_reported_at_once_in_line_order(make_site):
    site = make_site("-- site.yaml --\ntitel: T\npaginate: 0\ntimezone: Europe/Pariss\nbase_url: ftp://x\n")
    config = shown_config(site)
    assert [p.headline() for p in site.build_error().problems] == [
        f"{config}:1:1: titel: unknown key 'titel'",
        f"{config}:1:1: 'title' is required",
        f"{config}:2:11: paginate: must be a whole number of at least 1, got 0",
        f"{config}:3:11: timezone: unknown time zone 'Europe/Pariss'",
        f"{config}:4:11: base_url: must be an http(s) URL, got 'ftp://x'",
    ]


def test_cli_reports_a_bad_site_yaml_without_a_traceback(make_site):
    site = make_site("-- site.yaml --\ntitle: T\ntimezone: Europe/Pariss\nbase_url: https://news.example.org/\n" + article("pact"))
    result = site.cli("build")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{shown_config(site)}:2:11: timezone: unknown time zone 'Europe/Pariss'\n")
    assert "Traceback" not in result.stderr


# -- the output folder ----------------------------------------------------------------


OWN_FOLDER = "use a folder of its own, e.g. output_dir: public"
OUTSIDE_SOURCES = "use a folder outside your sources, e.g. output_dir: public"

# Each row: output_dir in site.yaml, the headline, and the hint.
UNSAFE_OUTPUT = [
    pytest.param(".", "site.yaml:2:13: output_dir: . would hold the whole site, its sources included", OWN_FOLDER, id="the-site-root"),
    pytest.param(
        "./", "site.yaml:2:13: output_dir: . would hold the whole site, its sources included", OWN_FOLDER, id="the-site-root-slash"
    ),
    pytest.param(
        "content", "site.yaml:2:13: output_dir: content overlaps the source folder content", OUTSIDE_SOURCES, id="the-content-folder"
    ),
    pytest.param(
        "content/public",
        "site.yaml:2:13: output_dir: content/public overlaps the source folder content",
        OUTSIDE_SOURCES,
        id="inside-content",
    ),
]


@pytest.mark.parametrize(("output_dir", "headline", "hint"), UNSAFE_OUTPUT)
def test_an_output_dir_over_the_sources_is_refused_and_nothing_is_written(make_site, output_dir, headline, hint):
    site = make_site(f"-- site.yaml --\ntitle: T\noutput_dir: {output_dir}\nbase_url: https://news.example.org/\n" + article("pact"))
    before = full_snapshot(site.root.parent)
    error = site.build_error()
    assert isinstance(error, OutputError)
    problem = only_problem(error)
    assert problem.headline() == headline
    assert hint in problem.hint
    assert full_snapshot(site.root.parent) == before


def test_an_output_dir_above_the_site_is_refused_and_nothing_is_written(make_site):
    site = make_site("-- site.yaml --\ntitle: T\noutput_dir: ..\nbase_url: https://news.example.org/\n" + article("pact"))
    before = full_snapshot(site.root.parent)
    error = site.build_error()
    assert isinstance(error, OutputError)
    problem = only_problem(error)
    assert problem.headline() == f"site.yaml:2:13: output_dir: {site.root.resolve().parent} would hold the whole site, its sources included"
    assert OWN_FOLDER in problem.hint
    assert full_snapshot(site.root.parent) == before


def test_cli_refuses_an_output_option_over_the_sources_and_blames_the_option_not_site_yaml(make_site):
    site = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\n" + article("pact"))
    before = full_snapshot(site.root)
    result = site.cli("build", "--output", "content/out")
    assert result.returncode == 1
    assert result.stderr.startswith("--output: content/out overlaps the source folder content\n")
    assert "Traceback" not in result.stderr
    assert full_snapshot(site.root) == before


def test_the_readme_lists_every_site_yaml_option_as_declared():
    """The README's table comes from the option declarations; paste `digest.config.options_table()` there after a change."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert options_table() in readme
    assert all(f"| `{key}` |" in readme for key in KNOWN_KEYS)


def test_a_country_alias_naming_no_country_is_reported_at_its_site_yaml_line(make_site):
    site = make_site("-- site.yaml --\ntitle: T\ncountries:\n  aliases:\n    Narnia: XX\nbase_url: https://news.example.org/\n" + article("pact"))
    problem = only_problem(site.build_error())
    assert problem.headline() == "site.yaml:4:13: countries.aliases.Narnia: 'XX' is no country"
    assert problem.hint == "give an ISO code (NL), a country's name or a code of countries.extra"
