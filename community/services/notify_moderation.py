"""Receivers that tell members what the moderators did to their posts: hidden, restored, a warning.

Held, approved and rejected posts are announced by ``services.moderation`` itself (it knows which it was).
Notices come from "a moderator": the moderator is not named to the member. They run inside the moderating
service's transaction and never commit.
"""

from __future__ import annotations

from typing import Any

from community import events
from community.models import Post, Topic, User
from community.services.notifications import notify


@events.post_removed.connect
def on_post_removed(post: Post, actor: User | None = None, topic: Topic | None = None, reason: str = "",
                    **_: Any) -> None:  # fmt: skip
    """A moderator hid someone's post: its author is told why (deleting one's own post is no news)."""
    if actor is None or topic is None or post.deleted_at is not None or post.hidden_at is None:
        return
    message = "" if reason == "hidden" else reason
    notify([post.author_id], "post_hidden", None, topic=topic, post=post, message=message, skip={actor.id})


@events.post_restored.connect
def on_post_restored(post: Post, actor: User | None = None, topic: Topic | None = None, **_: Any) -> None:
    """A hidden or deleted post is back: its author is told."""
    if actor is None or topic is None or post.hidden_at is not None or post.deleted_at is not None:
        return
    notify([post.author_id], "post_restored", None, topic=topic, post=post, skip={actor.id})


@events.member_warned.connect
def on_member_warned(member: User, actor: User | None = None, message: str = "", post: Post | None = None,
                     **_: Any) -> None:  # fmt: skip
    """The moderators' warning reaches the member, with the post it is about."""
    topic = None
    if post is not None:
        from community.extensions import db

        topic = db.session.get(Topic, post.topic_id)
    skip = {actor.id} if actor is not None else set()
    notify([member.id], "warning", None, topic=topic, post=post, message=message, skip=skip)
