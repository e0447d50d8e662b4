"""Rate limits of the auth pages; limits come from config, so they can change per deployment.

Sign-in under attack: guessers are held back, and the owner is never locked out.

* **Per client address, a hard limit.** After ``RATELIMIT_SIGNIN_ADDRESS`` failed sign-ins (20 per 10
  minutes), the address gets 429 with ``Retry-After`` until the window ends, whatever it types. The one
  exception is a known device (below) signing in to its own account, so a guesser in the same office or
  mobile network does not shut the members there out.
* **Per account, a growing delay.** Attempts are counted per *account*: the login is resolved to the
  account first, so its handle, its e-mail address, "@handle" and case variants share one budget. A login
  that matches no account is counted per normalised typed string and held back the same way, so nothing
  tells the two apart. After ``RATELIMIT_SIGNIN_ACCOUNT`` failures (10 per 10 minutes), every further
  failure starts a wait of ``SIGNIN_DELAY_SECONDS`` (30) that doubles with each one, up to
  ``SIGNIN_DELAY_MAX_SECONDS`` (15 minutes); the doubling is remembered for a day. During the wait,
  clients that have not proven to be the owner get 429 "try again in N seconds" with ``Retry-After``,
  and the password is **not checked**: a right and a wrong one get the same answer, so the guesser learns
  nothing. After the wait there is one attempt; a wrong one starts a longer wait. A guesser gets about a
  hundred tries a day at one account, however many addresses it uses.
* **Known devices** (OWASP's "device cookies"). Every successful sign-in, and every password reset through
  the e-mailed link, sets ``signin_device``: a signed cookie naming the account, a random device id and a
  fingerprint of the current password hash, HttpOnly, sent to the sign-in page only, valid for
  ``SIGNIN_DEVICE_DAYS``. A browser carrying a valid one for the account it signs in to skips the wait and
  the address limit: the owner's right password gets in at once, however hard the account is attacked.
  The cookie opens nothing by itself (it is not a session), dies when the password changes, and each
  device has its own budget: after ``RATELIMIT_SIGNIN_ACCOUNT``'s number of failures in a day it is
  treated as unknown, so a copied cookie buys a thief no more than that. An owner on a new device waits
  like anyone else, or resets the password by e-mail, which makes that browser known.

Every failure counts everywhere (address, account, device); a held attempt counts nowhere. What the
account budget gives away: that a handle and an e-mail address are one account, to someone who spends the
budget on one and sees the other held. Counting them apart would double a guesser's tries.

The counters live in the limiter's storage (``community.limits_store``): Redis, else a file per machine,
and that file while Redis is down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request, session, url_for
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from limits import RateLimitItem, RateLimitItemPerDay, parse
from limits.strategies import FixedWindowRateLimiter

from community.extensions import limiter
from community.models import User
from community.services import auth as auth_service

log = logging.getLogger(__name__)

DEVICE_COOKIE = "signin_device"
STRIKE_MEMORY = 24 * 3600  # how long the doubling of the wait is remembered


def now() -> float:
    """The clock of the account waits (a function so that tests can move it)."""
    return time.time()


def _config(key: str) -> Callable[[], str]:
    return lambda: current_app.config[key]


# --------------------------------------------------------------------------------------------------
# Sign-in


@dataclass(frozen=True)
class Hold:
    """This attempt is not tried: the client must wait ``seconds`` (per address, or per account)."""

    seconds: int
    per_address: bool

    def messages(self) -> list[str]:
        """What the sign-in page says, in the reader's language."""
        seconds, minutes = self.seconds, math.ceil(self.seconds / 60)
        if self.per_address:
            if seconds < 60:
                return [ngettext("Too many failed sign-ins from your network. Please try again in %(num)d second.",
                                 "Too many failed sign-ins from your network. Please try again in %(num)d seconds.",
                                 seconds)]  # fmt: skip
            return [ngettext("Too many failed sign-ins from your network. Please try again in %(num)d minute.",
                             "Too many failed sign-ins from your network. Please try again in %(num)d minutes.",
                             minutes)]  # fmt: skip
        if seconds < 60:
            wait = ngettext("Too many failed sign-ins to this account. Please try again in %(num)d second.",
                            "Too many failed sign-ins to this account. Please try again in %(num)d seconds.",
                            seconds)  # fmt: skip
        else:
            wait = ngettext("Too many failed sign-ins to this account. Please try again in %(num)d minute.",
                            "Too many failed sign-ins to this account. Please try again in %(num)d minutes.",
                            minutes)  # fmt: skip
        return [wait, _("A device you have signed in with before can still sign in right away, and so can this "
                        "one once you reset your password by e-mail.")]  # fmt: skip


def _normalised(login: str) -> str:
    return login.strip().lower().lstrip("@")[:254]


