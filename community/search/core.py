"""Full-text search behind one function family: SQLite FTS5 by default, PostgreSQL tsvector in production.

One search document per live Post (its topic's title on opening posts) is kept in step by receivers of the
content signals (``community.events``), inside the writing service's own transaction. The index is only a
way to find candidate posts: every query joins Topic and Post and applies the rules of ``permissions.visible_posts``, so
nothing hidden, deleted, pending, drafted or in another member's private group is ever returned or counted,
even when a document is stale (a topic moved to another group, say).

The member's text never reaches the query language: it is cut into word tokens, each quoted, so quotes,
``NEAR(``, ``*``, ``%``, backslashes and AND/OR/NOT are only words. The DDL lives outside the models
(FTS5 virtual tables can't be declared there); ``ensure_search_schema`` creates it, idempotently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, column, delete, func, literal_column, select, table, text
from sqlalchemy.orm import joinedload

from community import events
from community.extensions import db
from community.models import PRIVATE_KINDS, Post, Topic
from community.permissions import live_posts, visible_topics

SQLITE_TABLE = "search_index"
PG_TABLE = "search_documents"
PG_CONFIG = "english"
MAX_TERMS = 12
MAX_TERM_CHARS = 40
TITLE_WEIGHT = 8.0
# Small words that would match nearly everything (and that PostgreSQL drops anyway): left out of queries.
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "had", "has",
    "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "so",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "what",
    "when", "where", "which", "who", "why", "will", "with", "you", "your",
))  # fmt: skip

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5("
    "title, body, topic_id UNINDEXED, kind UNINDEXED, post_kind UNINDEXED, group_id UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    # Hard deletes (a topic or member removed for good) take their documents with them, as the
    # foreign key does on PostgreSQL.
    "CREATE TRIGGER IF NOT EXISTS search_index_posts_delete AFTER DELETE ON posts BEGIN "
    "DELETE FROM search_index WHERE rowid = old.id; END",
)
# Members are found by the start of any word of their name, handle or headline ("lov" finds Ada Lovelace).
# SQLite: an FTS5 table kept in step with the users table by triggers, so every way a member is written
# (services, bulk loads, the admin) updates it. PostgreSQL: a GIN index on the same words, no table at all.
MEMBERS_TABLE = "search_members"
SQLITE_MEMBERS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_members USING fts5("
    "name, handle, headline, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_members_insert AFTER INSERT ON users BEGIN "
    "INSERT INTO search_members (rowid, name, handle, headline) "
    "VALUES (new.id, new.display_name, new.handle, coalesce(new.headline, '')); END",
    "CREATE TRIGGER IF NOT EXISTS search_members_update AFTER UPDATE OF display_name, handle, headline "
    "ON users BEGIN DELETE FROM search_members WHERE rowid = old.id; "
    "INSERT INTO search_members (rowid, name, handle, headline) "
    "VALUES (new.id, new.display_name, new.handle, coalesce(new.headline, '')); END",
    "CREATE TRIGGER IF NOT EXISTS search_members_delete AFTER DELETE ON users BEGIN "
    "DELETE FROM search_members WHERE rowid = old.id; END",
    # Members written before the triggers existed (an older database, a table rebuilt by a migration).
    "INSERT INTO search_members (rowid, name, handle, headline) "
    "SELECT id, display_name, handle, coalesce(headline, '') FROM users "
    "WHERE id NOT IN (SELECT rowid FROM search_members)",
)
PG_MEMBER_WORDS = "to_tsvector('simple', display_name || ' ' || handle || ' ' || coalesce(headline, ''))"
PG_MEMBERS_DDL = (f"CREATE INDEX IF NOT EXISTS {MEMBERS_TABLE}_words ON users USING GIN ({PG_MEMBER_WORDS})",)
PG_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PG_TABLE} ("
    "post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE, "
    "topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE, "
    "kind VARCHAR(12) NOT NULL, post_kind VARCHAR(10) NOT NULL, group_id INTEGER, "
    "title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', "
    f"document TSVECTOR GENERATED ALWAYS AS (setweight(to_tsvector('{PG_CONFIG}', title), 'A') || "
    f"setweight(to_tsvector('{PG_CONFIG}', body), 'B')) STORED)",
    f"CREATE INDEX IF NOT EXISTS ix_{PG_TABLE}_document ON {PG_TABLE} USING GIN (document)",
    f"CREATE INDEX IF NOT EXISTS ix_{PG_TABLE}_topic_id ON {PG_TABLE} (topic_id)",
)
DROP_DDL = {
    "sqlite": (
        f"DROP TRIGGER IF EXISTS {SQLITE_TABLE}_posts_delete", f"DROP TABLE IF EXISTS {SQLITE_TABLE}",
        *(f"DROP TRIGGER IF EXISTS {MEMBERS_TABLE}_{event}" for event in ("insert", "update", "delete")),
        f"DROP TABLE IF EXISTS {MEMBERS_TABLE}",
    ),
    "postgresql": (f"DROP TABLE IF EXISTS {PG_TABLE}", f"DROP INDEX IF EXISTS {MEMBERS_TABLE}_words"),
}


def ensure_search_schema(connection: Connection) -> None:
    """Create the search index for the connection's database if it is missing (safe to run again)."""
    postgres = connection.dialect.name == "postgresql"
    statements = PG_DDL + PG_MEMBERS_DDL if postgres else SQLITE_DDL + SQLITE_MEMBERS_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_schema(connection: Connection) -> None:
    """Drop the search index (before the tables it points at are dropped)."""
    for statement in DROP_DDL.get(connection.dialect.name, DROP_DDL["sqlite"]):
        connection.exec_driver_sql(statement)


