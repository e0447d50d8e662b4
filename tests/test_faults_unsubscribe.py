"""Unsubscribe links in e-mails expire and rotate: dated, bound to a per-member counter that moves with the
address or password; an expired link gets a friendly page (one click for the signed-in member it was sent
to), a forged one a clear 404; the one-click POST of mail programs keeps working for a live link."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from community.extensions import db
from community.models import OutboxMessage, User
from community.services import notifications
from community.services.accounts import set_password
from tests.factories_social import discussion, reply

DAY = 86400


def _mention_setting(user: User) -> str:
    db.session.rollback()  # end the test's read snapshot, to see what the request stored
    return notifications.preferences(db.session.get(User, user.id))["mention"]


def _old_token(monkeypatch: pytest.MonkeyPatch, user: User, kind: str, days: float) -> str:
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda real=time.time: real() - days * DAY)
        return notifications.unsubscribe_token(user, kind)


def test_the_mailed_one_click_link_works(app, client, fran, pat):
    topic = discussion(pat, title="Coaching models")
    reply(fran, topic, "@pat what do you think?")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == "pat@example.org"))
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = mail.headers["List-Unsubscribe"].strip("<>").removeprefix(app.config["BASE_URL"])
    db.session.rollback()
    # As a mail program sends it (RFC 8058): a POST with this body, no cookie, no CSRF token.
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"You're unsubscribed" in response.data


def test_a_link_works_until_it_expires(monkeypatch, client, pat):
    token = _old_token(monkeypatch, pat, "mention", days=89)
    assert client.get(f"/notifications/unsubscribe/{token}").status_code == 200
    expired = _old_token(monkeypatch, pat, "mention", days=91)
    for response in (client.get(f"/notifications/unsubscribe/{expired}"),
                     client.post(f"/notifications/unsubscribe/{expired}", data={"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 410
        page = response.get_data(as_text=True)
        assert "This unsubscribe link has expired" in page and "work for 90 days" in page
        assert "Sign in to choose" in page and "Stop these e-mails" not in page  # nothing to click for a stranger
    assert _mention_setting(pat) == "email"


def test_the_expiry_is_a_setting(monkeypatch, app, client, pat):
    monkeypatch.setitem(app.config, "UNSUBSCRIBE_LINK_DAYS", 7)
    token = _old_token(monkeypatch, pat, "mention", days=8)
    response = client.get(f"/notifications/unsubscribe/{token}")
    assert response.status_code == 410 and b"work for 7 days" in response.data


def test_signed_in_as_that_member_one_click_still_stops_them(monkeypatch, client, login, pat):
    expired = _old_token(monkeypatch, pat, "mention", days=100)
    login(pat)
    response = client.get(f"/notifications/unsubscribe/{expired}")
    assert response.status_code == 410 and b"Stop these e-mails" in response.data
    assert b"Notification settings" in response.data
    done = client.post("/notifications/unsubscribe", data={"kind": "mention"})
    assert done.status_code == 200 and b"You're unsubscribed" in done.data
    assert _mention_setting(pat) == "web"  # e-mail stops; the page still shows them


def test_another_member_signed_in_gets_no_button(monkeypatch, client, login, pat, mallory):
    expired = _old_token(monkeypatch, pat, "mention", days=100)
    login(mallory)
    response = client.get(f"/notifications/unsubscribe/{expired}")
    assert response.status_code == 410 and b"Stop these e-mails" not in response.data


def test_links_rotate_when_the_password_changes(client, pat):
    token = notifications.unsubscribe_token(pat, "mention")
    assert client.get(f"/notifications/unsubscribe/{token}").status_code == 200
    user = db.session.get(User, pat.id)
    set_password(user, "a brand new passphrase")
    db.session.commit()
    response = client.post(f"/notifications/unsubscribe/{token}")
    assert response.status_code == 410 and b"has expired" in response.data
    assert _mention_setting(pat) == "email"
    fresh = notifications.unsubscribe_token(db.session.get(User, pat.id), "mention")
    assert client.post(f"/notifications/unsubscribe/{fresh}").status_code == 200


def test_links_of_before_are_expired_not_invalid(app, client, pat):
    legacy = URLSafeSerializer(app.config["SECRET_KEY"], salt="notifications-unsubscribe").dumps([pat.id, "mention"])
    response = client.post(f"/notifications/unsubscribe/{legacy}")
    assert response.status_code == 410 and b"has expired" in response.data
    assert _mention_setting(pat) == "email"


def test_forged_and_mangled_links_are_a_clear_404(app, client, pat):
    forged = URLSafeSerializer("not the secret", salt="notifications-unsubscribe.v2").dumps([pat.id, "mention", 0])
    token = notifications.unsubscribe_token(pat, "mention")
    for bad in (forged, token[:-3], "nonsense", token + "x"):
        path = f"/notifications/unsubscribe/{bad}"
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 404 and b"This unsubscribe link isn" in response.data
    assert _mention_setting(pat) == "email"


def test_the_signed_in_one_click_checks_its_input(csrf_app, client, login, pat):
    login(pat)
    assert client.post("/notifications/unsubscribe", data={"kind": "mention"}).status_code == 400  # no CSRF token
    assert _mention_setting(pat) == "email"


def test_the_signed_in_one_click_refuses_unknown_kinds(client, login, pat):
    assert client.post("/notifications/unsubscribe", data={"kind": "mention"}).status_code == 302  # sign in first
    login(pat)
    assert client.post("/notifications/unsubscribe", data={"kind": "everything"}).status_code == 400
    assert client.post("/notifications/unsubscribe", data={}).status_code == 400
    assert _mention_setting(pat) == "email"


def test_the_account_page_says_how_to_manage_email(client, login, pat):
    login(pat)
    page = client.get("/account").get_data(as_text=True)
    assert "pat@example.org" in page and 'href="/notifications/settings"' in page
