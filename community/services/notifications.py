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
from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import and_, bindparam, false, func, insert, inspect, or_, select, true, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from community import permissions
from community.database import prebuilt
from community.errors import DomainError, InvalidInput, NotFound
from community.extensions import db
from community.models import (
    DELIVERIES,
    KIND_DELIVERIES,
    NOTIFICATION_KINDS,
    PRIVATE_KINDS,
    Group,
    Membership,
    Notification,
    Participant,
    Post,
    Topic,
    User,
    utcnow,
)
from community.services import mail
from community.services.notify_mail import NOTIFICATION_HEADER, mail_notification
from community.services.social import silenced_ids, silencing_ids

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
    "message": "email",
    "join_approved": "email",
    "join_declined": "email",
    "facilitator_added": "email",
    "facilitator_removed": "email",
    "post_held": "web",  # the author has just been told on the page
    "post_approved": "email",
    "post_rejected": "email",
    "post_hidden": "email",
    "post_restored": "email",
    "warning": "email",
    "event_changed": "email",
    "event_cancelled": "email",
    "event_reminder": "email",  # e-mail is what a reminder is: any other choice sends none
    "announcement": "email",  # or in the page only (KIND_DELIVERIES): never a digest, never off
    "export_ready": "email",
}
# Notices about the member's own post: kept while they may see where it lives, though the post is held or hidden.
MODERATION_KINDS = ("post_held", "post_approved", "post_rejected", "post_hidden", "post_restored", "warning")
DIGEST_KINDS = ("daily", "weekly")  # unsubscribe tokens for a digest carry these instead of a kind
PAGE_SIZE = 30
#: What a member who muted or blocked the actor is not told (and no longer sees while the mute lasts). Duties
#: (requests to join, reports) and decisions about the member (answers, roles) always get through.
SILENCEABLE_KINDS = ("reply", "mention", "answer", "accepted", "comment", "watched", "nudge", "invitation",
                     "message")
#: Kinds a facilitator gets for the groups they manage; they go when the facilitator no longer manages it.
MODERATOR_KINDS = ("report", "join_request")


# ----------------------------------------------------------------------------------------------------------
# Preferences


def preferences(user: User) -> dict[str, str]:
    """The member's delivery per notification kind (defaults filled in)."""
    saved = (user.preferences or {}).get("notifications") or {}
    return {kind: saved.get(kind) if saved.get(kind) in KIND_DELIVERIES.get(kind, DELIVERIES)
            else DEFAULT_DELIVERY[kind] for kind in NOTIFICATION_KINDS}  # fmt: skip


def set_preferences(actor: User, choices: dict[str, str]) -> None:
    """Save the member's delivery per kind (commits)."""
    current = preferences(actor)
    for kind, delivery in choices.items():
        if kind not in NOTIFICATION_KINDS or delivery not in KIND_DELIVERIES.get(kind, DELIVERIES):
            raise InvalidInput(_("Please choose one of the options for each kind."), field=kind)
        current[kind] = delivery
    # A new dict, so the JSON column is seen as changed.
    actor.preferences = {**(actor.preferences or {}), "notifications": current}
    db.session.commit()


UNSUBSCRIBE_SALT = "notifications-unsubscribe.v2"
LEGACY_UNSUBSCRIBE_SALT = "notifications-unsubscribe"  # links without a time, sent before they expired


class UnsubscribeLinkExpired(DomainError):
    """A genuine unsubscribe link that no longer works: too old, or rotated (``User.unsubscribe_epoch``).

    It still names its member and kind, so the page can offer a signed-in member one click to do it anyway."""

    status = 410

    def __init__(self, user: User, kind: str) -> None:
        super().__init__(_("This unsubscribe link has expired."))
        self.user, self.kind = user, kind


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_link_days() -> int:
    """How long an unsubscribe link in an e-mail works."""
    return int(current_app.config.get("UNSUBSCRIBE_LINK_DAYS", 90))


def unsubscribe_token(user: User, kind: str) -> str:
    """A token that switches one kind (or one digest) off for one member: signed with the app secret, dated
    (it expires after ``UNSUBSCRIBE_LINK_DAYS``), and bound to the member's rotation counter (it dies when
    the counter moves: a new e-mail address or password)."""
    return _serializer().dumps([user.id, kind, user.unsubscribe_epoch or 0])


