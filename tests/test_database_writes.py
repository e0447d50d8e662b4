"""SQLite writers queue on a file lock beside the database: held for a write transaction, and only then."""

import fcntl
import os
import threading

from sqlalchemy import text

from community.database import is_writing, writing
from community.extensions import db
from tests.factories_security import fresh_app


def _lock_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_the_write_lock_is_held_by_write_transactions_only(tmp_path):
    with fresh_app(tmp_path) as app, app.app_context():
        lock = f"{db.engine.url.database}-writelock"
        with db.engine.begin() as conn:  # a reader: no lock
            conn.execute(text("SELECT 1"))
            assert _lock_is_free(lock)
        with writing():
            with db.engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x INTEGER)"))
                assert not _lock_is_free(lock)
            assert _lock_is_free(lock)  # released at commit
            conn = db.engine.connect()
            conn.begin()
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert not _lock_is_free(lock)
            conn.rollback()
            assert _lock_is_free(lock)  # and at rollback
            conn.begin()
            conn.close()  # back to the pool with the transaction open
            assert _lock_is_free(lock)


def test_a_second_writer_waits_for_the_first_and_then_writes(tmp_path):
    with fresh_app(tmp_path) as app, app.app_context():
        with writing(), db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        done = threading.Event()

        def second() -> None:
            with app.app_context(), writing(), db.engine.begin() as other:
                other.execute(text("INSERT INTO t VALUES (2)"))
            done.set()

        with writing(), db.engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            thread = threading.Thread(target=second)
            thread.start()
            assert not done.wait(0.2)  # it queues behind this transaction
        thread.join(10)
        assert done.is_set()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 2]


def test_a_post_request_does_not_leave_its_context_writing(tmp_path):
    """The write mark of a POST ends with the request: code that goes on in the same context (a thread's next
    work, a test) reads without taking SQLite's write lock (it made a later test's own connection wait and
    fail with "database is locked")."""
    with fresh_app(tmp_path) as app:
        client = app.test_client()  # a plain client: the request runs in this very context
        assert client.post("/signin", data={"login": "nobody", "password": "x"}).status_code in (200, 400)
        assert is_writing() is False
