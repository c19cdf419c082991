"""Languages: the site's locale (CLDR through Babel), the theme's translation catalogues, and what pages write with them.

A theme keeps its UI text in gettext catalogues, `locales/<lang>/LC_MESSAGES/messages.po`,
read with Babel and compiled in memory (no `.mo` files). The site's `locales/`
comes first, then the theme's, then the themes it extends, so a site may
re-word a few strings and take the rest from its theme. Dates, numbers and
country names come from CLDR for the site's `language`.

`python -m digest.i18n extract` gathers the strings of the default theme and of
the package into `themes/default/locales/messages.pot`; `python -m digest.i18n
update` merges that template into every catalogue of the theme.
"""

from __future__ import annotations

import gettext
import hashlib
import re
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Location, Problem, Problems, TemplateError, display_path

if TYPE_CHECKING:  # Babel is imported where it is used: a build with nothing changed checks site.yaml's language without it
    from babel import Locale
    from babel.messages.catalog import Catalog
    from babel.support import Translations

LOCALES = "locales"
"""The folder of catalogues, in a theme and beside site.yaml."""
DOMAIN = "messages"
RIGHT_TO_LEFT = "right-to-left"
DATE_STYLES = {"long": "long", "short": "medium"}
"""`format_date`'s styles → CLDR's: 'short' is the abbreviated month ('24 Nov 2021'), CLDR's 'medium'."""
EXTRA_KEYWORDS = {"plural_forms": (1, 2)}
"""Beyond gettext's own: `plural_forms(singular, plural)` in templates (`pybabel extract -k plural_forms:1,2`)."""
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
PLURAL_SAMPLES = (*range(200), 1000, 10_000, 100_000, 1_000_000)
"""Counts that meet every CLDR plural category of every language (French's 'many' is a million)."""


def N_(message: str) -> str:
    """Marks a string in Python for extraction; it is translated where it is shown."""
    return message


def parse_language(tag: str) -> Locale:
    """The CLDR locale of a language tag ('fr', 'pt-BR', 'pt_BR'); `ValueError` when CLDR knows none."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None


_PLAIN_TAG = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})*")


def has_locale_data(tag: str) -> bool:
    """Whether Babel ships CLDR's data for `tag` under its own name ('fr', 'pt_BR'): a look at one file, without importing
    Babel (some 20 ms, a tenth of a build that finds nothing changed)."""
    import importlib.util

    name = tag.replace("-", "_")
    spec = importlib.util.find_spec("babel")
    if not _PLAIN_TAG.fullmatch(name) or spec is None or spec.origin is None:
        return False
    return (Path(spec.origin).parent / "locale-data" / f"{name}.dat").is_file()


def language_problem(tag: str) -> str | None:
    """Why `tag` names no language CLDR knows, or None when it does."""
    if has_locale_data(tag):
        return None
    try:
        parse_language(tag)
    except ValueError:
        return f"unknown language '{tag}'"
    return None


def language_tag(tag: str) -> str:
    """The tag as HTML's `lang` wants it: 'pt-BR' for 'pt_BR'."""
    return tag.replace("_", "-")


def text_direction(tag: str) -> str:
    """'rtl' for a language written right to left (ar, he, fa, ur…), else 'ltr'."""
    return "rtl" if parse_language(tag).character_order == RIGHT_TO_LEFT else "ltr"


def catalogue_names(locale: Locale) -> list[str]:
    """The folders a locale's catalogue may be in, most specific first: 'pt_BR', then 'pt'."""
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


def find_catalogues(locale_dirs: Sequence[Path], locale: Locale) -> list[Path]:
    """Every catalogue of the locale, the site's first, then its theme's and their parents'."""
    found = []
    for folder in locale_dirs:
        for name in catalogue_names(locale):
            path = folder / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.is_file():
                found.append(path)
    return found


def read_catalogue(path: Path, locale: Locale) -> Catalog:
    """A .po file, checked: a syntax error, or a translation that drops or adds a placeholder, is an error at its line."""
    from babel.messages.pofile import PoFileError, read_po

    shown = display_path(path)
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        raise TemplateError([Problem(Location(shown, exc.lineno or 0), f"not a valid catalogue: {exc}", "", "compare it with the theme's messages.pot")]) from None
    except UnicodeDecodeError as exc:
        raise TemplateError.single(shown, f"not UTF-8 text: {exc.reason}", hint="save the catalogue as UTF-8") from None
    problems = Problems()
    lines: list[str] = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else tuple(message.id)
        problem = placeholder_problem(msgid, message.string) if msgid else None
        if problem:
            lines = lines or path.read_text(encoding="utf-8").splitlines()
            line = message.lineno or 0
            first = msgid if isinstance(msgid, str) else msgid[0]
            problems.add(Problem(
                Location(shown, line), f"msgid {first!r}: {problem}", "", "keep every %(name)s of the msgid, as it is written",
                lines[line - 1] if 0 < line <= len(lines) else "",
            ))
    problems.raise_if_any(TemplateError)
    return catalog


