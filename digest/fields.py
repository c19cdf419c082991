"""Front matter fields → typed values: one converter per field, every problem reported at its line and column."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from .addresses import AddressProblem, web_address
from .config import SiteConfig, TopicDefinition
from .countries import Country, CountryIndex, UnknownCountry
from .errors import Location, Problem, Problems
from .i18n import language_problem, language_tag
from .names import MAX_SLUG, slugify
from .yamlfile import KeyPath, YamlDoc

CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
JOINERS = frozenset("\u200c\u200d")
"""ZWNJ and ZWJ: invisible, yet between two letters they decide how Persian and Indic words and emoji sequences are drawn."""
TAGS = frozenset([chr(0xE0001), *map(chr, range(0xE0020, 0xE0080))])
"""Tag characters: after an emoji flag they name the region it shows (Scotland's flag is one)."""
VISIBLE_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd")
"""Format characters that are seen: the Arabic number sign and its kin (Unicode's prepended concatenation marks)."""


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic as one article names it: the shared slug and the spelling used."""

    slug: str
    label: str


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An article's picture as its front matter names it: a file inside content/ or an http(s) URL, and its words.

    Where `src` was written travels along (not compared), so a later stage that
    finds the file missing or unreadable can point at that line.
    """

    src: str
    alt: str
    caption: str = ""
    credit: str = ""
    line: int = field(default=0, compare=False)
    col: int = field(default=0, compare=False)
    source_line: str = field(default="", compare=False)

    @property
    def remote(self) -> bool:
        return self.src.startswith(("http://", "https://"))



class UnknownTopic(ValueError):
    """A topic spelling the site does not accept, with what to write instead."""

    def __init__(self, message: str, hint: str) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class TopicNames:
    """How a topic's spelling becomes its slug: slugified, then the vocabulary's aliases; with a vocabulary, only its topics."""

    vocabulary: Mapping[str, TopicDefinition]
    aliases: Mapping[str, str]

    @classmethod
    def of(cls, config: SiteConfig) -> TopicNames:
        aliases = {slugify(alias): slug for slug, spec in config.topics.items() for alias in spec.aliases}
        return cls(config.topics, aliases)

    def slug(self, written: str) -> str:
        """The slug `written` names, or `UnknownTopic` saying why it names none."""
        slug = slugify(written)
        if not slug:
            raise UnknownTopic(f"'{written}' has no letters or digits to name a topic by", "use a word such as 'defence'")
        slug = self.aliases.get(slug, slug)
        if self.vocabulary and slug not in self.vocabulary:
            close = difflib.get_close_matches(slug, list(self.vocabulary), n=3)
            hint = ("did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else "known topics: " + ", ".join(sorted(self.vocabulary))
            raise UnknownTopic(f"unknown topic '{written}'", hint + " (or add it under topics: in site.yaml)")
        return slug


class FieldReader:
    """Converts one file's front matter with the site's rules, collecting every problem before giving up."""

    def __init__(self, config: SiteConfig, countries: CountryIndex, path: Path, shown: Path, doc: YamlDoc, lines: list[str]) -> None:
        self.config = config
        self.countries = countries
        self.path = path
        self.shown = shown
        self.doc = doc
        self.lines = lines
        self.problems = Problems()

    def convert(self, data: dict[str, Any]) -> dict[str, Any]:
        """Every field's value under its `Article` name; check `problems` before using them."""
        for key in data:
            if key not in FIELDS:
                shown = "~" if key is None else str(key)
                meant = suggested_field(shown)
                hint = f"did you mean '{meant}'?" if meant else "custom fields go under 'extra:'"
                self.report((key,), f"unknown field '{shown}'", hint, key=True, name=shown)
        return {name: convert(self, data) for name, convert in CONVERTERS.values()}

    # -- reporting -----------------------------------------------------------

    def report(self, at: KeyPath, message: str, hint: str = "", *, key: bool = False, name: str = "") -> None:
        spot = (self.doc.keys.get(at) if key else None) or self.doc.spot(at)
        if not at:
            spot = self.doc.spot(())
        if key:
            name = name or str(at[0])
        field_name = name or (str(at[0]) if at else "")
        line = self.lines[spot.line - 1] if 0 < spot.line <= len(self.lines) else ""
        self.problems.add(Problem(Location(self.shown, spot.line, spot.col), message, field_name, hint, line))

    def missing(self, name: str, example: str) -> None:
        self.problems.add(
            Problem(Location(self.shown, 1, 1), "is required", name, f"add a line '{example}' to the front matter", self.lines[0])
        )

    def quote_hint(self, at: KeyPath, value: Any) -> str:
        """Explain YAML's surprises: unquoted NO is false, 1:20 a number, 0x1F an int."""
        spot = self.doc.spots.get(at)
        raw = spot.raw if spot and spot.raw is not None else str(value)
        reading = f"YAML reads unquoted {raw} as {_yaml_kind(value)}; " if spot and spot.plain and not isinstance(value, str) else ""
        return f'{reading}put it in quotes: "{raw}"'

    # -- fields --------------------------------------------------------------

    def text(self, data: dict[str, Any], name: str, *, required: bool = False) -> str:
        value = data.get(name)
        if value is None:
            if required and name in data:
                self.report((name,), "must not be empty", f"write the article's {name} after '{name}:'", key=True)
            elif required:
                self.missing(name, f"{name}: ...")
            return ""
        if not isinstance(value, str):
            self.report((name,), f"must be text, got {_yaml_kind(value)}", self.quote_hint((name,), value))
            return ""
        value = visible_text(value)
        if required and not value:
            self.report((name,), "must not be empty", f"write the article's {name} after '{name}:'")
        return self.checked_characters((name,), value)

    def checked_characters(self, at: KeyPath, value: str) -> str:
        """Refuse characters that cannot be written out or that reorder text invisibly."""
        problem = character_problem(value)
        if problem is None:
            return value
        self.report(at, *problem)
        return ""

    def published(self, data: dict[str, Any]) -> datetime | None:
        if data.get("date") is None:
            self.missing("date", "date: 2021-11-24")
            return None
        return self.moment(data, "date")

    def updated(self, data: dict[str, Any]) -> datetime | None:
        """When the article last changed in substance (feeds and sitemaps show it); never before its date."""
        if data.get("updated") is None:
            return None
        moment = self.moment(data, "updated")
        published = self.moment(data, "date", report=False) if data.get("date") is not None else None
        if moment is not None and published is not None and moment < published:
            self.report(("updated",), f"is before the article's date ({published.date().isoformat()})", "give the date of the last change, or remove 'updated:'")
            return None
        return moment

    def moment(self, data: dict[str, Any], name: str, *, report: bool = True) -> datetime | None:
        """A date or time field as an aware datetime in the site's zone (a bare date is its midnight)."""
        value = data.get(name)
        zone = self.config.zone
        say = self.report if report else (lambda *args, **kwargs: None)
        hint = "write it as YYYY-MM-DD (2021-11-24) or an ISO 8601 time (2021-11-24T09:30:00+01:00)"
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())
        elif isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                real = _calendar_problem(value)
                say((name,), real or f"must be a date like 2021-11-24, got '{value}'", hint)
                return None
        else:
            say((name,), f"must be a date like 2021-11-24, got {_yaml_kind(value)} {value!r}", hint)
            return None
        local = moment
        if 1900 <= moment.year <= 2200:
            local = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
        if not 1900 <= local.year <= 2200:
            say((name,), f"year {local.year} is outside 1900-2200", "check for a typo in the year")
            return None
        return local

    def items(self, data: dict[str, Any], name: str, example: str) -> list[tuple[KeyPath, str]]:
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            shown = f"'{value}'" if isinstance(value, str) else _shown(value)
            self.report((name,), f"must be a list, got {_yaml_kind(value)} {shown}", f"write a list in brackets, e.g. {name}: {example}")
            return []
        found: list[tuple[KeyPath, str]] = []
        for index, item in enumerate(value):
            at: KeyPath = (name, index)
            if isinstance(item, str) and not visible_text(item):
                self.report(at, f"entry {index + 1} is empty", "remove it, or write a name there", name=name)
            elif not isinstance(item, str):
                self.report(at, f"entry {index + 1} must be a name, got {_yaml_kind(item)}", self.quote_hint(at, item), name=name)
            else:
                found.append((at, self.checked_characters(at, visible_text(item))))
        return [(at, text) for at, text in found if text]

    def over_limit(self, data: dict[str, Any], name: str, limit: int, setting: str) -> bool:
        """Whether the list `name` holds more than `limit` entries (each one a page of the site), reported at its key."""
        value = data.get(name)
        if not isinstance(value, list) or len(value) <= limit:
            return False
        self.report(
            (name,), f"has {len(value)} {name}; an article may have at most {limit}",
            f"keep the {name} that matter most, or raise the limit in site.yaml: limits: {{{setting}: {len(value)}}}", key=True,
        )
        return True

    def country_list(self, data: dict[str, Any]) -> tuple[Country, ...]:
        if self.over_limit(data, "countries", self.config.limits.countries_per_article, "countries_per_article"):
            return ()
        countries: list[Country] = []
        for at, written in self.items(data, "countries", "[Israel, Morocco]"):
            try:
                country = self.countries.resolve(written)
            except UnknownCountry as exc:
                self.report(at, f"unknown country '{written}'", exc.hint, name="countries")
                continue
            if country not in countries:
                countries.append(country)
        return tuple(countries)

    def topic_list(self, data: dict[str, Any]) -> tuple[TopicRef, ...]:
        if self.over_limit(data, "topics", self.config.limits.topics_per_article, "topics_per_article"):
            return ()
        names = TopicNames.of(self.config)
        topics: list[TopicRef] = []
        for at, written in self.items(data, "topics", "[defence, diplomacy]"):
            try:
                slug = names.slug(written)
            except UnknownTopic as exc:
                self.report(at, exc.message, exc.hint, name="topics")
                continue
            if all(t.slug != slug for t in topics):
                topics.append(TopicRef(slug, written))
        return tuple(topics)

    def url(self, data: dict[str, Any]) -> str:
        """The original article's address, in the ASCII form every `href` and feed can carry as it is (see `web_address`)."""
        value = self.text(data, "url")
        if not value:
            return ""
        try:
            return web_address(value)
        except AddressProblem as exc:
            self.report(("url",), exc.message, exc.hint)
            return ""

    def slug(self, data: dict[str, Any]) -> str:
        value = data.get("slug")
        if value is None:
            slug = slugify(self.path.stem)
            if not slug:
                self.problems.add(Problem(Location(self.shown, 1, 1), f"the file name '{self.path.name}' gives no usable slug", "slug", "rename the file or add 'slug: my-article'", self.lines[0]))
            return slug
        if not isinstance(value, str):
            self.report(("slug",), f"must be text, got {_yaml_kind(value)}", self.quote_hint(("slug",), value))
            return ""
        if value != slugify(value) or not value or len(value) > MAX_SLUG:
            suggestion = slugify(value)
            hint = f"use '{suggestion}'" if suggestion else "use lower-case letters, digits and '-'"
            self.report(("slug",), f"'{value}' is not a valid slug (lower-case a-z, 0-9 and '-', at most {MAX_SLUG})", hint)
            return ""
        return value

    def image(self, data: dict[str, Any]) -> ImageRef | None:
        """`image: {src, alt, caption, credit}`: where the picture is and what it shows; `alt` is required."""
        value = data.get("image")
        if value is None:
            return None
        example = "image:\n      src: images/pact.jpg\n      alt: The two ministers shake hands in Rabat"
        if not isinstance(value, dict):
            hint = f"give its file and a description, e.g.\n    {example}"
            self.report(("image",), f"must be a mapping with src and alt, got {_yaml_kind(value)}", hint)
            return None
        for key in value:
            if key not in IMAGE_FIELDS:
                self.report(("image", key), f"unknown image field '{key}'", "use " + ", ".join(IMAGE_FIELDS), key=True, name="image")
        words = {}
        for name in IMAGE_FIELDS:
            text = value.get(name)
            if text is not None and not isinstance(text, str):
                self.report(("image", name), f"{name} must be text, got {_yaml_kind(text)}", self.quote_hint(("image", name), text), name="image")
                return None
            words[name] = self.checked_characters(("image", name), visible_text(text or ""))
        src = str(value.get("src") or "").strip()
        if not src:
            self.report(("image",), "needs src: the image's path inside content/ or an http(s) URL", f"e.g.\n    {example}", key=True)
            return None
        if not words["alt"]:
            self.report(("image",), "needs alt: a few words saying what the picture shows, for readers who cannot see it", f"e.g.\n    {example}", key=True)
            return None
        if "://" in src and not src.startswith(("http://", "https://")) or src.startswith("//"):
            self.report(("image", "src"), f"must be a path inside content/ or an http(s) URL, got '{src}'", "e.g. src: images/pact.jpg", name="image")
            return None
        spot = self.doc.spot(("image", "src"))
        line = self.lines[spot.line - 1] if 0 < spot.line <= len(self.lines) else ""
        return ImageRef(src, words["alt"], words["caption"], words["credit"], spot.line, spot.col, line)

    def language(self, data: dict[str, Any]) -> str:
        """An article's own language: a tag CLDR knows ('ar', 'pt-BR'), written as HTML's `lang` wants it."""
        tag = self.text(data, "language")
        problem = language_problem(tag) if tag else None
        if problem:
            self.report(("language",), problem, "use a language code such as ar, fr, he or pt-BR (or remove the line for the site's language)")
            return ""
        return language_tag(tag)

    def flag(self, data: dict[str, Any], name: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.report((name,), f"must be true or false, got {value!r}", f"write {name}: true or {name}: false")
            return False
        return value

    def mapping(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report((name,), f"must be a mapping of names to values, got {_yaml_kind(value)}", f"indent custom fields under '{name}:', e.g.\n    {name}:\n      region: Maghreb")
            return {}
        return value


def visible_text(value: str) -> str:
    """`value` as a reader sees it: invisible format characters (U+200B, U+2060, U+FEFF, …) removed, white space made
    single spaces, NFC; so a title of zero-width characters alone is empty.

    Bidirectional controls stay, for `character_problem` to report; joiners stay between two visible characters and tag
    characters after one, where they change what is drawn.
    """
    if not value.isprintable():  # str.isprintable is false for every format character: the usual title skips the loop
        value = _without_invisibles(value)
    return unicodedata.normalize("NFC", " ".join(value.split()))


def _without_invisibles(text: str) -> str:
    kept: list[str] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) != "Cf" or char in BIDI_CONTROLS or char in VISIBLE_FORMAT:
            kept.append(char)
        elif char in JOINERS:
            if kept and _visible(kept[-1]) and index + 1 < len(text) and _visible(text[index + 1]):
                kept.append(char)
        elif char in TAGS and kept and (_visible(kept[-1]) or kept[-1] in TAGS):
            kept.append(char)
    return "".join(kept)


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) != "Cf"


def character_problem(value: str) -> tuple[str, str] | None:
    """(message, hint) for the first character a web page cannot show or that reorders text invisibly."""
    bad = next((c for c in value if "\ud800" <= c <= "\udfff" or c in BIDI_CONTROLS or c in CONTROL_CHARACTERS), None)
    if bad is None:
        return None
    if bad in BIDI_CONTROLS:
        what, hint = "an invisible bidirectional control character", "delete it; right-to-left text displays correctly without it"
    else:
        kind = "a lone surrogate" if "\ud800" <= bad <= "\udfff" else "a control character"
        what, hint = kind, "delete it; it cannot appear in a web page"
    return f"contains {what} (U+{ord(bad):04X})", hint


def _yaml_kind(value: Any) -> str:
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "true/false"), (int, "a number"), (float, "a number"), (datetime, "a date and time"),
        (date, "a date"), (list, "a list"), (dict, "a mapping"), (str, "text"), (type(None), "nothing"),
    ]
    for kind, name in kinds:
        if isinstance(value, kind):
            if kind is bool:
                return "false" if value is False else "true"
            return name
    return type(value).__name__


