"""Event reminders: an e-mail 24 hours and 1 hour before each occurrence to the members going or maybe.

A periodic job of the worker (``send_event_reminders``). Each reminder is one ``EventReminderSent`` row, unique
per event, member, occurrence and lead, written in the transaction that queues the e-mail: however many
workers run, however often, it goes once. A reminder whose moment passed while no worker ran is not sent
late as another: an occurrence within the hour gets only the 1-hour one. The member must still be able to see
the event when it goes (their roles are loaded afresh), and it is written in their language and time zone.
The place is in it: only members who may see the event get one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from community import permissions
from community.auth_session import load_group_roles
from community.database import writing
from community.extensions import db
from community.i18n import as_member
from community.models import Event, EventReminderSent, EventRsvp, Topic, User, utcnow
from community.services.calendar.recurrence import occurrences

LEADS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}


def _lead(start: datetime, now: datetime) -> str | None:
    """Which reminder is due for an occurrence starting at ``start``: "1h" within the hour, "24h" within the
    day, None otherwise (started already, or further off)."""
    if start <= now:
        return None
    if start - now <= LEADS["1h"]:
        return "1h"
    if start - now <= LEADS["24h"]:
        return "24h"
    return None


def send_event_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due (once each); returns how many went."""
    from community.services.notifications import preferences
    from community.services.notify_mail import external, path_for, send_templated

    now = now or utcnow()
    rows = db.session.execute(
        select(Topic, Event).join(Event, Event.topic_id == Topic.id)
        .where(Topic.kind == "event", permissions.live_topics(), Event.cancelled_at.is_(None),
               Event.last_ends_at > now, Event.starts_at <= now + LEADS["24h"])
        .options(joinedload(Topic.group), selectinload(Event.exceptions))
    ).all()  # fmt: skip
    due: list[tuple[Topic, Event, datetime, datetime, datetime, str]] = []
    for topic, event in rows:
        for occurrence in occurrences(event):
            lead = None if occurrence.cancelled else _lead(occurrence.start, now)
            if lead is not None:
                due.append((topic, event, occurrence.original_start, occurrence.start, occurrence.end, lead))
    sent = 0
    for topic, event, key, start, end, lead in due:
        answered = db.session.scalars(select(EventRsvp.user_id).where(
            EventRsvp.event_id == event.id, EventRsvp.answer.in_(("going", "maybe")))).all()
        done = set(db.session.scalars(select(EventReminderSent.user_id).where(
            EventReminderSent.event_id == event.id, EventReminderSent.occurrence_start == key,
            EventReminderSent.lead.in_(("1h", lead)))))  # the 1-hour one makes the day-before one pointless
        for user_id in sorted(set(answered) - done):
            with writing():
                user = db.session.get(User, user_id)
                if user is None or not permissions.is_member(user):
                    db.session.rollback()
                    continue
                load_group_roles(user)
                if not permissions.can_view_topic(user, topic) or preferences(user)["event_reminder"] != "email":
                    db.session.rollback()
                    continue
                db.session.add(EventReminderSent(event_id=event.id, user_id=user_id, occurrence_start=key,
                                                 lead=lead, sent_at=now))  # fmt: skip
                with as_member(user):
                    subject = (_("Tomorrow: %(title)s", title=topic.title) if lead == "24h"
                               else _("In an hour: %(title)s", title=topic.title))  # fmt: skip
                    send_templated(user, "event_reminder", subject, "calendar/email/reminder", topic=topic,
                                   event=event, start=start, end=end,
                                   link=external(path_for("calendar.event", topic_id=topic.id)))  # fmt: skip
                try:
                    db.session.commit()
                except IntegrityError:  # another worker sent this one first
                    db.session.rollback()
                    continue
            sent += 1
    return sent
