"""Receivers that queue webhook deliveries inside the writing service's transaction (see ``community.events``).

They see only what is already live: ``topic_published`` and ``post_created`` are sent once a post is visible
(a held one when a moderator approves it), so hidden and spam-held posts wait. Private messages send
``message_sent`` instead, which nothing here listens to: they are never a webhook event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community import events
from community.extensions import db
from community.models import PRIVATE_KINDS, Board, Group, Post, Topic, User, Webhook
from community.permissions import can_webhook_carry
from community.services import site
from community.services.notify_mail import path_for
from community.services.webhooks.manage import queue_delivery


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link when the community's address is known, else the path."""
    path = path_for(endpoint, **values)
    base = site.base_url_or_none()
    return base + path if base else path


def _member(user: User) -> dict[str, Any]:
    # Never the e-mail address: a hook is told who, not how to reach them.
    return {"id": user.id, "handle": user.handle, "display_name": user.display_name,
            "url": _link("members.profile", handle=user.handle)}  # fmt: skip


def _hooks(event: str) -> list[Webhook]:
    """The enabled hooks that asked for ``event``, with their makers (one query; JSON is filtered here)."""
    hooks = db.session.scalars(select(Webhook).options(joinedload(Webhook.created_by)).where(Webhook.enabled))
    return [hook for hook in hooks if event in (hook.events or [])]


def _topic_place(topic: Topic) -> tuple[Board | None, Group | None]:
    board = db.session.get(Board, topic.board_id) if topic.board_id is not None else None
    group = db.session.get(Group, topic.group_id) if topic.group_id is not None else None
    return board, group


def _post_data(post: Post, topic: Topic, author: User, board: Board | None, group: Group | None) -> dict[str, Any]:
    anchor = f"#post-{post.number}" if post.number > 1 else ""
    endpoint = "qa.question" if topic.kind == "question" else "boards.topic"
    return {
        "post": {"id": post.id, "number": post.number, "kind": post.kind, "body": post.body,
                 "created_at": post.created_at.isoformat(), "author": _member(author),
                 "url": _link(endpoint, topic_id=topic.id) + anchor},
        "topic": {"id": topic.id, "kind": topic.kind, "title": topic.title, "url": _link(endpoint, topic_id=topic.id)},
        "board": {"id": board.id, "name": board.name} if board is not None else None,
        "group": {"id": group.id, "name": group.name, "visibility": group.visibility} if group is not None else None,
    }  # fmt: skip


def _queue_post(event: str, post: Post, topic: Topic, author: User) -> None:
    if topic.kind in PRIVATE_KINDS:
        return
    hooks = _hooks(event)
    if not hooks:
        return
    board, group = _topic_place(topic)
    data: dict[str, Any] | None = None
    for hook in hooks:
        if event == "post.created" and hook.board_id is not None and hook.board_id != topic.board_id:
            continue
        if not can_webhook_carry(hook.created_by, topic, group):
            continue  # a request or private group's post goes to hooks an admin made, and no others
        data = data or _post_data(post, topic, author, board, group)
        queue_delivery(hook, event, data, post_id=post.id)


def _on_topic_published(topic: Topic, *, actor: User, post: Post | None = None, **_kw: Any) -> None:
    """A new discussion on a board: ``post.created`` with its opening post."""
    if topic.kind == "discussion" and topic.board_id is not None and post is not None:
        _queue_post("post.created", post, topic, actor)


def _on_post_created(post: Post, *, actor: User, topic: Topic, **_kw: Any) -> None:
    """A reply on a board: ``post.created``; an answer to a question: ``question.answered``."""
    if topic.kind == "discussion" and topic.board_id is not None and post.kind == "reply":
        _queue_post("post.created", post, topic, actor)
    elif topic.kind == "question" and post.kind == "answer":
        _queue_post("question.answered", post, topic, actor)


def _on_member_joined(user: User, *, actor: Any = None, **_kw: Any) -> None:
    """A member is in (confirmed, or approved): ``member.joined``."""
    hooks = _hooks("member.joined")
    for hook in hooks:
        queue_delivery(hook, "member.joined", {"member": _member(user)})


events.topic_published.connect(_on_topic_published, weak=False)
events.post_created.connect(_on_post_created, weak=False)
events.member_joined.connect(_on_member_joined, weak=False)
