"""Content for the social-layer tests, built through the services (the production code path)."""

from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.models import Board, Group, Post, Topic, User
from community.services import posts
from tests.factories import acting


def board_of(group: Group | None) -> Board:
    """The group's General board, or a community-wide board (made on first use)."""
    if group is None:
        board = db.session.scalar(select(Board).where(Board.group_id.is_(None)))
        if board is None:
            board = Board(name="Community", slug="community")
            db.session.add(board)
            db.session.commit()
        return board
    return db.session.scalars(select(Board).where(Board.group_id == group.id)).first()


def discussion(author: User, group: Group | None = None, *, title: str = "Reflective practice",
               body: str = "What works for you?", **kwargs: object) -> Topic:  # fmt: skip
    """A published discussion on the group's board (or a community board)."""
    return posts.create_topic(acting(author), kind="discussion", title=title, body=body, board=board_of(group),
                              **kwargs)  # fmt: skip


def question(author: User, group: Group | None = None, *, title: str = "How do I start?",
             body: str = "Any advice?") -> Topic:  # fmt: skip
    """A published question (in a group, or community-wide)."""
    return posts.create_topic(acting(author), kind="question", title=title, body=body, group=group)


def reply(author: User, topic: Topic, body: str = "Good point.", *, kind: str = "reply",
          parent: Post | None = None) -> Post:  # fmt: skip
    """A reply (answer, comment) by ``author``."""
    return posts.add_post(acting(author), topic, body, kind=kind, parent=parent)


def opening(topic: Topic) -> Post:
    """The topic's opening post."""
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
