"""Demo events for ``community seed-demo`` (its ``plan_events`` step), scheduled and answered through the
calendar services: the cohort's weekly tutorial (one date moved), a one-off session of the study set, and a
community-wide study meet-up. Some members leave the tutorial unanswered, so the facilitator's dashboard has
names under "has not answered"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from community.auth_session import load_group_roles
from community.models import utcnow
from community.permissions import access_event
from community.services import calendar as cal

ZONE = "Europe/London"
# (key, organiser, group key or None, title, weekday (0 = Monday), local hour, minutes, rule, place, link,
#  capacity, description, answers: (person, answer))
EVENTS: list[tuple[Any, ...]] = [
    ("tutorial", "f0", "cohort", "Weekly tutorial: 5CO01 case work", 1, 18, 90, "FREQ=WEEKLY;COUNT=10", "",
     "https://meet.example.org/spring-cohort", None,
     "Every Tuesday we take one case from the module and work through it together.\n\n"
     "- Read the case beforehand (it is pinned on the General board)\n- Bring one question\n\n"
     "Cameras optional, kindness mandatory.",
     [("p0", "going"), ("p1", "going"), ("p2", "going"), ("p3", "maybe"), ("p4", "going"), ("p6", "no"),
      ("p8", "going"), ("p10", "maybe"), ("p12", "going"), ("p14", "going")]),
    ("session", "f1", "study", "Assignment clinic: structuring your 5CO01 report", 3, 12, 60, "",
     "Room 2.14, Learning Centre", "", 12,
     "A one-off clinic before the deadline: bring your outline and we'll look at structure, evidence and "
     "referencing together. **Twelve places**, so answer if you're coming.",
     [("p0", "going"), ("p2", "going"), ("p4", "maybe"), ("p6", "going"), ("p21", "going")]),
    ("meetup", None, None, "Study meet-up: coffee and revision", 5, 10, 120, "", "The Old Library Café, 3 Mill Lane",
     "", None,
     "An informal Saturday meet-up for anyone in the community: revise together, swap notes, meet the people "
     "behind the posts. Everyone welcome.",
     [("p1", "going"), ("p5", "going"), ("p9", "maybe"), ("p11", "going"), ("p16", "maybe"), ("f2", "going")]),
]


def _next(weekday: int, hour: int, now: datetime) -> datetime:
    """The next such weekday at that local hour (London), at least two days away, in UTC."""
    local = now.astimezone(ZoneInfo(ZONE))
    days = (weekday - local.weekday()) % 7 or 7
    if days < 2:
        days += 7
    day = (local + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def plan_events(demo: Any) -> list[Callable[[], None]]:
    """Three events with their answers (the tutorial's third date moved an hour later)."""
    return [lambda spec=spec: _event(demo, *spec) for spec in EVENTS]  # type: ignore[misc]


def _event(demo: Any, key: str, organiser: str | None, group_key: str | None, title: str, weekday: int, hour: int,
           minutes: int, rule: str, place: str, link: str, capacity: int | None, body: str,
           answers: list[tuple[str, str]]) -> None:  # fmt: skip
    author = demo.person(organiser) if organiser else demo.admin
    load_group_roles(author)
    starts = _next(weekday, hour, utcnow())
    fields = cal.EventFields(title=title, body=body, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                             timezone=ZONE, location=place, online_url=link, capacity=capacity, rrule=rule)
    group = demo.groups[group_key] if group_key else None
    topic_id = cal.schedule_event(author, group, fields).id
    for person_ref, answer in answers:
        person = demo.person(person_ref)
        topic, event = access_event(person, topic_id)
        cal.answer_event(person, topic, event, answer)
    if rule:
        topic, event = access_event(author, topic_id)
        third = cal.occurrences(event, [])[2]
        later = third.start + timedelta(hours=1)
        cal.move_occurrence(author, topic, event, third.original_start, later, later + (third.end - third.start))
