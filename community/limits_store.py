"""Where rate limits are counted: Redis when configured, else a SQLite file, and that file while Redis is down.

Two storages for the ``limits`` library (Flask-Limiter's), registered by URI scheme:

``community-sqlite:///<instance>/ratelimits.sqlite3`` (``EmbeddedStorage``) is the embedded default. Every
process on the machine that uses the same instance folder (gunicorn workers, ``community run``'s threads)
counts in the same file, so a limit of 10 is 10 per machine, not 10 per worker. Each counter is one row
(key, value, expiry); an increment is one short IMMEDIATE transaction. The file is separate from the
community's database on purpose: a POST holds the database's write lock for its whole transaction, and a
counter kept there would wait behind it.

``community-failover://`` (``FailoverStorage``) wraps the primary store (Redis) and the embedded one. A call
that fails on Redis (refused, timed out, any Redis error) is answered by the embedded store instead, and so
is every call after it until Redis answers a ping again: it is asked at most once every ``retry_seconds``
per process. The outage is logged once per machine (a marker in the embedded store, renewed hourly while
it lasts), and the recovery once per process. Counts made during the outage stay in the embedded store;
Redis resumes with the counts it had.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from limits.errors import StorageError
from limits.storage import Storage, storage_from_string

log = logging.getLogger(__name__)

OUTAGE_KEY = "community/primary-store-outage"
OUTAGE_LOG_EVERY = 3600  # a long outage is logged again each hour
CLEANUP_EVERY = 60  # seconds between sweeps of expired counters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS counters_expires_at ON counters (expires_at);
"""


class EmbeddedStorage(Storage):
    """Fixed-window counters in a SQLite file shared by every process on the machine."""

    STORAGE_SCHEME = ["community-sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.path = uri.split("://", 1)[1]
        self.clock: Callable[[], float] = time.time
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._inherited: list[sqlite3.Connection] = []
        self._last_cleanup = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid != os.getpid():
            # Opened before a fork (gunicorn --preload): never use or close SQLite handles across fork.
            self._inherited.append(self._conn)
            self._conn = None
        if self._conn is None:
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def close(self) -> None:
        """Close this process's connection (it reopens on the next call)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter; a missing or expired one starts a new window of ``expiry`` s."""
        now = self.clock()
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")  # waits its turn (5 s) behind another process's increment
            try:
                conn.execute(
                    "INSERT INTO counters (key, value, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE"
                    " SET value = CASE WHEN expires_at <= ?4 THEN excluded.value ELSE value + excluded.value END,"
                    " expires_at = CASE WHEN expires_at <= ?4 THEN excluded.expires_at ELSE expires_at END",
                    (key, amount, now + expiry, now),
                )
                value = conn.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]
                if now - self._last_cleanup > CLEANUP_EVERY:
                    conn.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
                    self._last_cleanup = now
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return int(value)

    def _live(self, key: str) -> tuple[int, float] | None:
        with self._lock:
            row = self._connection().execute(
                "SELECT value, expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, self.clock())
            ).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        """The counter's value (0 when missing or expired)."""
        row = self._live(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When the counter's window ends (now, when there is none)."""
        row = self._live(key)
        return row[1] if row else self.clock()

    def check(self) -> bool:
        """The file can be read."""
        try:
            with self._lock:
                self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        with self._lock:
            return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        """Forget one counter."""
        with self._lock:
            self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))


def configure_storage(config: dict[str, Any], instance_path: str) -> None:
    """Point Flask-Limiter at Redis with the embedded fallback, or at the embedded store alone.

    ``RATELIMIT_STORAGE_OPTIONS`` as configured are options for the Redis client.
    """
    embedded = f"community-sqlite://{os.path.join(instance_path, 'ratelimits.sqlite3')}"
    primary = config.get("REDIS_URL")
    if not primary:
        config["RATELIMIT_STORAGE_URI"] = embedded
        return
    primary_options: dict[str, Any] = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if primary.startswith(("redis", "valkey")):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Fail over in about a second when Redis is unreachable, not after redis-py's ten retries.
        primary_options = {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), 1),
                           **primary_options}  # fmt: skip
    config["RATELIMIT_STORAGE_URI"] = "community-failover://"
    config["RATELIMIT_STORAGE_OPTIONS"] = {
        "primary": primary,
        "embedded": embedded,
        "retry_seconds": config.get("RATELIMIT_REDIS_RETRY_SECONDS", 5),
        "primary_options": primary_options,
    }


