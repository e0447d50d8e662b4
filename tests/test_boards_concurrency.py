"""Concurrent replies never lose a count: N members reply at once, through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from community.extensions import db
from community.models import Board, Post, Topic, User
from community.services.accounts import start_session
from tests.factories import make_user
from tests.factories_boards import general_board, make_discussion
from tests.factories_groups import make_group

N = 12


def test_concurrent_replies_keep_exact_counters(app: Any, fran: Any, pat: Any) -> None:
    members = [make_user(f"peer{i}", display_name=f"Peer {i}") for i in range(N)]
    group = make_group(fran, "private", members=[pat, *members])
    board = general_board(group)
    topic = make_discussion(pat, board)
    topic_id, board_id = topic.id, board.id
    clients = []
    for member in members:
        client = app.test_client()
        token = start_session(member)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
        clients.append(client)
    db.session.remove()  # the test holds no connection or transaction while the threads write
    barrier = threading.Barrier(N)
    statuses: list[int] = []

    errors: list[BaseException] = []

    def post_reply(index: int) -> None:
        try:
            with app.app_context():  # each thread in its own app context (and so its own DB session)
                barrier.wait()
                response = clients[index].post(f"/discussions/{topic_id}/reply", data={"body": f"Reply {index}"})
                statuses.append(response.status_code)
        except BaseException as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=post_reply, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert statuses == [302] * N
    topic = db.session.get(Topic, topic_id)
    numbers = sorted(db.session.scalars(select(Post.number).where(Post.topic_id == topic_id)))
    assert numbers == list(range(1, N + 2))
    assert (topic.reply_count, topic.post_counter) == (N, N + 1)
    assert db.session.get(Board, board_id).post_count == N + 1
    assert db.session.get(Board, board_id).topic_count == 1
    last = db.session.scalars(select(Post).where(Post.topic_id == topic_id, Post.number == N + 1)).one()
    assert topic.last_post_id == last.id and topic.last_poster_id == last.author_id
    authors = set(db.session.scalars(select(User.post_count).where(User.handle.like("peer%"))))
    assert authors == {1}
