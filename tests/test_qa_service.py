"""Q&A services: who answered first and whose answer was accepted (peer or facilitator), votes mirrored on
the question, closing, and the verified facilitator badge."""

import pytest

from community.errors import Forbidden, InvalidInput
from community.models import Post, Topic
from community.services import qa
from tests.factories import acting, load_topic, make_user
from tests.factories_groups import make_group
from tests.factories_qa import accept, make_answer, make_question, opening_of, reload, vote


@pytest.fixture
def cohort(fran, pat, sam):
    gina = make_user("gina", display_name="Gina Guide")  # a participant who facilitates this group
    return make_group(gina, "private", members=[pat, sam], name="Cohort"), gina


def test_first_answer_by_a_peer_is_recorded_once(cohort, pat, sam):
    group, gina = cohort
    q = make_question(pat, title="Peer first", group=group)
    first = make_answer(sam, q)
    make_answer(gina, q)
    topic = reload(Topic, q.id)
    assert topic.first_answer_by_role == "participant" and topic.first_answer_at == reload(Post, first.id).created_at


def test_group_facilitator_answering_first_is_not_a_peer(cohort, pat, sam):
    group, gina = cohort
    q = make_question(pat, title="Facilitator first", group=group)
    make_answer(gina, q)
    make_answer(sam, q)
    assert reload(Topic, q.id).first_answer_by_role == "facilitator"


def test_admin_answers_are_recorded_as_admin_and_accepted_role_follows_the_answer(admin, pat, fran):
    q = make_question(pat, title="Admin first")
    answer = make_answer(admin, q)
    accept(pat, answer)
    topic = reload(Topic, q.id)
    assert (topic.first_answer_by_role, topic.accepted_by_role) == ("admin", "admin")
    other = make_answer(fran, q)  # a community facilitator
    accept(pat, other)
    assert reload(Topic, q.id).accepted_by_role == "facilitator"
    qa.unaccept_answer(acting(pat), load_topic(pat, q.id))
    topic = reload(Topic, q.id)
    assert topic.accepted_post_id is None and topic.accepted_at is None and topic.accepted_by_role is None


def test_question_votes_are_mirrored_on_the_topic(pat, sam, mallory):
    q = make_question(pat, title="Votes")
    assert vote(sam, opening_of(q), 1) == 1
    assert vote(mallory, opening_of(q), -1) == 0
    assert vote(mallory, opening_of(q), 1) == 2
    assert reload(Topic, q.id).score == 2
    answer = make_answer(sam, q)
    vote(pat, answer, 1)
    assert reload(Topic, q.id).score == 2  # answer votes stay on the answer
    with pytest.raises(Forbidden):
        vote(sam, answer, 1)  # own answer
    with pytest.raises(InvalidInput):
        vote(pat, answer, 7)


def test_closed_questions_take_no_answers_and_comments_stay_short(fran, pat, sam):
    original, copy = make_question(pat, title="Original"), make_question(sam, title="Copy")
    qa.close_as_duplicate(acting(fran), load_topic(fran, copy.id), str(original.id))
    with pytest.raises(Forbidden):
        make_answer(pat, copy)
    with pytest.raises(InvalidInput):
        qa.add_comment(acting(pat), load_topic(pat, original.id), opening_of(original), "x" * 601)
    with pytest.raises(Forbidden):
        qa.close_as_duplicate(acting(pat), load_topic(pat, original.id), str(copy.id))


def test_asking_in_a_group_needs_membership(cohort, mallory):
    group, _ = cohort
    with pytest.raises(Forbidden):
        qa.ask_question(acting(mallory), title="t", body="b", group=group)


def test_facilitator_badge_comes_from_the_role_never_from_the_name(client, login, cohort, pat, sam):
    group, gina = cohort
    from community.extensions import db
    from community.services.groups import add_member

    faker = make_user("faker")
    faker.display_name = "✓ Facilitator"  # the profile service refuses such names; a stored one still can't fake it
    db.session.commit()

    add_member(group, faker)
    q = make_question(pat, title="Badges", group=group)
    make_answer(gina, q, "From the facilitator")
    make_answer(faker, q, "From a participant named like a badge")
    login(sam)
    page = client.get(f"/questions/{q.id}").data.decode()
    articles = page.split("<article")[1:]
    by_gina = next(a for a in articles if "From the facilitator" in a)
    by_faker = next(a for a in articles if "named like a badge" in a)
    assert 'class="badge badge-facilitator"' in by_gina
    assert "badge-facilitator" not in by_faker and "badge-admin" not in by_faker


def test_an_answer_held_for_approval_is_not_the_first_answer_yet(pat, sam, mallory):
    from community.services import posts

    q = make_question(pat, title="Held answer")
    held = posts.add_post(acting(mallory), load_topic(mallory, q.id), "Held for a moderator", kind="answer",
                          pending=True)  # fmt: skip
    topic = reload(Topic, q.id)
    assert topic.first_answer_at is None and topic.reply_count == 0
    live = make_answer(sam, q)
    topic = reload(Topic, q.id)
    assert topic.first_answer_at == reload(Post, live.id).created_at and held.id != live.id
