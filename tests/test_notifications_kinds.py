"""Everyone is told where they stand: a request to join answered, a facilitator role given or taken away.

(Members cannot ask the community manager to create a group: there are no group requests to answer.)
"""

import pytest
from sqlalchemy import select

from community.errors import Forbidden
from community.extensions import db
from community.models import NOTIFICATION_KINDS, Membership, Notification, OutboxMessage, User
from community.services import admin as admin_service
from community.services import groups, notifications
from tests.factories import acting
from tests.factories_groups import make_group


def _notes(user: User) -> list[tuple[str, int | None]]:
    db.session.expire_all()
    return [(n.kind, n.group_id) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]  # fmt: skip


def _mail_to(user: User) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)))


def _request(user: User, group):
    return groups.request_to_join(acting(user), group, None)


def _membership(group, user) -> Membership:
    return db.session.scalar(select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))


# ----------------------------------------------------------------------------------------------------------
# Requests to join


def test_an_approved_request_tells_the_member_in_the_page_and_by_mail(fran, pat):
    group = make_group(fran, "request", name="Coaching cohort")
    request = _request(pat, group)
    groups.answer_request(acting(fran), group, request.id, approve=True)
    assert _notes(pat) == [("join_approved", group.id)]
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    assert note.actor_id == fran.id and note.url == f"/groups/{group.slug}"
    mail = _mail_to(pat)[-1]
    assert mail.subject == "Fran Facilitator approved your request to join Coaching cohort"
    assert f"/groups/{group.slug}" in mail.body_text


def test_a_declined_request_tells_the_member_too(fran, pat):
    group = make_group(fran, "request", name="Coaching cohort")
    request = _request(pat, group)
    groups.answer_request(acting(fran), group, request.id, approve=False)
    assert _notes(pat) == [("join_declined", group.id)]
    assert _mail_to(pat)[-1].subject == "Fran Facilitator declined your request to join Coaching cohort"


def test_nobody_but_the_requester_is_told_and_an_ill_intentioned_answer_tells_nobody(fran, pat, sam, mallory):
    group = make_group(fran, "request", members=[sam])
    request = _request(pat, group)
    with pytest.raises(Forbidden):
        groups.answer_request(acting(mallory), group, request.id, approve=False)
    db.session.rollback()
    assert _notes(pat) == []
    groups.answer_request(acting(fran), group, request.id, approve=True)
    assert [k for k, _ in _notes(sam)] == [] and [k for k, _ in _notes(mallory)] == []


