"""Notifications: who is told what, per-member delivery preferences, the list under the bell, e-mail.

A notification is only ever created for an active member who may see what it is about, judged by the
predicates of ``permissions.py`` on the loaded objects with the recipient's own group roles; never for the
actor. ``notify`` is the one entry point (the event receivers in ``notify_events`` and other areas' services
call it: join requests, reports, group invitations). It adds rows to the caller's transaction and never
commits; e-mail goes to the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, func, inspect, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from community import permissions
from community.database import prebuilt
from community.errors import InvalidInput, NotFound
from community.extensions import db
from community.models import (
    DELIVERIES,
    NOTIFICATION_KINDS,
    Group,
    Membership,
    Notification,
    Post,
    Topic,
    User,
    utcnow,
)

DEFAULT_DELIVERY = {
    "reply": "email",
    "mention": "email",
    "answer": "email",
    "accepted": "email",
    "comment": "email",
    "watched": "daily",
    "join_request": "email",
    "report": "email",
    "invitation": "email",
    "nudge": "email",
}
DIGEST_KINDS = ("daily", "weekly")  # unsubscribe tokens for a digest carry these instead of a kind
PAGE_SIZE = 30


# ----------------------------------------------------------------------------------------------------------
# Preferences


def preferences(user: User) -> dict[str, str]:
    """The member's delivery per notification kind (defaults filled in)."""
    saved = (user.preferences or {}).get("notifications") or {}
    return {kind: saved.get(kind) if saved.get(kind) in DELIVERIES else DEFAULT_DELIVERY[kind]
            for kind in NOTIFICATION_KINDS}  # fmt: skip


def set_preferences(actor: User, choices: dict[str, str]) -> None:
    """Save the member's delivery per kind (commits)."""
    current = preferences(actor)
    for kind, delivery in choices.items():
        if kind not in NOTIFICATION_KINDS or delivery not in DELIVERIES:
            raise InvalidInput(_("Please choose one of the options for each kind."), field=kind)
        current[kind] = delivery
    # A new dict, so the JSON column is seen as changed.
    actor.preferences = {**(actor.preferences or {}), "notifications": current}
    db.session.commit()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notifications-unsubscribe")


def unsubscribe_token(user: User, kind: str) -> str:
    """A token that switches one kind (or one digest) off for one member, signed with the app secret."""
    return _serializer().dumps([user.id, kind])


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The member and kind a token names; NotFound for a bad or forged token."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound(_("This unsubscribe link is not valid.")) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or (kind not in NOTIFICATION_KINDS and kind not in DIGEST_KINDS):
        raise NotFound(_("This unsubscribe link is not valid."))
    return user, kind


def unsubscribe(token: str) -> tuple[User, str]:
    """Switch off what the token names: a kind goes off; a digest's kinds stay in the page only (commits)."""
    user, kind = read_unsubscribe_token(token)
    digest_kinds = {k: "web" for k, v in preferences(user).items() if v == kind}
    changes = digest_kinds if kind in DIGEST_KINDS else {kind: "off"}
    set_preferences(user, changes)
    return user, kind


def kind_label(kind: str) -> str:
    """The words for a kind (or a digest) in pages and e-mails."""
    if kind == "daily":
        return _("the daily digest e-mail")
    if kind == "weekly":
        return _("the weekly digest e-mail")
    label = NOTIFICATION_KINDS.get(kind)
    return str(label).lower() if label is not None else kind


# ----------------------------------------------------------------------------------------------------------
# Creating notifications


def _ensure_group_loaded(topic: Topic) -> None:
    """The predicates read ``topic.group``; load it (from the identity map when possible) if it isn't."""
    if "group" in inspect(topic).unloaded:
        group = db.session.get(Group, topic.group_id) if topic.group_id is not None else None
        set_committed_value(topic, "group", group)


def _load_recipients(user_ids: Iterable[int]) -> list[User]:
    """Active members with their group roles, in two queries however many there are."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return []
    users = list(db.session.scalars(select(User).where(User.id.in_(ids), User.state == "active")))
    roles: dict[int, dict[int, str]] = {u.id: {} for u in users}
    if users:
        rows = db.session.execute(
            select(Membership.user_id, Membership.group_id, Membership.role).where(
                Membership.user_id.in_(list(roles)), Membership.state == "active"
            )
        )
        for user_id, group_id, role in rows:
            roles[user_id][group_id] = role
    for user in users:
        user.group_roles = roles[user.id]
    return users


def may_know(user: User, kind: str, *, topic: Topic | None, post: Post | None, group: Group | None) -> bool:
    """Whether ``user`` may be told about this: they may see the post/topic (and moderate it, for reports)."""
    if not permissions.is_member(user):
        return False
    if topic is not None:
        _ensure_group_loaded(topic)
        if post is not None and not permissions.can_view_post(user, post, topic):
            return False
        if not permissions.can_view_topic(user, topic):
            return False
        if kind == "report":
            return permissions.can_moderate_topic(user, topic)
        return True
    if group is not None:
        if kind == "invitation":
            return True  # the invitation itself is the member's permission to know of the group
        if kind in ("join_request", "report"):
            return permissions.can_manage_group(user, group)
        return permissions.can_see_group(user, group)
    return True


def blocked_by(recipient_ids: Iterable[int], actor_id: int) -> set[int]:
    """Members (of ``recipient_ids``) who blocked ``actor_id``: they get no mention from them.

    The hook for moderation's member blocks: it reads ``MemberRelation`` when that model exists."""
    from community import models

    relation = getattr(models, "MemberRelation", None)
    ids = list(recipient_ids)
    if relation is None or not ids:
        return set()
    return set(
        db.session.scalars(
            select(relation.user_id).where(
                relation.user_id.in_(ids), relation.other_id == actor_id, relation.kind == "block"
            )
        )
    )


