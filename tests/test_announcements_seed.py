"""`community seed-demo` makes a facilitator's announcement to the cohort (seen by some, dismissed by one) and
the community manager's welcome to everyone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community import seed_data
from community.announcements import demo
from community.extensions import db
from community.models import Notification, Topic, User
from community.services import announcements as service


@pytest.fixture
def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _user(handle: str) -> User:
    return db.session.scalar(select(User).where(User.handle == handle))


def test_the_demo_has_a_group_and_a_community_announcement(seeded, client, login):
    topics = {t.title: t for t in db.session.scalars(select(Topic).where(Topic.kind == "announcement"))}
    cohort, welcome = topics[demo.COHORT_TITLE], topics[demo.COMMUNITY_TITLE]
    assert cohort.group_id is not None and welcome.group_id is None
    assert service.reach(cohort).seen == len(demo.SEEN_BY)
    assert (
        db.session.scalar(
            select(Notification.id).where(Notification.kind == "announcement", Notification.topic_id == cohort.id)
        )
        is not None
    )
    facilitator = _user(seed_data.FACILITATORS[0][0])
    login(facilitator)
    page = client.get(f"/announcements/{cohort.id}").get_data(as_text=True)
    assert f"{len(demo.SEEN_BY)} of " in page and "have seen this" in page
    login(_user(seed_data.PARTICIPANTS[2][0]))  # dismissed the cohort's: only the welcome at the top
    home = client.get("/").get_data(as_text=True)
    assert f'id="announcement-{welcome.id}"' in home and f'id="announcement-{cohort.id}"' not in home
