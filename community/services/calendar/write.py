"""Event writes: scheduling, changing, cancelling (a series or one occurrence), answers and comments.

Every verb checks its predicate, validates what it stores (a clear message on the field it is about) and
commits. A change of time or place, or a cancellation, bumps the iCalendar SEQUENCE and tells the members
who answered (notification kinds ``event_changed`` and ``event_cancelled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from community.database import upsert
from community.errors import Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.i18n import is_timezone
from community.models import Event, EventException, EventRsvp, Group, Post, Topic, User, utcnow
from community.permissions import can_create_event, can_edit_event, can_reply, can_rsvp
from community.services import posts, submissions, url_tokens
from community.services.audit import record
from community.services.calendar.recurrence import check_rule, last_end, occurrences
from community.services.notifications import notify
from community.services.notify_mail import path_for
from community.services.programmes import check_unit

MAX_LENGTH = timedelta(days=14)
MAX_CAPACITY = 100_000
FEED_PURPOSE = "calendar"


@dataclass
class EventFields:
    """What the event form gives (times in UTC, already read from the event's zone)."""

    title: str
    body: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str = ""
    online_url: str = ""
    capacity: int | None = None
    rrule: str = ""


def _clean(fields: EventFields) -> EventFields:
    """The fields, trimmed and checked: InvalidInput names the field at fault."""
    zone = (fields.timezone or "").strip()
    if not is_timezone(zone):
        raise InvalidInput(_("Please choose a time zone from the list (for example Europe/London)."),
                           field="timezone")  # fmt: skip
    if fields.ends_at <= fields.starts_at:
        raise InvalidInput(_("The event must end after it starts."), field="ends_at")
    if fields.ends_at - fields.starts_at > MAX_LENGTH:
        raise InvalidInput(_("An event lasts at most 14 days."), field="ends_at")
    location = " ".join((fields.location or "").split())
    if len(location) > 200:
        raise InvalidInput(_("Please keep the place under 200 characters."), field="location")
    link = (fields.online_url or "").strip()
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in link or len(link) > 500:
            raise InvalidInput(_("The meeting link must be a web address starting with https:// or http://."),
                               field="online_url")  # fmt: skip
    capacity = fields.capacity
    if capacity is not None and not (1 <= capacity <= MAX_CAPACITY):
        raise InvalidInput(_("The number of places is a whole number from 1 to %(max)d, or empty for no limit.",
                             max=MAX_CAPACITY), field="capacity")  # fmt: skip
    rule = check_rule(fields.rrule, fields.starts_at, zone, field="rrule") if fields.rrule else ""
    return EventFields(title=fields.title, body=fields.body, starts_at=fields.starts_at, ends_at=fields.ends_at,
                       timezone=zone, location=location, online_url=link, capacity=capacity, rrule=rule)  # fmt: skip


def _tell(event: Event, kind: str, actor: User, topic: Topic) -> None:
    """Tell every member who answered the event (going, maybe or no) that it changed or is cancelled; the bell
    and the e-mail lead to the event page (the place stays there, out of the e-mail)."""
    answered = db.session.scalars(select(EventRsvp.user_id).where(EventRsvp.event_id == event.id))
    notify(list(answered), kind, actor, topic=topic, url=path_for("calendar.event", topic_id=topic.id))


def _load_exceptions(event: Event) -> list[EventException]:
    return list(db.session.scalars(select(EventException).where(EventException.event_id == event.id)))


def schedule_event(actor: User, group: Group | None, fields: EventFields, *, unit_id: int | str | None = None,
                   submission_key: str | None = None) -> Topic:  # fmt: skip
    """Schedule an event in a group (or community-wide, ``group=None``) with its description (commits)."""
    submission_key = submissions.check(actor, submission_key, fields.body)
    if not can_create_event(actor, group):
        raise Forbidden(_("Only the group's facilitators can schedule events here."))
    clean = _clean(fields)
    checked_unit = check_unit(group, unit_id)
    topic = posts.create_topic(actor, kind="event", title=clean.title, body=clean.body, group=group, commit=False,
                               submission_key=submission_key)  # fmt: skip
    topic.unit_id = checked_unit
    event = Event(topic_id=topic.id, starts_at=clean.starts_at, ends_at=clean.ends_at, timezone=clean.timezone,
                  location=clean.location, online_url=clean.online_url, capacity=clean.capacity, rrule=clean.rrule,
                  updated_at=utcnow())  # fmt: skip
    event.last_ends_at = last_end(event, [])
    db.session.add(event)
    db.session.commit()
    return topic


def update_event(actor: User, topic: Topic, event: Event, opening: Post, fields: EventFields,
                 base_revision: int | None = None) -> bool:  # fmt: skip
    """Change an event's text, time, place, capacity or recurrence (commits). Returns whether the time or
    place changed, in which case calendars get a new SEQUENCE and those who answered are told."""
    if not can_edit_event(actor, topic):
        raise Forbidden(_("You can't change this event."))
    clean = _clean(fields)
    when_or_where = (
        (clean.starts_at, clean.ends_at, clean.timezone, clean.rrule, clean.location, clean.online_url)
        != (event.starts_at, event.ends_at, event.timezone, event.rrule, event.location, event.online_url)
    )
    if (clean.starts_at, clean.timezone, clean.rrule) != (event.starts_at, event.timezone, event.rrule):
        # Another series: exceptions were keyed by the old starts and no longer mean anything.
        db.session.execute(delete(EventException).where(EventException.event_id == event.id))
    event.starts_at, event.ends_at, event.timezone = clean.starts_at, clean.ends_at, clean.timezone
    event.location, event.online_url, event.capacity, event.rrule = (
        clean.location, clean.online_url, clean.capacity, clean.rrule)
    db.session.flush()
    event.last_ends_at = last_end(event, _load_exceptions(event))
    event.updated_at = utcnow()
    if when_or_where:
        event.sequence += 1
        _tell(event, "event_changed", actor, topic)
    if topic.author_id != actor.id:
        record(actor, "event.edit", topic, group_id=topic.group_id)
    if opening.body != clean.body or topic.title != posts.clean_title(clean.title):
        posts.edit_post(actor, opening, topic, clean.body, title=clean.title, base_revision=base_revision)  # commits
    else:
        db.session.commit()
    return when_or_where


def cancel_event(actor: User, topic: Topic, event: Event) -> None:
    """Cancel the whole event or series; it stays readable, marked cancelled, and takes no answers (commits)."""
    if not can_edit_event(actor, topic):
        raise Forbidden(_("You can't cancel this event."))
    if event.cancelled_at is not None:
        return
    event.cancelled_at = event.updated_at = utcnow()
    event.sequence += 1
    _tell(event, "event_cancelled", actor, topic)
    record(actor, "event.cancel", topic, group_id=topic.group_id)
    db.session.commit()


def _occurrence(event: Event, original_start: datetime) -> Any:
    for occurrence in occurrences(event, _load_exceptions(event)):
        if occurrence.original_start == original_start:
            return occurrence
    raise NotFound(_("This event has no such date."))


def _set_exception(event: Event, original_start: datetime, **values: Any) -> None:
    stmt = upsert(EventException.__table__, db.engine.dialect.name).values(
        event_id=event.id, occurrence_start=original_start, created_at=utcnow(), **values)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["event_id", "occurrence_start"], set_=values))


