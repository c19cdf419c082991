"""Related articles: up to five sharing the most topics and countries, newest first on ties.

An inverted index lists, for every term (a topic or a country) and every pair
and triple of terms an article has, the positions of the articles that have
them, newest first. An article's answer is read off the lists of its own
terms, level by level from the highest score down, and stops as soon as five
are found: its cost depends on its own terms and on those lists, not on the
size of the site. The index is kept between builds by the build state: after an
edit only the lists of the terms involved change, and only the articles whose
answer can change are asked again.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, combinations
from math import comb
from pathlib import Path

from .content import Article

RELATED_COUNT = 5
DEPTH = 3
"""The largest group of terms with a list of its own: deeper scores are counted from the lists of triples."""
WIDE = 12
"""An article with more terms than this is left out of the lists (its triples alone would number hundreds) and
scored directly by every query instead: the parser's limits make such articles rare."""
TermKey = tuple[str, str]
Group = tuple[int, ...]
"""One to three term numbers, ascending."""


@dataclass(frozen=True, slots=True)
class RelatedIndex:
    """Articles newest first, the lists of each term group's positions, and the answers so far.

    A later build with the same order of articles updates the lists of the
    groups an edited article left or joined, and asks again only the articles
    whose answer can change. The lists are never changed in place: an index
    stays valid for as long as anyone holds it.
    """

    order: tuple[Path, ...] = ()
    """Article files, newest first: position i is the article at `order[i]`."""
    articles: tuple[Article, ...] = ()
    keys: Mapping[Path, tuple[TermKey, ...]] = field(default_factory=dict)
    chosen: Mapping[Path, tuple[int, ...]] = field(default_factory=dict)
    """Each article's related articles as positions, highest score first, newest first among equals."""
    numbers: Mapping[TermKey, int] = field(default_factory=dict)
    """Each term's number in the keys of `lists`."""
    lists: Mapping[Group, list[int]] = field(default_factory=dict)
    """A group of one to three term numbers → the positions of the articles having them all, ascending."""
    wide: Mapping[int, frozenset[int]] = field(default_factory=dict)
    """Articles with more than `WIDE` terms, by position: their term numbers (they are in no list)."""
    terms: Sequence[tuple[int, ...]] = ()
    """Each position's term numbers, as its article names them."""
    floors: Sequence[int] = ()
    """Each position's lowest score among its related articles (0 with fewer than `RELATED_COUNT`): what a changed
    article must beat to enter its answer."""


def relate(articles: tuple[Article, ...], previous: RelatedIndex | None = None) -> RelatedIndex:
    """Up to five articles sharing the most topics and countries, newest first on ties.

    With the same order of articles as `previous`, only the lists of term groups
    a changed article left or joined are rebuilt, and only the articles whose
    answer can change are asked again.
    """
    order = tuple(a.path for a in articles)
    if previous is not None and previous.order == order:
        return _update(previous, articles)
    if previous is not None and len(previous.articles) == len(articles):
        keys = {a.path: previous.keys[a.path] if a is b else _term_keys(a) for a, b in zip(articles, previous.articles)}
    else:
        keys = {a.path: _term_keys(a) for a in articles}
    numbers: dict[TermKey, int] = {}
    for path in order:
        for key in keys[path]:
            numbers.setdefault(key, len(numbers))
    terms = [_numbers(keys[path], numbers) for path in order]
    lists: defaultdict[Group, list[int]] = defaultdict(list)
    wide: dict[int, frozenset[int]] = {}
    for position, own in enumerate(terms):
        distinct = sorted(set(own))
        if len(distinct) > WIDE:
            wide[position] = frozenset(distinct)
            continue
        for size in range(1, min(DEPTH, len(distinct)) + 1):
            for group in combinations(distinct, size):  # positions ascend, so every list is in order
                lists[group].append(position)
    finder = _Finder(dict(lists), wide, terms)
    floors = [0] * len(order)
    chosen = {}
    for position, path in enumerate(order):
        chosen[path], floors[position] = finder.related(position)
    return RelatedIndex(order, articles, keys, chosen, numbers, finder.lists, wide, terms, floors)


