"""`site.yaml` → a frozen, validated `SiteConfig`; every problem found in one pass.

Each option is declared once, as a field of `SiteConfig` made with `option()`:
its key, type, default, one-line description, and the check that converts the
YAML value. The known keys, the validation, the cache key and the README's
option table all come from those declarations.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .countries import NO_COUNTRY_SETTINGS, REGIONS, CountryIndex, CountrySettings, ExtraCountry, UnknownCountry, iso_country_code
from .errors import ConfigError, DigestError, Location, Problem, Problems, display_path, printable, undecodable
from .i18n import language_problem, language_tag
from .names import slugify
from .periods import NO_EDITIONS, EditionSettings, check_editions
from .yamlfile import KeyPath, YamlDoc, parse_yaml

CONFIG_NAME = "site.yaml"
DEFAULT_MAX_ARTICLE_SIZE = 5 * 1024 * 1024
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "k": 1024, "mb": 1024**2, "m": 1024**2}

STARTER = """title: My News Digest
description: What this digest follows, in one sentence.
base_url: https://example.org/
"""

Report = Callable[..., None]
"""`report(at, message, hint="", key=False)`: records one problem at a key path of site.yaml."""

Check = Callable[[Any, Report], Any]
"""Converts one option's YAML value (None when absent) to its typed value, reporting problems."""


@dataclass(frozen=True, slots=True)
class Option:
    """One site.yaml key: what it means and how its value is checked."""

    key: str
    description: str
    check: Check
    shown_default: str
    """The default as the README shows it ('' when there is none worth showing)."""
    parsing: bool = False
    """Whether the option changes how an article file parses (part of every article's cache key)."""


def option(key: str, default: Any, description: str, check: Check, *, shown: str | None = None, parsing: bool = False) -> Any:
    """A `SiteConfig` field declared as a site.yaml option."""
    spec = Option(key, description, check, str(default) if shown is None else shown, parsing)
    if isinstance(default, dict):
        return field(default_factory=dict, metadata={"option": spec})
    return field(default=default, metadata={"option": spec})


# -- checks: each converts one value and reports what is wrong with it ------------------


def _text(key: str, default: str, required: bool = False) -> Check:
    def check(value: Any, report: Report) -> str:
        if value is None:
            if required:
                report((), f"'{key}' is required", f"add a line like '{key}: My News Digest'")
            return default
        if not isinstance(value, str) or not value.strip():
            report((key,), f"must be text, got {value!r}", f'quote it: {key}: "{value}"')
            return default
        return str(value.strip())

    return check


def unknown_key(report: Report, section: str, key: object, known: list[str]) -> None:
    """A key a section of site.yaml does not have, with the closest one it has (or all of them) as the hint."""
    close = difflib.get_close_matches(str(key), known, n=1)
    report((section, key), f"unknown key '{key}'", f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known), key=True)


def _language(value: Any, report: Report) -> str:
    tag = str(_text("language", "en")(value, report))
    problem = language_problem(tag)
    if problem:
        report(("language",), problem, "use a language code CLDR knows, such as en, fr, de, es, ar or pt-BR")
        return "en"
    return language_tag(tag)


def _base_url(value: Any, report: Report) -> str:
    url = str(_text("base_url", "/")(value, report))
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = urlsplit("")
    if url != "/" and (parts.scheme not in ("http", "https") or not parts.netloc):
        report(("base_url",), f"must be an http(s) URL, got '{url}'", "e.g. base_url: https://news.example.org/digest/")
    return url


def _timezone(value: Any, report: Report) -> str:
    zone = str(_text("timezone", "UTC")(value, report))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(zone, sorted(available_timezones()), n=3)
        report(("timezone",), f"unknown time zone '{zone}'", "use an IANA name" + (f", e.g. {', '.join(close)}" if close else " such as Europe/Paris"))
        return "UTC"
    return zone


