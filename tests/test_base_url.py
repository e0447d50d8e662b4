"""Links in mail queued from the command line point at the community people really open: COMMUNITY_BASE_URL, or
the address remembered from the first page opened (editable by the manager), never a silent default."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import AuditEvent, OutboxMessage, Setting
from community.services import site
from community.services.settings import all_settings, get_setting
from tests.factories_auth import mails_to
from tests.factories_social import question


@pytest.fixture
def unconfigured(app, monkeypatch):
    """No COMMUNITY_BASE_URL, and the app has not yet seen a page this test."""
    from community.templating import invalidate_settings_cache

    monkeypatch.setitem(app.config, "BASE_URL", None)
    monkeypatch.delitem(app.extensions, "community.address_known", raising=False)
    invalidate_settings_cache()
    yield app
    app.extensions.pop("community.address_known", None)


# The settings form as a browser sends it untouched: a checkbox that is on by default is sent checked.
FORM = {"community_name": "", "default_language": "en", "default_timezone": "UTC", "premoderate_first_posts": "0",
        "new_member_link_limit": "2", "participants_may_message": "y"}


def store_address(url: str) -> None:
    from community.templating import invalidate_settings_cache

    db.session.add(Setting(key="base_url", value=url))
    db.session.commit()
    invalidate_settings_cache()


def test_there_is_no_default_address_in_the_configuration():
    from config import Config, ProductionConfig

    assert Config.BASE_URL is None and ProductionConfig.BASE_URL is None


@pytest.mark.parametrize("command", [["send-digests"], ["send-digests", "--due", "--weekly"], ["publish-scheduled"],
                                     ["worker", "--once"], ["invite", "new@example.org"]])  # fmt: skip
def test_a_mail_command_without_an_address_refuses_clearly(unconfigured, admin, command):
    result = unconfigured.test_cli_runner().invoke(args=command)
    assert result.exit_code == 1, result.output
    assert "COMMUNITY_BASE_URL" in result.output and "address" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_digests_from_the_command_line_link_to_the_stored_address(unconfigured, fran, pat):
    store_address("https://cohort.example.org")
    question(fran, title="Where do I start?")
    result = unconfigured.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    [digest] = mails_to(pat.email)
    assert "https://cohort.example.org/" in digest.body_text
    assert "127.0.0.1" not in digest.body_text and "localhost" not in digest.body_text


def test_an_invitation_from_the_command_line_links_to_the_configured_address(app, monkeypatch, admin):
    monkeypatch.setitem(app.config, "BASE_URL", "https://community.example.org/")
    result = app.test_cli_runner().invoke(args=["invite", "new@example.org"])
    assert result.exit_code == 0, result.output
    [invitation] = mails_to("new@example.org")
    assert "https://community.example.org/join/" in invitation.body_text


def test_the_configured_address_wins_over_the_stored_one(app, monkeypatch):
    store_address("https://old.example.org")
    monkeypatch.setitem(app.config, "BASE_URL", "https://new.example.org")
    assert site.base_url() == "https://new.example.org"


def test_the_first_page_opened_gives_the_community_its_address(unconfigured, client):
    assert client.get("/healthz").status_code == 200  # a load balancer's probe doesn't count
    assert get_setting("base_url") == ""
    client.get("/signin", base_url="https://cohort.example.org")
    assert get_setting("base_url") == "https://cohort.example.org"
    unconfigured.extensions.pop("community.address_known")
    client.get("/signin", base_url="http://intruder.example")  # once known, another Host doesn't change it
    assert get_setting("base_url") == "https://cohort.example.org"


def test_with_a_configured_address_pages_store_nothing(app, client, monkeypatch):
    monkeypatch.delitem(app.extensions, "community.address_known", raising=False)
    client.get("/signin", base_url="https://elsewhere.example")
    assert db.session.get(Setting, "base_url") is None


def test_the_manager_sees_and_changes_the_address(unconfigured, client, login, admin):
    store_address("http://127.0.0.1:5000")
    login(admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="base_url"' in page and 'value="http://127.0.0.1:5000"' in page
    response = client.post("/admin/settings", data={**FORM, "base_url": "https://cohort.example.org/"})
    assert response.status_code == 302
    assert all_settings()["base_url"] == "https://cohort.example.org"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.update")).one()
    assert event.detail == {"changes": {"base_url": {"from": "http://127.0.0.1:5000", "to": "https://cohort.example.org"}}}


@pytest.mark.parametrize("value", ["cohort.example.org", "ftp://cohort.example.org", "https://", "https://x.org/?a=1",
                                   ""])  # fmt: skip
def test_a_bad_address_is_refused_and_what_was_typed_stays(unconfigured, client, login, admin, value):
    store_address("https://cohort.example.org")
    login(admin)
    response = client.post("/admin/settings", data={**FORM, "community_name": "Typed name", "base_url": value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "like https://community.example.org" in html and 'value="Typed name"' in html
    assert get_setting("base_url") == "https://cohort.example.org"


def test_a_configured_address_is_shown_not_edited(app, client, login, admin):
    login(admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="base_url"' not in page
    assert "http://community.test" in page and "COMMUNITY_BASE_URL" in page


def test_community_run_prints_the_setup_link_on_its_own_address(unconfigured):
    from community.services.setup import setup_link_if_needed

    assert setup_link_if_needed("http://127.0.0.1:8123").startswith("http://127.0.0.1:8123/setup/")
    assert setup_link_if_needed().startswith("/setup/")  # nothing known yet: the path, to open on the address


def test_a_first_request_that_posts_remembers_the_address_and_still_works(unconfigured, client, pat):
    from tests.factories import PASSWORD

    response = client.post("/signin", data={"login": "pat", "password": PASSWORD}, base_url="https://cohort.example.org")
    assert response.status_code == 302
    assert get_setting("base_url") == "https://cohort.example.org"


def test_a_background_job_waits_for_the_address_and_says_so_once(app, caplog, monkeypatch):
    import logging

    from community.services import jobs

    calls = []

    def needs_address():
        calls.append(1)
        raise site.NoBaseUrl()

    entry = jobs.PeriodicJob(needs_address, every=0.0, does="needs the address")
    monkeypatch.setattr(jobs, "PERIODIC_JOBS", [entry])
    with caplog.at_level(logging.WARNING, logger="community.jobs"):
        for _ in range(3):
            jobs.run_periodic_jobs(app)
    assert len(calls) == 3  # tried again each round: the first page view may give the address any moment
    waits = [r for r in caplog.records if "waits" in r.getMessage()]
    assert len(waits) == 1 and "COMMUNITY_BASE_URL" in waits[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
