"""The persistent build cache in `.digest-cache/`: parsed articles and page fingerprints.

Safe to delete at any time. Entries are keyed by everything that decides their
value (file bytes, path, digest's version, Markdown and site settings), stored
as JSON (never pickle: the folder may come from anywhere), and any entry that
fails to load is treated as missing. A cache that cannot be opened is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from . import __version__
from .config import SiteConfig, parsing_settings
from .content import Article, Parsed, shared_values
from .countries import Country
from .fields import ImageRef, TopicRef
from .markup import MARKDOWN_EXTENSIONS

CACHE_DIR = ".digest-cache"
SCHEMA = 5
PACKAGE = Path(__file__).resolve().parent


def code_fingerprint(package: Path = PACKAGE) -> str:
    """digest's own code (each module's name and bytes): an upgrade or a local edit invalidates the cache.

    Not file times: CI installs the same digest afresh on every run, with new times, and should keep its cache.
    """
    digest = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def settings_key(config: SiteConfig) -> str:
    """What, besides a file's bytes, decides how it parses."""
    parts = {
        "digest": __version__,
        "code": code_fingerprint(),
        "schema": SCHEMA,
        "markdown": MARKDOWN_EXTENSIONS,
        "options": parsing_settings(config),
        "root": str(config.root),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def article_key(settings: str, path: Path, fingerprint: str) -> str:
    """An article's cache key: its settings, its path and the digest of its bytes."""
    text = f"{settings}\0{path}\0{fingerprint}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, slots=True)
class LastBuild:
    """What the last successful build into a folder was made from."""

    signature: str
    pages: int
    articles: int
    next_change: str
    images: tuple[tuple[str, int, int], ...] = ()
    """The picture files the build used, with the size and time they had (the signature cannot know them before parsing)."""


class BuildCache:
    """An SQLite file of articles (by key) and of the fingerprint of every page written."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / "cache.sqlite3"
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")  # keeps the cache out of git without touching the site's .gitignore
        try:
            db = self._connect()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # corrupt: start again rather than trust it
            db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
            for table in ("articles", "pages", "builds"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute("CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, data TEXT NOT NULL, body TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS pages (output TEXT, path TEXT, fingerprint TEXT, PRIMARY KEY (output, path))")
        db.execute("CREATE TABLE IF NOT EXISTS builds (output TEXT PRIMARY KEY, data TEXT NOT NULL)")
        db.execute("SELECT count(*) FROM articles").fetchone()
        return db

    def close(self) -> None:
        self.db.close()

    # -- articles ----------------------------------------------------------------

    def articles(self, keys: Mapping[str, Path], shared: dict[Any, Any] | None = None) -> dict[str, Article]:
        """The cached articles among `keys` (key → the file it was read from).

        They come without their bodies (see `body`), with the countries and
        topics held in `shared` (see `article_from_json`); entries that fail to
        load are left out.
        """
        wanted = list(keys)
        found: dict[str, Article] = {}
        shared = {} if shared is None else shared
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, data in self.db.execute(f"SELECT key, data FROM articles WHERE key IN ({marks})", chunk):
                    try:
                        found[key] = article_from_json(data, keys[key], shared)
                    except (ValueError, KeyError, TypeError):
                        continue
        except sqlite3.DatabaseError:
            return found
        return found

    def body(self, key: str) -> Markup | None:
        try:
            row = self.db.execute("SELECT body FROM articles WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return Markup(row[0]) if row else None

    def store_articles(self, items: Mapping[str, Parsed]) -> bool:
        """Store articles with their bodies; False if the cache could not take them."""
        rows = [(key, article_to_json(parsed.article), str(parsed.body)) for key, parsed in items.items()]
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?)", rows)
        except sqlite3.DatabaseError:
            return False  # a cache that cannot be written only costs time
        return True

    def forget_articles_except(self, keys: Iterable[str]) -> None:
        """Drop entries no current file needs, so the cache does not grow forever."""
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM keep")
                self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keys))
                self.db.execute("DELETE FROM articles WHERE key NOT IN (SELECT key FROM keep)")
        except sqlite3.DatabaseError:
            pass

    # -- pages -------------------------------------------------------------------

    def page_fingerprints(self, output: Path) -> dict[str, str]:
        try:
            rows = self.db.execute("SELECT path, fingerprint FROM pages WHERE output = ?", (str(output),))
            return dict(rows.fetchall())
        except sqlite3.DatabaseError:
            return {}

    def update_page_fingerprints(self, output: Path, changed: Mapping[str, str], removed: Iterable[str]) -> None:
        """Record the fingerprints of pages just written, and forget pages just removed."""
        where = str(output)
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM pages WHERE output = ? AND path = ?", ((where, path) for path in removed))
                self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)", ((where, path, fp) for path, fp in changed.items()))
        except sqlite3.DatabaseError:
            pass

    def last_build(self, output: Path) -> LastBuild | None:
        try:
            row = self.db.execute("SELECT data FROM builds WHERE output = ?", (str(output),)).fetchone()
            return LastBuild(**json.loads(row[0])) if row else None
        except (sqlite3.DatabaseError, ValueError, TypeError):
            return None

    def forget_last_build(self, output: Path) -> None:
        """The output changed without a whole-site signature: the next build must look at every page."""
        try:
            self.db.execute("DELETE FROM builds WHERE output = ?", (str(output),))
        except sqlite3.DatabaseError:
            pass

    def store_last_build(self, output: Path, build: LastBuild) -> None:
        data = json.dumps({name: getattr(build, name) for name in LastBuild.__dataclass_fields__})
        try:
            self.db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (str(output), data))
        except sqlite3.DatabaseError:
            pass


# -- JSON for articles ---------------------------------------------------------------


def _plain(value: Any) -> Any:
    """`extra` values as JSON: dates and times tagged so they come back as they were."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {"$map": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$bytes" in value:
            return bytes.fromhex(value["$bytes"])
        return {_restore(k): _restore(v) for k, v in value["$map"]}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _image_to_list(image: ImageRef | None) -> list[Any] | None:
    if image is None:
        return None
    return [image.src, image.alt, image.caption, image.credit, image.line, image.col, image.source_line]


def article_to_json(article: Article) -> str:
    return json.dumps(
        {
            "path": str(article.path),
            "slug": article.slug,
            "title": article.title,
            "published": article.published.isoformat(),
            "zone": str(article.published.tzinfo),
            "updated": article.updated.isoformat() if article.updated else None,
            "countries": [[c.name, c.code, c.flag, c.region] for c in article.countries],
            "topics": [[t.slug, t.label] for t in article.topics],
            "source": article.source,
            "url": article.url,
            "summary": article.summary,
            "author": article.author,
            "draft": article.draft,
            "image": _image_to_list(article.image),
            "extra": _plain(dict(article.extra)),
            "fingerprint": article.fingerprint,
            "meta_fingerprint": article.meta_fingerprint,
        },
        ensure_ascii=False,
    )


def article_from_json(text: str, path: Path, shared: dict[Any, Any] | None = None) -> Article:
    """The article stored by `article_to_json`, read from `path`; its body stays behind in the cache.

    Countries and topics equal to ones in `shared` are that very object.
    """
    data = json.loads(text)
    pool = {} if shared is None else shared
    if data["path"] != str(path):
        raise ValueError(f"cached for {data['path']}, not {path}")
    published = datetime.fromisoformat(data["published"]).astimezone(ZoneInfo(data["zone"]))
    return Article(
        path=path,
        slug=data["slug"],
        title=data["title"],
        published=published,
        updated=datetime.fromisoformat(data["updated"]).astimezone(ZoneInfo(data["zone"])) if data["updated"] else None,
        countries=shared_values(pool, (Country(*c) for c in data["countries"])),
        topics=shared_values(pool, (TopicRef(*t) for t in data["topics"])),
        source=data["source"],
        url=data["url"],
        summary=data["summary"],
        author=data["author"],
        draft=bool(data["draft"]),
        image=ImageRef(*data["image"]) if data["image"] else None,
        extra=_restore(data["extra"]),
        fingerprint=data["fingerprint"],
        meta_fingerprint=data["meta_fingerprint"],
    )

