"""Telling a database that is down or refusing writes from a bug in our code.

A restarting PostgreSQL, a SQLite file whose write lock another process holds, a full or read-only disk: the
request cannot be served now but can be in a moment, and the member should be told so (503 with
``Retry-After``, see ``errors_views``). Everything else a driver raises (a missing table, a syntax error, a
broken constraint) is a bug and stays a 500. The decision is made on the driver's own error code (PostgreSQL's
SQLSTATE, SQLite's result code), never on the exception class alone: SQLite reports "no such table" as an
OperationalError too.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import exc

UNREACHABLE = "unreachable"  # no connection: the server is down, restarting, or the file can't be opened
BUSY = "busy"  # reachable, but a lock or a resource limit refused us for now
STORAGE = "storage"  # the database refuses every write: its disk is full or read-only

# Seconds a client is asked to wait (Retry-After): a restart or a lock passes quickly; a full disk needs a person.
RETRY_AFTER = {UNREACHABLE: 10, BUSY: 5, STORAGE: 60}

# PostgreSQL SQLSTATEs (class 08 is "connection exception" as a whole).
_POSTGRES_STATES = {
    "57P01": UNREACHABLE,  # admin_shutdown: the server is stopping or restarting
    "57P02": UNREACHABLE,  # crash_shutdown
    "57P03": UNREACHABLE,  # cannot_connect_now: "the database system is starting up"
    "53300": BUSY,  # too_many_connections
    "53200": BUSY,  # out_of_memory
    "55P03": BUSY,  # lock_not_available (a lock_timeout)
    "53100": STORAGE,  # disk_full
    "25006": STORAGE,  # read_only_sql_transaction: a standby, or default_transaction_read_only
}

# SQLite primary result codes (an extended code's low byte).
_SQLITE_CODES = {
    5: BUSY,  # SQLITE_BUSY: "database is locked"
    6: BUSY,  # SQLITE_LOCKED: "database table is locked"
    8: STORAGE,  # SQLITE_READONLY: "attempt to write a readonly database"
    10: STORAGE,  # SQLITE_IOERR: "disk I/O error"
    13: STORAGE,  # SQLITE_FULL: "database or disk is full"
    14: UNREACHABLE,  # SQLITE_CANTOPEN: "unable to open database file"
}
# For errors that carry no result code (raised by hand, or by an older sqlite3 module).
_SQLITE_MESSAGES = {
    "database is locked": BUSY,
    "database table is locked": BUSY,
    "attempt to write a readonly database": STORAGE,
    "disk i/o error": STORAGE,
    "database or disk is full": STORAGE,
    "unable to open database file": UNREACHABLE,
}


def database_failure(error: BaseException) -> str | None:
    """What kind of outage ``error`` is (UNREACHABLE, BUSY or STORAGE), or None when it is anything else."""
    if isinstance(error, exc.DisconnectionError):
        return UNREACHABLE
    if isinstance(error, exc.TimeoutError):  # every pooled connection is in use and none came back in time
        return BUSY
    if not isinstance(error, exc.DBAPIError):
        return None
    if error.connection_invalidated:  # the dialect recognised a lost connection
        return UNREACHABLE
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        return _sqlite_failure(orig)
    if type(orig).__module__.split(".")[0] == "psycopg":
        return _postgres_failure(error, orig)
    return None


def _sqlite_failure(orig: sqlite3.Error) -> str | None:
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_CODES.get(code & 0xFF)
    text = str(orig).lower()
    return next((kind for message, kind in _SQLITE_MESSAGES.items() if message in text), None)


def _postgres_failure(error: exc.DBAPIError, orig: Any) -> str | None:
    state = getattr(orig, "sqlstate", None)
    if state is None:
        # psycopg raises OperationalError without a SQLSTATE for the connection itself: refused, lost, closed.
        # Its InterfaceError without one is a connection closed under us, or a misuse of the API (a bug).
        if isinstance(error, exc.OperationalError):
            return UNREACHABLE
        if isinstance(error, exc.InterfaceError) and "connection" in str(orig).lower():
            return UNREACHABLE
        return None
    if state.startswith("08"):
        return UNREACHABLE
    return _POSTGRES_STATES.get(state)


def refuses_writes(error: BaseException) -> bool:
    """Whether ``error`` is a write the database refused for now (locked, full, read-only) rather than a bug."""
    return database_failure(error) in (BUSY, STORAGE)


def database_label(engine: Any) -> str:
    """The database as an operator knows it: the SQLite file's path, or the URL without its password."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return str(url.render_as_string(hide_password=True))
