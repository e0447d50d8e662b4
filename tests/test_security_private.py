"""Private by default (every route of the app), CSRF on every POST, and production cookies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from community.extensions import db
from community.models import UserSession
from community.security import PUBLIC_ENDPOINTS
from config import ProductionConfig
from tests.factories import PASSWORD, make_user
from tests.factories_security import fresh_app, page_text


def _sample_url(app, rule: Rule) -> str:
    """A URL for the rule, with made-up values for its arguments."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        kind = type(converter).__name__.replace("Converter", "").lower() if converter else "string"
        if kind == "any":
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "x"
        elif kind in ("integer", "int", "boundedint"):  # community.converters bounds every <int:>
            values[name] = 1
        elif kind == "float":
            values[name] = 1.0
        else:
            values[name] = "x"
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def _private_rules(app, method: str) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint not in PUBLIC_ENDPOINTS),
        key=lambda r: r.rule,
    )


def _refused(response) -> bool:
    if response.status_code in (404, 405):
        return True
    if response.request.path.startswith("/api/"):  # the API asks for a token instead of a sign-in page
        return response.status_code == 401 and response.mimetype == "application/problem+json"
    return response.status_code in (302, 303) and urlsplit(response.headers["Location"]).path == "/signin"


def test_the_app_has_private_routes_to_check(app):
    assert len(_private_rules(app, "GET")) >= 3


def test_every_private_page_sends_an_anonymous_visitor_to_sign_in(app, client):
    leaks = []
    for rule in _private_rules(app, "GET"):
        url = _sample_url(app, rule)
        response = client.get(url)
        if not _refused(response):
            leaks.append(f"{rule.endpoint} {url} -> {response.status_code}")
    assert leaks == []


def test_every_private_post_is_refused_to_an_anonymous_visitor(app, client, pat):
    before = db.session.scalar(select(func.count()).select_from(UserSession))
    leaks = []
    for rule in _private_rules(app, "POST"):
        url = _sample_url(app, rule)
        response = client.post(url, data={"body": "x", "title": "x", "name": "x"})
        if not _refused(response):
            leaks.append(f"{rule.endpoint} {url} -> {response.status_code}")
    assert leaks == []
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == before


def test_a_private_page_remembers_where_the_visitor_was_going(client):
    response = client.get("/posts/1/revisions")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.path, parse_qs(location.query)) == ("/signin", {"next": ["/posts/1/revisions"]})


def test_public_endpoints_are_the_expected_kinds():
    # Only sign-in, joining, reset, setup, health, unsubscribe and tokenised feeds (blogs, calendar) may be public.
    allowed_prefixes = ("auth.", "static", "notifications.unsubscribe", "blogs.feed_", "calendar.feed")
    assert all(endpoint.startswith(allowed_prefixes) for endpoint in PUBLIC_ENDPOINTS)
    assert "auth.signout" not in PUBLIC_ENDPOINTS


# CSRF --------------------------------------------------------------------------------------------------


def test_sign_out_without_a_token_is_refused_and_the_session_lives(client, login, pat, csrf_app):
    login(pat)
    response = client.post("/signout")
    assert response.status_code == 400
    assert "Your form expired or was sent from somewhere else" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    assert client.get("/").status_code == 200  # still signed in


def test_sign_in_without_a_token_is_refused_and_no_session_starts(client, pat, csrf_app):
    response = client.post("/signin", data={"login": "pat", "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form expired or was sent from somewhere else" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert client.get("/").status_code == 302


def test_sign_in_with_a_forged_token_is_refused(client, pat, csrf_app):
    response = client.post("/signin", data={"login": "pat", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


# Production cookies -------------------------------------------------------------------------------------


@pytest.fixture
def production_app(tmp_path):
    with fresh_app(tmp_path, ProductionConfig, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                   MAIL_BACKGROUND_THREAD=False, AUTO_MIGRATE=False) as app:  # fmt: skip
        yield app


def test_production_config_secures_cookies(production_app):
    config = production_app.config
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert config["REMEMBER_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert config["SECRET_KEY"] and config["SECRET_KEY"] != "test-secret-not-for-production"
    assert not production_app.debug and not production_app.testing


def test_production_sign_in_sets_secure_cookies(production_app):
    with production_app.app_context():
        make_user("petra", display_name="Petra Production")
    client = production_app.test_client()
    response = client.post("/signin", data={"login": "petra", "password": PASSWORD, "remember": "y"},
                           base_url="https://community.example")  # fmt: skip
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"session", "remember_token"} <= names
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "secure" in flags and "httponly" in flags, cookie
        assert flags.get("samesite", "").lower() in ("samesite=lax", "samesite=strict"), cookie
