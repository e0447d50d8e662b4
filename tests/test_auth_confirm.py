"""E-mail confirmation of accounts made through a cohort link: the "check your inbox" page (resend, rate
limited; correct the address), the link (signed, expiring, single use) that activates and signs in, sign-in
while waiting, what an unconfirmed account can see (nothing), approval after confirmation, and cleanup."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from community.extensions import db
from community.models import Activity, AuditEvent, EmailConfirmation, Invitation, Membership, User, UserSession, utcnow
from community.services import confirmations, housekeeping
from community.services.accounts import start_session
from community.services.groups import create_group
from community.services.settings import update_settings
from tests.factories import acting
from tests.factories_auth import invite, link_in, mails_to, make_link

PASSWORD = "my own long passphrase"
BASE = "http://community.test"


def _register(client, token: str, email: str = "ann@example.org", handle: str = "ann"):
    form = {"display_name": "Ann Lee", "handle": handle, "password": PASSWORD, "confirm": PASSWORD, "email": email}
    return client.post(f"/join/{token}", data=form)


def _ann() -> User | None:
    user = db.session.scalar(select(User).where(User.handle == "ann"))
    db.session.rollback()  # see what later requests store
    return user


def _confirm_path(email: str = "ann@example.org") -> str:
    mails = mails_to(email)
    assert mails and "/confirm/" in mails[-1].body_text, mails
    return link_in(mails[-1]).removeprefix(BASE)


def _cohort(admin, **kwargs):
    group = create_group(acting(admin), name="Cohort 7", visibility="private")
    return make_link(admin, group_ids=[group.id], **kwargs), group


# --------------------------------------------------------------------------------------------------
# The happy path


def test_register_check_inbox_confirm_and_in(client, admin):
    token, group = _cohort(admin)
    response = _register(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/confirm"
    ann = _ann()
    assert ann.state == "unconfirmed"
    page = client.get("/confirm")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Check your inbox" in text and "<strong>ann@example.org</strong>" in text
    assert "Send the link again" in text and 'value="ann@example.org"' in text and "Use this address" in text
    # Not signed in, not in the group, not announced, and the place on the link is taken.
    assert client.get("/").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == ann.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Activity).where(Activity.actor_id == ann.id)) == 0
    assert db.session.scalar(select(Invitation.use_count)) == 1
    mail = mails_to("ann@example.org")[-1]
    assert mail.subject.startswith("Confirm your e-mail address") and "@ann" in mail.body_text
    assert "works for 48 hours" in mail.body_text and "removed after 7 days" in mail.body_text

    response = client.get(_confirm_path())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and b"Your address is confirmed. You" in home.data
    ann = _ann()
    assert ann.state == "active"
    assert db.session.scalar(select(Membership.group_id).where(Membership.user_id == ann.id)) == group.id
    assert ("joined", ann.id) in {(a.kind, a.actor_id) for a in db.session.scalars(select(Activity))}
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "member.confirm_email"))
    assert db.session.get(EmailConfirmation, ann.id) is None
    db.session.rollback()


def test_a_personal_invitation_needs_no_confirmation(client, admin):
    token = invite(admin, "bo@example.org")
    response = client.post(f"/join/{token}", data={"display_name": "Bo", "handle": "bo", "password": PASSWORD,
                                                   "confirm": PASSWORD})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert db.session.scalar(select(User.state).where(User.handle == "bo")) == "active"
    assert all("/confirm/" not in m.body_text for m in mails_to("bo@example.org"))


def test_with_approval_the_address_comes_first(client, admin):
    update_settings(acting(admin), allow_join_requests=True)
    token = make_link(admin, needs_approval=True)
    _register(client, token)
    assert b"the community manager approves each new member" in client.get("/confirm").data
    assert admin_sees_pending(client, admin) is False  # nothing to approve before the address is confirmed
    response = client.application.test_client().get(_confirm_path())
    assert response.status_code == 302 and response.headers["Location"] == "/holding"
    assert _ann().state == "pending"
    assert admin_sees_pending(client, admin) is True


def admin_sees_pending(client, admin) -> bool:
    """Whether Ann is on the community manager's "waiting for approval" list."""
    from community.services.admin import pending_members

    handles = [member.handle for member in pending_members()]
    db.session.rollback()
    return "ann" in handles


# --------------------------------------------------------------------------------------------------
# Bad, expired and reused links


def test_the_link_works_once(client, admin):
    _register(client, make_link(admin))
    path = _confirm_path()
    assert client.get(path).status_code == 302
    assert client.get(path).status_code == 302  # opened again where they are signed in: just home
    again = client.application.test_client().get(path)
    assert again.status_code == 410 and b"Your address is already confirmed" in again.data


