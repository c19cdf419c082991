"""Where article bodies wait between parsing and rendering: the cache file, or memory.

Keeping bodies out of the in-memory model keeps a large site's memory flat; a
page asks for its body only when it is rendered, by the article's file and
fingerprint.
"""

from __future__ import annotations

import os
from pathlib import Path

from markupsafe import Markup

from .cache import BuildCache, article_key
from .views import ArticleView


class BodyStore:
    """Bodies by article key; `memory` wins over the cache file, which is opened once per process."""

    def __init__(self, settings: str, cache_root: Path | None = None) -> None:
        self.settings = settings
        self.cache_root = cache_root
        self.memory: dict[str, Markup] = {}
        self._cache: BuildCache | None = None
        self._pid = 0

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
        if body is None and self.cache_root is not None:
            body = self._open(self.cache_root).body(key)
        if body is None:
            raise LookupError(f"no stored body for {view.path}: delete .digest-cache and build again")
        return body

    def _open(self, root: Path) -> BuildCache:
        if self._cache is None or self._pid != os.getpid():  # a forked worker opens its own connection
            self._cache = BuildCache(root)
            self._pid = os.getpid()
        return self._cache
