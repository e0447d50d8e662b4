"""Signing in, first-run setup, the account page (password, devices) and password reset.

Sign-in and reset never reveal whether an account exists: the same answer, and a password check is run
against a dummy hash when there is no account, so the response time does not tell either. A reset token is
an itsdangerous signed payload carrying a fingerprint of the current password hash: it expires after
``RESET_TOKEN_HOURS`` and dies the moment the password changes (so it is single-use). A known-device token
(the sign-in page's ``signin_device`` cookie, see ``community.auth.limits``) is built the same way: it
names the account and a random device id, lasts ``SIGNIN_DEVICE_DAYS`` and dies with the password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, or_, select
from werkzeug.security import check_password_hash

from community.errors import InvalidInput, NotFound
from community.extensions import db
from community.i18n import LANGUAGES, as_member, is_timezone
from community.models import User, UserSession
from community.services import confirmations
from community.services.accounts import hash_password, normalise_email, set_password, verify_password
from community.services.mail import queue_mail
from community.services.settings import base_url, community_display_name
from community.tokens import hash_token

RESET_SALT = "community.password-reset"
DEVICE_SALT = "community.known-device"
# States that may sign in (pending and suspended members then see the holding page).
SIGN_IN_STATES = ("active", "pending", "suspended")
# Accounts whose password is checked at sign-in and which may reset it: an unconfirmed one too, so that the
# right password can say "waiting for confirmation" (and only the right one), and a reset link, mailed to
# the address, confirms it.
KNOWN_STATES = (*SIGN_IN_STATES, "unconfirmed")
_dummy_hash: str | None = None


def _dummy_password_hash() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("not a real password: used to keep timing even")
    return _dummy_hash


def find_account(login: str) -> User | None:
    """The account whose e-mail or @handle is ``login`` (case-insensitive), if it may sign in or is waiting
    for its address to be confirmed (the caller checks ``state``)."""
    ident = login.strip()
    if not ident:
        return None
    return db.session.scalar(
        select(User).where(
            or_(User.email == normalise_email(ident), User.handle == ident.lstrip("@").lower()),
            User.state.in_(KNOWN_STATES),
        )
    )


def authenticate(login: str, password: str) -> User | None:
    """The member if ``login`` and ``password`` match, else None (same work either way)."""
    return check_password(find_account(login), password)


def check_password(user: User | None, password: str) -> User | None:
    """The member if the password is theirs, else None (a dummy hash is checked when there is no account)."""
    if user is None or not user.password_hash:
        check_password_hash(_dummy_password_hash(), password)
        return None
    return user if verify_password(user, password) else None


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def make_device_token(user: User) -> str:
    """A signed token saying a browser signed in to this account with its current password (a new device id)."""
    return _device_serializer().dumps({"u": user.id, "d": secrets.token_urlsafe(12), "f": _fingerprint(user)})


def device_for_token(token: str, user: User) -> str | None:
    """The device id of a valid known-device token of ``user`` (not too old, same password), else None."""
    try:
        data = _device_serializer().loads(token, max_age=int(current_app.config["SIGNIN_DEVICE_DAYS"]) * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id:
        return None
    if not hmac.compare_digest(str(data.get("f", "")), _fingerprint(user)):
        return None  # the password changed since: the device must prove itself again
    device = data.get("d")
    return device if isinstance(device, str) and device else None


# --------------------------------------------------------------------------------------------------
# First run


def complete_setup(token: str, *, community_name: str, display_name: str, email: str, handle: str,
                   password: str) -> User:  # fmt: skip
    """Create the community manager through the one-time setup link (commits; burns the token)."""
    from community.services import setup as setup_service

    if not setup_service.setup_token_valid(token):
        raise NotFound(_("This setup link is no longer valid."))
    return setup_service.create_first_admin(
        email=email, handle=handle, display_name=display_name, password=password, community_name=community_name
    )


# --------------------------------------------------------------------------------------------------
# The account page


def set_language(user: User, language: str, timezone: str) -> None:
    """The member's language and time zone ('' for the community's default; commits)."""
    if language and language not in LANGUAGES:
        raise InvalidInput(_("Please choose one of the languages offered."), field="language")
    if timezone and not is_timezone(timezone):
        raise InvalidInput(_("Please choose a time zone from the list."), field="timezone")
    user.language = language or None
    user.timezone = timezone or None
    _remember_zone_choice(user)
    db.session.commit()


#: ``User.preferences`` key: the member has chosen a time zone (on the account page, or by answering the offer
#: of the browser's zone), so the offer is not made again. ``User.timezone`` alone can't tell: NULL is both
#: "never chose" and "chose the community's default".
ZONE_CHOSEN = "timezone_chosen"


def _remember_zone_choice(user: User) -> None:
    user.preferences = {**(user.preferences or {}), ZONE_CHOSEN: True}  # a new dict: the JSON column changes


def offers_browser_zone(user: User) -> bool:
    """Whether to offer the member their browser's time zone: an active member who never chose one."""
    return getattr(user, "state", None) == "active" and not user.timezone and not (user.preferences or {}).get(
        ZONE_CHOSEN)


