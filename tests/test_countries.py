"""Countries as curators write them: typographic spellings, names from ISO 3166 and CLDR, continents from CLDR's
territory containment, and places outside ISO 3166-1 (Kosovo, the EU) added with `countries.extra`."""

from __future__ import annotations

import pycountry
import pytest

from digest.countries import REGIONS, CountryIndex
from digest.starter import SITE_YAML as SITE_YAML_TEMPLATE
from tests.conftest import SITE_YAML, article, only_problem

PACT = "content/articles/pact.md"

EXTRA = """-- site.yaml --
title: Test Digest
base_url: https://news.example.org/
countries:
  aliases:
    Kosova: XK
  extra:
    XK: {name: Kosovo, flag: "🇽🇰"}
    EU: {name: European Union, flag: "🇪🇺", region: Europe}
"""


def test_a_typographic_apostrophe_dashes_and_missing_accents_name_the_same_country(make_site):
    out = make_site(
        SITE_YAML
        + article("curly", countries="Côte d’Ivoire, Guinea–Bissau")
        + article("straight", date="2021-11-25", countries="Cote d'Ivoire, Guinea-Bissau")
        + article("opening", date="2021-11-26", countries="Côte d‘Ivoire, Guinea — Bissau")
        + article("shouting", date="2021-11-27", countries="COTE  D´IVOIRE, guinea bissau")
    ).build()
    pages = sorted(p for p in out.files() if p.startswith("countries/") and p.endswith("/index.html"))
    assert pages == ["countries/ci/index.html", "countries/gw/index.html", "countries/index.html"]
    page = out.read("countries/ci/index.html")
    assert "> Côte d’Ivoire</h1>" in page
    assert "4 articles" in page


def test_names_from_cldr_and_iso_resolve_without_a_hand_table(make_site):
    out = make_site(SITE_YAML + article("a", countries="UK, Burma, St Lucia, Bosnia & Herzegovina, the Gambia, Republic of Korea")).build()
    for code in ("gb", "mm", "lc", "ba", "gm", "kr"):
        assert out.exists(f"countries/{code}/index.html"), code
    assert "> Bosnia and Herzegovina</h1>" in out.read("countries/ba/index.html")


def test_a_place_of_countries_extra_gets_its_page_and_answers_to_its_name_code_and_aliases(make_site):
    out = make_site(
        EXTRA
        + article("talks", title="Belgrade and Pristina talk in Brussels", countries="Kosovo, Serbia, European Union")
        + article("border", title="Border reopens", date="2021-11-25", countries="Kosova")
        + article("visas", title="Visa rules eased", date="2021-11-26", countries="xk, EU")
    ).build()
    kosovo = out.read("countries/xk/index.html")
    assert "> Kosovo</h1>" in kosovo and "3 articles" in kosovo
    assert "> European Union</h1>" in out.read("countries/eu/index.html")
    index = out.read("countries/index.html")
    europe = index[index.index("<h2>Europe</h2>"):]
    assert "European Union" in europe and "Kosovo" in europe and "Serbia" in europe  # XK by CLDR, EU by site.yaml


def test_kosovo_without_countries_extra_says_how_to_add_it(make_site):
    problem = only_problem(make_site(SITE_YAML + article("pact", countries="Kosovo")).build_error())
    assert problem.headline() == f"{PACT}:4:13: countries: unknown country 'Kosovo'"
    assert problem.hint == ('Kosovo is outside ISO 3166-1: add it under countries.extra in site.yaml, '
                            'e.g. countries: {extra: {XK: {name: Kosovo, flag: "🇽🇰"}}}')


def test_a_region_written_as_a_country_is_called_a_region(make_site):
    problem = only_problem(make_site(SITE_YAML + article("pact", countries="Latin America")).build_error())
    assert problem.hint == "Latin America is a region, not a country: name its countries, or make it a topic"


def test_suggestions_name_each_country_once(make_site):
    problem = only_problem(make_site(SITE_YAML + article("pact", countries="Cote d Ivoir")).build_error())
    assert problem.hint == "did you mean 'Côte d’Ivoire'?"


def test_an_unknown_name_without_close_matches_points_at_aliases_and_extra(make_site):
    problem = only_problem(make_site(SITE_YAML + article("pact", countries="Xyzzyqq")).build_error())
    assert "countries.aliases" in problem.hint and "countries.extra" in problem.hint


