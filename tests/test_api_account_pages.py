"""The account's API pages: the docs page and the tokens page (make, shown once, revoke), with CSRF."""

import re

from sqlalchemy import select

from community.extensions import db
from community.models import ApiToken
from tests.factories_api import api_get, token_for


def test_the_docs_page_explains_and_lists_every_route(client, login, pat):
    login(pat)
    html = client.get("/account/api").data.decode()
    assert "Authorization: Bearer" in html and "/api/v1/openapi.json" in html
    assert "GET /api/v1/conversations/{topic_id}/messages" in html and "POST /api/v1/questions" in html
    assert "/account/api/tokens" in client.get("/account").data.decode()


def test_a_token_is_made_shown_once_listed_and_revoked(client, login, pat):
    login(pat)
    response = client.post("/account/api/tokens", data={"name": "My LMS", "scope": "write"})
    assert response.status_code == 200
    secret = re.search(r'value="(cpat_[^"]+)"', response.data.decode()).group(1)
    assert api_get(client, "/me", secret).json["token_scope"] == "write"
    page = client.get("/account/api/tokens").data.decode()
    assert "My LMS" in page and secret not in page and "read and write" in page
    row = db.session.scalar(select(ApiToken))
    assert client.post(f"/account/api/tokens/{row.id}/revoke").status_code == 302
    assert api_get(client, "/me", secret).status_code == 401
    assert "My LMS" not in client.get("/account/api/tokens").data.decode()


def test_bad_input_is_a_400_that_keeps_what_was_typed(client, login, pat):
    login(pat)
    response = client.post("/account/api/tokens", data={"name": "", "scope": "write"})
    assert response.status_code == 400
    response = client.post("/account/api/tokens", data={"name": "Mine", "scope": "root"})
    assert response.status_code == 400 and 'value="Mine"' in response.data.decode()
    for i in range(20):
        token_for(pat, name=f"t{i}")
    response = client.post("/account/api/tokens", data={"name": "Twenty-first", "scope": "read"})
    assert response.status_code == 400 and "revoke one first" in response.data.decode()
    assert 'value="Twenty-first"' in response.data.decode()


def test_nobody_revokes_someone_elses_token(client, login, pat, mallory):
    token_for(pat, name="Pat's")
    row = db.session.scalar(select(ApiToken))
    login(mallory)
    assert client.post(f"/account/api/tokens/{row.id}/revoke").status_code == 404
    assert "Pat's" not in client.get("/account/api/tokens").data.decode()
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_the_forms_need_csrf_and_a_visitor_is_sent_to_sign_in(client, login, pat, csrf_app):
    assert client.get("/account/api/tokens").status_code == 302
    assert client.get("/account/api").status_code == 302
    login(pat)
    assert client.post("/account/api/tokens", data={"name": "x", "scope": "read"}).status_code == 400
    assert db.session.scalar(select(ApiToken)) is None
    assert client.get("/api/v1/me").status_code == 401  # and CSRF is not what the API checks: the token is