def _folder(key: str, default: str) -> Check:
    def check(value: Any, report: Report) -> Path:
        if value is not None and "\0" in str(value):
            report((key,), "must not contain a NUL character", "write a plain folder name, e.g. public")
            return Path(default)
        if value is not None and printable(str(value)) != str(value):
            report((key,), f"must not contain control characters, got '{value}'", "write a plain folder name, e.g. public")
            return Path(default)
        return Path(_text(key, default)(value, report))

    return check


def _paginate(value: Any, report: Report) -> int:
    if value is None:
        return 20
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        report(("paginate",), f"must be a whole number of at least 1, got {value!r}", "e.g. paginate: 20")
        return 20
    return value


MARKDOWN_ENGINES = ("python-markdown", "commonmark")
"""What converts articles' Markdown: Python-Markdown with its `extra` extensions (the default), or cmark-gfm
(GitHub-Flavoured Markdown, about twenty times faster)."""


@dataclass(frozen=True, slots=True)
class MarkdownSettings:
    """How articles' Markdown becomes HTML: which engine converts it, and whether raw HTML in it is kept."""

    engine: str = MARKDOWN_ENGINES[0]
    unsafe_html: bool = False


def _markdown(value: Any, report: Report) -> MarkdownSettings:
    if value is None:
        return MarkdownSettings()
    example = "e.g. markdown: {engine: commonmark, unsafe_html: false}"
    if not isinstance(value, dict):
        report(("markdown",), "must be a mapping", example)
        return MarkdownSettings()
    known = [f.name for f in fields(MarkdownSettings)]
    for key in value:
        if key not in known:
            unknown_key(report, "markdown", key, known)
    engine = value.get("engine", MARKDOWN_ENGINES[0])
    if engine not in MARKDOWN_ENGINES:
        report(("markdown", "engine"), f"unknown engine {engine!r}", "choose one of: " + ", ".join(MARKDOWN_ENGINES))
        engine = MARKDOWN_ENGINES[0]
    unsafe = value.get("unsafe_html", False)
    if not isinstance(unsafe, bool):
        report(("markdown", "unsafe_html"), f"must be true or false, got {unsafe!r}", "e.g. unsafe_html: true")
        unsafe = False
    return MarkdownSettings(engine, unsafe)


def _size(value: Any, report: Report) -> int:
    """Bytes from 5242880, '5 MB' or '500 KB'."""
    if value is None:
        return DEFAULT_MAX_ARTICLE_SIZE
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?[bB]?)\s*", str(value))
    size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]) if match else 0
    if size < 1:
        report(("max_article_size",), f"must be a size like 5 MB or 500 KB, got {value!r}", "e.g. max_article_size: 5 MB")
        return DEFAULT_MAX_ARTICLE_SIZE
    return size


def _countries(value: Any, report: Report) -> CountrySettings:
    if value is None:
        return NO_COUNTRY_SETTINGS
    if not isinstance(value, dict):
        report(("countries",), "must be a mapping with 'aliases' and 'extra'", "e.g. countries: {aliases: {Holland: NL}}")
        return NO_COUNTRY_SETTINGS
    for key in value:
        if key not in ("aliases", "extra"):
            unknown_key(report, "countries", key, ["aliases", "extra"])
    written = value.get("extra")
    extra = _country_extra(written, report)
    faulty = {str(code).upper() for code in written if str(code).upper() not in extra} if isinstance(written, dict) else set()
    return CountrySettings(_country_aliases(value.get("aliases"), lambda: CountryIndex(CountrySettings(extra=extra)), set(extra), faulty, report), extra)


