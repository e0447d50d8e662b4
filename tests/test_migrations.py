"""The Alembic migrations build exactly the schema the models describe (SQLite, and PostgreSQL when set).

Each run starts from an empty database: a new SQLite file, or a throw-away PostgreSQL schema selected
through ``search_path`` (so the suite's own tables in ``public`` are never touched) and dropped after.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from community.cli import migrate_database
from community.extensions import db
from tests.factories_security import fresh_app

PG_ENV = "COMMUNITY_TEST_DATABASE_URL"
# Full-text search keeps its index in tables of its own (FTS5 on SQLite, a tsvector table on PostgreSQL),
# made by DDL in community.search rather than by models: they are not part of this comparison.
NON_MODEL_TABLE_PREFIX = "search_"


def _include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    if type_ == "table" and name and name.startswith(NON_MODEL_TABLE_PREFIX):
        return name in db.metadata.tables
    # The members' word index on PostgreSQL is DDL of the search package too.
    return not (type_ == "index" and name and name.startswith(NON_MODEL_TABLE_PREFIX))


def _migrated_differences(root: Path, url: str) -> tuple[list[object], set[str]]:
    """Run every migration on ``url`` in a fresh app; return (differences from the models, tables)."""
    with fresh_app(root, DATABASE_URL=url) as app, app.app_context():
        # fresh_app created the tables for its other users; a migration test starts from nothing.
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        migrate_database()
        with db.engine.connect() as conn:
            opts = {"compare_type": True, "include_name": _include_name}
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
    return diff, tables


def _describe(diff: list[object]) -> str:
    return "\n".join(repr(d) for d in diff)


def test_migrations_on_an_empty_sqlite_file_match_the_models(tmp_path):
    # Alembic's logging.fileConfig would silence the app's loggers (crashes would go unlogged): it mustn't.
    for name in ("community.errors_views", "community.mail"):
        logging.getLogger(name).disabled = False
    diff, tables = _migrated_differences(tmp_path, f"sqlite:///{tmp_path / 'migrated.db'}")
    assert not logging.getLogger("community.errors_views").disabled
    assert not logging.getLogger("community.mail").disabled
    assert "alembic_version" in tables
    assert diff == [], "the migrations differ from the models:\n" + _describe(diff)


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections use a new, empty schema (dropped afterwards)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip("no PostgreSQL (set COMMUNITY_TEST_DATABASE_URL)")
    schema = f"migtest_{secrets.token_hex(4)}"
    admin_url = base.replace("postgresql://", "postgresql+psycopg://", 1) if base.startswith("postgresql://") else base
    engine = create_engine(admin_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.mark.postgres
def test_migrations_on_an_empty_postgresql_schema_match_the_models(tmp_path, pg_schema_url):
    diff, tables = _migrated_differences(tmp_path, pg_schema_url)
    assert "alembic_version" in tables
    assert diff == [], "the migrations differ from the models:\n" + _describe(diff)


def test_the_migrations_alone_build_the_member_search_and_fill_it(tmp_path):
    """Without `community init`'s idempotent DDL pass: the migration itself creates and fills the index."""
    from flask_migrate import upgrade

    with fresh_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'alone.db'}") as app, app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="1f331e7acc8d")
        # A member written at that revision, by SQL: today's model has columns that schema doesn't yet.
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (email, handle, display_name, role, state, headline, bio, bio_html, organisation,"
                " programme, created_at, suspension_reason, post_count, preferences) VALUES ('lou@example.org',"
                " 'lou', 'Lou Lovelace', 'participant', 'active', '', '', '', '', '', '2026-12-01 10:00:00', '', 0,"
                " '{}')"
            ))
        upgrade()
        with db.engine.begin() as conn:
            names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
            assert {"search_members", "search_members_insert", "search_members_update"} <= names
            find = text("SELECT rowid FROM search_members WHERE search_members MATCH :q")
            lou = conn.execute(text("SELECT id FROM users WHERE handle = 'lou'")).scalar_one()
            assert conn.execute(find, {"q": '"lov"*'}).scalars().all() == [lou]  # the member already there
            conn.execute(text("UPDATE users SET display_name = 'Lou Hopper' WHERE id = :id"), {"id": lou})
            assert conn.execute(find, {"q": '"lov"*'}).scalars().all() == []
            assert conn.execute(find, {"q": '"hop"*'}).scalars().all() == [lou]


