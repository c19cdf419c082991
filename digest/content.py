"""Article files → `Article`s: front matter split, field checks, Markdown → HTML.

Every problem in every file is collected, then reported at once with the line
and column of the .md file (not of the YAML block).
"""

from __future__ import annotations

import difflib
import hashlib
import html
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar
from urllib.parse import urlsplit

import markdown
from markupsafe import Markup

from .config import SiteConfig
from .countries import Country, CountryIndex, UnknownCountry
from .errors import ContentError, DigestError, Location, Problem, Problems, display_path
from .names import MAX_SLUG, slugify
from .sanitize import Sanitizer
from .yamlfile import KeyPath, YamlDoc, parse_yaml

T = TypeVar("T")

ARTICLES_DIR = "articles"
FIELDS = ("title", "date", "countries", "topics", "source", "url", "summary", "author", "slug", "draft", "extra")
MARKDOWN_EXTENSIONS = ("extra", "toc", "sane_lists")
SUMMARY_WORDS = 50
CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
EXAMPLE = "---\ntitle: Israel signs defence pact with Morocco\ndate: 2021-11-24\n---"


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic as one article names it: the shared slug and the spelling used."""

    slug: str
    label: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article, fully parsed and rendered; the unit every later stage works on.

    Equality ignores the body: two versions that compare equal look the same on
    every list, so a body-only edit re-renders the article's own page alone.
    """

    path: Path
    slug: str
    title: str
    published: datetime
    countries: tuple[Country, ...]
    topics: tuple[TopicRef, ...]
    source: str
    url: str
    summary: str
    author: str
    draft: bool
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    body_html: Markup = field(default=Markup(""), compare=False)
    """The rendered, sanitised body: trusted HTML, so templates show it without escaping."""
    fingerprint: str = field(default="", compare=False)
    """Digest of the file's bytes: changes with any edit."""
    meta_fingerprint: str = field(default="", compare=False)
    """Digest of what lists show (the front matter, and the body when the summary comes from it)."""
    body_key: str = field(default="", compare=False)
    """Set when the body was moved to a `BodyStore` (then `body_html` is empty)."""

    @property
    def day(self) -> date:
        """The calendar date in the site's time zone (what URLs and archives use)."""
        return self.published.date()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An article file's bytes with the names used to report on it."""

    path: Path
    shown: Path
    data: bytes
    refusal: str = ""
    """Why the file was not read (too large, a link out of the content folder), if it was not."""

    @property
    def fingerprint(self) -> str:
        """A digest of the bytes (and of why they were not read, if they were not)."""
        return source_fingerprint(self.data, self.refusal)


def source_fingerprint(data: bytes, refusal: str = "") -> str:
    """A digest of a file's bytes, and of why they were not read if they were not."""
    return hashlib.sha256(data).hexdigest() + (f"|{refusal}" if refusal else "")


def shared_values(pool: dict[Any, Any], values: Iterable[T]) -> tuple[T, ...]:
    """`values` as the equal objects already in `pool` (adding new ones), so many articles hold one copy."""
    return tuple(pool.setdefault(value, value) for value in values)


def is_ignored_name(name: str) -> bool:
    """Dotfiles and editor debris never count as content."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___"))
        or name == "4913"
    )


def find_article_files(content_dir: Path) -> list[Path]:
    """Every regular `*.md` under content/articles, in a stable order (symlinked folders are not followed)."""
    found: list[Path] = []
    pending = [str(content_dir / ARTICLES_DIR)]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif entry.name.endswith(".md") and entry.is_file():
                found.append(Path(entry.path))
    return sorted(found)


def human_size(size: int) -> str:
    """1536 → '1.5 KB', 5242880 → '5 MB'."""
    for unit, scale in (("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


@dataclass(frozen=True, slots=True)
class SourceStamp:
    """What a build needs to know of a file before parsing it: its name and a digest of its bytes."""

    path: Path
    fingerprint: str


def read_source(path: Path, config: SiteConfig) -> SourceFile:
    """The bytes of one file, unless it is too large or a link leading out of the content folder."""
    data, refusal = _read_bytes(path, config)
    return SourceFile(path, display_path(path), data, refusal)


def _read_bytes(path: Path, config: SiteConfig) -> tuple[bytes, str]:
    """The file's bytes, or b"" and why they were not read."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        real = path.resolve()
        if config.content_dir.resolve() not in real.parents:
            return b"", f"is a link to {real}, outside {display_path(config.content_dir)}/"
        info = os.stat(path)
    if info.st_size > config.max_article_size:
        return b"", f"is {human_size(info.st_size)}, over the {human_size(config.max_article_size)} limit"
    with open(path, "rb") as handle:
        return handle.read(), ""


