"""Domain errors become friendly pages (or JSON) with the right status, and say nothing they shouldn't."""

from __future__ import annotations

import pytest

from community.errors import Conflict, InvalidInput, NotFound, RateLimited
from tests.factories_security import assert_security_headers, fresh_app, page_text, signed_in_client, without_csrf


@pytest.fixture
def client(tmp_path):
    with fresh_app(tmp_path) as app:

        def missing() -> str:
            raise NotFound("the group 'Board Secrets' is private")

        def conflict() -> str:
            raise Conflict("Someone edited this post while you were writing.")

        def invalid() -> str:
            raise InvalidInput("Please write something first.", field="body")

        def limited() -> str:
            raise RateLimited("You're posting very quickly.")

        for name, view in (("missing", missing), ("conflict", conflict), ("invalid", invalid),
                           ("limited", limited)):  # fmt: skip
            app.add_url_rule(f"/test/{name}", name, view)
            app.add_url_rule(f"/api/test/{name}", f"api_{name}", view)
        yield signed_in_client(app, "erin")


def test_not_found_never_says_why(client):
    hidden = client.get("/test/missing")
    plain = client.get("/no/such/page")
    assert hidden.status_code == plain.status_code == 404
    assert "Board Secrets" not in page_text(hidden)
    # A private thing and a missing one look exactly alike.
    assert without_csrf(hidden.get_data(as_text=True)) == without_csrf(plain.get_data(as_text=True))


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/test/conflict", 409, "Someone edited this post while you were writing."),
        ("/test/invalid", 400, "Please write something first."),
        ("/test/limited", 429, "You're posting very quickly."),
    ],
)
def test_domain_errors_show_their_message(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert text in page_text(response)
    assert "Go to the home page" in page_text(response)
    assert_security_headers(response)


def test_api_errors_are_json(client):
    response = client.get("/api/test/conflict")
    assert response.status_code == 409 and response.mimetype == "application/problem+json"  # (RFC 9457)
    assert response.json == {"type": "about:blank", "title": "Conflict", "status": 409,
                             "detail": "Someone edited this post while you were writing."}  # fmt: skip
    missing = client.get("/api/test/missing")
    assert missing.json["detail"] == "We couldn't find that page. It may have moved, or you may not have access to it."
    assert missing.json["status"] == 404


def test_a_client_asking_for_json_gets_json(client):
    response = client.get("/test/invalid", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "Please write something first."
