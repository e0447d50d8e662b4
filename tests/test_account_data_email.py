"""Changing the e-mail address: pending until the link mailed to the new address is opened; the old one told."""

from __future__ import annotations

import re
import time

from community.extensions import db
from community.services.account_data import email_change
from tests.factories import PASSWORD
from tests.factories_auth import mails_to

LINK = re.compile(r"https?://\S+?(/account/email/\S+)")


def _ask(client, email="pat.new@example.org", password=PASSWORD):
    return client.post("/account/email", data={"email-email": email, "email-password": password})


def _link(address="pat.new@example.org") -> str:
    match = LINK.search(mails_to(address)[-1].body_text)
    assert match
    return match.group(1)


def test_the_change_waits_for_the_new_address_and_tells_the_old(client, login, pat):
    login(pat)
    assert _ask(client).status_code == 302
    db.session.refresh(pat)
    assert pat.email == "pat@example.org" and email_change.pending(pat) == "pat.new@example.org"
    told = mails_to("pat@example.org")[-1]
    assert "p***@e***.org" in told.body_text and "pat.new@example.org" not in told.body_text
    page = client.get("/account").get_data(as_text=True)
    assert "Waiting for confirmation: pat.new@example.org" in page
    confirmed = client.get(_link())
    assert confirmed.status_code == 302
    db.session.refresh(pat)
    assert pat.email == "pat.new@example.org" and email_change.pending(pat) is None
    # The sign-in name follows.
    from flask import current_app

    fresh = current_app.test_client()
    assert fresh.post("/signin", data={"login": "pat.new@example.org", "password": PASSWORD}).status_code == 302
    assert current_app.test_client().post("/signin", data={"login": "pat@example.org",
                                                           "password": PASSWORD}).status_code == 400  # fmt: skip


def test_a_used_link_is_410(client, login, pat):
    login(pat)
    _ask(client)
    link = _link()
    client.get(link)
    again = client.get(link)
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)


def test_an_expired_link_is_410(client, login, pat, monkeypatch):
    login(pat)
    _ask(client)
    with monkeypatch.context() as m:  # the same link, signed 49 hours ago
        m.setattr(time, "time", lambda real=time.time: real() - 49 * 3600)
        token = email_change._serializer().dumps({"u": pat.id, "e": email_change._fingerprint("pat.new@example.org")})
    late = client.get(f"/account/email/{token}")
    assert late.status_code == 410 and "expired" in late.get_data(as_text=True)
    db.session.refresh(pat)
    assert pat.email == "pat@example.org"


def test_another_members_link_or_a_forged_one_is_404(client, login, logout, pat, mallory):
    login(pat)
    _ask(client)
    link = _link()
    logout()
    login(mallory)
    assert client.get(link).status_code == 404
    assert client.get("/account/email/forged.token.here").status_code == 404
    db.session.refresh(pat)
    assert pat.email == "pat@example.org"


def test_a_newer_request_kills_the_older_link(client, login, pat):
    login(pat)
    _ask(client)
    first = _link()
    _ask(client, email="pat.other@example.org")
    assert client.get(first).status_code == 410


def test_bad_input_is_a_400_that_keeps_what_was_typed(client, login, pat, sam):
    login(pat)
    for email, password, words in [("not an address", PASSWORD, "valid e-mail address"),
                                   ("sam@example.org", PASSWORD, "already exists"),
                                   ("pat@example.org", PASSWORD, "use already"),
                                   ("pat.new@example.org", "wrong password", "your password")]:  # fmt: skip
        response = _ask(client, email=email, password=password)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and words in text.replace("&#39;", "'"), email
        assert f'value="{email}"' in text
    db.session.refresh(pat)
    assert email_change.pending(pat) is None


def test_five_requests_an_hour(client, login, pat, rate_limits):
    login(pat)
    for i in range(5):
        assert _ask(client, email=f"pat{i}@example.org").status_code == 302
    assert _ask(client, email="pat9@example.org").status_code == 429


def test_anonymous_and_csrf(csrf_app, client, login, pat):
    assert client.get("/account/email/abc").status_code == 302
    login(pat)
    assert _ask(client).status_code == 400
    db.session.refresh(pat)
    assert email_change.pending(pat) is None
