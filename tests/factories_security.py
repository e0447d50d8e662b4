"""Helpers for the security, error and Redis tests: fresh apps built by ``create_app`` (with test-only routes)."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from community import create_app
from community.extensions import db, limiter
from config import TestConfig

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


@contextmanager
def fresh_app(root: Path, config: Any = TestConfig, **overrides: Any) -> Iterator[Flask]:
    """A new app on its own SQLite file (tables created), for adding test-only routes.

    ``limiter`` is one object shared by every app in the process and ``init_app`` rebinds its storage,
    so its state is put back afterwards: the session app's tests must not inherit this app's limits.
    """
    saved = copy.copy(vars(limiter))
    options = {"DATABASE_URL": f"sqlite:///{root / 'fresh.db'}", "UPLOAD_FOLDER": str(root / "uploads")}
    options.update(overrides)
    app = create_app(config, instance_path=str(root / "instance"), **options)
    try:
        with app.app_context():
            db.create_all()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        vars(limiter).clear()
        vars(limiter).update(saved)


def signed_in_client(app: Flask, handle: str) -> FlaskClient:
    """A test client of ``app`` signed in as a new participant ``handle``."""
    from community.services.accounts import start_session
    from tests.factories import make_user

    with app.app_context():
        token = start_session(make_user(handle))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    return client


def csp_directives(response: Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = response.headers.get("Content-Security-Policy", "")
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def assert_security_headers(response: Response) -> None:
    """The headers every response carries, whatever its kind."""
    csp = csp_directives(response)
    script = csp.get("script-src", csp.get("default-src"))
    assert script is not None, "no script-src or default-src"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, script
    assert csp.get("frame-ancestors") == ["'none'"], csp
    assert csp.get("object-src") == ["'none'"], csp
    assert csp.get("base-uri") == ["'none'"], csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in REFERRER_POLICIES
    assert "Server" not in response.headers


def assert_private_cache(response: Response) -> None:
    """Signed-in pages are never stored by a browser or a proxy, and caches key on the cookie."""
    assert "no-store" in response.headers.get("Cache-Control", "")
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert "cookie" in vary


def page_text(response: Response) -> str:
    """The visible text of an HTML page (tags dropped), for checking what it says."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()))


def without_csrf(page: str) -> str:
    """A page without its CSRF tokens' values: they carry the second they were signed in, so two requests a
    moment apart differ there and nowhere else (comparing a hidden thing's 404 with a missing one's)."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', page)
