"""`model_site`: articles → the site's model (orderings, taxonomies, archives).

Pure: no disk access, no clock unless one is passed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .config import SiteConfig
from .content import Article
from .countries import Country
from .editions import Edition, EditionNote, model_editions
from .i18n import Translator
from .names import display_name


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to include: drafts and future articles are out unless asked for."""

    drafts: bool = False
    future: bool = False
    now: datetime | None = None


class TermKind(StrEnum):
    """What a term groups articles by."""

    TOPIC = "topic"
    COUNTRY = "country"


@dataclass(frozen=True, slots=True)
class Term:
    """A topic or a country with its articles, newest first."""

    kind: TermKind
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
    now: datetime | None = None
    """The build's clock, if it has one: what the news sitemap's two-day window ends at."""
    editions: tuple[Edition, ...] = ()
    """Newest first (none unless site.yaml asks for `editions:`)."""


def is_published(article: Article, options: BuildOptions) -> bool:
    if article.draft and not options.drafts:
        return False
    return options.future or options.now is None or article.published <= options.now


def model_site(
    config: SiteConfig, articles: Iterable[Article], options: BuildOptions = BuildOptions(), notes: Mapping[str, EditionNote] | None = None,
    words: Translator | None = None,
) -> Site:
    """Order and group the published articles: newest first, by topic, by country, by year and month, by edition."""
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
        now=options.now,
        editions=model_editions(config, ordered, notes or {}, words),
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
        terms.append(Term(TermKind.TOPIC, slug, name, tuple(items), known.description if known else ""))
    return tuple(sorted(terms, key=lambda t: (t.name.casefold(), t.slug)))


def _countries(articles: tuple[Article, ...]) -> tuple[Term, ...]:
    members: dict[Country, list[Article]] = defaultdict(list)
    for article in articles:
        for country in article.countries:
            members[country].append(article)
    terms = [Term(TermKind.COUNTRY, c.slug, c.name, tuple(items), country=c) for c, items in members.items()]
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


