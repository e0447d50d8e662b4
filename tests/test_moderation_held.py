"""Held posts have two outcomes, Approve or Reject (with a reason the author sees); they are never stranded.

Reports have Dismiss; a held post does not: dismissing its automatic report used to leave the post
pending for ever (members got 404 and the Dismissed tab had no buttons).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.errors import InvalidInput
from community.extensions import db
from community.models import Board, Group, Notification, Post, Report, Topic
from community.services import moderation, posts
from community.services.settings import update_settings
from tests.factories import acting, load_post, make_user
from tests.factories_groups import make_group


@pytest.fixture
def cohort(fran, pat, sam):
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 9")
    group.approve_all_posts = True
    db.session.commit()
    return group


@pytest.fixture
def board(cohort):
    return db.session.scalar(select(Board).where(Board.group_id == cohort.id))


@pytest.fixture
def lounge():
    board = Board(name="Lounge", slug="lounge")
    db.session.add(board)
    db.session.commit()
    return board


def _held_topic(author, board, body="My first thoughts on the case"):
    topic = posts.create_topic(acting(author), kind="discussion", title="First post", body=body, board=board)
    assert topic.status == "pending"
    return topic


def _opening(topic):
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def _held_report(topic):
    return db.session.scalar(select(Report).where(Report.topic_id == topic.id, Report.automatic.is_(True)))


def test_dismissing_a_held_posts_report_is_refused_and_the_post_stays_in_the_queue(client, login, board, fran, sam):
    topic = _held_topic(sam, board)
    report = _held_report(topic)
    login(fran)
    response = client.post(f"/moderation/reports/{report.id}/dismiss")
    assert response.status_code == 303
    assert db.session.get(Report, report.id).status == "open"
    assert db.session.get(Topic, topic.id).status == "pending"
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "approved or rejected" in follow and "My first thoughts" in follow
    with pytest.raises(InvalidInput):
        moderation.dismiss(acting(fran), moderation.access_report(acting(fran), report.id))


def test_the_queue_offers_approve_and_reject_for_a_held_post_not_dismiss(client, login, board, fran, sam):
    topic = _held_topic(sam, board)
    report = _held_report(topic)
    login(fran)
    html = client.get("/moderation/").get_data(as_text=True)
    post_id = _opening(topic).id
    assert f"/moderation/posts/{post_id}/approve" in html and f"/moderation/posts/{post_id}/reject" in html
    assert f"/moderation/reports/{report.id}/dismiss" not in html
    assert 'for="reject-reason-' in html  # its own labelled reason box


def test_rejecting_needs_a_reason_then_the_author_sees_it_and_nobody_else(client, login, board, fran, pat, sam):
    topic = _held_topic(sam, board)
    post = _opening(topic)
    login(fran)
    response = client.post(f"/moderation/posts/{post.id}/reject", data={"reason": ""})
    assert response.status_code == 303
    assert db.session.get(Post, post.id).hidden_at is None
    response = client.post(f"/moderation/posts/{post.id}/reject", data={"reason": "Please remove the phone number"})
    assert response.status_code == 302
    rejected = db.session.get(Post, post.id)
    assert rejected.hidden_at is not None and rejected.hidden_reason == "Please remove the phone number"
    assert _held_report(topic).status == "resolved"
    login(pat)
    assert client.get(f"/discussions/{topic.id}").status_code == 404
    login(sam)
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Please remove the phone number" in page and "Not approved by a moderator" in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == sam.id,
                                                        Notification.kind == "post_rejected"))
    assert note is not None and note.message == "Please remove the phone number"
    assert "Please remove the phone number" in client.get("/notifications").get_data(as_text=True)


def test_approving_from_the_post_publishes_it_and_tells_the_author(client, login, board, fran, pat, sam):
    topic = _held_topic(sam, board)
    post = _opening(topic)
    login(fran)
    assert client.post(f"/moderation/posts/{post.id}/approve").status_code == 302
    assert db.session.get(Topic, topic.id).status == "published"
    assert _held_report(topic).status == "resolved"
    login(pat)
    assert client.get(f"/discussions/{topic.id}").status_code == 200
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == sam.id)))
    assert {"post_held", "post_approved"} <= kinds


def test_a_rejected_post_can_still_be_approved_later(board, fran, sam):
    topic = _held_topic(sam, board)
    post = load_post(fran, _opening(topic).id)
    moderation.reject_post(acting(fran), post, post.topic, "Too early")
    post = load_post(fran, post.id)
    moderation.approve_post(acting(fran), post, post.topic)
    topic = db.session.get(Topic, topic.id)
    assert topic.status == "published" and topic.hidden_at is None
    assert db.session.get(Post, post.id).hidden_at is None


def test_a_held_reply_rejected_and_approved_keeps_the_counts(board, fran, pat, sam):
    group = db.session.get(Group, board.group_id)
    group.approve_all_posts = False
    db.session.commit()
    topic = posts.create_topic(acting(pat), kind="discussion", title="Open", body="Hello", board=board)
    group = db.session.get(Group, board.group_id)
    group.approve_all_posts = True
    db.session.commit()
    reply = posts.add_post(acting(sam), db.session.get(Topic, topic.id), "My reply")
    assert reply.pending
    post = load_post(fran, reply.id)
    moderation.reject_post(acting(fran), post, post.topic, "Off-topic")
    assert db.session.get(Topic, topic.id).reply_count == 0
    post = load_post(fran, reply.id)
    moderation.approve_post(acting(fran), post, post.topic)
    assert db.session.get(Topic, topic.id).reply_count == 1
    assert db.session.get(Post, reply.id).pending is False


def test_a_post_stranded_by_an_old_dismissal_is_offered_again(client, login, board, fran, sam):
    topic = _held_topic(sam, board)
    report = _held_report(topic)
    report.status = "dismissed"  # as the old code left it
    db.session.commit()
    login(fran)
    dismissed = client.get("/moderation/?status=dismissed").get_data(as_text=True)
    assert f"/moderation/posts/{_opening(topic).id}/approve" in dismissed


def test_the_author_is_told_at_once_and_sees_it_waiting(client, login, lounge, admin, pat):
    update_settings(acting(admin), premoderate_first_posts=1)
    login(pat)
    response = client.post(f"/boards/{lounge.id}/new", data={"title": "Hello all", "body": "Glad to be here"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your post is waiting for a moderator" in html
    assert "Waiting for a moderator" in html.split("</header>", 2)[-1]  # marked on the post itself
    assert "Only members of this group can reply" not in html  # a community board has no group
    topic = db.session.scalar(select(Topic))
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    assert note.kind == "post_held" and note.topic_id == topic.id
    assert "Hello all" in client.get("/notifications").get_data(as_text=True)


def test_a_held_reply_is_announced_to_its_author(client, login, board, fran, pat):
    group = db.session.get(Group, board.group_id)
    group.approve_all_posts = False
    db.session.commit()
    topic = posts.create_topic(acting(fran), kind="discussion", title="Open", body="Hello", board=board)
    group = db.session.get(Group, board.group_id)
    group.approve_all_posts = True
    db.session.commit()
    login(pat)
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "Me too"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your post is waiting for a moderator" in html and "Me too" in html


def test_approve_and_reject_permissions(client, login, logout, board, admin, fran, pat, sam, mallory):
    other = make_user("olga", role="participant")
    make_group(other, "private", name="Olga's group")
    topic = _held_topic(sam, board)
    post_id = _opening(topic).id
    expected = {"pat": 404, "mallory": 404, "olga": 404, "sam": 403}
    for who in (pat, mallory, other, sam):
        logout()
        login(who)
        for action in ("approve", "reject"):
            status = client.post(f"/moderation/posts/{post_id}/{action}", data={"reason": "x"}).status_code
            assert status == expected[who.handle], (who.handle, action)
    assert db.session.get(Topic, topic.id).status == "pending"
    assert client.post("/moderation/posts/999999/approve").status_code == 404