def stamp_sources(paths: Iterable[Path], config: SiteConfig) -> list[SourceStamp]:
    """A digest of every file, reading one at a time (a large site never sits in memory whole)."""
    stamps = []
    for path in paths:
        data, refusal = _read_bytes(path, config)
        stamps.append(SourceStamp(path, source_fingerprint(data, refusal)))
    return stamps


class MarkdownRenderer:
    """One reused Markdown converter (building one costs more than a short article), then the sanitiser."""

    def __init__(self, unsafe_html: bool = False) -> None:
        self._md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
        self._sanitizer = Sanitizer(unsafe_html)

    def convert(self, text: str) -> str:
        self._md.reset()
        return self._sanitizer.clean(self._md.convert(text))


@dataclass(slots=True)
class ArticleParser:
    """Turns `SourceFile`s into `Article`s with the site's rules (time zone, countries, topics)."""

    config: SiteConfig
    countries: CountryIndex
    markdown: MarkdownRenderer = field(init=False)

    def __post_init__(self) -> None:
        self.markdown = MarkdownRenderer(self.config.unsafe_html)

    def parse(self, source: SourceFile) -> Article:
        """One article, or a `ContentError` listing every problem in the file."""
        return _FileReader(self, source).read()


@dataclass(frozen=True, slots=True)
class Parts:
    """A file split at its front-matter fences."""

    front: str
    body: str
    lines: list[str]


