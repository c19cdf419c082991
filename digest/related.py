"""Related articles: up to five sharing the most topics and countries, newest first on ties.

Each term is a bitset over article positions, so one article's answer costs a
few big-integer operations. The index is kept between builds by the build
state: after an edit only the bitsets of the terms involved are rebuilt, and
only the articles whose answer can change are asked again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .content import Article

RELATED_COUNT = 5


TermKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RelatedIndex:
    """Each term as a bitset over article positions (0 = newest), and the answers so far.

    A later build reuses an article's answer when the order of articles and the
    bitsets of its own terms are unchanged, which is what makes a rebuild after
    one article's edit cheap.
    """

    order: tuple[Path, ...] = ()
    """Article files, newest first: bit i of a mask is the article at `order[i]`."""
    articles: tuple[Article, ...] = ()
    masks: Mapping[TermKey, int] = field(default_factory=dict)
    keys: Mapping[Path, tuple[TermKey, ...]] = field(default_factory=dict)
    chosen: Mapping[Path, tuple[int, ...]] = field(default_factory=dict)


def relate(articles: tuple[Article, ...], previous: RelatedIndex | None = None) -> RelatedIndex:
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
