"""Countries as people write them → a `Country` (ISO 3166-1 code, name, flag, continent), from data.

ISO 3166-1 comes from pycountry, English names from CLDR through Babel, and continents from CLDR's
territory containment (UN M49 with CLDR's additions), which Babel does not ship: digest keeps CLDR's
own `territoryContainment.json` in `digest/data/cldr/` (Unicode License v3), copied unchanged from the
`supplemental/` folder of npm's `cldr-core` package (48.2.0); a newer one is copied the same way.
Places outside ISO 3166-1 (Kosovo, the European Union) come from the site's `countries.extra`.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

# The continents a country is listed under, as CLDR's M49 codes; Antarctica (inside "Outlying Oceania" in
# CLDR) is a continent of its own here. The order is the order of the countries index.
CONTINENTS: Mapping[str, str] = {"002": "Africa", "019": "Americas", "142": "Asia", "150": "Europe", "009": "Oceania", "AQ": "Antarctica"}
REGIONS: tuple[str, ...] = tuple(CONTINENTS.values())

# Names curators write that no dataset here has: ISO 3166 (with pycountry's common and official names), CLDR's
# English names and CLDR's retired codes (UK for GB) cover the rest. Each is kept for a reason:
COMMON_ALIASES: Mapping[str, str] = {
    # parts of the United Kingdom, which ISO 3166-1 codes only as a whole
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    # everyday names for the whole, in no dataset
    "britain": "GB", "great britain": "GB", "america": "US", "emirates": "AE", "holland": "NL", "vatican": "VA",
    "korea": "KR",  # news copy means the South
    # names CLDR keeps only as alternative forms, which Babel does not ship
    "ivory coast": "CI", "turkey": "TR", "swaziland": "SZ", "east timor": "TL",
    # a former name still in headlines
    "macedonia": "MK", "persia": "IR",
    # initials of news copy
    "uae": "AE", "drc": "CD", "dprk": "KP", "ksa": "SA",
}

# Shorter names for headlines where CLDR's English name carries a qualifier (these are CLDR's own short or
# variant forms, or ISO's short name, which Babel does not ship).
DISPLAY_NAMES: Mapping[str, str] = {
    "CD": "DR Congo",  # CLDR: Congo - Kinshasa
    "CG": "Congo",  # CLDR: Congo - Brazzaville
    "HK": "Hong Kong",  # CLDR: Hong Kong SAR China
    "MO": "Macao",  # CLDR: Macao SAR China
    "MM": "Myanmar",  # CLDR: Myanmar (Burma)
    "PS": "Palestine",  # CLDR: Palestinian Territories
    "SH": "St. Helena",  # CLDR: St. Helena, Ascension & Tristan da Cunha
}

NEWS_INITIALS = ("UK", "US", "USA")
"""Codes news copy writes as names: found in running text (in capitals), where other codes ('IN', 'CAN') are words."""

_NO_PLACE = frozenset({"ZZ", "XA", "XB"})
"""CLDR's 'Unknown Region' and its two pseudo-locale test codes."""

_APOSTROPHES = "\u2019\u2018\u201b\u02bc\u02bb\u00b4`\u2032\uff07"
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_PUNCTUATION = str.maketrans({**{c: "'" for c in _APOSTROPHES}, **{c: " " for c in _HYPHENS + "-"}, ".": "", "&": " and "})
_LEADING_THE = re.compile(r"^the ")
_SAINT = re.compile(r"\bst\b")


def name_key(written: str) -> str:
    """What a written name is looked up by: case, accents, apostrophe variants, hyphens and dashes, dots, '&',
    'St' and a leading 'the' set aside, so `Côte d’Ivoire`, `cote d'ivoire` and `COTE D‘IVOIRE` are one name."""
    return _SAINT.sub("saint", _LEADING_THE.sub("", " ".join(folded(written).casefold().split())))


def folded(text: str) -> str:
    """`text` with accents, apostrophe variants, hyphens and dashes, dots and '&' set aside as `name_key` does, case kept:
    running text in which names can be found by their keys."""
    text = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_PUNCTUATION)


