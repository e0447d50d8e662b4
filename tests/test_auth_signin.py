"""Signing in and out: e-mail or handle, remember me, no account probing, safe next, cookies die on sign-out."""

from __future__ import annotations

import pytest

from community.services import auth as auth_service
from tests.factories import PASSWORD

FAILED = b"That e-mail/handle and password don&#39;t match an account."


def sign_in(client, login, password=PASSWORD, **extra):
    return client.post("/signin", data={"login": login, "password": password, **extra})


@pytest.mark.parametrize("login", ["pat@example.org", "PAT@Example.org", "pat", "@Pat", "  pat  "])
def test_sign_in_by_email_or_handle(client, pat, login):
    response = sign_in(client, login)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_and_missing_account_get_the_same_answer(client, pat):
    wrong = sign_in(client, "pat", "not the password at all")
    missing = sign_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == missing.status_code == 400
    assert FAILED in wrong.data and FAILED in missing.data
    assert b'value="nobody@example.org"' in missing.data  # the form keeps what was typed
    assert client.get("/").status_code == 302


def test_missing_account_still_checks_a_password(client, monkeypatch):
    """The same work whether or not the account exists, so timing does not tell."""
    checked = []
    original = auth_service.check_password_hash
    monkeypatch.setattr(auth_service, "check_password_hash", lambda h, p: checked.append(p) or original(h, p))
    assert sign_in(client, "ghost", "some password 123").status_code == 400
    assert checked == ["some password 123"]


def test_deleted_account_cannot_sign_in(client, pat, db):
    pat.state = "deleted"
    db.session.commit()
    assert sign_in(client, "pat").status_code == 400


def test_empty_form_is_a_400_not_a_500(client):
    response = client.post("/signin", data={})
    assert response.status_code == 400
    assert b"This field is required" in response.data


def test_sign_in_without_csrf_token_is_refused(csrf_app, client, pat):
    response = sign_in(client, "pat")
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_remember_me_sets_a_remember_cookie(client, pat):
    sign_in(client, "pat")
    assert client.get_cookie("remember_token") is None
    other = client.application.test_client()
    sign_in(other, "pat", remember="y")
    cookie = other.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    # The remember cookie alone signs the browser in (the session cookie is gone, as after a restart).
    fresh = client.application.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/").status_code == 200


def test_session_and_remember_cookies_captured_before_sign_out_stop_working(client, pat):
    sign_in(client, "pat", remember="y")
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    assert client.post("/signout").status_code == 302
    assert client.get("/").status_code == 302
    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        replay = client.application.test_client()
        replay.set_cookie(name, value)
        response = replay.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/signin"), name


def test_sign_out_needs_csrf(csrf_app, client, login, pat):
    login(pat)
    assert client.post("/signout").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("target", ["//evil.com", "/\\evil.com", "https:evil.com", "javascript:alert(1)",
                                    "https://evil.com/", "/%5Cevil.com\\x", "\t//evil.com"])  # fmt: skip
def test_next_never_leaves_the_site(client, pat, target):
    response = client.post("/signin", query_string={"next": target}, data={"login": "pat", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_on_site_is_followed(client, pat):
    response = client.post("/signin?next=/account", data={"login": "pat", "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_signed_in_member_opening_sign_in_goes_home(client, login, pat):
    login(pat)
    response = client.get("/signin?next=//evil.com")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("persona", ["pending", "suspended"])
def test_pending_and_suspended_members_see_only_the_holding_page(client, request, persona):
    user = request.getfixturevalue(persona)
    assert sign_in(client, user.handle).status_code == 302
    for path in ("/", "/account", "/invitations", "/members"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"Sign out" in response.data
        assert b"Account &amp; password" not in response.data
    holding = client.get("/holding")
    assert holding.status_code == 200
    assert (b"waiting for the community manager" in holding.data) == (persona == "pending")
    assert client.post("/signout").status_code == 302
    assert client.get("/holding").status_code == 302


# Rate limits --------------------------------------------------------------------------------------


def test_failed_attempts_per_account_trip_a_friendly_429(rate_limits, client, pat, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_SIGNIN_ACCOUNT", "3 per minute")
    for _ in range(3):
        assert sign_in(client, "Pat", "wrong password 1").status_code == 400
    response = sign_in(client, "pat", PASSWORD)  # from a browser never signed in, even the right password waits
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert b"Too many failed sign-ins to this account. Please try again in 30 seconds." in response.data
    # Another account from the same address is not affected by this limit.
    assert sign_in(client, "sam@example.org", "wrong password 1").status_code == 400


def test_the_sign_in_pause_says_how_long_and_offers_a_password_reset(rate_limits, client, pat, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_SIGNIN_ACCOUNT", "3 per 10 minutes")
    for _ in range(3):
        assert sign_in(client, "pat", "wrong password 1").status_code == 400
    response = sign_in(client, "pat", PASSWORD)
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "Please try again in 30 seconds." in html
    assert "once you reset your password by e-mail" in html and 'href="/forgot"' in html
    assert client.get("/forgot").status_code == 200  # the way round the pause is open


def test_another_pause_says_how_long_without_a_sign_in_link(rate_limits, client, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_RESET_MAIL", "1 per minute")
    assert client.post("/forgot", data={"email": "nobody@example.org"}).status_code == 200
    response = client.post("/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "before trying again." in html and "too often" in html and "reset your password" not in html


def test_failed_attempts_per_address_trip_the_limit(rate_limits, client, pat, sam, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_SIGNIN_ADDRESS", "3 per minute")
    for login in ("a@example.org", "b@example.org", "c@example.org"):
        assert sign_in(client, login, "wrong password 1").status_code == 400
    assert sign_in(client, "sam").status_code == 429
    elsewhere = client.application.test_client()
    assert elsewhere.post("/signin", data={"login": "sam", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302  # fmt: skip


def test_successful_sign_ins_do_not_count(rate_limits, app, pat, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_SIGNIN_ACCOUNT", "2 per minute")
    for _ in range(4):
        assert sign_in(app.test_client(), "pat").status_code == 302
