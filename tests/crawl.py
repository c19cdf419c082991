"""A link checker for built sites: start at one page, follow every reference that stays inside the site, and
report each one that leads nowhere.

It reads a site the two ways a reader gets one: over HTTP under a sub-path (`serve_folder(root)` with the site
in `root/digest/`, then `crawl(base + "digest/", inside=base + "digest/")`), and straight from disk
(`crawl(out.as_uri() + "/index.html", inside=out.as_uri() + "/")`), where a link to a folder is broken
because a browser shows the folder, not its index.html. Besides HTML it follows the links in Atom and RSS feeds,
sitemaps and JSON Feeds. Only 127.0.0.1 and files are ever fetched; other hosts are listed, not visited.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree as ET

from tests.html_refs import html_references

FETCH_TIMEOUT = 10.0  # seconds for one page: everything is local, so a slow answer is a hang
MAX_PAGES = 20_000  # a bound on one crawl, should a site generate links without end
IGNORED_SCHEMES = frozenset({"mailto", "tel", "data", "javascript"})
_XML_URL_ATTRIBUTES = {"link": "href", "enclosure": "url", "content": "src"}  # in feeds, by element's local name
_SAFE_URL_CHARACTERS = ":/?#[]@!$&'()*+,;=%~"  # left as they are when a link is percent-encoded


@dataclass
class CrawlReport:
    """What one crawl saw. `broken` reads "page → target (reason)", with both relative to the site."""

    start: str
    inside: str
    visited: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        lines = [f"crawled {len(self.visited)} pages from {self.start}: {len(self.broken)} broken links"]
        return "\n".join([*lines, *(f"  {line}" for line in self.broken)])

    def files(self) -> set[str]:
        """The visited URLs inside the site as the files that answered them, relative to the site ("topics/index.html"):
        a folder URL, as a host serves it, is its index.html."""
        found = set()
        for url in self.visited:
            if url.startswith(self.inside):
                path = unquote(urlsplit(url).path.removeprefix(urlsplit(self.inside).path))
                found.add(path + "index.html" if path == "" or path.endswith("/") else path)
        return found


def offered_files(folder: Path) -> set[str]:
    """What a built site offers readers and robots, as files relative to `folder`: every HTML page, every feed
    (feed.xml, rss.xml, feed.json) and the sitemap. A crawl of the published site should reach them all."""
    names = {"feed.xml", "rss.xml", "feed.json", "sitemap.xml"}
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if (p.suffix == ".html" or p.name in names) and p.is_file()}


def crawl(start_url: str, inside: str, published_at: str | None = None) -> CrawlReport:
    """Visit every page reachable from `start_url` without leaving `inside` (a URL prefix ending with "/").

    A reference is broken when its target is missing (404, no such file), when it is a folder read from disk,
    or when it escapes the site: a same-host link outside `inside`, such as `/css/site.css` on a site hosted
    at `/digest/`, which is what root-relative URLs do to a site moved under a sub-path.
    `published_at` is the site's public address (say `https://example.org/digest/`): the absolute links that
    feeds and sitemaps carry are checked as links to the same path under `inside`, not set aside as external.
    """
    return _crawl([start_url], inside, published_at)


def crawl_published(home: str, inside: str, published_at: str) -> CrawlReport:
    """Visit what a published site's readers and robots reach: everything linked from the `home` page, from each
    sitemap that robots.txt names, and from 404.html, which a host shows for any missing URL.

    robots.txt names sitemaps by their public address (under `published_at`); they are read under `inside`.
    A robots.txt that is missing, names no sitemap or names one outside `published_at` (never fetched) is reported broken.
    """
    reason, _, robots, _, charset = _fetch(_normalise(inside + "robots.txt"))
    lines = robots.decode(charset, errors="replace").splitlines()
    named = [line.partition(":")[2].strip() for line in lines if line.lower().startswith("sitemap:")]
    sitemaps = [_rebase(url, published_at, inside) for url in named if url.startswith(published_at)]
    report = _crawl([home, *sitemaps, inside + "404.html"], inside, published_at)
    elsewhere = [f"(start) → robots.txt (names a sitemap outside {published_at}: {url})" for url in named if not url.startswith(published_at)]
    if reason or not named:
        elsewhere.insert(0, f"(start) → robots.txt ({reason or 'names no sitemap'})")
    report.broken[:0] = elsewhere
    return report


def _crawl(starts: list[str], inside: str, published_at: str | None) -> CrawlReport:
    for prefix in (inside, published_at or "/"):
        if not prefix.endswith("/"):
            raise ValueError(f"{prefix!r} must end with '/', so that {prefix}-old/ is not taken for part of the site")
    entries = [_normalise(url) for url in starts]
    report = CrawlReport(entries[0], inside)
    failures: dict[str, str] = {}
    links: dict[tuple[str, str], None] = {}  # (page, target) in the order found; a dict to drop repeats
    queue, seen = deque(dict.fromkeys(entries)), set(entries)
    while queue and len(report.visited) < MAX_PAGES:
        url = queue.popleft()
        reason, final_url, references = _visit(url)
        if reason:
            failures[url] = reason
            if url in entries:
                links[("(start)", url)] = None
            continue
        report.visited.append(url)
        for reference in references:
            target = _normalise(urljoin(final_url, reference))
            if urlsplit(target).scheme in IGNORED_SCHEMES:
                continue
            if published_at and target.startswith(published_at):
                target = _rebase(target, published_at, inside)
            links.setdefault((url, target), None)
            if not target.startswith(inside):
                escape = _escape_reason(target, inside)
                if escape:
                    failures[target] = escape
                else:
                    report.external.add(target)
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    report.broken = [
        f"{_short(page, inside)} → {_short(target, inside)} ({failures[target]})" for page, target in links if target in failures
    ]
    return report


def _visit(url: str) -> tuple[str | None, str, list[str]]:
    """Fetch one internal URL: why it is broken (None when it is not), where it ended up after redirects
    (the base for its relative links), and the references in it."""
    reason, final_url, body, kind, charset = _fetch(url)
    return reason, final_url, [] if reason else _references(body, kind, charset, final_url)


def _fetch(url: str) -> tuple[str | None, str, bytes, str, str]:
    """Why `url` is broken (None when it is not), where it ended up after redirects, its bytes, type and charset."""
    if url.startswith("file:"):
        path = urlsplit(url).path
        if Path(url2pathname(path)).is_dir():
            return "directory link: opened from disk, a browser shows the folder, not its index.html", url, b"", "", "utf-8"
        if path.endswith("/"):
            return "directory link to a missing folder", url, b"", "", "utf-8"
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
            body: bytes = response.read()
            final_url: str = response.geturl()
            kind = response.headers.get_content_type()
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.reason}", url, b"", "", "utf-8"
    except urllib.error.URLError as error:
        if isinstance(error.reason, FileNotFoundError):
            return "missing file", url, b"", "", "utf-8"
        return f"cannot fetch: {error.reason}", url, b"", "", "utf-8"
    return None, final_url, body, kind, charset


def _references(body: bytes, kind: str, charset: str, url: str) -> list[str]:
    """The URLs in a fetched document, by its type; other types (CSS, images, fonts) are leaves."""
    path = urlsplit(url).path
    if kind == "text/html" or kind == "application/xhtml+xml":
        return _html_references(body.decode(charset, errors="replace"))
    if kind.endswith("xml") or path.endswith(".xml"):
        return _xml_references(body)
    if kind.endswith("json") or path.endswith(".json"):
        return _json_feed_references(body)
    return []


def _html_references(html: str) -> list[str]:
    references = html_references(html)
    base = next((ref.url for ref in references if ref.tag == "base" and ref.attribute == "href"), "")
    return [urljoin(base, ref.url) for ref in references if ref.tag != "base"]


def _xml_references(body: bytes) -> list[str]:
    """Links of Atom (link href, content src), RSS (link, permalink guid, enclosure, atom:link) and sitemaps (loc)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return []  # the feed validators report malformed feeds; here there are just no links to follow
    urls: list[str] = []
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        attribute = _XML_URL_ATTRIBUTES.get(tag, "")
        text = (element.text or "").strip()
        if element.get(attribute):
            urls.append(element.get(attribute, ""))
        elif text and (tag in ("link", "loc") or (tag == "guid" and element.get("isPermaLink", "true") != "false")):
            urls.append(text)
    return urls