def _country_aliases(value: Any, index: Callable[[], CountryIndex], extra: set[str], faulty: set[str], report: Report) -> dict[str, str]:
    """`aliases: {Holland: NL}`: each target an ISO code, a country's name or a code of `extra` (one of `faulty`, entries of
    `extra` reported already, is let pass). The index of every name (some 60 ms) is made only for a target that is not a
    code: a build that finds nothing changed still checks site.yaml."""
    known: CountryIndex | None = None
    aliases = value or {}
    if not isinstance(aliases, dict):
        report(("countries", "aliases"), "must map names to ISO codes", "e.g. aliases: {Holland: NL}")
        return {}
    result: dict[str, str] = {}
    for name, code in aliases.items():
        if not isinstance(code, str) or not code.strip():
            report(("countries", "aliases", name), f"must be an ISO country code, got {code!r}", 'e.g. Holland: "NL"')
            continue
        if code.strip().upper() in faulty:
            continue
        if code.strip().upper() in extra or iso_country_code(code.strip()):
            result[str(name)] = code.strip()
            continue
        try:
            known = known or index()
            known.resolve(code.strip())
        except UnknownCountry as exc:
            close = f"did you mean {' or '.join(repr(s) for s in exc.suggestions)}? " if exc.suggestions else ""
            hint = exc.hint if exc.outside else close + "give an ISO code (NL), a country's name or a code of countries.extra"
            report(("countries", "aliases", name), f"'{code}' is no country", hint)
            continue
        result[str(name)] = code.strip()
    return result


_EXTRA_KEYS = ("name", "flag", "region")
_REGION_NAMES = {region.casefold(): region for region in REGIONS}


def _country_extra(value: Any, report: Report) -> dict[str, ExtraCountry]:
    """`extra: {XK: {name: Kosovo, flag: "🇽🇰"}}`: places outside ISO 3166-1, each under a two-letter code of its own."""
    if value is None:
        return {}
    example = 'e.g. extra: {XK: {name: Kosovo, flag: "🇽🇰"}}'
    if not isinstance(value, dict):
        report(("countries", "extra"), "must map two-letter codes to {name, flag, region}", example)
        return {}
    known = CountryIndex()
    result: dict[str, ExtraCountry] = {}
    for code, spec in value.items():
        at: KeyPath = ("countries", "extra", code)
        if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z]{2}", code):
            report(at, f"'{code}' is no two-letter code", "give the place a code of two letters, e.g. XK for Kosovo", key=True)
            continue
        iso = known.iso_country(code)
        if iso is not None:
            report(at, f"'{code}' is already the ISO code of {iso.name}", f"articles can name {iso.name} as it is: "
                   "countries.extra is for places outside ISO 3166-1, such as XK (Kosovo)", key=True)
            continue
        if not isinstance(spec, dict):
            report(at, "must be a mapping with name, flag and region", f'e.g. {code}: {{name: Kosovo, flag: "🇽🇰"}}')
            continue
        for key in spec:
            if key not in _EXTRA_KEYS:
                close = difflib.get_close_matches(str(key), _EXTRA_KEYS, n=1)
                report((*at, key), f"unknown key '{key}'", f"did you mean '{close[0]}'?" if close else "entries take name, flag and region", key=True)
        name, flag, region = (spec.get(key) for key in _EXTRA_KEYS)
        named = name.strip() if isinstance(name, str) else ""
        if not named:
            blank = name is None or isinstance(name, str)
            report((*at, "name") if "name" in spec else at, "needs a name" if blank else f"name must be text, got {name!r}",
                   f"e.g. {code}: {{name: Kosovo}}", key="name" not in spec)
        taken = known.country_named(named) if named else None
        if taken is not None:
            report((*at, "name"), f"'{named}' already means {taken.name} ({taken.code})",
                   f"give the place a name of its own, or write {taken.code} in articles and leave this entry out")
        if flag is not None and (not isinstance(flag, str) or not flag.strip()):
            report((*at, "flag"), f"flag must be text, got {flag!r}", 'e.g. flag: "🇽🇰" (or leave it out)')
        shown_region = _REGION_NAMES.get(str(region).strip().casefold(), "") if region is not None else ""
        if region is not None and not shown_region:
            close = difflib.get_close_matches(str(region), REGIONS, n=1)
            report((*at, "region"), f"unknown region {region!r}", (f"did you mean '{close[0]}'? " if close else "") + "choose one of: " + ", ".join(REGIONS))
        if not named or taken is not None:
            continue
        result[code.upper()] = ExtraCountry(named, str(flag or "").strip(), shown_region)
    return result


