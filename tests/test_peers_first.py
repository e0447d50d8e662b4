"""Peers first: a facilitator's answer is held during the peers' window, and published when it ends, when a
peer answers, or when a facilitator overrides; participants never see it meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.errors import Forbidden
from community.extensions import db
from community.models import Group, Post, Topic, utcnow
from community.services import peers_first
from community.services.groups import update_group
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question


@pytest.fixture
def cohort(fran, pat, sam):
    group = make_group(fran, "private", members=[pat, sam], name="Cohort")
    update_group(acting(fran), db.session.get(Group, group.id), name="Cohort", description="",
                 visibility="private", peers_first_hours=24)  # fmt: skip
    return db.session.get(Group, group.id)


def _topic(topic_id):
    db.session.expire_all()
    return db.session.get(Topic, topic_id)


def test_off_by_default_a_facilitators_answer_is_published_at_once(fran, pat):
    group = make_group(fran, "private", members=[pat])
    assert group.peers_first_hours == 0
    question = make_question(pat, group=group)
    answer = make_answer(fran, question)
    assert answer.pending is False and answer.held_until is None and _topic(question.id).reply_count == 1


def test_a_facilitators_answer_is_held_and_participants_never_see_it(client, login, cohort, fran, pat):
    question = make_question(pat, title="How do I cite evidence?", group=cohort)
    login(fran)
    assert client.post(f"/questions/{question.id}/answers",
                       data={"body": "The facilitator's secret answer"}).status_code == 302
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Peers first: your answer is saved and held." in page
    assert "secret answer" in page and "Peers first: held until" in page and "Publish held answers now" in page
    assert "Accept this answer" not in page  # an answer nobody else can see can't be accepted yet
    topic = _topic(question.id)
    assert topic.reply_count == 0 and topic.first_answer_at is None
    login(pat)
    seen = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "secret answer" not in seen and "Publish held answers now" not in seen
    assert "How do I cite evidence?" in client.get("/questions/?filter=unanswered").get_data(as_text=True)


def test_a_peers_answer_publishes_the_held_one(cohort, fran, pat, sam):
    question = make_question(pat, group=cohort)
    held = make_answer(fran, question, "Held answer")
    make_answer(sam, question, "A peer's answer")
    post = db.session.get(Post, held.id)
    db.session.refresh(post)
    topic = _topic(question.id)
    assert post.pending is False and post.held_until is None
    assert topic.reply_count == 2 and topic.first_answer_by_role == "participant"


def test_after_a_peer_answered_a_facilitators_answer_goes_out_at_once(cohort, fran, pat, sam):
    question = make_question(pat, group=cohort)
    make_answer(sam, question)
    answer = make_answer(fran, question)
    assert answer.pending is False and answer.held_until is None


def test_the_job_publishes_held_answers_when_the_window_ends(cohort, fran, pat):
    question = make_question(pat, group=cohort)
    held = make_answer(fran, question, "Held answer")
    assert peers_first.publish_due_held(utcnow()) == 0
    assert peers_first.publish_due_held(utcnow() + timedelta(hours=25)) == 1
    db.session.expire_all()
    post = db.session.get(Post, held.id)
    assert post.pending is False and post.held_until is None
    assert _topic(question.id).reply_count == 1 and _topic(question.id).first_answer_by_role == "facilitator"
    assert peers_first.publish_due_held(utcnow() + timedelta(hours=25)) == 0


def test_a_question_past_its_window_takes_facilitators_answers_at_once(cohort, fran, pat):
    question = make_question(pat, group=cohort)
    topic = _topic(question.id)
    topic.created_at -= timedelta(hours=30)
    db.session.commit()
    answer = make_answer(fran, question)
    assert answer.pending is False


def test_a_facilitator_overrides_for_one_question(client, login, cohort, fran, pat):
    question = make_question(pat, group=cohort)
    make_answer(fran, question, "Urgent correction")
    login(fran)
    assert client.post(f"/questions/{question.id}/release-held").status_code == 302
    assert "1 held answer published." in client.get(f"/questions/{question.id}").get_data(as_text=True)
    login(pat)
    assert "Urgent correction" in client.get(f"/questions/{question.id}").get_data(as_text=True)


@pytest.mark.parametrize(("persona", "status"), [("pat", 403), ("mallory", 404)])
def test_participants_and_outsiders_cannot_override(client, login, cohort, fran, pat, request, persona, status):
    question = make_question(pat, group=cohort)
    make_answer(fran, question, "Held answer")
    login(request.getfixturevalue(persona))
    assert client.post(f"/questions/{question.id}/release-held").status_code == status
    with pytest.raises(Forbidden):
        peers_first.release_now(acting(request.getfixturevalue("pat")), _topic(question.id))
    assert _topic(question.id).reply_count == 0


def test_the_dashboard_lists_questions_whose_window_ended_first(client, login, cohort, fran, pat):
    plain_group = make_group(fran, "private", members=[pat], name="No window")
    older = make_question(pat, title="Older, in a group without peers first", group=plain_group)
    past = make_question(pat, title="Past its window, no peer answer", group=cohort)
    waiting = make_question(pat, title="Still in the window", group=cohort)
    _topic(older.id).created_at = utcnow() - timedelta(hours=50)
    _topic(past.id).created_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    login(fran)
    page = client.get("/dashboard/?period=all").get_data(as_text=True)
    section = page[page.index("Questions with no answer"):page.index("Discussions with no reply")]
    assert section.index(past.title) < section.index(older.title) < section.index(waiting.title)
    assert "Peers’ window over, no peer answer" in section and "Peers first: 24 hours left" in section


def test_the_group_setting_is_checked(client, login, fran, pat):
    group = make_group(fran, "private", members=[pat], name="Setting group")
    login(fran)
    data = {"name": "Setting group", "description": "", "visibility": "private", "peers_first_hours": "500"}
    response = client.post(f"/groups/{group.slug}/edit", data=data)
    assert response.status_code == 400 and "Between 0 (off) and 168 hours" in response.get_data(as_text=True)
    assert client.post(f"/groups/{group.slug}/edit", data={**data, "peers_first_hours": "12"}).status_code == 302
    assert db.session.get(Group, group.id).peers_first_hours == 12
    login(pat)
    assert client.post(f"/groups/{group.slug}/edit", data={**data, "peers_first_hours": "0"}).status_code == 403
