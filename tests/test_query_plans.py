"""The listings that must stay fast at a million posts use their own index (a new index can change which one
the planner picks: one led by the same column once sent the blog index from 1 ms to 36 ms)."""

from typing import Any

from sqlalchemy import event

from community.extensions import db
from tests.factories_blogs import make_blog_post
from tests.factories_groups import make_group
from tests.factories_qa import make_question


def _statement_of(client: Any, path: str, *markers: str) -> tuple[str, Any]:
    captured: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if all(marker in statement for marker in markers):
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert captured, f"no statement with {markers} on {path}"
    return captured[0]


def _plan(statement: str, parameters: Any) -> str:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE topics")
            conn.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: ask which index the plan can use
            return " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
        return " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))


def test_the_blog_index_walks_its_own_index(client, login, fran, pat):
    for i in range(5):
        make_blog_post(pat, title=f"Post {i}")
        make_question(pat, title=f"Question {i} waiting")
    login(pat)
    plan = _plan(*_statement_of(client, "/blogs", "FROM topics", "featured DESC"))
    assert "ix_topics_kind_featured_published" in plan, plan


def test_what_waits_for_an_answer_is_read_through_its_own_index(client, login, fran, pat):
    group = make_group(fran, "private", members=[pat])
    for i in range(5):
        make_question(pat, title=f"Question {i} waiting", group=group)
        make_blog_post(pat, title=f"Post {i}")
    login(fran)
    plan = _plan(*_statement_of(client, "/dashboard/", "FROM topics", "reply_count", "ORDER BY topics.created_at"))
    assert "ix_topics_waiting" in plan, plan