def test_the_outbox_migration_gives_waiting_mail_its_message_id_and_goes_back_down(tmp_path):
    """Mail queued before the revision keeps waiting, with a Message-ID it keeps from then on."""
    from flask_migrate import downgrade, upgrade

    with fresh_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'outbox.db'}") as app, app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="c3d8f1a2b4e6")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO outbox_messages (to_addr, subject, body_text, headers, created_at, attempts,"
                " next_attempt_at, last_error) VALUES ('ann@example.org', 'Hello', 'Body', '{}',"
                " '2026-12-01 10:00:00', 2, '2026-12-01 10:05:00', 'SMTPConnectError: try later')"
            ))
        upgrade()
        with db.engine.begin() as conn:
            waiting = conn.execute(text("SELECT message_id, deferrals, failed_at, claimed_by, attempts"
                                        " FROM outbox_messages")).one()  # fmt: skip
        assert tuple(waiting) == ("<outbox.1@community.invalid>", 0, None, None, 2)
        assert not next(c for c in inspect(db.engine).get_columns("outbox_messages")
                        if c["name"] == "message_id")["nullable"]  # fmt: skip
        downgrade(revision="c3d8f1a2b4e6")
        columns = {c["name"] for c in inspect(db.engine).get_columns("outbox_messages")}
        assert "message_id" not in columns and "claimed_until" in columns
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT to_addr FROM outbox_messages")).scalars().all() == ["ann@example.org"]


def _topic_insert(kind: str) -> Any:
    return text(
        "INSERT INTO topics (kind, author_id, title, status, created_at, last_activity_at, post_counter,"
        f" reply_count, view_count, score, like_count, pinned, locked, featured) VALUES ('{kind}', 1, 'T',"
        " 'published', '2026-12-01 10:00:00', '2026-12-01 10:00:00', 0, 0, 0, 0, 0, false, false, false)"
    )


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_talk_kinds_migration_widens_the_kind_check_keeps_the_rows_and_goes_back_down(tmp_path, engine, request):
    """Topics written before stay; the three new kinds are accepted after it, an unknown kind still isn't; down
    removes the new kinds' topics and narrows the check again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy.exc import IntegrityError

    url = (request.getfixturevalue("pg_schema_url") if engine == "postgresql"
           else f"sqlite:///{tmp_path / 'kinds.db'}")  # fmt: skip
    with fresh_app(tmp_path, DATABASE_URL=url) as app, app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="e7b3d9a1c2f4")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (email, handle, display_name, role, state, headline, bio, bio_html, organisation,"
                " programme, created_at, suspension_reason, post_count, preferences, language, timezone,"
                " unsubscribe_epoch) VALUES ('lou@example.org', 'lou', 'Lou Lovelace', 'participant', 'active',"
                " '', '', '', '', '', '2026-12-01 10:00:00', '', 0, '{}', '', '', 0)"
            ))
            conn.execute(_topic_insert("discussion"))
        for kind in ("event", "bogus"):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                conn.execute(_topic_insert(kind))
        upgrade()
        with db.engine.begin() as conn:
            for kind in ("conversation", "announcement", "event"):
                conn.execute(_topic_insert(kind))
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(_topic_insert("bogus"))
        with db.engine.begin() as conn:
            kinds = conn.execute(text("SELECT kind FROM topics ORDER BY id")).scalars().all()
        assert kinds == ["discussion", "conversation", "announcement", "event"]
        downgrade(revision="e7b3d9a1c2f4")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT kind FROM topics")).scalars().all() == ["discussion"]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(_topic_insert("event"))
