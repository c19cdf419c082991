"""Turning people's words into URL-safe names, and back into display names."""

from __future__ import annotations

import unicodedata
from collections import Counter

from slugify import slugify as _slugify

MAX_SLUG = 100
SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs"})


RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))})
"""Names Windows cannot use for files or folders, whatever the extension."""


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Abraham Accords' → 'abraham-accords'.

    A name Windows reserves ('con', 'nul', …) gets '-x' added, so the site can be
    copied to and published from any system.
    """
    slug: str = _slugify(unicodedata.normalize("NFC", text), max_length=MAX_SLUG, word_boundary=True)
    return f"{slug}-x" if slug in RESERVED else slug


def display_name(spellings: list[str], slug: str) -> str:
    """The best way to show a term written in several ways across articles.

    Mixed-case spellings ('Abraham Accords') win over all-lower or all-upper ones;
    short all-caps words stay acronyms ('AI'), words of a script without case as written ('دفاع'); otherwise the slug is title-cased.
    Ties go to the most used spelling, then alphabetical order, so the result does
    not depend on the order files were read in.
    """

    counts = Counter(spellings)

    def rank(spelling: str) -> tuple[int, int, str]:
        mixed = spelling != spelling.lower() and spelling != spelling.upper()
        acronym = spelling.isupper() and " " not in spelling and len(spelling) <= 5
        return (0 if mixed else 1 if acronym else 2, -counts[spelling], spelling)

    best = min(counts, key=rank, default="")
    if best and (rank(best)[0] < 2 or best.lower() == best.upper()):  # a script without case (Arabic, Hebrew, Chinese) is shown as written
        return best.strip()
    words = slug.split("-")
    return " ".join(w if i and w in SMALL_WORDS else w.capitalize() for i, w in enumerate(words))
