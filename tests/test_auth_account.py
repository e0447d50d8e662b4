"""The account page: change password (other sessions end), signed-in devices, sign out everywhere else."""

from __future__ import annotations

from sqlalchemy import func, select

from community.extensions import db
from community.models import UserSession
from community.services.accounts import verify_password
from tests.factories import PASSWORD

NEW = "a brand new passphrase here"
UA_PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
UA_DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def sign_in(app, login="pat", password=PASSWORD, agent=UA_DESKTOP):
    client = app.test_client()
    response = client.post("/signin", data={"login": login, "password": password}, headers={"User-Agent": agent})
    assert response.status_code == 302
    return client


def sessions_of(user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def test_account_page_is_linked_from_the_menu_and_lists_devices(app, pat):
    laptop = sign_in(app)
    sign_in(app, agent=UA_PHONE)
    assert b'href="/account"' in laptop.get("/").data
    page = laptop.get("/account")
    assert page.status_code == 200
    assert b"Chrome on Linux" in page.data and b"Safari on iPhone" in page.data
    assert page.data.count(b"This device") == 1
    assert b"Sign out everywhere else" in page.data


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert client.post("/account/sessions/end-others").status_code == 302


def test_change_password_ends_every_other_session(app, pat):
    mine, other = sign_in(app), sign_in(app, agent=UA_PHONE)
    response = mine.post("/account", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert mine.get("/account").status_code == 200  # this browser stays signed in
    gone = other.get("/")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/signin")
    db.session.refresh(pat)
    assert verify_password(pat, NEW) and not verify_password(pat, PASSWORD)
    assert sessions_of(pat) == 1
    assert sign_in(app, password=NEW)


def test_change_password_needs_the_current_one(app, pat):
    mine, other = sign_in(app), sign_in(app)
    response = mine.post("/account", data={"current_password": "not my password", "new_password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert b"That isn&#39;t your current password." in response.data
    assert other.get("/").status_code == 200
    db.session.refresh(pat)
    assert verify_password(pat, PASSWORD)


def test_new_password_follows_the_rules(app, pat):
    mine = sign_in(app)
    for new, message in (("short", b"Use at least"), ("password123", b"too common"), (PASSWORD, b"different from")):
        response = mine.post("/account", data={"current_password": PASSWORD, "new_password": new, "confirm": new})
        assert response.status_code == 400 and message in response.data
    response = mine.post("/account", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"})
    assert response.status_code == 400 and b"The two passwords differ." in response.data
    db.session.refresh(pat)
    assert verify_password(pat, PASSWORD)


def test_sign_out_everywhere_else(app, pat, sam):
    mine, phone, tablet = sign_in(app), sign_in(app), sign_in(app)
    sams = sign_in(app, "sam")
    assert mine.post("/account/sessions/end-others").status_code == 302
    assert b"Signed out of 2 other devices." in mine.get("/account").data
    assert phone.get("/").status_code == 302 and tablet.get("/").status_code == 302
    assert sams.get("/").status_code == 200  # other members are untouched
    assert sessions_of(pat) == 1


def test_sign_out_one_device_and_not_someone_elses(app, pat, sam):
    mine, phone = sign_in(app), sign_in(app)
    sams = sign_in(app, "sam")
    sam_row = db.session.scalar(select(UserSession.id).where(UserSession.user_id == sam.id))
    assert mine.post(f"/account/sessions/{sam_row}/end").status_code == 404
    assert sams.get("/").status_code == 200
    phone_row = db.session.scalars(select(UserSession.id).where(UserSession.user_id == pat.id)
                                   .order_by(UserSession.id.desc())).first()  # fmt: skip
    assert mine.post(f"/account/sessions/{phone_row}/end").status_code == 302
    assert phone.get("/").status_code == 302
    assert mine.get("/").status_code == 200


def test_account_forms_need_csrf(csrf_app, app, pat):
    mine, other = sign_in_csrf(app), sign_in_csrf(app)
    assert mine.post("/account/sessions/end-others").status_code == 400
    form = {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW}
    assert mine.post("/account", data=form).status_code == 400
    assert other.get("/").status_code == 200


def sign_in_csrf(app):
    """Sign in through the form with its CSRF token (CSRF is on)."""
    import re

    client = app.test_client()
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/signin").data).group(1)
    assert client.post("/signin", data={"login": "pat", "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def test_account_page_query_count(app, pat, assert_queries, count_queries):
    mine = sign_in(app)
    mine.get("/account")
    with count_queries() as few:
        assert mine.get("/account").status_code == 200
    for _ in range(6):
        sign_in(app)
    with assert_queries(len(few)):
        assert mine.get("/account").status_code == 200
