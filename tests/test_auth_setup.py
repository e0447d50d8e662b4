"""First run: the one-time setup link creates the community manager; `community create-admin` does too."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import cli
from community.models import User
from community.services import setup as setup_service
from community.services.settings import get_setting

SECRET = "a long and private sentence"
GOOD = {"community_name": "HR Leaders 2026", "display_name": "Grace Hopper", "email": "Grace@Example.org",
        "handle": "grace", "password": SECRET, "confirm": SECRET}  # fmt: skip


@pytest.fixture
def setup_token(app) -> str:
    from community.extensions import db

    link = setup_service.setup_link_if_needed()
    db.session.rollback()  # end the read transaction, so the test sees what requests write
    assert link and link.startswith(app.config["BASE_URL"])
    return link.rsplit("/", 1)[1]


def users() -> int:
    from community.extensions import db

    return db.session.scalar(select(func.count()).select_from(User))


def test_setup_page_creates_the_admin_signs_in_and_burns_the_token(client, setup_token):
    page = client.get(f"/setup/{setup_token}")
    assert page.status_code == 200
    assert b"Set up your community" in page.data
    response = client.post(f"/setup/{setup_token}", data=GOOD)
    assert response.status_code == 302
    admin = User.query.filter_by(handle="grace").one()
    assert (admin.role, admin.state, admin.email) == ("admin", "active", "grace@example.org")
    assert get_setting("community_name") == "HR Leaders 2026"
    home = client.get("/")
    assert home.status_code == 200 and b"HR Leaders 2026" in home.data
    # The link is spent: a second visit (or a replayed form) gets the explanatory page, not a second admin.
    other = client.application.test_client()
    again = other.get(f"/setup/{setup_token}")
    assert again.status_code == 404 and b"This setup link is no longer valid" in again.data
    assert other.post(f"/setup/{setup_token}", data={**GOOD, "handle": "eve", "email": "eve@x.org"}).status_code == 404
    assert users() == 1


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "..%2E%2E"])
def test_a_wrong_setup_token_gets_a_clear_page(client, setup_token, token):
    response = client.get(f"/setup/{token}")
    assert response.status_code == 404
    assert b"This setup link is no longer valid" in response.data
    assert client.post(f"/setup/{token}", data=GOOD).status_code == 404
    assert users() == 0


def test_setup_link_is_invalid_once_an_admin_exists(client, setup_token, admin):
    assert client.get(f"/setup/{setup_token}").status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "short", "confirm": "short"}, b"Use at least 10 characters."),
        ({"confirm": "something else entirely"}, b"The two passwords differ."),
        ({"handle": "no spaces please"}, b"Handles use 2"),
        ({"email": "not-an-address"}, b"valid e-mail address"),
        ({"community_name": ""}, b"This field is required."),
    ],
)
def test_bad_setup_input_is_a_400_that_keeps_what_was_typed(client, setup_token, change, message):
    response = client.post(f"/setup/{setup_token}", data={**GOOD, **change})
    assert response.status_code == 400
    assert message in response.data
    assert b'value="Grace Hopper"' in response.data
    assert users() == 0
    assert client.get(f"/setup/{setup_token}").status_code == 200  # the token still works


def test_setup_needs_csrf(csrf_app, client, setup_token):
    assert client.post(f"/setup/{setup_token}", data=GOOD).status_code == 400
    assert users() == 0


def test_cli_create_admin(app, monkeypatch):
    # The test database is built from the models; the command's migration step is not what is under test.
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.org", "--handle", "boss", "--name",
                                 "Bo Boss", "--community-name", "Cohort A", "--password", SECRET])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created community manager @boss." in result.output
    boss = User.query.filter_by(handle="boss").one()
    assert (boss.role, boss.email) == ("admin", "boss@example.org")
    assert get_setting("community_name") == "Cohort A"
    assert setup_service.setup_link_if_needed() is None


def test_cli_create_admin_reports_bad_input(app, monkeypatch):
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "b@example.org", "--handle", "boss",
                                                "--name", "Bo", "--password", "password"])  # fmt: skip
    assert result.exit_code == 1
    assert "too common" in result.output or "at least" in result.output
    assert users() == 0


def _create_admin(*extra: str):
    return ["create-admin", "--email", "second@example.org", "--handle", "second", "--name", "Sec Ond",
            "--password", SECRET, *extra]  # fmt: skip


def test_cli_create_admin_refuses_a_second_community_manager(app, admin, monkeypatch):
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    result = app.test_cli_runner().invoke(args=_create_admin())
    assert result.exit_code == 1, result.output
    assert "already has a community manager (@ada)" in result.output
    assert "community create-admin --another" in result.output
    assert users() == 1


def test_cli_create_admin_refuses_before_asking_for_anything(app, admin, monkeypatch):
    """Without options it would prompt: the refusal comes first, so nobody types a password for nothing."""
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    result = app.test_cli_runner().invoke(args=["create-admin"], input="")
    assert result.exit_code == 1
    assert "already has a community manager" in result.output and "E-mail" not in result.output


def test_cli_create_admin_another_adds_one_and_audits_it(app, admin, monkeypatch):
    from community.models import AuditEvent

    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    result = app.test_cli_runner().invoke(args=_create_admin("--another"))
    assert result.exit_code == 0, result.output
    assert "Created community manager @second." in result.output
    second = User.query.filter_by(handle="second").one()
    assert (second.role, second.email) == ("admin", "second@example.org")
    event = AuditEvent.query.filter_by(action="member.admin_added").one()
    assert (event.actor_id, event.target_id, event.detail) == (None, second.id, {"via": "console"})


def test_cli_create_admin_another_checks_input_and_names_nothing(app, admin, monkeypatch):
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    runner = app.test_cli_runner()
    renamed = runner.invoke(args=_create_admin("--another", "--community-name", "Other"))
    assert renamed.exit_code == 1 and "rename this one under Settings" in renamed.output
    taken = runner.invoke(args=["create-admin", "--another", "--email", "x@example.org", "--handle", "ada",
                                "--name", "Ad A", "--password", SECRET])  # fmt: skip
    assert taken.exit_code == 1 and "handle is taken" in taken.output
    assert users() == 1


def test_cli_create_admin_another_on_an_empty_community_makes_the_first(app, monkeypatch):
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    result = app.test_cli_runner().invoke(args=_create_admin("--another", "--community-name", "Cohort B"))
    assert result.exit_code == 0, result.output
    assert get_setting("community_name") == "Cohort B"


def test_cli_create_admin_asks_for_what_is_missing(app, monkeypatch):
    monkeypatch.setattr(cli, "migrate_database", lambda: None)
    typed = f"asked@example.org\nasked\nAsk Ed\n{SECRET}\n{SECRET}\n"
    result = app.test_cli_runner().invoke(args=["create-admin"], input=typed)
    assert result.exit_code == 0, result.output
    assert "Created community manager @asked." in result.output
    assert SECRET not in result.output  # the password is not echoed


def test_first_admin_service_refuses_when_one_exists(admin):
    from community.errors import Conflict

    with pytest.raises(Conflict):
        setup_service.create_first_admin(email="b@example.org", handle="bob", display_name="Bob", password=SECRET)
