"""Where article bodies wait between parsing and rendering: the cache file, or memory.

Keeping bodies out of the in-memory model keeps a large site's memory flat; a
page asks for its body only when it is rendered, by the article's file and
fingerprint. A body the cache no longer has whole (it fails its checksum, or
is gone) is parsed again from its file, which must still hold the bytes the
page was planned from.
"""

from __future__ import annotations

import os
from pathlib import Path

from markupsafe import Markup

from .cache import BuildCache, CacheUnavailable, DamagedEntry, article_key
from .content import ArticleParser
from .sources import read_source
from .views import ArticleView


class BodyStore:
    """Bodies by article key; `memory` wins over the cache file.

    The process that made the store reads through its cache; a forked worker
    opens a connection of its own that only reads, and hands the keys of
    damaged bodies back to the parent (`take_damaged`, `drop_damaged`), which
    alone writes to the cache.
    """

    def __init__(self, settings: str, cache: BuildCache | None, parser: ArticleParser) -> None:
        self.settings = settings
        self.cache = cache
        self.parser = parser
        self.memory: dict[str, Markup] = {}
        self.damaged: list[str] = []
        """Keys whose stored body failed its checksum in this worker, for the parent to drop."""
        self._owner = os.getpid()
        self._reader: BuildCache | None = None
        self._reader_pid = 0

    def key(self, path: Path, fingerprint: str) -> str:
        return article_key(self.settings, path, fingerprint)

    def put(self, key: str, body: Markup) -> None:
        self.memory[key] = body

    def forget(self, key: str) -> None:
        self.memory.pop(key, None)

    def body_of(self, view: ArticleView) -> Markup:
        """The body of the article an article page shows."""
        key = self.key(view.path, view.fingerprint)
        body = self.memory.get(key)
        if body is not None:
            return body
        cache = self._cache()
        if cache is not None:
            try:
                body = cache.body(key)
            except DamagedEntry:
                self._damaged(key)
        return body if body is not None else self._parse_again(view)

    def _parse_again(self, view: ArticleView) -> Markup:
        source = read_source(view.path, self.parser.config)
        if source.fingerprint != view.fingerprint:
            raise LookupError(f"{view.path} changed while the site was building: build again")
        return self.parser.parse(source).body

    def _damaged(self, key: str) -> None:
        if os.getpid() == self._owner:
            self.drop_damaged([key])
        else:
            self.damaged.append(key)

    def take_damaged(self) -> list[str]:
        """In a worker: the keys of the damaged bodies met since the last call."""
        keys, self.damaged = self.damaged, []
        return keys

    def drop_damaged(self, keys: list[str]) -> None:
        """In the parent: count damaged bodies and drop their entries, so the next build parses them again."""
        if keys and self.cache is not None:
            self.cache.notes.damage(self.cache.shown, len(keys))
            self.cache.forget_articles(keys)

    def _cache(self) -> BuildCache | None:
        """The cache to read from: the parent's own, or in a forked worker a reading connection of its own."""
        if self.cache is None or os.getpid() == self._owner:
            return self.cache
        if self._reader_pid != os.getpid():
            self._reader_pid = os.getpid()
            try:
                self._reader = BuildCache(self.cache.folder.parent, writable=False)
            except CacheUnavailable:
                self._reader = None  # every body is parsed again: slower, still right
        return self._reader