def _shown(value: Any) -> str:
    """A value as the user wrote it in YAML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return ""
    return str(value)


def _calendar_problem(text: str) -> str:
    """Say why a date-shaped string is no real date (2021-02-30), else ''."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2}).*", text)
    if not match:
        return ""
    year, month, day = (int(part) for part in match.groups())
    try:
        date(year, month, day)
    except ValueError as exc:
        return f"'{text.strip()}' is not a real date ({exc})"
    return ""



Converter = Callable[[FieldReader, dict[str, Any]], Any]

CONVERTERS: Mapping[str, tuple[str, Converter]] = {
    "title": ("title", lambda reader, data: reader.text(data, "title", required=True)),
    "date": ("published", FieldReader.published),
    "updated": ("updated", FieldReader.updated),
    "countries": ("countries", FieldReader.country_list),
    "topics": ("topics", FieldReader.topic_list),
    "source": ("source", lambda reader, data: reader.text(data, "source")),
    "url": ("url", FieldReader.url),
    "summary": ("summary", lambda reader, data: reader.text(data, "summary")),
    "author": ("author", lambda reader, data: reader.text(data, "author")),
    "language": ("language", FieldReader.language),
    "image": ("image", FieldReader.image),
    "slug": ("slug", FieldReader.slug),
    "draft": ("draft", lambda reader, data: reader.flag(data, "draft")),
    "extra": ("extra", lambda reader, data: reader.mapping(data, "extra")),
}
"""Front matter field → (the `Article` attribute it fills, its converter)."""

