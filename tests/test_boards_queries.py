"""Exact query counts: the board page, the topic page, the board index and "new since" do not grow with data."""

from __future__ import annotations

from typing import Any

import pytest

from community.extensions import db
from community.models import Post
from community.services import posts as post_service
from tests.factories import acting
from tests.factories_boards import general_board, make_board, make_discussion, make_reply
from tests.factories_groups import make_group


def board_queries(client: Any, login: Any, count_queries: Any, fran: Any, pat: Any, sam: Any, n: int) -> int:
    group = make_group(fran, "private", members=[pat, sam])
    board = general_board(group)
    topics = [make_discussion(pat, board, title=f"Topic {i}", tags="week-1 readings") for i in range(n)]
    make_reply(sam, topics[0], "a reply")
    from community.services.boards import set_pinned
    from tests.factories import load_topic

    set_pinned(acting(fran), load_topic(fran, topics[1].id), True)
    login(pat)
    client.get(f"/discussions/{topics[0].id}")  # some read, some not
    url = f"/boards/{board.id}"
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200 and "Pinned" in response.get_data(as_text=True)
    return len(seen)


@pytest.mark.parametrize("n", [5, 50])
def test_board_page_query_count(client: Any, login: Any, assert_queries: Any, count_queries: Any, fran: Any,
                                pat: Any, sam: Any, n: int) -> None:  # fmt: skip
    # session + member, group roles, board, pinned, page, tags, reads, subscription, then the layout's
    # settings and notification count: fixed whatever n is.
    assert board_queries(client, login, count_queries, fran, pat, sam, n) == 10


def topic_queries(client: Any, login: Any, count_queries: Any, fran: Any, pat: Any, sam: Any, n: int,
                  viewer: str) -> int:  # fmt: skip
    group = make_group(fran, "private", members=[pat, sam])
    topic = make_discussion(pat, general_board(group))
    for i in range(n):
        make_reply(sam if i % 2 else pat, topic, f"reply {i}")
    edited = db.session.query(Post).filter_by(topic_id=topic.id, number=2).one()
    from tests.factories import load_post

    post = load_post(pat, edited.id)
    post_service.edit_post(acting(pat), post, post.topic, "edited reply")
    user = {"pat": pat, "fran": fran}[viewer]
    login(user)
    url = f"/discussions/{topic.id}"
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200 and "edited reply" in response.get_data(as_text=True)
    return len(seen)


@pytest.mark.parametrize("n", [5, 50])
def test_topic_page_query_count(client: Any, login: Any, count_queries: Any, fran: Any, pat: Any, sam: Any,
                                n: int) -> None:  # fmt: skip
    # session + member, group roles, topic, posts, read state, subscription, tags, settings, notification
    # count, the viewer's mutes, the page's reactions. No "mark read": Pat's own replies moved her read position
    # past this page (the moderator's test below, a first visit, has it).
    assert topic_queries(client, login, count_queries, fran, pat, sam, n, "pat") == 11


@pytest.mark.parametrize("n", [5, 50])
def test_topic_page_query_count_for_a_moderator(client: Any, login: Any, count_queries: Any, fran: Any,
                                                pat: Any, sam: Any, n: int) -> None:  # fmt: skip
    # ... plus the boards a moderator may move the discussion to, and the header's count of what waits for review
    assert topic_queries(client, login, count_queries, fran, pat, sam, n, "fran") == 14


@pytest.mark.parametrize("n", [5, 50])
def test_board_index_and_new_since_query_counts(client: Any, login: Any, count_queries: Any, admin: Any,
                                                fran: Any, pat: Any, n: int) -> None:  # fmt: skip
    for i in range(n // 5):
        make_board(admin, f"Community {i}")
        group = make_group(fran, ("open", "private")[i % 2], members=[pat], name=f"Group {i}")
        make_discussion(fran, general_board(group), title=f"Fresh {i}")
    login(pat)
    with count_queries() as index_queries:
        assert client.get("/boards").status_code == 200
    with count_queries() as new_queries:
        html = client.get("/boards/new").get_data(as_text=True)
    assert "Fresh 0" in html
    # session, roles, boards (+ settings, notifications); new since: ... topics, reads
    assert (len(index_queries), len(new_queries)) == (5, 6)


def test_deep_board_pages_use_the_listing_index(client: Any, login: Any, app: Any, fran: Any, pat: Any) -> None:
    """A page deep in a board is a keyset range scan on ix_topics_board_listing, never OFFSET."""
    from sqlalchemy import event

    board = general_board(make_group(fran, "open", members=[pat]))
    # Older discussions on another board: the plan must seek by board, not scan by date and filter.
    busy = general_board(make_group(fran, "open", members=[pat]))
    for i in range(60):
        make_discussion(pat, busy, title=f"Elsewhere {i}")
    for i in range(25):
        make_discussion(pat, board, title=f"Topic {i}")
    login(pat)
    first = client.get(f"/boards/{board.id}").get_data(as_text=True)
    cursor = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    captured: list[tuple[str, Any]] = []

    def record(conn: Any, cursor_: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "FROM topics" in statement and "LIMIT" in statement and "pinned" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert "Topic 0" in client.get(cursor).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    ((statement, parameters),) = captured
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE topics")
            conn.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: ask which index the plan can use
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
        else:
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "ix_topics_board_listing" in plan, plan
