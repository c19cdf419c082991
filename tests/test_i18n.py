"""A digest in another language: the theme's words from its catalogues, dates, numbers and country names from CLDR,
right-to-left pages for Arabic, an article in a language of its own, and the errors and warnings a curator meets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from digest.build import Changes, Session, build_once
from digest.config import ConfigError
from digest.errors import TemplateError
from digest.i18n import extract
from digest.site import BuildOptions
from digest.theme import bundled_themes_dir
from digest.watch import WatchedFolders
from tests.conftest import FIXED_NOW, REPO, InlineSite, copy_sample, only_problem, snapshot

LOCALES = bundled_themes_dir() / "default" / "locales"
SHIPPED = ("en", "fr", "de", "es", "ar")
ENGLISH_WORDS = (
    "Latest news", "Related", "Read the original", "Original article", "Skip to content", "More articles", "Latest edition",
    "This edition as an email", "Every edition", "View this edition in your browser", "No articles yet", "Page not found",
    "Words to look for", "Best match first", "Week 4", "← Older", "Newer →", "Older →", "← Newer", "Show more results",
    ">Latest<", ">Topics<", ">Countries<", ">Archive<", ">Editions<", ">Search<", "Germany</a>",
    ">November 2021<", ">24 November 2021<",
)
"""English the default theme and the planner write, which a French digest must not show (the sample's articles hold none)."""
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

ARABIC_SITE = """
-- site.yaml --
title: نشرة الأخبار
description: مختارات من أخبار العالم.
base_url: https://news.example.org/
language: ar
editions: {period: weekly}
-- content/articles/pact.md --
---
title: إسرائيل والمغرب يوقعان اتفاقية دفاعية
date: 2021-11-24
countries: [Israel, Morocco, Germany]
topics: [دفاع]
source: تايمز أوف إسرائيل
url: https://example.org/pact
author: فريق التحرير
---
وقّع وزير الدفاع الإسرائيلي مذكرة تفاهم للتعاون الأمني في الرباط.

> أول اتفاق دفاعي رسمي بين إسرائيل ودولة عربية.
-- content/articles/talks.md --
---
title: استئناف المحادثات النووية في فيينا
date: 2021-11-29
countries: [Iran, Austria]
topics: [دبلوماسية, دفاع]
source: رويترز
url: https://example.org/talks
---
عادت الوفود إلى فيينا لجولة سابعة من المحادثات.
"""


# -- a French digest --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample with `language: fr`, built: its output folder."""
    root = copy_sample(tmp_path_factory.mktemp("french") / "site")
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: fr"), encoding="utf-8")
    return build_once(root, BuildOptions(now=FIXED_NOW)).config.output_dir


def test_a_french_digest_shows_no_english_word_of_the_theme_on_any_page(french: Path) -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in (REPO / "content").rglob("*.md"))
    assert not [words for words in ENGLISH_WORDS if words in sources], "the sample's own text would hide what this test looks for"
    pages = sorted(french.rglob("*.html")) + sorted(french.rglob("*.txt"))
    assert len(pages) > 100
    left = [f"{page.relative_to(french)}: {words!r}" for page in pages for words in ENGLISH_WORDS if words in page.read_text(encoding="utf-8")]
    assert not left, "\n".join(left[:20])
    assert all('<html lang="fr" dir="ltr">' in page.read_text(encoding="utf-8") for page in french.rglob("*.html"))