def _json_feed_references(body: bytes) -> list[str]:
    try:
        feed: Any = json.loads(body)
    except ValueError:
        return []
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith("https://jsonfeed.org/"):
        return []
    holders = [feed, *(item for item in feed.get("items") or [] if isinstance(item, dict))]
    keys = ("home_page_url", "feed_url", "next_url", "icon", "favicon", "url", "external_url", "image", "banner_image")
    return [holder[key] for holder in holders for key in keys if isinstance(holder.get(key), str)]


def _rebase(target: str, published_at: str, inside: str) -> str:
    """A public URL as the same file under `inside`. A public folder URL is served as its index.html, so from
    disk it stands for that file: the feed was right to use it."""
    local = inside + target.removeprefix(published_at)
    if local.startswith("file:") and urlsplit(local).path.endswith("/"):
        parts = urlsplit(local)
        local = parts._replace(path=parts.path + "index.html").geturl()
    return local


def _escape_reason(target: str, inside: str) -> str | None:
    """Why a link outside the site is broken rather than external: it stayed on our host or disk but left the site."""
    target_parts, site = urlsplit(target), urlsplit(inside)
    if site.scheme == "file" and target_parts.scheme == "file":
        return f"outside the output folder {site.path}"
    if (target_parts.scheme, target_parts.netloc) == (site.scheme, site.netloc):
        return f"outside the site's path {site.path}"
    return None


def _normalise(url: str) -> str:
    """One spelling per target: no fragment, non-ASCII and spaces percent-encoded (as a browser sends them)."""
    return quote(urldefrag(url.strip())[0], safe=_SAFE_URL_CHARACTERS)


def _short(url: str, inside: str) -> str:
    """A URL as a person reads it: relative to the site, and with its percent-escapes decoded."""
    return unquote(url.removeprefix(inside) or "./") if url.startswith(inside) else unquote(url)


# -- serving a folder -----------------------------------------------------------------


class _SiteRequestHandler(SimpleHTTPRequestHandler):
    """A static host: files as they are, no folder listings (hosts answer 404), and no log lines in test output."""

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "No index.html in this folder")
        return None

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 (a free port) for the duration; yields the base URL, ending with "/"."""
    with serving(partial(_SiteRequestHandler, directory=str(root)), f"serve {root}") as address:
        yield address


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler], name: str = "serve") -> Iterator[str]:
    """A server of `handler` on 127.0.0.1 (a free port) for the duration; yields its base URL, ending with "/"."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name=name, daemon=True)  # quick to shut down
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=FETCH_TIMEOUT)
