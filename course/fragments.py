"""Rendered course content that is the same for every learner, cached in process by digest.

Only content goes in: Markdown of question stems and options, module text. Nothing a learner
did (answers, progress, flags, CSRF tokens) is ever part of a key or a value, so one learner
can never see another's page through this cache; a changed text has a new digest, and a
renderer whose output changes bumps its version, so a stale fragment is never served.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_FRAGMENTS = 4096  # every stem, option and section of the shipped course fits several times
RENDERER_VERSION = "1"  # bump when a renderer's output for the same text changes


def digest(text: str) -> str:
    """A short digest of a text: the cache key's content part."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class FragmentCache:
    """A bounded LRU of rendered HTML keyed by what it was rendered from."""

    def __init__(self, size: int = MAX_FRAGMENTS) -> None:
        """An empty cache holding at most ``size`` fragments."""
        self.size = size
        self.hits = self.misses = 0
        self._data: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share one process

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        """The fragment for key, rendering (outside the lock) and keeping it on a miss."""
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return found
        html = render()
        with self._lock:
            self.misses += 1
            self._data[key] = html
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return html

    def clear(self) -> None:
        """Forget every fragment (tests, or content reloaded in place)."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        """How many fragments are kept."""
        return len(self._data)


FRAGMENTS = FragmentCache()


def rendered(kind: str, text: str, render: Callable[[str], str], language: str = "en",
             version: str = RENDERER_VERSION) -> str:
    """render(text), once per process for each (kind, content digest, version, language)."""
    return FRAGMENTS.get_or_render((kind, digest(text), version, language), lambda: render(text))
