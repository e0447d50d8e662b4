"""Peers first: a group may give its participants N hours to answer a new question before a facilitator.

During the window a facilitator's (or the manager's) answer is stored held (``Post.pending`` with
``held_until``): saved, seen by its author and the group's moderators, counted and notified nowhere. It is
published when the window ends (``publish_due_held``, a periodic job like scheduled posts), as soon as a peer
answers, or when a facilitator overrides for the question (``release_now``), whichever comes first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from community import events
from community.errors import Forbidden
from community.extensions import db
from community.models import Group, Post, Topic, User, utcnow
from community.permissions import can_moderate_topic
from community.services import posts
from community.services.audit import record

MAX_HOURS = 168  # a week


def window_end(topic: Topic, group: Group | None) -> datetime | None:
    """When the peers' window of this question ends (None: the group gives no window)."""
    if topic.kind != "question" or group is None or not group.peers_first_hours:
        return None
    return topic.created_at + timedelta(hours=group.peers_first_hours)


def hold_until(actor: User, topic: Topic, group: Group | None, now: datetime) -> datetime | None:
    """Until when an answer by ``actor`` is held: None for a peer, once a peer has answered, or after the window."""
    end = window_end(topic, group)
    if end is None or now >= end or posts.author_role(actor, topic.group_id) == "participant":
        return None
    if topic.first_answer_by_role == "participant":
        return None
    return end


def _release(topic: Topic, held: list[Post], now: datetime) -> int:
    """Publish held answers (no commit): they count and notify from now, as if written now."""
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({p.author_id for p in held})))}
    for post in held:
        post.held_until = None
        post.created_at = now
        posts.release_post(authors[post.author_id], post, topic)
    return len(held)


def _held_of(topic_id: int) -> list[Post]:
    return list(db.session.scalars(
        select(Post).where(Post.topic_id == topic_id, Post.held_until.is_not(None), Post.pending.is_(True),
                           Post.deleted_at.is_(None)).order_by(Post.id)
    ))  # fmt: skip


def release_now(actor: User, topic: Topic) -> int:
    """A facilitator publishes the question's held answers now (urgent, or wrong information spreading; commits)."""
    if not can_moderate_topic(actor, topic):
        raise Forbidden(_("Only the group's facilitators can publish held answers."))
    count = _release(topic, _held_of(topic.id), utcnow())
    if count:
        record(actor, "answer.release_held", topic, group_id=topic.group_id, detail={"answers": count})
    db.session.commit()
    return count


def publish_due_held(now: datetime | None = None, limit: int = 100) -> int:
    """Publish the held answers whose window has ended; returns how many. Safe to run concurrently."""
    from community.database import writing

    now = now or utcnow()
    with writing():
        due = list(db.session.scalars(
            select(Post).where(Post.held_until <= now, Post.pending.is_(True), Post.deleted_at.is_(None))
            .order_by(Post.held_until, Post.id).limit(limit).with_for_update(skip_locked=True)
        ))  # fmt: skip
        topics = {t.id: t for t in db.session.scalars(
            select(Topic).options(joinedload(Topic.group)).where(Topic.id.in_({p.topic_id for p in due})))}  # fmt: skip
        for topic_id in topics:
            _release(topics[topic_id], [p for p in due if p.topic_id == topic_id], now)
        db.session.commit()
    return len(due)


def _on_post_created(post: Post, *, topic: Topic, **_kw: Any) -> None:
    """A peer's answer ends the window at once: the held answers are published with it (same transaction)."""
    if topic.kind == "question" and post.kind == "answer" and post.author_role == "participant":
        held = _held_of(topic.id)
        if held:
            # The peer's answer is the first one (qa records it too; this runs first, so say it here).
            db.session.execute(
                update(Topic).where(Topic.id == topic.id, Topic.first_answer_at.is_(None))
                .values(first_answer_at=post.created_at, first_answer_by_role=post.author_role)
                .execution_options(synchronize_session=False)
            )  # fmt: skip
            _release(topic, held, utcnow())


events.post_created.connect(_on_post_created, weak=False)
