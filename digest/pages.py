"""What a page is: its kind, the templates that may draw it, its plan, and the URL layout.

The planner (`plan.py`) and the syndication planner (`syndication.py`) both make
`PagePlan`s of these; templates see a plan's kind as `kind`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .content import Article


class PageKind(StrEnum):
    """Every kind of page the site has; templates see it as `kind`."""

    HOME = "home"
    ARTICLE = "article"
    TOPICS = "topics"
    TOPIC = "topic"
    COUNTRIES = "countries"
    COUNTRY = "country"
    SOURCES = "sources"
    SOURCE = "source"
    AUTHORS = "authors"
    AUTHOR = "author"
    ARCHIVE = "archive"
    YEAR = "year"
    MONTH = "month"
    NOT_FOUND = "404"
    EDITIONS = "editions"
    EDITION = "edition"
    EDITION_EMAIL = "edition-email"
    EDITION_TEXT = "edition-text"
    ATOM = "atom"
    RSS = "rss"
    JSON_FEED = "json-feed"
    SITEMAP = "sitemap"
    SITEMAP_INDEX = "sitemap-index"
    NEWS_SITEMAP = "news-sitemap"
    ROBOTS = "robots"
    SEARCH = "search"
    SEARCH_INDEX = "search-index"
    STATS = "stats"


PUBLIC_PAGES = frozenset({
    PageKind.HOME, PageKind.ARTICLE, PageKind.TOPICS, PageKind.TOPIC, PageKind.COUNTRIES, PageKind.COUNTRY,
    PageKind.ARCHIVE, PageKind.YEAR, PageKind.MONTH, PageKind.EDITIONS, PageKind.EDITION, PageKind.STATS,
    PageKind.SOURCES, PageKind.SOURCE, PageKind.AUTHORS, PageKind.AUTHOR,
})
"""The HTML pages a sitemap lists (not the 404 page, not feeds)."""


TEMPLATES: Mapping[PageKind, tuple[str, ...]] = {
    PageKind.HOME: ("index.html", "list.html"),
    PageKind.ARTICLE: ("article.html",),
    PageKind.TOPICS: ("topics.html", "terms.html"),
    PageKind.TOPIC: ("topic.html", "term.html", "list.html"),
    PageKind.COUNTRIES: ("countries.html", "terms.html"),
    PageKind.COUNTRY: ("country.html", "term.html", "list.html"),
    PageKind.SOURCES: ("sources.html", "terms.html"),
    PageKind.SOURCE: ("source.html", "term.html", "list.html"),
    PageKind.AUTHORS: ("authors.html", "terms.html"),
    PageKind.AUTHOR: ("author.html", "term.html", "list.html"),
    PageKind.ARCHIVE: ("archive.html",),
    PageKind.YEAR: ("year.html", "list.html"),
    PageKind.MONTH: ("month.html", "list.html"),
    PageKind.NOT_FOUND: ("404.html",),
    PageKind.EDITIONS: ("editions.html",),
    PageKind.EDITION: ("edition.html",),
    PageKind.EDITION_EMAIL: ("email.html",),
    PageKind.EDITION_TEXT: ("email.txt",),
    PageKind.ATOM: ("feed.xml",),
    PageKind.RSS: ("rss.xml",),
    PageKind.JSON_FEED: ("feed.json",),
    PageKind.SITEMAP: ("sitemap.xml",),
    PageKind.SITEMAP_INDEX: ("sitemap-index.xml",),
    PageKind.NEWS_SITEMAP: ("news-sitemap.xml",),
    PageKind.ROBOTS: ("robots.txt",),
    PageKind.SEARCH: ("search.html",),
    PageKind.SEARCH_INDEX: (),
    PageKind.STATS: ("stats.html",),
}

FEED_KINDS: Mapping[str, PageKind] = {"feed.xml": PageKind.ATOM, "rss.xml": PageKind.RSS, "feed.json": PageKind.JSON_FEED}


def template_candidates(kind: PageKind, slug: str = "") -> tuple[str, ...]:
    """The templates that may draw a page, most specific first: a term's own template leads (`topic/defence.html`)."""
    if slug and kind in (PageKind.TOPIC, PageKind.COUNTRY, PageKind.SOURCE, PageKind.AUTHOR):
        return (f"{kind.value}/{slug}.html", *TEMPLATES[kind])
    return TEMPLATES[kind]


@dataclass(frozen=True, slots=True)
class PagePlan:
    """One output file: where it goes, how it is drawn, from what."""

    kind: PageKind
    url: str
    output: str
    templates: tuple[str, ...]
    context: Mapping[str, Any]
    sources: tuple[Path, ...] = ()
    modified: datetime | None = None
    """The last change among the articles the page shows (a sitemap's `lastmod`)."""


class Urls:
    """The URL layout: pretty URLs under the site's base path."""

    def __init__(self, base_path: str) -> None:
        self.base = base_path

    def path(self, *parts: object) -> str:
        inner = "/".join(str(p) for p in parts if str(p))
        return self.base + (inner + "/" if inner else "")

    def article(self, article: Article) -> str:
        day = article.day
        return self.path(f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}", article.slug)

    def page(self, first: str, number: int) -> str:
        return first if number == 1 else f"{first}page/{number}/"

    def output_of(self, url: str) -> str:
        """The file behind a URL, relative to the output folder: 'topics/index.html' for '/topics/', 'feed.xml' for '/feed.xml'."""
        inner = url[len(self.base) :]
        return inner + "index.html" if not inner or inner.endswith("/") else inner
