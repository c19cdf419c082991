"""Editions: every published article in the edition of its day, numbered in order, with what the curator wrote.

A curator may add `content/editions/<id>.md` for an edition (`2021-W47.md`): a
title, a number, the order of its articles by slug, and an introduction in
Markdown as its body. Editions are numbered from the oldest, 1, 2, 3…; an
edition with a `number:` continues the count from there. `model_editions` is
pure; `EditionNotes` reads the note files, each once per change of its bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .config import SiteConfig
from .content import Article, SourceFile, body_problem, decode, split_front_matter
from .errors import ContentError, Location, Problem, Problems, display_path
from .fields import character_problem
from .i18n import Translator
from .markup import MarkdownRenderer, MarkupError, summarise
from .periods import EditionSettings, Span, example_id, span_of, span_of_id
from .sources import read_source
from .yamlfile import parse_yaml

EDITIONS_DIR = "editions"
NOTE_FIELDS = ("title", "number", "order")


@dataclass(frozen=True, slots=True)
class Slot:
    """A value of a note and where it was written, for errors found later (an unknown slug, a repeated number)."""

    value: Any
    line: int = 0
    col: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class EditionNote:
    """What the curator wrote about one edition."""

    path: Path
    id: str
    title: str
    number: Slot | None
    order: tuple[Slot, ...]
    intro: Markup
    summary: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition: its days, number and title, and its articles in the curator's order (else newest first)."""

    span: Span
    number: int
    title: str
    articles: tuple[Article, ...]
    note: EditionNote | None = None

    @property
    def id(self) -> str:
        return self.span.id


