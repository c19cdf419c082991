"""`digest import`: stories from feeds (RSS, Atom, JSON Feed) and pasted text → draft articles, by `digest new`'s own writer.

Every source is read and every draft composed and checked (by the build's parser, through `drafting`) before the first
file is written: a feed that does not read, or an option naming nothing, leaves the content folder as it was. A story
whose address (tracking parameters removed) the site already has, or that came earlier in the same run, is skipped.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from http.client import HTTPMessage
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import feedparser  # type: ignore[import-untyped]
import nh3
from bs4 import MarkupResemblesLocatorWarning
from markdownify import MarkdownConverter

from . import __version__
from .addresses import AddressProblem, web_address
from .config import SiteConfig
from .content import Article, ArticleParser
from .countries import Country, folded, name_key
from .drafting import OPTIONS, ArticleFile, ArticleRequest, compose_article, write_article
from .errors import CommandError, DigestError, Problem, display_path, printable
from .names import MAX_SLUG, slugify
from .sanitize import Sanitizer

MAX_BYTES = 10 * 1024 * 1024
"""The most digest reads from one source: a feed is kilobytes; more is a mistake or a hostile server."""
TIMEOUT = 30.0
"""Seconds a download may take in all (and each wait for the server within it)."""
SUMMARY_CHARS = 300
"""A longer summary is cut at a word, with '…': lists show a sentence or two."""
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "rb_clickid", "s_cid",
})
"""Query parameters that say who clicked where, not what the page is: removed, so one story has one address."""
CHROME_LINES = frozenset({
    "exit mobile version", "skip to content", "skip to main content", "skip to navigation", "back to top", "scroll to top",
    "go to top", "share this", "share this article", "share this story", "like this", "like loading", "print this page",
})
"""Lines a web page's frame adds around a story, dropped from either end of a pasted one (compared without case or a
trailing ':', '…' or '...')."""
JSON_FEED_VERSION = "https://jsonfeed.org/version/1"
FEED_TYPES = "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """What `digest import` was asked, as typed."""

    sources: tuple[str, ...]
    topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    since: str = ""
    """A date (`2026-11-20`) or an ISO 8601 time: older stories are skipped. '' keeps them all."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A source's bytes, with the name it is reported under and the address its relative links are read against."""

    name: str
    data: bytes
    address: str = ""
    story: bool = False
    """A plain-text story (`.txt`) rather than a feed."""


@dataclass(frozen=True, slots=True)
class Story:
    """One story as a source gives it: plain-text title and summary, the body in Markdown, the original's address."""

    title: str
    url: str
    published: datetime | None
    summary: str
    body: str
    source: str
    """The feed's title: the publication the story comes from."""


@dataclass(frozen=True, slots=True)
class Entry:
    """What becomes of one story: a draft to write, or a line saying why it is skipped."""

    draft: ArticleFile | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Every story of every source, decided: the drafts (checked, with free names) and the skips, in the sources' order."""

    entries: tuple[Entry, ...]
    sources: int
    older: int
    """Stories left out by `--since`, counted rather than listed: a daily import of a long feed skips most of it."""

    @property
    def drafts(self) -> tuple[ArticleFile, ...]:
        return tuple(entry.draft for entry in self.entries if entry.draft is not None)

    def summary(self, *, dry_run: bool) -> str:
        """The run's last line: how many drafts, from how many sources, and what was left out."""
        count = len(self.drafts)
        drafts = f"{count} draft{'s' if count != 1 else ''} from {self.sources} source{'s' if self.sources != 1 else ''}"
        skipped = [f"{len(self.entries) - count} skipped"] if len(self.entries) > count else []
        skipped += [f"{self.older} older than --since"] if self.older else []
        aside = f" ({', '.join(skipped)})" if skipped else ""
        if dry_run:
            return f"Would import {drafts}{aside}; nothing was written (--dry-run)."
        return f"Imported {drafts}{aside}" + ("; each stays off the site until its draft: true is removed." if count else ".")


# -- the run ---------------------------------------------------------------------------