def placeholder_problem(msgid: str | tuple[str, ...], msgstr: object) -> str | None:
    """What is wrong with a translation's placeholders: one the msgid lacks, one it drops, or a lone '%' (write '%%').

    A plural form may leave out `%(num)s` ('un article'), but not the last, general one.
    """
    ids = (msgid,) if isinstance(msgid, str) else tuple(msgid)
    strings = [msgstr] if isinstance(msgstr, str) else [s for s in msgstr if isinstance(s, str)] if isinstance(msgstr, (tuple, list)) else []
    wanted = set(PLACEHOLDER.findall(ids[-1]))
    for index, text in enumerate(strings):
        if not text:
            continue
        found = set(PLACEHOLDER.findall(text))
        if found - wanted:
            return f"the translation uses {', '.join(sorted(f'%({n})s' for n in found - wanted))}, which the msgid has not"
        if (index == len(strings) - 1) and wanted - found:
            return f"the translation drops {', '.join(sorted(f'%({n})s' for n in wanted - found))}"
        if "%" in PLACEHOLDER.sub("", text).replace("%%", ""):
            return "the translation has a lone '%' (write '%%' for a percent sign)"
    return None


def compiled(catalog: Catalog) -> Translations:
    """A catalogue as gettext reads it, compiled in memory."""
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    data = BytesIO()
    write_mo(data, catalog)
    data.seek(0)
    return Translations(data, domain=DOMAIN)