def _after_create(_target: Any, connection: Connection, **_kw: Any) -> None:
    ensure_search_schema(connection)


def _before_drop(_target: Any, connection: Connection, **_kw: Any) -> None:
    drop_search_schema(connection)


db.event.listen(db.metadata, "after_create", _after_create)
db.event.listen(db.metadata, "before_drop", _before_drop)


# --------------------------------------------------------------------------------------------------
# The member's words, made safe


def query_terms(raw: str | None) -> list[str]:
    """The words of a member's query: letters and digits only, lower-case, de-duplicated, capped; small
    words ("how", "the") are dropped unless they are all there is."""
    if not raw:
        return []
    words: list[str] = []
    for word in re.findall(r"[^\W_]+", raw[:4000].lower()):
        word = word[:MAX_TERM_CHARS]
        if word not in words:
            words.append(word)
    terms = [w for w in words if w not in STOPWORDS] or words
    return terms[:MAX_TERMS]


def _fts5_query(terms: Sequence[str], any_word: bool, prefix_last: bool) -> str:
    quoted = [f'"{t}"' for t in terms]  # tokens hold no quote: each is a plain FTS5 string
    if prefix_last:
        quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


def _pg_query(terms: Sequence[str], any_word: bool, prefix_last: bool) -> str:
    quoted = [f"'{t}'" for t in terms]  # tokens hold no quote or backslash: each is one tsquery lexeme
    if prefix_last:
        quoted[-1] += ":*"
    return (" | " if any_word else " & ").join(quoted)


# --------------------------------------------------------------------------------------------------
# Searching


@dataclass
class SearchHit:
    """A topic that matched, the best-matching post in it, and its rank (higher is better)."""

    topic: Topic
    post_id: int
    rank: float


def _matches(dialect: str, terms: Sequence[str], any_word: bool, prefix_last: bool) -> Any:
    """A selectable of (post_id, rank) for the posts whose document matches."""
    if dialect == "postgresql":
        docs = table(PG_TABLE, column("post_id"), column("document"))
        tsquery = func.to_tsquery(text(f"'{PG_CONFIG}'::regconfig"), _pg_query(terms, any_word, prefix_last))
        return (
            select(docs.c.post_id.label("post_id"), func.ts_rank(docs.c.document, tsquery).label("rank"))
            .where(docs.c.document.op("@@")(tsquery))
            .subquery("matches")
        )
    fts = table(SQLITE_TABLE, column("rowid"))
    # bm25 is "lower is better": negate it so both engines rank higher-is-better.
    rank = -func.bm25(literal_column(SQLITE_TABLE), TITLE_WEIGHT, 1.0)
    return (
        select(fts.c.rowid.label("post_id"), rank.label("rank"))
        .where(literal_column(SQLITE_TABLE).op("MATCH")(_fts5_query(terms, any_word, prefix_last)))
        .subquery("matches")
    )


