"""Accounts: creating members, passwords, and sign-in sessions."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from community.errors import InvalidInput
from community.extensions import db
from community.models import ROLES, User, UserSession, utcnow
from community.services.members import check_display_name
from community.tokens import hash_token, new_token

HANDLE_RE = re.compile(r"^[a-z0-9_]{2,30}$")
RESERVED_HANDLES = frozenset(
    {"admin", "administrator", "moderator", "facilitator", "support", "staff", "system", "root",
     "community", "everyone", "here", "all", "me", "new", "edit", "settings", "help"}
)  # fmt: skip
_common_passwords: frozenset[str] | None = None


def common_passwords() -> frozenset[str]:
    """A list of the most common passwords, shipped with the package."""
    global _common_passwords
    if _common_passwords is None:
        path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
        _common_passwords = frozenset(
            line.strip().lower() for line in path.read_text().splitlines() if line.strip()
        )
    return _common_passwords


def check_password_rules(password: str, *, handle: str = "", email: str = "") -> None:
    """Raise InvalidInput unless the password is long enough and not a common or personal one."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", minimum),
                           field="password")
    if len(password) > 200:
        raise InvalidInput(_("That password is too long (200 characters at most)."), field="password")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        raise InvalidInput(_("That password is too common. Please choose another."), field="password")
    personal = {p for p in (handle.lower(), email.lower().split("@")[0]) if len(p) >= 4}
    if any(p in lowered for p in personal):
        raise InvalidInput(_("Don't use your handle or e-mail address in your password."), field="password")


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored lower-case."""
    return email.strip().lower()


def check_handle(handle: str) -> str:
    """A valid, free @handle (lower-case) or InvalidInput."""
    handle = handle.strip().lstrip("@").lower()
    if not HANDLE_RE.match(handle):
        raise InvalidInput(_("Handles use 2–30 letters, digits or underscores."), field="handle")
    if handle in RESERVED_HANDLES:
        raise InvalidInput(_("That handle is reserved. Please choose another."), field="handle")
    if db.session.scalar(select(func.count()).select_from(User).where(User.handle == handle)):
        raise InvalidInput(_("That handle is taken. Please choose another."), field="handle")
    return handle


def email_taken(email: str) -> bool:
    """Whether an account already uses this address."""
    return bool(db.session.scalar(select(func.count()).select_from(User).where(User.email == normalise_email(email))))


def create_user(
    *,
    email: str,
    handle: str,
    display_name: str,
    password: str | None,
    role: str = "participant",
    state: str = "active",
    check_password: bool = True,
) -> User:
    """Add a member (the caller commits). Validates handle, e-mail uniqueness and the password."""
    if role not in ROLES:
        raise InvalidInput(_("Unknown role."), field="role")
    email = normalise_email(email)
    if email_taken(email):
        raise InvalidInput(_("An account with that e-mail address already exists."), field="email")
    handle = check_handle(handle)
    # Names never imitate staff (a verified badge shows the role); see services.members.
    display_name = check_display_name(" ".join(display_name.split())[:80], role=role)
    if password is not None and check_password:
        check_password_rules(password, handle=handle, email=email)
    user = User(
        email=email,
        handle=handle,
        display_name=display_name[:80],
        password_hash=hash_password(password) if password else None,
        role=role,
        state=state,
        password_changed_at=utcnow() if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def hash_password(password: str) -> str:
    """The stored hash of a password: scrypt by default (config PASSWORD_HASH_METHOD; tests use a cheap one)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def verify_password(user: User, password: str) -> bool:
    """Whether the password matches (False for accounts without one)."""
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def set_password(user: User, password: str, *, keep_session_token: str | None = None) -> None:
    """Change the password and end every other session (the caller commits)."""
    check_password_rules(password, handle=user.handle, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.unsubscribe_epoch = (user.unsubscribe_epoch or 0) + 1  # links in mail sent before stop working
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_session_token is not None:
        stmt = stmt.where(UserSession.token_hash != hash_token(keep_session_token))
    db.session.execute(stmt)


def start_session(user: User, user_agent: str = "") -> str:
    """Open a sign-in session for the member; returns the token for the cookie (commits)."""
    token = new_token()
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(token), user_agent=user_agent[:200]))
    db.session.commit()
    user.session_token = token  # type: ignore[attr-defined]
    return token


def end_session(token: str) -> None:
    """Sign this browser out: its token stops working at once (commits)."""
    db.session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))
    db.session.commit()