def test_a_french_digest_writes_dates_counts_and_countries_in_french(french: Path) -> None:
    pact = (french / "2021/11/24/israel-morocco-defence-pact/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2021-11-24' in pact and ">24 novembre 2021</time>" in pact
    assert "À lire aussi" in pact and "Lire l’original sur Times of Israel" in pact
    assert " Maroc</a>" in pact and " Israël</a>" in pact
    countries = (french / "countries/index.html").read_text(encoding="utf-8")
    assert "<h2>Europe</h2>" in countries and "<h2>Amériques</h2>" in countries
    assert " Allemagne</a>" in countries and "37 pays" in countries
    europe = countries[countries.index("<h2>Europe</h2>"):]
    assert europe.index(" Allemagne</a>") < europe.index(" Estonie</a>") < europe.index(" France</a>"), "names in French alphabetical order"
    assert "<title>Allemagne · The Late-2021 Digest</title>" in (french / "countries/de/index.html").read_text(encoding="utf-8")
    assert ">novembre 2021</a>" in (french / "archive/index.html").read_text(encoding="utf-8")
    home = (french / "index.html").read_text(encoding="utf-8")
    assert "Dernières nouvelles" in home and "21 articles" in home and ">Éditions</a>" in home
    assert "<h1>Semaine 51, 2021</h1>" in (french / "editions/2021-W51/index.html").read_text(encoding="utf-8")
    assert "Voir cette édition dans votre navigateur" in (french / "editions/2021-W47/email.txt").read_text(encoding="utf-8")


def test_feeds_and_sitemaps_keep_machine_dates_in_a_french_digest(french: Path) -> None:
    rss = (french / "rss.xml").read_text(encoding="utf-8")
    assert "<language>fr</language>" in rss and re.search(r"<pubDate>\w{3}, \d\d \w{3} 2021 ", rss)
    assert re.search(r"<lastmod>2021-\d\d-\d\dT", (french / "sitemap.xml").read_text(encoding="utf-8"))


# -- the catalogues ---------------------------------------------------------------------------


def test_the_template_lists_every_string_the_theme_and_the_planner_use() -> None:
    """After wrapping a new string: `python -m digest.i18n extract`, then `update`, then translate it."""
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert template == {m.id for m in extract(REPO) if m.id}


@pytest.mark.parametrize("language", SHIPPED)
def test_every_catalogue_translates_every_string_with_its_placeholders_and_plurals(language: str) -> None:
    with (LOCALES / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    messages = [m for m in catalog if m.id]
    assert {m.id for m in messages} == wanted
    assert not [m.id for m in messages if m.fuzzy]
    assert not [(m.id, errors) for m, errors in catalog.check()]
    for message in messages:
        if isinstance(message.id, str):
            assert message.string, f"{language}: {message.id!r} is not translated"
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), f"{language}: {message.id!r}"
            continue
        forms = message.string
        assert len(forms) == catalog.num_plurals and all(forms), f"{language}: {message.id!r} needs {catalog.num_plurals} forms"
        allowed = set(PLACEHOLDER.findall(message.id[1]))
        assert all(set(PLACEHOLDER.findall(form)) <= allowed for form in forms), f"{language}: {message.id!r}"
        assert set(PLACEHOLDER.findall(forms[-1])) == allowed, f"{language}: the general plural of {message.id!r} keeps every placeholder"


def test_a_site_rewords_a_string_in_its_own_catalogue_and_keeps_the_theme_s_others(make_site) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="fr") + """
-- locales/fr/LC_MESSAGES/messages.po --
msgid "Latest news"
msgstr "L’essentiel"
""")
    home = site.build().read("index.html")
    assert "<h1>L’essentiel</h1>" in home and ">Thèmes</a>" in home


def test_a_translation_that_loses_a_placeholder_is_an_error_at_its_line(make_site) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="fr") + """
-- locales/fr/LC_MESSAGES/messages.po --
msgid ""
msgstr "Language: fr\\n"

msgid "by %(author)s"
msgstr "par l’auteur"
""")
    error = site.build_error()
    assert isinstance(error, TemplateError)
    problem = only_problem(error)
    assert problem.headline() == "locales/fr/LC_MESSAGES/messages.po:4: msgid 'by %(author)s': the translation drops %(author)s"
    assert problem.source_line == 'msgid "by %(author)s"'


# -- right to left ------------------------------------------------------------------------------


def test_an_arabic_digest_is_right_to_left_valid_and_accessible(make_site, browser) -> None:  # type: ignore[no-untyped-def]
    from tests.browser import axe_violations, overflow
    from tests.crawl import serve_folder
    from tests.nu import nu_errors

    out = make_site(ARABIC_SITE).build()
    pages = [p for p in out.files() if p.endswith(".html")]
    assert all('<html lang="ar" dir="rtl">' in out.read(p) for p in pages)
    pact = out.read("2021/11/24/pact/index.html")
    assert ">24 نوفمبر 2021</time>" in pact and " ألمانيا</a>" in pact and re.search(r'بقلم <a href="/authors/[^"]+/" rel="author">فريق التحرير</a>', pact)
    assert ">الأحدث</a>" in pact and "انتقل إلى المحتوى" in pact
    assert '<a class="chip topic" href="/topics/df/">دفاع</a>' in pact, "a topic in a script without case keeps its spelling"
    assert not nu_errors(out.root)
    with serve_folder(out.root) as base:
        tab = browser.new_page()
        try:
            tab.set_viewport_size({"width": 1280, "height": 800})
            for path in ("", "2021/11/24/pact/", "countries/", "editions/2021-W47/", "404.html"):
                tab.goto(base + path)
                assert not axe_violations(tab), f"/{path}: " + "\n".join(axe_violations(tab))
            tab.goto(base)
            brand, first_section = tab.locator(".brand").bounding_box(), tab.locator(".masthead nav a").first.bounding_box()
            assert brand and first_section and brand["x"] > 1280 / 2, "the site's name starts the masthead on the right"
            edge = tab.evaluate("getComputedStyle(document.querySelector('.latest-edition')).borderRightWidth")
            assert edge == "4px", "the latest edition's rule is on its start side, the right"
            tab.goto(base + "2021/11/24/pact/")
            quote = tab.evaluate("(() => { const s = getComputedStyle(document.querySelector('blockquote')); return [s.borderRightWidth, s.borderLeftWidth]; })()")
            assert quote == ["3px", "0px"]
            tab.set_viewport_size({"width": 320, "height": 640})
            assert not overflow(tab)
        finally:
            tab.close()