def cancel_occurrence(actor: User, topic: Topic, event: Event, original_start: datetime) -> None:
    """Cancel one date of a series (an EXDATE in calendars); those who answered are told (commits)."""
    if not can_edit_event(actor, topic):
        raise Forbidden(_("You can't change this event."))
    occurrence = _occurrence(event, original_start)
    if occurrence.cancelled:
        return
    _set_exception(event, original_start, cancelled=True, new_starts_at=None, new_ends_at=None)
    db.session.flush()
    event.last_ends_at = last_end(event, _load_exceptions(event))
    event.sequence += 1
    event.updated_at = utcnow()
    _tell(event, "event_cancelled", actor, topic)
    db.session.commit()


def move_occurrence(actor: User, topic: Topic, event: Event, original_start: datetime, starts_at: datetime,
                    ends_at: datetime) -> None:  # fmt: skip
    """Move one date of a series to another time (a RECURRENCE-ID override in calendars; commits)."""
    if not can_edit_event(actor, topic):
        raise Forbidden(_("You can't change this event."))
    _occurrence(event, original_start)
    if ends_at <= starts_at:
        raise InvalidInput(_("The event must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise InvalidInput(_("An event lasts at most 14 days."), field="ends_at")
    _set_exception(event, original_start, cancelled=False, new_starts_at=starts_at, new_ends_at=ends_at)
    db.session.flush()
    event.last_ends_at = last_end(event, _load_exceptions(event))
    event.sequence += 1
    event.updated_at = utcnow()
    _tell(event, "event_changed", actor, topic)
    db.session.commit()


def answer_event(actor: User, topic: Topic, event: Event, answer: str, now: datetime | None = None) -> str:
    """Answer going, maybe or no (changing a previous answer; commits). "Going" is refused, with a message,
    when the event is full: the member may still answer maybe."""
    now = now or utcnow()
    if answer not in ("going", "maybe", "no"):
        raise InvalidInput(_("Please answer going, maybe or not going."), field="answer")
    if not can_rsvp(actor, topic, event, now):
        raise Forbidden(_("This event takes no more answers.") if event.cancelled_at or event.last_ends_at <= now
                        else _("You can't answer this event."))  # fmt: skip
    if answer == "going" and event.capacity is not None:
        # Serialise "going" answers to this event (PostgreSQL; SQLite writers are serialised already), so two
        # members can't both take the last place.
        db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
        going = db.session.scalar(select(func.count()).select_from(EventRsvp).where(
            EventRsvp.event_id == event.id, EventRsvp.answer == "going", EventRsvp.user_id != actor.id))
        if (going or 0) >= event.capacity:
            db.session.rollback()
            raise InvalidInput(_("This event is full: all %(num)d places are taken. You can answer “maybe” and "
                                 "watch for a place.", num=event.capacity), field="answer")  # fmt: skip
    stmt = upsert(EventRsvp.__table__, db.engine.dialect.name).values(
        event_id=event.id, user_id=actor.id, answer=answer, created_at=now, updated_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["event_id", "user_id"],
                                                  set_={"answer": answer, "updated_at": now}))  # fmt: skip
    db.session.commit()
    return answer


def comment_on_event(actor: User, topic: Topic, body: str, *, submission_key: str | None = None) -> Post:
    """A comment under the event (commits)."""
    submission_key = submissions.check(actor, submission_key, body)
    if topic.kind != "event":
        raise NotFound(_("No such event."))
    if not can_reply(actor, topic):
        raise Forbidden(_("Only members of the group can comment here."))
    return posts.add_post(actor, topic, body, kind="reply", submission_key=submission_key)


# --------------------------------------------------------------------------------------------------
# The private calendar feed link


def has_feed_link(actor: User) -> bool:
    """Whether the member has made their calendar link (it can't be shown again: only its hash is kept)."""
    return bool(url_tokens.list_url_tokens(actor, FEED_PURPOSE))


def reset_feed_link(actor: User) -> str:
    """A new calendar link for the member; any earlier one stops working at once (commits). Returns the token."""
    url_tokens.revoke_url_tokens(actor, FEED_PURPOSE)
    return url_tokens.create_url_token(actor, FEED_PURPOSE, _("Calendar"))


def stop_feed_link(actor: User) -> int:
    """Stop the member's calendar link (commits); returns how many stopped."""
    return url_tokens.revoke_url_tokens(actor, FEED_PURPOSE)


def user_for_feed_token(token: str | None) -> User:
    """The active member a calendar token belongs to, with group roles loaded; NotFound otherwise."""
    return url_tokens.member_for_url_token(FEED_PURPOSE, token)