class FailoverStorage(Storage):
    """The primary store (Redis), answered by the embedded store while the primary fails."""

    STORAGE_SCHEME = ["community-failover"]

    def __init__(self, uri: str, primary: str, embedded: str, retry_seconds: float = 5.0,
                 primary_options: dict[str, Any] | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:  # fmt: skip
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.primary: Storage = storage_from_string(primary, **(primary_options or {}))  # type: ignore[assignment]
        self.embedded: Storage = storage_from_string(embedded)  # type: ignore[assignment]
        self.primary_name = primary.split("://", 1)[0]
        self.retry_seconds = float(retry_seconds)
        self.clock: Callable[[], float] = time.monotonic
        self._state = threading.Lock()
        self._down = False
        self._next_probe = 0.0
        primary_errors = self.primary.base_exceptions
        self._primary_errors = (*(primary_errors if isinstance(primary_errors, tuple) else (primary_errors,)),
                                StorageError, OSError)  # fmt: skip

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return self.embedded.base_exceptions

    @property
    def primary_down(self) -> bool:
        """Whether calls go to the embedded store because the primary failed."""
        return self._down

    def _mark_down(self, error: Exception) -> None:
        with self._state:
            if self._down:
                return
            self._down = True
            self._next_probe = self.clock() + self.retry_seconds
        try:
            first_on_machine = self.embedded.incr(OUTAGE_KEY, OUTAGE_LOG_EVERY) == 1
        except Exception:  # the embedded store failing too is logged by whoever calls it next
            first_on_machine = True
        if first_on_machine:
            log.warning("Rate limit store %s unreachable (%s): counting in the embedded store %s until it answers",
                        self.primary_name, error, getattr(self.embedded, "path", "memory"))  # fmt: skip

    def _primary_usable(self) -> bool:
        if not self._down:
            return True
        with self._state:
            if self.clock() < self._next_probe:
                return False
            self._next_probe = self.clock() + self.retry_seconds
        if not self.primary.check():
            return False
        with self._state:
            was_down, self._down = self._down, False
        if was_down:
            try:
                self.embedded.clear(OUTAGE_KEY)
            except Exception:
                log.debug("could not clear the outage marker", exc_info=True)
            log.warning("Rate limit store %s answers again: counting there again", self.primary_name)
        return True

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self._primary_usable():
            try:
                return getattr(self.primary, method)(*args, **kwargs)
            except self._primary_errors as error:
                self._mark_down(error)
        return getattr(self.embedded, method)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Increment in the primary store, or the embedded one while it is down."""
        return int(self._call("incr", key, expiry, amount=amount))

    def get(self, key: str) -> int:
        """Read from the primary store, or the embedded one while it is down."""
        return int(self._call("get", key))

    def get_expiry(self, key: str) -> float:
        """The window's end from the primary store, or the embedded one while it is down."""
        return float(self._call("get_expiry", key))

    def check(self) -> bool:
        """Limits can be counted: in the primary store, or else in the embedded one."""
        return bool(self._primary_usable() and self.primary.check()) or self.embedded.check()

    def reset(self) -> int | None:
        """Forget every counter in both stores."""
        embedded = self.embedded.reset()
        try:
            return self.primary.reset()
        except self._primary_errors as error:
            self._mark_down(error)
            return embedded

    def clear(self, key: str) -> None:
        """Forget one counter in both stores."""
        self.embedded.clear(key)
        self._call("clear", key)