def _update(previous: RelatedIndex, articles: tuple[Article, ...]) -> RelatedIndex:
    """The same order of articles as `previous`: move the changed articles between lists, and ask again those
    whose answer can change (see `_may_change`)."""
    order = previous.order
    keys = previous.keys
    changed = []
    for position, (article, last) in enumerate(zip(articles, previous.articles)):
        if article is not last and _term_keys(article) != keys[article.path]:
            changed.append(position)
    if not changed:
        return RelatedIndex(
            order, articles, keys, previous.chosen, previous.numbers, previous.lists, previous.wide, previous.terms, previous.floors
        )
    keys = dict(keys)
    numbers = dict(previous.numbers)
    terms = list(previous.terms)
    lists = _CopyOnWrite(previous.lists)
    wide = dict(previous.wide)
    touched: set[int] = set()
    for position in changed:
        path = order[position]
        keys[path] = _term_keys(articles[position])
        for key in keys[path]:
            numbers.setdefault(key, len(numbers))
        before, terms[position] = terms[position], _numbers(keys[path], numbers)
        _leave(lists, wide, position, before)
        _join(lists, wide, position, terms[position])
        touched.update(before, terms[position])
    finder = _Finder(lists.result(), wide, terms)
    sharing: set[int] = set()
    for number in touched:
        sharing.update(finder.lists.get((number,), ()))
    sharing.update(p for p, own in wide.items() if not touched.isdisjoint(own))
    sharing.difference_update(changed)
    chosen = dict(previous.chosen)
    floors = list(previous.floors)
    for position in [*changed, *sorted(p for p in sharing if _may_change(p, terms, chosen[order[p]], floors[p], changed))]:
        chosen[order[position]], floors[position] = finder.related(position)
    return RelatedIndex(order, articles, keys, chosen, numbers, finder.lists, wide, terms, floors)


def _may_change(position: int, terms: Sequence[tuple[int, ...]], before: tuple[int, ...], floor: int, changed: list[int]) -> bool:
    """Whether the article at `position` can have new related articles when only those at `changed` changed their terms.

    Its scores against unchanged articles are as they were, so its answer moves
    only if a changed article was in it, or now outranks the last one in it
    (whose score is `floor`).
    """
    if any(other in before for other in changed):
        return True
    own = terms[position]
    for other in changed:
        score = _score(own, terms[other])
        if score and (len(before) < RELATED_COUNT or score > floor or (score == floor and other < before[-1])):
            return True
    return False


def _score(own: tuple[int, ...], other: tuple[int, ...]) -> int:
    """How many of `own` terms (counted as often as they are named) the other article has."""
    theirs = set(other)
    return sum(1 for number in own if number in theirs)