def answer_zone_offer(user: User, timezone: str | None) -> None:
    """The member's answer to "Your browser says your time zone is ...": use it (``timezone``, checked against
    the tz database) or keep the zone in use (None). Either way it is not offered again (commits)."""
    if timezone is not None:
        timezone = timezone.strip()
        if not is_timezone(timezone):
            raise InvalidInput(_("“%(zone)s” is not a time zone we know. Choose yours on your account page.",
                                 zone=timezone[:64]), field="timezone")  # fmt: skip
        user.timezone = timezone
    _remember_zone_choice(user)
    db.session.commit()


def change_password(user: User, current: str, new: str, *, keep_session_token: str) -> None:
    """Change the password (the current one is required); every other session ends (commits)."""
    if not verify_password(user, current):
        raise InvalidInput(_("That isn't your current password."), field="current_password")
    if hmac.compare_digest(current, new):
        raise InvalidInput(_("Choose a password different from the current one."), field="new_password")
    try:
        set_password(user, new, keep_session_token=keep_session_token)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="new_password") from None
    db.session.commit()


@dataclass(frozen=True)
class Device:
    """A signed-in browser as the account page lists it."""

    id: int
    label: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def describe_user_agent(agent: str) -> str:
    """'Firefox on Windows' from a User-Agent string (a friendly guess, not a fingerprint)."""
    lowered = agent.lower()
    browser = next((name for key, name in (("edg/", "Edge"), ("opr/", "Opera"), ("firefox/", "Firefox"),
                                           ("chrome/", "Chrome"), ("chromium/", "Chromium"), ("safari/", "Safari"))
                    if key in lowered), None)  # fmt: skip
    system = next((name for key, name in (("iphone", "iPhone"), ("ipad", "iPad"), ("android", "Android"),
                                          ("windows", "Windows"), ("mac os", "macOS"), ("linux", "Linux"))
                   if key in lowered), "")  # fmt: skip
    if browser is None:
        return _("A browser on %(system)s", system=system) if system else _("A browser")
    return _("%(browser)s on %(system)s", browser=browser, system=system) if system else browser


def list_devices(user: User, current_token: str) -> list[Device]:
    """The member's signed-in browsers, most recently used first."""
    current_hash = hash_token(current_token)
    rows = db.session.execute(
        select(UserSession.id, UserSession.token_hash, UserSession.user_agent, UserSession.created_at,
               UserSession.last_seen_at)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()  # fmt: skip
    return [Device(id=r.id, label=describe_user_agent(r.user_agent), created_at=r.created_at,
                   last_seen_at=r.last_seen_at, current=hmac.compare_digest(r.token_hash, current_hash))
            for r in rows]  # fmt: skip


def end_other_sessions(user: User, keep_session_token: str) -> int:
    """Sign out everywhere else; returns how many browsers were signed out (commits)."""
    result = db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.token_hash != hash_token(keep_session_token)
        )
    )
    db.session.commit()
    return int(result.rowcount or 0)


def end_device(user: User, device_id: int) -> None:
    """Sign one of the member's own browsers out (commits); someone else's is NotFound."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.id == device_id)
    )
    if not result.rowcount:
        raise NotFound()
    db.session.commit()


# --------------------------------------------------------------------------------------------------
# Password reset


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    # A digest of the current hash: the token dies when the password changes, and leaks nothing of it.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    """A signed, expiring reset token bound to the member's current password."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The member a valid reset token belongs to; InvalidInput if it is wrong, expired or used."""
    expired = InvalidInput(_("This password reset link has expired or has already been used."), field="token")
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["RESET_TOKEN_HOURS"] * 3600))
    except BadData:  # wrong, tampered or expired
        raise expired
    if not isinstance(data, dict):
        raise expired
    user = db.session.get(User, data.get("u"))
    if user is None or user.state not in KNOWN_STATES or not hmac.compare_digest(
        str(data.get("f", "")), _fingerprint(user)
    ):
        raise expired
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link if an account has this address; silently nothing otherwise (commits)."""
    user = db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.state.in_(KNOWN_STATES))
    )
    if user is None:
        return
    hours = current_app.config["RESET_TOKEN_HOURS"]
    link = f"{base_url()}/reset/{make_reset_token(user)}"
    name = community_display_name()
    with as_member(user):
        text = "\n\n".join([
            _("Hello %(name)s,", name=user.display_name),
            _("Someone (hopefully you) asked to reset your password for %(community)s.", community=name) + "\n"
            + ngettext("Choose a new password here (the link works once, for %(num)s hour):",
                       "Choose a new password here (the link works once, for %(num)s hours):", hours),
            link,
            _("If you didn't ask for this, you can ignore this e-mail: your password stays as it is."),
        ]) + "\n"  # fmt: skip
        queue_mail(user.email, _("Reset your password for %(community)s", community=name), text)
    db.session.commit()


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; every session of the member ends (commits). The link was
    mailed to the account's address, so an account waiting for confirmation is confirmed by it."""
    user = user_for_reset_token(token)
    set_password(user, new_password)
    db.session.commit()
    confirmations.confirm_by_reset(user)
    return user
