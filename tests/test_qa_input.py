"""Bad input to Q&A gets a clear message and a 4xx, keeps what the member typed, and changes nothing."""

import pytest

from community.extensions import db
from community.models import Post, Topic, Vote
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question, opening_of, reload


@pytest.fixture
def question(pat):
    return make_question(pat, title="How do I keep a learning journal?", body="Daily or weekly?")


def _counts():
    return db.session.query(Topic).count(), db.session.query(Post).count(), db.session.query(Vote).count()


def test_empty_question_keeps_the_text_and_stores_nothing(client, login, pat):
    login(pat)
    response = client.post("/questions/ask", data={"title": "  ", "body": "My kept details", "submit": "Post"})
    assert response.status_code == 400
    assert b"Please give your question a title." in response.data and b"My kept details" in response.data
    response = client.post("/questions/ask", data={"title": "A kept title", "body": "", "submit": "Post"})
    assert response.status_code == 400 and b"A kept title" in response.data
    assert b"Please add a few details" in response.data
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "t" * 201, "body": "b"}, b"200 characters"),
        ({"title": "Tags", "body": "b", "tags": "<script>"}, b"isn&#39;t a valid tag"),
        ({"title": "Tags", "body": "b", "tags": "a b c d e f"}, b"at most 5 tags"),
        ({"title": "Where", "body": "b", "where": "99999"}, b"Not a valid choice"),
    ],
)
def test_bad_question_fields(client, login, pat, data, message):
    login(pat)
    response = client.post("/questions/ask", data={**data, "submit": "Post"})
    assert response.status_code == 400
    assert message in response.data
    assert _counts() == (0, 0, 0)


def test_asking_in_a_group_i_am_not_in_is_refused(client, login, fran, mallory):
    group = make_group(fran, "private", name="Secret cohort")
    login(mallory)
    assert client.get(f"/questions/ask?group={group.slug}").status_code == 404
    response = client.post("/questions/ask", data={"title": "t", "body": "b", "where": str(group.id), "submit": "Post"})
    assert response.status_code == 400 and b"Secret cohort" not in response.data
    assert _counts() == (0, 0, 0)


def test_voting_on_my_own_answer_is_refused(client, login, question, sam):
    answer = make_answer(sam, question)
    login(sam)
    response = client.post(f"/questions/posts/{answer.id}/vote", data={"value": "1"})
    assert response.status_code == 403 and b"You can&#39;t vote on your own post." in response.data
    assert reload(Post, answer.id).score == 0 and db.session.query(Vote).count() == 0


@pytest.mark.parametrize("value", ["7", "-2", "", "up", "1.5", "99999999999999999999"])
def test_a_vote_value_other_than_up_down_or_withdraw_is_refused(client, login, question, sam, value):
    login(sam)
    opening = opening_of(question)
    response = client.post(f"/questions/posts/{opening.id}/vote", data={"value": value})
    assert response.status_code == 400 and b"A vote is up (1), down (-1) or withdrawn (0)." in response.data
    assert db.session.query(Vote).count() == 0 and reload(Topic, question.id).score == 0


def test_accepting_an_answer_of_another_question_is_refused(client, login, question, pat, sam):
    other = make_question(pat, title="Another question")
    foreign = make_answer(sam, other)
    login(pat)
    response = client.post(f"/questions/{question.id}/accept", data={"answer_id": foreign.id})
    assert response.status_code == 400 and b"That answer belongs to another question." in response.data
    assert reload(Topic, question.id).accepted_post_id is None and reload(Topic, other.id).accepted_post_id is None
    # Nor can the question itself, or a comment, be accepted.
    response = client.post(f"/questions/{question.id}/accept", data={"answer_id": opening_of(question).id})
    assert response.status_code == 400
    assert client.post(f"/questions/{question.id}/accept", data={"answer_id": "x"}).status_code == 400
    assert client.post(f"/questions/{question.id}/accept", data={"answer_id": "424242"}).status_code == 404


