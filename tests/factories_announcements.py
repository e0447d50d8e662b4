"""Announcements for tests, made through the announcement services (the production code path)."""

from __future__ import annotations

import itertools
from datetime import datetime

from community.extensions import db
from community.models import Announcement, AnnouncementView, Group, Topic, User
from community.permissions import access_announcement
from community.services import announcements as service
from tests.factories import acting

_numbers = itertools.count(1)


def make_announcement(author: User, group: Group | None = None, *, title: str | None = None,
                      body: str = "Week 3 starts on Monday: read chapter 4 first.",
                      publish_at: datetime | None = None, expires_at: datetime | None = None) -> Topic:  # fmt: skip
    """An announcement by ``author`` (a facilitator of ``group``, or an admin for a community-wide one)."""
    fields = service.AnnouncementFields(title=title or f"Announcement {next(_numbers)}", body=body,
                                        publish_at=publish_at, expires_at=expires_at)  # fmt: skip
    return service.announce(acting(author), group, fields)


def load_announcement(user: User, topic_id: int) -> tuple[Topic, Announcement, AnnouncementView | None]:
    """The announcement as a view loads it, for calling services in tests."""
    db.session.expire_all()
    return access_announcement(acting(user), topic_id)
