"""Turning people's words into URL-safe names, and back into display names."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping

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

    Mixed-case spellings ('Abraham Accords') and spellings in a script without
    case ('例えニュース') win over all-lower or all-upper ones; short all-caps words
    stay acronyms ('AI'); otherwise the slug is title-cased, or the spelling's own
    words when it is not ASCII ('известия' → 'Известия': a slug's transliteration is
    for URLs only). Ties go to the most used spelling, then alphabetical order, so
    the result does not depend on the order files were read in.
    """

    counts = Counter(spellings)

    def rank(spelling: str) -> tuple[int, int, str]:
        mixed = (spelling != spelling.lower() and spelling != spelling.upper()) or spelling.lower() == spelling.upper()
        acronym = spelling.isupper() and " " not in spelling and len(spelling) <= 5
        return (0 if mixed else 1 if acronym else 2, -counts[spelling], spelling)

    best = min(counts, key=rank, default="")
    if best and (rank(best)[0] < 2 or best.lower() == best.upper()):  # a script without case (Arabic, Hebrew, Chinese) is shown as written
        return best.strip()
    words = best.split() if best and not best.isascii() else slug.split("-")
    return " ".join(w if i and w in SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


class BylineNames:
    """A source's or an author's slug from any spelling of it, whatever its case and spacing ('reuters', 'Reuters ');
    an alias's slug leads to the name it stands for (`NYT: The New York Times`).

    Each spelling is slugified once, however many articles write it.
    """

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self.aliases = {slugify(alias): slugify(name) for alias, name in aliases.items()}
        self.fixed = {slugify(name): name for name in aliases.values()}
        """The names aliases stand for, by slug: shown as site.yaml writes them, whatever the articles write."""
        self.known: dict[str, str] = {}

    def slug(self, written: str) -> str:
        """The slug of the page of what `written` names ('' when it has no letters or digits)."""
        slug = self.known.get(written)
        if slug is None:
            slug = slugify(written)
            slug = self.known[written] = self.aliases.get(slug, slug)
        return slug
