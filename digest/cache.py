"""The persistent build cache in `.digest-cache/`: parsed articles, page fingerprints, and what each article file's stat was.

Safe to delete at any time. Entries are keyed by everything that decides their
value (file bytes, path, digest's version, Markdown and site settings), stored
as JSON (never pickle: the folder may come from anywhere), and any entry that
fails to load is treated as missing.

The cache cannot lie. Every stored text (an article's JSON, its body, a page's
fingerprint, the last build's record) has a checksum beside it, checked when it
is read: a damaged entry is dropped and made again from the sources, and
counted in `CacheNotes`, which the command line prints once after the build.
A cache that cannot be created or written (permissions, a read-only file
system, an immutable file, a full disk) is never silent: the build goes on
without it (or without writing it, when a write fails half-way) and says so.
The checksums find damage, not tampering: whoever can write the file can
recompute them.

The stat index (`sources`) lets a build skip reading a file whose size, times
and inode are the ones recorded with its fingerprint (see `sources.stamp_sources`
for when an entry is trusted); its rows are checked like every other entry.

The write-ahead log is cut back to `WAL_LIMIT` after every checkpoint and removed
when the cache is closed, so a failed write (a full disk) never leaves a growing
log behind: once a write fails, nothing more is written until the next build.
"""

from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from . import __version__
from .config import SiteConfig, parsing_settings
from .content import Article, Parsed, shared_values
from .countries import Country
from .errors import Location, Problem, display_path
from .fields import ImageRef, TopicRef
from .markup import MARKDOWN_EXTENSIONS, engine_version

CACHE_DIR = ".digest-cache"
DATABASE = "cache.sqlite3"
IGNORE_FILE = ".gitignore"
IGNORE_TEXT = "*\n"
"""The cache folder's own .gitignore: keeps it out of git without touching the site's, and tells `digest clean` the folder is digest's."""
SCHEMA = 7
WAL_LIMIT = 8 * 1024 * 1024
"""Bytes the write-ahead log is cut back to after a checkpoint (SQLite checkpoints every 4 MB written)."""
PACKAGE = Path(__file__).resolve().parent

Stamp = tuple[int, int]
"""An output file's size and modification time (ns) when digest last wrote or saw it."""
SourceEntry = tuple[int, int, int, int, int, str]
"""An article file as last read: size, mtime (ns), inode, ctime (ns), when the stat was taken (ns), fingerprint of its bytes."""


