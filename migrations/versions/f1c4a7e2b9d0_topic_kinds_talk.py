"""topics: three more kinds, for private conversations, announcements and events

A conversation's messages, an announcement's text and an event's description are Posts in a Topic, so markup,
mentions, reactions, reports, search and notifications work on them unchanged. Only the CHECK constraint on
topics.kind changes (no rows do).

SQLite can't alter a CHECK constraint, and rebuilding ``topics`` (a batch) would cascade through every post
with foreign keys on. The table's CREATE statement is edited in place instead, the way SQLite documents for
schema changes that don't touch stored data ("Making Other Kinds Of Table Schema Changes" in its ALTER TABLE
page): writable_schema, the new text, schema_version bumped so every connection reloads it, then an
integrity check. PostgreSQL drops and recreates the constraint.

Revision ID: f1c4a7e2b9d0
Revises: e7b3d9a1c2f4
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
from sqlalchemy import text

revision = 'f1c4a7e2b9d0'
down_revision = 'e7b3d9a1c2f4'
branch_labels = None
depends_on = None

OLD = "kind IN ('discussion', 'blog', 'question')"
NEW = "kind IN ('discussion', 'blog', 'question', 'conversation', 'announcement', 'event')"


def _sqlite_replace(old: str, new: str) -> None:
    conn = op.get_bind()
    sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'topics'")).scalar()
    if old not in sql:
        raise RuntimeError(f"topics' CHECK constraint is not the expected {old!r}")
    version = conn.execute(text("PRAGMA schema_version")).scalar()
    conn.execute(text("PRAGMA writable_schema = ON"))
    conn.execute(text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'topics'"),
                 {"sql": sql.replace(old, new)})
    conn.execute(text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(text("PRAGMA writable_schema = OFF"))
    problems = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"integrity check after editing topics: {problems}")


def _change(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace(old, new)
    else:
        op.drop_constraint(op.f('ck_topics_kind'), 'topics', type_='check')
        op.create_check_constraint(op.f('ck_topics_kind'), 'topics', new)


def upgrade():
    _change(OLD, NEW)


def downgrade():
    # The new kinds can't be represented before this revision: their topics (and, by cascade, posts) go.
    op.execute("DELETE FROM topics WHERE kind IN ('conversation', 'announcement', 'event')")
    _change(NEW, OLD)
