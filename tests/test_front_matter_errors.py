"""What a curator sees when an article's front matter is wrong: the exact headline, a useful hint.

Every headline is `path:line:col: field: message`, with the line and column of
the .md file itself (not of the YAML block inside it).
"""

from __future__ import annotations

import pytest

from tests.conftest import SITE_YAML, article, full_snapshot, only_problem

PACT = "content/articles/pact.md"


def front(*fields: str, body: str = "Body.\n") -> str:
    """An article whose front matter holds `fields`, one per line; the first field is on line 2."""
    return "---\n" + "".join(f"{field}\n" for field in fields) + "---\n" + body


def pact_site(make_site, text: str, site_yaml: str = SITE_YAML):  # type: ignore[no-untyped-def]
    """A site with one article, content/articles/pact.md, holding `text`."""
    return make_site(site_yaml + f"-- {PACT} --\n" + text)


# Each row: the article's text, the headline the user sees, and a piece of the hint.
BAD_FRONT_MATTER = [
    pytest.param(
        "Just a body, no fields.\n",
        f"{PACT}:1:1: no front matter: an article must start with a line '---'",
        "begin the file with its fields between two '---' lines",
        id="no-front-matter",
    ),
    pytest.param(
        "",
        f"{PACT}:1:1: no front matter: an article must start with a line '---'",
        "title: Israel signs defence pact with Morocco",
        id="empty-file",
    ),
    pytest.param(
        "---\n---\nBody.\n",
        f"{PACT}:1:1: front matter is empty",
        "give at least a title and a date",
        id="empty-front-matter",
    ),
    pytest.param(
        front("- Pact", "- 2021-11-24"),
        f"{PACT}:2:1: front matter must be 'field: value' lines",
        "date: 2021-11-24",
        id="front-matter-is-a-list",
    ),
    pytest.param(
        front("title: Pact: signed", "date: 2021-11-24"),
        f"{PACT}:2:12: invalid YAML: mapping values are not allowed in this context",
        "quote values that contain ': '",
        id="yaml-syntax-error",
    ),
    pytest.param(
        front("title: Pact", "\tdate: 2021-11-24"),
        f"{PACT}:3:1: tab character at line 3 col 1: YAML indents with spaces",
        "replace the tab with spaces",
        id="yaml-tab-indent",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "extra:", "  region: Maghreb", "  region: Levant"),
        f"{PACT}:6:3: duplicate key 'region' (first given on line 5)",
        "keep only one of them",
        id="duplicate-nested-key",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "countrie: [Israel]"),
        f"{PACT}:4:1: countrie: unknown field 'countrie'",
        "did you mean 'countries'?",
        id="unknown-field-did-you-mean",
    ),
    pytest.param(
        front("date: 2021-11-24"),
        f"{PACT}:1:1: title: is required",
        "add a line 'title: ...' to the front matter",
        id="missing-title",
    ),
    pytest.param(
        front("title: Pact"),
        f"{PACT}:1:1: date: is required",
        "add a line 'date: 2021-11-24' to the front matter",
        id="missing-date",
    ),
    pytest.param(
        front("title: 42", "date: 2021-11-24"),
        f"{PACT}:2:8: title: must be text, got a number",
        'YAML reads unquoted 42 as a number; put it in quotes: "42"',
        id="title-is-a-number",
    ),
    pytest.param(
        front("title: NO", "date: 2021-11-24"),
        f"{PACT}:2:8: title: must be text, got false",
        'YAML reads unquoted NO as false; put it in quotes: "NO"',
        id="title-unquoted-NO",
    ),
    pytest.param(
        front('title: "   "', "date: 2021-11-24"),
        f"{PACT}:2:8: title: must not be empty",
        "write the article's title after 'title:'",
        id="title-blank-in-quotes",
    ),
    pytest.param(
        front("title: Pact", "date: 20211124"),
        f"{PACT}:3:7: date: must be a date like 2021-11-24, got a number 20211124",
        "YYYY-MM-DD",
        id="date-is-a-number",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-13-01"),
        f"{PACT}:3:7: date: '2021-13-01' is not a real date (month must be in 1..12)",
        "YYYY-MM-DD",
        id="date-impossible-month",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24T25:00:00"),
        f"{PACT}:3:7: date: must be a date like 2021-11-24, got '2021-11-24T25:00:00'",
        "ISO 8601 time (2021-11-24T09:30:00+01:00)",
        id="date-impossible-hour",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "countries: [Israel, 42]"),
        f"{PACT}:4:21: countries: entry 2 must be a name, got a number",
        'YAML reads unquoted 42 as a number; put it in quotes: "42"',
        id="country-entry-is-a-number",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "countries: [Israel, ~]"),
        f"{PACT}:4:21: countries: entry 2 must be a name, got nothing",
        "YAML reads unquoted ~ as nothing",
        id="country-entry-is-null",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "topics: defence"),
        f"{PACT}:4:9: topics: must be a list, got text 'defence'",
        "write a list in brackets, e.g. topics: [defence, diplomacy]",
        id="topics-plain-string",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", 'topics: [defence, "!!!"]'),
        f"{PACT}:4:19: topics: '!!!' has no letters or digits to name a topic by",
        "use a word such as 'defence'",
        id="topic-without-letters",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "url: ftp://example.org/pact"),
        f"{PACT}:4:6: url: must be an http or https address, got 'ftp://example.org/pact'",
        "e.g. url: https://www.example.com/news/story",
        id="url-ftp-scheme",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "url: https:///pact"),
        f"{PACT}:4:6: url: must be an http or https address, got 'https:///pact'",
        "https://",
        id="url-without-host",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "draft: maybe"),
        f"{PACT}:4:8: draft: must be true or false, got 'maybe'",
        "write draft: true or draft: false",
        id="draft-not-a-bool",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "draft: 1"),
        f"{PACT}:4:8: draft: must be true or false, got 1",
        "write draft: true or draft: false",
        id="draft-is-a-number",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "extra: Maghreb"),
        f"{PACT}:4:8: extra: must be a mapping of names to values, got text",
        "indent custom fields under 'extra:'",
        id="extra-not-a-mapping",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "slug: Not A Slug"),
        f"{PACT}:4:7: slug: 'Not A Slug' is not a valid slug (lower-case a-z, 0-9 and '-', at most 100)",
        "use 'not-a-slug'",
        id="slug-with-spaces-and-capitals",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", 'slug: "!!!"'),
        f"{PACT}:4:7: slug: '!!!' is not a valid slug (lower-case a-z, 0-9 and '-', at most 100)",
        "use lower-case letters, digits and '-'",
        id="slug-without-letters",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "slug: 12"),
        f"{PACT}:4:7: slug: must be text, got a number",
        'put it in quotes: "12"',
        id="slug-is-a-number",
    ),
    pytest.param(
        front("title: Pact", "date: 2021-11-24", "source: !shout Example Times"),
        f"{PACT}:4:9: invalid YAML: custom YAML tags are not allowed: '!shout'",
        "remove the '!' tag",
        id="local-yaml-tag",
    ),
]