def plan_import(config: SiteConfig, request: ImportRequest, now: datetime, existing: Sequence[Article]) -> ImportPlan:
    """Read every source and compose every draft, or raise a `CommandError` before anything is written."""
    problems: list[Problem] = []
    try:  # --country and --topic, as `digest new` checks them
        compose_article(config, ArticleRequest("Imported story", request.countries, request.topics, draft=True), now)
    except CommandError as exc:
        problems.extend(exc.problems)
    try:
        since = _since(config, request.since)
    except CommandError as exc:
        problems.extend(exc.problems)
    if problems:
        raise CommandError(problems)
    fetched = [read_source(source) for source in request.sources]
    stories = [(item, story) for item in fetched for story in read_stories(item)]
    parser = ArticleParser.for_site(config)
    index = parser.countries
    finder = CountryFinder(index.spellings())
    chosen = [index.resolve(name) for name in request.countries]
    held = {_title_key(article.title): article.path for article in existing}
    held.update({clean_url(article.url): article.path for article in existing if article.url})
    taken: set[str] = set()
    names = Names.of(existing, parser)
    entries: list[Entry] = []
    older = 0
    for item, story in stories:
        if since is not None and story.published is not None and story.published < since:
            older += 1
            continue
        quoted = f'"{printable(story.title)}"'
        if not story.title:
            entries.append(Entry(None, f"skipped a story of {item.name}: it has no title"))
            continue
        try:
            address = web_address(clean_url(story.url)) if story.url else ""
        except AddressProblem as exc:
            entries.append(Entry(None, f"skipped {quoted} from {item.name}: url: {exc.message}"))
            continue
        key = address or _title_key(story.title)
        said = printable(address) if address else "a story of that title"
        if key in held:
            entries.append(Entry(None, f"skipped {quoted}: {said} is already in {display_path(held[key])}"))
            continue
        if key in taken:
            entries.append(Entry(None, f"skipped {quoted}: {said} came earlier in this import"))
            continue
        mentioned = finder.find(f"{story.title}\n{story.summary or _first_paragraph(story.body)}")
        countries = _merged(chosen, mentioned, config.limits.countries_per_article)
        draft = ArticleRequest(
            story.title, tuple(country.code for country in countries), request.topics, story.source, address,
            story.published.astimezone(config.zone).replace(microsecond=0).isoformat() if story.published else "", story.summary, True, story.body,
        )
        try:
            file = names.place(config, draft, now)
        except CommandError as exc:
            entries.append(Entry(None, f"skipped {quoted} from {item.name}: {_story_problem(exc.problems[0])}"))
            continue
        entries.append(Entry(file))
        taken.add(key)
    return ImportPlan(tuple(entries), len(fetched), older)


def carry_out(config: SiteConfig, plan: ImportPlan, existing: Sequence[Article], *, dry_run: bool) -> Iterator[str]:
    """Write the plan's drafts one by one (each whole or not at all), saying what becomes of every story as it goes."""
    written: list[Article] = []
    for entry in plan.entries:
        if entry.draft is None:
            yield entry.note
            continue
        if not dry_run:
            write_article(config, entry.draft, [*existing, *written])
            written.append(entry.draft.article)
        yield f"{'would write' if dry_run else 'wrote'} {display_path(entry.draft.path)}"


@dataclass(slots=True)
class Names:
    """The file names and addresses a new draft may not take: those of the articles there, and of the drafts planned so far."""

    parser: ArticleParser
    addresses: set[tuple[date, str]]
    paths: set[Path]

    @classmethod
    def of(cls, existing: Iterable[Article], parser: ArticleParser) -> Names:
        return cls(parser, {(article.day, article.slug.casefold()) for article in existing}, set())

    def place(self, config: SiteConfig, request: ArticleRequest, now: datetime) -> ArticleFile:
        """The draft under the title's slug, or the first of `-2`, `-3`, … that no file and no article of its day has."""
        slug = slugify(" ".join(request.title.split()))
        number = 1
        while True:
            name = slug if number == 1 else f"{slug[: MAX_SLUG - len(str(number)) - 1].rstrip('-')}-{number}"
            file = compose_article(config, replace(request, name=name), now, self.parser)
            address = (file.article.day, file.article.slug.casefold())
            if not (file.path.exists() or file.path in self.paths or address in self.addresses):
                self.paths.add(file.path)
                self.addresses.add(address)
                return file
            number += 1


