"""Demo CPD logs for ``community seed-demo`` (its ``plan_cpd`` step), written through the CPD services: a few
participants' entries over the last months, p0's linked to their blog post, and p0's log shared with f0 (the
cohort's facilitator), who reads it from the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from community.auth_session import load_group_roles
from community.extensions import db
from community.models import Post, Topic

# (who, days ago, what, hours, learned, apply, link p0's blog post)
ENTRIES = [
    ("p0", 40, "CIPD branch webinar: hybrid working policies", "1.5",
     "Most policies fail on **manager confidence**, not on the rules themselves.",
     "Draft a one-page guide for our line managers and test it with two of them.", False),
    ("p0", 21, "First stakeholder interview for the 5CO01 assignment", "2",
     "Writing three questions beforehand kept the interview on track.",
     "Use the same structure for the next two interviews.", True),
    ("p0", 6, "Read: Organisational culture chapter (set text)", "3:30",
     "Schein's three levels make the *artefacts* easy to spot and the assumptions hard.", "", False),
    ("p1", 30, "Peer coaching circle", "1",
     "Asking before advising changes the whole conversation.", "Try it in my weekly 1:1s.", False),
    ("p2", 12, "Employment law update (online course)", "4",
     "The changes to flexible working requests from day one.", "Update our request form and FAQ.", False),
]
SHARED = [("p0", "f0")]


def plan_cpd(demo: Any) -> list[Callable[[], None]]:
    """One task: the entries above, then p0 shares their log with f0."""
    return [lambda: _cpd(demo)]


def _cpd(demo: Any) -> None:
    from community.services import cpd

    today = date.today()
    for ref, days, title, hours, learned, apply, link_blog in ENTRIES:
        person = demo.person(ref)
        links: list[str] = []
        if link_blog:
            post_id = db.session.scalar(
                select(Post.id).join(Topic, Topic.id == Post.topic_id)
                .where(Topic.kind == "blog", Topic.author_id == person.id, Post.number == 1).limit(1)
            )  # fmt: skip
            links = [f"post:{post_id}"] if post_id else []
        cpd.create_entry(person, cpd.EntryFields(done_on=today - timedelta(days=days), title=title, learned=learned,
                                                 apply=apply, hours=hours, links=links))  # fmt: skip
    for owner_ref, facilitator_ref in SHARED:
        owner = demo.person(owner_ref)
        load_group_roles(owner)
        cpd.share_log(owner, demo.person(facilitator_ref).id)
