"""`digest new`: a new article's file, its front matter checked by the build's own parser before it is written.

The fields as given are written into a front matter and parsed with the site's
`ArticleParser`; a problem is reported at the option that caused it (`--country`,
`--date`, …) with the build's message and hint, and nothing is written. What the
parser made of them is then written back in the site's own spelling: countries
by their name, topics by their vocabulary name.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .config import SiteConfig
from .content import Article, ArticleParser, SourceFile
from .countries import Country, UnknownCountry
from .errors import CommandError, ContentError, DigestError, Problem, display_path
from .fields import TopicNames, TopicRef, UnknownTopic
from .names import slugify
from .pages import Urls
from .sources import ARTICLES_DIR

OPTIONS = {"title": "title", "date": "--date", "countries": "--country", "topics": "--topic",
           "source": "--source", "url": "--url", "summary": "--summary", "slug": "title", "draft": "--draft"}
"""Front matter field → the part of the command line that gave it, where its problems are reported."""


@dataclass(frozen=True, slots=True)
class ArticleRequest:
    """What `digest new` was asked to write, as typed."""

    title: str
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    source: str = ""
    url: str = ""
    date: str = ""
    """`2021-11-24` or an ISO 8601 time; '' means now."""
    summary: str = ""
    draft: bool = False
    body: str = ""
    """The article's text in Markdown, after the front matter; `digest new` leaves it for the curator to write."""
    name: str = ""
    """The file's name without `.md`, when not the title's slug: `digest import` numbers a second story of one title."""


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """A new article's file: where it goes, its text, and the article the build will read from it."""

    path: Path
    text: str
    article: Article


def compose_article(config: SiteConfig, request: ArticleRequest, now: datetime, parser: ArticleParser | None = None) -> ArticleFile:
    """The file for `request` in `content/articles/YYYY/<slug>.md`, or a `CommandError` naming the options at fault.
    A `parser` made once serves many articles (`digest import`)."""
    title = " ".join(request.title.split())
    slug = request.name or slugify(title)
    if not slug:
        raise CommandError([Problem.at_option("title", f"'{title}' has no letters or digits to make the file's name from",
                                              'give a title in words, e.g. digest new "Morocco and Israel sign a defence pact"')])
    parser = parser or ArticleParser.for_site(config)
    moment = _date_value(request.date.strip() or now.astimezone(config.zone).replace(second=0, microsecond=0).isoformat())
    fields = _front_matter(request, title, moment, list(request.countries), list(request.topics))
    first = _parse(parser, config.content_dir / ARTICLES_DIR / f"{slug}.md", fields, request.body, blame=True)
    path = config.content_dir / ARTICLES_DIR / f"{first.day.year:04d}" / f"{slug}.md"
    countries = [_country_spelling(parser, country) for country in first.countries]
    topics = [_topic_spelling(config, topic) for topic in first.topics]
    fields = _front_matter(request, title, moment, countries, topics)
    final = _parse(parser, path, fields, request.body, blame=False)
    return ArticleFile(path, _text(fields, request.body), final)


def write_article(config: SiteConfig, file: ArticleFile, existing: Iterable[Article]) -> None:
    """Write the file, unless a file is already there or another article has its URL (the build would refuse the pair)."""
    if file.path.exists():
        raise _already_there(file.path)
    url = Urls(config.base_path).article(file.article)
    for other in existing:
        if other.day == file.article.day and other.slug.casefold() == file.article.slug.casefold():
            raise CommandError.single(
                display_path(other.path), f"already has the address {url} the new article would get",
                hint="give the new article another title, or another --date",
            )
    file.path.parent.mkdir(parents=True, exist_ok=True)
    temp = file.path.with_name(f".{file.path.stem}.{secrets.token_hex(4)}.tmp")  # not *.md: a build meanwhile never reads it
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as stream:  # made with the umask's permissions, as an editor's file
            stream.write(file.text)
        _place(temp, file.path)
    finally:
        temp.unlink(missing_ok=True)