def code_fingerprint(package: Path = PACKAGE) -> str:
    """digest's own code (each module's name and bytes): an upgrade or a local edit invalidates the cache.

    Not file times: CI installs the same digest afresh on every run, with new times, and should keep its cache.
    """
    digest = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def settings_key(config: SiteConfig, engine: str = "") -> str:
    """What, besides a file's bytes, decides how it parses; `engine` names the Markdown library's release, if known."""
    parts = {
        "digest": __version__,
        "code": code_fingerprint(),
        "schema": SCHEMA,
        "markdown": MARKDOWN_EXTENSIONS,
        "engine": engine or engine_version(config.markdown.engine),
        "options": parsing_settings(config),
        "root": str(config.root),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def article_key(settings: str, path: Path, fingerprint: str) -> str:
    """An article's cache key: its settings, its path and the digest of its bytes."""
    text = f"{settings}\0{path}\0{fingerprint}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def checksum(key: str, text: object) -> bytes:
    """What a stored text must digest to when read back under its key; a text that is not one (damage can change a
    value's type) digests to nothing, which no stored checksum equals."""
    if not isinstance(text, str):
        return b""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


def source_checksum(path: object, size: object, mtime: object, inode: object, ctime: object, recorded: object, fingerprint: object) -> bytes:
    """A stat index row's checksum (one per article file, all read by every build: one digest of one short text)."""
    text = f"{path}\0{size}\0{mtime}\0{inode}\0{ctime}\0{recorded}\0{fingerprint}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def page_checksum(path: object, fingerprint: object, size: object, mtime: object) -> bytes:
    """A page record's checksum (one per file in every output folder: kept to one digest of one short text)."""
    return hashlib.blake2b(f"{path}\0{fingerprint}\0{size}\0{mtime}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class LastBuild:
    """What the last successful build into a folder was made from."""

    signature: str
    pages: int
    articles: int
    next_change: str
    images: tuple[tuple[str, int, int], ...] = ()
    """The picture files the build used, with the size and time they had (the signature cannot know them before parsing)."""
    manifest: tuple[int, int] | None = None
    """The output folder's manifest as the build left it: a build the cache did not see, adding or removing a file, changes it."""
    notes: tuple[str, ...] = ()
    """What its summary noted (the drafts and future articles it left out), to say again when nothing changed."""
    warnings: tuple[tuple[str, int, int, str, str, str, str], ...] = ()
    """The build's warnings (`problems_to_lists`), which a build that reads nothing says again."""


def problems_to_lists(problems: Iterable[Problem]) -> tuple[tuple[str, int, int, str, str, str, str], ...]:
    """Problems as JSON can keep them: place, message, field, hint, line."""
    return tuple((str(p.location.path), p.location.line, p.location.col, p.message, p.field, p.hint, p.source_line) for p in problems)


def problems_from_lists(rows: Iterable[Sequence[Any]]) -> tuple[Problem, ...]:
    """The problems `problems_to_lists` kept."""
    return tuple(Problem(Location(Path(path), int(line), int(col)), message, name, hint, source) for path, line, col, message, name, hint, source in rows)


class CacheUnavailable(OSError):
    """The cache folder or file cannot be created, opened or written: the build goes on without it."""


class DamagedEntry(Exception):
    """A stored text failed its checksum."""


@dataclass(slots=True)
class CacheNotes:
    """What went wrong with the cache while building, for the command line to say once the build is over."""

    damaged: dict[str, int] = field(default_factory=dict)
    """Entries that failed their checksum, by cache file: dropped, and made again from the sources."""
    problems: list[str] = field(default_factory=list)
    """One line each: the cache could not be opened, read or written, and what the build did instead."""

    def damage(self, where: str, count: int = 1) -> None:
        if count:
            self.damaged[where] = self.damaged.get(where, 0) + count

    def take(self) -> list[str]:
        """The warnings gathered since the last call, one line each, none twice."""
        lines = list(dict.fromkeys(self.problems))
        for where, count in self.damaged.items():
            entries = "1 entry" if count == 1 else f"{count} entries"
            lines.append(
                f"{where}: {entries} failed {'its' if count == 1 else 'their'} checksum; dropped and made again from the sources, "
                "so the output is right (if this happens again, check the disk)"
            )
        self.damaged = {}
        self.problems = []
        return lines


def open_cache(root: Path, notes: CacheNotes) -> BuildCache | None:
    """The site's cache, or None (and a note saying why) when it cannot be created or written: the build then runs without it."""
    try:
        return BuildCache(root, notes)
    except CacheUnavailable as exc:
        notes.problems.append(str(exc))
        return None


def _reason(exc: BaseException) -> str:
    """An error in a few words: 'database or disk is full', 'Permission denied'."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class BuildCache:
    """An SQLite file of articles (by key), the fingerprint of every page written, and the last build into each folder.

    Reads check every entry's checksum; writes go through `_write`, which stops
    writing after the first failure and says so once.
    """

    def __init__(self, root: Path, notes: CacheNotes | None = None, *, writable: bool = True) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / DATABASE
        self.notes = CacheNotes() if notes is None else notes
        self.failed = "" if writable else "opened for reading only"
        """Why nothing more is written (a write failed, or this connection only reads)."""
        try:
            self.db = self._open() if writable else self._open_for_reading()
        except (OSError, sqlite3.Error) as exc:
            shown = display_path(self.folder)
            raise CacheUnavailable(
                f"cannot use the build cache {shown}/ ({_reason(exc)}): this build runs without it, slower but complete; "
                f"make {shown}/ writable, free some disk space, or remove it (digest clean)"
            ) from None

    @property
    def shown(self) -> str:
        return str(display_path(self.path))

    def _open(self) -> sqlite3.Connection:
        if self.folder.exists() and not self.folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder")
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / IGNORE_FILE
        if not ignore.exists():
            ignore.write_text(IGNORE_TEXT)
        try:
            return self._connect()
        except sqlite3.OperationalError:
            raise  # cannot open, read-only, locked, full: none of them a reason to delete it
        except sqlite3.DatabaseError:  # not a database, or a damaged one: start again rather than trust it
            for leftover in (self.path, self.path.with_name(DATABASE + "-wal"), self.path.with_name(DATABASE + "-shm")):
                leftover.unlink(missing_ok=True)
            self.notes.problems.append(f"{self.shown} was not a readable database and was started again: this build reads and renders everything")
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                for table in ("articles", "pages", "builds", "sources", "derived"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute(f"PRAGMA user_version = {SCHEMA}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, data TEXT NOT NULL, body TEXT NOT NULL,"
                " data_sum BLOB NOT NULL, body_sum BLOB NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS pages (output TEXT, path TEXT, fingerprint TEXT, size INTEGER, mtime INTEGER,"
                " sum BLOB NOT NULL, PRIMARY KEY (output, path))"
            )
            db.execute("CREATE TABLE IF NOT EXISTS builds (output TEXT PRIMARY KEY, data TEXT NOT NULL, sum BLOB NOT NULL)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, inode INTEGER, ctime INTEGER,"
                " recorded INTEGER, fingerprint TEXT, sum BLOB NOT NULL)"
            )
            db.execute("CREATE TABLE IF NOT EXISTS derived (key TEXT PRIMARY KEY, data TEXT NOT NULL, sum BLOB NOT NULL)")
            db.execute("SELECT 1 FROM articles LIMIT 1").fetchone()  # readable? (count(*) walked 100,000 keys: 70 ms a build)
            db.execute("BEGIN")  # can it be written? (a read-only or immutable file opens, and fails at the first write)
            db.execute("DELETE FROM builds WHERE 0")
            db.execute("ROLLBACK")
        except BaseException:
            db.close()
            raise
        return db

    def _open_for_reading(self) -> sqlite3.Connection:
        """A connection of a worker process, which only reads bodies (and never creates the file)."""
        uri = self.path.absolute().as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)

    def close(self) -> None:
        """Close the file; the last connection to close checkpoints the write-ahead log and removes it."""
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    def _write(self, work: Callable[[sqlite3.Connection], object]) -> bool:
        """Run `work` as one transaction; False if it could not be written.

        The first failure is noted and ends writing to this cache: later writes
        could make a half-written record look whole, and a full disk should not
        get fuller. Reading goes on (every entry is checked anyway).
        """
        if self.failed:
            return False
        try:
            self.db.execute("BEGIN")
            work(self.db)
            self.db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)
            return False
        except BaseException:
            self._let_go()
            raise
        return True

    def _give_up(self, exc: sqlite3.Error | OSError) -> None:
        """Note why the cache cannot be written (once), and write nothing more to it."""
        self.failed = _reason(exc)
        self.notes.problems.append(
            f"cannot write the build cache {self.shown} ({self.failed}): this build went on without writing it, and its output "
            f"is complete; free some disk space or make {display_path(self.folder)}/ writable, or remove it (digest clean)"
        )
        self._let_go()

    def _let_go(self) -> None:
        """After a failed write: roll back, then empty the write-ahead log if the disk lets us."""
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if self.failed:
            try:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error:
                pass

    def _unreadable(self, exc: sqlite3.Error) -> None:
        self.notes.problems.append(f"cannot read the build cache {self.shown} ({_reason(exc)}): what it holds was made again from the sources")

    # -- articles ----------------------------------------------------------------

    def articles(self, keys: Mapping[str, Path], shared: dict[Any, Any] | None = None) -> dict[str, Article]:
        """The cached articles among `keys` (key → the file it was read from).

        They come without their bodies (see `body`), with the countries and
        topics held in `shared` (see `article_from_json`); entries that fail
        their checksum or do not load are left out (and parsed again).
        """
        wanted = list(keys)
        found: dict[str, Article] = {}
        shared = {} if shared is None else shared
        damaged = 0
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, data, stored in self.db.execute(f"SELECT key, data, data_sum FROM articles WHERE key IN ({marks})", chunk):
                    if checksum(key, data) != stored:
                        damaged += 1
                        continue
                    try:
                        found[key] = article_from_json(data, keys[key], shared)
                    except (ValueError, KeyError, TypeError):
                        continue
        except sqlite3.Error as exc:
            self._unreadable(exc)
        self.notes.damage(self.shown, damaged)
        return found

    def has_articles(self) -> bool:
        """Whether any article is stored at all (if not, a build need not digest its files before parsing them)."""
        try:
            return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None
        except sqlite3.Error as exc:
            self._unreadable(exc)
            return False

    def body(self, key: str) -> Markup | None:
        """The stored body of the article under `key`, None if there is none; `DamagedEntry` if it fails its checksum."""
        try:
            row = self.db.execute("SELECT body, body_sum FROM articles WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        if checksum(key, row[0]) != row[1]:
            raise DamagedEntry(key)
        return Markup(row[0])

    def store_articles(self, items: Mapping[str, Parsed]) -> bool:
        """Store articles with their bodies; False if the cache could not take them."""
        rows = []
        for key, parsed in items.items():
            data, body = article_to_json(parsed.article), str(parsed.body)
            rows.append((key, data, body, checksum(key, data), checksum(key, body)))
        return self._write(lambda db: db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)", rows))

    def forget_articles(self, keys: Iterable[str]) -> None:
        """Drop these entries (their bodies were found damaged): the next build parses them again."""
        self._write(lambda db: db.executemany("DELETE FROM articles WHERE key = ?", ((key,) for key in keys)))

    def forget_articles_except(self, keys: Iterable[str]) -> None:
        """Drop entries no current file needs, so the cache does not grow forever."""

        def forget(db: sqlite3.Connection) -> None:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            db.execute("DELETE FROM keep")
            db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keys))
            db.execute("DELETE FROM articles WHERE key NOT IN (SELECT key FROM keep)")

        self._write(forget)

    # -- pages -------------------------------------------------------------------

    def page_records(self, output: Path) -> tuple[dict[str, str], dict[str, Stamp], bool]:
        """The files digest last wrote into `output`: each one's fingerprint, each one's stamp, and whether every record was whole."""
        try:
            rows = self.db.execute("SELECT path, fingerprint, size, mtime, sum FROM pages WHERE output = ?", (str(output),)).fetchall()
        except sqlite3.Error as exc:
            self._unreadable(exc)
            return {}, {}, False
        fingerprints: dict[str, str] = {}
        stamps: dict[str, Stamp] = {}
        for path, fingerprint, size, mtime, stored in rows:  # one pass: a large site has tens of thousands
            if page_checksum(path, fingerprint, size, mtime) == stored:
                fingerprints[path] = fingerprint
                stamps[path] = (size, mtime)
        self.notes.damage(self.shown, len(rows) - len(stamps))
        return fingerprints, stamps, len(stamps) == len(rows)

    def update_pages(self, output: Path, written: Mapping[str, tuple[str, Stamp]], removed: Iterable[str]) -> None:
        """Record the fingerprint and stamp of files just written (or seen), and forget files just removed."""
        where = str(output)

        def update(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM pages WHERE output = ? AND path = ?", ((where, path) for path in removed))
            db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
                ((where, path, fp, size, mtime, page_checksum(path, fp, size, mtime)) for path, (fp, (size, mtime)) in written.items()),
            )

        self._write(update)

    def last_build(self, output: Path) -> LastBuild | None:
        where = str(output)
        try:
            row = self.db.execute("SELECT data, sum FROM builds WHERE output = ?", (where,)).fetchone()
        except sqlite3.Error as exc:
            self._unreadable(exc)
            return None
        if row is None:
            return None
        if checksum(where, row[0]) != row[1]:
            self.notes.damage(self.shown)
            return None
        try:
            return LastBuild(**json.loads(row[0]))
        except (ValueError, TypeError):
            return None

    def forget_last_build(self, output: Path) -> None:
        """The output changed without a whole-site signature: the next build must look at every page."""
        self._write(lambda db: db.execute("DELETE FROM builds WHERE output = ?", (str(output),)))

    def store_last_build(self, output: Path, build: LastBuild) -> None:
        where = str(output)
        data = json.dumps({name: getattr(build, name) for name in LastBuild.__dataclass_fields__})
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?, ?)", (where, data, checksum(where, data))))

    # -- data derived from packages, such as the world map's projected shapes ----------

    def derived(self, key: str) -> str | None:
        """What `store_derived` kept under `key`, or None when it is missing or damaged."""
        try:
            row = self.db.execute("SELECT data, sum FROM derived WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._unreadable(exc)
            return None
        if row is None:
            return None
        if checksum(key, row[0]) != row[1]:
            self.notes.damage(self.shown)
            return None
        return str(row[0])

    def store_derived(self, key: str, data: str) -> None:
        """Keep `data` under `key`, the one entry of its kind: older keys of the same kind (the part before ':') go."""
        kind = key.split(":", 1)[0] + ":"

        def store(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM derived WHERE substr(key, 1, ?) = ?", (len(kind), kind))
            db.execute("INSERT OR REPLACE INTO derived VALUES (?, ?, ?)", (key, data, checksum(key, data)))

        self._write(store)

    # -- the stat index ----------------------------------------------------------

    def source_entries(self) -> dict[str, SourceEntry]:
        """Every article file's stat and fingerprint as last read, by path; rows that fail their checksum are left out (and read again)."""
        try:
            rows = self.db.execute("SELECT path, size, mtime, inode, ctime, recorded, fingerprint, sum FROM sources").fetchall()
        except sqlite3.Error as exc:
            self._unreadable(exc)
            return {}
        entries: dict[str, SourceEntry] = {}
        for path, size, mtime, inode, ctime, recorded, fingerprint, stored in rows:  # one pass: a large site has 100,000
            if source_checksum(path, size, mtime, inode, ctime, recorded, fingerprint) == stored:
                entries[path] = (size, mtime, inode, ctime, recorded, fingerprint)
        self.notes.damage(self.shown, len(rows) - len(entries))
        return entries

    def update_source_entries(self, fresh: Mapping[str, SourceEntry], removed: Iterable[str] = ()) -> None:
        """Record the stat and fingerprint of files just read, and forget files that are gone."""

        def update(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM sources WHERE path = ?", ((path,) for path in removed))
            db.executemany(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((path, *entry, source_checksum(path, *entry)) for path, entry in fresh.items()),
            )

        self._write(update)

    def forget_source_entries(self) -> None:
        """Drop the whole stat index (`digest build --verify`): every article file is read and hashed again."""
        self._write(lambda db: db.execute("DELETE FROM sources"))


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
            "language": article.language,
            "draft": article.draft,
            "image": _image_to_list(article.image),
            "links": list(article.links),
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
        language=data.get("language", ""),  # entries from before `language:` could not have one
        draft=bool(data["draft"]),
        image=ImageRef(*data["image"]) if data["image"] else None,
        links=tuple(data["links"]),
        extra=_restore(data["extra"]),
        fingerprint=data["fingerprint"],
        meta_fingerprint=data["meta_fingerprint"],
    )

