"""Announcements: a Topic of kind ``announcement`` (its opening Post is the Markdown body) with one
``Announcement`` row beside it, and one ``AnnouncementView`` row per member who has seen it.

A group's announcement (``Topic.group_id`` set) is for the group's active members, a community-wide one
(NULL) for every active member. It is published now or at ``Topic.publish_at`` (status ``scheduled``, like a
blog post) and stops showing at the top of home and group pages at ``expires_at`` (it stays on its own page
and in the list). A view row exists once the member has seen it (opened it, or had it shown at the top of a
page); ``dismissed_at`` takes it off the top for them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.content import Topic


class Announcement(db.Model):
    """What an announcement adds to its Topic: when it stops showing at the top of pages."""

    __tablename__ = "announcements"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    topic: Mapped[Topic] = relationship(lazy="raise_on_sql")


class AnnouncementView(db.Model):
    """A member has seen an announcement (``seen_at``), and perhaps dismissed it (``dismissed_at``)."""

    __tablename__ = "announcement_views"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_announcement_views_user_id", "user_id"),)
