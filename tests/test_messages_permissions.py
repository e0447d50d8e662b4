"""Who may do what with a private conversation: persona x action → status (the permission table).

Personas: the participants (Pat started it with Sam), Mallory (another member of their group, ill-intentioned),
Fran (a facilitator), Ada (the community manager), Susie (suspended) and Penny (pending).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import MemberRelation, Participant, Post, Report, User
from community.permissions import can_message_member
from community.services import messages
from community.services.settings import update_settings
from tests.factories import acting, make_user
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation, participant, send


@pytest.fixture
def world(fran, pat, sam, mallory, admin, suspended, pending):
    group = make_group(fran, "open", members=[pat, sam, mallory])
    topic = make_conversation(pat, sam, body="Just between us", replies=1)
    last = db.session.scalar(select(Post).where(Post.topic_id == topic.id).order_by(Post.number.desc()))
    people = {"pat": pat, "sam": sam, "mallory": mallory, "fran": fran, "admin": admin, "suspended": suspended,
              "pending": pending}  # fmt: skip
    return {"group": group, "topic": topic, "post": last, **people}


# A suspended member sees only the page that says so (403) wherever they go.
READ = [("pat", 200), ("sam", 200), ("mallory", 404), ("fran", 404), ("admin", 404), ("suspended", 403)]


@pytest.mark.parametrize(("who", "status"), READ)
def test_reading_a_conversation_by_id(client, login, world, who, status):
    login(world[who])
    response = client.get(f"/messages/{world['topic'].id}")
    assert response.status_code == status
    assert ("Just between us" in response.data.decode()) == (status == 200)


@pytest.mark.parametrize(("who", "status"), READ)
def test_a_message_permalink_leads_only_participants_in(client, login, world, who, status):
    login(world[who])
    response = client.get(f"/p/{world['post'].id}")
    expected = 302 if status == 200 else status
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].endswith(f"/messages/{world['topic'].id}#post-{world['post'].number}")


@pytest.mark.parametrize("who", ["mallory", "fran", "admin"])
def test_outsiders_cant_add_themselves_post_or_leave(client, login, world, who):
    login(world[who])
    topic_id = world["topic"].id
    handle = world[who].handle
    assert client.post(f"/messages/{topic_id}/people", data={"to": f"@{handle}"}).status_code == 404
    assert client.post(f"/messages/{topic_id}/reply", data={"body": "let me in"}).status_code == 404
    assert client.post(f"/messages/{topic_id}/leave").status_code == 404
    assert client.post(f"/messages/{topic_id}/mute").status_code == 404
    assert client.post(f"/messages/posts/{world['post'].id}/delete").status_code == 404
    assert participant(topic_id, world[who]) is None
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.topic_id == topic_id)) == 2


def test_only_the_starter_adds_people(client, login, world):
    topic_id = world["topic"].id
    login(world["sam"])
    assert "Add people" not in client.get(f"/messages/{topic_id}").data.decode()
    assert client.post(f"/messages/{topic_id}/people", data={"to": "@mallory"}).status_code == 403
    assert participant(topic_id, world["mallory"]) is None
    login(world["pat"])
    assert "Add people" in client.get(f"/messages/{topic_id}").data.decode()
    assert client.post(f"/messages/{topic_id}/people", data={"to": "@mallory"}).status_code == 302
    assert participant(topic_id, world["mallory"]).left_at is None


def test_a_member_who_left_loses_the_whole_conversation(client, login, world):
    topic_id = world["topic"].id
    login(world["sam"])
    assert client.post(f"/messages/{topic_id}/leave").status_code == 302
    assert client.get(f"/messages/{topic_id}").status_code == 404
    assert client.post(f"/messages/{topic_id}/reply", data={"body": "back again"}).status_code == 404
    assert client.get(f"/p/{world['post'].id}").status_code == 404
    assert "Just between us" not in client.get("/messages").data.decode()
    send(world["pat"], topic_id, "After Sam left")
    db.session.rollback()
    sam = acting(db.session.get(User, world["sam"].id))
    assert messages.unread_conversations(sam) == 0
    # The starter may add them back: they read it all again.
    login(world["pat"])
    assert client.post(f"/messages/{topic_id}/people", data={"to": "@sam"}).status_code == 302
    login(world["sam"])
    assert "After Sam left" in client.get(f"/messages/{topic_id}").data.decode()


@pytest.mark.parametrize("who", ["suspended", "pending"])
def test_suspended_and_pending_members_cant_send(client, login, world, who):
    login(world[who])
    assert client.post("/messages/new", data={"to": "@pat", "body": "hi"}).status_code in (302, 403, 404)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == world[who].id)) == 0


def test_who_may_message_whom(world):
    """Participants who share a group; facilitators and admins anyone; the setting stops participant pairs."""
    pat, mallory, fran, admin = (acting(world[k]) for k in ("pat", "mallory", "fran", "admin"))
    loner = acting(make_user("lona", display_name="Lona Lone"))
    roles = messages.read.group_roles_of([mallory.id, loner.id, fran.id])
    assert can_message_member(pat, mallory, other_groups=roles[mallory.id])
    assert not can_message_member(pat, loner, other_groups=roles[loner.id])  # no group in common
    assert can_message_member(fran, loner, other_groups=roles[loner.id])
    assert can_message_member(admin, loner, other_groups=roles[loner.id])
    assert can_message_member(loner, fran, other_groups=roles[fran.id])  # anyone may write to a facilitator
    assert not can_message_member(pat, pat, other_groups=roles[mallory.id])
    assert not can_message_member(pat, mallory, other_groups=roles[mallory.id], blocked=True)
    assert not can_message_member(pat, mallory, other_groups=roles[mallory.id], participants_may_message=False)
    assert not can_message_member(world["suspended"], fran, other_groups=roles[fran.id])


def test_the_community_can_switch_participant_messages_off(client, login, world):
    update_settings(acting(world["admin"]), participants_may_message=False)
    login(world["pat"])
    response = client.post("/messages/new", data={"to": "@mallory", "body": "Still there?"})
    assert response.status_code == 400 and "You can&#39;t send a message to Mallory Mischief" in response.data.decode()
    assert client.post("/messages/new", data={"to": "@fran", "body": "A question"}).status_code == 302


@pytest.mark.parametrize("direction", ["pat blocks mallory", "mallory blocks pat"])
def test_a_block_stops_messages_both_ways(client, login, world, direction):
    pat, mallory = world["pat"], world["mallory"]
    topic = make_conversation(pat, mallory, body="Before the block")
    blocker, blocked = (pat, mallory) if direction.startswith("pat") else (mallory, pat)
    db.session.add(MemberRelation(user_id=blocker.id, other_id=blocked.id, kind="block"))
    db.session.commit()
    for sender, receiver in ((pat, mallory), (mallory, pat)):
        login(sender)
        response = client.post("/messages/new", data={"to": f"@{receiver.handle}", "body": "Hello?"})
        assert response.status_code == 400, direction
        assert client.post(f"/messages/{topic.id}/reply", data={"body": "Still?"}).status_code == 403
        assert "A block stands between you" in client.get(f"/messages/{topic.id}").data.decode()


def test_reporting_a_message_shows_the_community_manager_that_message_alone(client, login, world):
    topic, post = world["topic"], world["post"]
    send(world["pat"], topic.id, "Another private line, not reported")
    login(world["pat"])  # Pat reports Sam's message
    assert client.post(f"/moderation/report/post/{post.id}", data={"reason": "abuse", "text": "Unkind"}
                       ).status_code == 302  # fmt: skip
    report = db.session.scalar(select(Report))
    assert report.post_id == post.id and report.group_id is None
    login(world["admin"])
    queue = client.get("/moderation/").data.decode()
    assert post.body in queue  # the reported message, and nothing else of the conversation
    assert "Just between us" not in queue and "Another private line" not in queue
    assert f"/messages/{topic.id}" not in queue and f"/p/{post.id}" not in queue
    assert "in a private conversation" in queue
    assert client.get(f"/messages/{topic.id}").status_code == 404  # the moderator still can't open it
    # Fran (a community facilitator) handles community-wide reports, but never a private message's.
    login(world["fran"])
    assert post.body not in client.get("/moderation/").data.decode()
    assert client.post(f"/moderation/reports/{report.id}/hide", data={"reason": "x"}).status_code == 404
    # The community manager hides that one message; the conversation stays with its people.
    login(world["admin"])
    assert client.post(f"/moderation/reports/{report.id}/hide", data={"reason": "Unkind"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is not None
    login(world["sam"])
    page = client.get(f"/messages/{topic.id}").data.decode()
    assert "Just between us" in page and "Hidden by a moderator: Unkind" in page
    # The audit log says what was done, never where: no subject, no link into the conversation.
    login(world["admin"])
    audit = client.get("/admin/audit").data.decode()
    assert "a private conversation" in audit
    assert f"/p/{post.id}" not in audit and f"/messages/{topic.id}" not in audit


def test_the_admin_is_told_of_a_reported_message_without_its_conversation(world):
    from community.models import Notification
    from community.services.moderation import report_post

    post = world["post"]
    pat = acting(world["pat"])
    messages.access_conversation(pat, world["topic"].id)
    report_post(pat, post, post.topic if "topic" in post.__dict__ else world["topic"], "spam")
    notes = list(db.session.scalars(select(Notification).where(Notification.kind == "report")))
    assert [n.user_id for n in notes] == [world["admin"].id]
    assert notes[0].topic_id is None and notes[0].post_id is None


def test_participants_rows_belong_to_participants(world):
    rows = db.session.scalars(select(Participant.user_id).where(Participant.topic_id == world["topic"].id))
    assert sorted(rows) == sorted([world["pat"].id, world["sam"].id])


def test_the_manager_switches_participant_messages_off_in_the_settings(client, login, world):
    from community.services.settings import get_setting

    login(world["admin"])
    page = client.get("/admin/settings").data.decode()
    assert "Participants may send private messages to each other" in page
    form = {"community_name": "", "default_language": "en", "default_timezone": "UTC",
            "premoderate_first_posts": "0", "new_member_link_limit": "2"}  # the box left unticked
    assert client.post("/admin/settings", data=form).status_code == 302
    db.session.expire_all()
    assert get_setting("participants_may_message") is False
    login(world["fran"])
    assert "You can&#39;t write" not in client.get("/messages/new?to=pat").data.decode()
    assert client.post("/messages/new", data={"to": "@pat", "body": "Facilitators still may"}).status_code == 302
