"""What feed readers and search engines read: the plans of feeds, sitemaps, the news sitemap and robots.txt.

They are page plans like any other, made for the planner; nothing here reads a
file or the clock. Every date comes from the articles (a feed's `updated` is
its newest entry's), so two builds of the same input are byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import FeedSettings
from .content import Article
from .links import LinkPairs
from .pages import FEED_KINDS, PageKind, PagePlan, Urls, template_candidates
from .site import Site
from .views import ArticleCard, ArticleView, EditionEntry, EditionView, Feed, FeedEntry, FeedLink, NewsEntry, SiteInfo, Sitemap, SitemapEntry

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


class Syndication:
    """Plans the feeds of the site and its terms, the sitemaps and robots.txt; each article's feed entry is made once."""

    def __init__(
        self, site: Site, info: SiteInfo, urls: Urls, cards: Mapping[int, ArticleCard], formats: tuple[FeedFormat, ...],
        sitemap_limit: int = SITEMAP_LIMIT, links: Mapping[Path, LinkPairs] | None = None,
    ) -> None:
        config = site.config
        self.links = links or {}
        """The URLs of what each article links to by source path, which a feed's full content shows."""
        self.site = site
        self.info = info
        self.urls = urls
        self.cards = cards
        """Each article's card, by the id of the article object."""
        self.sitemap_limit = sitemap_limit
        self.settings = config.feeds
        self.formats = formats
        self.host = urlsplit(config.base_url).hostname or "localhost"
        self.entries: dict[int, FeedEntry] = {}

    def entry(self, article: Article) -> FeedEntry:
        card = self.cards[id(article)]
        known = self.entries.get(id(card))
        links = self.links.get(article.path, ())
        if known is None or known.card is not card or (known.content is not None and known.content.links is not links):
            content = ArticleView(card, article.path, article.fingerprint, links) if self.settings.full_content else None
            known = self.entries[id(card)] = FeedEntry(card, entry_id(self.host, article, card.url), content)
        return known

    def feeds(
        self, page_url: str, title: str, description: str, articles: Sequence[Article], alternates: tuple[FeedLink, ...],
    ) -> Iterator[PagePlan]:
        """The feed of one page (the home page, a topic, a country) in every format asked for; `articles` newest first,
        `alternates` the page's feed links (`feed_links` of these formats), which every format lists."""
        shown = articles[: self.settings.entries]
        entries = tuple(self.entry(a) for a in shown)
        sources = tuple(a.path for a in shown)
        updated = max((e.card.updated for e in entries), default=EPOCH)
        published = max((e.card.published for e in entries), default=EPOCH)
        for form, link in zip(self.formats, alternates):
            url = self.info.absolute(link.url)
            feed = Feed(title, description, self.info.absolute(page_url), url, url, updated, published, entries, alternates)
            kind = FEED_KINDS[form.file]
            yield PagePlan(kind, link.url, self.urls.output_of(link.url), template_candidates(kind), {"site": self.info, "feed": feed, "kind": kind}, sources)

    def edition_feeds(self, page_url: str, title: str, editions: Sequence[EditionView], alternates: tuple[FeedLink, ...]) -> Iterator[PagePlan]:
        """The editions feed in every format: the newest editions, each whole (its introduction and every article)."""
        shown = editions[: self.settings.entries]
        entries = tuple(
            EditionEntry(
                view, f"tag:{self.host},{view.start.isoformat()}:{view.url}", view.title, view.url, view.published, view.updated,
                view.summary or f"{view.count} article{'' if view.count == 1 else 's'}: " + "; ".join(c.title for c in view.items[:5]),
            )
            for view in shown
        )
        sources = tuple(dict.fromkeys(path for view in shown for path in view.sources))
        updated = max((e.updated for e in entries), default=EPOCH)
        published = max((e.published for e in entries), default=EPOCH)
        description = f"Every edition of {self.site.config.title}, whole"
        for form, link in zip(self.formats, alternates):
            url = self.info.absolute(link.url)
            feed = Feed(title, description, self.info.absolute(page_url), url, url, updated, published, entries, alternates)
            kind = FEED_KINDS[form.file]
            yield PagePlan(kind, link.url, self.urls.output_of(link.url), template_candidates(kind), {"site": self.info, "feed": feed, "kind": kind}, sources)

    def with_bodies(self, plan: PagePlan, articles: Sequence[Article]) -> PagePlan:
        """A feed's plan whose entries for `articles` (newer versions, same cards) name their new bodies."""
        feed = plan.context["feed"]
        newer = {a.path: a for a in articles}
        entries = tuple(
            self.renew(entry, newer[entry.content.path]) if entry.content is not None and entry.content.path in newer else entry
            for entry in feed.entries
        )
        return replace(plan, context={**plan.context, "feed": replace(feed, entries=entries)})

    def renew(self, entry: FeedEntry, article: Article) -> FeedEntry:
        """The entry with the body of a newer version of its article (whose card is the same)."""
        renewed = replace(entry, content=ArticleView(entry.card, article.path, article.fingerprint, self.links.get(article.path, ())))
        self.entries[id(entry.card)] = renewed
        return renewed

    def sitemaps(self, pages: Sequence[tuple[str, datetime | None]], cards: Sequence[ArticleCard]) -> Iterator[PagePlan]:
        """sitemap.xml (an index of numbered sitemaps above the limit), the news sitemap, and robots.txt pointing to them.

        Sitemaps need absolute URLs: without a host in base_url there is only robots.txt.
        """
        found: list[str] = []
        home = self.urls.path()
        if self.info.origin:
            chunks = sitemap_chunks([SitemapEntry(self.info.absolute(url), modified) for url, modified in pages], self.sitemap_limit)
            index = home + "sitemap.xml"
            if len(chunks) == 1:
                yield self.file(PageKind.SITEMAP, index, sitemap=chunks[0])
            else:
                parts = []
                for number, chunk in enumerate(chunks, 1):
                    url = home + f"sitemap-{number}.xml"
                    parts.append(SitemapEntry(self.info.absolute(url), newest(chunk.entries)))
                    yield self.file(PageKind.SITEMAP, url, sitemap=chunk)
                yield self.file(PageKind.SITEMAP_INDEX, index, sitemaps=tuple(parts))
            found.append(self.info.absolute(index))
            if self.site.config.news_sitemap:
                news = home + "news-sitemap.xml"
                yield self.file(PageKind.NEWS_SITEMAP, news, entries=news_entries(self.site.articles, cards, self.site.now, self.info.absolute))
                found.append(self.info.absolute(news))
        yield self.file(PageKind.ROBOTS, home + "robots.txt", sitemaps=tuple(found))

    def file(self, kind: PageKind, url: str, **context: Any) -> PagePlan:
        """A plan for a file that is no HTML page (a sitemap, robots.txt)."""
        context.update(site=self.info, kind=kind)
        return PagePlan(kind, url, self.urls.output_of(url), template_candidates(kind), context)


def sitemap_chunks(entries: Sequence[SitemapEntry], limit: int = SITEMAP_LIMIT) -> list[Sitemap]:
    """The sitemap's URLs in files of at most `limit`; one file (maybe empty) when they fit in one."""
    starts = range(0, len(entries), limit) if len(entries) > limit else [0]
    return [sitemap(tuple(entries[start : start + limit])) for start in starts]


def sitemap(entries: tuple[SitemapEntry, ...]) -> Sitemap:
    text = "\n".join([f"{e.url} {e.modified.isoformat() if e.modified else ''}" for e in entries])
    return Sitemap(entries, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest())


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
