"""Receivers of the private messages' events: the participants are told, nobody else.

A message tells every other current participant ("message"), but those who muted the conversation; a
participant mentioned with @ is told by the mention instead, muted or not. A mention of someone outside the
conversation tells nobody (``notify`` lets through only those who may read it). Runs in the sender's
transaction and never commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from community import events
from community.extensions import db
from community.markup import extract_mentions
from community.models import Participant, Post, Topic, User
from community.services.notifications import notify


@events.message_sent.connect
def on_message_sent(post: Post, actor: User, topic: Topic, **_: Any) -> None:
    """A new message: mentioned participants, then the others who haven't muted the conversation."""
    rows = db.session.execute(
        select(Participant.user_id, Participant.muted, User.handle)
        .join(User, User.id == Participant.user_id)
        .where(Participant.topic_id == topic.id, Participant.left_at.is_(None), Participant.user_id != actor.id)
    ).all()  # fmt: skip
    mentioned = extract_mentions(post.body)
    told: set[int] = set()
    notify([r.user_id for r in rows if r.handle in mentioned], "mention", actor, topic=topic, post=post, skip=told)
    notify([r.user_id for r in rows if not r.muted], "message", actor, topic=topic, post=post, skip=told)


@events.participants_added.connect
def on_participants_added(topic: Topic, actor: User, added: list[User] | None = None, **_: Any) -> None:
    """People added to a conversation are told, led to its latest message."""
    if not added or topic.last_post_id is None:
        return
    post = db.session.get(Post, topic.last_post_id)
    notify([u.id for u in added], "message", actor, topic=topic, post=post)
