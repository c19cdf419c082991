"""Article files → `Article`s: front matter split, fields converted, Markdown rendered.

Every problem in a file is collected, then reported at once with the line and
column of the .md file (not of the YAML block).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from .config import SiteConfig
from .countries import Country, CountryIndex
from .errors import ContentError, Location, Problem
from .fields import FieldReader, ImageRef, TopicRef
from .links import body_links
from .markup import MarkdownRenderer, MarkupError, summarise, too_deep
from .yamlfile import parse_yaml

T = TypeVar("T")

EXAMPLE = "---\ntitle: Israel signs defence pact with Morocco\ndate: 2021-11-24\n---"


@dataclass(frozen=True, slots=True)
class Article:
    """One article's metadata, complete when made; its rendered body travels beside it (`Parsed`).

    Equality ignores the fingerprints: two versions that compare equal look the
    same on every list, so a body-only edit re-renders the article's own page alone.
    """

    path: Path
    slug: str
    title: str
    published: datetime
    updated: datetime | None
    """When the article last changed in substance, if it says so (`updated:`); feeds and sitemaps show it."""
    countries: tuple[Country, ...]
    topics: tuple[TopicRef, ...]
    source: str
    url: str
    summary: str
    author: str
    draft: bool
    image: ImageRef | None = None
    """The article's picture, if it has one (`image:`)."""
    links: tuple[str, ...] = ()
    """What its body links to inside the site, as written (`../2021/other.md`): resolved to URLs for each build."""
    language: str = ""
    """The article's own language (`language: ar`), in a digest mostly in another; '' for the site's."""
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    fingerprint: str = field(default="", compare=False)
    """Digest of the file's bytes: changes with any edit, and names the body in the body store."""
    meta_fingerprint: str = field(default="", compare=False)
    """Digest of what lists show (the front matter, and the body when the summary comes from it)."""

    @property
    def modified(self) -> datetime:
        """The last change: `updated`, else the publication time."""
        return self.updated or self.published

    @property
    def day(self) -> date:
        """The calendar date in the site's time zone (what URLs and archives use)."""
        return self.published.date()


@dataclass(frozen=True, slots=True)
class Parsed:
    """A freshly parsed article and its rendered, sanitised body (trusted HTML)."""

    article: Article
    body: Markup


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An article file's bytes with the names used to report on it."""

    path: Path
    shown: Path
    data: bytes
    refusal: str = ""
    """Why the file was not read (too large, a link out of the content folder, a name that is not UTF-8), if it was not."""
    refusal_hint: str = ""
    """What to do about the refusal."""

    @property
    def fingerprint(self) -> str:
        """A digest of the bytes (and of why they were not read, if they were not)."""
        return source_fingerprint(self.data, self.refusal)


def source_fingerprint(data: bytes, refusal: str = "") -> str:
    """A digest of a file's bytes, and of why they were not read if they were not."""
    return hashlib.sha256(data).hexdigest() + (f"|{refusal}" if refusal else "")



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


def shared_values(pool: dict[Any, Any], values: Iterable[T]) -> tuple[T, ...]:
    """`values` as the equal objects already in `pool` (adding new ones), so many articles hold one copy."""
    return tuple(pool.setdefault(value, value) for value in values)


def interned(article: Article, pool: dict[Any, Any]) -> Article:
    """An equal article whose countries and topics are the equal objects in `pool`: a large site holds each once."""
    return replace(article, countries=shared_values(pool, article.countries), topics=shared_values(pool, article.topics))


@dataclass(slots=True)
class ArticleParser:
    """Turns `SourceFile`s into articles with the site's rules (time zone, countries, topics)."""

    config: SiteConfig
    countries: CountryIndex
    markdown: MarkdownRenderer = field(init=False)

    def __post_init__(self) -> None:
        self.markdown = MarkdownRenderer(self.config.markdown, self.config.limits)

    @classmethod
    def for_site(cls, config: SiteConfig) -> ArticleParser:
        """A parser with the site's own country aliases."""
        return cls(config, CountryIndex(config.countries))

    def parse(self, source: SourceFile) -> Parsed:
        """One article and its body, or a `ContentError` listing every problem in the file."""
        try:
            return self._parse(source)
        except RecursionError:  # hostile nesting the depth scan does not count, in the YAML or the Markdown
            raise ContentError.single(
                source.shown, "is nested too deeply to read", hint="flatten deeply nested lists, mappings, quotes or emphasis",
            ) from None

    def _parse(self, source: SourceFile) -> Parsed:
        if source.refusal:
            raise ContentError.single(source.shown, source.refusal, hint=source.refusal_hint)
        parts = split_front_matter(decode(source), source.shown)
        doc = parse_yaml(parts.front, source.shown, first_line=2, lines=parts.lines)
        if doc.data is None:
            raise ContentError.single(
                source.shown, "front matter is empty", line=1, col=1,
                hint="give at least a title and a date:\n" + _indent(EXAMPLE), source_line=parts.lines[0],
            )
        reader = FieldReader(self.config, self.countries, source.path, source.shown, doc, parts.lines)
        if not isinstance(doc.data, dict):
            reader.report((), "front matter must be 'field: value' lines", f"for example:\n{_indent(EXAMPLE)}")
            reader.problems.raise_if_any(ContentError)
        values = reader.convert(doc.data)
        deep = too_deep(parts.body, self.config.limits.markdown_depth)
        if deep is not None:
            reader.problems.add(body_problem(deep, parts, source.shown))
        reader.problems.raise_if_any(ContentError)
        try:
            body = Markup(self.markdown.convert(parts.body, scanned=True))
        except MarkupError as exc:
            raise ContentError([body_problem(exc, parts, source.shown)]) from None
        shown_in_lists = parts.front + ("\0" + parts.body if not values["summary"] else "")
        values["summary"] = values["summary"] or summarise(body)
        article = Article(
            path=source.path,
            fingerprint=source.fingerprint,
            meta_fingerprint=hashlib.sha256(shown_in_lists.encode("utf-8", "surrogatepass")).hexdigest(),
            links=body_links(body),
            **values,
        )
        return Parsed(article, body)


@dataclass(frozen=True, slots=True)
class Parts:
    """A file split at its front-matter fences."""

    front: str
    body: str
    lines: list[str]
    body_line: int = 0
    """The line of the file the body starts on."""


def body_problem(error: MarkupError, parts: Parts, shown: Path) -> Problem:
    """A problem of the Markdown body at its place in the file (the whole file when it has none)."""
    line = parts.body_line + error.line - 1 if error.line else 0
    return Problem(Location(shown, line, error.col), error.message, "", error.hint, error.source_line)


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
            return Parts("\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), lines, index + 2)
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