def ranked_topics(user: Any, query: str | None, *, kinds: Sequence[str] | None, group_id: int | None,
                   any_word: bool, prefix_last: bool, exclude_topic_id: int | None) -> Any:  # fmt: skip
    """A subquery of (topic_id, post_id, rank): each visible matching topic once, with its best post;
    None if the query has no words. The building block of search_topics/count_topics and the search page's
    extra filters (author, tag, date)."""
    terms = query_terms(query)
    if not terms:
        return None
    matches = _matches(db.engine.dialect.name, terms, any_word, prefix_last)
    # The best live post of each topic first, then the topic's own conditions (visibility, kind, group) on
    # that one row per topic: a topic's posts all share its visibility, so this is the same set, and the
    # topics are read by key for the matches alone (PostgreSQL otherwise scanned every topic to hash-join
    # them: 28 ms of a search at a million posts).
    conditions = [visible_topics(user)]
    if kinds:
        conditions.append(Topic.kind.in_(list(kinds)))
    if group_id is not None:
        conditions.append(Topic.group_id == group_id)
    if exclude_topic_id is not None:
        conditions.append(Topic.id != exclude_topic_id)
    place = func.row_number().over(partition_by=Post.topic_id, order_by=(matches.c.rank.desc(), Post.id))
    per_post = (
        select(
            Post.topic_id.label("topic_id"),
            Post.id.label("post_id"),
            matches.c.rank.label("rank"),
            place.label("place"),
        )
        .select_from(matches)
        .join(Post, Post.id == matches.c.post_id)
        .where(live_posts())
        .subquery("per_post")
    )
    return (
        select(per_post.c.topic_id, per_post.c.post_id, per_post.c.rank)
        .join(Topic, Topic.id == per_post.c.topic_id)
        .where(per_post.c.place == 1, and_(*conditions))
    )


def search_topics(user: Any, query: str | None, *, kinds: Sequence[str] | None = None, group_id: int | None = None,
                  limit: int = 20, any_word: bool = False, prefix_last: bool = False,
                  exclude_topic_id: int | None = None) -> list[SearchHit]:  # fmt: skip
    """Topics the member may see whose title or posts match ``query``, best first (with author and group).

    ``any_word`` matches topics with any of the words (for "similar questions"), otherwise all of them;
    ``prefix_last`` lets the last word be the start of a longer one (a title still being typed).
    """
    ranked = ranked_topics(user, query, kinds=kinds, group_id=group_id, any_word=any_word,
                            prefix_last=prefix_last, exclude_topic_id=exclude_topic_id)  # fmt: skip
    if ranked is None:
        return []
    best = ranked.subquery("best")
    rows = db.session.execute(select(best).order_by(best.c.rank.desc(), best.c.topic_id.desc()).limit(limit)).all()
    if not rows:
        return []
    topics = {
        t.id: t
        for t in db.session.scalars(
            select(Topic)
            .options(joinedload(Topic.author), joinedload(Topic.group))
            .where(Topic.id.in_([r.topic_id for r in rows]))
        )
    }
    return [SearchHit(topics[r.topic_id], r.post_id, float(r.rank or 0)) for r in rows if r.topic_id in topics]


def count_topics(user: Any, query: str | None, *, kinds: Sequence[str] | None = None,
                 group_id: int | None = None, any_word: bool = False) -> int:  # fmt: skip
    """How many topics the member may see match ``query`` (the same filter as ``search_topics``)."""
    ranked = ranked_topics(user, query, kinds=kinds, group_id=group_id, any_word=any_word, prefix_last=False,
                            exclude_topic_id=None)  # fmt: skip
    if ranked is None:
        return 0
    return int(db.session.scalar(select(func.count()).select_from(ranked.subquery())) or 0)


def matching_members(terms: Sequence[str]) -> Any:
    """A selectable of the ids of members with a word starting with each term (name, handle or headline).

    Any member, whatever their state: callers add their own conditions (active members, say).
    """
    from community.models import User

    terms = list(terms)[:5]
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"'{t}':*" for t in terms)  # tokens hold no quote or backslash: one prefix lexeme each
        return select(User.id).where(
            literal_column(PG_MEMBER_WORDS).op("@@")(func.to_tsquery(text("'simple'::regconfig"), query))
        )
    fts = table(MEMBERS_TABLE, column("rowid"))
    query = " ".join(f'"{t}"*' for t in terms)  # each a quoted FTS5 string: no operator reaches the engine
    return select(fts.c.rowid).where(literal_column(MEMBERS_TABLE).op("MATCH")(query))


# --------------------------------------------------------------------------------------------------
# Keeping the index in step (receivers run inside the writer's transaction; they never commit)


