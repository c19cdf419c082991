"""Both Markdown engines (`markdown: {engine: python-markdown|commonmark}`) give a curator the same article: tables,
footnotes, heading ids a link can rely on, the same sanitiser, summary and limits; where they differ, the
difference is the one the README names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from digest.build import build_once
from digest.cache import settings_key
from digest.config import MARKDOWN_ENGINES, MarkdownSettings
from digest.markup import CommonMark, MarkdownRenderer, slugify_heading
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, SITE_YAML, article, only_problem, snapshot
from tests.nu import nu_errors
from tests.test_incremental import builder, content, starter_site

PACT = "content/articles/pact.md"


@pytest.fixture(params=MARKDOWN_ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def convert(engine: str, text: str, unsafe_html: bool = False) -> str:
    return MarkdownRenderer(MarkdownSettings(engine, unsafe_html)).convert(text)


def engine_yaml(engine: str, extra: str = "") -> str:
    return SITE_YAML + f"markdown: {{engine: {engine}{extra}}}\n"


def pact(body: str) -> str:
    return f"-- {PACT} --\n---\ntitle: Pact\ndate: 2021-11-24\ncountries: [Israel]\ntopics: [defence]\n---\n" + body


# -- what both engines write alike ------------------------------------------------------------


def test_tables_keep_their_column_alignment(engine):
    html = convert(engine, "| Country | Share |\n|:--------|------:|\n| Israel | 12 % |\n")
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th style="text-align:left">Country</th>' in html
    assert '<td style="text-align:right">12 %</td>' in html


def test_a_footnote_links_to_its_note_and_back(engine):
    html = convert(engine, "The pact was signed.[^1]\n\nMore text.\n\n[^1]: In Rabat, on 24 November.\n")
    reference = re.search(r'<sup[^>]*><a[^>]*href="#([^"]+)"[^>]*>1</a></sup>', html)
    assert reference, html
    assert re.search(rf'<li id="{re.escape(reference.group(1))}">\s*<p>In Rabat, on 24 November\.', html), html
    back = re.search(r'<a[^>]*class="footnote-backref"[^>]*>', html)
    assert back and re.search(r'href="#([^"]+)"', back.group(0)), html
    assert '<div class="footnote">\n<hr>\n<ol>' in html  # the same container, whichever engine


def test_headings_get_the_ids_of_python_markdowns_toc_extension(engine):
    text = (
        "# Tom & Jerry\n\n## Überblick `code`\n\n## Überblick `code`\n\n## Title_1\n\n## Title\n\n## Title\n\n"
        "### Déjà vu: 100% *real*!\n\n## ¿¡!?\n\n## ¿¡!?\n\nClosing words.\n"
    )
    ids = re.findall(r'<h\d id="([^"]*)">', convert(engine, text))
    assert ids == ["tom-jerry", "uberblick-code", "uberblick-code_1", "title_1", "title", "title_2", "deja-vu-100-real", "_1", "_2"]


def test_a_heading_with_a_footnote_is_named_by_its_text_alone(engine):
    html = convert(engine, "## Sanctions[^n]\n\nText.\n\n[^n]: A note.\n")
    assert '<h2 id="sanctions">' in html


def test_slugs_match_python_markdown_on_awkward_text():
    from markdown.extensions.toc import slugify

    for text in ("Tom & Jerry", "  Leading  and   trailing  ", "Ünïcödé — dashes – here", "snake_case-and-kebab", "日本語", "a/b\\c"):
        assert slugify_heading(text) == slugify(text, "-"), text


def test_angle_bracket_autolinks_are_links(engine):
    assert '<a href="https://example.org/report">https://example.org/report</a>' in convert(engine, "See <https://example.org/report>.\n")


def test_script_links_and_raw_scripts_are_removed(engine):
    html = convert(engine, "[click](javascript:alert(1)) and <script>alert(2)</script> and <b onclick=\"x()\">bold</b>\n")
    assert "javascript" not in html and "<script" not in html and "alert(2)" not in html and "onclick" not in html, html
    assert "click</a>" in html and "<b>bold</b>" in html


def test_unsafe_html_keeps_raw_html_but_never_a_script_link(engine):
    html = convert(engine, '<div class="embed"><script>alert(2)</script></div>\n\n[click](javascript:alert(1))\n', unsafe_html=True)
    assert "<script>alert(2)</script>" in html and '<div class="embed">' in html
    assert "javascript" not in html and '<a href="#">click</a>' in html


def test_an_article_without_summary_is_summarised_by_its_first_paragraph(make_site, engine):
    body = "## Background\n\nThe *first* paragraph, with [a link](https://example.org/) &amp; an ampersand.\n\nThe second.\n"
    out = make_site(engine_yaml(engine) + pact(body)).build()
    home = out.read("index.html")
    assert "The first paragraph, with a link &amp; an ampersand." in home
    assert "The second" not in home
    page = out.read("2021/11/24/pact/index.html")
    assert '<h2 id="background">Background</h2>' in page and "<em>first</em>" in page


def test_an_edition_intro_is_converted_by_the_sites_engine(make_site, engine):
    note = "-- content/editions/2021-W47.md --\n---\ntitle: The pact week\n---\nThe *pact* leads; ~~nothing~~ else.\n"
    page = make_site(engine_yaml(engine) + "editions: {period: weekly}\n" + pact("Body.\n") + note).build().read("editions/2021-W47/index.html")
    assert "The <em>pact</em> leads;" in page
    assert ("<del>nothing</del>" in page) == (engine == "commonmark")


def test_nesting_beyond_the_limit_is_refused_at_its_line(make_site, engine):
    site = make_site(engine_yaml(engine) + pact("Intro.\n\n" + "> " * 60 + "deep\n"))
    problem = only_problem(site.build_error())
    assert problem.headline() == f"{PACT}:9:101: block quotes and lists nested 60 deep; an article may nest them at most 50 deep"


# -- where the engines differ, as the README says ----------------------------------------------


def test_strikethrough_and_bare_links_are_github_flavoured_only():
    text = "Prices ~~rose~~ fell ~5 % at https://example.org/prices today.\n"
    assert convert("python-markdown", text) == "<p>Prices ~~rose~~ fell ~5 % at https://example.org/prices today.</p>"
    assert convert("commonmark", text) == (
        '<p>Prices <del>rose</del> fell ~5 % at <a href="https://example.org/prices">https://example.org/prices</a> today.</p>'
    )


def test_python_markdowns_extra_syntax_is_plain_text_under_commonmark():
    text = "A paragraph.\n{: .lead }\n\nTerm\n:   Its definition.\n"
    assert 'class="lead"' in convert("python-markdown", text) and "<dl>" in convert("python-markdown", text)
    assert 'class="lead"' not in convert("commonmark", text) and "<dl>" not in convert("commonmark", text)


# -- the commonmark engine's own promises -------------------------------------------------------


def test_the_commonmark_engine_frees_what_cmark_gfm_allocates():
    statm = Path("/proc/self/statm")
    if not statm.is_file():
        pytest.skip("needs /proc/self/statm to read this process's resident memory")
    text = "# Heading\n\nSome *text* with [a link](https://example.org/).[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note.\n\n" * 40
    engine = CommonMark()
    page = 4096

    def resident() -> int:
        return int(statm.read_text().split()[1]) * page

    for _ in range(50):
        engine(text)
    before = resident()
    for _ in range(1500):
        engine(text)
    assert resident() - before < 20 * 1024 * 1024  # unfreed, cmark-gfm's trees and HTML would hold about 200 MB here


def test_switching_engine_parses_every_article_again(make_site):
    site = make_site(engine_yaml("python-markdown") + pact("Prices ~~rose~~ fell.\n"))
    assert "~~rose~~" in site.build().read("2021/11/24/pact/index.html")
    site.write(engine_yaml("commonmark"))
    assert "<del>rose</del>" in site.build().read("2021/11/24/pact/index.html")  # not the body cached under the other engine
    site.write(engine_yaml("python-markdown"))
    assert "~~rose~~" in site.build().read("2021/11/24/pact/index.html")


def test_the_engine_is_part_of_every_articles_cache_key(make_site):
    site = make_site(engine_yaml("commonmark"))
    (site.root / "content").mkdir()  # a site of no articles yet
    one = site.build().result
    site.write(engine_yaml("python-markdown"))
    other = site.build().result
    assert one is not None and other is not None
    assert settings_key(one.config) != settings_key(other.config)


def test_an_edit_under_commonmark_ends_where_a_clean_build_would(make_site, tmp_path):
    site = make_site(starter_site().replace("paginate: 3\n", "paginate: 3\nmarkdown: {engine: commonmark}\n"))
    live = builder(site.root)
    live.build()
    path = site.root / "content/articles/story-3.md"
    path.write_text(path.read_text().replace("Body of Story 3.", "## A section\n\nNew *first* words.[^1]\n\n[^1]: A note.\n"))
    result = live.rebuild(content(path))
    assert "2021/11/04/story-3/index.html" in result.rendered_outputs
    assert '<h2 id="a-section">A section</h2>' in site.output.read("2021/11/04/story-3/index.html")
    builder(site.root, tmp_path / "clean").build()
    assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")


def test_the_sample_site_builds_valid_html_under_commonmark(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    (root / "site.yaml").write_text((REPO / "site.yaml").read_text() + "markdown:\n  engine: commonmark\n")
    (root / "content/articles/2021/engine-features.md").write_text(
        "---\ntitle: Every feature of the engine\ndate: 2021-12-01\ncountries: [Israel]\ntopics: [defence]\n---\n"
        "## Terms\n\nPrices ~~rose~~ fell,[^1] see https://example.org/prices.[^2]\n\n## Terms\n\n"
        "| Country | Share |\n|:--|--:|\n| Israel | 12 % |\n\n[^1]: A note.\n[^2]: Another.\n"
    )
    result = build_once(root, BuildOptions(now=FIXED_NOW), output_dir=tmp_path / "public")
    assert result.articles > 20
    assert '<h2 id="terms_1">' in (tmp_path / "public/2021/12/01/engine-features/index.html").read_text()
    assert nu_errors(tmp_path / "public") == []


def test_article_helper_bodies_read_the_same_under_both_engines():
    text = article("pact").split("---\n", 2)[2]
    assert convert("python-markdown", text) == convert("commonmark", text) == "<p>Body of Pact.</p>"
