"""Stable digests of page contexts, to skip pages whose inputs did not change.

With the digest of the chosen template and everything it uses (see
`PageRenderer.choose`), a context digest makes a page's fingerprint: equal
fingerprints mean equal bytes. Objects shared between pages (article cards,
links) are digested once per build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

from .plan import PagePlan, Planner


class Fingerprinter:
    """Digests page contexts; remembers shared objects (cards, links) within one build."""

    def __init__(self, seeds: Callable[[object], bytes | None] = lambda value: None) -> None:
        self.seeds = seeds
        """Digests of some objects known without looking inside them (see `card_seeds`)."""
        self.memo: dict[int, tuple[object, bytes]] = {}
        self.field_names: dict[type, tuple[str, ...]] = {}
        self.keys: dict[str, bytes] = {}
        """Digests of context keys ('article', 'pager', …), the same on every page."""

    def seed(self, value: object, digest: bytes) -> None:
        """Declare `value`'s digest up front (e.g. an article card from its source's hash)."""
        self.memo[id(value)] = (value, digest)

    def context(self, plan: PagePlan) -> bytes:
        """A digest that differs whenever the plan's context would render differently."""
        return hashlib.blake2b(self.value(plan.context), digest_size=16).digest()

    def value(self, value: Any) -> bytes:
        """Bytes that differ whenever `value` would render differently."""
        kind = type(value)
        if kind is str or kind is Markup:  # Markup's type matters: it is not escaped again
            data: bytes = value.encode("utf-8", "surrogatepass")
            return (b"S" if kind is str else b"M") + str(len(data)).encode() + b":" + data
        known = self.memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if kind is tuple or kind is list:
            result = b"(" + b"".join([self.value(v) for v in value]) + b")"
        elif kind is dict:
            try:
                ordered = sorted(value)
            except TypeError:  # keys of mixed types
                ordered = sorted(value, key=repr)
            keys = self.keys
            parts = []
            for k in ordered:
                known_key = keys.get(k) if type(k) is str else None
                if known_key is None:
                    known_key = self.value(k)
                    if type(k) is str:
                        keys[k] = known_key
                parts.append(known_key)
                parts.append(self.value(value[k]))
            result = b"{" + b"".join(parts) + b"}"
        elif value is None or kind in (bool, int, float):
            return repr(value).encode() + b";"
        elif isinstance(value, PurePath):
            result = b"P" + self.value(str(value))
        elif isinstance(value, (datetime, date)):
            result = b"T" + value.isoformat().encode() + str(getattr(value, "tzinfo", "")).encode() + b";"
        elif is_dataclass(value) and (seeded := self.seeds(value)) is not None:
            result = seeded
        elif is_dataclass(value):
            names = self.field_names.get(kind)
            if names is None:
                names = self.field_names[kind] = tuple(f.name for f in fields(value) if f.compare)
            digest = hashlib.blake2b(kind.__name__.encode(), digest_size=16)
            for name in names:
                digest.update(self.value(getattr(value, name)))
            result = b"D" + digest.digest()
        elif isinstance(value, str):
            return self.value(str(value))
        elif hasattr(value, "items"):
            result = self.value(dict(value.items()))
        else:
            raise TypeError(f"cannot fingerprint a {kind.__name__} in a page context")
        if len(result) > 64:
            result = b"H" + hashlib.blake2b(result, digest_size=16).digest()
        self.memo[id(value)] = (value, result)
        return result


def card_seeds(planner: Planner, settings: str) -> Callable[[object], bytes | None]:
    """Digests of the planner's article cards from what they are made of, cheaper than digesting their fields.

    A card is a function of its file's front matter (and of the body when the
    summary comes from it: `meta_fingerprint`), its path, the parsing settings,
    its topics' display names and the base URL.
    """
    paths = {id(card): path for path, card in planner.cards.items()}
    base_url = planner.site.config.base_url

    def seed(value: object) -> bytes | None:
        path = paths.get(id(value))
        if path is None or planner.cards[path] is not value:
            return None
        article = planner.articles_by_path[path]
        names = tuple(planner.topic_names[t.slug] for t in article.topics)
        shown = f"{settings}|{path}|{article.meta_fingerprint}|{names}|{base_url}"
        return b"C" + hashlib.blake2b(shown.encode("utf-8", "surrogateescape"), digest_size=16).digest()

    return seed
