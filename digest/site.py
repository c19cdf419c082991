"""`build_site`: articles → the site's model (orderings, taxonomies, archives, related).

Pure: no disk access, no clock unless one is passed in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Mapping

from .config import SiteConfig
from .content import Article
from .countries import Country
from .names import display_name

RELATED_COUNT = 5


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to include: drafts and future articles are out unless asked for."""

    drafts: bool = False
    future: bool = False
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """A topic or a country with its articles, newest first."""

    kind: str
    slug: str
    name: str
    articles: tuple[Article, ...]
    description: str = ""
    country: Country | None = None

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    months: tuple[Month, ...]
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the pages are planned from."""

    config: SiteConfig
    articles: tuple[Article, ...]
    topics: tuple[Term, ...]
    countries: tuple[Term, ...]
    years: tuple[Year, ...]
    related: Mapping[Path, tuple[Article, ...]]


def is_published(article: Article, options: BuildOptions) -> bool:
    if article.draft and not options.drafts:
        return False
    if not options.future and options.now is not None and article.published > options.now:
        return False
    return True


def build_site(config: SiteConfig, articles: Iterable[Article], options: BuildOptions = BuildOptions()) -> Site:
    """Order, group and relate the published articles."""
    chosen = sorted(
        (a for a in articles if is_published(a, options)),
        key=lambda a: (a.published, a.slug, str(a.path)),
        reverse=True,
    )
    ordered = tuple(chosen)
    return Site(
        config=config,
        articles=ordered,
        topics=_topics(config, ordered),
        countries=_countries(ordered),
        years=_years(ordered),
        related=_related(ordered),
    )


def _topics(config: SiteConfig, articles: tuple[Article, ...]) -> tuple[Term, ...]:
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for topic in article.topics:
            members[topic.slug].append(article)
            spellings[topic.slug].append(topic.label)
    terms = []
    for slug, items in members.items():
        known = config.topics.get(slug)
        name = known.name if known else display_name(spellings[slug], slug)
        terms.append(Term("topic", slug, name, tuple(items), known.description if known else ""))
    return tuple(sorted(terms, key=lambda t: (t.name.casefold(), t.slug)))


def _countries(articles: tuple[Article, ...]) -> tuple[Term, ...]:
    members: dict[Country, list[Article]] = defaultdict(list)
    for article in articles:
        for country in article.countries:
            members[country].append(article)
    terms = [Term("country", c.slug, c.name, tuple(items), country=c) for c, items in members.items()]
    return tuple(sorted(terms, key=lambda t: (t.name.casefold(), t.slug)))


def _years(articles: tuple[Article, ...]) -> tuple[Year, ...]:
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:
        by_month[(article.day.year, article.day.month)].append(article)
    years: dict[int, list[Month]] = defaultdict(list)
    for (year, month), items in sorted(by_month.items(), reverse=True):
        years[year].append(Month(year, month, tuple(items)))
    return tuple(
        Year(year, tuple(months), tuple(a for m in months for a in m.articles))
        for year, months in sorted(years.items(), reverse=True)
    )


def _related(articles: tuple[Article, ...]) -> dict[Path, tuple[Article, ...]]:
    """Up to five articles sharing the most topics and countries, newest first on ties.

    Each term is a bitset over article positions (position 0 is the newest), so
    counting shared terms is a handful of big-integer operations per article.
    """
    masks: dict[tuple[str, str], int] = defaultdict(int)
    keys = [_term_keys(article) for article in articles]
    for index, article_keys in enumerate(keys):
        for key in article_keys:
            masks[key] |= 1 << index
    related: dict[Path, tuple[Article, ...]] = {}
    for index, article in enumerate(articles):
        planes: list[int] = []  # binary digits of each article's shared-term count
        for key in keys[index]:
            carry = masks[key] & ~(1 << index)
            for level in range(len(planes)):
                planes[level], carry = planes[level] ^ carry, planes[level] & carry
            if carry:
                planes.append(carry)
        chosen: list[Article] = []
        for count in range(2 ** len(planes) - 1, 0, -1):
            exact = -1
            for level, plane in enumerate(planes):
                exact &= plane if count >> level & 1 else ~plane
            while exact and len(chosen) < RELATED_COUNT:
                lowest = exact & -exact
                chosen.append(articles[lowest.bit_length() - 1])
                exact ^= lowest
            if len(chosen) == RELATED_COUNT:
                break
        related[article.path] = tuple(chosen)
    return related


def _term_keys(article: Article) -> list[tuple[str, str]]:
    return [("topic", t.slug) for t in article.topics] + [("country", c.code) for c in article.countries]
