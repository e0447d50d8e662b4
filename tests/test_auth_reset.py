"""Password reset: same answer for everyone, a single-use expiring link built from BASE_URL, rate limits."""

from __future__ import annotations

import pytest

from community.services import auth as auth_service
from community.services.accounts import verify_password
from tests.factories import PASSWORD
from tests.factories_auth import link_in, mails_to, token_in

NEW = "a brand new passphrase here"
SENT = b"If an account exists for"


def ask(client, email, **kwargs):
    return client.post("/forgot", data={"email": email}, **kwargs)


def test_forgot_page_answers_the_same_for_known_and_unknown_addresses(client, pat):
    assert client.get("/forgot").status_code == 200
    known, unknown = ask(client, "Pat@Example.org"), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert SENT in known.data and SENT in unknown.data
    assert len(mails_to("pat@example.org")) == 1
    assert mails_to("nobody@example.org") == []


def test_empty_address_is_a_400(client):
    response = ask(client, "")
    assert response.status_code == 400 and b"This field is required." in response.data


def test_reset_link_uses_the_base_url_never_the_host_header(client, pat, app):
    ask(client, "pat@example.org", headers={"Host": "evil.example"}, base_url="http://evil.example")
    link = link_in(mails_to("pat@example.org")[0])
    assert link.startswith(app.config["BASE_URL"] + "/reset/")
    assert "evil" not in mails_to("pat@example.org")[0].body_text


def test_reset_sets_the_password_and_ends_every_session(app, client, pat, db):
    signed_in = app.test_client()
    assert signed_in.post("/signin", data={"login": "pat", "password": PASSWORD}).status_code == 302
    ask(client, "pat@example.org")
    token = token_in(mails_to("pat@example.org")[0])
    page = client.get(f"/reset/{token}")
    assert page.status_code == 200 and b"Choose a new password" in page.data
    response = client.post(f"/reset/{token}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    db.session.refresh(pat)
    assert verify_password(pat, NEW)
    assert signed_in.get("/").status_code == 302
    # Single use: the password changed, so the link is dead.
    again = client.get(f"/reset/{token}")
    assert again.status_code == 410 and b"This reset link no longer works" in again.data
    other = "yet another passphrase"
    assert client.post(f"/reset/{token}", data={"password": other, "confirm": other}).status_code == 410
    assert client.post("/signin", data={"login": "pat", "password": NEW}).status_code == 302


def test_reset_link_dies_when_the_password_changes_otherwise(client, pat, db):
    token = auth_service.make_reset_token(pat)
    auth_service.change_password(pat, PASSWORD, NEW, keep_session_token="none")
    assert client.get(f"/reset/{token}").status_code == 410


def test_reset_link_expires(client, pat, app, monkeypatch):
    token = auth_service.make_reset_token(pat)
    monkeypatch.setitem(app.config, "RESET_TOKEN_HOURS", -1)
    assert client.get(f"/reset/{token}").status_code == 410


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJmIjoiIn0.AAAA.BBBB", "a" * 300])
def test_wrong_tokens_get_a_clear_page(client, pat, token):
    response = client.get(f"/reset/{token}")
    assert response.status_code == 410
    assert b"Send me a new link" in response.data


def test_a_token_signed_with_another_key_is_refused(client, pat):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("guessed key", salt=auth_service.RESET_SALT).dumps({"u": pat.id, "f": ""})
    assert client.get(f"/reset/{forged}").status_code == 410


def test_new_password_follows_the_rules_and_the_form_keeps_working(client, pat, db):
    token = auth_service.make_reset_token(pat)
    response = client.post(f"/reset/{token}", data={"password": "short", "confirm": "short"})
    assert response.status_code == 400 and b"Use at least" in response.data
    response = client.post(f"/reset/{token}", data={"password": NEW, "confirm": "different"})
    assert response.status_code == 400 and b"The two passwords differ." in response.data
    db.session.refresh(pat)
    assert verify_password(pat, PASSWORD)
    assert client.get(f"/reset/{token}").status_code == 200


def test_reset_needs_csrf(csrf_app, client, pat, db):
    token = auth_service.make_reset_token(pat)
    assert client.post(f"/reset/{token}", data={"password": NEW, "confirm": NEW}).status_code == 400
    db.session.refresh(pat)
    assert verify_password(pat, PASSWORD)


def test_reset_mails_are_rate_limited_per_target_address(rate_limits, app, pat, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_MAIL", "2 per hour")
    for address in ("10.0.0.1", "10.0.0.2"):
        assert ask(app.test_client(), "pat@example.org", environ_base={"REMOTE_ADDR": address}).status_code == 200
    response = ask(app.test_client(), "PAT@example.org", environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert response.status_code == 429 and b"Slow down" in response.data
    assert len(mails_to("pat@example.org")) == 2


def test_reset_mails_are_rate_limited_per_client_address(rate_limits, app, pat, sam, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_MAIL", "2 per hour")
    client = app.test_client()
    assert ask(client, "a@example.org").status_code == 200
    assert ask(client, "b@example.org").status_code == 200
    assert ask(client, "sam@example.org").status_code == 429
    assert mails_to("sam@example.org") == []
