"""Announcement writes: announcing (now or at a set time), editing, withdrawing, dismissing, and the job
that publishes the scheduled ones.

An announcement is a Topic of kind ``announcement`` made by ``posts.create_topic`` (so markup, mentions,
search, reactions, reports and revisions work on its opening Post). Publishing it, now or later, sends the
``topic_published`` event, whose receiver (``notify_events``) tells the whole audience at once; editing sends
no such event, so nobody is told again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from community.database import side_write, upsert, writing
from community.errors import Forbidden, InvalidInput
from community.extensions import db
from community.models import Announcement, AnnouncementView, Group, Post, Topic, User, utcnow
from community.permissions import can_announce, can_dismiss_announcement, can_edit_announcement
from community.services import posts, submissions
from community.services.audit import record


@dataclass
class AnnouncementFields:
    """What the announcement form gives (times in UTC, already read in the author's zone)."""

    title: str
    body: str
    publish_at: datetime | None = None  # None: at once
    expires_at: datetime | None = None  # None: shows at the top until dismissed


def _check_times(fields: AnnouncementFields, now: datetime, *, scheduling: bool) -> None:
    """InvalidInput on the field at fault: a publish time already past, an expiry before publication."""
    if scheduling and fields.publish_at is not None and fields.publish_at <= now:
        raise InvalidInput(_("That time has already passed: choose a time in the future."), field="publish_at")
    start = fields.publish_at if fields.publish_at is not None else now
    if fields.expires_at is not None and fields.expires_at <= start:
        raise InvalidInput(_("The announcement must stop showing after it is published."), field="expires_at")


def announce(actor: User, group: Group | None, fields: AnnouncementFields, *, submission_key: str | None = None,
             now: datetime | None = None) -> Topic:  # fmt: skip
    """Announce in a group (or to the whole community, ``group=None``), now or at ``publish_at`` (commits)."""
    submission_key = submissions.check(actor, submission_key, fields.body)
    if not can_announce(actor, group):
        raise Forbidden(_("Only the group's facilitators can make announcements here."))
    now = now or utcnow()
    _check_times(fields, now, scheduling=True)
    status = "scheduled" if fields.publish_at is not None else "published"
    topic = posts.create_topic(actor, kind="announcement", title=fields.title, body=fields.body, group=group,
                               status=status, publish_at=fields.publish_at, commit=False,
                               submission_key=submission_key)  # fmt: skip
    db.session.add(Announcement(topic_id=topic.id, expires_at=fields.expires_at))
    db.session.commit()
    return topic


def update_announcement(actor: User, topic: Topic, announcement: Announcement, opening: Post,
                        fields: AnnouncementFields, *, base_revision: int | None = None,
                        now: datetime | None = None) -> None:  # fmt: skip
    """Change the title, text, expiry (and, while it waits, the publish time) of an announcement (commits).
    Nobody is told again: only members newly @mentioned hear of it."""
    if not can_edit_announcement(actor, topic):
        raise Forbidden(_("You can't change this announcement."))
    now = now or utcnow()
    waiting = topic.status == "scheduled"
    if not waiting:
        fields.publish_at = topic.published_at
    _check_times(fields, now, scheduling=waiting)
    posts.clean_title(fields.title)
    posts.clean_body(fields.body)
    announcement.expires_at = fields.expires_at
    if waiting:
        if fields.publish_at is None:
            raise InvalidInput(_("Please choose the date and time to publish."), field="publish_at")
        topic.publish_at = fields.publish_at
    posts.edit_post(actor, opening, topic, fields.body, title=fields.title, base_revision=base_revision)
    db.session.commit()  # the times, when the text did not change


def withdraw_announcement(actor: User, topic: Topic) -> None:
    """Take an announcement down (its author or an admin): gone from every page, list and search (commits)."""
    if not can_edit_announcement(actor, topic):
        raise Forbidden(_("You can't withdraw this announcement."))
    topic.deleted_at = utcnow()
    if topic.author_id != actor.id:
        opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
        if opening is not None:
            record(actor, "post.delete", opening, group_id=topic.group_id)
    db.session.commit()


def _views_table() -> object:
    return upsert(AnnouncementView.__table__, db.engine.dialect.name)


def dismiss(actor: User, topic: Topic) -> None:
    """Take an announcement off the top of the member's home and group pages (it counts as seen; commits)."""
    if not can_dismiss_announcement(actor, topic):
        raise Forbidden(_("You can't dismiss this announcement."))
    now = utcnow()
    statement = _views_table().values(topic_id=topic.id, user_id=actor.id, seen_at=now, dismissed_at=now)  # type: ignore[attr-defined]
    with writing():
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["topic_id", "user_id"], set_={"dismissed_at": now}))  # fmt: skip
        db.session.commit()


def mark_seen(user: User, topic_ids: list[int]) -> None:
    """Record that the member has seen these announcements: one insert-or-ignore, in its own short write (a
    page view stays a reader; see ``database.side_write``)."""
    if not topic_ids:
        return
    now = utcnow()
    rows = [{"topic_id": i, "user_id": user.id, "seen_at": now, "dismissed_at": None} for i in sorted(set(topic_ids))]
    side_write([_views_table().values(rows).on_conflict_do_nothing()])  # type: ignore[attr-defined]


def publish_due_announcements(now: datetime | None = None, limit: int = 100) -> int:
    """Publish every scheduled announcement whose time has come (telling its audience then); returns how
    many. Safe to run concurrently, like ``blogs.publish_due_posts``."""
    return posts.publish_due("announcement", now or utcnow(), limit)
