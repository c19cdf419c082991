"""Countries as people write them → ISO 3166-1 (code, common name, flag, region)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

# Names curators use that ISO 3166 does not list.
COMMON_ALIASES: Mapping[str, str] = {
    "uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "america": "US",
    "united states of america": "US", "uae": "AE", "emirates": "AE", "russia": "RU",
    "turkey": "TR", "türkiye": "TR", "turkiye": "TR", "ivory coast": "CI", "cote d'ivoire": "CI",
    "czech republic": "CZ", "holland": "NL", "the netherlands": "NL", "burma": "MM",
    "macedonia": "MK", "swaziland": "SZ", "cape verde": "CV", "east timor": "TL",
    "drc": "CD", "dr congo": "CD", "democratic republic of the congo": "CD", "congo-kinshasa": "CD",
    "republic of the congo": "CG", "congo-brazzaville": "CG", "vatican": "VA", "vatican city": "VA",
    "holy see": "VA", "palestine": "PS", "palestinian territories": "PS", "brunei": "BN",
    "micronesia": "FM", "south korea": "KR", "korea": "KR", "north korea": "KP", "dprk": "KP",
    "ksa": "SA", "persia": "IR", "the gambia": "GM", "gambia": "GM", "the bahamas": "BS",
    "falkland islands": "FK", "st lucia": "LC", "st kitts and nevis": "KN",
    "st vincent and the grenadines": "VC", "sao tome and principe": "ST",
}

# Short display names where ISO's own is awkward for a headline.
DISPLAY_NAMES: Mapping[str, str] = {
    "RU": "Russia", "CD": "DR Congo", "CG": "Congo", "FM": "Micronesia", "PS": "Palestine",
    "VA": "Vatican City", "BN": "Brunei", "FK": "Falkland Islands", "MF": "Saint Martin",
    "SX": "Sint Maarten", "VG": "British Virgin Islands", "VI": "US Virgin Islands",
    "CC": "Cocos Islands", "BQ": "Caribbean Netherlands", "SH": "Saint Helena",
}

# UN M49 continental regions.
_REGION_CODES: Mapping[str, str] = {
    "Africa": "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY"
    " MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW IO TF",
    "Americas": "AI AG AR AW BS BB BZ BM BO BQ BV BR CA KY CL CO CR CU CW DM DO EC SV FK GF GL GD GP GT"
    " GY HT HN JM MQ MX MS NI PA PY PE PR BL KN LC MF PM VC SX GS SR TT TC US UM UY VE VG VI",
    "Asia": "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KP KR KW KG LA LB MO MY MV MN"
    " MM NP OM PK PS PH QA SA SG LK SY TW TJ TH TL TR TM AE UZ VN YE",
    "Europe": "AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE LV LI LT LU"
    " MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB VA",
    "Oceania": "AS AU CX CC CK FJ PF GU HM KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF",
    "Antarctica": "AQ",
}
REGIONS: tuple[str, ...] = tuple(_REGION_CODES)
_REGION_OF: Mapping[str, str] = {code: region for region, codes in _REGION_CODES.items() for code in codes.split()}


@dataclass(frozen=True, slots=True, order=True)
class Country:
    """An ISO 3166-1 country; its URL slug is the lower-case alpha-2 code."""

    name: str
    code: str
    flag: str
    region: str

    @property
    def slug(self) -> str:
        return self.code.lower()


class UnknownCountry(ValueError):
    """A name no table knows; carries the closest known names."""

    def __init__(self, written: str, suggestions: list[str]) -> None:
        self.written = written
        self.suggestions = suggestions
        super().__init__(written)

    @property
    def hint(self) -> str:
        """What an article's `countries:` (or a command's `--country`) should say instead."""
        if self.suggestions:
            return "did you mean " + " or ".join(f"'{s}'" for s in self.suggestions) + "?"
        return "use a country name, an ISO code (IL, ISR), or add an alias under countries.aliases in site.yaml"


def _flag(code: str) -> str:
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code.upper())


class CountryIndex:
    """Looks names, codes and aliases up; built once per build from the site's aliases."""

    def __init__(self, site_aliases: Mapping[str, str] | None = None) -> None:
        import pycountry  # here: a no-op build resolves no country

        self._by_code: dict[str, Country] = {}
        self._by_name: dict[str, str] = {}
        for record in pycountry.countries:
            code = record.alpha_2
            name = DISPLAY_NAMES.get(code) or getattr(record, "common_name", None) or record.name
            self._by_code[code] = Country(name, code, _flag(code), _REGION_OF.get(code, ""))
            for written in (code, record.alpha_3, record.name, name, getattr(record, "official_name", None)):
                if written:
                    self._by_name[written.casefold()] = code
        self._by_name.update({alias.casefold(): code for alias, code in COMMON_ALIASES.items()})
        for alias, code in (site_aliases or {}).items():  # checked by the config: every code is known
            target = self._by_name.get(" ".join(code.split()).casefold())
            if target is not None:
                self._by_name[alias.casefold()] = target

    def resolve(self, written: str) -> Country:
        """The country meant by `written`, or `UnknownCountry` with suggestions."""
        code = self._by_name.get(" ".join(written.split()).casefold())
        if code is None:
            names = sorted({country.name for country in self._by_code.values()} | set(COMMON_ALIASES))
            close = difflib.get_close_matches(written.casefold(), [n.casefold() for n in names], n=3, cutoff=0.6)
            pretty = {n.casefold(): n for n in names}
            raise UnknownCountry(written, [self._display_suggestion(pretty[c]) for c in close])
        return self._by_code[code]

    def _display_suggestion(self, name: str) -> str:
        code = self._by_name[name.casefold()]
        return self._by_code[code].name

    def spellings(self) -> dict[str, Country]:
        """Every name and alias the index reads (casefolded) → its country, leaving out ISO codes that are not also aliases:
        what `digest import` looks for in running text, where 'in', 'is' or 'can' name no country."""
        import pycountry

        codes = {written.casefold() for record in pycountry.countries for written in (record.alpha_2, record.alpha_3)}
        return {name: self._by_code[code] for name, code in self._by_name.items() if name not in codes or name in COMMON_ALIASES}