def notify(recipient_ids: Iterable[int], kind: str, actor: User | None, *, topic: Topic | None = None,
           post: Post | None = None, group: Group | None = None, url: str = "",
           skip: set[int] | None = None, message: str = "",
           about: User | None = None) -> list[Notification]:  # fmt: skip
    """Tell these members (those who may know, not the actor, not in ``skip``); adds to the caller's
    transaction and never commits. Returns the notifications created; ``skip`` grows with their recipients."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    skip = skip if skip is not None else set()
    actor_id = actor.id if actor is not None else None
    wanted = [i for i in set(recipient_ids) if i != actor_id and i not in skip]
    created: list[Notification] = []
    for user in _load_recipients(wanted):
        if not may_know(user, kind, topic=topic, post=post, group=group):
            continue
        skip.add(user.id)
        delivery = preferences(user)[kind]
        if delivery == "off":
            continue
        note = Notification(
            user_id=user.id, actor_id=actor_id, kind=kind, topic_id=topic.id if topic is not None else None,
            post_id=post.id if post is not None else None,
            group_id=group.id if group is not None else (topic.group_id if topic is not None else None),
            url=url[:300], message=message[:500], created_at=utcnow(),
        )  # fmt: skip
        db.session.add(note)
        created.append(note)
        if delivery == "email":
            from community.services.notify_mail import mail_notification

            mail_notification(user, kind, actor, topic=topic, post=post, group=group, url=url, message=message,
                              about=about)  # fmt: skip
    if created:
        db.session.flush()
    return created


# ----------------------------------------------------------------------------------------------------------
# Reading and marking


@dataclass
class NotificationPage:
    """One page of the list, newest first (keyset on id)."""

    items: list[Notification]
    has_next: bool
    next_before: int | None


def _visible_to(user: User, *, bound: bool = False) -> Any:
    """Re-check at read time: a post hidden, deleted or moved since stays out of the list.

    ``bound=True``: the member's id and groups are parameters (``user_id`` and ``permissions.viewer_params``).
    """
    return (
        select(Notification.id)
        .outerjoin(Topic, Topic.id == Notification.topic_id)
        .outerjoin(Post, Post.id == Notification.post_id)
        .where(
            Notification.user_id == (bindparam("user_id") if bound else user.id),
            # Reports are about posts a moderator sees even when held or hidden; they were checked on creation.
            (Notification.kind == "report")
            | (
                (Notification.topic_id.is_(None) | permissions.visible_topics(user, bound=bound))
                & (
                    Notification.post_id.is_(None)
                    | permissions.live_posts()
                )
            ),
        )
    )


def list_notifications(user: User, before: int | None = None, limit: int = PAGE_SIZE) -> NotificationPage:
    """The member's notifications that they may still see, newest first, with actor, topic and group."""
    stmt = (
        select(Notification)
        .options(
            joinedload(Notification.actor),
            joinedload(Notification.topic).joinedload(Topic.group),
            joinedload(Notification.group),
            joinedload(Notification.post),
        )
        .where(Notification.id.in_(_visible_to(user)))
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    items = list(db.session.scalars(stmt).unique())
    has_next = len(items) > limit
    items = items[:limit]
    return NotificationPage(items, has_next, items[-1].id if has_next else None)


def unread_count(user: User) -> int:
    """The bell's number: unread notifications the member may still see."""
    if not permissions.is_member(user):
        return 0
    # read_at inside the subquery too: it then walks only the unread rows (ix_notifications_user_unread), not
    # every notification the member ever had (tens of thousands for a busy member of a large community).
    # Built once per viewer shape (on every page: building it cost four times as much as running it).
    def build() -> Any:
        unread = _visible_to(user, bound=True).where(Notification.read_at.is_(None))
        return select(func.count()).select_from(Notification).where(
            Notification.id.in_(unread), Notification.read_at.is_(None)
        )

    statement = prebuilt(("bell", permissions.viewer_shape(user)), build)
    return db.session.scalar(statement, {"user_id": user.id, **permissions.viewer_params(user)}) or 0


def access_notification(user: User, notification_id: int) -> Notification:
    """The member's own notification; NotFound for anybody else's."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound(_("No such notification."))
    return note


def mark_read(user: User, notification: Notification) -> None:
    """Mark one notification read (commits)."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()


def mark_all_read(user: User) -> int:
    """Mark every notification of the member read (commits); returns how many changed."""
    changed = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    db.session.commit()
    return changed or 0


def mark_read_quietly(user: User, notification: Notification) -> None:
    """Mark one notification read from a page view: its own short write, so the GET stays a reader."""
    from community.database import writing

    if notification.read_at is not None:
        return
    with writing(), db.engine.begin() as conn:
        conn.execute(
            update(Notification)
            .where(Notification.id == notification.id, Notification.user_id == user.id)
            .values(read_at=utcnow())
        )


def target_path(notification: Notification) -> str:
    """Where following a notification leads: the post's permalink, or the page it names."""
    from flask import url_for

    if notification.post_id is not None and not (notification.kind == "report" and notification.url):
        return url_for("feed.post_link", post_id=notification.post_id)
    if notification.url.startswith("/") and not notification.url.startswith("//"):
        return notification.url
    return url_for("notifications.index")
