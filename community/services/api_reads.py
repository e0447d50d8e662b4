"""The API's lists: keyset pages (newest first, by id) built on the same visibility filters as the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Board, Group, Participant, Post, Topic, User
from community.permissions import (
    can_view_post,
    live_posts,
    visible_group_ids_clause,
    visible_groups,
    visible_topics,
)


@dataclass
class Page:
    """One page of rows and the cursor of the next (None on the last)."""

    items: list[Any]
    next: int | None


def keyset(stmt: Select[Any], column: Any, before: int | None, limit: int) -> Page:
    """Rows of ``stmt`` with ``column`` below ``before``, highest first, ``limit`` of them (one query)."""
    if before is not None:
        stmt = stmt.where(column < before)
    rows = list(db.session.scalars(stmt.order_by(column.desc()).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)


def members(before: int | None, limit: int) -> Page:
    """The directory: active members."""
    return keyset(select(User).where(User.state == "active"), User.id, before, limit)


def groups(user: User, before: int | None, limit: int) -> Page:
    """The groups listed for the viewer (private ones only to their members; archived ones too)."""
    return keyset(select(Group).where(visible_groups(user)), Group.id, before, limit)


def boards(user: User, before: int | None, limit: int) -> Page:
    """The boards whose content the viewer may see."""
    return keyset(select(Board).where(visible_group_ids_clause(user, Board.group_id)), Board.id, before, limit)


def topics(user: User, kind: str, before: int | None, limit: int, *, board: Board | None = None) -> Page:
    """Published topics of one kind the viewer may see (``visible_topics``), with their authors."""
    stmt = select(Topic).options(joinedload(Topic.author)).where(visible_topics(user), Topic.kind == kind)
    if board is not None:
        stmt = stmt.where(Topic.board_id == board.id)
    return keyset(stmt, Topic.id, before, limit)


def posts(user: User, topic: Topic, before: int | None, limit: int) -> Page:
    """The live posts of a topic the viewer may see (``topic`` already passed ``access_topic``), newest first;
    the viewer's own held or hidden posts too, as the page shows them (``can_view_post``)."""
    stmt = select(Post).options(joinedload(Post.author)).where(Post.topic_id == topic.id, Post.deleted_at.is_(None))
    page = keyset(stmt, Post.id, before, limit)
    page.items = [p for p in page.items if can_view_post(user, p, topic)]
    return page


def conversations(user: User, before: int | None, limit: int) -> Page:
    """The conversations the member takes part in now (their own Participant rows: nobody else's, admins'
    neither)."""
    stmt = (
        select(Topic)
        .join(Participant, Participant.topic_id == Topic.id)
        .where(Participant.user_id == user.id, Participant.left_at.is_(None), Topic.kind == "conversation",
               Topic.deleted_at.is_(None))
    )  # fmt: skip
    return keyset(stmt, Topic.id, before, limit)


def messages(topic: Topic, before: int | None, limit: int) -> Page:
    """The live messages of a conversation (``topic`` already passed ``access_conversation``)."""
    stmt = select(Post).options(joinedload(Post.author)).where(Post.topic_id == topic.id, live_posts())
    return keyset(stmt, Post.id, before, limit)


def events(user: User, before: int | None, limit: int) -> Page:
    """Events the viewer may see (``visible_topics``), newest first, each as (topic, event)."""
    from community.models import Event

    stmt = select(Topic, Event).join(Event, Event.topic_id == Topic.id).where(visible_topics(user),
                                                                             Topic.kind == "event")  # fmt: skip
    if before is not None:
        stmt = stmt.where(Topic.id < before)
    rows = [tuple(row) for row in db.session.execute(stmt.order_by(Topic.id.desc()).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1][0].id if more and rows else None)


def search_topics(user: User, q: str, before: int | None, limit: int) -> Page:
    """Topics matching ``q`` that the viewer may see (the search module's visibility-filtered ranking)."""
    from community.search import core

    ranked = core.ranked_topics(user, q, kinds=None, group_id=None, any_word=False, prefix_last=False,
                                exclude_topic_id=None)  # fmt: skip
    if ranked is None:  # no words to look for
        return Page([], None)
    ranked = ranked.subquery("ranked")
    stmt = select(Topic).options(joinedload(Topic.author)).where(Topic.id.in_(select(ranked.c.topic_id)))
    return keyset(stmt, Topic.id, before, limit)
