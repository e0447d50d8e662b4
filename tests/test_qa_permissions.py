"""The Q&A permission table: every role against a group question's page and actions, for each visibility.

Roles: admin, the group's facilitator (a participant by community role), a member, a non-member
participant, the facilitator of ANOTHER group, a suspended member, an anonymous visitor. Each cell is the
expected status code; a refused action changes nothing stored, and the page shows no button for what the
viewer may not do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from community.extensions import db
from community.models import Post, Topic, User, Vote
from tests.factories import make_user
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question, opening_of, reload

ROLES = ("admin", "facilitator", "member", "outsider", "other_facilitator", "suspended", "anonymous")
SEES = {"admin", "facilitator", "member"}  # in a private or request group; open groups add the outsiders


@dataclass
class World:
    users: dict[str, User]
    topic_id: int
    answer_id: int
    opening_id: int
    other_topic_id: int


def build(visibility: str) -> World:
    """A question by one member (the asker) answered by another, in a group of the given visibility."""
    users = {
        "admin": make_user("ada", role="admin"),
        "facilitator": make_user("gina", display_name="Gina Guide"),
        "member": make_user("mem", display_name="Mem Member"),
        "outsider": make_user("olly", display_name="Olly Outside"),
        "other_facilitator": make_user("otto", display_name="Otto Other"),
        "suspended": make_user("susie", display_name="Susie Suspended"),
    }
    asker, answerer = make_user("asa", display_name="Asa Asker"), make_user("ann", display_name="Ann Answerer")
    group = make_group(users["facilitator"], visibility, members=[users["member"], users["suspended"], asker, answerer],
                       name="Cohort Seven")  # fmt: skip
    make_group(users["other_facilitator"], visibility, name="Other cohort")
    question = make_question(asker, title="Group question", group=group)
    answer = make_answer(answerer, question, "An answer")
    other = make_question(asker, title="Another one", group=group)
    users["suspended"].state = "suspended"
    db.session.commit()
    return World(users, question.id, answer.id, opening_of(question).id, other.id)


def _sees(role: str, visibility: str) -> bool:
    return role in SEES or (visibility == "open" and role in ("outsider", "other_facilitator"))


@pytest.fixture(params=("open", "request", "private"))
def world(request):
    return request.param, build(request.param)


def _as(client, login, logout, world, role):
    logout()
    if role != "anonymous":
        login(world.users[role])


@pytest.mark.parametrize("role", ROLES)
def test_question_page_and_buttons(client, login, logout, world, role):
    visibility, w = world
    _as(client, login, logout, w, role)
    response = client.get(f"/questions/{w.topic_id}")
    if role == "anonymous":
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
        return
    if role == "suspended":
        assert response.status_code == 403 and b"Group question" not in response.data
        return
    if not _sees(role, visibility):
        assert response.status_code == 404 and b"Group question" not in response.data
        return
    assert response.status_code == 200
    page = response.data
    moderates = role in ("admin", "facilitator")
    posts_here = role in ("admin", "facilitator", "member")
    assert (b"Accept this answer" in page) == moderates
    assert (b"close as a duplicate" in page) == moderates
    # Voting follows seeing (permissions.can_vote): outsiders of an open group vote but don't answer.
    assert b"Vote up" in page
    assert (b"Post your answer" in page) == posts_here
    assert (b"Add a comment" in page) == posts_here
    assert b"Delete question" not in page or moderates
    assert (b">Edit<" in page) == moderates  # neither the question nor the answer is the viewer's


@pytest.mark.parametrize("role", ROLES)
def test_question_list_shows_the_question_only_to_those_who_may_see_it(client, login, logout, world, role):
    visibility, w = world
    _as(client, login, logout, w, role)
    response = client.get("/questions/")
    if role in ("anonymous", "suspended"):
        assert response.status_code in (302, 403) and b"Group question" not in response.data
        return
    assert response.status_code == 200
    assert (b"Group question" in response.data) == _sees(role, visibility)
    similar = client.get("/questions/similar?title=group+question")
    assert (b"Group question" in similar.data) == _sees(role, visibility)


def _expected(role: str, visibility: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    if role == "suspended":
        return 403
    if not _sees(role, visibility):
        return 404
    return 302 if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_actions(client, login, logout, world, role):
    visibility, w = world
    _as(client, login, logout, w, role)
    posters = {"admin", "facilitator", "member"}
    voters = posters | {"outsider", "other_facilitator"}
    moderators = {"admin", "facilitator"}

    def done(status: int) -> bool:
        return status == 302 and role != "anonymous"

    status = client.post(f"/questions/{w.topic_id}/answers", data={"body": "My answer"}).status_code
    assert status == _expected(role, visibility, posters)
    assert (reload(Topic, w.topic_id).reply_count == 2) == done(status)

    status = client.post(f"/questions/posts/{w.answer_id}/vote", data={"value": "1"}).status_code
    assert status == _expected(role, visibility, voters)
    assert db.session.query(Vote).count() == (1 if done(status) else 0)

    status = client.post(f"/questions/posts/{w.opening_id}/comments", data={"body": "A comment"}).status_code
    assert status == _expected(role, visibility, posters)
    assert db.session.query(Post).filter_by(kind="comment").count() == (1 if done(status) else 0)

    status = client.post(f"/questions/{w.topic_id}/accept", data={"answer_id": w.answer_id}).status_code
    assert status == _expected(role, visibility, moderators)
    assert (reload(Topic, w.topic_id).accepted_post_id == w.answer_id) == done(status)

    status = client.post(f"/questions/{w.other_topic_id}/close", data={"duplicate_of": str(w.topic_id)}).status_code
    assert status == _expected(role, visibility, moderators)
    assert (reload(Topic, w.other_topic_id).closed_at is not None) == done(status)

    status = client.post(f"/questions/posts/{w.answer_id}/delete").status_code
    assert status == _expected(role, visibility, moderators)
    assert (reload(Post, w.answer_id).deleted_at is not None) == done(status)


def test_community_question_is_moderated_by_community_facilitators_only(client, login, fran, pat, sam):
    """A group facilitator has no power over community-wide questions; a community facilitator does."""
    otto = make_user("otto")
    make_group(otto, "open", name="Otto's group")
    question = make_question(pat, title="Community question")
    other = make_question(pat, title="Community duplicate")
    answer = make_answer(sam, question)
    login(otto)
    assert b"Accept this answer" not in client.get(f"/questions/{question.id}").data
    assert client.post(f"/questions/{question.id}/accept", data={"answer_id": answer.id}).status_code == 403
    assert client.post(f"/questions/{other.id}/close", data={"duplicate_of": str(question.id)}).status_code == 403
    login(fran)
    assert b"Accept this answer" in client.get(f"/questions/{question.id}").data
    assert client.post(f"/questions/{other.id}/close", data={"duplicate_of": str(question.id)}).status_code == 302
