"""What feed readers and search engines read: feeds, sitemaps and the news sitemap, as plain view data.

The planner turns these into page plans like any other; nothing here reads a
file or the clock. Every date comes from the articles (a feed's `updated` is
its newest entry's), so two builds of the same input are byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from .config import FeedSettings
from .content import Article
from .views import ArticleCard, ArticleView, Feed, FeedEntry, FeedLink, NewsEntry, SitemapEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` of a feed with no entries yet (never the build time)."""

SITEMAP_LIMIT = 50_000
"""URLs per sitemap file (the protocol's limit); above it, sitemap.xml becomes an index of numbered sitemaps."""

NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
"""The news sitemap lists the articles of the last two days, at most a thousand (Google News' rules)."""


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """One feed format: its file name beside the page it follows, and its media type."""

    name: str
    file: str
    media_type: str


ATOM = FeedFormat("Atom", "feed.xml", "application/atom+xml")
RSS = FeedFormat("RSS", "rss.xml", "application/rss+xml")
JSON_FEED = FeedFormat("JSON Feed", "feed.json", "application/feed+json")


def feed_formats(settings: FeedSettings) -> tuple[FeedFormat, ...]:
    """The formats site.yaml asks for, in a fixed order."""
    chosen = ((ATOM, settings.atom), (RSS, settings.rss), (JSON_FEED, settings.json))
    return tuple(form for form, wanted in chosen if wanted)


def feed_links(formats: Sequence[FeedFormat], title: str, page_url: str) -> tuple[FeedLink, ...]:
    """The feeds of one page (`page_url` ends with '/'), as `<link rel="alternate">` shows them."""
    return tuple(FeedLink(f"{title} ({form.name})", page_url + form.file, form.media_type) for form in formats)


def entry_id(host: str, article: Article, url: str) -> str:
    """A tag URI (RFC 4151) of the site's host, the article's date and its URL path: it never changes with the title."""
    return f"tag:{host},{article.day.isoformat()}:{url}"


class FeedMaker:
    """Makes `Feed`s for one site; each article's entry is made once and shared by every feed that lists it."""

    def __init__(self, settings: FeedSettings, base_url: str, absolute: Callable[[str], str]) -> None:
        self.settings = settings
        self.formats = feed_formats(settings)
        self.host = urlsplit(base_url).hostname or "localhost"
        self.absolute = absolute
        self.entries: dict[int, FeedEntry] = {}

    def entry(self, article: Article, card: ArticleCard) -> FeedEntry:
        known = self.entries.get(id(card))
        if known is None or known.card is not card:
            content = ArticleView(card, article.path, article.fingerprint) if self.settings.full_content else None
            known = self.entries[id(card)] = FeedEntry(card, entry_id(self.host, article, card.url), content)
        return known

    def renew(self, entry: FeedEntry, article: Article) -> FeedEntry:
        """The entry with the body of a newer version of its article (whose card is the same)."""
        renewed = replace(entry, content=ArticleView(entry.card, article.path, article.fingerprint))
        self.entries[id(entry.card)] = renewed
        return renewed

    def feeds(self, title: str, description: str, page_url: str, entries: Iterable[FeedEntry]) -> Iterable[tuple[FeedFormat, Feed]]:
        """The feed of one page in every format asked for; `entries` newest first."""
        chosen = tuple(entries)[: self.settings.entries]
        updated = max((e.card.updated for e in chosen), default=EPOCH)
        published = max((e.card.published for e in chosen), default=EPOCH)
        alternates = feed_links(self.formats, title, page_url)
        for form, link in zip(self.formats, alternates):
            url = self.absolute(link.url)
            yield form, Feed(title, description, self.absolute(page_url), url, url, updated, published, chosen, alternates)


def sitemap_chunks(entries: Sequence[SitemapEntry], limit: int = SITEMAP_LIMIT) -> list[tuple[SitemapEntry, ...]]:
    """The sitemap's URLs in files of at most `limit`; one chunk (maybe empty) when they fit in one file."""
    if len(entries) <= limit:
        return [tuple(entries)]
    return [tuple(entries[start : start + limit]) for start in range(0, len(entries), limit)]


def newest(entries: Iterable[SitemapEntry]) -> datetime | None:
    return max((e.modified for e in entries if e.modified is not None), default=None)


def news_entries(articles: Sequence[Article], cards: Sequence[ArticleCard], now: datetime | None, absolute: Callable[[str], str]) -> tuple[NewsEntry, ...]:
    """The articles published in the two days before `now` (newest first), for the news sitemap.

    Without a clock (`now` is None), the window ends at the newest article.
    """
    if not articles:
        return ()
    end = now or articles[0].published
    start = end - NEWS_WINDOW
    chosen = [
        NewsEntry(absolute(card.url), card.title, article.published)
        for article, card in zip(articles, cards)
        if start <= article.published <= end
    ]
    return tuple(chosen[:NEWS_LIMIT])
