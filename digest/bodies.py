"""Where article bodies wait between parsing and rendering: the cache file, or memory.

Keeping bodies out of the in-memory model keeps a large site's memory flat;
a page fetches its body only when it is rendered.
"""

from __future__ import annotations

import os
from pathlib import Path

from markupsafe import Markup

from .cache import BuildCache


class BodyStore:
    """Bodies by key; `memory` wins over the cache file, which is opened once per process."""

    def __init__(self, cache_root: Path | None = None) -> None:
        self.cache_root = cache_root
        self.memory: dict[str, Markup] = {}
        self._cache: BuildCache | None = None
        self._pid = 0

    def put(self, key: str, body: Markup) -> None:
        self.memory[key] = body

    def forget(self, key: str) -> None:
        self.memory.pop(key, None)

    def get(self, key: str) -> Markup:
        body = self.memory.get(key)
        if body is None and self.cache_root is not None:
            body = self._open().body(key)
        if body is None:
            raise LookupError(f"no stored body for {key}: delete .digest-cache and build again")
        return body

    def _open(self) -> BuildCache:
        if self._cache is None or self._pid != os.getpid():  # a forked worker opens its own connection
            self._cache = BuildCache(self.cache_root)  # type: ignore[arg-type]
            self._pid = os.getpid()
        return self._cache