@pytest.mark.parametrize(("text", "headline", "hint"), BAD_FRONT_MATTER)
def test_bad_front_matter_is_reported_with_its_place_and_a_hint(make_site, text, headline, hint):
    site = pact_site(make_site, text)
    problem = only_problem(site.build_error())
    assert problem.headline() == headline
    assert hint in problem.hint
    assert not (site.root / "public").exists()


def test_the_report_shows_the_offending_line_with_a_caret_under_the_column(make_site):
    error = pact_site(make_site, front("title: Pact", "date: 24/11/21")).build_error()
    assert error.report() == (
        f"{PACT}:3:7: date: must be a date like 2021-11-24, got '24/11/21'\n"
        "    date: 24/11/21\n"
        "          ^\n"
        "  hint: write it as YYYY-MM-DD (2021-11-24) or an ISO 8601 time (2021-11-24T09:30:00+01:00)"
    )


def test_a_plain_string_of_countries_never_becomes_a_list_of_letters(make_site):
    error = pact_site(make_site, front("title: Pact", "date: 2021-11-24", "countries: Israel")).build_error()
    assert [p.headline() for p in error.problems] == [f"{PACT}:4:12: countries: must be a list, got text 'Israel'"]
    assert "write a list in brackets, e.g. countries: [Israel, Morocco]" in error.problems[0].hint
    assert "unknown country" not in error.report()


