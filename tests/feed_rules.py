"""Validators for the feeds digest writes: Atom `feed.xml`, RSS `rss.xml` and JSON Feed `feed.json`, at the site root
and under `topics/<slug>/` and `countries/<code>/`.

Each returns a list of problems a person can act on, `"topics/defence/feed.xml: entry 2 (tag:…): missing <updated>"`,
empty when the feed is valid, so a test can check every feed of a build and show all that is wrong at once.
They check twice: what a real reader (feedparser) makes of the feed, and the format's own rules read directly,
since feedparser forgives much that other readers do not. Some rules are the project's, not the format's: a feed's
date is its newest entry's (never the build time), links are absolute, every feed names itself with a self link.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser  # type: ignore[import-untyped]
from jsonschema import Draft202012Validator, ValidationError

from tests.html_refs import html_references, is_absolute_http, is_relative

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
JSON_FEED_SCHEMA = Path(__file__).with_name("schemas") / "jsonfeed-1.1.schema.json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_RFC822 = re.compile(
    r"(?:(?P<weekday>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
    r" \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|UT|GMT|[ECMP][SD]T)"
)
_FORMAT_NAMES = {"uri": "an absolute URL", "date-time": "an RFC 3339 date-time like 2021-11-24T09:30:00Z"}
_TAG_URI = re.compile(r"tag:[^,\s]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:\S*")  # RFC 4151


class _Problems(list[str]):
    """Problems of one feed, each prefixed with the feed's name and where in it."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def add(self, where: str, what: str) -> None:
        self.append(f"{self.name}: {where}: {what}")


# -- Atom -----------------------------------------------------------------------------


def atom_problems(xml_bytes: bytes, name: str) -> list[str]:
    """What is wrong with an Atom feed, by RFC 4287 and our own rules (see the module docstring)."""
    problems = _Problems(name)
    _check_feedparser(xml_bytes, "atom10", problems)
    feed = _parse_xml(xml_bytes, problems)
    if feed is None:
        return list(problems)
    if feed.tag != f"{ATOM}feed":
        problems.add("root", f"is <{feed.tag}>, not Atom's <feed>")
        return list(problems)

    for tag in ("id", "title", "updated"):
        _exactly_one(feed, tag, "feed", problems)
    for tag in ("subtitle", "rights", "icon", "logo", "generator"):
        _at_most_one(feed, tag, "feed", problems)
    _check_links(feed, "feed", problems)
    if not any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link")):
        problems.add("feed", 'no <link rel="self"> (readers use it to find the feed again; we always write one)')
    _check_people(feed, "feed", problems)
    feed_id = _atom_id(feed, "feed", problems)
    feed_updated = _atom_date(feed, "updated", "feed", problems)

    entries = feed.findall(f"{ATOM}entry")
    labels = [_entry_label(entry, number) for number, entry in enumerate(entries, 1)]
    entry_dates = [_check_atom_entry(entry, label, problems) for entry, label in zip(entries, labels)]

    if not feed.findall(f"{ATOM}author"):
        orphans = [label for entry, label in zip(entries, labels) if not _entry_has_author(entry)]
        if orphans:
            problems.add("feed", f"no <author>, nor do {', '.join(orphans)} have one (RFC 4287: on the feed or on every entry)")
    known = [date for date in entry_dates if date is not None]
    if feed_updated is not None and known and len(known) == len(entries) and feed_updated != max(known):
        problems.add("feed", f"<updated> is {_iso(feed_updated)}, not its newest entry's {_iso(max(known))} (a feed's date is its newest entry's)")
    ids = [_text(entry, "id") for entry in entries]
    _check_unique([i for i in ids if i], "entry id", problems)
    if feed_id and feed_id in ids:
        problems.add("feed", f"<id> {feed_id} is also an entry's id")
    return list(problems)


