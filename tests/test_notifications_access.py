"""Notifications never outlive access: the page, the bell, opening one, the digest and the e-mail sent at once
are all re-checked against what the reader may see now, reports and notifications without a topic included."""

import re

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Membership, Notification, OutboxMessage, User
from community.services import admin as admin_service
from community.services import digests, groups, mail, moderation, notifications
from tests.factories import acting, load_post, make_user
from tests.factories_groups import make_group
from tests.factories_social import discussion, opening, reply


def _fresh(user: User) -> User:
    db.session.rollback()
    return acting(db.session.get(User, user.id))


def _page(client, login, user: User) -> str:
    login(_fresh(user))
    html = client.get("/notifications").get_data(as_text=True)
    # The bell agrees with the page: as many unread as the page lists unread.
    shown = html.count('class="notification unread"')
    bell = re.search(r"data-bell-count>(\d+)<", html)
    assert (int(bell.group(1)) if bell else 0) == shown == notifications.unread_count(_fresh(user))
    return html


def _membership(group, user) -> Membership:
    return db.session.scalar(select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))


def _reported(reporter: User, author: User, group=None, title: str = "Reported thread"):
    topic = discussion(author, group, title=title, body="Something rude")
    post = load_post(reporter, opening(topic).id)
    moderation.report_post(acting(reporter), post, post.topic, "abuse")
    return topic


# ----------------------------------------------------------------------------------------------------------
# Someone who left a private group


def test_leaving_a_private_group_hides_all_its_notifications(client, login, fran, pat):
    group = make_group(fran, "private", members=[pat], name="Quiet cohort")
    discussion(fran, group, title="Secret plans", body="@pat have a look")
    groups.set_member_role(acting(fran), group, _membership(group, pat).id, "facilitator")
    discussion(fran, title="Open to all", body="@pat and everyone")
    html = _page(client, login, pat)
    assert "Secret plans" in html and "Quiet cohort" in html and "Open to all" in html
    groups.leave_group(_fresh(pat), group)
    html = _page(client, login, pat)
    assert "Secret plans" not in html and "Quiet cohort" not in html
    assert "Open to all" in html
    groups.add_member(group, _fresh(pat), actor=fran)  # back in: what is theirs to see comes back
    assert "Secret plans" in _page(client, login, pat)


def test_opening_a_notification_one_may_no_longer_see_is_not_found(client, login, fran, pat):
    group = make_group(fran, "private", members=[pat])
    discussion(fran, group, body="@pat see this")
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    groups.leave_group(_fresh(pat), group)
    login(_fresh(pat))
    assert client.get(f"/notifications/{note.id}").status_code == 404
    assert client.post(f"/notifications/{note.id}/read").status_code == 404


# ----------------------------------------------------------------------------------------------------------
# A demoted facilitator


def test_a_demoted_facilitator_no_longer_sees_the_groups_reports_or_requests(client, login, admin, fran, pat,
                                                                             sam, mallory):  # fmt: skip
    rae = make_user("rae", display_name="Rae Reporter")
    group = make_group(fran, "request", members=[pat, rae], facilitators=[sam], name="Request cohort")
    _reported(rae, pat, group)
    groups.request_to_join(acting(mallory), group, None)
    html = _page(client, login, sam)
    assert "reported a post in" in html and "asked to join" in html
    groups.set_member_role(acting(fran), group, _membership(group, sam).id, "member")
    html = _page(client, login, sam)
    assert "reported a post in" not in html and "asked to join" not in html
    # Those who still moderate keep theirs: the other facilitator both, the community manager the report.
    html = _page(client, login, fran)
    assert "reported a post in" in html and "asked to join" in html
    assert "reported a post in" in _page(client, login, admin)
    groups.set_member_role(acting(fran), group, _membership(group, sam).id, "facilitator")
    assert "reported a post in" in _page(client, login, sam)  # re-checked when shown, never deleted


def test_a_demoted_community_facilitator_no_longer_sees_community_reports(client, login, admin, fran, pat, sam):
    _reported(sam, pat, title="Community thread")
    assert "reported a post in" in _page(client, login, fran)
    admin_service.change_role(acting(admin), _fresh(fran), "participant")
    html = _page(client, login, fran)
    assert "reported a post in" not in html and "Community thread" not in html
    assert "reported a post in" in _page(client, login, admin)


def test_a_member_report_reaches_only_the_community_manager(client, login, admin, fran, pat, mallory):
    moderation.report_member(acting(mallory), pat, "abuse", "Pat was rude")
    assert "reported" in _page(client, login, admin)
    assert "reported" not in _page(client, login, fran)


# ----------------------------------------------------------------------------------------------------------
# A withdrawn invitee


@pytest.mark.parametrize("visibility", ["private", "open"])
def test_a_withdrawn_invitation_disappears(client, login, fran, pat, visibility):
    group = make_group(fran, visibility, name="Invited cohort")
    membership = groups.invite_to_group(acting(fran), group, pat.id)
    html = _page(client, login, pat)
    assert "invited you to join" in html and "Invited cohort" in html
    groups.remove_member(acting(fran), group, membership.id)
    html = _page(client, login, pat)
    assert "invited you to join" not in html and "Invited cohort" not in html


