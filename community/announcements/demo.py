"""Demo announcements for ``community seed-demo`` (its ``plan_announcements`` step), made through the
announcement services: the cohort facilitator's announcement to the cohort (seen by some of its members, one
of whom dismissed it) and the community manager's welcome to everyone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from community.auth_session import load_group_roles
from community.database import writing
from community.extensions import db
from community.permissions import access_announcement
from community.services import announcements as service

COHORT_TITLE = "Week 4: the case study is up, and Tuesday's tutorial moves online"
COHORT_BODY = (
    "Hello everyone! Two things for this week:\n\n"
    "1. The **week 4 case study** is pinned on the General board. Please read it before Tuesday.\n"
    "2. Tuesday's tutorial is **online only** this week (the link is on the event page).\n\n"
    "Any questions, ask on the board: someone else will be wondering the same."
)
COMMUNITY_TITLE = "Welcome to the community: start here"
COMMUNITY_BODY = (
    "Welcome, all of you! This is your space between sessions.\n\n"
    "- Say hello in the **Introductions** board\n- Ask anything in **Questions**: there are no silly ones\n"
    "- Choose how you hear about things in your notification settings\n\n"
    "See you in there."
)
SEEN_BY = ["p0", "p1", "p2", "p3", "p5", "p8", "p12"]  # of the cohort; p2 also dismissed it
DISMISSED_BY = ["p2"]


def plan_announcements(demo: Any) -> list[Callable[[], None]]:
    """Two announcements: one to the cohort (partly seen), one to the whole community."""
    return [lambda: _announcements(demo)]


def _announcements(demo: Any) -> None:
    author = demo.person("f0")
    load_group_roles(author)
    cohort = service.announce(author, demo.groups["cohort"],
                              service.AnnouncementFields(title=COHORT_TITLE, body=COHORT_BODY))  # fmt: skip
    assert demo.admin is not None
    load_group_roles(demo.admin)
    service.announce(demo.admin, None, service.AnnouncementFields(title=COMMUNITY_TITLE, body=COMMUNITY_BODY))
    for ref in SEEN_BY:
        with writing():
            service.mark_seen(demo.person(ref), [cohort.id])
            db.session.commit()
    for ref in DISMISSED_BY:
        person = demo.person(ref)
        topic, _announcement, _view = access_announcement(person, cohort.id)
        service.dismiss(person, topic)