def _check_atom_entry(entry: ET.Element, where: str, problems: _Problems) -> datetime | None:
    """Check one entry; return its `updated` when that is a valid date, for the feed's own check."""
    for tag in ("id", "title", "updated"):
        _exactly_one(entry, tag, where, problems)
    for tag in ("published", "content", "summary", "rights", "source"):
        _at_most_one(entry, tag, where, problems)
    _atom_id(entry, where, problems)
    _check_links(entry, where, problems)
    _check_people(entry, where, problems)
    content = entry.find(f"{ATOM}content")
    summary = entry.find(f"{ATOM}summary")
    if content is None and not any(link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link")):
        problems.add(where, 'neither <link rel="alternate"> nor <content>')
    if content is None and summary is None:
        problems.add(where, "neither <content> nor <summary>")
    if content is not None and content.get("src") is not None and summary is None:
        problems.add(where, "<content src> without a <summary>")
    for text_construct in (content, summary):
        if text_construct is not None:
            _check_atom_text_urls(text_construct, where, problems)
    updated = _atom_date(entry, "updated", where, problems)
    published = _atom_date(entry, "published", where, problems)
    if published and updated and published > updated:
        problems.add(where, f"<published> {_iso(published)} is later than <updated> {_iso(updated)}")
    return updated


def _check_links(element: ET.Element, where: str, problems: _Problems) -> None:
    alternates: Counter[tuple[str, str]] = Counter()
    for link in element.findall(f"{ATOM}link"):
        href = link.get("href")
        if href is None:
            problems.add(where, f"<link rel=\"{link.get('rel', 'alternate')}\"> has no href")
        elif not is_absolute_http(href):
            problems.add(where, f'<link href="{href}"> is not an absolute http(s) URL')
        if link.get("rel", "alternate") == "alternate":
            alternates[(link.get("type", ""), link.get("hreflang", ""))] += 1
    for (kind, lang), count in alternates.items():
        if count > 1:
            problems.add(where, f'{count} <link rel="alternate"> with type="{kind}" hreflang="{lang}"; at most one allowed')
    for tag in ("icon", "logo"):
        url = _text(element, tag)
        if url is not None and not is_absolute_http(url):
            problems.add(where, f"<{tag}> {url} is not an absolute http(s) URL")


def _check_people(element: ET.Element, where: str, problems: _Problems) -> None:
    for person in [*element.findall(f"{ATOM}author"), *element.findall(f"{ATOM}contributor")]:
        role = person.tag.removeprefix(ATOM)
        names = person.findall(f"{ATOM}name")
        if len(names) != 1 or not (names[0].text or "").strip():
            problems.add(where, f"<{role}> needs exactly one non-empty <name>, has {len(names)}")
        uri = _text(person, "uri")
        if uri is not None and not is_absolute_http(uri):
            problems.add(where, f"<{role}><uri> {uri} is not an absolute http(s) URL")


def _entry_has_author(entry: ET.Element) -> bool:
    source = entry.find(f"{ATOM}source")
    return bool(entry.findall(f"{ATOM}author")) or (source is not None and bool(source.findall(f"{ATOM}author")))


def _atom_id(element: ET.Element, where: str, problems: _Problems) -> str | None:
    value = _text(element, "id")
    if value is not None and not (_TAG_URI.fullmatch(value) or is_absolute_http(value)):
        problems.add(where, f"<id> {value!r} is not an absolute IRI (a tag: URI or an http(s) URL)")
    return value


def _atom_date(element: ET.Element, tag: str, where: str, problems: _Problems) -> datetime | None:
    value = _text(element, tag)
    if value is None:
        return None
    moment = _rfc3339(value)
    if moment is None:
        problems.add(where, f"<{tag}> {value!r} is not an RFC 3339 date-time like 2021-11-24T09:30:00Z")
    return moment


def _check_atom_text_urls(construct: ET.Element, where: str, problems: _Problems) -> None:
    tag = construct.tag.removeprefix(ATOM)
    kind = construct.get("type", "text")
    if kind == "html":
        urls = [ref.url for ref in html_references(construct.text or "")]
    elif kind == "xhtml":
        urls = [value for element in construct.iter() for attribute, value in element.attrib.items() if attribute in ("href", "src")]
    else:
        return
    _report_relative(urls, f"{where} <{tag} type=\"{kind}\">", problems)


def _entry_label(entry: ET.Element, number: int) -> str:
    entry_id = _text(entry, "id")
    return f"entry {number} ({entry_id})" if entry_id else f"entry {number}"


# -- RSS ------------------------------------------------------------------------------


def rss_problems(xml_bytes: bytes, name: str) -> list[str]:
    """What is wrong with an RSS 2.0 feed, by the RSS 2.0 specification, its best practices and our own rules."""
    problems = _Problems(name)
    _check_feedparser(xml_bytes, "rss20", problems)
    rss = _parse_xml(xml_bytes, problems)
    if rss is None:
        return list(problems)
    if rss.tag != "rss" or rss.get("version") != "2.0":
        problems.add("root", f'is <{rss.tag} version="{rss.get("version")}">, not <rss version="2.0">')
        return list(problems)
    channels = rss.findall("channel")
    if len(channels) != 1:
        problems.add("root", f"has {len(channels)} <channel> elements, needs exactly one")
        return list(problems)
    channel = channels[0]
    for tag in ("title", "link", "description"):
        _exactly_one(channel, tag, "channel", problems, namespace="")
    link = _text(channel, "link", namespace="")
    if link is not None and not is_absolute_http(link):
        problems.add("channel", f"<link> {link} is not an absolute http(s) URL")
    selves = [atom_link for atom_link in channel.findall(f"{ATOM}link") if atom_link.get("rel") == "self"]
    if not selves:
        problems.add("channel", 'no <atom:link rel="self"> (RSS best practice: the feed names its own URL)')
    for self_link in selves:
        if not is_absolute_http(self_link.get("href", "")):
            problems.add("channel", f"<atom:link rel=\"self\"> href {self_link.get('href')!r} is not an absolute http(s) URL")

    items = channel.findall("item")
    labels = [_item_label(item, number) for number, item in enumerate(items, 1)]
    dates = [_check_rss_item(item, label, problems) for item, label in zip(items, labels)]
    known = [date for date in dates if date is not None]
    # pubDate is when the newest item was published; lastBuildDate when the content last changed, which an
    # update to an older item can make later (items carry no update time in RSS), but never earlier.
    published = _rss_date(channel, "pubDate", "channel", problems)
    if published and known and published != max(known):
        problems.add("channel", f"<pubDate> is {_iso(published)}, not its newest item's {_iso(max(known))} (a feed's date is its newest entry's)")
    changed = _rss_date(channel, "lastBuildDate", "channel", problems)
    if changed and known and changed < max(known):
        problems.add("channel", f"<lastBuildDate> is {_iso(changed)}, before its newest item's {_iso(max(known))}")
    guids = [_text(item, "guid", namespace="") for item in items]
    _check_unique([guid for guid in guids if guid], "guid", problems)
    return list(problems)


def _check_rss_item(item: ET.Element, where: str, problems: _Problems) -> datetime | None:
    """Check one item; return its pubDate when that is a valid date, for the channel's own check."""
    if _text(item, "title", namespace="") is None and _text(item, "description", namespace="") is None:
        problems.add(where, "neither <title> nor <description>")
    guid = item.find("guid")
    if guid is None or not (guid.text or "").strip():
        problems.add(where, "no <guid> (readers use it to tell a new item from one they have shown)")
    elif guid.get("isPermaLink", "true") != "false" and not is_absolute_http(guid.text or ""):
        problems.add(where, f'<guid> {guid.text!r} is a permalink (no isPermaLink="false") but not an absolute http(s) URL')
    link = _text(item, "link", namespace="")
    if link is not None and not is_absolute_http(link):
        problems.add(where, f"<link> {link} is not an absolute http(s) URL")
    for enclosure in item.findall("enclosure"):
        if not is_absolute_http(enclosure.get("url", "")):
            problems.add(where, f"<enclosure url> {enclosure.get('url')!r} is not an absolute http(s) URL")
    for tag, label in (("description", "<description>"), (CONTENT_ENCODED, "<content:encoded>")):
        for body in item.findall(tag):
            _report_relative([ref.url for ref in html_references(body.text or "")], f"{where} {label}", problems)
    if item.find("pubDate") is None:
        problems.add(where, "no <pubDate> (every article has a date, and readers sort by it)")
    return _rss_date(item, "pubDate", where, problems)


def _rss_date(element: ET.Element, tag: str, where: str, problems: _Problems) -> datetime | None:
    value = _text(element, tag, namespace="")
    if value is None:
        return None
    match = _RFC822.fullmatch(value)
    try:
        moment = parsedate_to_datetime(value) if match else None
    except (TypeError, ValueError):
        moment = None
    if match is None or moment is None:
        problems.add(where, f"<{tag}> {value!r} is not an RFC 822 date like 'Wed, 24 Nov 2021 09:30:00 +0000'")
        return None
    if match["weekday"] and match["weekday"] != moment.strftime("%a"):
        problems.add(where, f"<{tag}> {value!r} names the wrong weekday: that date is a {moment.strftime('%A')}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _item_label(item: ET.Element, number: int) -> str:
    guid = _text(item, "guid", namespace="")
    return f"item {number} ({guid})" if guid else f"item {number}"


# -- JSON Feed ------------------------------------------------------------------------


def json_feed_problems(data_bytes: bytes, name: str) -> list[str]:
    """What is wrong with a JSON Feed, by tests/schemas/jsonfeed-1.1.schema.json (written from the 1.1 spec) and our rules."""
    problems = _Problems(name)
    try:
        feed = json.loads(data_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.add("document", f"not valid JSON: {error}")
        return list(problems)
    if _feedparser_reads_json():  # feedparser 6 reads only XML feeds; later releases read JSON Feed too
        _check_feedparser(data_bytes, None, problems)
    for failure in sorted(_json_feed_validator().iter_errors(feed), key=lambda found: list(map(str, found.absolute_path))):
        problems.add("/".join(str(part) for part in failure.absolute_path) or "feed", _schema_message(failure))
    if not isinstance(feed, dict):
        return list(problems)

    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        _check_json_url(feed, key, "feed", problems)
    items = feed.get("items")
    items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    for number, item in enumerate(items, 1):
        where = f"items/{number - 1}" + (f" ({item['id']})" if isinstance(item.get("id"), str) else "")
        for key in ("url", "external_url", "image", "banner_image"):
            _check_json_url(item, key, where, problems)
        if isinstance(item.get("content_html"), str):
            _report_relative([ref.url for ref in html_references(item["content_html"])], f"{where} content_html", problems)
        published, modified = _rfc3339(str(item.get("date_published", ""))), _rfc3339(str(item.get("date_modified", "")))
        if published and modified and published > modified:
            problems.add(where, f"date_published {_iso(published)} is later than date_modified {_iso(modified)}")
    _check_unique([item["id"] for item in items if isinstance(item.get("id"), str)], "item id", problems)
    return list(problems)


def _check_json_url(holder: dict[str, Any], key: str, where: str, problems: _Problems) -> None:
    """Links must be http(s); a relative one the schema's uri format already reported."""
    value = holder.get(key)
    if isinstance(value, str) and not is_relative(value) and not is_absolute_http(value):
        problems.add(where, f"{key} {value!r} is not an absolute http(s) URL")


def _schema_message(failure: ValidationError) -> str:
    """jsonschema's message, except where it would quote a whole item or hide the value it got."""
    alternatives = failure.validator_value if failure.validator == "anyOf" else None
    if isinstance(alternatives, list) and all(set(option) == {"required"} for option in alternatives):
        return "needs " + " or ".join(name for option in alternatives for name in option["required"])
    if failure.validator == "const":
        return f"is {failure.instance!r}, must be {failure.validator_value!r}"
    if failure.validator == "format" and failure.validator_value in _FORMAT_NAMES:
        return f"{failure.instance!r} is not {_FORMAT_NAMES[failure.validator_value]}"
    if failure.validator == "additionalProperties" and isinstance(failure.instance, dict):
        known = failure.schema.get("properties", {}) if isinstance(failure.schema, dict) else {}
        unknown = [key for key in failure.instance if key not in known and not key.startswith("_")]
        return f"unknown key {', '.join(map(repr, unknown))} (JSON Feed extensions start with '_')"
    return failure.message


@cache
def _json_feed_validator() -> Draft202012Validator:
    """The schema's validator, refusing to run when a format check would be silently skipped."""
    schema = json.loads(JSON_FEED_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    checker = Draft202012Validator.FORMAT_CHECKER
    missing = {"uri", "date-time"} - set(checker.checkers)
    if missing:
        raise RuntimeError(f"jsonschema cannot check format {sorted(missing)}: install the test extras (rfc3339-validator, rfc3986-validator)")
    return Draft202012Validator(schema, format_checker=checker)


@cache
def _feedparser_reads_json() -> bool:
    return importlib.util.find_spec("feedparser.parsers.json") is not None


# -- every feed of a build -----------------------------------------------------------


def feed_files(folder: Path) -> list[str]:
    """Every feed under a built folder, relative to it: each file named feed.xml, rss.xml or feed.json."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.name in _VALIDATORS and p.is_file())


def feed_problems(folder: Path) -> list[str]:
    """The problems of every feed under a built folder, each named by its path relative to the folder."""
    return [problem for name in feed_files(folder) for problem in _VALIDATORS[Path(name).name]((folder / name).read_bytes(), name)]


_VALIDATORS = {"feed.xml": atom_problems, "rss.xml": rss_problems, "feed.json": json_feed_problems}


# -- shared ---------------------------------------------------------------------------


def _check_feedparser(data: bytes, version: str | None, problems: _Problems) -> None:
    """What a real reader makes of the feed. A stream, so feedparser never takes the bytes for a path or URL."""
    result = feedparser.parse(io.BytesIO(data))
    if result.get("bozo"):
        problems.add("feedparser", f"{type(result.get('bozo_exception')).__name__}: {result.get('bozo_exception')}")
    if version is not None and result.get("version") != version:
        problems.add("feedparser", f"reads it as {result.get('version') or 'an unknown format'!r}, not {version!r}")


def _parse_xml(data: bytes, problems: _Problems) -> ET.Element | None:
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        problems.add("document", f"not well-formed XML: {error}")
        return None


def _text(element: ET.Element, tag: str, namespace: str = ATOM) -> str | None:
    """The stripped text of the first child `tag`, or None when there is no such child."""
    child = element.find(tag if tag.startswith("{") else f"{namespace}{tag}")
    return None if child is None else (child.text or "").strip()


def _exactly_one(element: ET.Element, tag: str, where: str, problems: _Problems, namespace: str = ATOM) -> None:
    count = len(element.findall(f"{namespace}{tag}"))
    if count == 0:
        problems.add(where, f"missing <{tag}>")
    elif count > 1:
        problems.add(where, f"{count} <{tag}> elements; exactly one allowed")


def _at_most_one(element: ET.Element, tag: str, where: str, problems: _Problems) -> None:
    count = len(element.findall(f"{ATOM}{tag}"))
    if count > 1:
        problems.add(where, f"{count} <{tag}> elements; at most one allowed")


def _check_unique(values: Iterable[str], what: str, problems: _Problems) -> None:
    for value, count in Counter(values).items():
        if count > 1:
            problems.add("feed", f"{what} {value!r} appears {count} times; ids must be unique")


def _report_relative(urls: Iterable[str], where: str, problems: _Problems) -> None:
    """Feed bodies are read away from our site, so a relative URL in them points nowhere."""
    for url in urls:
        if is_relative(url):
            problems.add(where, f"relative URL {url!r} in the HTML; feed bodies need absolute URLs")


def _rfc3339(value: str) -> datetime | None:
    if not _RFC3339.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.isoformat()
