"""Changing one's e-mail address: kept pending until a signed link mailed to the NEW address is opened.

``request_change`` keeps the new address in ``preferences["email_change"]`` and mails the link to it; the
old address is told (with the new one masked), so a stolen session can't quietly take the account. The link
names the member and a fingerprint of the pending address, dated: another member's or a forged link is
404 (``invalid``); an expired one, or one whose change was confirmed or replaced since, is 410. Confirming
moves the address (the sign-in name follows) and makes mailed unsubscribe links stop working.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from community.errors import DomainError, InvalidInput
from community.extensions import db
from community.models import User, utcnow
from community.services.accounts import email_taken, normalise_email, verify_password
from community.services.audit import record
from community.services.mail import queue_mail
from community.services.settings import base_url, community_display_name

SALT = "community.change-email"
PENDING_KEY = "email_change"


class EmailLinkError(DomainError):
    """A change-of-address link that doesn't work: ``invalid`` (404), ``expired`` or ``used`` (410)."""

    def __init__(self, reason: str) -> None:
        messages = {"invalid": _("This link isn't valid."),
                    "expired": _("This link has expired. Ask for a new one from your account page."),
                    "used": _("This link was used already, or a newer change was asked for since.")}  # fmt: skip
        super().__init__(messages[reason])
        self.reason = reason
        self.status = 404 if reason == "invalid" else 410


def link_hours() -> int:
    """How long a change-of-address link works."""
    return int(current_app.config.get("CONFIRM_EMAIL_HOURS", 48))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def mask(email: str) -> str:
    """``s***@e***.org``: enough for the owner to recognise an address, not enough to read it."""
    local, _at, domain = email.partition("@")
    name, dot, tld = domain.rpartition(".")
    return f"{local[:1]}***@{name[:1]}***{dot}{tld}" if name else f"{local[:1]}***@{domain[:1]}***"


def pending(user: User) -> str | None:
    """The address waiting for confirmation, if any."""
    entry = (user.preferences or {}).get(PENDING_KEY)
    return entry.get("email") if isinstance(entry, dict) and isinstance(entry.get("email"), str) else None


def _set_pending(user: User, value: dict[str, Any] | None) -> None:
    prefs = dict(user.preferences or {})
    if value is None:
        prefs.pop(PENDING_KEY, None)
    else:
        prefs[PENDING_KEY] = value
    user.preferences = prefs  # a new dict: the JSON column sees the change


def request_change(user: User, email: str, password: str) -> str:
    """Keep ``email`` pending, mail the link to it and tell the old address; returns the new address (commits)."""
    if not password or not verify_password(user, password):
        raise InvalidInput(_("That isn't your password."), field="password")
    from community.services.invitations import _valid_address  # the one address check (as confirmations does)

    address = _valid_address((email or "").strip())
    if address is None:
        raise InvalidInput(_("Please give a valid e-mail address."), field="email")
    address = normalise_email(address)
    if address == user.email:
        raise InvalidInput(_("That is the address you use already."), field="email")
    if email_taken(address):
        raise InvalidInput(_("An account with that e-mail address already exists."), field="email")
    _set_pending(user, {"email": address, "at": utcnow().isoformat()})
    token = _serializer().dumps({"u": user.id, "e": _fingerprint(address)})
    community = community_display_name()
    queue_mail(address, _("Confirm your new e-mail address for %(community)s", community=community), "\n\n".join([
        _("Hello %(name)s,", name=user.display_name),
        _("You asked to use this address for your account @%(handle)s on %(community)s. To confirm, open this "
          "link while signed in (it works for %(num)d hours):", handle=user.handle, community=community,
          num=link_hours()),
        f"{base_url()}/account/email/{token}",
        _("If it wasn't you, ignore this e-mail: nothing changes."),
    ]) + "\n")  # fmt: skip
    queue_mail(user.email, _("A change of e-mail address was asked for on %(community)s", community=community),
               "\n\n".join([
                   _("Hello %(name)s,", name=user.display_name),
                   _("Someone signed in as you asked to change your account's e-mail address to %(masked)s. It "
                     "changes only when the link sent there is opened.", masked=mask(address)),
                   _("If it wasn't you, change your password now and sign out of your other devices from your "
                     "account page."),
               ]) + "\n")  # fmt: skip
    record(user, "member.email_change_asked", user, detail={"to": mask(address)})
    db.session.commit()
    return address


def confirm_change(user: User, token: str) -> str:
    """Move the signed-in member's address to the pending one a working link names; returns it (commits)."""
    try:
        data = _serializer().loads(token, max_age=link_hours() * 3600)
        expired = False
    except SignatureExpired as error:
        try:
            data, expired = _serializer().load_payload(error.payload), True
        except BadData:
            raise EmailLinkError("invalid") from None
    except BadData:
        raise EmailLinkError("invalid") from None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("e"), str):
        raise EmailLinkError("invalid")  # another member's link is as if it did not exist
    address = pending(user)
    if address is None or not hmac.compare_digest(data["e"], _fingerprint(address)):
        raise EmailLinkError("used")
    if expired:
        raise EmailLinkError("expired")
    if email_taken(address):
        _set_pending(user, None)
        db.session.commit()
        raise InvalidInput(_("An account with that e-mail address already exists."))
    before = user.email
    user.email = address
    user.unsubscribe_epoch = (user.unsubscribe_epoch or 0) + 1
    _set_pending(user, None)
    record(user, "member.email_changed", user, detail={"from": mask(before), "to": mask(address)})
    db.session.commit()
    return address


def cancel_change(user: User) -> None:
    """Forget the pending address (its link stops working; commits)."""
    _set_pending(user, None)
    db.session.commit()