def _document(post: Post, topic: Topic) -> dict[str, Any]:
    return {
        "post_id": post.id, "topic_id": topic.id, "kind": topic.kind, "post_kind": post.kind,
        "group_id": topic.group_id, "title": topic.title if post.number == 1 else "", "body": post.body,
    }  # fmt: skip


def _write(documents: Sequence[dict[str, Any]], connection: Any = None) -> None:
    """Replace the documents of these posts."""
    if not documents:
        return
    target = connection if connection is not None else db.session
    dialect = db.engine.dialect.name
    ids = [d["post_id"] for d in documents]
    if dialect == "postgresql":
        target.execute(text("DELETE FROM search_documents WHERE post_id = ANY(:ids)"), {"ids": ids})
        target.execute(
            text(
                "INSERT INTO search_documents (post_id, topic_id, kind, post_kind, group_id, title, body) "
                "VALUES (:post_id, :topic_id, :kind, :post_kind, :group_id, :title, :body)"
            ),
            list(documents),
        )
        return
    _remove(ids, target)
    target.execute(
        text(
            "INSERT INTO search_index (rowid, title, body, topic_id, kind, post_kind, group_id) "
            "VALUES (:post_id, :title, :body, :topic_id, :kind, :post_kind, :group_id)"
        ),
        list(documents),
    )


def _remove(post_ids: Sequence[int], target: Any = None) -> None:
    target = target if target is not None else db.session
    if db.engine.dialect.name == "postgresql":
        statement = text("DELETE FROM search_documents WHERE post_id = :id")
    else:
        statement = text("DELETE FROM search_index WHERE rowid = :id")
    target.execute(statement, [{"id": i} for i in post_ids])


def index_post(post: Post, topic: Topic) -> None:
    """Add or refresh one post's document (in the current transaction)."""
    db.session.flush()
    _write([_document(post, topic)])


def unindex_post(post: Post) -> None:
    """Remove one post's document (in the current transaction)."""
    _remove([post.id])


def _on_topic_published(topic: Topic, *, post: Post | None = None, **_kw: Any) -> None:
    if post is not None and topic.kind not in PRIVATE_KINDS:  # private messages are never indexed
        index_post(post, topic)


def _on_post_written(post: Post, *, topic: Topic, **_kw: Any) -> None:
    if topic.kind in PRIVATE_KINDS:
        return
    if post.deleted_at is None and post.hidden_at is None and not post.pending:
        index_post(post, topic)


def _on_post_removed(post: Post, **_kw: Any) -> None:
    unindex_post(post)


events.topic_published.connect(_on_topic_published, weak=False)
events.post_created.connect(_on_post_written, weak=False)
events.post_edited.connect(_on_post_written, weak=False)
events.post_restored.connect(_on_post_written, weak=False)
events.post_removed.connect(_on_post_removed, weak=False)


# --------------------------------------------------------------------------------------------------
# Rebuilding


def reindex_all(progress: Callable[[int, int], None] | None = None, batch: int = 500) -> int:
    """Rebuild the whole index from the posts (``community reindex``); returns how many were indexed."""
    from community.database import writing

    live = and_(Topic.status == "published", Topic.kind.not_in(PRIVATE_KINDS), live_posts())
    with writing(), db.engine.begin() as conn:
        ensure_search_schema(conn)
        conn.execute(delete(table(PG_TABLE if conn.dialect.name == "postgresql" else SQLITE_TABLE)))
        total = conn.execute(select(func.count()).select_from(Post).join(Topic, Topic.id == Post.topic_id)
                             .where(live)).scalar_one()  # fmt: skip
        done, last_id = 0, 0
        columns = (Post.id, Post.number, Post.kind, Post.body, Topic.id, Topic.kind, Topic.group_id, Topic.title)
        while True:
            rows = conn.execute(
                select(*columns).join(Topic, Topic.id == Post.topic_id)
                .where(live, Post.id > last_id).order_by(Post.id).limit(batch)
            ).all()  # fmt: skip
            if not rows:
                break
            _write([
                {"post_id": r[0], "topic_id": r[4], "kind": r[5], "post_kind": r[2], "group_id": r[6],
                 "title": r[7] if r[1] == 1 else "", "body": r[3]}
                for r in rows
            ], conn)  # fmt: skip
            done += len(rows)
            last_id = rows[-1][0]
            if progress is not None:
                progress(done, total)
    return done
