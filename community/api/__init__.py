"""The community API, ``/api/v1``: JSON for personal access tokens, documented by flask-smorest (OpenAPI 3.1).

Only an ``Authorization: Bearer cpat_...`` header authenticates here: a session cookie does not (so CSRF has
nothing to protect and the blueprint is exempt), and a token is never read from a cookie or the URL.
"""

from __future__ import annotations

import http
from typing import Any

import marshmallow as ma
from flask import Flask, g, request
from flask_smorest import Api, Blueprint
from flask_smorest.spec import prepare_response

PROBLEM = "application/problem+json"


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: what went wrong, for a person and for a program."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict()


class CommunityApi(Api):
    """flask-smorest's Api whose errors are documented as problem+json and rendered by ``errors_views``
    (its own handler would take over every HTTP error of the HTML pages too)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


api = CommunityApi()
bp = Blueprint("api", __name__, url_prefix="/api/v1", description="The community's content, as a member sees it.")


def bearer_secret() -> str | None:
    """The token in the Authorization header, if it holds one (the only place a token is read from)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def current_token() -> Any:
    """The request's live token (looked up once per request), or None."""
    if "api_token" not in g:
        from community.services.api_tokens import authenticate

        secret = bearer_secret()
        g.api_token = authenticate(secret) if secret else None
    return g.api_token


def rate_key() -> str:
    """Per-token rate limits: the token's hash (it names one token as its id does, without a query: the limiter
    runs before the request knows whether it writes), or the address for requests without a token."""
    from community.models import TOKEN_PREFIX
    from community.tokens import hash_token

    secret = bearer_secret()
    if secret and secret.startswith(TOKEN_PREFIX):
        return f"api-token:{hash_token(secret)}"
    return f"api-anon:{request.remote_addr or 'unknown'}"


def configure_api(app: Flask) -> None:
    """Bind flask-smorest and register the API blueprint (its views, its limits, no CSRF)."""
    from community.extensions import csrf, limiter

    app.config.setdefault("API_TITLE", "Community API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "600/minute")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
    })  # fmt: skip
    from community.api import views  # noqa: F401  (registers the routes on bp)

    csrf.exempt(bp)
    limiter.limit(lambda: app.config["API_RATE_LIMIT"], key_func=rate_key)(bp)
    api.init_app(app)
    api.register_blueprint(bp)
