"""Languages and time zones: who chooses, what a page and a time say, and bad choices refused."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from community import i18n
from community.extensions import db
from community.services import auth as auth_service
from community.services.settings import update_settings

DATETIME_ATTR = re.compile(rb'<time datetime="([^"]+)"')


def html_lang(page: bytes) -> str:
    match = re.search(rb'<html lang="([^"]+)"', page)
    assert match, page[:200]
    return match.group(1).decode()


def choose(user, language: str = "", timezone: str = "") -> None:
    auth_service.set_language(user, language, timezone)


def test_a_member_reads_in_the_language_they_chose(client, login, pat):
    login(pat)
    assert html_lang(client.get("/").data) == "en-GB"
    choose(pat, "fr")
    assert html_lang(client.get("/").data) == "fr-FR"


def test_until_they_choose_members_get_the_community_default(client, login, pat, admin):
    update_settings(admin, default_language="fr")
    login(pat)
    assert html_lang(client.get("/").data) == "fr-FR"
    choose(pat, "en")  # their own choice wins over the default
    assert html_lang(client.get("/").data) == "en-GB"


def test_signed_out_visitors_get_their_browsers_language(client, admin):
    assert html_lang(client.get("/signin", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).data) == "fr-FR"
    assert html_lang(client.get("/signin", headers={"Accept-Language": "de-DE,de;q=0.9"}).data) == "en-GB"
    update_settings(admin, default_language="fr")
    assert html_lang(client.get("/signin", headers={"Accept-Language": "de-DE"}).data) == "fr-FR"


def test_the_account_page_saves_language_and_time_zone(client, login, pat):
    login(pat)
    page = client.get("/account")
    assert b'name="lang-language"' in page.data and b'name="lang-timezone"' in page.data
    assert b"Europe/Paris" in page.data
    response = client.post("/account/language", data={"lang-language": "fr", "lang-timezone": "Europe/Paris"})
    assert response.status_code == 302
    db.session.refresh(pat)
    assert (pat.language, pat.timezone) == ("fr", "Europe/Paris")
    # Back to the community's defaults.
    client.post("/account/language", data={"lang-language": "", "lang-timezone": ""})
    db.session.refresh(pat)
    assert (pat.language, pat.timezone) == (None, None)


def test_unknown_languages_and_zones_are_refused_and_nothing_changes(client, login, pat):
    choose(pat, "fr", "Europe/Paris")
    login(pat)
    for data in ({"lang-language": "xx", "lang-timezone": ""}, {"lang-language": "", "lang-timezone": "Mars/Olympus"},
                 {"lang-language": "<script>", "lang-timezone": "../../etc/passwd"}):  # fmt: skip
        response = client.post("/account/language", data=data)
        assert response.status_code == 400
        assert b"class=\"field-error\"" in response.data or b"error" in response.data
        db.session.refresh(pat)
        assert (pat.language, pat.timezone) == ("fr", "Europe/Paris")


def test_signed_out_visitors_cannot_set_a_language(client):
    response = client.post("/account/language", data={"lang-language": "fr"})
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_the_community_defaults_are_the_managers_to_set(client, login, admin, pat):
    login(pat)
    assert client.post("/admin/settings", data={"default_language": "fr"}).status_code == 404
    login(admin)
    page = client.get("/admin/settings")
    assert b'name="default_language"' in page.data and b'name="default_timezone"' in page.data
    from community.services.admin import save_settings
    from community.services.settings import get_setting

    save_settings(admin, {"default_language": "fr", "default_timezone": "Europe/London"})
    assert (get_setting("default_language"), get_setting("default_timezone")) == ("fr", "Europe/London")
    import pytest

    from community.errors import InvalidInput

    with pytest.raises(InvalidInput):
        save_settings(admin, {"default_timezone": "Nowhere/Land"})
    with pytest.raises(InvalidInput):
        save_settings(admin, {"default_language": "klingon"})
    assert get_setting("default_language") == "fr"


def test_time_tags_carry_a_valid_utc_datetime_and_the_members_local_time(app, client, login, pat):
    choose(pat, "en", "Asia/Tokyo")
    when = datetime(2026, 12, 1, 23, 30, 15, 123456, tzinfo=UTC)
    with app.app_context(), i18n.as_member(pat):
        tag = str(i18n.time_tag(when))
    assert 'datetime="2026-12-01T23:30:15Z"' in tag  # no microseconds, UTC
    assert "2 Dec 2026, 08:30" in tag  # Tokyo is 9 hours ahead: the next morning


def test_every_time_on_a_page_is_a_valid_datetime(client, login, pat, admin):
    from tests.factories_boards import make_board, make_discussion

    board = make_board(admin)
    make_discussion(pat, board, title="Welcome, everyone", body="Hello")
    login(pat)
    page = client.get("/").data + client.get(f"/boards/{board.id}").data
    values = DATETIME_ATTR.findall(page)
    assert values
    for value in values:
        datetime.strptime(value.decode(), "%Y-%m-%dT%H:%M:%SZ")


def test_times_and_numbers_in_french(app):
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    member = type("Member", (), {"language": "fr", "timezone": "Europe/Paris"})()
    with app.app_context(), i18n.as_member(member):
        assert i18n.timeago(now - timedelta(hours=3), now=now) == "il y a 3 heures"
        assert i18n.timeago(now - timedelta(minutes=1), now=now) == "il y a 1 minute"
        assert i18n.timeago(now - timedelta(days=9), now=now) == "il y a 1 semaine"
        assert i18n.format_moment(now) == "2 déc. 2026, 13:00"  # Paris is an hour ahead in winter
        assert i18n.format_day(now, "long") == "2 décembre 2026"
        assert i18n.format_number(12345) == "12\u202f345"
        assert i18n.format_month_year(now) == "décembre 2026"
    with app.app_context():  # and back in English outside
        assert i18n.timeago(now - timedelta(hours=3), now=now) == "3 hours ago"
        assert i18n.format_number(12345) == "12,345"


def test_a_members_typed_time_is_read_in_their_zone(app):
    member = type("Member", (), {"language": "en", "timezone": "America/New_York"})()
    with app.app_context(), i18n.as_member(member):
        assert i18n.to_utc(datetime(2026, 7, 1, 9, 0)) == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # summer: -4
        assert i18n.to_utc(datetime(2026, 12, 1, 9, 0)) == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # winter: -5
        assert i18n.start_of_local_day(datetime(2026, 12, 1).date()) == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_the_page_hands_its_scripts_their_strings_safely(client, login, pat):
    login(pat)
    page = client.get("/").data.decode()
    match = re.search(r'<script type="application/json" id="i18n-messages">(.*?)</script>', page, re.S)
    assert match
    data = json.loads(match.group(1))
    assert data["lang"] == "en-GB" and isinstance(data["strings"], dict)
    assert "<" not in match.group(1)  # nothing in it can close the script element


def test_the_choosable_zones_are_real():
    names = i18n.timezone_names()
    assert names[0] == "UTC" and "Europe/Paris" in names and "America/Argentina/Buenos_Aires" in names
    assert not any(n.startswith("Etc/") for n in names)
    assert i18n.is_timezone("Asia/Tokyo") and not i18n.is_timezone("Asia/Atlantis") and not i18n.is_timezone("")
