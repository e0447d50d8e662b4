"""`community seed-demo` builds a living cohort through the services, once, and keeps private things private."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import seed_data
from community.extensions import db
from community.models import Board, Group, Membership, Post, Topic, User
from community.permissions import visible_topics
from tests.factories import acting


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_builds_the_cohort(seeded):
    assert "Seeding the demo cohort" in seeded
    assert "Demo ready: 3 facilitators, 30 participants, 4 groups, 12 discussions." in seeded
    assert _count(User, User.role == "admin") == 1
    assert _count(User, User.role == "facilitator") == 3
    assert _count(User, User.role == "participant") == 30
    assert {g.visibility for g in db.session.scalars(select(Group))} == {"private", "request", "open"}
    assert _count(Membership, Membership.state == "requested") == 2
    assert _count(Board, Board.group_id.is_(None)) == 2
    assert _count(Topic, Topic.kind == "discussion") == len(seed_data.THREADS)
    replies = sum(len(thread[4]) for thread in seed_data.THREADS)
    discussions = select(Topic.id).where(Topic.kind == "discussion")
    assert _count(Post, Post.topic_id.in_(discussions)) == len(seed_data.THREADS) + replies
    # Profiles were filled in through the profile service (bio rendered to HTML).
    hannah = db.session.scalar(select(User).where(User.handle == "hannah_clarke"))
    assert hannah.organisation == "Severn Valley NHS Trust" and hannah.bio_html.startswith("<p>")


def test_seed_demo_prints_the_sign_in_details(seeded):
    assert "Community manager: @community_manager  password: " in seeded
    assert "signs in with the password: " in seeded


def test_demo_members_can_sign_in_with_the_printed_password(seeded, client):
    password = seeded.split("signs in with the password: ")[1].split()[0]
    response = client.post("/signin", data={"login": "hannah_clarke", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_seed_demo_refuses_to_run_twice(app, seeded):
    before = (_count(User), _count(Topic), _count(Post))
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 1
    assert "already here" in again.output
    assert (_count(User), _count(Topic), _count(Post)) == before


def test_seed_demo_keeps_an_existing_community_manager(app, admin):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Community manager:" not in result.output
    assert _count(User, User.role == "admin") == 1


def test_seed_demo_schedules_a_weekly_tutorial_a_session_and_a_meet_up_with_answers(seeded):
    from community.models import Event, EventException, EventRsvp

    rows = db.session.execute(select(Topic.title, Topic.group_id, Event.rrule, Event.capacity)
                              .join(Event, Event.topic_id == Topic.id).order_by(Topic.id)).all()  # fmt: skip
    assert [(r.rrule, r.capacity) for r in rows] == [("FREQ=WEEKLY;COUNT=10", None), ("", 12), ("", None)]
    assert rows[0].title.startswith("Weekly tutorial") and rows[2].group_id is None
    assert db.session.scalar(select(func.count()).select_from(EventRsvp)) == 21
    assert db.session.scalar(select(func.count()).select_from(EventException)) == 1  # the moved third date


def test_private_cohort_content_stays_private(seeded, client, login):
    cohort = db.session.scalar(select(Group).where(Group.visibility == "private"))
    cohort_topic_ids = set(db.session.scalars(select(Topic.id).where(Topic.group_id == cohort.id)))
    assert cohort_topic_ids
    # Ellie is a participant outside the cohort (she is in the coaching circle only).
    outsider = acting(db.session.scalar(select(User).where(User.handle == "ellie_shaw")))
    assert cohort.id not in outsider.group_roles
    seen = set(db.session.scalars(select(Topic.id).where(visible_topics(outsider))))
    assert seen and not (seen & cohort_topic_ids)
    member = acting(db.session.scalar(select(User).where(User.handle == "hannah_clarke")))
    assert cohort_topic_ids <= set(db.session.scalars(select(Topic.id).where(visible_topics(member))))
    login(outsider)
    cohort_board = db.session.scalar(select(Board).where(Board.group_id == cohort.id))
    assert client.get(f"/boards/{cohort_board.id}").status_code == 404
