"""Admin actions: approve, suspend, reactivate, change role; each audited; the last admin always stays."""

from datetime import timedelta

import pytest

from community.errors import Conflict, InvalidInput
from community.extensions import db
from community.models import AuditEvent, OutboxMessage, User, UserSession, utcnow
from community.services import admin as service
from tests.factories import acting, make_user


def _reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def _events(action):
    return db.session.query(AuditEvent).filter_by(action=action).all()


# Approve ----------------------------------------------------------------------------------------


def test_approving_lets_the_member_in_mails_them_and_is_audited(client, login, admin, pending, app):
    login(admin)
    response = client.post(f"/admin/members/{pending.id}/approve", data={"act-reason": "Cohort 7 list"})
    assert response.status_code == 302
    assert _reload(pending).state == "active"
    (event,) = _events("member.approve")
    assert (event.actor_id, event.target_id, event.reason) == (admin.id, pending.id, "Cohort 7 list")
    (mail,) = db.session.query(OutboxMessage).all()
    assert mail.to_addr == "penny@example.org"
    assert f"{app.config['BASE_URL']}/signin" in mail.body_text
    assert "http://localhost" not in mail.body_text  # never the request's host
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "approved" in follow


def test_approve_from_the_list_returns_to_the_list(client, login, admin, pending):
    login(admin)
    response = client.post(f"/admin/members/{pending.id}/approve", data={"next": "/admin/members?state=pending"})
    assert response.headers["Location"] == "/admin/members?state=pending"
    # next is never followed off site
    other = make_user("olive", state="pending")
    response = client.post(f"/admin/members/{other.id}/approve", data={"next": "//evil.example/"})
    assert response.headers["Location"] == f"/admin/members/{other.id}"


def test_approving_twice_is_a_conflict_and_mails_once(client, login, admin, pending):
    login(admin)
    client.post(f"/admin/members/{pending.id}/approve")
    response = client.post(f"/admin/members/{pending.id}/approve")
    assert response.status_code == 409
    assert "waiting for approval any more" in response.get_data(as_text=True)
    assert db.session.query(OutboxMessage).count() == 1


def test_approve_button_only_for_pending_members(client, login, admin, pending, pat):
    login(admin)
    assert "Approve Penny Pending" in client.get(f"/admin/members/{pending.id}").get_data(as_text=True)
    assert "Approve Pat" not in client.get(f"/admin/members/{pat.id}").get_data(as_text=True)
    listing = client.get("/admin/members?state=pending").get_data(as_text=True)
    assert f"/admin/members/{pending.id}/approve" in listing


# Suspend and reactivate -------------------------------------------------------------------------


def test_suspending_ends_sessions_shows_the_holding_page_and_is_audited(app, admin, pat):
    from community.services.accounts import start_session
    from tests.conftest import IsolatedClient

    admin_client, pat_client = IsolatedClient(app), IsolatedClient(app)
    for c, user in ((admin_client, admin), (pat_client, pat)):
        token = start_session(user)
        with c.session_transaction() as session:
            session["_user_id"] = token
    assert pat_client.get("/members").status_code == 200
    until = (utcnow() + timedelta(days=10)).date()
    response = admin_client.post(
        f"/admin/members/{pat.id}/suspend",
        data={"suspend-until": until.isoformat(), "suspend-reason": "Spam links"},
    )
    assert response.status_code == 302
    pat = _reload(pat)
    assert pat.state == "suspended" and pat.suspension_reason == "Spam links"
    assert pat.suspended_until.date() == until
    assert db.session.query(UserSession).filter_by(user_id=pat.id).count() == 0
    # Their old cookie is dead: they are sent to sign in; signing in again shows the holding page.
    assert pat_client.get("/members").status_code == 302
    token = start_session(pat)
    with pat_client.session_transaction() as session:
        session["_user_id"] = token
    holding = pat_client.get("/members")
    assert holding.status_code == 403
    assert "suspended" in holding.get_data(as_text=True) and "Spam links" in holding.get_data(as_text=True)
    (event,) = _events("member.suspend")
    assert (event.actor_id, event.target_id, event.reason) == (admin.id, pat.id, "Spam links")
    assert event.detail["until"].startswith(until.isoformat())


