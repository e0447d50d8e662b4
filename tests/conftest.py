"""Fixtures: one app per test session, a clean database per test, personas, login, query counting.

Set ``COMMUNITY_TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) to run the
whole suite against PostgreSQL; by default it runs on a temporary SQLite file.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from community import create_app
from community.extensions import db as _db
from community.models import User, utcnow
from community.services.accounts import start_session
from config import TestConfig
from tests import factories

PG_URL_ENV = "COMMUNITY_TEST_DATABASE_URL"
# Set (e.g. redis://127.0.0.1:6379/15) to keep rate limits in Redis for the whole suite, as production does.
REDIS_URL_ENV = "COMMUNITY_TEST_REDIS_URL"


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context and DB session.

    Without this, Flask reuses the test's app context for the request, sharing ``g`` and the SQLAlchemy
    identity map, which hides missing eager loads and makes query counts lie. After each request the
    test's session is expired, so the test reads what the request stored.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # End the test's own transaction on both sides of the request: the request sees what the test
        # stored, and the test's next read starts a fresh snapshot (SQLite's WAL readers keep the snapshot
        # they began with, so a read transaction left open would not see what the request wrote).
        _db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        _db.session.commit()
        _db.session.expire_all()
        return response


def _database_url() -> str | None:
    """The PostgreSQL URL to test against, if any: one database per pytest-xdist worker (created on demand),
    so parallel workers never wipe each other's tables."""
    base = os.environ.get(PG_URL_ENV)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"{url.database}_{worker}"
    admin = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("community")
    url = _database_url() or f"sqlite:///{root / 'test.db'}"
    redis_url = os.environ.get(REDIS_URL_ENV) or None
    # Each xdist worker keeps its limits under its own prefix in the shared Redis: resetting them (the
    # rate_limits fixture) must not wipe another worker's counts.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    limits_options = {"key_prefix": f"LIMITS-{worker}"} if redis_url else {}
    app = create_app(TestConfig, instance_path=str(root / "instance"), DATABASE_URL=url,
                     UPLOAD_FOLDER=str(root / "uploads"),
                     REDIS_URL=redis_url, RATELIMIT_STORAGE_OPTIONS=limits_options)  # fmt: skip
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(app: Flask) -> Iterator[Any]:
    """An app context for the test and empty tables after it."""
    with app.app_context():
        yield _db
        _db.session.remove()
        _wipe()


def _wipe() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], User]:
    """Sign a member in on ``client`` (through a real session row, as the sign-in view does)."""

    def do(user: User) -> User:
        token = start_session(user)
        # Mark the member as just seen, so the first request doesn't write (query counts stay exact).
        user.last_seen_at = utcnow()
        _db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return user

    return do


@pytest.fixture
def logout(client: FlaskClient) -> Callable[[], None]:
    def do() -> None:
        with client.session_transaction() as session:
            session.clear()

    return do


# Personas ------------------------------------------------------------------------------------------


@pytest.fixture
def admin() -> User:
    # "admin" itself is a reserved handle (nobody may pose as the admin), so the persona is @ada.
    return factories.make_user("ada", role="admin", display_name="Ada Admin")


@pytest.fixture
def fran() -> User:
    """A facilitator (community role)."""
    return factories.make_user("fran", role="facilitator", display_name="Fran Facilitator")


@pytest.fixture
def pat() -> User:
    """A participant."""
    return factories.make_user("pat", display_name="Pat Participant")


@pytest.fixture
def sam() -> User:
    """Another participant."""
    return factories.make_user("sam", display_name="Sam Peer")


@pytest.fixture
def mallory() -> User:
    """An ill-intentioned participant outside the groups under test."""
    return factories.make_user("mallory", display_name="Mallory Mischief")


@pytest.fixture
def suspended() -> User:
    return factories.make_user("susie", state="suspended", display_name="Susie Suspended")


@pytest.fixture
def pending() -> User:
    return factories.make_user("penny", state="pending", display_name="Penny Pending")


# Query counting (Zulip-style exact counts, printing the SQL on failure) -----------------------------

_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)


@contextmanager
def _recording() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


@pytest.fixture
def assert_queries(app: Flask) -> Callable[[int], Any]:
    @contextmanager
    def check(expected: int) -> Iterator[list[str]]:
        with _recording() as seen:
            yield seen
        assert len(seen) == expected, f"{len(seen)} queries, expected {expected}:\n\n" + "\n\n".join(seen)

    return check


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Count the queries of a block without asserting (for comparing two data sizes)."""
    return _recording


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """CSRF protection switched on for the test."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield app
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def rate_limits(app: Flask) -> Iterator[Flask]:
    """Rate limits switched on (and reset) for the test."""
    from community.extensions import limiter

    limiter.reset()
    app.config["RATELIMIT_ENABLED"] = True
    limiter.enabled = True
    try:
        yield app
    finally:
        limiter.reset()
        app.config["RATELIMIT_ENABLED"] = False
        limiter.enabled = False


@pytest.fixture
def outbox(app: Flask) -> Any:
    """The outbox folder (mail without SMTP), emptied first."""
    from pathlib import Path

    folder = Path(app.instance_path) / "outbox"
    for old in folder.glob("*.eml"):
        old.unlink()
    return folder