def _named(user_id: object, kind: object) -> tuple[User, str] | None:
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    if kind not in NOTIFICATION_KINDS and kind not in DIGEST_KINDS:
        return None
    user = db.session.get(User, user_id)
    return (user, kind) if user is not None and user.state != "deleted" else None


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The member and kind a working token names; NotFound for a bad or forged token, UnsubscribeLinkExpired
    for a genuine one that is too old, rotated, or from before links expired."""
    invalid = NotFound(_("This unsubscribe link is not valid."))
    payload: object = None
    expired = False
    try:
        payload = _serializer().loads(token, max_age=unsubscribe_link_days() * 86400)
    except SignatureExpired as error:
        payload, expired = error.payload, True
        try:
            payload = _serializer().load_payload(payload) if isinstance(payload, bytes) else payload
        except BadData:
            raise invalid from None
    except BadData:
        try:  # a link of before: genuine, but it never expired, so it is treated as expired now
            payload, expired = URLSafeSerializer(current_app.config["SECRET_KEY"],
                                                 salt=LEGACY_UNSUBSCRIBE_SALT).loads(token), True  # fmt: skip
            payload = [*payload, None] if isinstance(payload, list) and len(payload) == 2 else None
        except BadData:
            raise invalid from None
    if not isinstance(payload, list) or len(payload) != 3:
        raise invalid
    user_id, kind, epoch = payload
    named = _named(user_id, kind)
    if named is None:
        raise invalid
    user, kind = named
    if expired or epoch != (user.unsubscribe_epoch or 0):
        raise UnsubscribeLinkExpired(user, kind)
    return user, kind


def switch_off(user: User, kind: str) -> dict[str, str]:
    """Stop e-mail about one kind, or one digest: what it was about stays in the page ("In the page only");
    commits. Returns the deliveries it changed, as they were (what an undo puts back)."""
    if kind not in NOTIFICATION_KINDS and kind not in DIGEST_KINDS:
        raise InvalidInput(_("Please choose one of the options for each kind."))
    current = preferences(user)
    before = ({k: v for k, v in current.items() if v == kind} if kind in DIGEST_KINDS
              else {kind: current[kind]} if current[kind] != "web" else {})  # fmt: skip
    set_preferences(user, dict.fromkeys(before, "web"))
    return before


def unsubscribe(token: str) -> tuple[User, str, dict[str, str]]:
    """Switch off what a working token names (commits); returns the member, the kind and what it changed."""
    user, kind = read_unsubscribe_token(token)
    return user, kind, switch_off(user, kind)


def undo_unsubscribe(token: str, before: dict[str, str]) -> User:
    """Put back the deliveries an unsubscribe changed (commits). Only what that link could have changed: its
    own kind (a digest: kinds now in the page only, back to that digest); nothing else can be set this way."""
    user, kind = read_unsubscribe_token(token)
    current = preferences(user)
    for name, delivery in before.items():
        allowed = (delivery == kind) if kind in DIGEST_KINDS else (name == kind and delivery in DELIVERIES)
        if name not in NOTIFICATION_KINDS or not allowed or current[name] != "web":
            raise InvalidInput(_("This can't be undone from here: please use your notification settings."))
    set_preferences(user, before)
    return user


def encode_deliveries(deliveries: dict[str, str]) -> str:
    """``reply=email,mention=daily``: deliveries in a form's hidden field."""
    return ",".join(f"{k}={v}" for k, v in sorted(deliveries.items()))


def decode_deliveries(text: str) -> dict[str, str]:
    """The reverse of ``encode_deliveries``; InvalidInput for anything else."""
    pairs = [part.split("=", 1) for part in text.split(",") if part]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        raise InvalidInput(_("This can't be undone from here: please use your notification settings."))
    return dict(pairs)  # type: ignore[arg-type]


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