def _source_aliases(value: Any, report: Report) -> dict[str, str]:
    """`sources: {aliases: {NYT: The New York Times}}`: each alias (matched like every source name, by its
    slug: whatever its case and spacing) → the name it stands for; an alias of an alias, or one spelling meant two ways, is refused."""
    example = "e.g. sources: {aliases: {NYT: The New York Times}}"
    if value is None:
        return {}
    if not isinstance(value, dict):
        report(("sources",), "must be a mapping with 'aliases'", example)
        return {}
    for key in value:
        if key != "aliases":
            unknown_key(report, "sources", key, ["aliases"])
    aliases = value.get("aliases") or {}
    if not isinstance(aliases, dict):
        report(("sources", "aliases"), "must map names to the source's own name", 'e.g. aliases: {NYT: "The New York Times", Reuters.com: Reuters}')
        return {}
    result: dict[str, str] = {}
    claimed: dict[str, tuple[str, str]] = {}
    """Each alias's slug → (the alias as written, the name it stands for)."""
    spellings: dict[str, str] = {}
    """Each source's slug → its name as the first alias to name it writes it: the name its page shows."""
    for name, target in aliases.items():
        at: KeyPath = ("sources", "aliases", name)
        if not isinstance(name, str) or not slugify(name):
            report(at, f"'{name}' has no letters or digits to match a source by", "write the spelling articles use, in quotes if need be", key=True)
            continue
        if not isinstance(target, str) or not slugify(target):
            report(at, f"must be the source's own name, got {target!r}", f'e.g. {name}: "The New York Times"')
            continue
        alias, meant = slugify(name), target.strip()
        if alias in claimed and slugify(claimed[alias][1]) != slugify(meant):
            first, other = claimed[alias]
            report(at, f"'{name}' matches the alias '{first}', which stands for '{other}'", "keep one of the two", key=True)
            continue
        spelled = spellings.setdefault(slugify(meant), meant)
        if spelled != meant:
            report(at, f"'{meant}' is '{spelled}' spelled another way", f"write {name}: {spelled}")
            continue
        claimed[alias] = (name, meant)
        result[name] = meant
    for name, meant in result.items():
        chained = claimed.get(slugify(meant))
        if chained is not None and slugify(chained[1]) != slugify(meant):
            report(("sources", "aliases", name), f"'{meant}' is itself an alias, of '{chained[1]}'", f"write {name}: {chained[1]}")
    return result


def _flag(key: str) -> Check:
    def check(value: Any, report: Report) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            report((key,), f"must be true or false, got {value!r}", f"e.g. {key}: true")
            return False
        return value

    return check


def _theme_params(value: Any, report: Report) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        report(("theme_params",), "must be a mapping of names to values", "e.g. theme_params: {accent: '#8a1c1c'}")
        return {}
    return {str(k): v for k, v in value.items()}


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """Which feed formats to write, and what their entries hold."""

    atom: bool = True
    rss: bool = True
    json: bool = True
    entries: int = 20
    full_content: bool = False

    @property
    def enabled(self) -> bool:
        return self.atom or self.rss or self.json


NO_FEEDS = FeedSettings(atom=False, rss=False, json=False)