def test_undecodable_bytes_after_an_accent_are_counted_in_characters(make_site):
    site = make_site(SITE_YAML)
    (site.root / PACT).parent.mkdir(parents=True)
    (site.root / PACT).write_bytes("---\ntitle: Café ".encode() + b"Caf\xe9\ndate: 2021-11-24\n---\n")
    assert only_problem(site.build_error()).headline() == f"{PACT}:2:16: not valid UTF-8 (byte 0xe9)"


def test_undecodable_bytes_in_a_file_with_a_bom_name_the_right_byte(make_site):
    site = make_site(SITE_YAML)
    (site.root / PACT).parent.mkdir(parents=True)
    (site.root / PACT).write_bytes(b"\xef\xbb\xbf---\ntitle: Caf\xe9 talks\ndate: 2021-11-24\n---\n")
    assert only_problem(site.build_error()).headline() == f"{PACT}:2:11: not valid UTF-8 (byte 0xe9)"


def test_a_python_tag_is_refused_at_its_place_and_named_as_the_user_wrote_it(make_site):
    text = front("title: Pact", "date: 2021-11-24", "source: !!python/object:os.system")
    problem = only_problem(pact_site(make_site, text).build_error())
    assert problem.headline() == f"{PACT}:4:9: invalid YAML: custom YAML tags are not allowed: '!!python/object:os.system'"
    assert "remove the '!' tag" in problem.hint


def test_a_python_tag_on_a_list_never_runs(make_site, tmp_path):
    marker = tmp_path / "pwned"
    text = front("title: Pact", "date: 2021-11-24", f'source: !!python/object/apply:os.system ["touch {marker}"]')
    pact_site(make_site, text).build_error()
    assert not marker.exists()


@pytest.mark.parametrize(
    ("field", "opened_at"),
    [
        pytest.param("topics: [defence, diplomacy", "3:9", id="unclosed-bracket"),
        pytest.param('source: "Example Times', "3:9", id="unclosed-quote"),
    ],
)
def test_an_unclosed_bracket_or_quote_points_where_it_opened(make_site, field, opened_at):
    text = front("title: Pact", field, "date: 2021-11-24", "author: Desk")
    problem = only_problem(pact_site(make_site, text).build_error())
    assert problem.headline().startswith(f"{PACT}:{opened_at}: invalid YAML:")


def test_countries_as_a_number_shows_the_number(make_site):
    problem = only_problem(pact_site(make_site, front("title: Pact", "date: 2021-11-24", "countries: 42")).build_error())
    assert problem.headline() == f"{PACT}:4:12: countries: must be a list, got a number 42"


def test_a_blank_title_line_is_reported_on_that_line(make_site):
    problem = only_problem(pact_site(make_site, front("title:", "date: 2021-11-24")).build_error())
    assert problem.headline().startswith(f"{PACT}:2:")
    assert problem.headline().endswith("title: must not be empty")


def test_an_empty_country_entry_says_it_is_empty(make_site):
    problem = only_problem(pact_site(make_site, front("title: Pact", "date: 2021-11-24", 'countries: [Israel, ""]')).build_error())
    assert problem.headline().startswith(f"{PACT}:4:21: countries: entry 2")
    assert "empty" in problem.headline()
    assert "quotes" not in problem.hint


VOCABULARY = "-- site.yaml --\ntitle: Test Digest\nbase_url: https://news.example.org/\ntopics:\n  defence: {name: Defence}\n  diplomacy: {name: Diplomacy}\n"