def split_front_matter(text: str, shown: Path) -> Parts:
    """Separate the YAML between the `---` fences from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ContentError.single(
            shown,
            "no front matter: an article must start with a line '---'",
            line=1,
            col=1,
            hint="begin the file with its fields between two '---' lines:\n" + _indent(EXAMPLE),
            source_line=lines[0] if lines else "",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Parts("\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), lines)
    raise ContentError.single(
        shown,
        "front matter is not closed",
        line=1,
        col=1,
        hint="add a line '---' after the last field, before the article's text",
        source_line=lines[0],
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def decode(source: SourceFile) -> str:
    """UTF-8 (with or without BOM), any line ending, normalised to LF."""
    data = source.data[3:] if source.data.startswith(b"\xef\xbb\xbf") else source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError.single(
            source.shown, "is UTF-16 text; digest reads UTF-8", line=1, col=1,
            hint=f"convert it, e.g. iconv -f UTF-16 -t UTF-8 {source.shown} > converted.md, or save it as UTF-8 in your editor",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line_end = data.find(b"\n", exc.start)
        before = data[line_start : exc.start].decode("utf-8", errors="replace")
        shown = data[line_start : line_end if line_end >= 0 else len(data)].decode("utf-8", errors="replace")
        raise ContentError.single(
            source.shown,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            line=data.count(b"\n", 0, exc.start) + 1,
            col=len(before) + 1,
            hint="save the file as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 in.md > out.md",
            source_line=shown,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _FileReader:
    """Reads one file, collecting every field problem before giving up."""

    def __init__(self, parser: ArticleParser, source: SourceFile) -> None:
        self.parser = parser
        self.config = parser.config
        self.source = source
        self.problems = Problems()
        self.doc: YamlDoc | None = None
        self.lines: list[str] = []

    def read(self) -> Article:
        if self.source.refusal:
            hint = "raise max_article_size in site.yaml if this is right" if "limit" in self.source.refusal else (
                "move the file into the content folder instead of linking to it"
            )
            raise ContentError.single(self.source.shown, self.source.refusal, hint=hint)
        text = decode(self.source)
        parts = split_front_matter(text, self.source.shown)
        self.lines = parts.lines
        self.doc = parse_yaml(parts.front, self.source.shown, first_line=2, lines=parts.lines)
        data = self.doc.data
        if data is None:
            raise ContentError.single(
                self.source.shown, "front matter is empty", line=1, col=1,
                hint="give at least a title and a date:\n" + _indent(EXAMPLE), source_line=parts.lines[0],
            )
        if not isinstance(data, dict):
            self.report((), "front matter must be 'field: value' lines", f"for example:\n{_indent(EXAMPLE)}")
            self.problems.raise_if_any(ContentError)
        for key in data:
            if key not in FIELDS:
                shown = "~" if key is None else str(key)
                close = difflib.get_close_matches(shown, FIELDS, n=1)
                hint = f"did you mean '{close[0]}'?" if close else "custom fields go under 'extra:'"
                self.report((key,), f"unknown field '{shown}'", hint, key=True, name=shown)
        article = self.build(data, parts)
        self.problems.raise_if_any(ContentError)
        assert article is not None
        return article

    def build(self, data: dict[str, Any], parts: Parts) -> Article | None:
        title = self.text(data, "title", required=True)
        published = self.published(data)
        countries = self.country_list(data)
        topics = self.topic_list(data)
        source = self.text(data, "source")
        url = self.url(data)
        summary = self.text(data, "summary")
        author = self.text(data, "author")
        slug = self.slug(data)
        draft = self.flag(data, "draft")
        extra = self.mapping(data, "extra")
        if self.problems or published is None:
            return None
        body_html = Markup(self.parser.markdown.convert(parts.body))
        shown_in_lists = parts.front + ("\0" + parts.body if not summary else "")
        return Article(
            path=self.source.path,
            slug=slug,
            title=title,
            published=published,
            countries=countries,
            topics=topics,
            source=source,
            url=url,
            summary=summary or summarise(body_html),
            author=author,
            draft=draft,
            body_html=body_html,
            fingerprint=self.source.fingerprint,
            meta_fingerprint=hashlib.sha256(shown_in_lists.encode("utf-8", "surrogatepass")).hexdigest(),
            extra=extra,
        )

    # -- reporting -----------------------------------------------------------

    def report(self, at: KeyPath, message: str, hint: str = "", *, key: bool = False, name: str = "") -> None:
        assert self.doc is not None
        spot = (self.doc.keys.get(at) if key else None) or self.doc.spot(at)
        if not at:
            spot = self.doc.spot(())
        if key:
            name = name or str(at[0])
        field_name = name or (str(at[0]) if at else "")
        line = self.lines[spot.line - 1] if 0 < spot.line <= len(self.lines) else ""
        self.problems.add(Problem(Location(self.source.shown, spot.line, spot.col), message, field_name, hint, line))

    def missing(self, name: str, example: str) -> None:
        self.problems.add(
            Problem(Location(self.source.shown, 1, 1), "is required", name, f"add a line '{example}' to the front matter", self.lines[0])
        )

    def quote_hint(self, at: KeyPath, value: Any) -> str:
        """Explain YAML's surprises: unquoted NO is false, 1:20 a number, 0x1F an int."""
        assert self.doc is not None
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
        value = unicodedata.normalize("NFC", " ".join(value.split()))
        if required and not value:
            self.report((name,), "must not be empty", f"write the article's {name} after '{name}:'")
        return self.checked_characters((name,), value)

    def checked_characters(self, at: KeyPath, value: str) -> str:
        """Refuse characters that cannot be written out or that reorder text invisibly."""
        bad = next((c for c in value if "\ud800" <= c <= "\udfff" or c in BIDI_CONTROLS or c in CONTROL_CHARACTERS), None)
        if bad is None:
            return value
        if bad in BIDI_CONTROLS:
            what, hint = "an invisible bidirectional control character", "delete it; right-to-left text displays correctly without it"
        else:
            kind = "a lone surrogate" if "\ud800" <= bad <= "\udfff" else "a control character"
            what, hint = kind, "delete it; it cannot appear in a web page"
        self.report(at, f"contains {what} (U+{ord(bad):04X})", hint)
        return ""

    def published(self, data: dict[str, Any]) -> datetime | None:
        value = data.get("date")
        zone = self.config.zone
        if value is None:
            self.missing("date", "date: 2021-11-24")
            return None
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
                self.report(("date",), real or f"must be a date like 2021-11-24, got '{value}'", hint)
                return None
        else:
            self.report(("date",), f"must be a date like 2021-11-24, got {_yaml_kind(value)} {value!r}", hint)
            return None
        local = moment
        if 1900 <= moment.year <= 2200:
            local = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
        if not 1900 <= local.year <= 2200:
            self.report(("date",), f"year {local.year} is outside 1900-2200", "check for a typo in the year")
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
            if isinstance(item, str) and not item.strip():
                self.report(at, f"entry {index + 1} is empty", "remove it, or write a name there", name=name)
            elif not isinstance(item, str):
                self.report(at, f"entry {index + 1} must be a name, got {_yaml_kind(item)}", self.quote_hint(at, item), name=name)
            else:
                found.append((at, self.checked_characters(at, unicodedata.normalize("NFC", item.strip()))))
        return [(at, text) for at, text in found if text]

    def country_list(self, data: dict[str, Any]) -> tuple[Country, ...]:
        countries: list[Country] = []
        for at, written in self.items(data, "countries", "[Israel, Morocco]"):
            try:
                country = self.parser.countries.resolve(written)
            except UnknownCountry as exc:
                hint = ("did you mean " + " or ".join(f"'{s}'" for s in exc.suggestions) + "?") if exc.suggestions else (
                    "use a country name, an ISO code (IL, ISR), or add an alias under countries.aliases in site.yaml"
                )
                self.report(at, f"unknown country '{written}'", hint, name="countries")
                continue
            if country not in countries:
                countries.append(country)
        return tuple(countries)

    def topic_list(self, data: dict[str, Any]) -> tuple[TopicRef, ...]:
        vocabulary = self.config.topics
        aliases = {slugify(alias): slug for slug, spec in vocabulary.items() for alias in spec.aliases}
        topics: list[TopicRef] = []
        for at, written in self.items(data, "topics", "[defence, diplomacy]"):
            slug = slugify(written)
            if not slug:
                self.report(at, f"'{written}' has no letters or digits to name a topic by", "use a word such as 'defence'", name="topics")
                continue
            slug = aliases.get(slug, slug)
            if vocabulary and slug not in vocabulary:
                close = difflib.get_close_matches(slug, list(vocabulary), n=3)
                hint = ("did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else "known topics: " + ", ".join(sorted(vocabulary))
                self.report(at, f"unknown topic '{written}'", hint + " (or add it under topics: in site.yaml)", name="topics")
                continue
            if all(t.slug != slug for t in topics):
                topics.append(TopicRef(slug, written))
        return tuple(topics)

    def url(self, data: dict[str, Any]) -> str:
        value = self.text(data, "url")
        if value:
            try:
                parts = urlsplit(value)
            except ValueError as exc:
                self.report(("url",), f"is not a valid address ({exc})", "e.g. url: https://www.example.com/news/story")
                return ""
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                self.report(("url",), f"must be an http or https address, got '{value}'", "e.g. url: https://www.example.com/news/story")
                return ""
        return value

    def slug(self, data: dict[str, Any]) -> str:
        value = data.get("slug")
        if value is None:
            slug = slugify(self.source.path.stem)
            if not slug:
                self.problems.add(Problem(Location(self.source.shown, 1, 1), f"the file name '{self.source.path.name}' gives no usable slug", "slug", "rename the file or add 'slug: my-article'", self.lines[0]))
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


_TAG = re.compile(r"<[^>]+>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def summarise(body_html: str) -> str:
    """The first paragraph as plain text, cut at a word boundary."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    words = html.unescape(_TAG.sub("", match.group(1))).split()
    text = " ".join(words[:SUMMARY_WORDS])
    return text + ("…" if len(words) > SUMMARY_WORDS else "")

