"""Edition periods: which edition a day belongs to, the ids editions are known by, and their settings in site.yaml.

A daily edition is `2021-11-24`, a monthly one `2021-11`, a weekly one
`2021-W47`: weeks start on `week_starts` (Monday by default, as ISO 8601) and
are named by the ISO week of their Thursday, so a Monday-start week has its ISO
number and every week belongs to the year that holds most of its days.
"""

from __future__ import annotations

import calendar
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .i18n import N_

if TYPE_CHECKING:
    from .i18n import Translator

DAYS = tuple(name.lower() for name in calendar.day_name)  # monday … sunday
TITLE_FIELDS = ("number", "label", "id", "start", "end", "site")
DEFAULT_TITLE = "{label}"
WEEK_LABEL = N_("Week %(week)s, %(year)s")


class Period(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class GroupBy(StrEnum):
    TOPIC = "topic"
    COUNTRY = "country"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class EditionSettings:
    """`editions:` in site.yaml; `period` None means the site has no editions."""

    period: Period | None = None
    week_starts: int = 0
    """0 for Monday … 6 for Sunday."""
    title: str = DEFAULT_TITLE
    """A pattern: {number}, {label} ('Week 47, 2021'), {id}, {start}, {end} and {site} are filled in."""
    group_by: GroupBy = GroupBy.TOPIC
    email: bool = True
    """Also write each edition as an email (`email.html` and `email.txt`)."""

    @property
    def enabled(self) -> bool:
        return self.period is not None


NO_EDITIONS = EditionSettings()


@dataclass(frozen=True, slots=True)
class Span:
    """The days of one edition, first and last included, and the id and label it is known by."""

    id: str
    start: date
    end: date
    label: str


def span_of(day: date, settings: EditionSettings, words: Translator | None = None) -> Span:
    """The edition `day` belongs to, its label in the language of `words` (in English without)."""
    if settings.period is Period.DAILY:
        return Span(day.isoformat(), day, day, words.format_date(day) if words else f"{day.day} {calendar.month_name[day.month]} {day.year}")
    if settings.period is Period.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        label = words.month(day.year, day.month) if words else f"{calendar.month_name[day.month]} {day.year}"
        return Span(f"{day.year:04d}-{day.month:02d}", day.replace(day=1), day.replace(day=last), label)
    start = day - timedelta(days=(day.weekday() - settings.week_starts) % 7)
    year, week, _ = (start + timedelta(days=(3 - settings.week_starts) % 7)).isocalendar()  # the week's Thursday
    week_label = words.gettext(WEEK_LABEL) if words else WEEK_LABEL
    return Span(f"{year:04d}-W{week:02d}", start, start + timedelta(days=6), week_label % {"week": week, "year": year})


ID_PATTERNS = {
    Period.DAILY: (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "2021-11-24"),
    Period.WEEKLY: (re.compile(r"(\d{4})-W(\d{2})"), "2021-W47"),
    Period.MONTHLY: (re.compile(r"(\d{4})-(\d{2})"), "2021-11"),
}


def span_of_id(edition_id: str, settings: EditionSettings) -> Span | None:
    """The edition an id names under these settings, or None when it names none."""
    assert settings.period is not None
    pattern, _ = ID_PATTERNS[settings.period]
    match = pattern.fullmatch(edition_id)
    if not match:
        return None
    numbers = [int(part) for part in match.groups()]
    try:
        if settings.period is Period.WEEKLY:
            thursday = date.fromisocalendar(numbers[0], numbers[1], 4)
            day = thursday - timedelta(days=(3 - settings.week_starts) % 7)
        else:
            day = date(numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1)
    except ValueError:
        return None
    span = span_of(day, settings)
    return span if span.id == edition_id else None


def example_id(settings: EditionSettings) -> str:
    assert settings.period is not None
    return ID_PATTERNS[settings.period][1]


Report = Callable[..., None]


def check_editions(value: Any, report: Report) -> EditionSettings:
    """site.yaml's `editions:` (a mapping, `false`, or absent) → `EditionSettings`, reporting each wrong key at its line."""
    example = "e.g. editions: {period: weekly, week_starts: monday, group_by: topic}"
    if value is None or value is False:
        return NO_EDITIONS
    if not isinstance(value, dict):
        report(("editions",), f"must be a mapping or false, got {value!r}", example)
        return NO_EDITIONS
    settings: dict[str, Any] = {"period": Period.WEEKLY}
    choices: dict[str, tuple[str, ...]] = {
        "period": tuple(Period), "week_starts": DAYS, "group_by": tuple(GroupBy),
    }
    for key, given in value.items():
        if key in choices:
            allowed = choices[key]
            if not isinstance(given, str) or given.lower() not in allowed:
                report(("editions", key), f"must be one of {', '.join(allowed)}, got {given!r}", f"e.g. {key}: {allowed[0]}")
            elif key == "week_starts":
                settings[key] = DAYS.index(given.lower())
            else:
                settings[key] = Period(given.lower()) if key == "period" else GroupBy(given.lower())
        elif key == "title":
            problem = _title_problem(given)
            if problem:
                report(("editions", key), problem, "e.g. title: \"No. {number}: {label}\" (also {id}, {start}, {end}, {site})")
            else:
                settings[key] = given
        elif key == "email":
            if not isinstance(given, bool):
                report(("editions", key), f"must be true or false, got {given!r}", "e.g. email: true")
            else:
                settings[key] = given
        else:
            known = [*choices, "title", "email"]
            report(("editions", key), f"unknown key '{key}'", "known keys: " + ", ".join(known), key=True)
    return EditionSettings(**settings)


def _title_problem(pattern: Any) -> str:
    if not isinstance(pattern, str) or not pattern.strip():
        return f"must be text, got {pattern!r}"
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        return f"is not a valid pattern ({exc}); write a literal brace as {{{{ or }}}}"
    unknown = [name for name in names if name not in TITLE_FIELDS]
    return f"has an unknown field {{{unknown[0]}}}" if unknown else ""
