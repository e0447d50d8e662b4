"""A small in-process cache for values that may be a little old (community settings, the dashboard's figures).

Values are plain data (numbers, dates, ids; never ORM objects, which belong to one request's session), kept
per app server process for ``ttl`` seconds and bounded in number. Each app server computes its own copy at
most once per ``ttl``; nothing here needs to be shared, since a value is only ever a little old, never wrong
for the viewer (keys include everything that decides what a figure may count).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[float, float, Any]] = OrderedDict()


def remember(key: Hashable, ttl: float, compute: Callable[[], T]) -> tuple[T, float]:
    """``compute()``'s value for ``key`` and when it was computed (``time.time()``), reused for ``ttl`` seconds.

    ``ttl <= 0`` computes every time (tests, and anyone who wants live figures).
    """
    now = time.monotonic()
    if ttl > 0:
        with _lock:
            entry = _entries.get(key)
            if entry is not None and entry[0] > now:
                _entries.move_to_end(key)
                return entry[2], entry[1]
    value = compute()
    computed_at = time.time()
    if ttl > 0:
        with _lock:
            _entries[key] = (now + ttl, computed_at, value)
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value, computed_at


def forget(key: Hashable) -> None:
    """Drop one value (after a change this process made to what it was computed from)."""
    with _lock:
        _entries.pop(key, None)


def clear() -> None:
    """Forget everything (tests; after a restore)."""
    with _lock:
        _entries.clear()
