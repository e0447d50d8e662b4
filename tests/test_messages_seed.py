"""`community seed-demo` writes a few living conversations, one answering a facilitator's nudge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community import seed_data
from community.extensions import db
from community.models import Notification, Participant, Post, Topic, User


@pytest.fixture
def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _user(handle: str) -> User:
    return db.session.scalar(select(User).where(User.handle == handle))


def test_the_demo_has_conversations_and_a_nudge_answered(seeded, client, login):
    topics = list(db.session.scalars(select(Topic).where(Topic.kind == "conversation")))
    assert len(topics) == 3
    assert all(t.group_id is None and t.reply_count >= 1 for t in topics)
    facilitator, member = _user(seed_data.FACILITATORS[0][0]), _user(seed_data.PARTICIPANTS[5][0])
    nudge = db.session.scalar(select(Notification).where(Notification.kind == "nudge"))
    assert nudge.user_id == member.id and nudge.actor_id == facilitator.id
    answer = db.session.scalar(
        select(Topic).join(Participant, Participant.topic_id == Topic.id)
        .where(Topic.kind == "conversation", Topic.author_id == member.id,
               Participant.user_id == facilitator.id))  # fmt: skip
    opening = db.session.scalar(select(Post).where(Post.topic_id == answer.id, Post.number == 1))
    assert opening.body.startswith("> We haven't heard from you")
    login(facilitator)
    inbox = client.get("/messages").data.decode()
    assert member.display_name in inbox
    assert client.get(f"/messages/{answer.id}").status_code == 200
    login(_user(seed_data.PARTICIPANTS[9][0]))  # in no conversation
    assert client.get(f"/messages/{answer.id}").status_code == 404
    assert "No messages yet." in client.get("/messages").data.decode()
