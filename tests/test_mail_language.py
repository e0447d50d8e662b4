"""Every e-mail is written in its recipient's language and time zone, whoever's action sent it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask_babel import get_locale, get_timezone
from sqlalchemy import event

from community.extensions import db
from community.models import OutboxMessage, utcnow
from community.services import admin as admin_service
from community.services import auth, digests, moderation
from community.services.settings import update_settings
from tests.factories import acting, load_post, make_user
from tests.factories_auth import invite, mails_to
from tests.factories_social import discussion, opening, question, reply


@pytest.fixture
def written_in(app):
    """address -> (language, time zone) in force when each message to it was queued."""
    seen: dict[str, list[tuple[str, str]]] = {}

    def record(message: OutboxMessage, args: tuple, kwargs: dict) -> None:
        seen.setdefault(kwargs["to_addr"], []).append((str(get_locale()), str(get_timezone())))

    event.listen(OutboxMessage, "init", record)
    yield seen
    event.remove(OutboxMessage, "init", record)


@pytest.fixture
def amelie():
    """A member who reads French and lives in Tokyo."""
    return make_user("amelie", display_name="Amélie", language="fr", timezone="Asia/Tokyo")


def test_a_notification_mail_is_in_the_recipients_language_not_the_actors(app, written_in, amelie, pat):
    topic = discussion(amelie, title="Journal de bord")
    with app.test_request_context("/"):
        assert str(get_locale()) == "en_GB"  # Pat's request, in English
        reply(pat, topic, "Nice one, @amelie!")
        assert str(get_locale()) == "en_GB" and str(get_timezone()) == "UTC"  # and still English afterwards
    assert written_in[amelie.email] == [("fr_FR", "Asia/Tokyo")]


def test_an_english_member_gets_english_mail_from_a_french_actor(written_in, amelie, pat):
    topic = discussion(pat, title="Reflective log")
    reply(amelie, topic, "Bonne idée !")
    assert written_in[pat.email] == [("en_GB", "UTC")]
    assert mails_to(pat.email)[0].subject == "Amélie replied to you: Reflective log"


def test_a_digest_is_in_the_members_language_and_zone(written_in, amelie, fran):
    question(fran, title="Une question ?")
    digests.send_digests("daily")
    assert written_in[amelie.email] == [("fr_FR", "Asia/Tokyo")]


def test_a_reset_mail_is_in_the_members_language(written_in, amelie):
    auth.request_password_reset(amelie.email)
    assert written_in[amelie.email] == [("fr_FR", "Asia/Tokyo")]


def test_a_reset_mail_counts_its_hours_with_real_plurals(app, pat, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_TOKEN_HOURS", 1)
    auth.request_password_reset(pat.email)
    assert "(the link works once, for 1 hour):" in mails_to(pat.email)[-1].body_text


def test_an_approval_and_a_moderators_warning_are_in_the_members_language(written_in, admin, fran, pat):
    newcomer = make_user("newcomer", state="pending", language="fr")
    admin_service.approve_member(acting(admin), newcomer)
    assert written_in[newcomer.email] == [("fr_FR", "UTC")]
    pat.language = "fr"
    db.session.commit()
    topic = discussion(pat, title="Heated")
    post = load_post(fran, opening(topic).id)
    report = moderation.report_post(acting(fran), post, post.topic, "abuse")
    moderation.warn_author(acting(admin), report, "Please keep it kind.")
    assert written_in[pat.email] == [("fr_FR", "UTC")]


def test_an_invitation_is_in_the_communitys_language_and_dates_its_expiry_so(written_in, admin):
    invite(admin, "first@example.org")
    english = mails_to("first@example.org")[0]
    expiry = utcnow() + timedelta(days=14)
    assert format_date(expiry, "long", locale="en_GB") in english.body_text
    update_settings(admin, default_language="fr", default_timezone="Europe/Paris")
    db.session.commit()
    invite(admin, "second@example.org", note="Bienvenue !\nÀ bientôt")
    french = mails_to("second@example.org")[0]
    assert written_in["second@example.org"] == [("fr_FR", "Europe/Paris")]
    # The expiry's day in the community's zone (late in a UTC evening it is already tomorrow in Paris).
    assert format_date(expiry.astimezone(ZoneInfo("Europe/Paris")), "long", locale="fr") in french.body_text
    assert "\n\n    Bienvenue !\n    À bientôt\n\n" in french.body_text


def test_the_invitation_text_reads_as_before(app, admin):
    invite(admin, "ann@example.org", name="Ann", note="See you Monday.")
    text = mails_to("ann@example.org")[0].body_text
    assert text.startswith("Hello Ann,\n\nAda Admin invites you to join ")
    assert "learn together.\n\nAda Admin adds:\n\n    See you Monday.\n\nCreate your account here" in text
    assert text.endswith("\n\nIf you weren't expecting this, you can ignore this e-mail.\n")
    assert mails_to("ann@example.org")[0].subject == f"Ada Admin invites you to {app.config['COMMUNITY_NAME']}"