@pytest.mark.parametrize(("code", "region"), [("FR", "Europe"), ("EG", "Africa"), ("TR", "Asia"), ("MX", "Americas"),
                                              ("FJ", "Oceania"), ("AQ", "Antarctica"), ("CY", "Asia"), ("RU", "Europe"),
                                              ("UM", "Oceania")])  # UM: Pacific islands, in M49 Micronesia
def test_continents_come_from_cldr_containment(code, region):
    assert CountryIndex().resolve(code).region == region


def test_every_iso_country_has_a_continent():
    index = CountryIndex()
    assert {record.alpha_2: index.resolve(record.alpha_2).region in REGIONS for record in pycountry.countries} == {
        record.alpha_2: True for record in pycountry.countries
    }


def test_renaming_a_place_of_countries_extra_renames_its_page_on_the_next_build(make_site):
    site = make_site(EXTRA + article("talks", countries="Kosovo"))
    assert "> Kosovo</h1>" in site.build().read("countries/xk/index.html")
    site.write(EXTRA.replace("{name: Kosovo,", "{name: Republic of Kosovo,"))
    assert "> Republic of Kosovo</h1>" in site.build().read("countries/xk/index.html")


@pytest.mark.parametrize(
    ("countries", "headline", "hint"),
    [
        pytest.param(
            "  extra:\n    FR: {name: Frankreich}\n",
            "site.yaml:5:5: countries.extra.FR: 'FR' is already the ISO code of France",
            "articles can name France as it is: countries.extra is for places outside ISO 3166-1, such as XK (Kosovo)",
            id="iso-code",
        ),
        pytest.param(
            "  extra:\n    XK: {flag: \"🇽🇰\"}\n",
            "site.yaml:5:5: countries.extra.XK: needs a name",
            "e.g. XK: {name: Kosovo}",
            id="no-name",
        ),
        pytest.param(
            "  extra:\n    KOS: {name: Kosovo}\n",
            "site.yaml:5:5: countries.extra.KOS: 'KOS' is no two-letter code",
            "give the place a code of two letters, e.g. XK for Kosovo",
            id="three-letters",
        ),
        pytest.param(
            "  extra:\n    EU: {name: European Union, region: Erope}\n",
            "site.yaml:5:40: countries.extra.EU.region: unknown region 'Erope'",
            "did you mean 'Europe'? choose one of: " + ", ".join(REGIONS),
            id="region-typo",
        ),
        pytest.param(
            "  extra:\n    QN: {name: Holland}\n",
            "site.yaml:5:16: countries.extra.QN.name: 'Holland' already means Netherlands (NL)",
            "give the place a name of its own, or write NL in articles and leave this entry out",
            id="name-taken",
        ),
        pytest.param(
            "  extra:\n    XK: {name: Kosovo}\n  aliases:\n    Kosova: XK\n    Foo: ZZ\n",
            "site.yaml:8:10: countries.aliases.Foo: 'ZZ' is no country",
            "give an ISO code (NL), a country's name or a code of countries.extra",
            id="bad-alias-beside-extra",
        ),
        pytest.param(
            "  aliases:\n    Kosova: XK\n",
            "site.yaml:5:13: countries.aliases.Kosova: 'XK' is no country",
            'Kosovo is outside ISO 3166-1: add it under countries.extra in site.yaml, '
            'e.g. countries: {extra: {XK: {name: Kosovo, flag: "🇽🇰"}}}',
            id="alias-to-kosovo-without-extra",
        ),
        pytest.param(
            "  extras: {}\n",
            "site.yaml:4:3: countries.extras: unknown key 'extras'",
            "did you mean 'extra'?",
            id="unknown-key",
        ),
    ],
)
def test_a_bad_countries_section_is_reported_at_its_site_yaml_line(make_site, countries, headline, hint):
    site = make_site("-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\ncountries:\n" + countries + article("pact"))
    problem = only_problem(site.build_error())
    assert (problem.headline(), problem.hint) == (headline, hint)
    assert not (site.root / "public").exists()


def test_the_starter_site_yaml_example_of_countries_works_once_uncommented(make_site):
    lines = SITE_YAML_TEMPLATE.splitlines()
    start = lines.index("# countries:")
    block = [line[2:] for line in lines[start:] if line.startswith("# ") or line == "#"]
    block = block[: next(n for n, line in enumerate(block) if n and not line.startswith(" "))]
    out = make_site(SITE_YAML + "\n".join(block) + "\n" + article("talks", countries="Kosova, European Union")).build()
    assert out.exists("countries/xk/index.html") and out.exists("countries/eu/index.html")
