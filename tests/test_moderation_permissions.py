"""Every moderation action against every persona: who may act, and that refusals change nothing.

Personas: admin, the group's facilitator, a group member, a member outside the group, a facilitator of
another group, a suspended member, an anonymous visitor. 404 means "as if it did not exist".
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Board, Post, Report, Topic, User
from community.services import moderation, posts
from tests.factories import acting, load_post, make_user
from tests.factories_groups import make_group

PERSONAS = ("admin", "facilitator", "member", "outsider", "other_facilitator", "suspended", "anonymous")
# action -> expected status per persona (anonymous visitors are sent to sign in: 302)
QUEUE = {"admin": 200, "facilitator": 200, "member": 404, "outsider": 404, "other_facilitator": 200,
         "suspended": 403, "anonymous": 302}  # fmt: skip
ACT = {"admin": 302, "facilitator": 302, "member": 404, "outsider": 404, "other_facilitator": 404,
       "suspended": 403, "anonymous": 302}  # fmt: skip
REPORT_FORM = {"admin": 200, "facilitator": 200, "member": 200, "outsider": 404, "other_facilitator": 404,
               "suspended": 403, "anonymous": 302}  # fmt: skip
SPAM_WAVE_DONE = {"admin": True, "facilitator": False, "member": False, "outsider": False,
                  "other_facilitator": False, "suspended": False, "anonymous": False}  # fmt: skip
ACTIONS = ("dismiss", "hide", "delete", "lock", "warn", "approve")


@pytest.fixture
def world(admin, fran, pat, sam):
    other = make_user("olga", role="participant", display_name="Olga Other")
    outsider = make_user("otto", display_name="Otto Outsider")
    susie = make_user("susie", display_name="Susie Suspended")
    group = make_group(fran, "private", members=[pat, sam, susie], name="Cohort T")
    make_group(other, "private", name="Olga's group")  # Olga facilitates another group only
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    topic = posts.create_topic(acting(pat), kind="discussion", title="Case study", body="Thoughts?", board=board)
    reply = posts.add_post(acting(sam), topic, "Visit my-shop.example for cheap essays")
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "spam")
    susie.state = "suspended"
    db.session.commit()
    people = {"admin": admin, "facilitator": fran, "member": pat, "outsider": outsider,
              "other_facilitator": other, "suspended": susie, "anonymous": None}  # fmt: skip
    return {"people": people, "topic": topic, "reply": reply, "report": report, "spammer": sam}


def _as(client, login, logout, world, persona):
    logout()
    person = world["people"][persona]
    if person is not None:
        login(person)


def _snapshot(world):
    db.session.expire_all()
    reply = db.session.get(Post, world["reply"].id)
    topic = db.session.get(Topic, world["topic"].id)
    report = db.session.get(Report, world["report"].id)
    spammer = db.session.get(User, world["spammer"].id)
    return (reply.hidden_at, reply.deleted_at, topic.locked, report.status, spammer.state)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queue(client, login, logout, world, persona):
    _as(client, login, logout, world, persona)
    response = client.get("/moderation/")
    assert response.status_code == QUEUE[persona]
    if response.status_code == 200:
        shown = "Visit my-shop.example" in response.get_data(as_text=True)
        assert shown == (persona in ("admin", "facilitator"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_on_a_report(client, login, logout, world, persona, action):
    _as(client, login, logout, world, persona)
    before = _snapshot(world)
    response = client.post(f"/moderation/reports/{world['report'].id}/{action}",
                           data={"reason": "Adverts", "message": "Please stop"})  # fmt: skip
    after = _snapshot(world)
    if persona in ("admin", "facilitator") and action == "approve":
        # Nothing was held: approving is refused with a message, and nothing changes.
        assert response.status_code == 303 and after == before
    elif persona in ("admin", "facilitator"):
        assert response.status_code == 302 and after != before
    else:
        assert response.status_code == ACT[persona] and after == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_report_form(client, login, logout, world, persona):
    _as(client, login, logout, world, persona)
    assert client.get(f"/moderation/report/post/{world['reply'].id}").status_code == REPORT_FORM[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_spam_wave_button(client, login, logout, world, persona):
    _as(client, login, logout, world, persona)
    client.post(f"/moderation/members/{world['spammer'].handle}/spam-wave",
                data={"reason": "Spam", "hide_everything": "y"})
    spammer = db.session.get(User, world["spammer"].id)
    assert (spammer.state == "suspended") == SPAM_WAVE_DONE[persona]
    reply = db.session.get(Post, world["reply"].id)
    assert (reply.hidden_at is not None) == SPAM_WAVE_DONE[persona]


def test_forbidden_buttons_are_absent(client, login, logout, world):
    _as(client, login, logout, world, "member")
    html = client.get(f"/discussions/{world['topic'].id}").get_data(as_text=True)
    assert "Hide…" not in html and "/moderation/reports/" not in html and ">Report<" in html
    assert "Moderation</a>" not in html  # no queue in the menu
    _as(client, login, logout, world, "facilitator")
    html = client.get(f"/discussions/{world['topic'].id}").get_data(as_text=True)
    assert "Hide…" in html and "Moderation</a>" in html
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "spam-wave" not in queue  # suspending is the community manager's
    _as(client, login, logout, world, "admin")
    assert "spam-wave" in client.get("/moderation/").get_data(as_text=True)


# Held posts, deleted posts, declining, the review tabs ---------------------------------------------------
# A held post is seen by its author and its moderators only: the author gets 403 (visible, not allowed),
# everybody else who may not moderate it 404.
DECIDE = {"admin": 302, "facilitator": 302, "member": 404, "outsider": 404, "other_facilitator": 404,
          "suspended": 403, "anonymous": 302, "author": 403}  # fmt: skip
# A deleted post's place in the thread is seen by the group's members (403), not by outsiders (404).
UNDELETE = {"admin": 302, "facilitator": 302, "member": 403, "outsider": 404, "other_facilitator": 404,
            "suspended": 403, "anonymous": 302, "author": 403}  # fmt: skip
DECLINE = {"admin": 302, "facilitator": 404, "member": 404, "outsider": 404, "other_facilitator": 404,
           "suspended": 403, "anonymous": 302, "author": 404}  # fmt: skip
TAB = {"admin": 200, "facilitator": 200, "member": 404, "outsider": 404, "other_facilitator": 200,
       "suspended": 403, "anonymous": 302, "author": 404}  # fmt: skip


@pytest.fixture
def held_world(world):
    group_id = world["topic"].group_id
    from community.models import Group

    group = db.session.get(Group, group_id)
    group.approve_all_posts = True
    db.session.commit()
    held = posts.add_post(acting(world["spammer"]), db.session.get(Topic, world["topic"].id), "Please approve me")
    assert held.pending
    world["held"] = held
    world["people"]["author"] = world["spammer"]
    return world


def _as_persona(client, login, logout, world, persona):
    logout()
    person = world["people"][persona]
    if person is not None:
        login(person)


@pytest.mark.parametrize("persona", [*PERSONAS, "author"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_approving_and_rejecting_a_held_post(client, login, logout, held_world, persona, action):
    _as_persona(client, login, logout, held_world, persona)
    held_id = held_world["held"].id
    response = client.post(f"/moderation/posts/{held_id}/{action}", data={"reason": "Not here"})
    assert response.status_code == DECIDE[persona]
    post = db.session.get(Post, held_id)
    decided = (not post.pending) if action == "approve" else post.hidden_at is not None
    assert decided == (DECIDE[persona] == 302 and persona not in ("anonymous",))


@pytest.mark.parametrize("persona", [*PERSONAS, "author"])
def test_restoring_a_deleted_post(client, login, logout, held_world, persona):
    reply = held_world["reply"]
    post = load_post(held_world["spammer"], reply.id)
    posts.delete_post(acting(held_world["spammer"]), post, post.topic)
    _as_persona(client, login, logout, held_world, persona)
    response = client.post(f"/moderation/posts/{reply.id}/undelete")
    assert response.status_code == UNDELETE[persona]
    restored = db.session.get(Post, reply.id).deleted_at is None
    assert restored == (persona in ("admin", "facilitator"))


@pytest.mark.parametrize("persona", [*PERSONAS, "author"])
def test_declining_a_pending_member(client, login, logout, held_world, persona):
    penny = make_user("penny", state="pending", display_name="Penny Pending")
    _as_persona(client, login, logout, held_world, persona)
    assert client.post(f"/admin/members/{penny.id}/decline", data={}).status_code == DECLINE[persona]
    assert (db.session.get(User, penny.id).state == "deleted") == (persona == "admin")


@pytest.mark.parametrize("persona", [*PERSONAS, "author"])
@pytest.mark.parametrize("tab", ["held", "members", "requests"])
def test_the_review_tabs(client, login, logout, held_world, persona, tab):
    _as_persona(client, login, logout, held_world, persona)
    response = client.get(f"/moderation/?status={tab}")
    assert response.status_code == TAB[persona]
    if response.status_code == 200 and tab == "held":
        shown = "Please approve me" in response.get_data(as_text=True)
        assert shown == (persona in ("admin", "facilitator"))
