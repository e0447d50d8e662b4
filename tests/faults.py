"""Fault injection for the database, on SQLite and PostgreSQL alike.

Each fault raises the driver's *own* exception (sqlite3's or psycopg's) from inside SQLAlchemy, so it is
wrapped exactly as a real one is (``sqlalchemy.exc.OperationalError`` around ``sqlite3.OperationalError``
"database is locked", around psycopg's "connection refused", ...). Every fault is a context manager that
takes its hooks out again, whatever the test did.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from community.models import Post

# What each kind of outage looks like, as each driver reports it.
SQLITE_ERRORS = {
    "refused": lambda: sqlite3.OperationalError("unable to open database file"),
    "lost": lambda: sqlite3.OperationalError("unable to open database file"),
    "locked": lambda: sqlite3.OperationalError("database is locked"),
    "readonly": lambda: sqlite3.OperationalError("attempt to write a readonly database"),
    "full": lambda: sqlite3.OperationalError("database or disk is full"),
}


def _postgres_errors() -> dict[str, Any]:
    import psycopg
    from psycopg import errors

    refused = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    return {
        "refused": lambda: psycopg.OperationalError(refused),
        "lost": lambda: errors.AdminShutdown("terminating connection due to administrator command"),
        "locked": lambda: errors.LockNotAvailable('could not obtain lock on relation "posts"'),
        "readonly": lambda: errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"),
        "full": lambda: errors.DiskFull('could not extend file "base/16384/16400": No space left on device'),
    }


def empty_pool(engine: Engine) -> None:
    """Close every pooled connection. The test's own session gives its connection back first: one still
    checked out would go back to the discarded pool and be dropped unclosed."""
    from community.extensions import db

    db.session.commit()
    engine.dispose()


def driver_error(engine: Engine, kind: str) -> Exception:
    """The exception the engine's driver raises for this kind of outage."""
    table = _postgres_errors() if engine.dialect.name == "postgresql" else SQLITE_ERRORS
    return table[kind]()


@contextmanager
def refusing_connections(engine: Engine, times: int | None = None) -> Iterator[list[int]]:
    """The database server is down: the pool is emptied and new connections fail (``times`` of them, or
    every one until the block ends). Yields a one-item list counting the refusals."""
    empty_pool(engine)
    refused = [0]

    def connect(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if times is None or refused[0] < times:
            refused[0] += 1
            raise driver_error(engine, "refused")

    event.listen(engine, "do_connect", connect)
    try:
        yield refused
    finally:
        event.remove(engine, "do_connect", connect)


@contextmanager
def failing_statements(engine: Engine, kind: str, pattern: str, times: int = 1) -> Iterator[list[str]]:
    """The next ``times`` statements matching ``pattern`` (a regular expression, e.g. ``^INSERT INTO posts``)
    fail with the driver's error for ``kind``: a write lock not taken, a full disk, a connection lost
    mid-request. Yields the statements that failed."""
    matcher = re.compile(pattern, re.I)
    failed: list[str] = []

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if len(failed) < times and matcher.search(statement):
            failed.append(statement)
            raise driver_error(engine, kind)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield failed
    finally:
        event.remove(engine, "before_cursor_execute", fail)


@contextmanager
def losing_the_connection_after_a_post_is_committed(engine: Engine) -> Iterator[list[str]]:
    """The post is committed, then the connection drops before the answer goes out: the first statement
    after a commit that stored a post fails as a lost connection does. Yields the statements that failed."""
    armed = [False]
    failed: list[str] = []

    def flushed(session: Session, _context: Any) -> None:
        if any(isinstance(obj, Post) for obj in session.new):
            session.info["stored_post"] = True

    def committed(session: Session) -> None:
        if session.info.pop("stored_post", False) and not failed:
            armed[0] = True

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if armed[0]:
            armed[0] = False
            failed.append(statement)
            raise driver_error(engine, "lost")

    event.listen(Session, "after_flush", flushed)
    event.listen(Session, "after_commit", committed)
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield failed
    finally:
        event.remove(Session, "after_flush", flushed)
        event.remove(Session, "after_commit", committed)
        event.remove(engine, "before_cursor_execute", fail)


@contextmanager
def read_only_database(engine: Engine) -> Iterator[Engine]:
    """Every new connection refuses writes, for real: SQLite's ``query_only``, PostgreSQL's read-only
    default transaction (as on a standby). Reads still work."""

    def read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()
        else:
            cursor.execute("PRAGMA query_only=1")
        cursor.close()

    empty_pool(engine)
    event.listen(engine, "connect", read_only)
    try:
        yield engine
    finally:
        event.remove(engine, "connect", read_only)
        empty_pool(engine)


ALIVE = text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(CAST(:pids AS int[]))")


def kill_pooled_connections(engine: Engine, count: int = 3) -> None:
    """Every connection in the pool dies under it, as when the database server restarts: PostgreSQL ends
    their backends (pg_terminate_backend), SQLite's are closed. The pool doesn't know until it uses them."""
    empty_pool(engine)
    connections = [engine.connect() for _ in range(count)]
    raw = [c.connection.dbapi_connection for c in connections]
    for connection in connections:
        connection.close()  # back into the pool, which now holds exactly these
    if engine.dialect.name != "postgresql":
        for dbapi_connection in raw:
            dbapi_connection.close()  # type: ignore[union-attr]
        return
    pids = [dbapi_connection.info.backend_pid for dbapi_connection in raw]  # type: ignore[union-attr]
    admin = create_engine(engine.url, poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                         {"pids": pids})  # fmt: skip
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the backends exit just after the signal
                alive = conn.execute(ALIVE, {"pids": pids}).scalar()
                if not alive:
                    break
                time.sleep(0.02)
    finally:
        admin.dispose()
