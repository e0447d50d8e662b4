"""API tokens and requests for tests."""

from __future__ import annotations

from typing import Any

from community.models import User
from community.services.api_tokens import create_token


def token_for(user: User, scope: str = "read", name: str = "Test") -> str:
    """A fresh personal access token of ``user``."""
    return create_token(user, name, scope)[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def api_get(client: Any, path: str, secret: str, **kwargs: Any) -> Any:
    return client.get(f"/api/v1{path}", headers=bearer(secret), **kwargs)


def api_post(client: Any, path: str, secret: str, json: Any = None) -> Any:
    return client.post(f"/api/v1{path}", headers=bearer(secret), json=json if json is not None else {})