@pytest.mark.parametrize(
    ("topic", "headline", "hint"),
    [
        pytest.param(
            "defense",
            f"{PACT}:4:10: topics: unknown topic 'defense'",
            "did you mean 'defence'? (or add it under topics: in site.yaml)",
            id="close-to-a-known-topic",
        ),
        pytest.param(
            "economy",
            f"{PACT}:4:10: topics: unknown topic 'economy'",
            "known topics: defence, diplomacy (or add it under topics: in site.yaml)",
            id="far-from-every-topic",
        ),
    ],
)
def test_with_a_topic_vocabulary_unknown_topics_are_refused(make_site, topic, headline, hint):
    text = front("title: Pact", "date: 2021-11-24", f"topics: [{topic}]")
    problem = only_problem(pact_site(make_site, text, site_yaml=VOCABULARY).build_error())
    assert problem.headline() == headline
    assert problem.hint == hint


def test_every_problem_in_one_file_is_reported_in_line_order(make_site):
    text = front(
        "title: 1", "date: x", "countries: Marocco", 'topics: ["!!!"]',
        "url: ftp://a", "draft: 2", "extra: 3", "slug: A B",
    )
    error = pact_site(make_site, text).build_error()
    assert [p.headline() for p in error.problems] == [
        f"{PACT}:2:8: title: must be text, got a number",
        f"{PACT}:3:7: date: must be a date like 2021-11-24, got 'x'",
        f"{PACT}:4:12: countries: must be a list, got text 'Marocco'",
        f"{PACT}:5:10: topics: '!!!' has no letters or digits to name a topic by",
        f"{PACT}:6:6: url: must be an http or https address, got 'ftp://a'",
        f"{PACT}:7:8: draft: must be true or false, got 2",
        f"{PACT}:8:8: extra: must be a mapping of names to values, got a number",
        f"{PACT}:9:7: slug: 'A B' is not a valid slug (lower-case a-z, 0-9 and '-', at most 100)",
    ]


def test_problems_in_several_files_come_in_one_error_sorted_by_path_then_line(make_site):
    site = make_site(
        SITE_YAML
        + "-- content/articles/b.md --\n"
        + front(  # problems on lines 3 and 11: sorted as numbers, not as text
            "title: B", "date: 24/11/21", "source: S", "author: A", "summary: S", "countries: [Israel]",
            "topics: [defence]", "url: https://example.org/b", "slug: b", "draft: maybe",
        )
        + "-- content/articles/a.md --\n"
        + front("title: 5", "date: 2021-11-24")
        + "-- content/articles/c.md --\nno front matter here\n"
        + "-- content/articles/2021/z.md --\n"
        + front("date: 2021-11-24")
        + article("fine")
    )
    error = site.build_error()
    assert [p.headline() for p in error.problems] == [
        "content/articles/2021/z.md:1:1: title: is required",
        "content/articles/a.md:2:8: title: must be text, got a number",
        "content/articles/b.md:3:7: date: must be a date like 2021-11-24, got '24/11/21'",
        "content/articles/b.md:11:8: draft: must be true or false, got 'maybe'",
        "content/articles/c.md:1:1: no front matter: an article must start with a line '---'",
    ]


def test_line_numbers_count_from_the_top_of_the_md_file(make_site):
    text = front("title: Pact", "source: Example Times", "countries: [Israel]", "topics: [defence]", "date: 24/11/21")
    problem = only_problem(pact_site(make_site, text).build_error())
    assert problem.headline() == f"{PACT}:6:7: date: must be a date like 2021-11-24, got '24/11/21'"
    assert problem.source_line == "date: 24/11/21"


def test_two_articles_with_the_same_date_and_slug_name_both_files(make_site):
    site = make_site(
        SITE_YAML
        + "-- content/articles/pact.md --\n" + front("title: Pact", "date: 2021-11-24")
        + "-- content/articles/other.md --\n" + front("title: Other pact", "date: 2021-11-24", "slug: pact")
    )
    problem = only_problem(site.build_error())
    assert problem.headline() == (
        "content/articles/other.md:1:1: this article wants the URL /2021/11/24/pact/, "
        "which content/articles/pact.md already has"
    )
    assert "give one of them a different 'slug:'" in problem.hint