def _feeds(value: Any, report: Report) -> FeedSettings:
    if value is None or value is True:
        return FeedSettings()
    if value is False:
        return NO_FEEDS
    example = "e.g. feeds: {atom: true, rss: true, json: true, entries: 20, full_content: false}"
    if not isinstance(value, dict):
        report(("feeds",), f"must be a mapping or false, got {value!r}", example)
        return FeedSettings()
    known = [f.name for f in fields(FeedSettings)]
    settings: dict[str, Any] = {}
    for key, given in value.items():
        if key not in known:
            unknown_key(report, "feeds", key, known)
        elif key == "entries":
            if isinstance(given, bool) or not isinstance(given, int) or given < 1:
                report(("feeds", key), f"must be a whole number of at least 1, got {given!r}", "e.g. entries: 20")
            else:
                settings[key] = given
        elif not isinstance(given, bool):
            report(("feeds", key), f"must be true or false, got {given!r}", f"e.g. {key}: true")
        else:
            settings[key] = given
    return FeedSettings(**settings)


@dataclass(frozen=True, slots=True)
class SearchSettings:
    """Whether the site gets a search page and a Pagefind index of its articles."""

    enabled: bool = False


def _search(value: Any, report: Report) -> SearchSettings:
    if value is None or value is False:
        return SearchSettings()
    if value is True:
        return SearchSettings(enabled=True)
    if not isinstance(value, dict):
        report(("search",), f"must be a mapping or true/false, got {value!r}", "e.g. search: {enabled: true}")
        return SearchSettings()
    known = [f.name for f in fields(SearchSettings)]
    for key in value:
        if key not in known:
            unknown_key(report, "search", key, known)
    enabled = value.get("enabled", False)
    if not isinstance(enabled, bool):
        report(("search", "enabled"), f"must be true or false, got {enabled!r}", "e.g. enabled: true")
        return SearchSettings()
    return SearchSettings(enabled=enabled)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one article may ask of a build, so that one file cannot make it run for minutes or write gigabytes."""

    topics_per_article: int = 25
    countries_per_article: int = 25
    markdown_depth: int = 50
    """The deepest nesting of block quotes and lists in an article's Markdown."""
    seconds_per_article: float = 10
    """CPU seconds one article's Markdown may take to convert."""


def _limits(value: Any, report: Report) -> Limits:
    if value is None:
        return Limits()
    example = "e.g. limits: {topics_per_article: 25, countries_per_article: 25, markdown_depth: 50, seconds_per_article: 10}"
    if not isinstance(value, dict):
        report(("limits",), f"must be a mapping, got {value!r}", example)
        return Limits()
    known = [f.name for f in fields(Limits)]
    settings: dict[str, Any] = {}
    for key, given in value.items():
        if key not in known:
            unknown_key(report, "limits", key, known)
        elif key == "seconds_per_article":
            if isinstance(given, bool) or not isinstance(given, (int, float)) or not 0 < given < float("inf"):
                report(("limits", key), f"must be a number of seconds above 0, got {given!r}", f"e.g. {key}: 10")
            else:
                settings[key] = given
        elif isinstance(given, bool) or not isinstance(given, int) or given < 1:
            report(("limits", key), f"must be a whole number of at least 1, got {given!r}", f"e.g. {key}: {getattr(Limits(), key)}")
        else:
            settings[key] = given
    return Limits(**settings)


@dataclass(frozen=True, slots=True)
class TopicDefinition:
    """One entry of the optional topic vocabulary in site.yaml."""

    slug: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()


def _topic_vocabulary(value: Any, report: Report) -> dict[str, TopicDefinition]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        report(("topics",), "must map topic slugs to {name, description, aliases}", "e.g. topics: {defence: {name: Defence}}")
        return {}
    result: dict[str, TopicDefinition] = {}
    for slug, spec in value.items():
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            report(("topics", slug), "must be a mapping with name, description, aliases", f"e.g. {slug}: {{name: {str(slug).title()}}}")
            continue
        for key in spec:
            if key not in ("name", "description", "aliases"):
                report(("topics", slug, key), f"unknown key '{key}'", "topic entries take name, description and aliases", key=True)
        aliases = spec.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            report(("topics", slug, "aliases"), "must be a list of names", "e.g. aliases: [AI, machine learning]")
            aliases = []
        canonical = slugify(str(slug))
        result[canonical] = TopicDefinition(
            slug=canonical,
            name=str(spec.get("name") or str(slug).replace("-", " ").title()),
            description=str(spec.get("description") or ""),
            aliases=tuple(aliases),
        )
    return result


