"""Personal access tokens: shown once, stored hashed, scoped, revoked; suspended members' stop working; the
session cookie never authenticates the API; errors are problem+json."""

from sqlalchemy import select

from community.extensions import db
from community.models import ApiToken, User
from community.services import api_tokens
from community.tokens import hash_token
from tests.factories import acting
from tests.factories_api import api_get, api_post, bearer, token_for


def test_a_token_reads_me_and_is_stored_only_as_its_hash(client, pat):
    secret = token_for(pat, name="LMS")
    assert secret.startswith("cpat_") and len(secret) > 40
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hash_token(secret) and secret not in (row.token_hash, row.name)
    response = api_get(client, "/me", secret)
    assert response.status_code == 200
    assert response.json["handle"] == "pat" and response.json["token_scope"] == "read"
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None


def test_no_token_a_wrong_token_or_a_revoked_one_is_401_problem_json(client, pat):
    secret = token_for(pat)
    for headers in ({}, bearer("cpat_nope"), {"Authorization": f"Basic {secret}"}, bearer("x" * 500)):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 401 and response.json["detail"]
        assert response.headers["WWW-Authenticate"] == "Bearer"
    row = db.session.scalar(select(ApiToken))
    api_tokens.revoke_token(pat, row.id)
    assert api_get(client, "/me", secret).status_code == 401


def test_the_session_cookie_does_not_authenticate_the_api_nor_a_token_cookie(client, login, pat):
    login(pat)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    secret = token_for(pat)
    client.set_cookie("token", secret)
    client.set_cookie("Authorization", f"Bearer {secret}")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get(f"/api/v1/me?access_token={secret}").status_code == 401


def test_a_token_speaks_for_its_member_whatever_session_cookie_comes_with_it(client, login, pat, sam):
    login(sam)
    assert api_get(client, "/me", token_for(pat)).json["handle"] == "pat"


def test_a_suspended_or_deleted_members_tokens_stop_working(client, pat, admin):
    secret = token_for(pat)
    assert api_get(client, "/me", secret).status_code == 200
    for state in ("suspended", "deleted", "pending"):
        db.session.get(User, pat.id).state = state
        db.session.commit()
        assert api_get(client, "/me", secret).status_code == 401, state
    db.session.get(User, pat.id).state = "active"
    db.session.commit()
    assert api_get(client, "/me", secret).status_code == 200


def test_a_read_token_may_not_write(client, pat):
    response = api_post(client, "/notifications/1/read", token_for(pat, "read"))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_no_more_than_twenty_live_tokens_and_names_are_required(pat):
    import pytest

    from community.errors import InvalidInput

    for i in range(20):
        token_for(pat, name=f"t{i}")
    with pytest.raises(InvalidInput):
        token_for(pat, name="one more")
    with pytest.raises(InvalidInput):
        api_tokens.create_token(pat, "  ", "read")
    with pytest.raises(InvalidInput):
        api_tokens.create_token(pat, "x", "admin")


def test_nobody_revokes_anothers_token(pat, mallory):
    import pytest

    from community.errors import NotFound

    token_for(pat)
    row = db.session.scalar(select(ApiToken))
    with pytest.raises(NotFound):
        api_tokens.revoke_token(acting(mallory), row.id)
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_errors_are_problem_json(client, pat):
    secret = token_for(pat)
    for path, status in (("/nowhere", 404), ("/boards/2147483648", 404), ("/boards/99", 404),
                         ("/members?limit=0", 422), ("/members?before=x", 422)):
        response = api_get(client, path, secret)
        assert response.status_code == status, path
        assert response.mimetype == "application/problem+json", path
        assert response.json["status"] == status
    response = client.delete("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]
    response = api_get(client, "/members?limit=0", secret)
    assert "limit" in str(response.json["errors"])


def test_the_command_line_prints_a_token_once(app, pat):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-token", "create", "pat", "--scope", "write", "--name", "CRM"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hash_token(secret) and row.scope == "write" and row.name == "CRM"
    result = runner.invoke(args=["api-token", "create", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output


def test_the_rate_limit_is_per_token(client, pat, sam, rate_limits, app):
    app.config["API_RATE_LIMIT"] = "3/minute"
    try:
        first, second = token_for(pat), token_for(sam)
        for _ in range(3):
            assert api_get(client, "/me", first).status_code == 200
        response = api_get(client, "/me", first)
        assert response.status_code == 429 and response.mimetype == "application/problem+json"
        assert "Retry-After" in response.headers
        assert api_get(client, "/me", second).status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "600/minute"


def test_the_openapi_document_is_for_members_and_tokens_alone(client, login, pat):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert client.get("/api/v1/openapi.json", headers=bearer("cpat_nope")).status_code == 401
    document = client.get("/api/v1/openapi.json", headers=bearer(token_for(pat))).json
    assert document["openapi"] == "3.1.0" and "/api/v1/conversations/{topic_id}/messages" in document["paths"]
    assert document["components"]["securitySchemes"]["token"] == {"type": "http", "scheme": "bearer"}
    login(pat)
    assert client.get("/api/v1/openapi.json").status_code == 200