def flag_emoji(code: str) -> str:
    """The regional-indicator pair that shows as a two-letter code's flag."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code.upper())


@dataclass(frozen=True, slots=True, order=True)
class Country:
    """A country (or a place of `countries.extra`); its URL slug is the lower-case two-letter code."""

    name: str
    code: str
    flag: str
    region: str

    @property
    def slug(self) -> str:
        return self.code.lower()


@dataclass(frozen=True, slots=True)
class ExtraCountry:
    """One entry of `countries.extra`: a place outside ISO 3166-1 with its name, flag and continent."""

    name: str
    flag: str = ""
    region: str = ""


@dataclass(frozen=True, slots=True)
class CountrySettings:
    """site.yaml's `countries:`: names of the site's own (`aliases`) and places outside ISO 3166-1 (`extra`)."""

    aliases: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, ExtraCountry] = field(default_factory=dict)


NO_COUNTRY_SETTINGS = CountrySettings()


class UnknownCountry(ValueError):
    """A name no table knows; carries the closest known names, or the place outside ISO 3166-1 it names."""

    def __init__(self, written: str, suggestions: list[str], outside: tuple[str, str] | None = None, region: bool = False) -> None:
        self.written = written
        self.suggestions = suggestions
        self.outside = outside
        """(CLDR code, English name) when `written` names a region or a place outside ISO 3166-1."""
        self.region = region
        super().__init__(written)

    @property
    def hint(self) -> str:
        """What an article's `countries:` (or a command's `--country`) should say instead."""
        if self.outside is not None:
            code, name = self.outside
            if self.region:
                return f"{name} is a region, not a country: name its countries, or make it a topic"
            return (f"{name} is outside ISO 3166-1: add it under countries.extra in site.yaml, "
                    f'e.g. countries: {{extra: {{{code}: {{name: {name}, flag: "{flag_emoji(code)}"}}}}}}')
        if self.suggestions:
            return "did you mean " + " or ".join(f"'{s}'" for s in self.suggestions) + "?"
        return ("use a country name or an ISO code (IL, ISR); add names of your own under countries.aliases in site.yaml, "
                "and places outside ISO 3166-1 under countries.extra")


@dataclass(frozen=True, slots=True)
class _World:
    """ISO 3166-1's countries with every name they are known by, and what CLDR knows beyond them."""

    by_code: Mapping[str, Country]
    by_key: Mapping[str, str]
    """Name keys (`name_key`) and codes → ISO code."""
    suggestible: Mapping[str, str]
    """The keys of names worth suggesting (names, not codes) → ISO code."""
    parents: Mapping[str, str]
    """CLDR's territory containment: each territory or region → the region right above it."""
    regions: frozenset[str]
    """CLDR's codes of regions (Europe, Latin America, Outlying Oceania), which no site adds as a country."""
    outside: Mapping[str, tuple[str, str]]
    """Name keys and codes of CLDR territories outside ISO 3166-1 → (code, English name)."""

    def continent(self, code: str) -> str:
        """The continent CLDR's containment puts `code` in; '' for one it does not place (such as EU)."""
        return _continent(self.parents, code)


def _continent(parents: Mapping[str, str], code: str) -> str:
    place: str | None = code
    while place is not None:
        if place in CONTINENTS:
            return CONTINENTS[place]
        place = parents.get(place)
    return ""


def _containment() -> dict[str, str]:
    """CLDR's main containment tree (no groupings such as EU or Latin America, no retired entries) as child → parent."""
    text = files("digest").joinpath("data", "cldr", "territoryContainment.json").read_text(encoding="utf-8")
    tree = json.loads(text)["supplemental"]["territoryContainment"]
    return {child: parent for parent, spec in tree.items() if "-status-" not in parent and spec.get("_grouping") != "true"
            for child in spec["_contains"]}


def _spellings(name: str) -> Iterable[str]:
    """A dataset's name and the forms curators write of it: 'Myanmar (Burma)' also as 'Myanmar' and 'Burma',
    'Cocos (Keeling) Islands' as 'Cocos Islands', 'Korea, Republic of' as 'Republic of Korea'."""
    yield name
    inner = re.fullmatch(r"(.*?)\s*\((.+?)\)\s*(.*)", name)
    if inner:
        yield f"{inner.group(1)} {inner.group(3)}".strip()
        yield inner.group(2)
    inverted = re.fullmatch(r"(.+?),\s*(.+\bof(?: the)?)", name)
    if inverted:
        yield f"{inverted.group(2)} {inverted.group(1)}"


