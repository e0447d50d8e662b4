"""Rate limits of the auth pages (Flask-Limiter; limits come from config, so they can change per deployment).

Sign-in counts failed attempts only, per client address and per account (the submitted login, lower-cased),
so a member who types their password right is never slowed down by someone guessing at their account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request, session
from flask.wrappers import Response
from flask_login import current_user

from community.extensions import limiter


def _config(key: str) -> Callable[[], str]:
    return lambda: current_app.config[key]


def _login_key() -> str:
    return "account:" + (request.form.get("login") or "").strip().lstrip("@").lower()[:254]


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def _member_key() -> str:
    return f"member:{current_user.id}" if current_user.is_authenticated else f"address:{request.remote_addr}"


# The "check your inbox" page knows its account from the session (see ``confirm_views``).
WAITING_KEY = "confirm_waiting"


def _waiting_key() -> str:
    waiting = session.get(WAITING_KEY)
    if isinstance(waiting, list) and waiting and isinstance(waiting[0], int):
        return f"waiting:{waiting[0]}"
    return f"address:{request.remote_addr}"


def _failed(response: Response) -> bool:
    return response.status_code == 400


def _done(response: Response) -> bool:
    return response.status_code < 400


signin_per_address = limiter.limit(_config("RATELIMIT_SIGNIN_ADDRESS"), methods=["POST"], deduct_when=_failed)
signin_per_account = limiter.limit(
    _config("RATELIMIT_SIGNIN_ACCOUNT"), key_func=_login_key, methods=["POST"], deduct_when=_failed
)
reset_mail_per_address = limiter.limit(_config("RATELIMIT_RESET_MAIL"), methods=["POST"])
reset_mail_per_email = limiter.limit(_config("RATELIMIT_RESET_MAIL"), key_func=_email_key, methods=["POST"])
# Invitations: every successful send (a batch, a link, a resend) counts once per inviter.
invite_per_member = limiter.shared_limit(
    _config("RATELIMIT_INVITE"), "invitations", key_func=_member_key, methods=["POST"], deduct_when=_done
)


def confirm_mail_per_account(on_breach: Callable[[Any], Response | None]) -> Any:
    """Confirmation links sent again or to a corrected address: one budget per waiting account (a
    classroom registering behind one address is not slowed down); ``on_breach`` renders the page."""
    return limiter.shared_limit(_config("RATELIMIT_CONFIRM_MAIL"), "confirm-mail", key_func=_waiting_key,
                                methods=["POST"], deduct_when=_done, on_breach=on_breach)  # fmt: skip