def test_an_expired_link_says_how_to_get_a_new_one(client, admin, monkeypatch):
    _register(client, make_link(admin))
    ann = _ann()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda real=time.time: real() - 49 * 3600)
        token = confirmations.make_token(ann)
    response = client.application.test_client().get(f"/confirm/{token}")
    assert response.status_code == 410
    assert b"This confirmation link has expired" in response.data and b"Sign in with your e-mail" in response.data
    assert _ann().state == "unconfirmed"


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ.forged.signature", "x" * 400])
def test_a_bad_link_is_a_clear_404(client, admin, token):
    _register(client, make_link(admin))
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 404 and b"This confirmation link isn" in response.data
    assert _ann().state == "unconfirmed"


def test_a_tampered_link_is_refused(client, admin):
    _register(client, make_link(admin))
    path = _confirm_path()
    response = client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
    assert response.status_code == 404 and _ann().state == "unconfirmed"


def test_a_link_of_a_removed_account(client, admin):
    _register(client, make_link(admin))
    path = _confirm_path()
    db.session.execute(update(User).where(User.handle == "ann").values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    housekeeping.clean_up()
    response = client.get(path)
    assert response.status_code == 410 and b"This account no longer exists" in response.data


# --------------------------------------------------------------------------------------------------
# Correcting the address, sending again


def test_correct_a_mistyped_address(client, admin):
    _register(client, make_link(admin), email="ann@exampel.org")
    old_path = _confirm_path("ann@exampel.org")
    response = client.post("/confirm/address", data={"email": "Ann@Example.org"})
    assert response.status_code == 302 and response.headers["Location"] == "/confirm"
    assert b"<strong>ann@example.org</strong>" in client.get("/confirm").data
    stale = client.get(old_path)
    assert stale.status_code == 410 and b"for an earlier address" in stale.data
    assert client.get(_confirm_path("ann@example.org")).status_code == 302
    assert _ann().state == "active" and _ann().email == "ann@example.org"


@pytest.mark.parametrize(("typed", "message"), [
    ("", b"Please give your e-mail address."), ("not-an-address", b"Please give a valid e-mail address."),
    ("pat@example.org", b"An account with that e-mail address already exists."),
    ("ann@example.org", b"That&#39;s the address we wrote to."),
])  # fmt: skip
def test_a_bad_correction_is_a_400_that_keeps_what_was_typed(client, admin, pat, typed, message):
    _register(client, make_link(admin))
    sent = len(mails_to("ann@example.org"))
    response = client.post("/confirm/address", data={"email": typed})
    assert response.status_code == 400 and message in response.data
    if typed:
        assert f'value="{typed}"'.encode() in response.data
    assert _ann().email == "ann@example.org" and len(mails_to("ann@example.org")) == sent


def test_send_again_is_rate_limited(rate_limits, client, admin):
    _register(client, make_link(admin))
    for _ in range(3):  # RATELIMIT_CONFIRM_MAIL: 3 per hour
        response = client.post("/confirm/resend")
        assert response.status_code == 302
    assert len(mails_to("ann@example.org")) == 4
    response = client.post("/confirm/resend")
    assert response.status_code == 429 and b"sent several links already" in response.data
    assert b"Check your inbox" in response.data  # the same page, explained
    assert client.post("/confirm/address", data={"email": "ann2@example.org"}).status_code == 429  # one budget
    assert len(mails_to("ann@example.org")) == 4 and mails_to("ann2@example.org") == []
    # Someone else waiting elsewhere is not slowed down.
    other = client.application.test_client()
    _register(other, make_link(admin), email="cy@example.org", handle="cy")
    assert other.post("/confirm/resend").status_code == 302


def test_the_page_needs_the_browser_that_registered(client, admin):
    _register(client, make_link(admin))
    stranger = client.application.test_client()
    response = stranger.get("/confirm")
    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    assert stranger.post("/confirm/resend").status_code == 302
    assert stranger.post("/confirm/address", data={"email": "evil@example.org"}).status_code == 302
    assert _ann().email == "ann@example.org"
    with client.session_transaction() as session:
        user_id, at = session["confirm_waiting"]
        session["confirm_waiting"] = [user_id, at - 3601]  # an hour later: sign in again to reach the page
    assert client.get("/confirm").status_code == 302


def test_resend_and_correct_need_csrf(csrf_app, client, admin):
    from community.services import invitations

    invitations.register(make_link(admin), display_name="Ann Lee", handle="ann", password=PASSWORD,
                         email="ann@example.org")  # fmt: skip
    with client.session_transaction() as session:
        session["confirm_waiting"] = [_ann().id, int(time.time())]
    sent = len(mails_to("ann@example.org"))
    assert client.post("/confirm/resend").status_code == 400
    assert client.post("/confirm/address", data={"email": "x@example.org"}).status_code == 400
    assert len(mails_to("ann@example.org")) == sent and _ann().email == "ann@example.org"


# --------------------------------------------------------------------------------------------------
# Signing in while waiting, and what an unconfirmed account can see


def test_sign_in_says_waiting_only_with_the_right_password(client, admin):
    _register(client, make_link(admin))
    other = client.application.test_client()
    wrong = other.post("/signin", data={"login": "ann@example.org", "password": "not the password"})
    nobody = other.post("/signin", data={"login": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == nobody.status_code == 400
    assert b"don&#39;t match an account" in wrong.data and b"confirm" not in wrong.data.lower().split(b"<main")[-1]
    right = other.post("/signin", data={"login": "@ann", "password": PASSWORD})
    assert right.status_code == 302 and right.headers["Location"] == "/confirm"
    page = other.get("/confirm")
    assert b"waiting for you to confirm your e-mail address" in page.data and b"Send the link again" in page.data
    assert other.get("/").status_code == 302  # still not signed in
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_an_unconfirmed_account_sees_nothing_even_with_a_session(client, admin, pat, login):
    _register(client, make_link(admin))
    ann = _ann()
    token = start_session(ann)  # as if a session row existed somehow
    with client.session_transaction() as session:
        session["_user_id"] = token
    for path in ("/", "/members", "/blogs", f"/members/{pat.handle}", "/notifications"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/signin"), path
    login(pat)
    assert client.get("/members/ann").status_code == 404
    assert b"Ann Lee" not in client.get("/members?q=ann").data
    assert client.get("/notifications/handles?q=an").get_json() == []


def test_a_password_reset_link_confirms_the_address(client, admin):
    _register(client, make_link(admin))
    other = client.application.test_client()
    assert other.post("/forgot", data={"email": "ann@example.org"}).status_code == 200
    reset = link_in(mails_to("ann@example.org")[-1]).removeprefix(BASE)
    assert "/reset/" in reset
    response = other.post(reset, data={"password": "another long passphrase", "confirm": "another long passphrase"})
    assert response.status_code == 302
    assert _ann().state == "active"
    assert other.post("/signin", data={"login": "ann", "password": "another long passphrase"}).status_code == 302


def test_confirming_while_someone_else_is_signed_in_swaps_nobody(client, admin, pat, login):
    _register(client, make_link(admin))
    path = _confirm_path()
    login(pat)
    response = client.get(path)
    assert response.status_code == 302
    assert b"still signed in as @pat" in client.get("/").data
    assert _ann().state == "active"


# --------------------------------------------------------------------------------------------------
# The manager's members page, and cleanup


def test_the_members_page_shows_who_waits_for_confirmation(client, admin, login):
    _register(client, make_link(admin))
    login(admin)
    page = client.get("/admin/members?state=unconfirmed").get_data(as_text=True)
    assert "Ann Lee" in page and "Waiting for e-mail confirmation" in page
    assert "Approve <span" not in page  # nothing to approve
    member = client.get(f"/admin/members/{_ann().id}").get_data(as_text=True)
    assert "Waiting for e-mail confirmation" in member and "removed on" in member


def test_cleanup_removes_stale_unconfirmed_accounts_and_gives_the_place_back(client, admin):
    token = make_link(admin, max_uses=2)
    _register(client, token)
    _register(client.application.test_client(), token, email="cy@example.org", handle="cy")
    assert db.session.scalar(select(Invitation.use_count)) == 2
    db.session.execute(update(User).where(User.handle == "ann").values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    cleaned = housekeeping.clean_up()
    assert cleaned.unconfirmed == 1 and "1 unconfirmed accounts" in str(cleaned)
    assert db.session.scalar(select(User).where(User.handle == "ann")) is None
    assert db.session.scalar(select(User.state).where(User.handle == "cy")) == "unconfirmed"  # still in time
    assert db.session.scalar(select(Invitation.use_count)) == 1
    db.session.rollback()
    # The place is free again, and the address and handle too.
    assert _register(client.application.test_client(), token).status_code == 302
    assert housekeeping.clean_up().unconfirmed == 0


def test_cleanup_leaves_confirmed_members_alone(client, admin):
    _register(client, make_link(admin))
    client.get(_confirm_path())
    db.session.execute(update(User).values(created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    assert housekeeping.clean_up().unconfirmed == 0
    assert _ann().state == "active"