# -- the options ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything site.yaml says, with defaults filled in and paths made absolute."""

    root: Path
    title: str = option("title", "", "the site's name", _text("title", "", required=True), shown="(required)")
    description: str = option("description", "", "one sentence, shown under the title and in page descriptions", _text("description", ""))
    base_url: str = option(
        "base_url", "/", "where the site is published, needed for feeds, sitemaps and canonical links; may include a path, "
        "e.g. `https://news.example.org/digest/`, and every link then starts with `/digest/`", _base_url, shown="",
    )
    language: str = option(
        "language", "en", "the pages' `lang` and `dir`, the language of the theme's text, dates, numbers and country names (see Languages), "
        "and the language feeds and the news sitemap declare", _language,
    )
    author: str = option("author", "", "who publishes the digest (a person or a newsroom): feeds and page metadata name it; "
                         "default: the site's title", _text("author", ""), shown="")
    timezone: str = option(
        "timezone", "UTC", "an IANA name such as `Europe/London`; dates without an offset are in this zone", _timezone, parsing=True,
    )
    theme: str = option("theme", "default", "a folder in `themes/` of the site, or a theme shipped with digest", _text("theme", "default"))
    theme_params: Mapping[str, Any] = option(
        "theme_params", {}, "values for the theme's templates (`site.params`), over the defaults in its theme.yaml", _theme_params, shown="",
    )
    content_dir: Path = option("content_dir", Path("content"), "where `articles/` lives", _folder("content_dir", "content"))
    output_dir: Path = option(
        "output_dir", Path("public"), "where the site is written; it may not be, contain or sit inside the sources",
        _folder("output_dir", "public"),
    )
    paginate: int = option("paginate", 20, "articles per list page", _paginate)
    countries: CountrySettings = option(
        "countries", NO_COUNTRY_SETTINGS, "`aliases: {Holland: NL}` adds names of your own for countries; "
        "`extra: {XK: {name: Kosovo, flag: \"🇽🇰\", region: Europe}}` adds places outside ISO 3166-1 (see Countries)",
        _countries, shown="", parsing=True,
    )
    source_aliases: Mapping[str, str] = option(
        "sources", {}, "`aliases: {NYT: The New York Times}` makes other spellings of a source one source page; "
        "`Reuters`, `reuters` and `REUTERS` are one already", _source_aliases, shown="",
    )
    topics: Mapping[str, TopicDefinition] = option(
        "topics", {}, "an optional vocabulary: `slug: {name, description, aliases}`; with one, an unknown topic is an error "
        "naming the closest ones", _topic_vocabulary, shown="", parsing=True,
    )
    markdown: MarkdownSettings = option(
        "markdown", MarkdownSettings(), "`{engine: python-markdown, unsafe_html: false}`: `engine: commonmark` converts "
        "Markdown as GitHub does, many times faster (see Markdown engines); `unsafe_html: true` passes raw HTML in articles "
        "through unsanitised (script links are removed anyway)", _markdown, shown="", parsing=True,
    )
    max_article_size: int = option(
        "max_article_size", DEFAULT_MAX_ARTICLE_SIZE, "larger article files are refused, e.g. `500 KB`", _size, shown="5 MB", parsing=True,
    )
    limits: Limits = option(
        "limits", Limits(), "how much one article may ask of a build: `{topics_per_article: 25, countries_per_article: 25, "
        "markdown_depth: 50, seconds_per_article: 10}`; `markdown_depth` counts nested block quotes and lists, "
        "`seconds_per_article` is the CPU time its Markdown may take to convert", _limits, shown="", parsing=True,
    )
    feeds: FeedSettings = option(
        "feeds", FeedSettings(), "Atom, RSS and JSON feeds for the site and every topic, country, source and author: "
        "`{atom: true, rss: true, json: true, entries: 20, full_content: false}`, or `false` for none; they need `base_url`",
        _feeds, shown="",
    )
    news_sitemap: bool = option(
        "news_sitemap", False, "also write `news-sitemap.xml` (a Google News sitemap of the last two days' articles)", _flag("news_sitemap"),
        shown="false",
    )
    editions: EditionSettings = option(
        "editions", NO_EDITIONS, "group articles into numbered editions with their own pages, feed and email: "
        "`{period: daily|weekly|monthly, week_starts: monday, title: \"{label}\", group_by: topic|country|none, email: true}`",
        check_editions, shown="",
    )
    relative_urls: bool = option(
        "relative_urls", False, "write every internal link relative to its page, so the output works opened from disk or moved "
        "under any path (feeds and sitemaps keep absolute URLs); `digest build --relative` does the same", _flag("relative_urls"),
        shown="false",
    )
    search: SearchSettings = option(
        "search", SearchSettings(), "`{enabled: true}`: a `/search/` page and a Pagefind index of every article, searched in the "
        "browser with topic, country, year, source and edition filters (see Search)", _search, shown="",
    )
    output_origin: Location | None = None
    """Where output_dir was chosen: its line in site.yaml, `--output`, or None for the default."""
    written_at: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False, hash=False)
    """Where each top-level key's value was written in site.yaml, for problems found after reading it (a theme or a
    content folder that is not there)."""

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. `/digest/`; always ends with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """`https://news.example.org` of base_url; '' when base_url is only a path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    @property
    def publisher(self) -> str:
        return self.author or self.title

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME


def setting_problem(config: SiteConfig, key: str, message: str, hint: str) -> Problem:
    """A problem with a setting found after site.yaml was read: at the line that sets it, else at site.yaml itself
    (where the default applies)."""
    where = config.written_at.get(key)
    if where is None:
        return Problem(Location(display_path(config.config_path)), message, key, hint)
    try:
        lines = config.config_path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    source = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    return Problem(where, message, key, hint, source)


def options() -> list[tuple[str, Option]]:
    """(SiteConfig field, its option) for every site.yaml key, in the order of the README's table."""
    return [(f.name, f.metadata["option"]) for f in fields(SiteConfig) if "option" in f.metadata]


