"""Stable digests of page contexts, to skip pages whose inputs did not change.

With the digest of the chosen template and everything it uses (see
`PageRenderer.choose`), a context digest makes a page's fingerprint: equal
fingerprints mean equal bytes. Objects shared between pages (article cards,
links) are digested once per build.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

from markupsafe import Markup

from .pages import PagePlan
from .plan import Planner
from .views import ArticleCard, ArticleView


class Fingerprinter:
    """Digests page contexts; remembers shared objects (cards, links) within one build.

    With the planner that made the plans, an article card is digested from what
    it is made of rather than field by field: its file's front matter (and body,
    when the summary comes from it: `meta_fingerprint`), its path, the parsing
    `settings`, its topics', source's and author's display names, the base URL and its picture's renditions.
    """

    def __init__(self, settings: str, planner: Planner | None = None) -> None:
        self.settings = settings
        self.planner = planner
        self._card_paths: dict[int, Path] | None = None
        self.memo: dict[int, tuple[object, bytes]] = {}
        self.flags_key = hashlib.blake2b(" ".join(sorted(planner.flags)).encode(), digest_size=8).hexdigest() if planner is not None else ""
        """Which flags exist changes every card's country links."""
        self.field_names: dict[type, tuple[str, ...]] = {}
        self.keys: dict[str, bytes] = {}
        """Digests of context keys ('article', 'pager', …), the same on every page."""

    def forget(self) -> None:
        """Let go of what was digested for plans that are done with (kept to know it again, it keeps them alive),
        but not of the articles' cards: the planner holds them anyway, and most pages show some."""
        self.memo = {key: known for key, known in self.memo.items() if type(known[0]) is ArticleCard}

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
            result = self.mapping(value)
        elif value is None or kind is bool or kind is int or kind is float:
            return repr(value).encode() + b";"
        elif kind in self.field_names or (is_dataclass(value) and not isinstance(value, type)):
            result = self.dataclass(value)
        elif isinstance(value, PurePath):
            result = b"P" + self.value(str(value))
        elif isinstance(value, (datetime, date)):
            result = b"T" + value.isoformat().encode() + str(getattr(value, "tzinfo", "")).encode() + b";"
        elif isinstance(value, str):  # an enum's value, say
            result = self.value(str(value))
        elif hasattr(value, "items"):
            result = self.mapping(dict(value.items()))
        else:
            raise TypeError(f"cannot fingerprint a {kind.__name__} in a page context")
        if len(result) > 64:
            result = b"H" + hashlib.blake2b(result, digest_size=16).digest()
        self.memo[id(value)] = (value, result)
        return result

    def mapping(self, value: dict[Any, Any]) -> bytes:
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
        return b"{" + b"".join(parts) + b"}"

    def dataclass(self, value: Any) -> bytes:
        """A card from its seed when there is one, any other dataclass from its compared fields."""
        kind = type(value)
        if kind is ArticleView:  # its card, and the body named by file, fingerprint and settings, with the URLs of its links
            shown = f"{self.settings}|{value.path}|{value.fingerprint}".encode("utf-8", "surrogateescape")
            return b"V" + hashlib.blake2b(self.value(value.card) + shown + self.value(value.links), digest_size=16).digest()
        seeded = self.card_seed(value) if kind is ArticleCard else None
        if seeded is not None:
            return seeded
        names = self.field_names.get(kind)
        if names is None:
            names = self.field_names[kind] = tuple(f.name for f in fields(value) if f.compare)
        digest = hashlib.blake2b(kind.__name__.encode(), digest_size=16)
        for name in names:
            digest.update(self.value(getattr(value, name)))
        return b"D" + digest.digest()

    @property
    def card_paths(self) -> dict[int, Path]:
        """Each card's article file, by the card's identity: made when a first page needs a fingerprint (after a body edit, none does)."""
        if self._card_paths is None:
            self._card_paths = {id(card): path for path, card in self.planner.cards.items()} if self.planner is not None else {}
        return self._card_paths

    def card_seed(self, card: ArticleCard) -> bytes | None:
        path = self.card_paths.get(id(card))
        planner = self.planner
        if path is None or planner is None or planner.cards.get(path) is not card:
            return None
        article = planner.articles_by_path[path]
        names = tuple(planner.topic_names[t.slug] for t in article.topics)
        bylines = (card.source, card.source_page, card.author, card.author_page)  # named as their pages are, across articles
        shown = f"{self.settings}|{path}|{article.meta_fingerprint}|{names}|{bylines}|{planner.site.config.base_url}|{self.flags_key}"
        picture = self.value(card.image) if card.image is not None else b""  # made from the picture file's bytes, not the article's
        return b"C" + hashlib.blake2b(shown.encode("utf-8", "surrogateescape") + picture, digest_size=16).digest()