def _ids(*parts: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return (prefix, "signin", *parts) if prefix else ("signin", *parts)


@dataclass
class SignInAttempt:
    """One sent sign-in form: the account it is for (if any), the client's address, its known device."""

    account: User | None
    account_key: str
    address: str
    device: str | None  # the id in a valid known-device cookie for this account
    active: bool  # rate limits are on
    _trusted: bool | None = field(default=None, repr=False)

    @property
    def _strategy(self) -> FixedWindowRateLimiter:
        return FixedWindowRateLimiter(limiter.storage)

    def _address_limit(self) -> RateLimitItem:
        return parse(current_app.config["RATELIMIT_SIGNIN_ADDRESS"])

    def _account_limit(self) -> RateLimitItem:
        return parse(current_app.config["RATELIMIT_SIGNIN_ACCOUNT"])

    def _device_limit(self) -> RateLimitItem:
        return RateLimitItemPerDay(self._account_limit().amount)

    def _strikes_key(self) -> str:
        return "/".join(("LIMITER", *_ids("strikes", self.account_key)))

    def _lock_key(self, strike: int) -> str:
        return "/".join(("LIMITER", *_ids("wait", self.account_key, str(strike))))

    def trusted(self) -> bool:
        """A known device of this account that has not spent its own budget."""
        if self._trusted is None:
            self._trusted = self.device is not None and self._strategy.test(self._device_limit(),
                                                                             *_ids("device", self.device))  # fmt: skip
        return self._trusted

    def hold(self) -> Hold | None:
        """Whether this client must wait (then the password is not checked at all)."""
        if not self.active:
            return None
        try:
            return self._hold()
        except Exception:
            if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
                raise
            log.exception("sign-in limits could not be read: the attempt goes ahead")
            return None

    def _hold(self) -> Hold | None:
        if self.trusted():
            return None
        strategy, address = self._strategy, self._address_limit()
        if not strategy.test(address, *_ids("address", self.address)):
            reset = strategy.get_window_stats(address, *_ids("address", self.address)).reset_time
            return Hold(max(1, math.ceil(reset - time.time())), per_address=True)
        storage = limiter.storage
        strikes = storage.get(self._strikes_key())
        until = storage.get(self._lock_key(strikes)) / 1000 if strikes else 0  # stored in milliseconds
        if until > now():
            return Hold(max(1, math.ceil(until - now())), per_address=False)
        return None

    def failed(self) -> None:
        """Count a wrong password on the address, the device and the account; the wait may start or grow."""
        if not self.active:
            return
        try:
            self._failed()
        except Exception:
            if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
                raise
            log.exception("a failed sign-in could not be counted")

    def _failed(self) -> None:
        strategy, storage, account = self._strategy, limiter.storage, self._account_limit()
        strategy.hit(self._address_limit(), *_ids("address", self.address))
        if self.device is not None:
            strategy.hit(self._device_limit(), *_ids("device", self.device))
        strategy.hit(account, *_ids("account", self.account_key))
        if storage.get(self._strikes_key()) or not strategy.test(account, *_ids("account", self.account_key)):
            strike = storage.incr(self._strikes_key(), STRIKE_MEMORY)
            config = current_app.config
            delay = min(int(config["SIGNIN_DELAY_SECONDS"]) * 2 ** min(strike - 1, 32),
                        int(config["SIGNIN_DELAY_MAX_SECONDS"]))  # fmt: skip
            # The counter's value is the end of the wait (ms since the epoch): a fresh key for each strike.
            storage.incr(self._lock_key(strike), delay + 60, amount=int((now() + delay) * 1000))


def signin_attempt(login: str) -> SignInAttempt:
    """Resolve the login to its account and read the client's known-device cookie (nothing is counted)."""
    account = auth_service.find_account(login)
    if account is not None:
        key = f"account-{account.id}"
    else:
        key = "login-" + hashlib.sha256(_normalised(login).encode()).hexdigest()[:32]
    cookie = request.cookies.get(DEVICE_COOKIE)
    device = auth_service.device_for_token(cookie, account) if cookie and account is not None else None
    active = bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))
    return SignInAttempt(account, key, request.remote_addr or "unknown", device, active)


def remember_device(response: Response, user: User) -> Response:
    """Make this browser a known device of the member (a signed cookie only the sign-in page receives)."""
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE, auth_service.make_device_token(user), max_age=int(config["SIGNIN_DEVICE_DAYS"]) * 86400,
        path=url_for("auth.signin"), secure=bool(config.get("SESSION_COOKIE_SECURE")), httponly=True, samesite="Lax",
    )  # fmt: skip
    return response


# --------------------------------------------------------------------------------------------------
# Reset mails and invitations (Flask-Limiter decorators)


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


def _done(response: Response) -> bool:
    return response.status_code < 400


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
# Changes of e-mail address: each sends two e-mails, so one budget per member, refused or not.
email_change_per_member = limiter.limit(_config("RATELIMIT_EMAIL_CHANGE"), key_func=_member_key, methods=["POST"])
