"""Groups (cohorts, study sets, interest circles) and their memberships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.user import User

VISIBILITIES = ("open", "request", "private")
GROUP_ROLES = ("facilitator", "member")
MEMBERSHIP_STATES = ("active", "requested", "invited")


class Group(db.Model):
    """A group; its visibility decides who may see it and its content."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    cover_path: Mapped[str | None] = mapped_column(String(255))
    visibility: Mapped[str] = mapped_column(String(10), default="open", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    # Pre-moderation of every post in the group.
    approve_all_posts: Mapped[bool] = mapped_column(Boolean, default=False)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The programme the cohort follows (see models.programmes: no foreign key, on purpose).
    programme_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # "Give peers N hours first": a facilitator's answer to a new question waits that long (0: off).
    peers_first_hours: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Group {self.slug} {self.visibility}>"


class Membership(db.Model):
    """A member's place in a group: role facilitator|member, state active|requested|invited."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    state: Mapped[str] = mapped_column(String(20), default="active")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(lazy="raise_on_sql")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")

    # The review queue's count of join requests (state "requested") per group, on every staff page.
    __table_args__ = (UniqueConstraint("group_id", "user_id"), Index("ix_memberships_state_group", "state", "group_id"))