# -- line endings and byte-order marks ----------------------------------------------


def write_bytes(site, relative: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = site.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


GOOD_LINES = ["---", "title: Pact", "date: 2021-11-24", "countries: [Israel]", "topics: [defence]", "---", "Body *here*.", ""]
BAD_LINES = ["---", "title: Pact", "countries: [Israel]", "topics: [defence]", "source: S", "date: 24/11/21", "---", "Body.", ""]
ENCODINGS = [
    pytest.param(b"", "\r\n", id="crlf"),
    pytest.param(b"\xef\xbb\xbf", "\n", id="bom"),
    pytest.param(b"\xef\xbb\xbf", "\r\n", id="bom-crlf"),
    pytest.param(b"", "\r", id="cr"),
]


@pytest.mark.parametrize(("bom", "newline"), ENCODINGS)
def test_crlf_and_bom_are_accepted(make_site, bom, newline):
    site = make_site(SITE_YAML)
    write_bytes(site, PACT, bom + newline.join(GOOD_LINES).encode())
    page = site.build().read("2021/11/24/pact/index.html")
    assert "<h1>Pact</h1>" in page and "<em>here</em>" in page


@pytest.mark.parametrize(("bom", "newline"), ENCODINGS)
def test_crlf_and_bom_keep_line_numbers_right(make_site, bom, newline):
    site = make_site(SITE_YAML)
    write_bytes(site, PACT, bom + newline.join(BAD_LINES).encode())
    problem = only_problem(site.build_error())
    assert problem.headline() == f"{PACT}:6:7: date: must be a date like 2021-11-24, got '24/11/21'"
    assert problem.source_line == "date: 24/11/21"


@pytest.mark.parametrize(("bom", "newline"), ENCODINGS)
def test_a_bom_does_not_hide_the_opening_fence(make_site, bom, newline):
    site = make_site(SITE_YAML)
    write_bytes(site, PACT, bom + newline.join(["---", "date: 2021-11-24", "---", ""]).encode())
    assert only_problem(site.build_error()).headline() == f"{PACT}:1:1: title: is required"


# -- the command line ---------------------------------------------------------------


def test_cli_reports_a_broken_article_and_leaves_the_last_good_output_alone(make_site):
    site = make_site(SITE_YAML + article("pact") + article("talks", date="2021-11-25"))
    first = site.cli("build")
    assert first.returncode == 0, first.stderr
    before = full_snapshot(site.root / "public")
    assert "2021/11/24/pact/index.html" in before

    site.write(f"-- {PACT} --\n" + front("title: Pact", "date: 24/11/21"))
    broken = site.cli("build")
    assert broken.returncode == 1
    assert broken.stderr.startswith(f"{PACT}:3:7: date: must be a date like 2021-11-24, got '24/11/21'\n")
    assert "Traceback" not in broken.stderr
    assert broken.stdout == ""
    assert full_snapshot(site.root / "public") == before


def test_cli_counts_several_problems_and_says_nothing_was_written(make_site):
    site = make_site(SITE_YAML + f"-- {PACT} --\n" + front("title: 5", "date: 24/11/21"))
    result = site.cli("build")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{PACT}:2:8: title: must be text, got a number\n")
    assert result.stderr.rstrip().endswith("2 problems; nothing was written.")
    assert not (site.root / "public").exists()


def test_cli_debug_shows_the_traceback(make_site):
    site = make_site(SITE_YAML + article("pact"))
    assert site.cli("build").returncode == 0
    before = full_snapshot(site.root / "public")
    site.write(f"-- {PACT} --\n" + front("title: Pact", "date: 24/11/21"))
    result = site.cli("build", "--debug")
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "ContentError" in result.stderr and "got '24/11/21'" in result.stderr
    assert full_snapshot(site.root / "public") == before
