"""Events for tests, scheduled through the calendar services (the production code path)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from community.extensions import db
from community.models import Event, Group, Topic, User, utcnow
from community.permissions import access_event
from community.services import calendar as cal
from tests.factories import acting

_numbers = itertools.count(1)


def in_days(days: float, hour: int = 18) -> datetime:
    """A start ``days`` from now at ``hour``:00 UTC (the minute rounded, as forms give it)."""
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def make_event(author: User, group: Group | None = None, *, starts_at: datetime | None = None, hours: float = 1,
               title: str | None = None, body: str = "We meet to work through the week's case.",
               timezone: str = "UTC", location: str = "Room 4", online_url: str = "https://meet.example.org/abc",
               capacity: int | None = None, rrule: str = "") -> Topic:  # fmt: skip
    """An event scheduled by ``author`` (a facilitator of ``group``, or staff for a community-wide one)."""
    starts_at = starts_at or in_days(3)
    fields = cal.EventFields(title=title or f"Session {next(_numbers)}", body=body, starts_at=starts_at,
                             ends_at=starts_at + timedelta(hours=hours), timezone=timezone, location=location,
                             online_url=online_url, capacity=capacity, rrule=rrule)  # fmt: skip
    return cal.schedule_event(acting(author), group, fields)


def load_event(user: User, topic_id: int) -> tuple[Topic, Event]:
    """The event as a view loads it, for calling services in tests."""
    db.session.expire_all()
    return access_event(acting(user), topic_id)


def answer(user: User, topic_id: int, what: str, **kwargs: Any) -> str:
    """``user`` answers the event going / maybe / no."""
    topic, event = load_event(user, topic_id)
    return cal.answer_event(acting(user), topic, event, what, **kwargs)
