"""Private by default, and the security headers every response carries."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from community.database import set_writing

# Endpoints an anonymous visitor may reach; everything else sends them to sign in.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "auth.signin",
        "auth.forgot_password",
        "auth.reset_password",
        "auth.setup",
        "auth.invitation",
        "auth.confirm_pending",
        "auth.confirm_resend",
        "auth.confirm_address",
        "auth.confirm_email",
        "auth.health",
        "notifications.unsubscribe",
        "notifications.unsubscribe_undo",
        "blogs.feed_member",
        "blogs.feed_group",
        "blogs.feed_community",
        "calendar.feed",
    }
)
# The API: its own check (a bearer token) decides, never the session. Its OpenAPI document is for members
# too: a signed-in member's session, or a live token (nothing of the community is public, not even its routes).
API_BLUEPRINTS = frozenset({"api"})
# What a signed-in but pending or suspended member may still reach.
HOLDING_ENDPOINTS = frozenset({"static", "auth.signout", "auth.health", "auth.holding"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Directives every response's policy must carry, even one a view wrote itself (uploads, say):
# frame-ancestors and base-uri do not fall back to default-src.
REQUIRED_CSP = {"object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'"}


def is_safe_next(target: str | None) -> bool:
    """A ``next`` URL is followed only if it is a plain path on this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is safe, else ``default``."""
    return target if is_safe_next(target) else default


def _guard() -> ResponseReturnValue | None:
    set_writing(request.method in WRITE_METHODS)
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC_ENDPOINTS or request.blueprint in API_BLUEPRINTS:
        return None  # the API authenticates by token alone (community/api), never by the session cookie
    if request.blueprint == "api-docs" and not current_user.is_authenticated:
        from community.api import current_token

        if current_token() is not None:
            return None
        from community.errors_views import problem

        return problem(401, _("Send a personal access token: Authorization: Bearer cpat_…"),
                       headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    if endpoint == "uploads.serve" and "image_token" in request.args:
        return None  # a feed reader's or an e-mail's signed image link: the link decides (community/uploads.py)
    if not current_user.is_authenticated:
        if request.endpoint is None:
            return None  # a 404 for anonymous visitors is rendered as the sign-in redirect below
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.signin", next=target) if target and target != "/" else url_for("auth.signin"))
    if current_user.state != "active" and endpoint not in HOLDING_ENDPOINTS:
        return render_template("auth/holding.html"), 403
    return None


def _done_writing(_error: BaseException | None = None) -> None:
    """A request's "this writes" mark ends with it: a thread (or a test) that goes on in the same context must
    not take SQLite's write lock for every later read."""
    set_writing(False)


def harden_csp(policy: str) -> str:
    """``policy`` with the required directives added where it lacks them."""
    present = {part.split()[0].lower() for part in policy.split(";") if part.strip()}
    missing = [f"{name} {value}" for name, value in REQUIRED_CSP.items() if name not in present]
    return "; ".join([policy.rstrip("; "), *missing]) if missing else policy


def _headers(response: Response) -> Response:
    h = response.headers
    h["Content-Security-Policy"] = harden_csp(h.get("Content-Security-Policy") or CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["X-Frame-Options"] = "DENY"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    h.pop("Server", None)
    hsts = current_app.extensions.get("community.hsts")
    if hsts:
        h["Strict-Transport-Security"] = hsts
    if getattr(g, "private_cache_ok", False):
        return response
    if request.endpoint != "static":
        h["Cache-Control"] = "no-store"
        h.add("Vary", "Cookie")
    return response


def hsts_header(config: Any) -> str | None:
    """The Strict-Transport-Security value the settings ask for, or None (development, tests, opted out)."""
    if not config.get("HSTS") or config.get("DEBUG"):
        return None
    try:
        max_age = int(config.get("HSTS_MAX_AGE"))
    except (TypeError, ValueError):
        max_age = -1
    if max_age < 0:
        raise RuntimeError(f"COMMUNITY_HSTS_MAX_AGE must be a number of seconds, not {config.get('HSTS_MAX_AGE')!r}")
    return f"max-age={max_age}" + ("; includeSubDomains" if config.get("HSTS_INCLUDE_SUBDOMAINS") else "")


def configure_security(app: Flask) -> None:
    """Register the guard and headers; everything is private unless listed in PUBLIC_ENDPOINTS."""
    app.extensions["community.hsts"] = hsts_header(app.config)
    app.before_request(_guard)
    app.teardown_request(_done_writing)
    app.after_request(_headers)
