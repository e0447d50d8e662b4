"""The offer of the browser's time zone: made to a member who never chose one, answered once either way
(CSRF POSTs), the zone checked against the tz database."""

import pytest

from community.extensions import db
from community.services import auth


def test_the_page_carries_the_offer_only_for_a_member_who_never_chose(client, login, pat):
    login(pat)
    html = client.get("/").get_data(as_text=True)
    assert 'id="timezone-offer"' in html and 'data-zone="UTC"' in html and "js/timezone.js" in html
    auth.set_language(pat, "", "")  # chose "the community's default" on the account page: a choice too
    html = client.get("/").get_data(as_text=True)
    assert 'id="timezone-offer"' not in html and "js/timezone.js" not in html


def test_using_the_browsers_zone(client, login, pat):
    login(pat)
    response = client.post("/account/timezone", data={"choice": "use", "timezone": "Europe/Paris", "next": "/groups"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/groups")
    db.session.expire_all()
    assert pat.timezone == "Europe/Paris"
    assert 'id="timezone-offer"' not in client.get("/").get_data(as_text=True)


def test_keeping_the_zone_in_use_is_remembered_too(client, login, pat):
    login(pat)
    response = client.post("/account/timezone", data={"choice": "keep", "timezone": "Europe/Paris"},
                           headers={"X-Requested-With": "fetch"})  # fmt: skip
    assert response.status_code == 204
    db.session.expire_all()
    assert pat.timezone is None and not auth.offers_browser_zone(pat)
    assert 'id="timezone-offer"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "Europe/Paris<script>", "x" * 300])
def test_an_unknown_zone_is_a_400_with_a_clear_message(client, login, pat, zone):
    login(pat)
    response = client.post("/account/timezone", data={"choice": "use", "timezone": zone})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not a time zone we know" in html and "Paris<script>" not in html
    db.session.expire_all()
    assert pat.timezone is None and auth.offers_browser_zone(pat)  # still offered: nothing was chosen


def test_the_answer_needs_its_csrf_token(csrf_app, client, login, pat):
    login(pat)
    assert client.post("/account/timezone", data={"choice": "use", "timezone": "Europe/Paris"}).status_code == 400
    db.session.expire_all()
    assert pat.timezone is None


def test_anonymous_visitors_and_suspended_members_cannot_answer(client, login, suspended):
    assert client.post("/account/timezone", data={"choice": "keep"}).status_code == 302
    login(suspended)
    assert client.post("/account/timezone", data={"choice": "keep"}).status_code == 403
