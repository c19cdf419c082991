"""What a digest covers, in numbers: `coverage(site)` for the `/stats/` page and `digest stats` alike.

Pure: counts of the site's published articles, nothing else, so the page built
from them changes only when a count does.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass

from .site import Site

TOP = 10
"""How many topics, countries and sources the tables and the matrix show."""


@dataclass(frozen=True, slots=True)
class Tally:
    """Something counted: a topic, a country, a source or an edition; `key` is its slug or id."""

    name: str
    count: int
    key: str = ""


@dataclass(frozen=True, slots=True)
class MonthTally:
    year: int
    month: int
    count: int

    @property
    def label(self) -> str:
        return f"{calendar.month_abbr[self.month]} {self.year}"


@dataclass(frozen=True, slots=True)
class Matrix:
    """Articles by topic (rows) and country (columns), for the most covered of each."""

    topics: tuple[Tally, ...]
    countries: tuple[Tally, ...]
    cells: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """The numbers of a digest; every list is biggest first except `months` (oldest first, empty months included)."""

    articles: int
    months: tuple[MonthTally, ...]
    topics: tuple[Tally, ...]
    countries: tuple[Tally, ...]
    matrix: Matrix
    sources: tuple[Tally, ...]
    editions: tuple[Tally, ...]
    """Newest first, like the editions page (none unless the site has editions)."""
    topic_count: int = 0
    country_count: int = 0
    source_count: int = 0


def ranked(items: Counter[tuple[str, str]], top: int | None) -> tuple[Tally, ...]:
    """Counted (name, key) pairs, most first, then by name."""
    ordered = sorted(items.items(), key=lambda item: (-item[1], item[0][0].casefold(), item[0][1]))
    return tuple(Tally(name, count, key) for (name, key), count in ordered[:top])


def coverage(site: Site, top: int = TOP) -> Coverage:
    """Count the site's published articles by month, topic, country, source and edition."""
    articles = site.articles
    topics = Counter({(t.name, t.slug): t.count for t in site.topics})
    countries = Counter({(t.name, t.slug): t.count for t in site.countries})
    sources = Counter({(t.name, t.slug): t.count for t in site.sources})  # named and merged as the source pages are
    top_topics, top_countries = ranked(topics, top), ranked(countries, top)
    topic_slugs = {t.slug: t for t in site.topics}
    country_slugs = {t.slug: t for t in site.countries}
    cells = []
    for topic in top_topics:
        members = {id(a) for a in topic_slugs[topic.key].articles}
        cells.append(tuple(sum(1 for a in country_slugs[c.key].articles if id(a) in members) for c in top_countries))
    return Coverage(
        articles=len(articles),
        months=month_tallies(site),
        topics=top_topics,
        countries=top_countries,
        matrix=Matrix(top_topics, top_countries, tuple(cells)),
        sources=ranked(sources, top),
        editions=tuple(Tally(e.span.label, len(e.articles), e.id) for e in site.editions),
        topic_count=len(topics),
        country_count=len(countries),
        source_count=len(sources),
    )


def month_tallies(site: Site) -> tuple[MonthTally, ...]:
    """Articles by month of their date, from the first month to the last, months without articles counted as 0."""
    counts = Counter((a.day.year, a.day.month) for a in site.articles)
    if not counts:
        return ()
    (year, month), last = min(counts), max(counts)
    months = []
    while (year, month) <= last:
        months.append(MonthTally(year, month, counts.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def format_coverage(numbers: Coverage) -> str:
    """The numbers as `digest stats` prints them: a heading and aligned columns for each list."""
    lines = [f"{numbers.articles} articles, {numbers.topic_count} topics, {numbers.country_count} countries, {numbers.source_count} sources"]

    def table(title: str, rows: list[tuple[str, int]]) -> None:
        if not rows:
            return
        width = max(len(name) for name, _ in rows)
        lines.append("")
        lines.append(title)
        lines.extend(f"  {name:<{width}}  {count:>5}" for name, count in rows)

    table("Articles per month", [(m.label, m.count) for m in numbers.months])
    table("Top topics", [(t.name, t.count) for t in numbers.topics])
    table("Top countries", [(c.name, c.count) for c in numbers.countries])
    table("Top sources", [(s.name, s.count) for s in numbers.sources])
    table("Editions", [(e.name, e.count) for e in numbers.editions])
    matrix = numbers.matrix
    if matrix.topics and matrix.countries:
        width = max(len(t.name) for t in matrix.topics)
        heads = [c.key.upper() for c in matrix.countries]
        lines += ["", "Topics by country", "  " + " " * width + "".join(f"  {h:>4}" for h in heads)]
        lines.extend(
            f"  {t.name:<{width}}" + "".join(f"  {n:>4}" for n in row) for t, row in zip(matrix.topics, matrix.cells)
        )
    return "\n".join(lines)
