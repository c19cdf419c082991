"""`digest init`: the starter site (a commented site.yaml, one example article, a .gitignore), written without overwriting anything.

The files are template text below, so what a new curator first reads can be
read here too; `starter_files` fills in the date, `plant_site` writes them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from .cache import CACHE_DIR
from .config import CONFIG_NAME, SiteConfig
from .errors import CommandError, DigestError, display_path
from .sources import ARTICLES_DIR, load_config

STARTER_TIMEZONE = "UTC"
"""The zone the starter site.yaml names, and so the zone of the example article's date."""

EXAMPLE_SLUG = "welcome-to-your-digest"

KEPT_IN_EMPTY_FOLDERS = frozenset({".git"})
"""What may be in a folder `init` still calls empty: `git init` first is a fine way to start."""

SITE_YAML = f"""\
# The settings of this digest. digest's README lists every key, its default and
# what it does (section "site.yaml"); a key it does not know is an error naming
# its line, so a typo never goes unnoticed.

# The site's name, at the top of every page and in its feeds.
title: My News Digest

# One sentence saying what the digest follows: shown under the title and in
# search results.
description: A curated digest of the news that matters to us.

# The address the site will be published at. Feeds, the sitemap and canonical
# links need it; it may have a path (https://USER.github.io/REPO/).
# `digest serve` previews the site at its own address whatever this says.
base_url: https://example.org/

# The language the articles are written in (en, fr, pt-BR, ar, ...): the theme's
# words, dates, numbers and country names follow it, and ar, he, fa and ur pages
# read right to left. An article in another language says so: language: ar.
language: en

# Dates written without an offset (date: 2021-11-24) are in this zone: an IANA
# name such as Europe/London or America/New_York.
timezone: {STARTER_TIMEZONE}

# How many articles a list page shows before it continues on page 2.
paginate: 20

# The look of the site: default, paper (a broadsheet), or a theme of your own
# in themes/<name>/ beside this file.
theme: default

# Optional: a fixed list of topics. With one, an article naming any other topic
# is an error that suggests the closest ones.
# topics:
#   defence: {{name: Defence, description: Armies, arms and alliances., aliases: [military]}}
#   diplomacy: {{name: Diplomacy}}

# Optional: names of your own for countries (an ISO code, a country's name or
# a code of extra), and places outside ISO 3166-1, each with a two-letter code
# no country has, a name, and optionally a flag and a continent (region).
# countries:
#   aliases: {{Kosova: XK}}
#   extra:
#     XK: {{name: Kosovo, flag: "🇽🇰"}}
#     EU: {{name: European Union, flag: "🇪🇺", region: Europe}}

# Optional: other spellings of the sources articles name, each with the name
# its page shows (Reuters and reuters are one source already).
# sources:
#   aliases: {{NYT: The New York Times, Reuters.com: Reuters}}

# Optional: numbered editions (daily, weekly or monthly) with their own pages,
# a feed that carries each whole, and an email twin of every edition.
# editions: {{period: weekly, week_starts: monday, group_by: topic}}
"""

EXAMPLE_ARTICLE = """\
---
title: Welcome to your digest
date: {today}
countries: [Morocco, IL]      # names, ISO codes (MA, ISR) or aliases such as UK and USA
topics: [diplomacy]           # words of your choice; Abraham Accords and abraham-accords are one topic
source: Example News          # the publication the original comes from
url: https://example.org/the-original-article
summary: What an article file holds, and how to write the next one.
---

This is an example article; delete it once you have written your own. The
next one can be written for you, with its front matter filled in:

    digest new "Morocco and Israel sign a defence pact" --country Morocco --topic defence

Every article is one Markdown file under `content/articles/`, in any
sub-folder (`digest new` puts each in its year's folder); its name gives the
last part of its address. It starts with its front matter, the fields between
the two `---` lines:

- `title` and `date` are required. A date is `2021-11-24`, or a time such as
  `2021-11-24T09:30:00+01:00`; without an offset it is in the site's `timezone`.
- `countries` takes country names, ISO codes or common aliases; each country
  gets a page listing its articles.
- `topics` are words of your choice, each with a page of its own. A `topics:`
  list in `site.yaml` fixes which ones exist.
- `source`, `url` and `summary` name the original and say what it is about;
  without a summary, lists show the first paragraph.
- `draft: true` keeps an article off the site until you remove it
  (`digest serve --drafts` shows drafts while you write them).

Below the front matter comes the article's text, in Markdown. Link another
article, or a picture inside `content/`, by its file as it lies beside this
one, `[the pact](pact.md#a-heading)` or `![map](../../images/map.png)`: the
build writes the address it has on the site, wherever that is. `digest serve`
shows the site at http://127.0.0.1:8000/ and updates it each time you save;
`digest build` writes it into `public/`, ready for any static host. A mistake
in any file is reported with its line and a hint, and nothing is published
until it is fixed.
"""

GITIGNORE = f"""\
# The built site: `digest build` makes it again from the sources at any time.
/{next(f.default for f in fields(SiteConfig) if f.name == "output_dir")}/
# digest's build cache: safe to delete, and only this machine's.
/{CACHE_DIR}/
"""


@dataclass(frozen=True, slots=True)
class StarterFile:
    """One file of the starter site: its path inside the site folder and its text."""

    path: PurePosixPath
    text: str


@dataclass(frozen=True, slots=True)
class Planted:
    """What `init` did in a folder: the files it created and those it found already there."""

    folder: Path
    created: tuple[PurePosixPath, ...]
    kept: tuple[PurePosixPath, ...]


def starter_files(today: date) -> tuple[StarterFile, ...]:
    """The starter site's files, its example article dated `today`."""
    article = PurePosixPath("content", ARTICLES_DIR, f"{today.year:04d}", f"{EXAMPLE_SLUG}.md")
    return (
        StarterFile(PurePosixPath(CONFIG_NAME), SITE_YAML),
        StarterFile(article, EXAMPLE_ARTICLE.format(today=today.isoformat())),
        StarterFile(PurePosixPath(".gitignore"), GITIGNORE),
    )


def plant_site(folder: Path, now: datetime, *, force: bool = False) -> Planted:
    """Write the starter site into `folder` (made if missing). A folder with anything in it is refused
    unless `force`, and even then no file that exists is touched: nothing is ever overwritten or deleted."""
    shown = display_path(folder.absolute())
    shown = folder.resolve() if shown == Path(".") else shown  # '.: is not empty' would say less than the folder's name
    if folder.exists() and not folder.is_dir():
        raise CommandError.single(shown, "is a file, not a folder", hint="give the name of a new folder for the site, e.g. digest init my-digest")
    present = sorted(name for name in os.listdir(folder) if name not in KEPT_IN_EMPTY_FOLDERS) if folder.is_dir() else []
    if present and not force:
        listed = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
        raise CommandError.single(
            shown, f"is not empty (it holds {listed}); use --force to add only the starter files it lacks (nothing is overwritten)",
        )
    today = now.astimezone(_site_zone(folder)).date()
    created, kept = [], []
    for item in starter_files(today):
        target = folder.joinpath(*item.path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never replaces a file, even one made meanwhile
                handle.write(item.text)
        except FileExistsError:
            kept.append(item.path)
        else:
            created.append(item.path)
    return Planted(folder, tuple(created), tuple(kept))


def _site_zone(folder: Path) -> ZoneInfo:
    """The zone of the site.yaml already in `folder`, if one is there and reads; else the starter's."""
    if (folder / CONFIG_NAME).is_file():
        try:
            return load_config(folder).zone
        except DigestError:
            pass
    return ZoneInfo(STARTER_TIMEZONE)
