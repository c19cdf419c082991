"""`digest list`: the site's articles as the build reads them, newest first, filtered, drawn as a table or JSON.

Articles come through the build's `ArticleMemory`, so a site built before lists
from `.digest-cache/` without parsing a file; which ones are shown, and in what
order, is the build's `model_site`; addresses are the build's `Urls`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import BuildCache
from .config import SiteConfig
from .content import Article
from .countries import Country, CountryIndex, UnknownCountry
from .errors import CommandError, Problem, printable
from .fields import TopicNames, UnknownTopic
from .pages import Urls
from .site import BuildOptions, model_site
from .sources import find_article_files, stamp_sources
from .state import ArticleMemory

ELLIPSIS = "…"
GIVING_WAY = (("countries", "topics"), ("title",), ("path",))
"""The table's columns that give way when a terminal is too narrow: countries and topics (the wider first), then
titles, then paths (which keep their end, the file's name)."""
MIN_WIDTH = 12
GAP = "  "


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every article file of a site, read: the articles (drafts and future ones too), and the problems of those that do not read."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]


def read_catalogue(config: SiteConfig) -> Catalogue:
    """Every article, from the build cache where its bytes were read before (parsing, and caching, the rest)."""
    try:
        cache: BuildCache | None = BuildCache(config.root)
    except OSError:  # a read-only site folder lists, only more slowly
        cache = None
    memory = ArticleMemory(config, cache)
    try:
        memory.load(stamp_sources(find_article_files(config.content_dir), config, cache), lambda done: None)
    finally:
        if cache is not None:
            cache.close()
    problems = tuple(problem for path in sorted(memory.broken) for problem in memory.broken[path])
    return Catalogue(tuple(memory.articles.values()), problems)


@dataclass(frozen=True, slots=True)
class Filters:
    """What `digest list` keeps: published articles, unless told otherwise; of one topic (slug) or one country."""

    options: BuildOptions
    topic: str | None = None
    country: Country | None = None


def read_filters(config: SiteConfig, options: BuildOptions, topic: str | None, country: str | None) -> Filters:
    """`--topic` and `--country` read as an article's `topics:` and `countries:` are, or a `CommandError` with the build's hint."""
    problems = []
    slug = found = None
    if topic is not None:
        try:
            slug = TopicNames.of(config).slug(topic)
        except UnknownTopic as exc:
            problems.append(Problem.at_option("--topic", exc.message, exc.hint))
    if country is not None:
        try:
            found = CountryIndex(config.countries).resolve(country)
        except UnknownCountry as exc:
            problems.append(Problem.at_option("--country", f"unknown country '{country}'", exc.hint))
    if problems:
        raise CommandError(problems)
    return Filters(options, slug, found)


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the list: an article with what the site calls its topics, its address and its file."""

    article: Article
    url: str
    topics: tuple[tuple[str, str], ...]
    """(slug, name) of each topic, named as the site's topic pages name it."""
    path: str
    """The file, relative to the site folder."""


def select_entries(config: SiteConfig, articles: Sequence[Article], filters: Filters) -> list[Entry]:
    """The articles the build would publish with these options, newest first, that have the topic and country asked for."""
    site = model_site(config, articles, filters.options)
    names = {term.slug: term.name for term in site.topics}
    urls = Urls(config.base_path)
    entries = []
    for article in site.articles:
        if filters.topic is not None and all(t.slug != filters.topic for t in article.topics):
            continue
        if filters.country is not None and filters.country not in article.countries:
            continue
        topics = tuple((t.slug, names.get(t.slug, t.label)) for t in article.topics)
        entries.append(Entry(article, config.origin + urls.article(article), topics, _relative(article.path, config.root)))
    return entries


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:  # a content_dir outside the site folder
        return str(path)


# -- drawing -------------------------------------------------------------------------


def entries_json(entries: Sequence[Entry]) -> str:
    """The entries as a JSON list, for scripts."""
    items: list[dict[str, Any]] = [
        {
            "date": e.article.published.isoformat(),
            "title": e.article.title,
            "slug": e.article.slug,
            "url": e.url,
            "countries": [{"name": c.name, "code": c.code} for c in e.article.countries],
            "topics": [{"slug": slug, "name": name} for slug, name in e.topics],
            "source": e.article.source,
            "path": e.path,
            "draft": e.article.draft,
        }
        for e in entries
    ]
    return json.dumps(items, ensure_ascii=False, indent=2)


def entries_table(entries: Sequence[Entry], width: int | None = None) -> str:
    """The entries as aligned columns; with `width`, titles, countries and topics give way (…) so no line is longer."""
    header = {"date": "DATE", "title": "TITLE", "countries": "COUNTRIES", "topics": "TOPICS", "path": "PATH"}
    rows = [header] + [
        {
            "date": e.article.day.isoformat(),
            "title": e.article.title + (" (draft)" if e.article.draft else ""),
            "countries": ", ".join(c.name for c in e.article.countries),
            "topics": ", ".join(name for _, name in e.topics),
            "path": printable(e.path),
        }
        for e in entries
    ]
    widths = {column: max(len(row[column]) for row in rows) for column in header}
    if width is not None:
        _narrow(widths, width)
    lines = [GAP.join(_cut(row[column], widths[column], keep_end=column == "path").ljust(widths[column]) for column in header).rstrip()
             for row in rows]
    if width is not None:
        lines = [_cut(line, width) for line in lines]
    return "\n".join(lines)


def _narrow(widths: dict[str, int], width: int) -> None:
    """Take columns in, those giving way first, until the table fits in `width` (or none can give more)."""
    overflow = sum(widths.values()) + len(GAP) * (len(widths) - 1) - width
    for columns in GIVING_WAY:
        while overflow > 0:
            column = max(columns, key=lambda c: widths[c])
            if widths[column] <= MIN_WIDTH:
                break
            widths[column] -= 1
            overflow -= 1


def _cut(text: str, width: int, *, keep_end: bool = False) -> str:
    if len(text) <= width:
        return text
    if keep_end:
        return ELLIPSIS + text[len(text) - width + 1 :]
    return text[: max(width - 1, 0)] + ELLIPSIS