def test_suspend_indefinitely(client, login, admin, pat):
    login(admin)
    assert client.post(f"/admin/members/{pat.id}/suspend", data={"suspend-reason": "Abuse"}).status_code == 302
    assert _reload(pat).suspended_until is None
    page = client.get(f"/admin/members/{pat.id}").get_data(as_text=True)
    assert "indefinitely" in page and "Reactivate Pat Participant" in page and "Suspend Pat" not in page


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"suspend-reason": ""}, 400, "Please give a reason"),
        ({"suspend-reason": "x", "suspend-until": "2001-01-01"}, 400, "in the future"),
        ({"suspend-reason": "x", "suspend-until": "not a date"}, 400, "Not a valid date"),
        ({"suspend-reason": "x" * 501}, 400, "500"),
    ],
)
def test_bad_suspensions_are_refused(client, login, admin, pat, data, status, message):
    login(admin)
    response = client.post(f"/admin/members/{pat.id}/suspend", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _reload(pat).state == "active"
    assert not _events("member.suspend")


def test_an_admin_cannot_suspend_themselves(client, login, admin):
    make_user("second", role="admin", display_name="Second Admin")
    login(admin)
    assert "Suspend Ada" not in client.get(f"/admin/members/{admin.id}").get_data(as_text=True)
    response = client.post(f"/admin/members/{admin.id}/suspend", data={"suspend-reason": "oops"})
    assert response.status_code == 409
    assert _reload(admin).state == "active"


def test_the_only_admin_cannot_suspend_themselves_through_the_service(admin):
    with pytest.raises(Conflict):
        service.suspend_member(acting(admin), admin, None, "leaving")
    assert _reload(admin).state == "active"


def test_reactivating_lifts_the_suspension(client, login, admin, suspended):
    login(admin)
    response = client.post(f"/admin/members/{suspended.id}/reactivate", data={"act-reason": "Appeal accepted"})
    assert response.status_code == 302
    member = _reload(suspended)
    assert (member.state, member.suspended_until, member.suspension_reason) == ("active", None, "")
    assert _events("member.reactivate")[0].reason == "Appeal accepted"
    assert client.post(f"/admin/members/{suspended.id}/reactivate").status_code == 409


# Roles ------------------------------------------------------------------------------------------


def test_changing_a_role_is_audited_and_shows_the_badge(client, login, admin, pat, sam):
    login(admin)
    response = client.post(f"/admin/members/{pat.id}/role", data={"role-role": "facilitator", "role-reason": "Tutor"})
    assert response.status_code == 302
    assert _reload(pat).role == "facilitator"
    (event,) = _events("member.role")
    assert event.detail == {"from": "participant", "to": "facilitator"} and event.reason == "Tutor"
    assert "✓ Facilitator" in client.get("/members/pat").get_data(as_text=True)


def test_bad_role_changes(client, login, admin, pat):
    login(admin)
    assert client.post(f"/admin/members/{pat.id}/role", data={"role-role": "emperor"}).status_code == 400
    response = client.post(f"/admin/members/{pat.id}/role", data={"role-role": "participant"})
    assert response.status_code == 409 and "already" in response.get_data(as_text=True)
    assert _reload(pat).role == "participant" and not _events("member.role")


def test_the_last_admin_cannot_step_down_but_can_once_there_is_another(client, login, admin, pat):
    login(admin)
    response = client.post(f"/admin/members/{admin.id}/role", data={"role-role": "participant"})
    assert response.status_code == 409
    assert "at least one active admin" in response.get_data(as_text=True)
    assert _reload(admin).role == "admin"
    client.post(f"/admin/members/{pat.id}/role", data={"role-role": "admin"})
    assert client.post(f"/admin/members/{admin.id}/role", data={"role-role": "participant"}).status_code == 302
    assert _reload(admin).role == "participant"
    # Now no longer an admin: the admin area is gone for them.
    assert client.get("/admin").status_code == 404


def test_services_refuse_non_admins(pat, sam, pending):
    from community.errors import Forbidden

    with pytest.raises(Forbidden):
        service.change_role(acting(pat), sam, "admin")
    with pytest.raises(Forbidden):
        service.approve_member(acting(pat), pending)
    with pytest.raises(Forbidden):
        service.suspend_member(acting(pat), sam, None, "x")
    with pytest.raises(InvalidInput):
        service.change_role(acting(pat), sam, "emperor")


def test_csrf_is_required_for_admin_actions(client, login, admin, pat, csrf_app):
    login(admin)
    assert client.post(f"/admin/members/{pat.id}/suspend", data={"suspend-reason": "x"}).status_code == 400
    assert _reload(pat).state == "active"


def test_a_suspension_ends_by_itself_on_its_date(client, login, admin, pat):
    service.suspend_member(acting(admin), pat, utcnow() + timedelta(days=1), "Cooling off")
    login(pat)
    assert client.get("/members").status_code == 403  # still suspended
    member = _reload(pat)
    member.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/members").status_code == 200
    member = _reload(pat)
    assert (member.state, member.suspended_until, member.suspension_reason) == ("active", None, "")
    (event,) = _events("member.suspension_ended")
    assert (event.actor_id, event.target_id) == (None, pat.id)
    login(admin)
    assert "ended the suspension of" in client.get("/admin/audit").get_data(as_text=True)


def test_an_indefinite_suspension_does_not_end_by_itself(client, login, admin, pat):
    service.suspend_member(acting(admin), pat, None, "Serious")
    login(pat)
    assert client.get("/members").status_code == 403
    assert _reload(pat).state == "suspended"
