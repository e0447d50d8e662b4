"""Event reads: the month view, the upcoming lists (home, group page, dashboard), the event page, the feed.

Each reads a fixed number of statements whatever the number of events: the events with their topics and
groups in one, their exceptions in a second (``selectinload``); recurrences expand in Python.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.extensions import db
from community.i18n import local_date, start_of_local_day
from community.models import Event, EventException, EventRsvp, Group, Membership, Post, Topic, User, utcnow
from community.permissions import can_create_event, can_moderate_topic, is_member, live_posts, visible_topics
from community.services.calendar.recurrence import Occurrence, occurrences

MONTH_LIMIT = 500  # events a month view reads at most (a busy community has tens)
UPCOMING_CANDIDATES = 100
HOME_EVENTS = 4  # the next dates on the home and group pages
FEED_PAST = timedelta(days=90)
FEED_LIMIT = 500


@dataclass
class Item:
    """One occurrence of one event, with what a listing shows of it."""

    topic: Topic
    event: Event
    occurrence: Occurrence

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled_at is not None or self.occurrence.cancelled


def _events(viewer: Any, *where: Any, order: Any = None, limit: int = MONTH_LIMIT) -> list[tuple[Topic, Event]]:
    stmt = (
        select(Topic, Event).join(Event, Event.topic_id == Topic.id)
        .where(visible_topics(viewer), Topic.kind == "event", *where)
        .options(joinedload(Topic.group), selectinload(Event.exceptions))
        .order_by(order if order is not None else Event.starts_at, Event.id).limit(limit)
    )  # fmt: skip
    return [(row[0], row[1]) for row in db.session.execute(stmt)]


def _items(rows: list[tuple[Topic, Event]], start: datetime, end: datetime, *, live_only: bool = False) -> list[Item]:
    items = []
    for topic, event in rows:
        for occurrence in occurrences(event):
            if occurrence.end <= start or occurrence.start >= end:
                continue
            item = Item(topic, event, occurrence)
            if live_only and item.cancelled:
                continue
            items.append(item)
    items.sort(key=lambda i: (i.occurrence.start, i.event.id))
    return items


# --------------------------------------------------------------------------------------------------
# The month view


@dataclass
class Day:
    day: date
    in_month: bool
    items: list[Item] = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    items: list[Item]
    prev: date
    next: date
    today: date


def parse_month(text: str | None, today: date) -> date:
    """'2026-12' as the first of that month; today's month for anything else (years 2000-2100)."""
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def month_view(viewer: Any, first: date, *, group: Group | None = None, firstweekday: int = 0) -> Month:
    """The month's grid (weeks of days, each with the occurrences starting that day in the viewer's zone) and
    the same occurrences as a list (the phone's view)."""
    weeks_days = pycalendar.Calendar(firstweekday).monthdatescalendar(first.year, first.month)
    start = start_of_local_day(weeks_days[0][0])
    end = start_of_local_day(weeks_days[-1][-1] + timedelta(days=1))
    where = [Event.last_ends_at > start, Event.starts_at < end]
    if group is not None:
        where.append(Topic.group_id == group.id)
    items = _items(_events(viewer, *where), start, end)
    by_day: dict[date, list[Item]] = {}
    for item in items:
        by_day.setdefault(local_date(item.occurrence.start), []).append(item)
    weeks = [[Day(d, d.month == first.month, by_day.get(d, [])) for d in week] for week in weeks_days]
    prev = (first - timedelta(days=1)).replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    in_month = [i for i in items if local_date(i.occurrence.start).month == first.month]
    return Month(first, weeks, in_month, prev, nxt, local_date(utcnow()))


# --------------------------------------------------------------------------------------------------
# Upcoming lists


def schedulable_groups(user: Any) -> list[Group]:
    """The live groups the member may schedule events in (``can_create_event``): the ones they facilitate,
    every one for the community manager. By name."""
    if not is_member(user):
        return []
    stmt = select(Group).where(Group.archived_at.is_(None)).order_by(func.lower(Group.name), Group.id)
    if user.role != "admin":
        facilitated = [gid for gid, role in user.group_roles.items() if role == "facilitator"]
        if not facilitated:
            return []
        stmt = stmt.where(Group.id.in_(facilitated))
    return [g for g in db.session.scalars(stmt) if can_create_event(user, g)]


def upcoming(viewer: Any, *, group: Group | None = None, group_ids: list[int] | None = None, limit: int = 5,
             now: datetime | None = None) -> list[Item]:  # fmt: skip
    """The next occurrences the viewer may see (of one group, of some groups, or everywhere), cancelled ones
    left out: two statements."""
    now = now or utcnow()
    where: list[Any] = [Event.last_ends_at > now, Event.cancelled_at.is_(None)]
    if group is not None:
        where.append(Topic.group_id == group.id)
    elif group_ids is not None:
        where.append(Topic.group_id.in_(group_ids or [-1]))
    rows = _events(viewer, *where, limit=UPCOMING_CANDIDATES)
    return _items(rows, now, now + timedelta(days=400), live_only=True)[:limit]


