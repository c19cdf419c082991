"""Stable digests of what a page is drawn from, to skip pages whose inputs did not change.

A page's fingerprint covers its whole context and the source of every template
its chosen template uses, so equal fingerprints mean equal bytes. Objects shared
between pages (article cards, links) are digested once per build.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from .plan import PagePlan
from .templates import PageRenderer


class Fingerprinter:
    """Digests plans; remembers shared objects and template sources within one build."""

    def __init__(self, renderer: PageRenderer) -> None:
        self.renderer = renderer
        self.memo: dict[int, tuple[object, bytes]] = {}
        self.templates: dict[str, bytes] = {}
        self.selections: dict[tuple[str, ...], bytes] = {}
        self.field_names: dict[type, tuple[str, ...]] = {}
        self.keys: dict[str, bytes] = {}
        """Digests of context keys ('article', 'pager', …), the same on every page."""

    def seed(self, value: object, digest: bytes) -> None:
        """Declare `value`'s digest up front (e.g. an article card from its source's hash)."""
        self.memo[id(value)] = (value, digest)

    def page(self, plan: PagePlan) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(self.value(plan.context))
        digest.update(self.selection(plan))
        return digest.hexdigest()

    def selection(self, plan: PagePlan) -> bytes:
        """The candidates tried up to the chosen one (a new file there changes the choice), and the chosen one's sources."""
        known = self.selections.get(plan.templates)
        if known is None:
            chosen = self.renderer.template_for(plan).name or plan.templates[0]
            digest = hashlib.blake2b(digest_size=16)
            for name in plan.templates:
                digest.update(name.encode() + b"\0" + hashlib.blake2b(self.renderer.source_of(name).encode()).digest())
                if name == chosen:
                    break
            digest.update(self.template(chosen))
            known = self.selections[plan.templates] = digest.digest()
        return known

    def template(self, name: str) -> bytes:
        known = self.templates.get(name)
        if known is None:
            digest = hashlib.blake2b(digest_size=16)
            for used in sorted(self.renderer.uses(name)):
                digest.update(used.encode() + b"\0" + self.renderer.source_of(used).encode() + b"\0")
            known = self.templates[name] = digest.digest()
        return known

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
        elif isinstance(value, (datetime, date)):
            result = b"T" + value.isoformat().encode() + str(getattr(value, "tzinfo", "")).encode() + b";"
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
