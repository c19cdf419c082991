"""The URLs an HTML document points at, for the feed validators (which want them absolute) and the crawler
(which follows them). One scanner, so both agree on what counts as a reference."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "poster"})
"""Attributes whose value is a URL (or, for srcset, a list of them) on any element."""


@dataclass(frozen=True, slots=True)
class Reference:
    tag: str
    attribute: str
    url: str


def html_references(html: str) -> list[Reference]:
    """Every URL in `html`'s URL attributes, srcset split into its candidates, in document order."""
    parser = _ReferenceParser()
    parser.feed(html)
    parser.close()
    return parser.references


def is_relative(url: str) -> bool:
    """True for a URL a feed reader cannot resolve on its own: no scheme (`a/b`, `/a`, `//host/a`, `#x`, empty)."""
    return not urlsplit(url.strip()).scheme


def is_absolute_http(url: str) -> bool:
    """True for `http://host/…` and `https://host/…`, the only links a reader outside our site can follow."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def srcset_urls(value: str) -> list[str]:
    """The candidate URLs of a srcset, split as the HTML standard does (a URL may itself contain commas)."""
    urls: list[str] = []
    pos, end = 0, len(value)
    while True:
        while pos < end and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        if pos >= end:
            return urls
        start = pos
        while pos < end and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        depth = 0  # skip the descriptors up to the next comma outside parentheses
        while pos < end:
            char = value[pos]
            pos += 1
            if char == "(":
                depth += 1
            elif char == ")":
                depth = max(0, depth - 1)
            elif char == "," and depth == 0:
                break


class _ReferenceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[Reference] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for attribute, value in attrs:
            if attribute not in URL_ATTRIBUTES or value is None:
                continue
            urls = srcset_urls(value) if attribute == "srcset" else [value.strip()]
            self.references.extend(Reference(tag, attribute, url) for url in urls)

    handle_startendtag = handle_starttag


class StartTags(HTMLParser):
    """Every start tag of an HTML document with its attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def all(self, name: str) -> list[dict[str, str]]:
        """The attributes of every `name` element."""
        return [attrs for tag, attrs in self.tags if tag == name]

    def meta(self, prop: str) -> str:
        """The content of the `<meta property=…>` named `prop`."""
        return next(a["content"] for a in self.all("meta") if a.get("property") == prop)
