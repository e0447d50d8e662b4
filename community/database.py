"""Database engine setup: SQLite pragmas and write transactions that begin IMMEDIATE.

A deferred SQLite transaction that reads and then writes fails with "database is locked" when another
writer got in between; one that begins IMMEDIATE waits its turn (busy timeout) instead. Requests that may
write (POST and friends) and CLI/worker writes mark the context as writing, and the engine's ``begin``
event then issues ``BEGIN IMMEDIATE``; plain page views stay deferred so readers never queue behind writers.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event, exc

from community.database_failures import database_label, refuses_writes

log = logging.getLogger(__name__)
_writing: ContextVar[bool] = ContextVar("community_sqlite_writing", default=False)


def set_writing(value: bool) -> None:
    """Mark the current context (request, command) as one that writes."""
    _writing.set(value)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block take the SQLite write lock up front."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def configure_sqlite(engine: Engine) -> None:
    """Pragmas on every connection, and BEGIN / BEGIN IMMEDIATE issued by us rather than pysqlite."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Read through a memory map and keep a bigger page cache: at a million posts the indexes and the
            # full-text index no longer fit SQLite's default 2 MB cache (search page 75 -> 57 ms, bench/).
            cursor.execute("PRAGMA mmap_size=268435456")
            cursor.execute("PRAGMA cache_size=-32768")
        cursor.close()

    lock_path = None if engine.url.database in (None, "", ":memory:") else f"{engine.url.database}-writelock"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not _writing.get():
            conn.exec_driver_sql("BEGIN")
            return
        if lock_path is not None:
            _take_write_lock(conn.info, lock_path)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            _release_write_lock(conn.info)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        _release_write_lock(conn.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release_write_lock(record.info)  # never kept by a connection back in the pool

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection: Any, record: Any) -> None:
        _release_write_lock(record.info)
        fd = record.info.pop("write_lock_fd", None)
        if fd is not None:
            os.close(fd)


# Writers queue on a file lock beside the database before they ask SQLite for its write lock. SQLite's own
# busy handler makes a waiting writer sleep (1, 2, 5, 10, ... 100 ms) and retry, so under concurrent posting
# some replies waited a whole sleep after the lock was free (p99 of posting a reply: 250 ms with two app
# workers). A waiter here polls every half millisecond instead. It gives up after the busy timeout and lets
# SQLite decide, so a writer that somehow holds the file lock can delay others but never block them for good.
WRITE_LOCK_POLL = 0.0005
WRITE_LOCK_WAIT = 10.0


def _take_write_lock(info: dict[str, Any], path: str) -> None:
    fd = info.get("write_lock_fd")
    if fd is None:
        fd = info["write_lock_fd"] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + WRITE_LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            info["write_lock_held"] = True
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                return
            time.sleep(WRITE_LOCK_POLL)


def _release_write_lock(info: dict[str, Any]) -> None:
    if info.pop("write_lock_held", False):
        fcntl.flock(info["write_lock_fd"], fcntl.LOCK_UN)


def upsert(table: Any, dialect_name: str) -> Any:
    """An INSERT that supports ``on_conflict_do_update``/``do_nothing`` on SQLite and PostgreSQL alike
    (atomic upserts for votes, reads and counters: never read-modify-write)."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def is_writing() -> bool:
    """Whether the current context already writes (its transaction holds SQLite's write lock)."""
    return _writing.get()


def side_write(statements: list[Any]) -> None:
    """Run a few bookkeeping writes (last seen, read position) from any request.

    In a page view they run in a short write transaction of their own, so the view's transaction stays a
    reader; if the database refuses the write just now (locked, full, read-only), the page is still shown
    and the bookkeeping waits for the next view. In a request that already writes, a second connection
    would wait for the lock this request holds, so they join the request's transaction instead (and commit
    with it, or fail with it).
    """
    from community.extensions import db

    if is_writing():
        for statement in statements:
            db.session.execute(statement)
        return
    try:
        with writing(), db.engine.begin() as conn:
            for statement in statements:
                conn.execute(statement)
    except exc.DBAPIError as error:
        if not refuses_writes(error):
            raise
        log.warning("bookkeeping write skipped (%s) [database: %s]", error.orig, database_label(db.engine))


_statements: dict[Hashable, Any] = {}


def prebuilt(key: Hashable, build: Callable[[], Any]) -> Any:
    """A statement built once per process and reused with bound parameters.

    Building a SQLAlchemy statement (joins, subqueries, the visibility filter) costs far more Python than
    running it: 290 us against 70 us for the bell's count. Statements on every page are built once, with
    ``bindparam`` where values change, and executed with those values. Statements are immutable, so sharing
    them between requests and threads is safe. ``key`` must name every choice ``build`` makes.
    """
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = build()
    return statement