KNOWN_KEYS: tuple[str, ...] = tuple(spec.key for _, spec in options())


def parsing_settings(config: SiteConfig) -> dict[str, Any]:
    """The options that change how an article file parses, as plain data (for cache keys)."""
    return {spec.key: getattr(config, name) for name, spec in options() if spec.parsing}


def options_table() -> str:
    """The README's site.yaml table, made from the declarations."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for _, spec in options():
        shown = f"`{spec.shown_default}`" if spec.shown_default and not spec.shown_default.startswith("(") else spec.shown_default
        rows.append(f"| `{spec.key}` | {shown} | {spec.description} |")
    return "\n".join(rows)


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line changes in site.yaml's settings."""

    output_dir: Path | None = None
    relative_urls: bool = False
    """`--relative`: as if site.yaml said `relative_urls: true`."""
    preview_url: str = ""
    """The preview server's address: the base URL when site.yaml gives none, so a new site previews with its feeds."""


NO_OVERRIDES = Overrides()


def parse_config(text: str, root: Path, overrides: Overrides = NO_OVERRIDES) -> SiteConfig:
    """site.yaml's text for the site in `root`, with the command line's `overrides`."""
    path = display_path(root / CONFIG_NAME)
    try:
        doc = parse_yaml(text, path)
    except DigestError as exc:
        raise ConfigError(exc.problems) from None
    return _validate(root, path, doc, text.splitlines(), overrides)


