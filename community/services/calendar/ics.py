"""iCalendar (RFC 5545) with the ``icalendar`` package: an event's "Add to calendar" file and a member's feed.

Times are written in the event's own zone with its VTIMEZONE (so a weekly series keeps its local hour across
summer time in every calendar app); a series carries its RRULE, cancelled dates as EXDATE and moved dates as
overriding VEVENTs with a RECURRENCE-ID. The UID is stable (the event's id on the community's host) and
SEQUENCE is the event's own counter, bumped on every change of time, place or state, so calendars update their
copy. Only what the receiver may see goes in: the caller passes the rows the member's visibility allowed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from community.i18n import zoneinfo_or_utc
from community.markup import plain_excerpt
from community.models import Event, Topic
from community.services.calendar.recurrence import occurrences

PRODID = "-//Community platform//Events//EN"


def uid(event: Event, domain: str) -> str:
    """The event's UID, the same in every file and feed for as long as the event lives."""
    return f"event-{event.id}@{domain}"


def _local(value: datetime, zone: str) -> datetime:
    return value.astimezone(zoneinfo_or_utc(zone))


def _vevent(topic: Topic, event: Event, *, domain: str, url: str, description: str) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", uid(event, domain))
    vevent.add("dtstamp", event.updated_at)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", topic.title)
    text = plain_excerpt(description, 1500) if description else ""
    vevent.add("description", f"{text}\n\n{url}".strip())
    vevent.add("url", url)
    place = ", ".join(p for p in (event.location, event.online_url) if p)
    if place:
        vevent.add("location", place)
    vevent.add("status", "CANCELLED" if event.cancelled_at is not None else "CONFIRMED")
    return vevent


def add_event(cal: Calendar, topic: Topic, event: Event, exceptions: list[Any], *, domain: str, url: str,
              description: str = "") -> None:  # fmt: skip
    """Add the event (and, for a series, its cancelled and moved dates) to ``cal``."""
    zone = event.timezone
    main = _vevent(topic, event, domain=domain, url=url, description=description)
    main.add("dtstart", _local(event.starts_at, zone))
    main.add("dtend", _local(event.ends_at, zone))
    cal.add_component(main)
    if not event.rrule:
        return
    main.add("rrule", vRecur.from_ical(event.rrule))
    series = occurrences(event, exceptions)
    cancelled = [_local(o.original_start, zone) for o in series if o.cancelled]
    if cancelled:
        main.add("exdate", cancelled)
    for moved in (o for o in series if o.moved):
        override = _vevent(topic, event, domain=domain, url=url, description=description)
        override.add("recurrence-id", _local(moved.original_start, zone))
        override.add("dtstart", _local(moved.start, zone))
        override.add("dtend", _local(moved.end, zone))
        cal.add_component(override)


def calendar(name: str) -> Calendar:
    """An empty calendar to publish (METHOD:PUBLISH) under ``name``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def serialise(cal: Calendar) -> bytes:
    """The calendar as bytes, with a VTIMEZONE for every zone its events name."""
    cal.add_missing_timezones()
    return cal.to_ical()