FIELDS: tuple[str, ...] = tuple(CONVERTERS)

IMAGE_FIELDS = ("src", "alt", "caption", "credit")

FIELD_SYNONYMS: Mapping[str, str] = {
    **dict.fromkeys(("tags", "tag", "topic", "categories", "category", "keywords", "keyword", "subjects", "subject", "themes"), "topics"),
    **dict.fromkeys(("country", "nations", "nation", "locations", "location", "places", "place"), "countries"),
    **dict.fromkeys(("link", "links", "source_url", "sourceurl", "original", "original_url", "href", "uri"), "url"),
    **dict.fromkeys(("description", "excerpt", "abstract", "lede", "lead", "teaser", "blurb", "standfirst", "dek"), "summary"),
    **dict.fromkeys(("authors", "byline", "by", "writer", "writers", "curator"), "author"),
    **dict.fromkeys(("publication", "publisher", "outlet", "via", "newspaper"), "source"),
    **dict.fromkeys(("published", "pubdate", "pub_date", "published_at", "publish_date", "created", "created_at"), "date"),
    **dict.fromkeys(("modified", "last_modified", "lastmod", "updated_at", "modified_at", "edited"), "updated"),
    **dict.fromkeys(("headline", "heading", "name"), "title"),
    **dict.fromkeys(("picture", "photo", "img", "thumbnail", "cover", "cover_image", "featured_image"), "image"),
    **dict.fromkeys(("permalink", "url_slug"), "slug"),
    **dict.fromkeys(("drafts", "unpublished", "hidden"), "draft"),
}
"""Names other generators and habits give a field, by what digest calls it: asked before spelling is compared, where
difflib would offer 'countries' for 'categories'."""


def suggested_field(written: str) -> str | None:
    """The field an unknown front-matter key most likely means: a known synonym, the same name in other case, else the
    closest spelling."""
    key = re.sub(r"[\s-]+", "_", written.strip()).casefold()
    if key in FIELD_SYNONYMS:
        return FIELD_SYNONYMS[key]
    if key in FIELDS:
        return key
    close = difflib.get_close_matches(key, FIELDS, n=1)
    return close[0] if close else None