class _Finder:
    """Answers 'which articles are related to the one at this position' from the lists, one group of terms at a time.

    Articles with the very same terms get the same answer but for themselves,
    so each distinct set of terms is looked up once.
    """

    def __init__(self, lists: Mapping[Group, list[int]], wide: Mapping[int, frozenset[int]], terms: Sequence[tuple[int, ...]]) -> None:
        self.lists = lists
        self.wide = wide
        self.terms = terms
        self.known: dict[tuple[int, ...], list[tuple[int, int]]] = {}

    def related(self, position: int) -> tuple[tuple[int, ...], int]:
        """The related articles of the one at `position`, and the lowest score among them (0 when there are fewer than five)."""
        own = tuple(sorted(self.terms[position]))
        best = self.known.get(own)
        if best is None:
            best = self.known[own] = self.best(own)
        found = [(score, p) for score, p in best if p != position][:RELATED_COUNT]
        return tuple(p for _, p in found), found[-1][0] if len(found) == RELATED_COUNT else 0

    def best(self, own: tuple[int, ...]) -> list[tuple[int, int]]:
        """The `RELATED_COUNT + 1` positions (any article, itself included) sharing most of these terms, newest first
        among equals, each with its score: one more than an article needs, so that leaving itself out leaves enough.

        Level by level from the highest score s down: once every position
        scoring more than s is taken, a position in the list of some s of these
        terms that is not taken scores exactly s (and is in no other such list).
        The ones the answer needs are the newest of those, so each list is read
        only as far as `needed` entries plus the ones taken already. A level
        that cannot fill the answer was read to the end of every list, so every
        position scoring s is then taken, as the next level needs. Scores above
        `DEPTH` cannot be read off a list: all positions in the lists of triples
        are counted instead (one scoring s is in comb(s, DEPTH) of them).
        """
        wanted = RELATED_COUNT + 1
        if not own:
            return []
        if len(set(own)) != len(own) or len(own) > WIDE:
            return self.counted(own, wanted)
        wide_scores = {p: len(theirs.intersection(own)) for p, theirs in self.wide.items()} if self.wide else {}
        top = len(own)
        found: list[tuple[int, int]] = []
        taken: set[int] = set()
        if top > DEPTH:
            counts = Counter(chain.from_iterable(self.lists.get(g, ()) for g in combinations(own, DEPTH)))
            scores = {comb(score, DEPTH): score for score in range(DEPTH, top + 1)}
            high = [(-scores[count], p) for p, count in counts.items()]
            high += [(-score, p) for p, score in wide_scores.items() if score >= DEPTH]
            found = [(-negative, p) for negative, p in heapq.nsmallest(wanted, high)]
            if len(found) == wanted:
                return found
            taken = {p for _, p in high}
            top = DEPTH - 1
        for level in range(top, 0, -1):
            needed = wanted - len(found)
            reach = needed + len(taken)
            candidates = {p for p, score in wide_scores.items() if score == level}
            for group in combinations(own, level):
                candidates.update(self.lists.get(group, ())[:reach])
            candidates -= taken
            newest = heapq.nsmallest(needed, candidates)
            found += [(level, p) for p in newest]
            if len(found) == wanted:
                return found
            taken.update(newest)
        return found

    def counted(self, own: tuple[int, ...], wanted: int) -> list[tuple[int, int]]:
        """Every article sharing a term, scored: for an article with more terms than the lists cover, or one naming a term twice."""
        counts = Counter(chain.from_iterable(self.lists.get((number,), ()) for number in own))
        for p, theirs in self.wide.items():
            score = sum(1 for number in own if number in theirs)
            if score:
                counts[p] = score
        return [(-negative, p) for negative, p in heapq.nsmallest(wanted, ((-score, p) for p, score in counts.items()))]


def _groups(own: Iterable[int]) -> Iterator[Group]:
    ordered = sorted(own)
    for size in range(1, min(DEPTH, len(ordered)) + 1):
        yield from combinations(ordered, size)


def _join(lists: _CopyOnWrite, wide: dict[int, frozenset[int]], position: int, own: tuple[int, ...]) -> None:
    """Add the article at `position` to the lists of its term groups (or to `wide`)."""
    distinct = frozenset(own)
    if len(distinct) > WIDE:
        wide[position] = distinct
        return
    for key in _groups(distinct):
        members = lists.writable(key)
        if members is None:
            lists[key] = [position]
        elif not members or members[-1] < position:
            members.append(position)
        else:
            insort(members, position)


def _leave(lists: _CopyOnWrite, wide: dict[int, frozenset[int]], position: int, own: tuple[int, ...]) -> None:
    """Take the article at `position` out of the lists of its term groups (or out of `wide`)."""
    distinct = frozenset(own)
    if wide.pop(position, None) is not None:
        return
    for key in _groups(distinct):
        members = lists.writable(key)
        if members is None:
            continue
        at = bisect_left(members, position)
        if at < len(members) and members[at] == position:
            del members[at]
        if not members:
            lists.remove(key)


class _CopyOnWrite:
    """The previous index's lists, copied one list at a time as an update writes to them."""

    def __init__(self, base: Mapping[Group, list[int]]) -> None:
        self.lists = dict(base)
        self.copied: set[Group] = set()

    def writable(self, key: Group) -> list[int] | None:
        members = self.lists.get(key)
        if members is not None and key not in self.copied:
            members = self.lists[key] = list(members)
            self.copied.add(key)
        return members

    def __setitem__(self, key: Group, members: list[int]) -> None:
        self.lists[key] = members
        self.copied.add(key)

    def remove(self, key: Group) -> None:
        del self.lists[key]

    def result(self) -> dict[Group, list[int]]:
        return self.lists


def _numbers(keys: tuple[TermKey, ...], numbers: Mapping[TermKey, int]) -> tuple[int, ...]:
    return tuple(numbers[key] for key in keys)


def _term_keys(article: Article) -> tuple[TermKey, ...]:
    return tuple(("topic", t.slug) for t in article.topics) + tuple(("country", c.code) for c in article.countries)