class EditionNotes:
    """The note files of a site's editions, each parsed once per change of its bytes."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.folder = config.content_dir / EDITIONS_DIR
        self.notes: dict[str, EditionNote] = {}

    @cached_property
    def markdown(self) -> MarkdownRenderer:
        """Made when a note is first parsed: a site without notes, or a build with nothing changed, needs none."""
        return MarkdownRenderer(self.config.markdown, self.config.limits)

    def stamps(self) -> list[tuple[Path, str]]:
        """Every note file with a digest of its bytes (for the build's signature)."""
        return [(note.path, note.fingerprint) for note in sorted(self.notes.values(), key=lambda n: n.id)]

    def load(self) -> None:
        """Read the folder again: new and changed notes parsed, removed ones forgotten; every problem raised at once."""
        settings = self.config.editions
        if not settings.enabled or not self.folder.is_dir():
            self.notes = {}
            return
        problems = Problems()
        fresh: dict[str, EditionNote] = {}
        known = {note.path: note for note in self.notes.values()}
        for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
            if not entry.name.endswith(".md") or entry.name.startswith((".", "_")) or not entry.is_file():
                continue
            source = read_source(Path(entry.path), self.config)
            old = known.get(source.path)
            if old is not None and old.fingerprint == source.fingerprint:
                fresh[old.id] = old
                continue
            try:
                note = self.parse(source, settings)
            except ContentError as exc:
                for problem in exc.problems:
                    problems.add(problem)
                continue
            fresh[note.id] = note
        problems.raise_if_any(ContentError)
        self.notes = fresh

    def parse(self, source: SourceFile, settings: EditionSettings) -> EditionNote:
        edition_id = source.path.stem
        if span_of_id(edition_id, settings) is None:
            raise ContentError.single(
                source.shown, f"'{edition_id}' is no {settings.period} edition", line=1, col=1,
                hint=f"name the file after its edition, like {example_id(settings)}.md",
            )
        if source.refusal:
            raise ContentError.single(source.shown, source.refusal, hint="make the note smaller")
        parts = split_front_matter(decode(source), source.shown)
        doc = parse_yaml(parts.front, source.shown, first_line=2, lines=parts.lines)
        data = doc.data if doc.data is not None else {}
        problems = Problems()

        def slot(at: tuple[Any, ...], value: Any) -> Slot:
            spot = doc.spot(at)
            return Slot(value, spot.line, spot.col, parts.lines[spot.line - 1] if 0 < spot.line <= len(parts.lines) else "")

        def report(at: tuple[Any, ...], message: str, hint: str, *, key: bool = False) -> None:
            spot = (doc.keys.get(at) if key else None) or doc.spot(at)
            here = slot(at, None)
            problems.add(Problem(Location(source.shown, spot.line, spot.col), message, str(at[0]) if at else "", hint, here.source))

        if not isinstance(data, dict):
            report((), "front matter must be 'field: value' lines", "e.g. title: The week the accords grew teeth")
            problems.raise_if_any(ContentError)
        for key in data:
            if key not in NOTE_FIELDS:
                report((key,), f"unknown field '{key}'", "an edition note takes " + ", ".join(NOTE_FIELDS), key=True)
        title = data.get("title") or ""
        if not isinstance(title, str):
            report(("title",), "must be text", 'put it in quotes: title: "…"')
            title = ""
        elif (problem := character_problem(title)) is not None:
            report(("title",), *problem)
        number = data.get("number")
        if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
            report(("number",), f"must be a whole number of at least 1, got {number!r}", "e.g. number: 12")
            number = None
        order = data.get("order") or []
        if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
            report(("order",), "must be a list of article slugs", "e.g. order: [israel-morocco-defence-pact, iran-nuclear-talks]")
            order = []
        problems.raise_if_any(ContentError)
        try:
            intro = Markup(self.markdown.convert(parts.body)) if parts.body.strip() else Markup("")
        except MarkupError as exc:
            raise ContentError([body_problem(exc, parts, source.shown)]) from None
        return EditionNote(
            source.path, edition_id, " ".join(title.split()), slot(("number",), number) if number is not None else None,
            tuple(slot(("order", i), s) for i, s in enumerate(order)), intro, summarise(intro),
            hashlib.sha256(source.data).hexdigest(),
        )


def model_editions(
    config: SiteConfig, articles: Sequence[Article], notes: Mapping[str, EditionNote], words: Translator | None = None,
) -> tuple[Edition, ...]:
    """The site's editions, newest first, from its published articles (newest first); a note that names an article
    its edition lacks, or repeats an earlier edition's number, is a `ContentError` at that line; `words` label them in the site's language."""
    settings = config.editions
    if not settings.enabled:
        return ()
    members: dict[str, list[Article]] = defaultdict(list)
    spans: dict[str, Span] = {}
    for article in articles:
        span = span_of(article.day, settings, words)
        spans.setdefault(span.id, span)
        members[span.id].append(article)
    problems = Problems()
    editions = []
    number = 0
    used: dict[int, str] = {}
    for span in sorted(spans.values(), key=lambda s: s.start):
        note = notes.get(span.id)
        chosen = members[span.id]
        if note is not None:
            chosen = _in_order(note, chosen, problems)
            if note.number is not None:
                number = note.number.value - 1
        number += 1
        if number in used and note is not None and note.number is not None:
            problems.add(_problem(note, note.number, f"number {number} is already edition {used[number]}'s", "number editions upwards, or remove 'number:'"))
        used[number] = span.id
        fields = {"number": number, "label": span.label, "id": span.id, "start": span.start.isoformat(), "end": span.end.isoformat(), "site": config.title}
        title = note.title if note is not None and note.title else settings.title.format(**fields)
        editions.append(Edition(span, number, title, tuple(chosen), note))
    problems.raise_if_any(ContentError)
    return tuple(reversed(editions))


def _in_order(note: EditionNote, articles: list[Article], problems: Problems) -> list[Article]:
    """The articles the note orders first, in its order; then the others, newest first."""
    by_slug = {a.slug: a for a in articles}
    first: list[Article] = []
    for slot in note.order:
        article = by_slug.get(slot.value)
        if article is None:
            known = ", ".join(sorted(by_slug))
            problems.add(_problem(note, slot, f"no article '{slot.value}' in edition {note.id}", f"its articles are: {known}"))
        elif article not in first:
            first.append(article)
    return first + [a for a in articles if a not in first]


def _problem(note: EditionNote, slot: Slot, message: str, hint: str) -> Problem:
    field = "number" if isinstance(slot.value, int) else "order"
    return Problem(Location(display_path(note.path), slot.line, slot.col), message, field, hint, slot.source)