def test_an_accepted_invitation_stays_until_the_member_leaves(client, login, fran, pat):
    group = make_group(fran, "private", name="Accepted cohort")
    membership = groups.invite_to_group(acting(fran), group, pat.id)
    groups.answer_invitation(_fresh(pat), group, db.session.get(Membership, membership.id), accept=True)
    assert "Accepted cohort" in _page(client, login, pat)
    groups.leave_group(_fresh(pat), group)
    assert "Accepted cohort" not in _page(client, login, pat)


def test_an_ill_intentioned_member_sees_nothing_of_others(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat], name="Private cohort")
    discussion(fran, group, title="Members only", body="@pat @mallory hello")
    html = _page(client, login, mallory)
    assert "Members only" not in html and "Private cohort" not in html
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    assert client.get(f"/notifications/{note.id}").status_code == 404


# ----------------------------------------------------------------------------------------------------------
# E-mail: the digest and the e-mail sent at once are checked when they go


def _mail_to(user: User) -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)))


def test_the_digest_leaves_out_what_the_member_can_no_longer_see(fran, pat, sam):
    notifications.set_preferences(pat, {"mention": "daily", "invitation": "daily", "facilitator_added": "daily"})
    group = make_group(fran, "private", members=[pat], name="Left cohort")
    other = make_group(sam, "private", name="Withdrawn cohort")
    discussion(fran, group, title="Left behind", body="@pat look")
    groups.set_member_role(acting(fran), group, _membership(group, pat).id, "facilitator")
    invited = groups.invite_to_group(acting(sam), other, pat.id)
    discussion(fran, title="Still here", body="@pat look")
    groups.set_member_role(acting(fran), group, _membership(group, pat).id, "member")
    groups.leave_group(_fresh(pat), group)
    groups.remove_member(acting(sam), other, invited.id)
    assert digests.send_digests("daily") >= 1
    text = next(m for m in _mail_to(pat) if "digest" in m.subject).body_text
    assert "Still here" in text
    assert "Left behind" not in text and "Left cohort" not in text and "Withdrawn cohort" not in text


def test_the_digest_names_each_notification_in_words(fran, pat):
    notifications.set_preferences(pat, {"join_approved": "daily"})
    group = make_group(fran, "request", name="Words cohort")
    groups.answer_request(acting(fran), group, groups.request_to_join(acting(pat), group, None).id, approve=True)
    digests.send_digests("daily")
    mail = next(m for m in _mail_to(pat) if "digest" in m.subject)
    assert "Fran Facilitator approved your request to join Words cohort" in mail.body_text
    assert "approved your request to join" in mail.body_html and "join_approved" not in mail.body_html


def test_a_mail_at_once_is_withdrawn_when_the_reader_lost_access_before_it_went(app, outbox, fran, pat, sam):
    group = make_group(fran, "private", members=[pat])
    discussion(fran, group, title="Gone before sent", body="@pat quick")
    elsewhere = make_group(sam, "private")
    invite = groups.invite_to_group(acting(sam), elsewhere, pat.id)
    discussion(fran, title="Sent all right", body="@pat quick")
    assert len(_mail_to(pat)) == 3
    groups.leave_group(_fresh(pat), group)
    groups.remove_member(acting(sam), elsewhere, invite.id)
    assert mail.deliver_pending() == 1
    sent = [p.read_text() for p in outbox.glob("*.eml")]
    assert len(sent) == 1 and "Sent all right" in sent[0]
    assert [m.subject for m in _mail_to(pat)] == ["Fran Facilitator mentioned you: Sent all right"]


def test_a_report_mail_to_a_facilitator_demoted_before_it_went_is_withdrawn(outbox, fran, pat, sam):
    group = make_group(fran, "open", members=[pat], facilitators=[sam])
    _reported(pat, fran, group)
    groups.set_member_role(acting(fran), group, _membership(group, sam).id, "member")
    assert mail.deliver_pending() == 2  # fran's report, and sam's news that they no longer facilitate
    assert [m.subject for m in _mail_to(sam)] == [f"You are no longer a facilitator of {group.name}"]
    assert [m.sent_at is not None for m in _mail_to(fran)] == [True]
    assert len(list(outbox.glob("*.eml"))) == 2


def test_mail_that_is_no_notification_is_sent_as_before(outbox, pat):
    mail.queue_mail(pat.email, "Welcome", "Hello")
    db.session.commit()
    assert mail.deliver_pending() == 1


# ----------------------------------------------------------------------------------------------------------
# Query counts: the same however many notifications, of whatever kinds


@pytest.mark.parametrize("size", [2, 12])
def test_a_page_of_every_kind_costs_the_same_queries(client, login, admin, fran, pat, sam, assert_queries, size):
    group = make_group(fran, "request", members=[sam])
    topic = discussion(fran, group, title="Cohort chat")
    for i in range(size):
        g = make_group(fran, "private", name=f"Invites {i}")
        groups.invite_to_group(acting(fran), g, pat.id)
        reply(sam, topic, f"@{fran.handle} number {i}")
    groups.answer_request(acting(fran), group, groups.request_to_join(acting(pat), group, None).id, approve=True)
    _reported(sam, fran, group)
    admin_service.change_role(acting(admin), _fresh(pat), "facilitator")
    login(_fresh(pat))
    # session + group roles + settings + bell count + the list + the review counts (both are staff: pat a
    # community facilitator, fran a group's)
    with assert_queries(6):
        assert client.get("/notifications").status_code == 200
    login(_fresh(fran))
    with assert_queries(6):
        assert client.get("/notifications").status_code == 200
