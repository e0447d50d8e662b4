"""The CPD record: a member's log of continuing professional development.

``CpdEntry`` is one thing the member did (a date, what they did, what they learned, how they will apply it,
hours in hundredths); ``CpdLink`` ties an entry to one of the member's own contributions (a post they wrote:
a blog post, an answer, a discussion; or an event they said yes to); ``CpdShare`` lets one facilitator of a
group the member is in read the whole log until the member revokes it. A unit of the programme may be added
to an entry later as a nullable ``unit_id``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.calendar import Event
from community.models.content import Post
from community.models.user import User

MAX_HOURS_HUNDREDTHS = 100 * 100  # one entry: at most 100 hours


class CpdEntry(db.Model):
    """One entry of a member's CPD log."""

    __tablename__ = "cpd_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    done_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    learned: Mapped[str] = mapped_column(Text, default="")
    apply: Mapped[str] = mapped_column(Text, default="")
    # The two long fields are Markdown, rendered once on write by markup.py (the only fields shown |safe).
    learned_html: Mapped[str] = mapped_column(Text, default="")
    apply_html: Mapped[str] = mapped_column(Text, default="")
    hours_hundredths: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise_on_sql")
    links: Mapped[list[CpdLink]] = relationship(lazy="raise_on_sql", cascade="all, delete-orphan",
                                                 order_by="CpdLink.id", back_populates="entry")  # fmt: skip

    __table_args__ = (
        Index("ix_cpd_entries_user_id_done_on", "user_id", "done_on"),
        CheckConstraint("hours_hundredths >= 0", name="hours_not_negative"),
    )


class CpdLink(db.Model):
    """An entry's link to the member's own post or to an event they attended (exactly one of the two)."""

    __tablename__ = "cpd_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("cpd_entries.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)

    entry: Mapped[CpdEntry] = relationship(lazy="raise_on_sql", back_populates="links")
    post: Mapped[Post | None] = relationship(lazy="raise_on_sql")
    event: Mapped[Event | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint("(post_id IS NULL) != (event_id IS NULL)", name="one_target"),
    )


class CpdShare(db.Model):
    """The member lets a facilitator read their CPD log (revoked: the row is deleted)."""

    __tablename__ = "cpd_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="raise_on_sql")
    facilitator: Mapped[User] = relationship(foreign_keys=[facilitator_id], lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("owner_id", "facilitator_id"),)
