"""The database restarts or refuses a write: members get a 503 they can act on, never a 500 or a dropped
connection, and a bug is still a bug (500).

Faults come from ``tests.faults``: the driver's own exceptions raised inside SQLAlchemy, on SQLite and on
PostgreSQL (``COMMUNITY_TEST_DATABASE_URL``). The SQLite-only tests take a real lock or make the file
read-only for real.
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
from typing import Any

import pytest
from sqlalchemy import event, exc, select

from community.database_failures import BUSY, STORAGE, UNREACHABLE, database_failure, database_label
from community.extensions import db
from community.models import Post, Topic
from tests.factories_boards import general_board, make_discussion
from tests.factories_groups import make_group
from tests.factories_security import assert_security_headers, page_text
from tests.faults import (
    empty_pool,
    failing_statements,
    kill_pooled_connections,
    read_only_database,
    refusing_connections,
)


@pytest.fixture
def topic(fran: Any, pat: Any) -> Topic:
    board = general_board(make_group(fran, "private", members=[pat], name="Cohort 7"))
    return make_discussion(pat, board, title="Feedback that lands", body="How do you give it?")


def _posts_in(topic_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Post.body).where(Post.topic_id == topic_id).order_by(Post.number)))


def _sqlite_only() -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own lock and read-only file (the fault-injected tests cover PostgreSQL)")


def _resend_fields(response: Any) -> dict[str, str]:
    """What the 503 page's "Send it again" form would send: its hidden fields and its text areas."""
    page = response.get_data(as_text=True)
    fields = {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" '
                                                                       r'value="([^"]*)">', page)}  # fmt: skip
    for name, value in re.findall(r'<textarea id="typed-\d+" name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[name] = html.unescape(value)
    return fields


# --------------------------------------------------------------------------------------------------
# The server is down or restarting


def test_pages_answer_503_with_retry_after_while_the_database_is_down(client, login, pat, topic):
    login(pat)
    url = f"/discussions/{topic.id}"
    with refusing_connections(db.engine) as refused:
        response = client.get(url)
    assert refused[0] >= 1
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    text = page_text(response)
    assert "Back in a moment" in text and "probably restarting" in text
    assert f'href="{url}"' in response.get_data(as_text=True)  # "Try again" comes back to the same page
    assert "Traceback" not in text and "OperationalError" not in text
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    # And as soon as it is back, so is the page.
    assert client.get(url).status_code == 200


def test_the_503_page_speaks_the_browsers_language_when_the_member_could_not_be_loaded(client, login, pat, topic):
    login(pat)
    url = f"/discussions/{topic.id}"
    with refusing_connections(db.engine):
        response = client.get(url, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 503
    assert 'lang="fr-FR"' in response.get_data(as_text=True)
    assert "De retour dans un instant" in page_text(response)


def test_a_connection_lost_mid_request_answers_in_the_members_language(client, login, pat, topic):
    pat.language = "fr"
    db.session.commit()
    login(pat)
    url = f"/discussions/{topic.id}"
    with failing_statements(db.engine, "lost", r"\bFROM topics\b") as failed:
        response = client.get(url)
    assert failed, "the fault did not fire"
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "De retour dans un instant" in page_text(response)


def test_api_clients_get_json_and_retry_after(client, login, pat, topic):
    login(pat)
    url = f"/discussions/{topic.id}"
    with refusing_connections(db.engine):
        response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.json["status"] == 503 and "restarting" in response.json["error"]


def test_pooled_connections_killed_by_a_restart_are_replaced_without_an_error(client, login, pat, topic):
    login(pat)
    topic_id = topic.id
    kill_pooled_connections(db.engine)
    assert client.get(f"/discussions/{topic_id}").status_code == 200
    kill_pooled_connections(db.engine)
    response = client.post(f"/discussions/{topic_id}/reply", data={"body": "After the restart"})
    assert response.status_code == 302
    assert _posts_in(topic_id) == ["How do you give it?", "After the restart"]


def test_a_reply_sent_while_the_database_is_down_keeps_the_text_and_can_be_sent_again(client, login, pat, topic):
    login(pat)
    topic_id = topic.id
    page = client.get(f"/discussions/{topic_id}").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    typed = "My <b>long</b> answer,\nwritten with care & kept."
    with refusing_connections(db.engine):
        response = client.post(f"/discussions/{topic_id}/reply", data={"body": typed, "submission_key": key})
    assert response.status_code == 503
    text = page_text(response)
    assert "Your text is not lost" in text and "browser's Back button" in text
    assert "Sending it twice is safe" in text
    assert "My <b>long</b> answer" not in response.get_data(as_text=True)  # shown as text, never as markup
    fields = _resend_fields(response)
    assert fields == {"body": typed, "submission_key": key}
    assert f'action="/discussions/{topic_id}/reply"' in response.get_data(as_text=True)
    assert _posts_in(topic_id) == ["How do you give it?"]
    # The database is back: "Send it again", twice (a double click), stores the reply once.
    assert client.post(f"/discussions/{topic_id}/reply", data=fields).status_code == 302
    again = client.post(f"/discussions/{topic_id}/reply", data=fields)
    assert again.status_code == 303
    assert _posts_in(topic_id) == ["How do you give it?", typed]


def test_a_sign_in_while_the_database_is_down_never_echoes_the_password(client, pat):
    with refusing_connections(db.engine):
        response = client.post("/signin", data={"login": "pat", "password": "correct horse battery staple"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "correct horse battery staple" not in page
    assert "Send it again" not in page  # only posting forms come back whole
    assert "browser's Back button: what you typed is still there" in page_text(response)


def test_an_edit_sent_while_the_database_is_down_shows_the_text_to_copy(client, login, pat, topic):
    login(pat)
    post_id = db.session.scalars(select(Post.id).where(Post.topic_id == topic.id)).one()
    with refusing_connections(db.engine):
        response = client.post(f"/posts/{post_id}/edit", data={"title": "Feedback", "body": "Edited words",
                                                                "revision": "0"})  # fmt: skip
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert re.search(r"<textarea [^>]*readonly>Edited words</textarea>", page)
    assert 'name="revision"' not in page and "Send it again" not in page


def test_the_page_is_still_an_answer_when_even_the_error_page_cannot_be_made(client, login, pat, topic, monkeypatch):
    login(pat)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("templates gone")

    url = f"/discussions/{topic.id}"
    monkeypatch.setattr(client.application.jinja_env, "get_template", broken)
    with refusing_connections(db.engine):
        response = client.get(url)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.mimetype == "text/plain"
    assert "restarting" in response.get_data(as_text=True)


# --------------------------------------------------------------------------------------------------
# A write refused: the lock not taken, the disk full or read-only


@pytest.mark.parametrize(("kind", "retry_after", "says"), [
    ("locked", "5", "very busy"),
    ("full", "60", "storage is full or read-only"),
    ("readonly", "60", "storage is full or read-only"),
])  # fmt: skip
def test_a_refused_write_is_a_503_that_keeps_the_text_and_logs_the_database(client, login, pat, topic, caplog,
                                                                            kind, retry_after, says):  # fmt: skip
    login(pat)
    topic_id = topic.id
    with caplog.at_level(logging.ERROR, "community.errors_views"), \
            failing_statements(db.engine, kind, r"^\s*INSERT INTO posts\b") as failed:  # fmt: skip
        response = client.post(f"/discussions/{topic_id}/reply", data={"body": "Kept, not lost"})
    assert failed, "the fault did not fire"
    assert response.status_code == 503
    assert response.headers["Retry-After"] == retry_after
    text = page_text(response)
    assert says in text and "Kept, not lost" in text
    assert database_label(db.engine) in caplog.text  # which database, for the operator
    assert f"POST /discussions/{topic_id}/reply" in caplog.text
    assert _posts_in(topic_id) == ["How do you give it?"]
    assert db.session.get(Topic, topic_id).reply_count == 0  # nothing half-written


def test_sqlite_write_lock_held_elsewhere_is_a_503_not_a_hang_or_a_500(client, login, pat, topic, monkeypatch):
    _sqlite_only()
    from community import database

    login(pat)
    topic_id = topic.id
    path = db.engine.url.database
    monkeypatch.setattr(database, "WRITE_LOCK_WAIT", 0.05)
    empty_pool(db.engine)

    def short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    event.listen(db.engine, "connect", short_wait)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        response = client.post(f"/discussions/{topic_id}/reply", data={"body": "Waiting my turn"})
        other.execute("ROLLBACK")
    finally:
        other.close()
        event.remove(db.engine, "connect", short_wait)
        empty_pool(db.engine)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Waiting my turn" in page_text(response)
    assert _posts_in(topic_id) == ["How do you give it?"]


def test_a_read_only_database_still_shows_pages_and_refuses_posts_with_a_503(client, login, pat, topic):
    login(pat)
    topic_id = topic.id
    with read_only_database(db.engine):
        # Reading the thread writes the read position: refused, skipped, and the page is still shown.
        page = client.get(f"/discussions/{topic_id}")
        response = client.post(f"/discussions/{topic_id}/reply", data={"body": "Nowhere to write"})
    assert page.status_code == 200
    assert "How do you give it?" in page_text(page)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "Nowhere to write" in page_text(response)
    assert _posts_in(topic_id) == ["How do you give it?"]


# --------------------------------------------------------------------------------------------------
# Precision: outages are 503s, bugs stay 500s


def _wrapped(orig: BaseException, cls: type[exc.DBAPIError] = exc.OperationalError, **kw: Any) -> exc.DBAPIError:
    return cls("SELECT 1", {}, orig, **kw)


def _psycopg_cases() -> list[Any]:
    try:
        import psycopg
        from psycopg import errors
    except ImportError:  # pragma: no cover - psycopg is a test dependency
        return []
    return [
        pytest.param(_wrapped(psycopg.OperationalError("connection failed: Connection refused")), UNREACHABLE,
                     id="pg-refused"),
        pytest.param(_wrapped(psycopg.OperationalError("consuming input failed: server closed the connection "
                                                       "unexpectedly")), UNREACHABLE, id="pg-lost"),
        pytest.param(_wrapped(errors.AdminShutdown("terminating connection due to administrator command")),
                     UNREACHABLE, id="pg-restart"),
        pytest.param(_wrapped(errors.CannotConnectNow("the database system is starting up")), UNREACHABLE,
                     id="pg-starting"),
        pytest.param(_wrapped(psycopg.InterfaceError("the connection is closed"), exc.InterfaceError), UNREACHABLE,
                     id="pg-closed"),
        pytest.param(_wrapped(errors.TooManyConnections("sorry, too many clients already")), BUSY, id="pg-full-pool"),
        pytest.param(_wrapped(errors.LockNotAvailable("could not obtain lock")), BUSY, id="pg-lock"),
        pytest.param(_wrapped(errors.DiskFull("No space left on device")), STORAGE, id="pg-disk-full"),
        pytest.param(_wrapped(errors.ReadOnlySqlTransaction("read-only transaction"), exc.InternalError), STORAGE,
                     id="pg-read-only"),
        # Bugs and slow queries: not outages.
        pytest.param(_wrapped(errors.UndefinedTable('relation "nothing" does not exist'), exc.ProgrammingError),
                     None, id="pg-missing-table"),
        pytest.param(_wrapped(errors.SyntaxError("syntax error at or near"), exc.ProgrammingError), None,
                     id="pg-syntax"),
        pytest.param(_wrapped(errors.UniqueViolation("duplicate key"), exc.IntegrityError), None, id="pg-unique"),
        pytest.param(_wrapped(errors.QueryCanceled("canceling statement due to statement timeout")), None,
                     id="pg-statement-timeout"),
        pytest.param(_wrapped(errors.DeadlockDetected("deadlock detected")), None, id="pg-deadlock"),
        pytest.param(_wrapped(psycopg.InterfaceError("the cursor is closed"), exc.InterfaceError), None,
                     id="pg-cursor-misuse"),
    ]  # fmt: skip


@pytest.mark.parametrize(("error", "expected"), [
    pytest.param(_wrapped(sqlite3.OperationalError("database is locked")), BUSY, id="sqlite-locked"),
    pytest.param(_wrapped(sqlite3.OperationalError("attempt to write a readonly database")), STORAGE,
                 id="sqlite-read-only"),
    pytest.param(_wrapped(sqlite3.OperationalError("database or disk is full")), STORAGE, id="sqlite-full"),
    pytest.param(_wrapped(sqlite3.OperationalError("disk I/O error")), STORAGE, id="sqlite-io"),
    pytest.param(_wrapped(sqlite3.OperationalError("unable to open database file")), UNREACHABLE,
                 id="sqlite-cant-open"),
    pytest.param(_wrapped(sqlite3.ProgrammingError("Cannot operate on a closed database."), exc.ProgrammingError,
                          connection_invalidated=True), UNREACHABLE, id="sqlite-closed"),
    pytest.param(exc.DisconnectionError("stale"), UNREACHABLE, id="disconnection"),
    pytest.param(exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"), BUSY, id="pool-timeout"),
    # SQLite says "OperationalError" for bugs too: these are 500s.
    pytest.param(_wrapped(sqlite3.OperationalError("no such table: nothing")), None, id="sqlite-missing-table"),
    pytest.param(_wrapped(sqlite3.OperationalError("no such column: nope")), None, id="sqlite-missing-column"),
    pytest.param(_wrapped(sqlite3.OperationalError('near "SELEC": syntax error')), None, id="sqlite-syntax"),
    pytest.param(_wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), exc.IntegrityError), None,
                 id="sqlite-unique"),
    pytest.param(exc.ArgumentError("bad argument"), None, id="not-a-driver-error"),
    pytest.param(RuntimeError("boom"), None, id="not-a-database-error"),
    *_psycopg_cases(),
])  # fmt: skip
def test_outages_are_told_apart_from_bugs(error, expected):
    assert database_failure(error) == expected


def test_sqlite_result_codes_decide_when_the_driver_gives_them():
    conn = sqlite3.connect(":memory:")
    try:
        with pytest.raises(sqlite3.OperationalError) as missing:
            conn.execute("SELECT * FROM nothing")
        conn.execute("PRAGMA query_only=1")
        with pytest.raises(sqlite3.OperationalError) as read_only:
            conn.execute("CREATE TABLE t (x)")
    finally:
        conn.close()
    assert database_failure(_wrapped(missing.value)) is None
    assert database_failure(_wrapped(read_only.value)) == STORAGE


@pytest.mark.parametrize("error", [
    lambda: sqlite3.OperationalError("no such table: nothing"),
    lambda: sqlite3.IntegrityError("UNIQUE constraint failed: posts.id"),
])  # fmt: skip
def test_a_database_bug_is_still_a_500(client, login, pat, topic, monkeypatch, error):
    login(pat)
    monkeypatch.setitem(client.application.config, "RENDER_500_IN_TESTS", True)
    from tests import faults

    monkeypatch.setitem(faults.SQLITE_ERRORS, "bug", error)
    if db.engine.dialect.name == "postgresql":
        from psycopg import errors

        monkeypatch.setattr(faults, "_postgres_errors", lambda: {"bug": lambda: errors.UndefinedTable("no such")})
    url = f"/discussions/{topic.id}"
    with failing_statements(db.engine, "bug", r"\bFROM topics\b"):
        response = client.get(url)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "Something went wrong" in page_text(response)
