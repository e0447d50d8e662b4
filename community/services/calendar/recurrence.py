"""Recurring events: the RRULEs the form builds, the limits every rule must keep, and the occurrences.

A series repeats in its own time zone (a weekly tutorial at 18:00 in London stays at 18:00 when the clocks
change), so rules expand from the local start and each occurrence is converted to UTC afterwards. A rule must
end (COUNT or UNTIL), stay within a year and ``MAX_OCCURRENCES``, and fire at most daily: a rule that never
ends, or fires every minute, is refused with a message for the field that carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr
from flask_babel import gettext as _
from flask_babel import ngettext

from community.errors import InvalidInput
from community.i18n import zoneinfo_or_utc

MAX_OCCURRENCES = 100
MAX_SPAN = timedelta(days=366)
ALLOWED_FREQUENCIES = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}
# What the form offers (the custom choice takes a rule as typed).
REPEATS = {"weekly": "FREQ=WEEKLY", "fortnightly": "FREQ=WEEKLY;INTERVAL=2", "monthly": "FREQ=MONTHLY"}


def build_rule(repeat: str, *, count: int | None, until: datetime | None) -> str:
    """The RRULE for a form choice (weekly, fortnightly, monthly) ending after ``count`` times or at ``until``
    (UTC); an empty string for a one-off."""
    if repeat in ("", "none"):
        return ""
    base = REPEATS.get(repeat)
    if base is None:
        raise InvalidInput(_("Please choose how the event repeats."), field="repeat")
    if count:
        return f"{base};COUNT={count}"
    if until is not None:
        return f"{base};UNTIL={until.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    raise InvalidInput(_("A repeating event needs an end: a number of times or a last day."), field="repeat_count")


def _local_start(starts_at: datetime, zone: str) -> datetime:
    return starts_at.astimezone(zoneinfo_or_utc(zone))


def _parse(rule: str, starts_at: datetime, zone: str, field: str) -> Any:
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text or len(text) > 200:
        raise InvalidInput(_("This isn't a repeat rule we can read."), field=field)
    try:
        parsed = rrulestr(text, dtstart=_local_start(starts_at, zone), forceset=False, ignoretz=False)
    except (ValueError, TypeError, KeyError):
        raise InvalidInput(_("This isn't a repeat rule we can read (for example FREQ=WEEKLY;COUNT=10)."),
                           field=field) from None  # fmt: skip
    return parsed


def check_rule(rule: str, starts_at: datetime, zone: str, *, field: str = "rrule") -> str:
    """The rule, normalised (no "RRULE:" prefix), if it keeps the limits; InvalidInput on ``field`` otherwise."""
    if not rule:
        return ""
    parsed = _parse(rule, starts_at, zone, field)
    if parsed._freq not in ALLOWED_FREQUENCIES:
        raise InvalidInput(_("An event can repeat at most once a day."), field=field)
    if parsed._count is None and parsed._until is None:
        raise InvalidInput(_("A repeating event needs an end: a number of times (COUNT) or a last day (UNTIL)."),
                           field=field)  # fmt: skip
    if parsed._count is not None and parsed._count > MAX_OCCURRENCES:
        raise InvalidInput(_("An event repeats at most %(num)d times.", num=MAX_OCCURRENCES), field=field)
    if parsed._until is not None and parsed._until.astimezone(UTC) > starts_at + MAX_SPAN:
        raise InvalidInput(_("A repeating event ends within a year of its first time."), field=field)
    starts = list(parsed.xafter(_local_start(starts_at, zone), count=MAX_OCCURRENCES + 1, inc=True))
    if not starts:
        raise InvalidInput(_("This rule gives no dates after the start."), field=field)
    if len(starts) > MAX_OCCURRENCES:
        raise InvalidInput(_("An event repeats at most %(num)d times.", num=MAX_OCCURRENCES), field=field)
    if starts[-1].astimezone(UTC) > starts_at + MAX_SPAN:
        raise InvalidInput(_("A repeating event ends within a year of its first time."), field=field)
    text = rule.strip()
    return text[6:] if text.upper().startswith("RRULE:") else text


def series_starts(starts_at: datetime, zone: str, rule: str) -> list[datetime]:
    """Every start of the series in UTC (the first included): one for a one-off, at most ``MAX_OCCURRENCES``."""
    if not rule:
        return [starts_at]
    try:
        parsed = _parse(rule, starts_at, zone, "rrule")
    except InvalidInput:
        return [starts_at]  # a stored rule is checked on write; an unreadable one keeps the first time
    local = _local_start(starts_at, zone)
    return [s.astimezone(UTC) for s in parsed.xafter(local, count=MAX_OCCURRENCES, inc=True)] or [starts_at]


@dataclass
class Occurrence:
    """One time an event happens: its start and end (UTC), the start the series gave it (the key of its
    exception row), and whether it was moved or cancelled."""

    start: datetime
    end: datetime
    original_start: datetime
    moved: bool = False
    cancelled: bool = False


def occurrences(event: Any, exceptions: list[Any] | None = None) -> list[Occurrence]:
    """The event's occurrences, cancelled ones included (marked), moved ones at their new time, by start."""
    length = event.ends_at - event.starts_at
    changed = {e.occurrence_start: e for e in (exceptions if exceptions is not None else event.exceptions)}
    out = []
    for start in series_starts(event.starts_at, event.timezone, event.rrule):
        exception = changed.get(start)
        if exception is None:
            out.append(Occurrence(start, start + length, start))
        elif exception.cancelled:
            out.append(Occurrence(start, start + length, start, cancelled=True))
        else:
            new_start = exception.new_starts_at or start
            out.append(Occurrence(new_start, exception.new_ends_at or new_start + length, start, moved=True))
    out.sort(key=lambda o: o.start)
    return out


def last_end(event: Any, exceptions: list[Any] | None = None) -> datetime:
    """The end of the series' last occurrence (moved ones counted): what ``Event.last_ends_at`` stores."""
    return max((o.end for o in occurrences(event, exceptions)), default=event.ends_at)


def form_choice(rule: str) -> tuple[str, int | None, datetime | None]:
    """What the form shows for a stored rule: (repeat, count, until UTC); ("custom", None, None) for a rule the
    simple choices can't say, ("none", None, None) for a one-off."""
    if not rule:
        return "none", None, None
    for key in ("fortnightly", "weekly", "monthly"):
        base = REPEATS[key]
        for part, value in (("COUNT=", None), ("UNTIL=", None)):
            prefix = f"{base};{part}"
            rest = rule[len(prefix):] if rule.startswith(prefix) else None
            if rest is None or ";" in rest:
                continue
            if part == "COUNT=" and rest.isdigit():
                return key, int(rest), value
            if part == "UNTIL=":
                try:
                    return key, None, datetime.strptime(rest, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                except ValueError:
                    break
    return "custom", None, None


def describe_rule(rule: str) -> str:
    """The repeat rule in the member's words: 'Every week, 10 times', 'Every month until 3 Mar 2027'."""
    from community.i18n import format_day

    repeat, count, until = form_choice(rule)
    if repeat == "none":
        return ""
    if repeat == "custom":
        return _("Repeats (%(rule)s)", rule=rule)
    every = {"weekly": _("Every week"), "fortnightly": _("Every two weeks"), "monthly": _("Every month")}[repeat]
    if count is not None:
        return ngettext("%(every)s, %(num)d time", "%(every)s, %(num)d times", count, every=every)
    return _("%(every)s until %(day)s", every=every, day=format_day(until))
