"""What templates see: display-ready cards, links, pagers and site details, all frozen.

Objects shared between pages (a card, a topic's link) are the very same object
on every page that shows them, so a large site holds each once and comparing
two builds' pages is mostly a matter of identity checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Link:
    """Something with a name and a URL (a topic, a page in the menu)."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class CountryLink:
    name: str
    url: str
    flag: str
    code: str


@dataclass(frozen=True, slots=True)
class TermLink:
    """An entry of an index: a topic, a country, a year or a month, with its count."""

    name: str
    url: str
    count: int
    description: str = ""
    flag: str = ""
    code: str = ""
    months: tuple["TermLink", ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """An article as lists show it: display-ready fields and resolved links, no body."""

    title: str
    url: str
    published: datetime
    source: str
    source_url: str
    summary: str
    author: str
    draft: bool
    topics: tuple[Link, ...]
    countries: tuple[CountryLink, ...]
    extra: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article as its own page shows it: the card's fields plus the rendered body.

    A plan names the body by its file and fingerprint; the renderer fills in
    `body` just before the page is drawn, so planning never reads a body.
    """

    card: ArticleCard
    path: Path
    """The article's file (its `source` is the publication, as on the card)."""
    fingerprint: str
    body: Markup = field(default=Markup(""), compare=False, repr=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.card, name)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every page may show about the site as a whole."""

    title: str
    description: str
    base_url: str
    base_path: str
    language: str
    menu: tuple[Link, ...]
    home_url: str


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[ArticleCard, ...]
    urls: tuple[str, ...]
    count: int

    @property
    def prev_url(self) -> str:
        return self.urls[self.number - 2] if self.number > 1 else ""

    @property
    def next_url(self) -> str:
        return self.urls[self.number] if self.number < self.total else ""
