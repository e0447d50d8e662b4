"""Events and the calendar: an event is a Topic of kind ``event`` with one ``Event`` row beside it.

The Topic carries the title, the group (NULL: community-wide) and the visibility every listing applies; its
opening Post is the description and replies are the comments. The ``Event`` row holds the times (UTC, with
the event's own time-zone name, in which a recurrence keeps its wall-clock time across summer time), the
place (seen by those who may see the event, never outside), the capacity and the recurrence (an iCalendar
RRULE). One occurrence of a series is cancelled or moved by an ``EventException`` row keyed by the start it
had. Answers (going / maybe / not going) are one per member and series. ``EventReminderSent`` makes each
reminder go once, whatever number of workers run.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.content import Topic
from community.models.user import User

RSVP_ANSWERS = {"going": _l("Going"), "maybe": _l("Maybe"), "no": _l("Not going")}
REMINDER_LEADS = ("24h", "1h")


class Event(db.Model):
    """When and where a Topic of kind ``event`` happens (one row per event topic)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    rrule: Mapped[str] = mapped_column(String(200), default="")
    # The end of the series' last occurrence (its own end for a one-off): the calendar's range queries read it.
    last_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # iCalendar SEQUENCE: bumped whenever the time, place or state changes, so calendars replace their copy.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    topic: Mapped[Topic] = relationship(lazy="raise_on_sql")
    exceptions: Mapped[list[EventException]] = relationship(
        lazy="raise_on_sql", order_by="EventException.occurrence_start", cascade="all, delete-orphan",
        passive_deletes=True,
    )  # fmt: skip

    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
        # The calendar: events that end after the range opens and start before it closes.
        Index("ix_events_range", "last_ends_at", "starts_at"),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)


class EventException(db.Model):
    """One occurrence of a series, cancelled or moved (``occurrence_start``: the start it had, UTC)."""

    __tablename__ = "event_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    new_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "occurrence_start"),)


class EventRsvp(db.Model):
    """A member's answer to an event (the whole series): going, maybe or no."""

    __tablename__ = "event_rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("answer IN ('going', 'maybe', 'no')", name="answer"),
        Index("ix_event_rsvps_event_answer", "event_id", "answer"),
    )


class EventReminderSent(db.Model):
    """A reminder that went out: one per member, occurrence and lead time (24 hours, 1 hour), ever."""

    __tablename__ = "event_reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    lead: Mapped[str] = mapped_column(String(4))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "user_id", "occurrence_start", "lead"),)
