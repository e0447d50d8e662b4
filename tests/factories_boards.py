"""Boards and discussions for tests, built through the services (the production code path)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Board, Group, Post, Topic, User
from community.services import boards as service
from tests.factories import acting


def general_board(group: Group) -> Board:
    """The board every new group gets."""
    return db.session.scalars(
        select(Board).options(joinedload(Board.group)).where(Board.group_id == group.id).order_by(Board.id)
    ).first()


def load_board(board_id: int) -> Board:
    """A board with its group, as ``access_board`` loads it."""
    return db.session.scalars(select(Board).options(joinedload(Board.group)).where(Board.id == board_id)).one()


def make_board(actor: User, name: str = "Lounge", group: Group | None = None, description: str = "") -> Board:
    """A community board (actor an admin) or a group board (actor a facilitator of it)."""
    return service.create_board(acting(actor), name=name, description=description, group=group)


def make_discussion(author: User, board: Board, title: str = "How do we start?", body: str = "Hello **all**",
                    tags: str | None = None) -> Topic:  # fmt: skip
    """A discussion started by ``author`` on ``board``."""
    return service.start_discussion(acting(author), load_board(board.id), title, body, tags)


def make_reply(author: User, topic: Topic, body: str = "A reply") -> Post:
    """A reply by ``author``."""
    from tests.factories import load_topic

    return service.reply(acting(author), load_topic(author, topic.id), body)