@dataclass
class Session:
    """The dashboard's view of a coming session: who answered what, and the group's members who haven't."""

    item: Item
    counts: dict[str, int]
    silent: list[User]
    silent_count: int


SILENT_SHOWN = 12


def coming_sessions(viewer: Any, group_ids: list[int], limit: int = 3) -> list[Session]:
    """The next sessions of these groups for the facilitator's dashboard, with the group's members (not its
    facilitators, not the organiser) who have not answered (four statements whatever the number of groups,
    events and members)."""
    items = upcoming(viewer, group_ids=group_ids, limit=limit)
    event_ids = sorted({i.event.id for i in items})
    if not event_ids:
        return []
    counts: dict[int, dict[str, int]] = {}
    for event_id, answer, number in db.session.execute(
        select(EventRsvp.event_id, EventRsvp.answer, func.count()).where(EventRsvp.event_id.in_(event_ids))
        .group_by(EventRsvp.event_id, EventRsvp.answer)
    ):  # fmt: skip
        counts.setdefault(event_id, {})[answer] = number
    answered = exists().where(EventRsvp.event_id == Event.id, EventRsvp.user_id == Membership.user_id)
    silent: dict[int, list[User]] = {}
    rows = db.session.execute(
        select(Event.id, User).join(Topic, Topic.id == Event.topic_id)
        .join(Membership, and_(Membership.group_id == Topic.group_id, Membership.state == "active",
                               Membership.role == "member"))
        .join(User, and_(User.id == Membership.user_id, User.state == "active", User.id != Topic.author_id))
        .where(Event.id.in_(event_ids), ~answered)
        .order_by(Event.id, func.lower(User.display_name), User.id)
    )  # fmt: skip
    for event_id, user in rows:
        silent.setdefault(event_id, []).append(user)
    return [Session(i, counts.get(i.event.id, {}), silent.get(i.event.id, [])[:SILENT_SHOWN],
                    len(silent.get(i.event.id, []))) for i in items]  # fmt: skip


# --------------------------------------------------------------------------------------------------
# The event page


@dataclass
class EventPage:
    opening: Post
    comments: list[Post]
    occurrences: list[Occurrence]
    answers: dict[str, list[User]]
    mine: str | None
    exceptions: list[EventException]

    @property
    def going_count(self) -> int:
        return len(self.answers.get("going", []))


def event_page(viewer: Any, topic: Topic, event: Event) -> EventPage:
    """The description, the comments the viewer may see, the dates and the answers (four statements)."""
    posts = list(db.session.scalars(
        select(Post).where(Post.topic_id == topic.id).options(joinedload(Post.author)).order_by(Post.number)
    ))  # fmt: skip
    opening = posts[0]
    moderator = can_moderate_topic(viewer, topic)
    comments = [p for p in posts[1:] if p.deleted_at is None and (
        (p.hidden_at is None and not p.pending) or moderator or p.author_id == viewer.id)]
    exceptions = list(db.session.scalars(select(EventException).where(EventException.event_id == event.id)))
    answers: dict[str, list[User]] = {"going": [], "maybe": [], "no": []}
    mine = None
    for rsvp in db.session.scalars(
        select(EventRsvp).where(EventRsvp.event_id == event.id).options(joinedload(EventRsvp.user))
        .order_by(EventRsvp.created_at, EventRsvp.id)
    ):  # fmt: skip
        if rsvp.user_id == viewer.id:
            mine = rsvp.answer
        if rsvp.user.state == "active":
            answers[rsvp.answer].append(rsvp.user)
    return EventPage(opening, comments, occurrences(event, exceptions), answers, mine, exceptions)


# --------------------------------------------------------------------------------------------------
# The member's calendar feed and the .ics download


def feed_rows(member: User, now: datetime | None = None) -> list[tuple[Topic, Event]]:
    """The events of every group the member belongs to and the community-wide ones (never a group they don't
    belong to, even an open one), from three months back: what their calendar app subscribes to."""
    now = now or utcnow()
    mine = sorted(getattr(member, "group_roles", {}) or {})
    where = [Event.last_ends_at > now - FEED_PAST,
             or_(Topic.group_id.is_(None), Topic.group_id.in_(mine or [-1]))]  # fmt: skip
    return _events(member, *where, order=Event.starts_at.desc(), limit=FEED_LIMIT)


def opening_texts(topic_ids: list[int]) -> dict[int, str]:
    """The description (the opening post's Markdown) of each topic, in one statement."""
    if not topic_ids:
        return {}
    rows = db.session.execute(
        select(Post.topic_id, Post.body).where(Post.topic_id.in_(topic_ids), Post.number == 1, live_posts()))
    return {topic_id: body for topic_id, body in rows}