def _validate(root: Path, path: Path, doc: YamlDoc, lines: list[str], overrides: Overrides) -> SiteConfig:
    """Run every option's check over the document, collecting every problem before raising."""
    problems = Problems()

    def report(at: KeyPath, message: str, hint: str = "", *, key: bool = False) -> None:
        spot = (doc.keys.get(at) if key else None) or doc.spot(at)
        source = lines[spot.line - 1] if 0 < spot.line <= len(lines) else ""
        problems.add(Problem(Location(path, spot.line, spot.col), message, ".".join(str(part) for part in at), hint, source))

    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        report((), "site.yaml must be a mapping of keys to values", "start with a line like 'title: My Digest'")
        problems.raise_if_any(ConfigError)
    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(KNOWN_KEYS)
            report((key,), f"unknown key '{key}'", hint, key=True)
    values = {name: spec.check(data.get(spec.key), report) for name, spec in options()}
    if not _has_host(values["base_url"]) and overrides.preview_url:
        values["base_url"] = overrides.preview_url
    values["relative_urls"] = values["relative_urls"] or overrides.relative_urls
    if values["feeds"].enabled and not _has_host(values["base_url"]) and data.get("base_url") in (None, "/"):  # else reported above
        at: KeyPath = ("feeds",) if "feeds" in data else ()
        report(at, "feeds need absolute links, so base_url is required", key="feeds" in data,
               hint="add the address the site will be published at, e.g. base_url: https://news.example.org/ (or turn feeds off: feeds: false)")
    if values["editions"].email and values["editions"].enabled and not _has_host(values["base_url"]) and data.get("base_url") in (None, "/"):
        report(("editions",), "edition emails need absolute links, so base_url is required", key=True,
               hint="add the address the site will be published at, e.g. base_url: https://news.example.org/ (or editions: {email: false})")
    problems.raise_if_any(ConfigError)
    values["content_dir"] = (root / values["content_dir"]).resolve()
    values["output_dir"] = overrides.output_dir.resolve() if overrides.output_dir else (root / values["output_dir"]).resolve()
    _check_folder_names(root, path, doc, data, values, overrides)
    written_at = {str(key): Location(path, doc.spot((key,)).line, doc.spot((key,)).col) for key in data if key in KNOWN_KEYS}
    return SiteConfig(root=root, output_origin=_output_origin(doc, path, data, overrides.output_dir), written_at=written_at, **values)


def _check_folder_names(root: Path, path: Path, doc: YamlDoc, data: dict[str, Any], values: dict[str, Any], overrides: Overrides) -> None:
    """Every name digest stores, prints or writes must be text: a folder named in bytes that are not UTF-8 is refused."""
    hint = "rename it, or choose another folder"
    if undecodable(str(root.absolute())):
        raise ConfigError.single(path, f"the site's folder {root.absolute()} has a name that is not valid UTF-8", hint=hint)
    problems = Problems()
    for key in ("content_dir", "output_dir"):
        if undecodable(str(values[key])):
            if key == "output_dir" and overrides.output_dir:
                where = Location(Path("--output"))
            else:
                spot = doc.spot((key,))
                where = Location(path, spot.line, spot.col) if key in data else Location(path)
            problems.add(Problem(where, f"the folder {values[key]} has a name that is not valid UTF-8", "" if overrides.output_dir and key == "output_dir" else key, hint))
    problems.raise_if_any(ConfigError)


def _has_host(url: str) -> bool:
    try:
        return bool(urlsplit(url).netloc)
    except ValueError:  # reported by the base_url check already
        return True


def _output_origin(doc: YamlDoc, path: Path, data: dict[str, Any], output_override: Path | None) -> Location | None:
    if output_override:
        return Location(Path("--output"))
    if "output_dir" in data:
        spot = doc.spot(("output_dir",))
        return Location(path, spot.line, spot.col)
    return None