class CountryFinder:
    """Countries named in running text, by whole words: any name or alias the build reads, the short ones (UK, USA, U.S.)
    only in capitals, since 'us' is also a word."""

    def __init__(self, spellings: Mapping[str, Country]) -> None:
        self.spellings = spellings
        short = [name for name in spellings if len(name.replace(".", "")) <= 3]
        self.patterns = (_words([name for name in spellings if name not in short], re.IGNORECASE), _words([s.upper() for s in short], 0))

    def find(self, text: str) -> list[Country]:
        """The countries `text` names, in the order it first names them."""
        plain = folded(text)
        hits = sorted((match.start(), match.group(0)) for pattern in self.patterns for match in pattern.finditer(plain))
        found: list[Country] = []
        for _, written in hits:
            country = self.spellings.get(name_key(written))
            if country is not None and country not in found:
                found.append(country)
        return found


def _words(names: list[str], flags: int) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name).replace("\\ ", r"\s+") for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags) if alternatives else re.compile(r"(?!)")


def _merged(chosen: Sequence[Country], mentioned: Sequence[Country], limit: int) -> list[Country]:
    """The countries the options chose, then those the story mentions, each once, no more than an article may have."""
    merged: list[Country] = []
    for country in [*chosen, *mentioned]:
        if country not in merged:
            merged.append(country)
    return merged[: max(limit, len(chosen))]


def clean_url(url: str) -> str:
    """`url` without the query parameters that only track a click (`utm_*`, `fbclid`, `gclid`, `mc_cid`, …), the rest as written."""
    parts = urlsplit(url.strip())
    kept = [piece for piece in parts.query.split("&") if piece and not _tracking(unquote(piece.split("=", 1)[0]).lower())]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _title_key(title: str) -> str:
    """How a story without an address is known: by its title, whatever its case and spacing."""
    return "title:" + " ".join(title.split()).casefold()


def _story_problem(problem: Problem) -> str:
    """A problem `compose_article` reported at an option (`--url`), said of the story's field (`url`)."""
    fields = {option: name for name, option in OPTIONS.items() if option.startswith("--")} | {"title": "title"}
    field = fields.get(str(problem.location.path), "")
    return f"{field}: {problem.message}" if field else problem.message