def test_an_admin_answering_is_named_as_who_answered(admin, fran, pat):
    group = make_group(fran, "request")
    request = _request(pat, group)
    groups.answer_request(acting(admin), group, request.id, approve=True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    assert (note.kind, note.actor_id) == ("join_approved", admin.id)


def test_the_member_may_choose_how_to_hear_of_an_answer(fran, pat):
    notifications.set_preferences(pat, {"join_approved": "web", "join_declined": "off"})
    group = make_group(fran, "request")
    groups.answer_request(acting(fran), group, _request(pat, group).id, approve=False)
    assert _notes(pat) == []
    groups.answer_request(acting(fran), group, _request(pat, group).id, approve=True)
    assert [k for k, _ in _notes(pat)] == ["join_approved"]
    assert _mail_to(pat) == []


# ----------------------------------------------------------------------------------------------------------
# Facilitators: of a group, and of the whole community


def test_made_facilitator_of_a_group_and_back(fran, pat, sam):
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 7")
    membership = _membership(group, pat)
    groups.set_member_role(acting(fran), group, membership.id, "facilitator")
    assert _notes(pat) == [("facilitator_added", group.id)]
    assert _mail_to(pat)[-1].subject == "Fran Facilitator made you a facilitator of Cohort 7"
    groups.set_member_role(acting(fran), group, membership.id, "member")
    assert _notes(pat) == [("facilitator_added", group.id), ("facilitator_removed", group.id)]
    assert _mail_to(pat)[-1].subject == "You are no longer a facilitator of Cohort 7"
    assert _notes(sam) == []  # the rest of the group is not told


def test_a_refused_role_change_tells_nobody(fran, pat, mallory):
    group = make_group(fran, "open", members=[pat])
    with pytest.raises(Forbidden):
        groups.set_member_role(acting(mallory), group, _membership(group, pat).id, "facilitator")
    db.session.rollback()
    assert _notes(pat) == []


def test_made_facilitator_of_the_community_and_back(admin, pat):
    admin_service.change_role(acting(admin), pat, "facilitator", "Runs the spring cohort")
    assert _notes(pat) == [("facilitator_added", None)]
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    assert note.message == ""  # the reason is for the audit log, not for the member
    assert _mail_to(pat)[-1].subject == "Ada Admin made you a facilitator of the community"
    admin_service.change_role(acting(admin), db.session.get(User, pat.id), "participant")
    assert [k for k, _ in _notes(pat)] == ["facilitator_added", "facilitator_removed"]
    assert _mail_to(pat)[-1].subject == "You are no longer a facilitator of the community"


def test_becoming_community_manager_is_not_a_facilitator_notice(admin, fran):
    admin_service.change_role(acting(admin), fran, "admin")
    assert _notes(fran) == []


# ----------------------------------------------------------------------------------------------------------
# The pages


def test_the_notifications_page_says_each_outcome_in_words(client, login, admin, fran, pat):
    asked = make_group(fran, "request", name="Asked group")
    declined = make_group(fran, "request", name="Declined group")
    groups.answer_request(acting(fran), asked, _request(pat, asked).id, approve=True)
    groups.answer_request(acting(fran), declined, _request(pat, declined).id, approve=False)
    groups.set_member_role(acting(fran), asked, _membership(asked, pat).id, "facilitator")
    groups.set_member_role(acting(fran), asked, _membership(asked, pat).id, "member")
    admin_service.change_role(acting(admin), db.session.get(User, pat.id), "facilitator")
    admin_service.change_role(acting(admin), db.session.get(User, pat.id), "participant")
    login(db.session.get(User, pat.id))
    html = client.get("/notifications").get_data(as_text=True)
    assert "approved your request to join" in html and "Asked group" in html
    assert "declined your request to join" in html and "Declined group" in html
    assert "made you a facilitator of" in html and "made you a facilitator of the community" in html
    assert "You are no longer a facilitator of" in html
    assert "You are no longer a facilitator of the community" in html
    assert 'data-bell-count>6<' in html


def test_the_settings_page_offers_the_new_kinds(client, login, pat):
    login(pat)
    html = client.get("/notifications/settings").get_data(as_text=True)
    for kind in ("join_approved", "join_declined", "facilitator_added", "facilitator_removed"):
        assert kind in NOTIFICATION_KINDS and f'name="{kind}"' in html
        assert str(NOTIFICATION_KINDS[kind]) in html
    data = {kind: "web" for kind in notifications.DEFAULT_DELIVERY}
    data["facilitator_removed"] = "daily"
    assert client.post("/notifications/settings", data=data).status_code == 302
    db.session.rollback()
    assert notifications.preferences(db.session.get(User, pat.id))["facilitator_removed"] == "daily"


def test_the_settings_page_is_in_sections_with_every_kind_once(app, client, login, pat, monkeypatch):
    from community.notifications import forms

    login(pat)
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert html.index("Conversations") < html.index('name="reply"') < html.index("You and your groups")
    assert html.index("You and your groups") < html.index('name="join_declined"') < html.index("If you facilitate")
    assert html.index("If you facilitate a group") < html.index('name="report"')
    with app.test_request_context():
        names = [f.name for _title, fields in forms.PreferencesForm().sections() for f in fields]
        assert sorted(names) == sorted(NOTIFICATION_KINDS)
        # A kind no section names yet (another area's) is still offered, last.
        monkeypatch.setattr(forms, "SECTIONS", forms.SECTIONS[:1])
        titles = [str(title) for title, _fields in forms.PreferencesForm().sections()]
        assert titles == ["Conversations", "Other news"]
