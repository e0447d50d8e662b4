"""Signed-in sessions: Flask-Login loads the member from a per-browser session row.

The cookie (session or remember-me) carries a random token whose hash is a ``UserSession`` row. Signing
out deletes the row, so a cookie captured before sign-out no longer works; changing the password deletes
every other row. The loader also fills ``user.group_roles`` (one query) for the permission predicates.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.database import prebuilt
from community.extensions import db, login_manager
from community.models import Membership, User, UserSession, utcnow
from community.tokens import hash_token

SEEN_EVERY = timedelta(minutes=5)
NEW_VISIT_AFTER = timedelta(minutes=30)
FIRST_VISIT_LOOKBACK = timedelta(days=14)  # as boards_reading.NEW_SINCE_DEFAULT


def load_group_roles(user: User) -> None:
    """Fill ``user.group_roles`` with the member's active group roles."""
    statement = prebuilt(
        "group_roles",
        lambda: select(Membership.group_id, Membership.role).where(
            Membership.user_id == bindparam("user_id"), Membership.state == "active"
        ),
    )
    rows = db.session.execute(statement, {"user_id": user.id}).all()
    user.group_roles = {group_id: role for group_id, role in rows}
    # Conversations the loaders found the member in, this request (permissions.remember_participations).
    user.participations = {}


def _load_user(token: str) -> User | None:
    # Built once: this runs on every request.
    statement = prebuilt("session", lambda: select(UserSession).where(UserSession.token_hash == bindparam("hash")))
    row = db.session.scalar(statement, {"hash": hash_token(token)})
    if row is None or row.user.state in ("deleted", "unconfirmed"):
        return None  # an unconfirmed account is never signed in, whatever a cookie says
    user = row.user
    user.session_token = token  # type: ignore[attr-defined]
    user.session_row = row  # type: ignore[attr-defined]
    if user.state == "suspended" and user.suspended_until is not None:
        from community.services.admin import end_expired_suspension  # the admin service owns the rule

        end_expired_suspension(user)
    if user.state == "active":
        load_group_roles(user)
    _touch(user, row)
    return user


def _touch(user: User, row: UserSession) -> None:
    """Record activity at most every few minutes (a page view must not write on every read)."""
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_EVERY:
        return
    values: dict[str, Any] = {"last_seen_at": now}
    if user.last_seen_at is None or now - user.last_seen_at > NEW_VISIT_AFTER:
        # A first visit has no previous one: what came in over the last two weeks is "new since" (not nothing).
        values["last_visit_at"] = user.last_seen_at or now - FIRST_VISIT_LOOKBACK
    from community.database import side_write

    side_write([
        update(User).where(User.id == user.id).values(**values),
        update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now),
    ])
    # Reflect the write without marking the object dirty in the request's session.
    for key, value in values.items():
        set_committed_value(user, key, value)


def configure_login(app: Flask) -> None:
    """Flask-Login: sessions by token, sign-in page, friendly message."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.signin"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.localize_callback = str  # the message in the visitor's language, as the flash is made
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