def test_commenting_on_a_deleted_answer_is_refused(client, login, question, pat, sam):
    answer = make_answer(sam, question)
    login(sam)
    client.post(f"/questions/posts/{answer.id}/delete")
    login(pat)
    response = client.post(f"/questions/posts/{answer.id}/comments", data={"body": "Still there?"})
    assert response.status_code == 400
    assert b"That post was removed, so it can&#39;t take new comments." in response.data
    assert db.session.query(Post).filter_by(kind="comment").count() == 0


def test_comments_must_be_short_and_not_empty(client, login, question, sam):
    login(sam)
    opening = opening_of(question)
    response = client.post(f"/questions/posts/{opening.id}/comments", data={"body": "x" * 601})
    assert response.status_code == 400 and b"600 characters at most" in response.data
    assert b"x" * 601 in response.data  # the text is kept in the form
    assert client.post(f"/questions/posts/{opening.id}/comments", data={"body": "  "}).status_code == 400
    assert db.session.query(Post).filter_by(kind="comment").count() == 0


def test_empty_answer_and_accepting_a_deleted_answer(client, login, question, pat, sam):
    login(sam)
    response = client.post(f"/questions/{question.id}/answers", data={"body": "   "})
    assert response.status_code == 400 and b"Please write your answer first." in response.data
    answer = make_answer(sam, question)
    client.post(f"/questions/posts/{answer.id}/delete")
    login(pat)
    response = client.post(f"/questions/{question.id}/accept", data={"answer_id": answer.id})
    assert response.status_code == 400 and b"That answer was removed" in response.data
    assert reload(Topic, question.id).accepted_post_id is None


def test_deleting_the_accepted_answer_clears_the_acceptance(client, login, question, pat, sam):
    answer = make_answer(sam, question)
    login(pat)
    client.post(f"/questions/{question.id}/accept", data={"answer_id": answer.id})
    assert reload(Topic, question.id).accepted_post_id == answer.id
    login(sam)
    client.post(f"/questions/posts/{answer.id}/delete")
    topic = reload(Topic, question.id)
    assert topic.accepted_post_id is None and topic.accepted_by_role is None


def test_stale_accept_is_a_conflict(client, login, question, pat, sam, fran):
    first, second = make_answer(sam, question, "one"), make_answer(fran, question, "two")
    login(pat)
    client.post(f"/questions/{question.id}/accept", data={"answer_id": first.id, "current": "0"})
    response = client.post(f"/questions/{question.id}/accept", data={"answer_id": second.id, "current": "0"})
    assert response.status_code == 409 and b"Someone changed the accepted answer" in response.data
    assert reload(Topic, question.id).accepted_post_id == first.id
    response = client.post(f"/questions/{question.id}/accept", data={"answer_id": second.id, "current": str(first.id)})
    assert response.status_code == 302
    topic = reload(Topic, question.id)
    assert topic.accepted_post_id == second.id and topic.accepted_by_role == "facilitator"


@pytest.mark.parametrize(
    ("ref", "message"),
    [("", b"Which question does it duplicate?"), ("abc", b"Give the number or the link"),
     ("SELF", b"can&#39;t duplicate itself"), ("999999", b"that you can see")],
)  # fmt: skip
def test_closing_as_duplicate_needs_a_visible_other_question(client, login, question, fran, ref, message):
    ref = str(question.id) if ref == "SELF" else ref
    login(fran)
    response = client.post(f"/questions/{question.id}/close", data={"duplicate_of": ref})
    assert response.status_code == 400 and message in response.data
    assert ref.encode() in response.data  # what was typed is kept
    assert reload(Topic, question.id).closed_at is None


def test_a_facilitator_cannot_link_to_a_question_they_cannot_see(client, login, fran, pat, admin):
    hidden_group = make_group(admin, "private", name="Admins only")
    secret = make_question(admin, title="Secret", group=hidden_group)
    question = make_question(pat, title="Public")
    login(fran)
    response = client.post(f"/questions/{question.id}/close", data={"duplicate_of": f"/questions/{secret.id}"})
    assert response.status_code == 400 and f"no question #{secret.id} that you can see".encode() in response.data
    assert b"Secret" not in response.data
    assert reload(Topic, question.id).closed_at is None
