"""`model_site`: articles → the site's model (orderings, taxonomies, archives).

Pure: no disk access, no clock unless one is passed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from pathlib import Path

from .config import SiteConfig
from .content import Article
from .countries import Country
from .editions import Edition, EditionNote, model_editions
from .i18n import Translator
from .names import BylineNames, display_name


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
    SOURCE = "source"
    AUTHOR = "author"

    @property
    def folder(self) -> str:
        """Where its pages live: `topics/`, `countries/`, `sources/`, `authors/`."""
        return "countries" if self is TermKind.COUNTRY else f"{self.value}s"


@dataclass(frozen=True, slots=True)
class Term:
    """A topic, a country, a source or an author with its articles, newest first."""

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
    left_out: tuple[LeftOut, ...] = ()
    """The drafts and future articles not published, by file: the build says how many, `digest check` which."""
    sources: tuple[Term, ...] = ()
    """The publications articles come from (`source:`), one per spelling that matches or is an alias."""
    authors: tuple[Term, ...] = ()
    """Who wrote the articles (`author:`); none when no article names one."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """An article the build did not publish, and why: a draft (without --drafts), else dated after now (without --future)."""

    path: Path
    published: datetime
    draft: bool
    """True when left out as a draft (it may be dated in the future too); False when only its date keeps it out."""


def is_published(article: Article, options: BuildOptions) -> bool:
    return left_out(article, options) is None


def left_out(article: Article, options: BuildOptions) -> LeftOut | None:
    """Why `article` stays out of the site, or None when it is published."""
    if article.draft and not options.drafts:
        return LeftOut(article.path, article.published, draft=True)
    if options.future or options.now is None or article.published <= options.now:
        return None
    return LeftOut(article.path, article.published, draft=False)


def left_out_notes(articles: Iterable[LeftOut]) -> tuple[str, ...]:
    """What a build's summary adds about the articles it left out: '1 draft left out; --drafts to include'."""
    kept = list(articles)
    drafts = sum(1 for item in kept if item.draft)
    future = len(kept) - drafts
    notes = []
    if future:
        notes.append(f"{future} future article{'' if future == 1 else 's'} left out; --future to include")
    if drafts:
        notes.append(f"{drafts} draft{'' if drafts == 1 else 's'} left out; --drafts to include")
    return tuple(notes)


def model_site(
    config: SiteConfig, articles: Iterable[Article], options: BuildOptions = BuildOptions(), notes: Mapping[str, EditionNote] | None = None,
    words: Translator | None = None,
) -> Site:
    """Order and group the published articles: newest first, by topic, by country, by year and month, by edition."""
    published: list[Article] = []
    unpublished: list[LeftOut] = []
    for article in articles:
        reason = left_out(article, options)
        if reason is None:
            published.append(article)
        else:
            unpublished.append(reason)
    ordered = tuple(sorted(published, key=lambda a: (a.published, a.slug, str(a.path)), reverse=True))
    return Site(
        config=config,
        articles=ordered,
        topics=_topics(config, ordered),
        countries=_countries(ordered),
        years=_years(ordered),
        now=options.now,
        editions=model_editions(config, ordered, notes or {}, words),
        left_out=tuple(sorted(unpublished, key=lambda item: str(item.path))),
        sources=_bylines(TermKind.SOURCE, ordered, config.source_aliases),
        authors=_bylines(TermKind.AUTHOR, ordered),
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


def _bylines(kind: TermKind, articles: tuple[Article, ...], aliases: Mapping[str, str] | None = None) -> tuple[Term, ...]:
    """Articles by source or by author: spellings with one slug (`Reuters`, ` reuters `) are one name,
    an alias (`NYT: The New York Times`) is the name it stands for, and that name is shown as site.yaml writes it."""
    names = BylineNames(aliases or {})
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, list[str]] = defaultdict(list)
    named = attrgetter(kind.value)
    for article in articles:
        written = named(article)
        slug = names.slug(written) if written else ""
        if slug:
            members[slug].append(article)
            spellings[slug].append(written)
    terms = [Term(kind, slug, names.fixed.get(slug) or display_name(spellings[slug], slug), tuple(items)) for slug, items in members.items()]
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