def _load_recipients(user_ids: Iterable[int], silenced_by: int | None = None) -> list[User]:
    """Active members (but those who muted or blocked ``silenced_by``) with their group roles, in two queries
    however many there are."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return []
    stmt = select(User).where(User.id.in_(ids), User.state == "active")
    if silenced_by is not None:
        stmt = stmt.where(User.id.not_in(silencing_ids(silenced_by)))
    users = list(db.session.scalars(stmt))
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


def _load_participations(users: list[User], topic: Topic) -> None:
    """A conversation's notice goes to its current participants alone: load the recipients' rows (one query),
    where ``can_view_topic`` reads them."""
    rows = list(db.session.scalars(select(Participant).where(
        Participant.topic_id == topic.id, Participant.user_id.in_([u.id for u in users]))))  # fmt: skip
    for user in users:
        user.participations = {}
        permissions.remember_participations(user, [r for r in rows if r.user_id == user.id], [topic.id])


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
    silenced_by = actor_id if kind in SILENCEABLE_KINDS else None
    rows: list[dict[str, Any]] = []
    told: list[tuple[User, str]] = []
    recipients = _load_recipients(wanted, silenced_by)
    if topic is not None and topic.kind in PRIVATE_KINDS:
        _load_participations(recipients, topic)
    now = utcnow()
    for user in recipients:
        if not may_know(user, kind, topic=topic, post=post, group=group):
            continue
        skip.add(user.id)
        delivery = preferences(user)[kind]
        if delivery == "off":
            continue
        rows.append(dict(
            user_id=user.id, actor_id=actor_id, kind=kind, topic_id=topic.id if topic is not None else None,
            post_id=post.id if post is not None else None,
            group_id=group.id if group is not None else (topic.group_id if topic is not None else None),
            url=url[:300], message=message[:500], created_at=now, read_at=None,
        ))  # fmt: skip
        told.append((user, delivery))
    # One INSERT for every recipient however many (an announcement to the whole community), with the ids back,
    # which the e-mails carry.
    created = list(db.session.scalars(insert(Notification).returning(Notification), rows)) if rows else []
    by_user = {note.user_id: note for note in created}  # one each: in any order the database gives them back
    to_mail = [(user, by_user[user.id]) for user, delivery in told if delivery == "email"]
    for user, note in to_mail:
        mail_notification(user, kind, actor, topic=topic, post=post, group=group, url=url, message=message,
                          about=about, notification_id=note.id)  # fmt: skip
    return created


# ----------------------------------------------------------------------------------------------------------
# Reading and marking


@dataclass
class NotificationPage:
    """One page of the list, newest first (keyset on id)."""

    items: list[Notification]
    has_next: bool
    next_before: int | None


def visible_notifications(user: User, *, bound: bool = False) -> Any:
    """The ids of the member's notifications they may still see, re-checked now with the filters every
    listing uses: about a topic, what ``visible_topics`` and ``live_posts`` let through (reports: what the
    member still moderates, held or hidden included); about a group, what they may still know of it (its
    requests and reports while they manage it, an invitation while it stands or they belong, the rest while
    ``visible_groups`` lists it); nothing from a member they muted or blocked (``SILENCEABLE_KINDS``).

    ``bound=True``: the member's id and groups are parameters (``permissions.viewer_params``), so one statement
    serves every member of the same ``permissions.viewer_shape``.
    """
    viewer = bindparam(permissions.VIEWER_ID) if bound else user.id
    report = Notification.kind == "report"
    duty = Notification.kind.in_(MODERATOR_KINDS)
    invitation = Notification.kind == "invitation"
    about_topic = and_(
        Notification.topic_id.is_not(None),
        or_(
            and_(report, permissions.moderated_group_ids_clause(user, Topic.group_id, bound=bound)),
            and_(~report, permissions.visible_topics(user, bound=bound),
                 Notification.post_id.is_(None) | permissions.live_posts()),
            # A private conversation: while the member takes part in it (never through visible_topics).
            and_(~report, Topic.kind.in_(PRIVATE_KINDS), Topic.deleted_at.is_(None),
                 select(Participant.user_id).where(Participant.topic_id == Notification.topic_id,
                                                   Participant.user_id == viewer,
                                                   Participant.left_at.is_(None)).exists(),
                 Notification.post_id.is_(None) | permissions.live_posts()),
        ),
    )  # fmt: skip
    about_group = and_(
        Notification.topic_id.is_(None),
        Notification.group_id.is_not(None),
        or_(
            and_(duty, permissions.moderated_group_ids_clause(user, Notification.group_id, bound=bound)),
            and_(invitation, permissions.invited_or_member_clause(user, Notification.group_id, bound=bound)),
            and_(~duty, ~invitation, permissions.visible_groups(user, bound=bound)),
        ),
    )
    # A report of a member's profile (no topic, no group) is for the community manager alone.
    about_nothing = and_(Notification.topic_id.is_(None), Notification.group_id.is_(None),
                         ~report | (true() if permissions.is_admin(user) else false()))  # fmt: skip
    silenced = and_(Notification.kind.in_(SILENCEABLE_KINDS), Notification.actor_id.is_not(None),
                    Notification.actor_id.in_(silenced_ids(viewer)))  # fmt: skip
    return (
        select(Notification.id)
        .outerjoin(Topic, Topic.id == Notification.topic_id)
        .outerjoin(Post, Post.id == Notification.post_id)
        .outerjoin(Group, Group.id == Notification.group_id)
        .where(Notification.user_id == viewer, ~silenced,
               or_(about_topic, about_group, about_nothing, own_post_notice(user, bound=bound)))
    )


def own_post_notice(user: User, *, bound: bool = False) -> Any:
    """SQL filter (with Topic joined): a moderation notice about the member's own post, in a place they may see."""
    return Notification.kind.in_(MODERATION_KINDS) & (
        Notification.topic_id.is_(None) | permissions.visible_group_ids_clause(user, Topic.group_id, bound=bound)
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
        .where(Notification.id.in_(visible_notifications(user)))
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    items = list(db.session.scalars(stmt).unique())
    has_next = len(items) > limit
    items = items[:limit]
    return NotificationPage(items, has_next, items[-1].id if has_next else None)


def header_counts(user: User, *, read_now: int = 0) -> tuple[int, int]:
    """The header's two numbers in one statement: unread notifications (the bell) and conversations with new
    messages (``services.messages``), but ``read_now`` (a conversation the page has just marked read)."""
    if not permissions.is_member(user):
        return 0, 0
    from community.services.messages.read import unread_count_statement

    def build() -> Any:
        return select(_bell_statement(user).scalar_subquery(), unread_count_statement())

    statement = prebuilt(("header", permissions.viewer_shape(user)), build)
    row = db.session.execute(statement, {**permissions.viewer_params(user), "messages_read_now": read_now}).one()
    return int(row[0] or 0), int(row[1] or 0)


def _bell_statement(user: User) -> Any:
    unread = visible_notifications(user, bound=True).where(Notification.read_at.is_(None))
    return select(func.count()).select_from(Notification).where(
        Notification.id.in_(unread), Notification.read_at.is_(None)
    )


def unread_count(user: User) -> int:
    """The bell's number: unread notifications the member may still see."""
    if not permissions.is_member(user):
        return 0
    # read_at inside the subquery too: it then walks only the unread rows (ix_notifications_user_unread), not
    # every notification the member ever had (tens of thousands for a busy member of a large community).
    # Built once per viewer shape (on every page: building it cost four times as much as running it).
    def build() -> Any:
        unread = visible_notifications(user, bound=True).where(Notification.read_at.is_(None))
        return select(func.count()).select_from(Notification).where(
            Notification.id.in_(unread), Notification.read_at.is_(None)
        )

    statement = prebuilt(("bell", permissions.viewer_shape(user)), build)
    return db.session.scalar(statement, permissions.viewer_params(user)) or 0


def access_notification(user: User, notification_id: int) -> Notification:
    """The member's own notification, while they may still see it; NotFound otherwise (anybody else's too)."""
    note = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.id.in_(visible_notifications(user))))  # fmt: skip
    if note is None:
        raise NotFound(_("No such notification."))
    return note


def still_visible(notification_id: int) -> bool:
    """Whether the notification still exists and its member (still active) may still see it."""
    from community.auth_session import load_group_roles

    note = db.session.get(Notification, notification_id)
    user = db.session.get(User, note.user_id) if note is not None else None
    if user is None or not permissions.is_member(user):
        return False
    load_group_roles(user)
    visible = visible_notifications(user).where(Notification.id == notification_id)
    return db.session.scalar(visible) is not None


def _mail_still_wanted(message: Any) -> bool:
    """The outbox's check before sending: a notification's e-mail goes only while its reader may still see it."""
    value = (message.headers or {}).get(NOTIFICATION_HEADER)
    if value is None:
        return True  # not a notification's e-mail
    return str(value).isdigit() and still_visible(int(value))


mail.register_send_check(_mail_still_wanted)


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
