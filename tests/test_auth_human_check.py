"""Registration refuses what looks automated: a filled honeypot, or a form sent too soon after it was shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import User
from tests.factories import PASSWORD
from tests.factories_auth import invite


@pytest.fixture
def timed(app):
    app.config["REGISTRATION_MIN_SECONDS"] = 3
    try:
        yield app
    finally:
        app.config["REGISTRATION_MIN_SECONDS"] = 0


def _form(client, token, **extra):
    page = client.get(f"/join/{token}")
    shown = re.search(rb'name="shown_at" type="hidden" value="([^"]+)"', page.data)
    assert shown, "the form carries a signed time stamp"
    data = {"display_name": "Ann Lee", "handle": "ann", "password": PASSWORD, "confirm": PASSWORD,
            "shown_at": shown.group(1).decode(), **extra}  # fmt: skip
    return page, data


def _members() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_the_honeypot_is_hidden_from_people_and_refuses_bots(client, admin):
    token = invite(admin, "ann@example.org")
    page, data = _form(client, token, website="http://cheap-pills.example")
    assert b'class="hp" aria-hidden="true"' in page.data and b'tabindex="-1"' in page.data
    before = _members()
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code == 400
    assert b"couldn&#39;t create your account" in response.data and b'value="Ann Lee"' in response.data
    assert _members() == before


def test_a_form_sent_too_quickly_is_refused_and_keeps_what_was_typed(client, admin, timed):
    token = invite(admin, "ann@example.org")
    _page, data = _form(client, token)
    before = _members()
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code == 400
    assert b"That was very quick" in response.data and b'value="ann"' in response.data
    assert _members() == before


def test_a_forged_or_missing_time_stamp_is_refused(client, admin, timed):
    token = invite(admin, "ann@example.org")
    _page, data = _form(client, token, shown_at="1.0.forged")
    assert client.post(f"/join/{token}", data=data).status_code == 400
    data.pop("shown_at")
    assert client.post(f"/join/{token}", data=data).status_code == 400


def test_a_person_taking_their_time_gets_in(client, admin, timed, monkeypatch):
    token = invite(admin, "ann@example.org")
    _page, data = _form(client, token)
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 30)
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.handle == "ann")) is not None
