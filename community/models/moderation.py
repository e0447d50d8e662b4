"""Reports, and members muting or blocking one another."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.content import Post, Topic
from community.models.user import User

REPORT_REASONS = {
    "spam": _l("Spam or advertising"),
    "abuse": _l("Abusive, harassing or hateful"),
    "off_topic": _l("Off-topic or in the wrong place"),
    "privacy": _l("Shares private or confidential information"),
    "other": _l("Something else"),
}
REPORT_STATES = ("open", "resolved", "dismissed")


class Report(db.Model):
    """A member flags a post or a profile; facilitators of its group (admins everywhere) handle it."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # What is reported: a post (and so its topic), or a member's profile.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The group whose facilitators see the report (NULL: community-wide, for admins and facilitators).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    # Reports the system files itself (blocklist matches, pre-moderation) have no reporter.
    automatic: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(String(500), default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="raise_on_sql")
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id], lazy="raise_on_sql")
    post: Mapped[Post | None] = relationship(lazy="raise_on_sql")
    topic: Mapped[Topic | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (Index("ix_reports_status_group", "status", "group_id", "created_at"),)


class MemberRelation(db.Model):
    """A member mutes (collapses their posts) or blocks (no mentions or messages) another member; either one
    silences that member's notifications and home-feed activity for them (services.notifications, feed)."""

    __tablename__ = "member_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # mute | block
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "other_id", "kind"),)