class Translator:
    """One language: the theme's words for it and CLDR's way of writing dates, numbers and names.

    Made once per build (and once per render worker); it remembers the dates and
    numbers it formatted, as Babel takes some microseconds for each.
    """

    def __init__(self, language: str, catalogues: Sequence[Path] = ()) -> None:
        self.language = language_tag(language)
        self.locale = parse_language(language)
        self.direction = "rtl" if self.locale.character_order == RIGHT_TO_LEFT else "ltr"
        self.catalogues = tuple(catalogues)
        translations: gettext.NullTranslations = gettext.NullTranslations()
        digest = hashlib.blake2b(f"{self.language}|{str(self.locale)}".encode(), digest_size=16)
        chain: list[gettext.NullTranslations] = []
        for path in self.catalogues:
            chain.append(compiled(read_catalogue(path, self.locale)))
            digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + path.read_bytes())
        if chain:
            translations = chain[0]
            for fallback in chain[1:]:
                translations.add_fallback(fallback)
        self.translations = translations
        self.digest = digest.digest()
        """Changes with the language and any catalogue's bytes: part of every page's fingerprint."""
        self.english_names = self.locale.language == "en"
        """Country names stay the project's own English ones (`countries.py`) on English sites."""
        self._dates: dict[tuple[date, str], str] = {}
        self._numbers: dict[int, str] = {}
        self._regions: dict[str, str] | None = None

    @property
    def missing_catalogue(self) -> bool:
        """No catalogue for a language other than English: the theme's words stay English."""
        return not self.catalogues and self.locale.language != "en"

    # -- words ---------------------------------------------------------------

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form for `count`, with `%(num)s` already written as the locale writes numbers ('1 234' in French)."""
        return self.translations.ngettext(singular, plural, count).replace("%(num)s", self.number(count).replace("%", "%%"))

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """A message for each CLDR plural category of the language ('one', 'few', 'other'…), `%(num)s` left in:
        for a script to choose with `Intl.PluralRules` and fill in."""
        forms: dict[str, str] = {}
        for count in PLURAL_SAMPLES:
            category = self.locale.plural_form(count)
            if category not in forms:
                forms[category] = self.translations.ngettext(singular, plural, count)
        return forms

    # -- dates, numbers, names -------------------------------------------------

    def format_date(self, value: date, style: str = "long") -> str:
        """'24 novembre 2021' (long) or '24 nov. 2021' (short), as CLDR writes the day in this language."""
        day = value.date() if isinstance(value, datetime) else value
        key = (day, style)
        known = self._dates.get(key)
        if known is None:
            from babel.dates import format_date

            known = self._dates[key] = format_date(day, DATE_STYLES.get(style, style), locale=self.locale)
        return known

    def date_range(self, start: date, end: date) -> str:
        """'22–28 novembre 2021', or one day."""
        first = start.date() if isinstance(start, datetime) else start
        last = end.date() if isinstance(end, datetime) else end
        if first == last:
            return self.format_date(first)
        key = (first, f"to {last.isoformat()}")
        known = self._dates.get(key)
        if known is None:
            from babel.dates import format_interval

            known = self._dates[key] = format_interval(first, last, "yMMMMd", locale=self.locale)
        return known

    def month(self, year: int, month: int) -> str:
        """'novembre 2021': a month of the archive."""
        return self._month(year, month, "yMMMM")

    def short_month(self, year: int, month: int) -> str:
        """'nov. 2021': a month where space is short (a chart's axis)."""
        return self._month(year, month, "yMMM")

    def _month(self, year: int, month: int, skeleton: str) -> str:
        key = (date(year, month, 1), skeleton)
        known = self._dates.get(key)
        if known is None:
            from babel.dates import format_skeleton

            known = self._dates[key] = format_skeleton(skeleton, date(year, month, 1), locale=self.locale)
        return known

    def number(self, value: int) -> str:
        """'1,234', '1 234', '1.234': a count as the language writes it."""
        known = self._numbers.get(value)
        if known is None:
            from babel.numbers import format_decimal

            known = self._numbers[value] = format_decimal(value, locale=self.locale)
        return known

    def country(self, code: str, name: str) -> str:
        """A country's name in this language (CLDR's), or `name` on English sites and where CLDR has none."""
        if self.english_names:
            return name
        return str(self.locale.territories.get(code.upper(), name))

    def region(self, name: str) -> str:
        """A continent's name ('Europe', as `countries.py` names it) in this language, through its CLDR code."""
        if self._regions is None:
            from babel import Locale

            english = Locale("en").territories
            codes = {value: code for code, value in english.items() if code.isdigit()}
            self._regions = {value: self.locale.territories.get(code, value) for value, code in codes.items()}
            self._regions["Antarctica"] = self.locale.territories.get("AQ", "Antarctica")
        return self._regions.get(name) or self.gettext(name)

    def sort_key(self, text: str) -> str:
        """Orders names as readers expect ('États-Unis' among the E's): accents and case set aside."""
        return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def load_translator(locale_dirs: Sequence[Path], language: str) -> Translator:
    """The translator of `language` from the catalogues in `locale_dirs` (most specific first)."""
    return Translator(language, find_catalogues(locale_dirs, parse_language(language)))


def missing_catalogue_note(translator: Translator, locale_dirs: Sequence[Path]) -> str:
    """The one-line warning for a language the theme has no catalogue of."""
    from .theme import bundled_themes_dir  # here: the theme chain is read after site.yaml, whose check needs this module

    where = display_path(locale_dirs[-1] if locale_dirs else bundled_themes_dir() / "default" / LOCALES)  # the template is the root theme's
    name = catalogue_names(translator.locale)[-1]
    return (
        f"site.yaml: language: no catalogue for '{translator.language}' in {where}/, so the theme's text stays English "
        f"(dates and numbers are {translator.language}); copy {where}/{DOMAIN}.pot to {LOCALES}/{name}/LC_MESSAGES/{DOMAIN}.po and translate it"
    )


# -- keeping the catalogues: `python -m digest.i18n extract|update` ---------------------------


def repository() -> Path:
    return Path(__file__).resolve().parent.parent


def extract(root: Path) -> Catalog:
    """Every translatable string of the default theme's templates and of the package, as babel.cfg maps them."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    theme = root / "themes" / "default"
    with (theme / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    catalog = Catalog(project="digest", domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}, comment_tags=("Translators:",), strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_catalogue(catalog: Catalog, path: Path, *, template: bool) -> None:
    """A catalogue as a .po file (a template as the .pot), sorted, with only the header a catalogue needs: its language and plurals."""
    from babel.messages.pofile import write_po

    data = BytesIO()
    write_po(data, catalog, width=0, omit_header=True, sort_output=True, include_lineno=False, ignore_obsolete=True)
    header = "" if template else (
        f"# The words of digest's default theme in {catalog.locale.english_name if catalog.locale else catalog.locale_identifier}.\n"
        'msgid ""\nmsgstr ""\n'
        f'"Language: {catalog.locale_identifier}\\n"\n"Plural-Forms: {catalog.plural_forms}\\n"\n'
        '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n\n'
    )
    path.write_bytes(header.encode() + data.getvalue())


def main(argv: Sequence[str]) -> int:
    """`extract`: write the theme's messages.pot; `update`: merge it into every catalogue, keeping their translations."""
    root = repository()
    locales = root / "themes" / "default" / LOCALES
    if list(argv) == ["extract"]:
        write_catalogue(extract(root), locales / f"{DOMAIN}.pot", template=True)
        print(f"wrote {display_path(locales / f'{DOMAIN}.pot')}")
        return 0
    if list(argv) == ["update"]:
        from babel.messages.pofile import read_po

        with (locales / f"{DOMAIN}.pot").open("rb") as handle:
            template = read_po(handle)
        for path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=path.parent.parent.name)
            catalog.update(template, no_fuzzy_matching=True)
            write_catalogue(catalog, path, template=False)
            untranslated = sum(1 for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string))
            print(f"updated {display_path(path)}: {untranslated} strings to translate")
        return 0
    print("usage: python -m digest.i18n extract|update", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