def test_an_article_in_arabic_in_an_english_digest_is_marked_as_such(make_site) -> None:  # type: ignore[no-untyped-def]
    from tests.nu import nu_errors

    site: InlineSite = make_site(SMALL_SITE.format(language="en") + """
-- content/articles/arabic.md --
---
title: استئناف المحادثات النووية في فيينا
date: 2021-11-29
language: ar
countries: [Iran]
source: رويترز
url: https://example.org/talks
---
عادت الوفود إلى فيينا لجولة سابعة من المحادثات.
""")
    out = site.build()
    page = out.read("2021/11/29/arabic/index.html")
    assert '<html lang="en" dir="ltr">' in page
    assert '<article class="story" data-pagefind-body lang="ar" dir="rtl">' in page
    assert '<p class="meta" lang="en" dir="ltr">' in page, "the date and source are the site's words, in its language"
    assert '<p class="original" lang="en" dir="ltr">' in page
    assert " Iran</a>" in page and ">November 29, 2021</time>" in page
    assert '"inLanguage": "ar"' in page, "its JSON-LD says so too"
    assert 'lang="ar"' not in out.read("2021/11/24/pact/index.html")
    assert not nu_errors(out.root)


def test_an_article_in_an_unknown_language_is_an_error_at_its_line(make_site) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="en") + """
-- content/articles/elvish.md --
---
title: A story
date: 2021-11-29
language: elvish
---
Text.
""")
    problem = only_problem(site.build_error())
    assert problem.headline() == "content/articles/elvish.md:4:11: language: unknown language 'elvish'"


# -- site.yaml's language -----------------------------------------------------------------------

SMALL_SITE = """
-- site.yaml --
title: Small Digest
base_url: https://news.example.org/
language: {language}
-- content/articles/pact.md --
---
title: Israel signs defence pact with Morocco
date: 2021-11-24
countries: [Morocco, Germany]
topics: [defence]
source: Times of Israel
url: https://example.org/pact
---
Body.
"""


def test_an_unknown_language_is_an_error_at_its_site_yaml_line(make_site) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="xx-nowhere"))
    error = site.build_error()
    assert isinstance(error, ConfigError)
    problem = only_problem(error)
    assert problem.headline() == "site.yaml:3:11: language: unknown language 'xx-nowhere'"
    assert "fr, de, es, ar" in problem.hint


def test_a_language_without_a_catalogue_keeps_english_words_with_its_own_dates_and_says_so(make_site) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="pt-BR"))
    run = site.cli("build", "--quiet")
    assert run.returncode == 0, run.stderr
    warning = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "no catalogue for 'pt-BR'" in warning[0] and "messages.pot" in warning[0]
    page = site.output.read("2021/11/24/pact/index.html")
    assert '<html lang="pt-BR" dir="ltr">' in page
    assert ">24 de novembro de 2021</time>" in page and " Alemanha</a>" in page and "Read the original at Times of Israel" in page


def test_changing_the_language_rebuilds_every_page_as_a_fresh_build_would(make_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="en"))
    options = BuildOptions(now=FIXED_NOW)
    session = Session(site.root, options)
    try:
        session.build()
        english = snapshot(site.output.root)
        (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text().replace("language: en", "language: de"))
        result = session.rebuild(Changes(config=True))
    finally:
        session.close()
    german = snapshot(site.output.root)
    pages = [name for name in english if name.endswith(".html")]
    assert pages and all(german[name] != english[name] for name in pages)
    assert result.files.written >= len(pages)
    assert b"Neueste Nachrichten" in german["index.html"]
    fresh = build_once(site.root, options, output_dir=tmp_path / "fresh").config.output_dir
    assert {name: data for name, data in snapshot(fresh).items() if not name.startswith(".digest")} == {
        name: data for name, data in german.items() if not name.startswith(".digest")
    }


def test_editing_a_catalogue_is_a_change_to_the_whole_site(make_site) -> None:  # type: ignore[no-untyped-def]
    site: InlineSite = make_site(SMALL_SITE.format(language="fr"))
    result = build_once(site.root, BuildOptions(now=FIXED_NOW))
    from digest.theme import resolve_theme

    folders = WatchedFolders.of(result.config, resolve_theme(result.config))
    catalogue = LOCALES / "fr" / "LC_MESSAGES" / "messages.po"
    assert folders.classify([catalogue]).config
    assert folders.classify([site.root / "locales" / "fr" / "LC_MESSAGES" / "messages.po"]).config


def test_the_search_page_of_a_french_digest_answers_in_french(french: Path, browser) -> None:  # type: ignore[no-untyped-def]
    from tests.browser import expect
    from tests.crawl import serve_folder

    with serve_folder(french) as base:
        tab = browser.new_page()
        try:
            tab.goto(base + "search/")
            status = tab.get_by_role("status")
            expect(status).to_have_text("Saisissez un mot, ou choisissez un thème ou un pays.")
            tab.get_by_label("Mots à chercher").fill("Israel")
            expect(status).to_have_text(re.compile(r"^\d+ articles trouvés pour «\sIsrael\s»\.$"))  # no-break spaces inside « »
            tab.get_by_label("Mots à chercher").fill("zzyzx")
            expect(status).to_have_text(re.compile(r"^Aucun article trouvé pour «\szzyzx\s»\.$"))
        finally:
            tab.close()