def _place(temp: Path, path: Path) -> None:
    """Give the whole file its name at once, never replacing a file made meanwhile: a hard link fails where the name is taken
    (where the file system has no hard links, a check then a rename)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise _already_there(path) from None
    except OSError:
        if path.exists():
            raise _already_there(path) from None
        os.replace(temp, path)


def _already_there(path: Path) -> DigestError:
    return CommandError.single(display_path(path), "already exists; digest never overwrites an article",
                               hint="edit it, or give the new article another title")


# -- the front matter ----------------------------------------------------------------


def _front_matter(request: ArticleRequest, title: str, moment: Any, countries: Sequence[str], topics: Sequence[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": title, "date": moment, "countries": countries, "topics": topics,
        "source": request.source.strip(), "url": request.url.strip(), "summary": " ".join(request.summary.split()),
    }
    if request.draft:
        fields["draft"] = True
    return fields


def _date_value(written: str) -> Any:
    """An ISO date or time as YAML writes it plain (`2021-11-24`, `2021-11-24T09:30:00+01:00`); anything else as text,
    for the parser to say what is wrong with it."""
    try:
        return _IsoTime(date.fromisoformat(written).isoformat())
    except ValueError:
        pass
    try:
        return _IsoTime(datetime.fromisoformat(written.replace("Z", "+00:00")).isoformat())
    except ValueError:
        return written


class _IsoTime(str):
    """A date or time written as it is, unquoted."""


def _text(fields: dict[str, Any], body: str = "") -> str:
    """The article file: its front matter, one line a field (empty ones left for the curator to fill in), then the body if any."""
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, _IsoTime):
            lines.append(f"{key}: {value}")
        elif value == "":
            lines.append(f"{key}:")
        elif isinstance(value, list):  # in brackets, as the README writes them: countries: [Israel, Morocco]
            lines.append(f"{key}: " + yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_flow_style=True).rstrip("\n"))
        else:  # quoted where YAML would read it otherwise (NO, 1:20, a ': ' inside)
            lines.append(yaml.safe_dump({key: value}, allow_unicode=True, width=1 << 30, default_flow_style=False).rstrip("\n"))
    text = body.strip("\n")
    return "\n".join(lines) + "\n---\n\n" + (text + "\n" if text else "")


def _parse(parser: ArticleParser, path: Path, fields: dict[str, Any], body: str, *, blame: bool) -> Article:
    """The article the build would read from these fields; with `blame`, problems are reported at the options that gave them."""
    text = _text(fields, body)
    try:
        return parser.parse(SourceFile(path, display_path(path), text.encode("utf-8", "surrogatepass"))).article
    except ContentError as exc:
        if not blame:
            raise
        keys = [line.split(":", 1)[0] for line in text.split("\n")]
        raise CommandError([_blamed(problem, keys) for problem in exc.problems]) from None


def _blamed(problem: Problem, keys: list[str]) -> Problem:
    """The problem as the command line's: at `--country` rather than at a line of a file not yet written."""
    line = problem.location.line
    key = problem.field or (keys[line - 1] if 0 < line <= len(keys) else "")
    return Problem.at_option(OPTIONS.get(key, "digest new"), problem.message, problem.hint)


def _country_spelling(parser: ArticleParser, country: Country) -> str:
    """The country's name, or its code where a site alias gives the name to another country."""
    for spelling in (country.name, country.code):
        try:
            if parser.countries.resolve(spelling) == country:
                return spelling
        except UnknownCountry:
            continue
    return country.code


def _topic_spelling(config: SiteConfig, topic: TopicRef) -> str:
    """The vocabulary's name for the topic if it reads back as the same topic, else its slug; without a vocabulary, as written."""
    known = config.topics.get(topic.slug)
    if known is None:
        return topic.label
    try:
        return known.name if TopicNames.of(config).slug(known.name) == topic.slug else topic.slug
    except UnknownTopic:
        return topic.slug
