"""The loop around moderation: members are told what happened to their posts, deleted and spam-wave content
comes back, moves strand nobody, and one review queue (with counts in the header) holds everything waiting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import AuditEvent, Board, Membership, Notification, OutboxMessage, Post, Report, Topic, User
from community.services import boards, moderation, posts, review
from community.services.groups import request_to_join
from community.services.notifications import set_preferences
from community.services.settings import update_settings
from tests.factories import acting, load_post, make_user
from tests.factories_groups import make_group


@pytest.fixture
def cohort(fran, pat, sam):
    return make_group(fran, "private", members=[pat, sam], name="Cohort 9")


@pytest.fixture
def board(cohort):
    return db.session.scalar(select(Board).where(Board.group_id == cohort.id))


def _thread(pat, sam, board):
    topic = posts.create_topic(acting(pat), kind="discussion", title="Policy", body="Thoughts?", board=board)
    reply = posts.add_post(acting(sam), db.session.get(Topic, topic.id), "A reply from Sam")
    return topic, reply


def _kinds(user):
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))  # fmt: skip


# Everyone is told -------------------------------------------------------------------------------------------


def test_hiding_and_restoring_a_post_tells_its_author_with_the_reason(client, login, board, fran, pat, sam):
    _topic, reply = _thread(pat, sam, board)
    login(fran)
    client.post(f"/posts/{reply.id}/hide", data={"reason": "Please keep names out"})
    note = db.session.scalar(select(Notification).where(Notification.user_id == sam.id,
                                                        Notification.kind == "post_hidden"))  # fmt: skip
    assert note is not None and note.message == "Please keep names out" and note.actor_id is None
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == sam.email))
    assert mail is not None and "Please keep names out" in mail.body_text
    client.post(f"/posts/{reply.id}/restore")
    assert _kinds(sam)[-1] == "post_restored"
    login(sam)
    html = client.get("/notifications").get_data(as_text=True)
    assert "hid your post" in html and "restored your post" in html and "Please keep names out" in html


def test_a_warning_reaches_the_member_with_the_post_once(client, login, board, fran, pat, sam):
    _topic, reply = _thread(pat, sam, board)
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "abuse")
    login(fran)
    client.post(f"/moderation/reports/{report.id}/warn", data={"message": "Please keep it kind."})
    note = db.session.scalar(select(Notification).where(Notification.kind == "warning"))
    assert (note.user_id, note.post_id, note.message) == (sam.id, reply.id, "Please keep it kind.")
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == sam.email)).all()
    assert len(mails) == 1 and "Please keep it kind." in mails[0].body_text


def test_moderation_notices_follow_the_members_preferences(board, fran, pat, sam):
    set_preferences(sam, {"post_hidden": "off", "post_restored": "web"})
    _topic, reply = _thread(pat, sam, board)
    post = load_post(fran, reply.id)
    posts.hide_post(acting(fran), post, post.topic, "x")
    post = load_post(fran, reply.id)
    posts.restore_post(acting(fran), post, post.topic)
    assert _kinds(sam) == ["post_restored"]
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == sam.email)) is None


def test_the_settings_page_offers_each_moderation_kind(client, login, pat):
    login(pat)
    html = client.get("/notifications/settings").get_data(as_text=True)
    for label in ("Your post is waiting for a moderator", "A moderator approved your post",
                  "A moderator didn't approve your post", "A moderator hid your post", "A moderator restored your post",
                  "A warning from the moderators"):  # fmt: skip
        assert label in html.replace("&#39;", "'")


def test_a_notice_about_a_post_in_a_group_the_member_left_is_not_shown(client, login, board, cohort, fran, pat, sam):
    _topic, reply = _thread(pat, sam, board)
    post = load_post(fran, reply.id)
    posts.hide_post(acting(fran), post, post.topic, "Secret reason")
    db.session.execute(Membership.__table__.delete().where(Membership.user_id == sam.id))
    db.session.commit()
    login(sam)
    assert "Secret reason" not in client.get("/notifications").get_data(as_text=True)


# Deleted posts and the spam wave come back ------------------------------------------------------------------


def test_staff_see_a_deleted_post_collapsed_and_restore_it(client, login, board, fran, pat, sam):
    topic, reply = _thread(pat, sam, board)
    login(sam)
    client.post(f"/posts/{reply.id}/delete")
    assert db.session.get(Post, reply.id).deleted_by_id == sam.id
    assert db.session.get(Topic, topic.id).reply_count == 0
    login(pat)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "This post was deleted." in html and "A reply from Sam" not in html
    assert client.post(f"/moderation/posts/{reply.id}/undelete").status_code == 403
    login(fran)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "deleted by its author" in html and "A reply from Sam" in html and "Restore this post" in html
    assert client.post(f"/moderation/posts/{reply.id}/undelete").status_code == 302
    restored = db.session.get(Post, reply.id)
    assert restored.deleted_at is None and db.session.get(Topic, topic.id).reply_count == 1
    assert "post_restored" in _kinds(sam)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.undelete")).actor_id == fran.id


def test_a_post_deleted_by_a_moderator_names_them(client, login, board, fran, pat, sam):
    topic, reply = _thread(pat, sam, board)
    post = load_post(fran, reply.id)
    posts.delete_post(acting(fran), post, post.topic)
    login(fran)
    assert "deleted by Fran Facilitator" in client.get(f"/discussions/{topic.id}").get_data(as_text=True)


def test_reactivating_after_a_spam_wave_offers_to_restore_what_it_hid(client, login, board, admin, fran, pat, sam):
    topic, reply = _thread(pat, sam, board)
    own = posts.create_topic(acting(sam), kind="discussion", title="Sam's own", body="Hello", board=board)
    login(admin)
    page = client.get(f"/admin/members/{sam.id}").get_data(as_text=True)
    assert 'name="suspend-hide_everything"' in page  # the spam-wave button is on the member's page too
    response = client.post(f"/admin/members/{sam.id}/suspend",
                           data={"suspend-reason": "Spam", "suspend-hide_everything": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/members/{sam.id}")
    assert db.session.get(User, sam.id).state == "suspended"
    assert db.session.get(Post, reply.id).hidden_at is not None
    assert db.session.get(Topic, topic.id).reply_count == 0
    page = client.get(f"/admin/members/{sam.id}").get_data(as_text=True)
    assert "Also restore the 2 posts the spam wave hid" in page
    response = client.post(f"/admin/members/{sam.id}/reactivate", data={"act-restore_content": "y"})
    assert response.status_code == 302
    assert db.session.get(User, sam.id).state == "active"
    assert db.session.get(Post, reply.id).hidden_at is None
    assert db.session.get(Topic, own.id).hidden_at is None
    assert db.session.get(Topic, topic.id).reply_count == 1


def test_reactivating_without_restoring_leaves_the_content_hidden(client, login, board, admin, pat, sam):
    _topic, reply = _thread(pat, sam, board)
    moderation.spam_wave(acting(admin), db.session.get(User, sam.id), until=None, reason="Spam")
    login(admin)
    client.post(f"/admin/members/{sam.id}/reactivate", data={"act-reason": "Second chance"})
    assert db.session.get(User, sam.id).state == "active"
    assert db.session.get(Post, reply.id).hidden_at is not None


def test_held_posts_restored_after_a_wave_go_back_to_the_queue(admin, fran, pat, sam, board, cohort):
    cohort.approve_all_posts = True
    db.session.commit()
    held = posts.create_topic(acting(sam), kind="discussion", title="Held", body="Wait", board=board)
    moderation.spam_wave(acting(admin), db.session.get(User, sam.id), until=None, reason="Spam")
    assert review.counts(acting(fran)).held == 0
    from community.services.admin import reactivate_member

    reactivate_member(acting(admin), db.session.get(User, sam.id), restore_content=True)
    assert db.session.get(Topic, held.id).status == "pending"
    assert review.counts(acting(fran)).held == 1


# Moving a discussion ----------------------------------------------------------------------------------------


def test_moving_into_a_group_the_author_cannot_see_is_refused_with_a_warning(client, login, board, admin, pat, sam):
    other = make_group(admin, "private", members=[sam], name="Tutors only")
    target = db.session.scalar(select(Board).where(Board.group_id == other.id))
    topic, _reply = _thread(pat, sam, board)
    login(admin)
    response = client.post(f"/discussions/{topic.id}/move", data={"board_id": target.id})
    assert response.status_code == 303
    assert db.session.get(Topic, topic.id).board_id == board.id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pat Participant wrote in this discussion but is not a member of Tutors only" in html
    # Once Pat is in the group too, the move goes through.
    from community.services.groups import add_member

    add_member(db.session.get(type(other), other.id), db.session.get(User, pat.id))
    topic = db.session.get(Topic, topic.id)
    boards.move_topic(acting(admin), posts_topic(admin, topic.id), db.session.get(Board, target.id))
    assert db.session.get(Topic, topic.id).board_id == target.id


def posts_topic(user, topic_id):
    from tests.factories import load_topic

    return load_topic(user, topic_id)


# The review queue -------------------------------------------------------------------------------------------


def test_the_header_counts_what_waits_in_one_query(client, login, board, cohort, admin, fran, pat, sam, pending,
                                                   assert_queries):  # fmt: skip
    update_settings(acting(admin), blocked_words=["casino"])
    posts.create_topic(acting(pat), kind="discussion", title="Casino", body="casino night", board=board)
    _topic, reply = _thread(pat, sam, board)
    post = load_post(pat, reply.id)
    moderation.report_post(acting(pat), post, post.topic, "spam")
    request_group = make_group(fran, "request", name="Open door")
    outsider = make_user("otto")
    request_to_join(acting(outsider), request_group, None)
    counts = review.counts(acting(db.session.get(User, fran.id)))
    assert (counts.reports, counts.held, counts.members, counts.requests) == (1, 1, 0, 1)
    counts = review.counts(acting(db.session.get(User, admin.id)))
    assert (counts.reports, counts.held, counts.members, counts.requests) == (1, 1, 1, 1)
    manager, participant = acting(db.session.get(User, admin.id)), acting(db.session.get(User, pat.id))
    with assert_queries(1):
        review.counts(manager)
    with assert_queries(0):
        assert review.counts(participant).total == 0
    login(admin)
    html = client.get("/moderation/").get_data(as_text=True)
    assert 'data-review-count aria-hidden="true">4<' in html and "Review, 4 waiting" in html
    assert "Penny Pending" in html and "Otto" in html and "casino night" in html and "A reply from Sam" in html
    login(pat)
    assert "data-review-count" not in client.get("/").get_data(as_text=True)


def test_a_facilitator_answers_a_join_request_from_the_queue(client, login, fran, mallory):
    group = make_group(fran, "request", name="Open door")
    membership = request_to_join(acting(mallory), group, None)
    login(fran)
    html = client.get("/moderation/?status=requests").get_data(as_text=True)
    assert "Mallory Mischief" in html
    response = client.post(f"/groups/{group.slug}/requests/{membership.id}/approve",
                           data={"next": "/moderation/?status=requests"})  # fmt: skip
    assert response.headers["Location"].endswith("/moderation/?status=requests")
    assert db.session.get(Membership, membership.id).state == "active"


def test_another_groups_facilitator_sees_none_of_its_requests(client, login, fran, mallory):
    group = make_group(fran, "request", name="Open door")
    request_to_join(acting(mallory), group, None)
    olga = make_user("olga")
    make_group(olga, "private", name="Olga's")
    login(olga)
    assert "Mallory" not in client.get("/moderation/?status=requests").get_data(as_text=True)
    assert review.counts(acting(db.session.get(User, olga.id))).requests == 0


def test_a_pending_member_is_declined_with_a_reason_and_told(client, login, admin, pending):
    login(admin)
    response = client.post(f"/admin/members/{pending.id}/decline", data={"decline-reason": "Not on the programme"})
    assert response.status_code == 302
    assert db.session.get(User, pending.id).state == "deleted"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == pending.email))
    assert "not been accepted" in mail.body_text and "Not on the programme" in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.decline"))
    assert event.reason == "Not on the programme"
    again = client.post(f"/admin/members/{pending.id}/decline", data={})
    assert again.status_code == 404


def test_declining_without_a_reason_and_declining_an_active_member(client, login, admin, pending, pat):
    login(admin)
    assert client.post(f"/admin/members/{pending.id}/decline", data={}).status_code == 302
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == pending.email))
    assert "The community manager wrote" not in mail.body_text
    assert client.post(f"/admin/members/{pat.id}/decline", data={}).status_code == 409
    assert db.session.get(User, pat.id).state == "active"


def test_dismissing_a_report_keeps_the_note(client, login, board, fran, pat, sam):
    _topic, reply = _thread(pat, sam, board)
    post = load_post(pat, reply.id)
    report = moderation.report_post(acting(pat), post, post.topic, "abuse")
    login(fran)
    html = client.get("/moderation/").get_data(as_text=True)
    assert f'for="dismiss-note-{report.id}"' in html and f'for="hide-reason-{report.id}"' in html
    client.post(f"/moderation/reports/{report.id}/dismiss", data={"reason": "Robust but fair"})
    assert db.session.get(Report, report.id).resolution == "Robust but fair"


def test_a_reason_ending_with_a_full_stop_is_shown_with_one(client, login, board, fran, pat, sam):
    topic, reply = _thread(pat, sam, board)
    login(fran)
    client.post(f"/posts/{reply.id}/hide", data={"reason": "Off topic. "})
    login(sam)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Off topic. Only you and the moderators can see it." in html
    assert "Off topic.." not in html
