"""`build_site`: articles → the site's model (orderings, taxonomies, archives, related).

Pure: no disk access, no clock unless one is passed in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
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
    related_index: "RelatedIndex"

    def related(self, article: Article) -> tuple[Article, ...]:
        """Up to five articles sharing the most topics and countries with `article`."""
        return tuple(self.articles[i] for i in self.related_index.chosen[article.path])


def is_published(article: Article, options: BuildOptions) -> bool:
    if article.draft and not options.drafts:
        return False
    if not options.future and options.now is not None and article.published > options.now:
        return False
    return True


def build_site(
    config: SiteConfig, articles: Iterable[Article], options: BuildOptions = BuildOptions(), previous: Site | None = None
) -> Site:
    """Order, group and relate the published articles; `previous` only saves work, never changes the result."""
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
        related_index=_related(ordered, previous.related_index if previous else None),
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


TermKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RelatedIndex:
    """Each term as a bitset over article positions (0 = newest), and the answers so far.

    A later build reuses an article's answer when the order of articles and the
    bitsets of its own terms are unchanged, which is what makes a rebuild after
    one article's edit cheap.
    """

    order: tuple[Path, ...] = ()
    articles: tuple[Article, ...] = ()
    masks: Mapping[TermKey, int] = field(default_factory=dict)
    keys: Mapping[Path, tuple[TermKey, ...]] = field(default_factory=dict)
    chosen: Mapping[Path, tuple[int, ...]] = field(default_factory=dict)


def _related(articles: tuple[Article, ...], previous: RelatedIndex | None) -> RelatedIndex:
    """Up to five articles sharing the most topics and countries, newest first on ties.

    With the same order of articles as `previous`, only the bitsets of terms a
    changed article had or has are rebuilt, and only the articles that share
    such a term are asked again.
    """
    order = tuple(a.path for a in articles)
    if previous is not None and len(previous.articles) == len(articles):
        keys = {a.path: previous.keys[a.path] if a is b else _term_keys(a) for a, b in zip(articles, previous.articles)}
    else:
        keys = {a.path: _term_keys(a) for a in articles}
    if previous is not None and previous.order == order:
        changed = [path for path in order if previous.keys.get(path) != keys[path]]
        touched = {key for path in changed for key in (*previous.keys[path], *keys[path])}
        masks = dict(previous.masks)
        masks.update(_masks(order, keys, touched))
        for key in touched:
            if not masks[key]:
                del masks[key]
        chosen = dict(previous.chosen)
        changed_paths = set(changed)
        changed_at = [index for index, path in enumerate(order) if path in changed_paths]
        for index, path in enumerate(order):
            if path in changed_paths or (not touched.isdisjoint(keys[path]) and _may_change(index, order, keys, chosen[path], changed_at)):
                chosen[path] = _best_matches(index, [masks[k] for k in keys[path]])
        return RelatedIndex(order, articles, masks, keys, chosen)
    masks = _masks(order, keys, None)
    chosen = {path: _best_matches(index, [masks[k] for k in keys[path]]) for index, path in enumerate(order)}
    return RelatedIndex(order, articles, masks, keys, chosen)


def _may_change(
    index: int, order: tuple[Path, ...], keys: Mapping[Path, tuple[TermKey, ...]], before: tuple[int, ...], changed_at: list[int]
) -> bool:
    """Whether the article at `index` can have new related articles when only those at `changed_at` changed their terms.

    Its scores against unchanged articles are as they were, so its answer moves
    only if a changed article was in it, or now outranks the last one in it.
    """
    if any(position in before for position in changed_at):
        return True
    own = set(keys[order[index]])
    last_score = len(own.intersection(keys[order[before[-1]]])) if len(before) == RELATED_COUNT else 0
    for position in changed_at:
        score = len(own.intersection(keys[order[position]]))
        if score and (len(before) < RELATED_COUNT or score > last_score or (score == last_score and position < before[-1])):
            return True
    return False


def _masks(order: tuple[Path, ...], keys: Mapping[Path, tuple[TermKey, ...]], only: set[TermKey] | None) -> dict[TermKey, int]:
    """One bitset per term (bit i set: the i-th newest article has it); `only` limits which terms."""
    members: dict[TermKey, list[int]] = defaultdict(list)
    for index, path in enumerate(order):
        for key in keys[path]:
            if only is None or key in only:
                members[key].append(index)
    size = (len(order) + 7) // 8
    masks: dict[TermKey, int] = {key: 0 for key in only or ()}
    for key, positions in members.items():
        bits = bytearray(size)
        for position in positions:
            bits[position >> 3] |= 1 << (position & 7)
        masks[key] = int.from_bytes(bits, "little")
    return masks


def _best_matches(index: int, term_masks: list[int]) -> tuple[int, ...]:
    """Positions of the articles sharing most of these terms with article `index`."""
    planes: list[int] = []  # binary digits of each article's shared-term count
    for mask in term_masks:
        carry = mask & ~(1 << index)
        for level in range(len(planes)):
            planes[level], carry = planes[level] ^ carry, planes[level] & carry
        if carry:
            planes.append(carry)
    found: list[int] = []
    for count in range(2 ** len(planes) - 1, 0, -1):
        exact = -1
        for level, plane in enumerate(planes):
            exact &= plane if count >> level & 1 else ~plane
        while exact and len(found) < RELATED_COUNT:
            lowest = exact & -exact
            found.append(lowest.bit_length() - 1)
            exact ^= lowest
        if len(found) == RELATED_COUNT:
            break
    return tuple(found)


def _term_keys(article: Article) -> tuple[TermKey, ...]:
    return tuple(("topic", t.slug) for t in article.topics) + tuple(("country", c.code) for c in article.countries)