def _since(config: SiteConfig, written: str) -> datetime | None:
    """`--since` as a moment: a date is its first minute in the site's time zone."""
    if not written.strip():
        return None
    try:
        day = date.fromisoformat(written.strip())
        return datetime(day.year, day.month, day.day, tzinfo=config.zone)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(written.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CommandError([Problem.at_option("--since", f"must be a date like 2026-11-20 or an ISO 8601 time, got '{written}'")]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.zone)


# -- reading a source --------------------------------------------------------------------


def read_source(source: str, *, limit: int = MAX_BYTES, timeout: float = TIMEOUT) -> Fetched:
    """A local file, or an http(s) address downloaded with a time limit and a size cap."""
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        return Fetched(source, _download(source, limit, timeout), source, _is_story(urlsplit(source).path))
    if len(scheme) > 1:  # a drive letter ('C:') is a path
        raise _source_error(source, f"digest imports from http and https addresses and from files, not from {scheme}: addresses")
    path = Path(source)
    shown = str(display_path(path.absolute()))
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise _source_error(shown, "no such file", "give the path of a feed (.xml, .json) or a story (.txt), or an http(s) address") from None
    except IsADirectoryError:
        raise _source_error(shown, "is a folder; give the feed or story files in it") from None
    if len(data) > limit:
        raise _source_error(shown, f"is larger than {_size(limit)}, the most digest imports from one source")
    return Fetched(shown, data, "", _is_story(path.name))  # relative links stay relative: a file: address is no use on the web


class _WebRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another http(s) address: urllib's own would go on to ftp:."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str,
    ) -> urllib.request.Request | None:
        scheme = urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise urllib.error.HTTPError(req.full_url, code, f"redirect to a {scheme}: address, which digest does not follow", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, limit: int, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": f"digest/{__version__} (feed import)", "Accept": FEED_TYPES})
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        with urllib.request.build_opener(_WebRedirects).open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _source_error(url, f"is larger than {_size(limit)}, the most digest imports from one source")
            while chunk := response.read(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise _source_error(url, f"is larger than {_size(limit)}, the most digest imports from one source")
                if time.monotonic() > deadline:
                    raise _source_error(url, f"took longer than {timeout:.0f} s to download")
    except urllib.error.HTTPError as exc:
        raise _source_error(url, f"the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise _source_error(url, f"cannot be fetched ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise _source_error(url, f"cannot be fetched ({exc})") from None
    return b"".join(chunks)


def _source_error(name: str, message: str, hint: str = "") -> DigestError:
    """One line naming the source; an address is named in the message, where a path would mangle its '//'."""
    if "://" in name:
        return CommandError([Problem.at_option("digest import", f"{name}: {message}", hint)])
    return CommandError.single(Path(name), message, hint=hint)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _is_story(name: str) -> bool:
    return name.lower().endswith(".txt")


# -- sources → stories --------------------------------------------------------------------


def read_stories(source: Fetched) -> tuple[Story, ...]:
    """The stories of a feed or a pasted story, or a one-line `CommandError` naming a source that is neither."""
    if source.story:
        return (_pasted_story(source),)
    if source.data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _json_feed(source)
    return _xml_feed(source)


def _xml_feed(source: Fetched) -> tuple[Story, ...]:
    # Not feedparser's sanitiser (it lets an <img> written inside a <script> out as a tag): nh3's, in `markdown_of`.
    parsed = feedparser.parse(io.BytesIO(source.data), sanitize_html=False, response_headers={"content-location": source.address})
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = _parse_failure(parsed.get("bozo_exception"), source.data)
        raise _source_error(source.name, "is not an RSS, Atom or JSON feed" + (f" ({reason})" if reason else ""))
    title = _plain(parsed.feed.get("title", ""))
    stories = []
    for entry in parsed.entries:
        contents = [part.get("value", "") for part in entry.get("content", []) if "html" in part.get("type", "")]
        text, link = entry.get("summary", ""), entry.get("link", "")
        stories.append(Story(
            _plain(entry.get("title", "")), link, _struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
            _shortened(_plain(text)), markdown_of(contents[0] if contents else text, link or source.address), title,
        ))
    return tuple(stories)


def _parse_failure(exc: object, data: bytes) -> str:
    """Why feedparser found no feed: a web page where a feed should be, or where the XML broke (`line 3, column 2: mismatched tag`)."""
    if b"<html" in data[:4096].lower():
        return "it is a web page"
    line = getattr(exc, "getLineNumber", lambda: 0)()
    if line:
        return f"line {line}, column {getattr(exc, 'getColumnNumber', lambda: 0)() + 1}: {getattr(exc, 'getMessage', lambda: exc)()}"
    return ""  # feedparser's other complaints (a file has no Content-Type) say nothing to act on


def _json_feed(source: Fetched) -> tuple[Story, ...]:
    try:
        doc = json.loads(source.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise _source_error(source.name, f"is not an RSS, Atom or JSON feed ({where})") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(JSON_FEED_VERSION) or not isinstance(doc.get("items"), list):
        raise _source_error(source.name, f"is JSON but not a JSON Feed (it needs \"version\": \"{JSON_FEED_VERSION}.1\" and \"items\": [...])")
    base = _text(doc.get("home_page_url")) or _text(doc.get("feed_url")) or source.address
    title = _plain(_text(doc.get("title")))
    stories = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            raise _source_error(source.name, "is not a JSON Feed (an entry of \"items\" is not an object)")
        written = _text(item.get("external_url")) or _text(item.get("url"))
        link = urljoin(base, written) if written else ""
        content = _text(item.get("content_html")) or _paragraphs(_text(item.get("content_text")))
        summary = _text(item.get("summary"))
        stories.append(Story(
            _plain(_text(item.get("title"))), link, _iso_time(_text(item.get("date_published")) or _text(item.get("date_modified"))),
            _shortened(_plain(summary or content)), markdown_of(content, link or base), title,
        ))
    return tuple(stories)


def _pasted_story(source: Fetched) -> Story:
    """A story copied from a web page: its first line the title, the rest the text, the page's frame around it dropped."""
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _source_error(source.name, "is not UTF-8 text", "save it as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 in.txt > out.txt") from None
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and (not lines[0] or _is_chrome(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1] or _is_chrome(lines[-1])):
        lines.pop()
    if not lines:
        raise _source_error(source.name, "holds no story: its first line should be the title, the rest the text")
    title, rest = lines[0], "\n".join(lines[1:])
    body = markdown_of(_paragraphs(rest))
    return Story(title, "", None, "", body, "")


def _is_chrome(line: str) -> bool:
    return line.casefold().rstrip(":.…").strip() in CHROME_LINES


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs: blocks between blank lines, or each line where the text has no blank line."""
    blocks = re.split(r"\n\s*\n", text.strip()) if re.search(r"\n\s*\n", text) else text.strip().split("\n")
    return "".join(f"<p>{html.escape(' '.join(block.split()))}</p>" for block in blocks if block.strip())


# -- HTML → Markdown, text, dates ------------------------------------------------------------


def markdown_of(fragment: str, base: str = "") -> str:
    """A story's HTML as Markdown: sanitised first (no script, style, frame or event handler gets through), then converted;
    its links made absolute against `base` (on the site, '/2026/story' would point into the digest) and rid of trackers."""
    if not fragment.strip():
        return ""
    clean = Sanitizer().clean(fragment)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)  # a one-word story is not a file name
        text = _DraftMarkdown(heading_style="ATX", bullets="-", newline_style="BACKSLASH").convert(clean)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _LINK_TARGET.sub(lambda match: match.group(1) + _absolute(match.group(2), base), text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_LINK_TARGET = re.compile(r"(\]\()([^)\s]+)")
"""Where markdownify writes a link's or an image's address: `[text](ADDRESS "title")`."""


def _absolute(target: str, base: str) -> str:
    address = urljoin(base, target) if base else target
    return clean_url(address) if urlsplit(address).scheme in ("http", "https") else address


class _DraftMarkdown(MarkdownConverter):
    """markdownify escaping only what would change the meaning (a '#' or '1.' opening a paragraph, '<', '`', '*', '_'),
    so a curator edits 'Rabat - Salé' and not 'Rabat \\- Salé'."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        text = _BLOCK_START.sub(_escaped_marker, re.sub(r"([\\`<])", r"\\\1", text))
        return str(super().escape(text, parent_tags))  # type: ignore[misc]  # markdownify's stubs leave `escape` out


_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+>](?=\s|$)|\d{1,9}[.)](?=\s|$))")


def _escaped_marker(match: re.Match[str]) -> str:
    """A block's opening '#', '-', '>' or '1.' as text: '\\#', '1\\.'."""
    lead, marker = match.group(1), match.group(2)
    return lead + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def _plain(fragment: str) -> str:
    """HTML (or text) as one line of plain text: tags and scripts gone, entities read, blocks apart ('ships. Work', not 'ships.Work')."""
    spaced = _BLOCK_TAG.sub(r" \g<0>", fragment)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|table|tr|td|th|section|article|figure|figcaption|hr)\b", re.IGNORECASE)


def _shortened(text: str) -> str:
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _first_paragraph(markdown: str) -> str:
    return markdown.split("\n\n", 1)[0]


def _text(value: object) -> str:
    """A JSON Feed field that should be text: '' when it is anything else."""
    return value.strip() if isinstance(value, str) else ""


def _struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's date (a UTC `struct_time`) as an aware time."""
    return datetime(*value[:6], tzinfo=UTC) if value else None


def _iso_time(written: str) -> datetime | None:
    """A JSON Feed date (RFC 3339); one without an offset is read as UTC, one that does not read as none."""
    try:
        moment = datetime.fromisoformat(written.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
