"""Invitation pages: who may invite, the list with resend/withdraw, bulk and CSV, links, joining, limits."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from community.extensions import db
from community.models import Invitation, User, utcnow
from community.services import invitations as service
from community.services.groups import create_group
from community.services.settings import update_settings
from tests.factories import acting
from tests.factories_auth import invite, link_in, mails_to, make_link, token_in

PASSWORD = "my own long passphrase"


def invitations_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def send(client, emails="", **extra):
    return client.post("/invitations", data={"invite-emails": emails, "invite-role": "participant", **extra})


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("fran", 200), ("pat", 403), ("suspended", 403), ("pending", 403), (None, 302)],
)
def test_who_may_open_the_invitations_page(client, login, request, persona, status):
    if persona:
        login(request.getfixturevalue(persona))
    response = client.get("/invitations")
    assert response.status_code == status
    if persona in ("admin", "fran"):
        assert b"Invite by e-mail" in response.data
    menu = client.get("/")
    assert (b'href="/invitations"' in menu.data) == (persona in ("admin", "fran"))


def test_participants_cannot_send_invitations(client, login, pat):
    login(pat)
    assert send(client, "x@example.org").status_code == 403
    assert client.post("/invitations/link", data={"link-role": "participant", "link-days": 3,
                                                  "link-max_uses": 3}).status_code == 403  # fmt: skip
    assert invitations_count() == 0


def test_facilitators_are_offered_the_participant_role_only(client, login, fran, admin):
    login(fran)
    page = client.get("/invitations").data
    assert b'value="participant"' in page and b'value="facilitator"' not in page
    response = client.post("/invitations", data={"invite-emails": "x@example.org", "invite-role": "facilitator"})
    assert response.status_code == 400 and b"Not a valid choice" in response.data
    assert invitations_count() == 0


def test_admin_sees_all_facilitator_sees_own_with_actions(client, login, admin, fran, app):
    invite(admin, "from-admin@example.org")
    invite(fran, "from-fran@example.org")
    login(fran)
    page = client.get("/invitations").data
    assert b"from-fran@example.org" in page and b"from-admin@example.org" not in page
    assert page.count(b">Resend<") == 1 and page.count(b">Withdraw<") == 1
    admin_client = app.test_client()
    admin_client.post("/signin", data={"login": "ada", "password": "correct horse battery staple"})
    page = admin_client.get("/invitations").data
    assert b"from-fran@example.org" in page and b"from-admin@example.org" in page
    assert b"by Fran Facilitator" in page
    assert page.count(b">Resend<") == 2


def test_resend_and_withdraw_someone_elses_invitation_is_404(client, login, admin, fran, pat):
    invite(admin, "ann@example.org")
    invitation_id = db.session.scalar(select(Invitation.id))
    for user in (fran, pat):
        login(user)
        assert client.post(f"/invitations/{invitation_id}/resend").status_code == 404
        assert client.post(f"/invitations/{invitation_id}/revoke").status_code == 404
    assert client.post("/invitations/999999/revoke").status_code == 404
    assert len(mails_to("ann@example.org")) == 1


def test_resend_and_withdraw(client, login, admin):
    old = invite(admin, "ann@example.org")
    invitation_id = db.session.scalar(select(Invitation.id))
    login(admin)
    assert client.post(f"/invitations/{invitation_id}/resend").status_code == 302
    page = client.get("/invitations").data
    assert b"Invitation sent again to ann@example.org." in page and b"Sent 2 times" in page
    new = token_in(mails_to("ann@example.org")[-1])
    assert client.post(f"/invitations/{invitation_id}/revoke").status_code == 302
    assert b"Withdrawn" in client.get("/invitations").data
    anonymous = client.application.test_client()
    for token, status in ((old, 404), (new, 410)):
        assert anonymous.get(f"/join/{token}").status_code == status


def test_bulk_invite_reports_every_line(client, login, admin, pat):
    login(admin)
    response = send(client, "ann@example.org, not-an-address\npat@example.org\nann@example.org")
    assert response.status_code == 200
    assert b"1 invitation sent" in response.data and b"3 lines skipped" in response.data
    for reason in (b"not a valid e-mail address", b"already a member", b"listed twice"):
        assert reason in response.data
    assert len(mails_to("ann@example.org")) == 1


def test_invitation_links_use_the_base_url_not_the_host_header(app, admin):
    evil = app.test_client()
    signin = {"login": "ada", "password": "correct horse battery staple"}
    assert evil.post("/signin", data=signin, base_url="http://evil.example").status_code == 302
    data = {"invite-emails": "ann@example.org", "invite-role": "participant"}
    assert evil.post("/invitations", data=data, base_url="http://evil.example").status_code == 200
    body = mails_to("ann@example.org")[0].body_text
    assert f"{app.config['BASE_URL']}/join/" in body and "evil" not in body


def test_csv_upload(client, login, admin):
    login(admin)
    csv = b"email,name,role\nann@example.org,Ann Lee,facilitator\nbo@example.org,Bo,\nbad,,\n"
    response = client.post("/invitations", content_type="multipart/form-data", data={
        "invite-role": "participant", "invite-csv_file": (io.BytesIO(csv), "cohort.csv")})  # fmt: skip
    assert response.status_code == 200 and b"2 invitations sent" in response.data
    roles = dict(db.session.execute(select(Invitation.email, Invitation.role)).all())
    assert roles == {"ann@example.org": "facilitator", "bo@example.org": "participant"}
    assert "Hello Ann Lee," in mails_to("ann@example.org")[0].body_text


def test_nothing_to_invite_is_a_400_that_keeps_the_note(client, login, admin):
    login(admin)
    response = send(client, "   ", **{"invite-note": "Welcome aboard, all!"})
    assert response.status_code == 400
    assert b"Please give at least one e-mail address." in response.data
    assert b"Welcome aboard, all!" in response.data
    assert invitations_count() == 0


def test_invite_with_groups(client, login, fran):
    group = create_group(acting(fran), name="Cohort A")
    login(fran)
    page = client.get("/invitations").data
    assert b"Cohort A" in page
    assert send(client, "ann@example.org", **{"invite-groups": str(group.id)}).status_code == 200
    token = token_in(mails_to("ann@example.org")[0])
    assert b"Cohort A" in client.application.test_client().get(f"/join/{token}").data


def test_invite_into_a_group_you_cannot_manage_is_refused(client, login, fran, sam):
    theirs = create_group(acting(sam), name="Sam's circle")
    login(fran)
    response = send(client, "ann@example.org", **{"invite-groups": str(theirs.id)})
    assert response.status_code == 400  # not among the offered choices
    assert invitations_count() == 0


def test_invitations_need_csrf(csrf_app, client, login, admin):
    login(admin)
    assert send(client, "ann@example.org").status_code == 400
    assert invitations_count() == 0


def test_invitation_sending_is_rate_limited(rate_limits, client, login, admin, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_INVITE", "2 per hour")
    login(admin)
    assert send(client, "a@example.org").status_code == 200
    assert send(client, "nope").status_code == 200  # a batch with nothing valid still counts as a send
    response = send(client, "c@example.org")
    assert response.status_code == 429 and b"too often" in response.data
    assert mails_to("c@example.org") == []


def test_cohort_link_is_shown_once_and_works(client, login, admin, app):
    login(admin)
    response = client.post("/invitations/link", data={"link-role": "participant", "link-days": 10,
                                                      "link-max_uses": 25})  # fmt: skip
    assert response.status_code == 200
    assert f'value="{app.config["BASE_URL"]}/join/'.encode() in response.data
    assert b"Invitation link" in client.get("/invitations").data and b"0 of 25 used" in client.get("/invitations").data


def test_bad_link_input_is_a_400(client, login, admin):
    login(admin)
    response = client.post("/invitations/link", data={"link-role": "participant", "link-days": 0,
                                                      "link-max_uses": 5})  # fmt: skip
    assert response.status_code == 400 and b"Number must be between" in response.data
    assert invitations_count() == 0


def test_needs_approval_is_offered_only_when_join_requests_are_allowed(client, login, admin):
    login(admin)
    assert b"link-needs_approval" not in client.get("/invitations").data
    update_settings(acting(admin), allow_join_requests=True)
    assert b"link-needs_approval" in client.get("/invitations").data


def test_a_facilitators_link_form_offers_no_approval_only_the_manager_gives(client, login, admin, fran):
    """Only the community manager approves new members: a facilitator's link can't promise that step."""
    update_settings(acting(admin), allow_join_requests=True)
    login(fran)
    page = client.get("/invitations").get_data(as_text=True)
    assert 'name="link-role"' in page and "link-needs_approval" not in page
    response = client.post("/invitations/link", data={"link-role": "participant", "link-days": "14",
                                                      "link-max_uses": "5", "link-needs_approval": "y"})  # fmt: skip
    assert response.status_code == 400
    assert "Only the community manager approves new members" in response.get_data(as_text=True)
    assert invitations_count() == 0
    assert client.post("/invitations/link", data={"link-role": "participant", "link-days": "14",
                                                  "link-max_uses": "5"}).status_code == 200  # fmt: skip


def test_invitations_page_query_count_does_not_grow(client, login, admin, fran, count_queries, assert_queries):
    group = create_group(acting(fran), name="Cohort A")
    for i in range(2):
        invite(fran, f"a{i}@example.org", group_ids=[group.id])
    login(admin)
    client.get("/invitations")
    with count_queries() as few:
        assert client.get("/invitations").status_code == 200
    for i in range(15):
        invite(fran, f"b{i}@example.org", group_ids=[group.id])
    make_link(admin)
    with assert_queries(len(few)):
        page = client.get("/invitations")
    assert page.status_code == 200 and b"b14@example.org" in page.data


# Joining -------------------------------------------------------------------------------------------


def register(client, token, **data):
    form = {"display_name": "Ann Lee", "handle": "ann", "password": PASSWORD, "confirm": PASSWORD, **data}
    return client.post(f"/join/{token}", data=form)


def test_join_through_a_personal_invitation(client, admin):
    token = invite(admin, "ann@example.org", name="Ann Lee", note="Glad you're with us")
    page = client.get(f"/join/{token}")
    assert page.status_code == 200
    assert b"ann@example.org" in page.data and b'value="Ann Lee"' in page.data and b"Glad you" in page.data
    assert b'name="email"' not in page.data  # fixed for personal invitations
    response = register(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and b"Welcome, Ann Lee" in home.data
    again = client.application.test_client().get(f"/join/{token}")
    assert again.status_code == 410 and b"already been used" in again.data


def test_join_through_a_link_asks_for_the_address(client, admin):
    token = make_link(admin)
    page = client.get(f"/join/{token}").data
    assert b'<label for="email">Your e-mail address</label><span class="required"' in page
    response = register(client, token, email="")
    assert response.status_code == 400 and b"Please give your e-mail address." in response.data
    response = register(client, token, email="bad@")
    assert response.status_code == 400 and b"valid e-mail address" in response.data
    assert register(client, token, email="Ann@Example.org").status_code == 302
    assert db.session.scalar(select(User.email).where(User.handle == "ann")) == "ann@example.org"


def test_join_needing_approval_lands_on_the_holding_page(client, admin):
    update_settings(acting(admin), allow_join_requests=True)
    token = make_link(admin, needs_approval=True)
    assert b"approves each new member" in client.get(f"/join/{token}").data
    response = register(client, token, email="ann@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/confirm"  # the address first
    assert b"the community manager approves" in client.get("/confirm").data
    response = client.get(link_in(mails_to("ann@example.org")[-1]).removeprefix("http://community.test"))
    assert response.status_code == 302 and response.headers["Location"] == "/holding"
    assert b"waiting for the community manager" in client.get("/holding").data
    assert client.get("/").status_code == 403


def test_bad_registration_keeps_what_was_typed(client, admin, pat):
    token = invite(admin, "ann@example.org")
    response = register(client, token, handle="pat", display_name="Ann the Great")
    assert response.status_code == 400
    assert b"That handle is taken" in response.data and b'value="Ann the Great"' in response.data
    response = register(client, token, password="short", confirm="short")
    assert response.status_code == 400 and b"Use at least" in response.data
    assert db.session.scalar(select(func.count()).select_from(User).where(User.handle == "ann")) == 0
    assert client.get(f"/join/{token}").status_code == 200


@pytest.mark.parametrize(("how", "status", "text"), [
    ("expired", 410, b"This invitation has expired"), ("revoked", 410, b"This invitation was withdrawn"),
    ("unknown", 404, b"This invitation link isn"),
])  # fmt: skip
def test_closed_invitations_get_a_clear_page(client, admin, how, status, text):
    token = invite(admin, "ann@example.org")
    if how == "expired":
        db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    elif how == "revoked":
        service.revoke(acting(admin), service.open_invitation(token))
    elif how == "unknown":
        token = "not-a-real-token"
    for response in (client.get(f"/join/{token}"), register(client, token)):
        assert response.status_code == status and text in response.data
    assert db.session.scalar(select(func.count()).select_from(User).where(User.handle == "ann")) == 0


def test_signed_in_member_opening_a_join_link_goes_home(client, login, admin, pat):
    token = invite(admin, "ann@example.org")
    login(pat)
    response = client.get(f"/join/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert service.open_invitation(token).use_count == 0


def test_join_needs_csrf(csrf_app, client, admin):
    token = invite(admin, "ann@example.org")
    assert register(client, token).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User).where(User.handle == "ann")) == 0


def test_a_used_up_cohort_link_says_it_is_used_up(client, admin):
    token = make_link(admin, max_uses=1)
    assert register(client, token, email="ann@example.org").status_code == 302
    late = client.application.test_client()
    for response in (late.get(f"/join/{token}"), register(late, token, handle="bea", email="bea@example.org")):
        assert response.status_code == 410
        html = response.get_data(as_text=True)
        assert "This invitation link is used up" in html and "as many people as it was made for" in html
        assert "valid" not in html and "personal invitation" not in html
    assert db.session.scalar(select(func.count()).select_from(User).where(User.handle == "bea")) == 0
