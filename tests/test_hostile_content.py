"""Hostile content: what a curator sees when an article, a file name or a value is built to hurt.

Names and values reach the terminal escaped (`\\x1b`, `\\xe9`), never as bytes a terminal acts on; a file
named in bytes that are not UTF-8 is an error naming it, not a crash.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from digest import parallel
from digest.build import Changes
from digest.content import ArticleParser
from digest.errors import printable
from digest.markup import MarkdownRenderer
from digest.sources import load_config
from tests.conftest import SITE_YAML, article, only_problem

PACT = "content/articles/pact.md"


def pact(*fields: str, body: str = "Body.\n") -> str:
    """content/articles/pact.md with a title, a date and `fields` in its front matter (the first of them on line 4)."""
    return f"-- {PACT} --\n---\ntitle: Pact\ndate: 2021-11-24\n" + "".join(f"{field}\n" for field in fields) + "---\n" + body


# -- names and values on the terminal -------------------------------------------------------


def test_printable_shows_what_a_terminal_would_act_on_as_escapes_like_ls_b():
    assert printable("caf\udce9.md") == "caf\\xe9.md"  # a byte that is not UTF-8, as the shell's $'...' writes it
    assert printable("\x1b[31mred\x9b2J\x7f") == "\\x1b[31mred\\x9b2J\\x7f"
    assert printable("tab\there\nline\r") == "tab\\there\\nline\\r"
    assert printable("one\ntwo", newlines=True) == "one\ntwo"
    assert printable("\u202eevil") == "\\u202eevil"
    assert printable("Café à Tōkyō, 例え") == "Café à Tōkyō, 例え"


def test_a_file_named_with_an_escape_character_is_named_with_the_escape_shown(make_site):
    site = make_site(SITE_YAML + article("first"))
    (site.root / "content/articles/red\x1b[31m.md").write_text("---\ntitle:\ndate: 2021-11-24\n---\nBody.\n", encoding="utf-8")

    result = site.cli("build")

    assert result.returncode == 1
    assert "\x1b" not in result.stderr
    assert result.stderr.startswith("content/articles/red\\x1b[31m.md:2:1: title: must not be empty\n"), result.stderr


def test_digest_list_shows_such_a_file_name_escaped_too(make_site):
    site = make_site(SITE_YAML)
    (site.root / "content/articles").mkdir(parents=True)
    (site.root / "content/articles/\x1b]0;owned\x07.md").write_text(article("pact").split("\n", 1)[1], encoding="utf-8")

    result = site.cli("list")

    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert result.stdout.splitlines()[1].endswith("content/articles/\\x1b]0;owned\\x07.md")


def test_serve_names_a_changed_file_escaped_in_its_rebuild_line():
    changed = Changes(content=frozenset({Path("content/articles/\x1b[2Jwiped.md")}))
    assert changed.describe() == "content/articles/\\x1b[2Jwiped.md"


def test_a_file_named_in_bytes_that_are_not_utf8_is_an_error_naming_it_not_a_crash(make_site):
    site = make_site(SITE_YAML + article("first"))
    latin1 = os.fsdecode(b"content/articles/caf\xe9.md")  # as a zip made on Windows leaves it
    (site.root / latin1).write_text(article("cafe").split("\n", 1)[1], encoding="utf-8")

    result = site.cli("build")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "content/articles/caf\\xe9.md: the file's name is not valid UTF-8\n"
        "  hint: rename it, e.g. mv $'content/articles/caf\\xe9.md' 'content/articles/café.md'\n"
    ), result.stderr
    assert not (site.root / "public").exists()

    os.rename(site.root / latin1, site.root / "content/articles/café.md")
    assert site.cli("build").returncode == 0
    assert site.output.exists("2021/11/24/cafe/index.html")


def test_a_static_file_named_in_bytes_that_are_not_utf8_is_an_error_too(make_site):
    site = make_site(SITE_YAML + article("first") + "-- static/logo.svg --\n<svg/>\n")
    (site.root / os.fsdecode(b"static/logo-\xff.svg")).write_text("<svg/>\n")

    problem = only_problem(site.build_error())

    assert problem.headline() == "static/logo-\\xff.svg: the file's name is not valid UTF-8"


# -- invisible characters ----------------------------------------------------------------------
# A title of zero-width characters alone: tests/bad_input/title-zero-width-only.


def test_invisible_characters_leave_titles_and_topics_but_joiners_that_shape_words_stay(make_site):
    persian = "می\u200cخواهم"  # the ZWNJ keeps the two halves of the word apart, as Persian spells it
    site = make_site(SITE_YAML + pact(f'summary: "Tehran\u200b talks {persian}"', 'topics: ["\u200bdefence\ufeff", "\u2060"]'))

    problem = only_problem(site.build_error())
    assert problem.headline() == f"{PACT}:5:23: topics: entry 2 is empty"

    site.write(pact(f'summary: "Tehran\u200b talks {persian}"', 'topics: ["\u200bdefence\ufeff"]'))
    page = site.build().read("2021/11/24/pact/index.html")
    assert f"Tehran talks {persian}" in page
    assert "\u200b" not in page and "\ufeff" not in page
    assert site.output.exists("topics/defence/index.html")


# -- addresses -----------------------------------------------------------------------------------
# A space in the host and a user name before '@': tests/bad_input/url-space-in-host and url-user-before-at.


@pytest.mark.parametrize(
    ("url", "message", "hint"),
    [
        ('"https://example.com/a\\"onmouseover=alert(1)"', """must not contain '"', got 'https://example.com/a"onmouseover=alert(1)'""",
         "copy the address from the browser's address bar"),
        ("https://example.com/<script>", "must not contain '<', got 'https://example.com/<script>'", "address bar"),
        ("https://example.com/a>b", "must not contain '>', got 'https://example.com/a>b'", "address bar"),
        ("https://ex_ample..com/", "has no valid host: 'ex_ample..com' (an empty part between dots)", "e.g. url: https://"),
        ("https://☃.example/", "has no valid host: '☃.example' (Codepoint U+2603 at position 1 of '☃' not allowed)", "e.g. url: https://"),
        ("https://xn--abc.example/", "has no valid host: 'xn--abc' is no international name in punycode", "e.g. url: https://"),
        ("'https://example.com\\@evil.example/'", "must not contain '\\', got 'https://example.com\\@evil.example/'", "browsers read '\\' as '/'"),
    ],
    ids=["double-quote", "angle-bracket", "closing-bracket", "empty-label", "snowman-host", "bad-punycode", "backslash"],
)
def test_a_url_a_browser_would_read_otherwise_is_refused_at_its_line(make_site, url, message, hint):
    site = make_site(SITE_YAML + pact("source: Example News", f"url: {url}"))

    problem = only_problem(site.build_error())

    assert problem.headline() == f"{PACT}:5:6: url: {message}"
    assert hint in problem.hint


def test_an_international_address_is_accepted_and_written_as_browsers_send_it(make_site):
    site = make_site(SITE_YAML + pact("source: 例えニュース", "url: https://例え.jp/記事?q=東京#見出し"))
    encoded = "https://xn--r8jz45g.jp/%E8%A8%98%E4%BA%8B?q=%E6%9D%B1%E4%BA%AC#%E8%A6%8B%E5%87%BA%E3%81%97"

    out = site.build()

    page = out.read("2021/11/24/pact/index.html")
    assert f'<a href="{encoded}" rel="external noopener">Read the original at 例えニュース</a>' in page
    assert f'"isBasedOn": "{encoded}"' in page
    assert f'"external_url": "{encoded}"' in out.read("feed.json")
    assert f'<link rel="via" href="{encoded}"' in out.read("feed.xml")
    assert "例え.jp" not in page


def test_an_address_in_ascii_is_written_as_it_was_given(make_site):
    url = "https://News.Example.org:8443/2021/pact?id=7&tags=[a,b]#top"
    site = make_site(SITE_YAML + pact(f"url: {url}"))
    assert f'href="{url.replace("&", "&amp;")}"' in site.build().read("2021/11/24/pact/index.html")


# -- limits ----------------------------------------------------------------------------------------


def names(count: int) -> str:
    return "[" + ", ".join(f"topic {n}" for n in range(count)) + "]"


def test_an_article_with_more_topics_than_the_limit_is_refused_with_the_limit_named(make_site):
    site = make_site(SITE_YAML + pact(f"topics: {names(26)}"))

    problem = only_problem(site.build_error())

    assert problem.headline() == f"{PACT}:4:1: topics: has 26 topics; an article may have at most 25"
    assert problem.hint == "keep the topics that matter most, or raise the limit in site.yaml: limits: {topics_per_article: 26}"

    site.write(SITE_YAML + "limits: {topics_per_article: 30}\n")
    out = site.build()
    assert out.exists("topics/topic-25/index.html")

    site.write(SITE_YAML + "limits: {topics_per_article: 25}\n")  # the limits are part of every article's cache key
    assert only_problem(site.build_error()).headline() == f"{PACT}:4:1: topics: has 26 topics; an article may have at most 25"


def test_ten_thousand_topics_are_refused_before_any_page_is_planned(make_site):
    site = make_site(SITE_YAML + pact(f"topics: {names(10_000)}", "countries: [" + ", ".join(["Israel"] * 30) + "]"))
    started = time.monotonic()

    error = site.build_error()

    assert time.monotonic() - started < 5
    assert [p.headline() for p in error.problems] == [
        f"{PACT}:4:1: topics: has 10000 topics; an article may have at most 25",
        f"{PACT}:5:1: countries: has 30 countries; an article may have at most 25",
    ]
    assert not (site.root / "public").exists()


# -- deep and slow Markdown ----------------------------------------------------------------------


def test_ten_thousand_nested_block_quotes_are_refused_quickly_at_their_line(make_site):
    site = make_site(SITE_YAML + pact(body="Intro.\n\n" + ">" * 10_000 + " The deepest quote.\n"))
    started = time.monotonic()

    problem = only_problem(site.build_error())

    assert time.monotonic() - started < 5
    assert problem.headline() == f"{PACT}:7:51: block quotes and lists nested 10000 deep; an article may nest them at most 50 deep"
    assert problem.hint == "flatten them, or raise the limit in site.yaml: limits: {markdown_depth: 10000}"
    assert len(problem.format()) < 1000  # the line is shown around the place, not whole


def test_ten_thousand_nested_list_levels_are_refused_quickly_at_their_line(make_site):
    site = make_site(SITE_YAML + pact(body="Intro.\n\n" + "- " * 10_000 + "the deepest item\n"))
    started = time.monotonic()

    problem = only_problem(site.build_error())

    assert time.monotonic() - started < 5
    assert problem.headline() == f"{PACT}:7:101: block quotes and lists nested 10000 deep; an article may nest them at most 50 deep"


def nested_items(levels: int) -> str:
    return "".join("    " * level + f"- level {level + 1}\n" for level in range(levels))


def test_lists_nested_by_indentation_are_refused_at_the_first_line_too_deep(make_site):
    site = make_site(SITE_YAML + pact(body="Intro.\n\n" + nested_items(1000)))  # 2 MB; 18 s and 830 MB to fail before
    started = time.monotonic()

    problem = only_problem(site.build_error())

    assert time.monotonic() - started < 5
    assert problem.headline() == f"{PACT}:57:201: block quotes and lists nested 51 deep; an article may nest them at most 50 deep"

    site.write(SITE_YAML + "limits: {markdown_depth: 1000}\n" + pact(body=nested_items(320)))
    problem = only_problem(site.build_error())  # Python's own limit, reached
    assert problem.headline() == f"{PACT}: its Markdown is nested too deeply to convert"


def test_nesting_within_the_limit_and_look_alikes_of_it_build(make_site):
    quoted = "> " * 50 + "fifty quotes deep\n\n"
    rule = "- " * 60 + "\n\n"  # a horizontal rule, however long
    code = "    " * 80 + "print('deeply indented code')\n\n"
    repl = "```\n>>> 1 + 1\n2\n```\n"
    site = make_site(SITE_YAML + pact(body="Intro.\n\n" + quoted + rule + code + repl))
    page = site.build().read("2021/11/24/pact/index.html")
    assert page.count("<blockquote>") == 50
    assert "<hr>" in page


def test_markdown_over_its_time_budget_is_an_error_naming_the_article(make_site):
    long = "A *long* paragraph with [a link](https://example.org/) and some more words.\n\n" * 20_000
    site = make_site(SITE_YAML + "limits: {seconds_per_article: 0.05}\n" + article("first") + pact(body=long))

    problem = only_problem(site.build_error())

    assert problem.headline() == f"{PACT}: its Markdown took more than 0.05 s of CPU time to convert"
    assert problem.hint.endswith("raise the limit in site.yaml: limits: {seconds_per_article: 0.15}")


@pytest.fixture
def fragile_pool(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Sixty articles read by a pool of forked workers whose Markdown converter dies on 'KILL ME' and fails on 'BUG':
    call it with a body for story-17 to get (paths, results)."""
    site = tmp_path / "site"
    articles = site / "content/articles"
    articles.mkdir(parents=True)
    (site / "site.yaml").write_text(SITE_YAML.split("\n", 1)[1])
    for n in range(60):
        (articles / f"story-{n:02d}.md").write_text(article(f"story-{n:02d}").split("\n", 1)[1])
    monkeypatch.chdir(site)
    monkeypatch.setattr(parallel, "PARSE_PER_WORKER", 1)  # a pool even for a few files
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("fork"))  # workers inherit the patch below
    convert = MarkdownRenderer.convert

    def fragile(self: MarkdownRenderer, text: str, *, scanned: bool = False) -> str:
        if "KILL ME" in text:
            os.kill(os.getpid(), signal.SIGKILL)
        if "BUG" in text:
            raise ValueError("a bug in a converter")
        return convert(self, text, scanned=scanned)

    monkeypatch.setattr(MarkdownRenderer, "convert", fragile)

    def parse(body: str) -> tuple[list[Path], list[tuple[Path, object]]]:
        (articles / "story-17.md").write_text(pact(body=body).split("\n", 1)[1])
        config = load_config(site)
        paths = sorted(articles.iterdir())
        return paths, list(parallel.parse_files(config, ArticleParser.for_site(config), paths))

    return parse


def test_a_worker_that_dies_costs_only_the_article_it_was_reading(fragile_pool):
    """A worker killed mid-article (out of memory, a crash in native code) is a problem of that article; the rest parse."""
    paths, results = fragile_pool("KILL ME\n")

    assert [path for path, _ in results] == paths
    broken = {path.name: parsed for path, parsed in results if isinstance(parsed, tuple)}
    assert list(broken) == ["story-17.md"]
    assert [p.headline() for p in broken["story-17.md"]] == ["content/articles/story-17.md: the process reading it was killed by SIGKILL"]


def test_a_bug_in_a_worker_stops_the_build_as_it_would_in_one_process(fragile_pool):
    with pytest.raises(RuntimeError, match=r"(?s)reading .*story-17\.md failed in a worker process:\n.*ValueError: a bug in a converter"):
        fragile_pool("BUG\n")