@cache
def _world() -> _World:
    """Read once per process: a no-op build resolves no country and never calls it."""
    import pycountry
    from babel import Locale
    from babel.core import get_global

    english = Locale("en").territories
    parents = _containment()
    by_code: dict[str, Country] = {}
    by_key: dict[str, str] = {}
    suggestible: dict[str, str] = {}
    for record in pycountry.countries:
        code = record.alpha_2
        cldr = english.get(code, "")
        name = DISPLAY_NAMES.get(code) or cldr.replace(" & ", " and ") or getattr(record, "common_name", None) or record.name
        by_code[code] = Country(name, code, flag_emoji(code), _continent(parents, code))
        for written in (name, cldr, record.name, getattr(record, "common_name", None), getattr(record, "official_name", None)):
            for spelling in _spellings(written or ""):
                if spelling and name_key(spelling) not in by_key:
                    by_key[name_key(spelling)] = suggestible[name_key(spelling)] = code
        for written_code in (code, record.alpha_3):
            by_key.setdefault(name_key(written_code), code)
    for old, new in get_global("territory_aliases").items():  # codes CLDR retired or reserved: UK, BU, ZR
        if old.isalpha() and len(new) == 1 and new[0] in by_code:
            by_key.setdefault(name_key(old), new[0])
    for alias, code in COMMON_ALIASES.items():
        by_key[name_key(alias)] = suggestible[name_key(alias)] = code
    outside: dict[str, tuple[str, str]] = {}
    for code, name in english.items():
        if code not in by_code and code not in _NO_PLACE:
            outside.setdefault(name_key(name), (code, name))
            outside.setdefault(name_key(code), (code, name))
    regions = frozenset(code for code in english if isinstance(code, str) and code.isdigit()) | frozenset(parents.values())
    return _World(by_code, by_key, suggestible, parents, regions, outside)


def iso_country_code(written: str) -> str:
    """The alpha-2 code `written` is, as an ISO 3166-1 alpha-2 or alpha-3 code ('nl', 'NLD' → 'NL'); '' for anything else.
    A look in pycountry's table only, without the index of every name."""
    import pycountry

    text = written.strip().upper()
    record = pycountry.countries.get(alpha_2=text) if len(text) == 2 else pycountry.countries.get(alpha_3=text) if len(text) == 3 else None
    return str(record.alpha_2) if record is not None else ""


class CountryIndex:
    """Looks names, codes and aliases up; built once per build from the site's `countries:` settings."""

    def __init__(self, settings: CountrySettings = NO_COUNTRY_SETTINGS) -> None:
        world = _world()
        self._world = world
        self._by_code = dict(world.by_code)
        self._by_key = dict(world.by_key)
        self._suggestible = dict(world.suggestible)
        for code, extra in settings.extra.items():  # checked by the config: a new two-letter code, a name of its own
            self._by_code[code] = Country(extra.name, code, extra.flag, extra.region or world.continent(code))
            cldr_name = world.outside.get(name_key(code), ("", ""))[1]
            for written in (extra.name, cldr_name):
                if written:
                    self._by_key[name_key(written)] = self._suggestible[name_key(written)] = code
            self._by_key[name_key(code)] = code
        for alias, target in settings.aliases.items():  # checked by the config: every target is known
            meant = self._by_key.get(name_key(target))
            if meant is not None:
                self._by_key[name_key(alias)] = self._suggestible[name_key(alias)] = meant

    def resolve(self, written: str) -> Country:
        """The country meant by `written`, or `UnknownCountry` with suggestions."""
        key = name_key(written)
        code = self._by_key.get(key)
        if code is None:
            outside = self._world.outside.get(key)
            raise UnknownCountry(written, self.suggestions(key), outside, outside is not None and outside[0] in self._world.regions)
        return self._by_code[code]

    def spellings(self) -> dict[str, Country]:
        """Every name and alias the index reads (as `name_key`s) → its country, and of the codes only the initials news
        copy writes (UK, US, USA): what `digest import` looks for in running text, where 'in', 'is' or 'can' name no country."""
        known = {key: self._by_code[code] for key, code in self._suggestible.items()}
        known.update({name_key(code): self._by_code[self._by_key[name_key(code)]] for code in NEWS_INITIALS})
        return known

    def suggestions(self, key: str) -> list[str]:
        """The names of up to three countries whose names are closest to `key`, each country once."""
        codes: list[str] = []
        for close in difflib.get_close_matches(key, list(self._suggestible), n=12, cutoff=0.6):
            code = self._suggestible[close]
            if code not in codes:
                codes.append(code)
        return [self._by_code[code].name for code in codes[:3]]

    def iso_country(self, code: str) -> Country | None:
        """The ISO 3166-1 country with this two-letter code, if there is one."""
        return self._world.by_code.get(code.upper())

    def country_named(self, name: str) -> Country | None:
        """The country (ISO or extra) a name already means, if any."""
        code = self._by_key.get(name_key(name))
        return self._by_code[code] if code is not None else None
