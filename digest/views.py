"""What templates see: display-ready cards, links, pagers and site details, all frozen.

Objects shared between pages (a card, a topic's link) are the very same object
on every page that shows them, so a large site holds each once and comparing
two builds' pages is mostly a matter of identity checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .markup import repeats_opening


@dataclass(frozen=True, slots=True)
class Link:
    """Something with a name and a URL (a topic, a page in the menu)."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class CountryLink:
    name: str
    url: str
    flag: str
    code: str
    flag_url: str = ""
    """The country's SVG flag in the output ('' when the theme has none)."""


@dataclass(frozen=True, slots=True)
class TermLink:
    """An entry of an index: a topic, a country, a year or a month, with its count."""

    name: str
    url: str
    count: int
    description: str = ""
    flag: str = ""
    code: str = ""
    months: tuple["TermLink", ...] = ()
    flag_url: str = ""


@dataclass(frozen=True, slots=True)
class Picture:
    """An article's picture as templates draw it.

    A local picture offers `sources` (AVIF and WebP `srcset`s, best first) and
    a fallback `srcset` with `src`, `width` and `height` for the `<img>`; `large`
    is the widest fallback, for `og:image`. A URL is just `src`.
    """

    src: str
    alt: str
    caption: str = ""
    credit: str = ""
    width: int = 0
    height: int = 0
    srcset: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    large: str = ""
    large_width: int = 0
    large_height: int = 0


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """An article as lists show it: display-ready fields and resolved links, no body."""

    title: str
    url: str
    published: datetime
    updated: datetime
    """The last change: the article's `updated:`, else `published`."""
    source: str
    source_url: str
    summary: str
    author: str
    draft: bool
    topics: tuple[Link, ...]
    countries: tuple[CountryLink, ...]
    extra: Mapping[str, Any] = field(hash=False)
    image: Picture | None = None
    source_page: str = ""
    """The URL of its source's page on this site ('' without a source); `source_url` is the original article."""
    author_page: str = ""
    """The URL of its author's page ('' without an author)."""
    language: str = ""
    """The article's own `language:` ('' when it is the site's), and its `dir` ('rtl' or 'ltr'; '' without one)."""
    direction: str = ""


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article as its own page shows it: the card's fields plus the rendered body.

    A plan names the body by its file and fingerprint; the renderer fills in
    `body` just before the page is drawn, so planning never reads a body.
    """

    card: ArticleCard
    path: Path
    """The article's file (its `source` is the publication, as on the card)."""
    fingerprint: str
    links: tuple[tuple[str, str], ...] = ()
    """The URLs of what the body links to by source path (`links.linked_body` puts them in)."""
    body: Markup = field(default=Markup(""), compare=False, repr=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.card, name)

    @property
    def lede(self) -> str:
        """The summary to show above the body: none when the body opens with it, so no paragraph is read twice."""
        return "" if repeats_opening(self.card.summary, self.body) else self.card.summary


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed as pages advertise it (`<link rel="alternate">`)."""

    title: str
    url: str
    media_type: str


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every page may show about the site as a whole."""

    title: str
    description: str
    base_url: str
    base_path: str
    language: str
    menu: tuple[Link, ...]
    home_url: str
    origin: str = ""
    """`https://news.example.org`: with a page's URL, its absolute address ('' when base_url has no host)."""
    publisher: str = ""
    feeds: tuple[FeedLink, ...] = ()
    """The whole site's feeds, which every page advertises."""
    relative: bool = False
    """Whether internal links are written relative to each page."""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The theme's params, with the site's `theme_params` over them."""
    assets: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Static files by their path in the theme → their name in the output (`asset()` in templates)."""
    direction: str = "ltr"
    """The site's language's writing direction, for `<html dir>`: 'rtl' for Arabic, Hebrew, Persian, Urdu…"""
    footer: tuple[Link, ...] = ()
    """The indexes the footer links to, past the menu's: Sources and Authors, when articles name any."""

    def absolute(self, url: str) -> str:
        """A site URL with the host in front ('https://news.example.org/digest/topics/'); other URLs as they are."""
        return self.origin + url if url.startswith("/") else url


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An article as a feed lists it; with full content, `content` names the body to show."""

    card: ArticleCard
    id: str
    """Stable: made of the site's host, the article's date and its URL, never of its title."""
    content: ArticleView | None = None
    edition: None = None
    """An article's entry is no edition (see `EditionEntry`)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.card, name)

    @property
    def lede(self) -> str:
        """The summary to show above the body: none when the body opens with it, so no paragraph is read twice."""
        return "" if repeats_opening(self.card.summary, self.body) else self.card.summary


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed (in any format): what it is about, where it lives, and its newest entries."""

    title: str
    description: str
    page_url: str
    """The page the feed follows (the home page, a topic's page)."""
    url: str
    """The feed's own URL."""
    id: str
    updated: datetime
    """The newest entry's last change: never the build time."""
    published: datetime
    """The newest entry's publication."""
    entries: tuple[FeedEntry | EditionEntry, ...]
    alternates: tuple[FeedLink, ...]
    """The same feed in every format written, this one included."""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One URL of a sitemap (or one sitemap of a sitemap index)."""

    url: str
    modified: datetime | None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """The URLs of one sitemap file.

    Compared and fingerprinted by `digest` alone: a large site lists tens of
    thousands of URLs, and digesting one string is far cheaper than digesting
    each entry.
    """

    entries: tuple[SitemapEntry, ...] = field(compare=False)
    digest: str


@dataclass(frozen=True, slots=True)
class NewsEntry:
    """An article as the news sitemap shows it."""

    url: str
    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class EditionLink:
    """An edition as lists and neighbours show it."""

    id: str
    title: str
    url: str
    number: int
    label: str
    start: date
    end: date
    count: int
    summary: str = ""
    """The first paragraph of the curator's introduction, as plain text ('' without one)."""
    top: tuple[Link, ...] = ()
    """Its first few articles, as lists of editions name them."""


@dataclass(frozen=True, slots=True)
class EditionGroup:
    """The articles of an edition under one topic or country (or all of them, ungrouped)."""

    name: str
    url: str
    items: tuple[ArticleCard, ...]
    flag_url: str = ""

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class EditionView:
    """An edition's page, email and feed entry: the introduction, then its articles in groups."""

    link: EditionLink
    intro: Markup
    groups: tuple[EditionGroup, ...]
    items: tuple[ArticleCard, ...]
    """Every article, in the edition's order."""
    published: datetime
    """When its newest article was published."""
    updated: datetime
    """Its articles' last change."""
    page_url: str
    email_url: str = ""
    text_url: str = ""
    sources: tuple[Path, ...] = field(default=(), compare=False)
    """The files it is made of: its articles and the curator's note."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.link, name)


@dataclass(frozen=True, slots=True)
class EditionEntry:
    """An edition as the editions feed lists it, whole: what an RSS-to-email service mails."""

    edition: EditionView
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    author: str = ""
    source: str = ""
    source_url: str = ""
    topics: tuple[Link, ...] = ()
    countries: tuple[CountryLink, ...] = ()
    image: Picture | None = None
    content: None = None


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a paginated list (of article cards, or of editions)."""

    number: int
    total: int
    items: tuple[Any, ...]
    urls: tuple[str, ...]
    count: int

    @property
    def prev_url(self) -> str:
        return self.urls[self.number - 2] if self.number > 1 else ""

    @property
    def next_url(self) -> str:
        return self.urls[self.number] if self.number < self.total else ""

    @property
    def numbers(self) -> tuple[int | None, ...]:
        """The page numbers a pager shows: the first, the last and two either side of this one; None where some are skipped."""
        shown = sorted({1, self.total, *range(max(1, self.number - 2), min(self.total, self.number + 2) + 1)})
        numbers: list[int | None] = []
        for before, number in zip([0, *shown], shown):
            if number - before > 1:
                numbers.append(None)
            numbers.append(number)
        return tuple(numbers)
