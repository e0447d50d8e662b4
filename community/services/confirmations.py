"""E-mail confirmation: an account made through a cohort link proves its address before it is active.

A cohort link takes whatever address the newcomer types, so the account starts ``unconfirmed`` (it can't
sign in and sees nothing) with an ``EmailConfirmation`` row remembering the invitation, and a link is mailed
to the address. The link is an itsdangerous signed payload: the member's id and a fingerprint of the address
it was sent to, dated. It expires after ``CONFIRM_EMAIL_HOURS``, dies when the address is corrected (the
fingerprint no longer matches) and works once (the account is no longer unconfirmed after). Confirming
makes the member active, or pending when the link asks the community manager to approve (confirmation
comes before approval), and only then are the invitation's groups joined and the newcomer announced.

A personal invitation was e-mailed to its address, so registering through it proves the address already:
those accounts are active (or pending) at once. A password reset link proves it too (``confirm_by_reset``).
Accounts left unconfirmed are deleted after ``UNCONFIRMED_KEEP_DAYS`` by the hourly housekeeping job, and
their place on the cohort link is given back.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from community import events
from community.errors import DomainError, InvalidInput
from community.extensions import db
from community.models import EmailConfirmation, Invitation, User, utcnow
from community.services.accounts import email_taken, normalise_email
from community.services.audit import record
from community.services.groups import add_member
from community.services.mail import queue_mail
from community.services.settings import base_url, community_display_name

CONFIRM_SALT = "community.confirm-email"


class ConfirmationLinkError(DomainError):
    """A confirmation link that doesn't work; ``reason`` tells the page which words to use:
    ``invalid`` (404), ``expired``, ``used``, ``replaced`` (a newer address) or ``removed`` (410)."""

    def __init__(self, reason: str, user: User | None = None) -> None:
        messages = {"invalid": _("This confirmation link isn't valid."),
                    "expired": _("This confirmation link has expired."),
                    "used": _("This e-mail address is already confirmed."),
                    "replaced": _("This link was for an address you have changed since."),
                    "removed": _("This account was removed because its address wasn't confirmed in time.")}  # fmt: skip
        super().__init__(messages[reason])
        self.reason, self.user = reason, user
        self.status = 404 if reason == "invalid" else 410


def confirm_hours() -> int:
    """How long a confirmation link works."""
    return int(current_app.config.get("CONFIRM_EMAIL_HOURS", 48))


def keep_days() -> int:
    """How long an unconfirmed account waits before housekeeping removes it."""
    return int(current_app.config.get("UNCONFIRMED_KEEP_DAYS", 7))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def _fingerprint(email: str) -> str:
    # The link names the address it was sent to without carrying it (the URL shows in a browser's history).
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def make_token(user: User) -> str:
    """A signed, dated confirmation token for the member's current address."""
    return _serializer().dumps({"u": user.id, "e": _fingerprint(user.email)})


def _mail_link(user: User) -> None:
    """Queue the confirmation e-mail, in the language of the page the newcomer is reading (the caller commits)."""
    community, hours = community_display_name(), confirm_hours()
    text = "\n\n".join([
        _("Hello %(name)s,", name=user.display_name),
        _("Someone (hopefully you) created an account on %(community)s as @%(handle)s with this e-mail "
          "address.", community=community, handle=user.handle),
        ngettext("To confirm it's yours and finish joining, open this link (it works for %(num)d hour):",
                 "To confirm it's yours and finish joining, open this link (it works for %(num)d hours):", hours),
        f"{base_url()}/confirm/{make_token(user)}",
        ngettext("If it wasn't you, ignore this e-mail: the account is removed after %(num)d day unless the "
                 "address is confirmed.",
                 "If it wasn't you, ignore this e-mail: the account is removed after %(num)d days unless the "
                 "address is confirmed.", keep_days()),
    ]) + "\n"  # fmt: skip
    queue_mail(user.email, _("Confirm your e-mail address for %(community)s", community=community), text)


def start_confirmation(user: User, invitation: Invitation) -> None:
    """Hold a new cohort-link account until its address is confirmed, and mail the link (the caller commits)."""
    db.session.add(EmailConfirmation(user_id=user.id, invitation_id=invitation.id))
    _mail_link(user)


def waiting_account(user_id: object) -> User | None:
    """The unconfirmed account with this id, if it still waits (for the "check your inbox" page)."""
    if not isinstance(user_id, int):
        return None
    return db.session.scalar(select(User).where(User.id == user_id, User.state == "unconfirmed"))


def needs_approval(user: User) -> bool:
    """Whether the community manager approves this account once its address is confirmed."""
    flag = db.session.scalar(
        select(Invitation.needs_approval).join(EmailConfirmation, EmailConfirmation.invitation_id == Invitation.id)
        .where(EmailConfirmation.user_id == user.id)
    )  # fmt: skip
    return True if flag is None else bool(flag)  # the invitation gone: let a person decide


def resend(user: User) -> None:
    """Mail a fresh link to the account's address; earlier links to the same address keep working (commits)."""
    if user.state != "unconfirmed":
        raise ConfirmationLinkError("used", user)
    _mail_link(user)
    db.session.commit()


def change_address(user: User, email: str) -> None:
    """Correct a mistyped address and mail a link to the new one; links to the old one die (commits)."""
    if user.state != "unconfirmed":
        raise ConfirmationLinkError("used", user)
    if not email.strip():
        raise InvalidInput(_("Please give your e-mail address."), field="email")
    from community.services.invitations import _valid_address  # the one address check (imports email_validator late)

    address = _valid_address(email.strip())
    if address is None:
        raise InvalidInput(_("Please give a valid e-mail address."), field="email")
    if address == user.email:
        raise InvalidInput(_("That's the address we wrote to. Use “Send the link again” to get another e-mail."),
                           field="email")  # fmt: skip
    if email_taken(address):
        raise InvalidInput(_("An account with that e-mail address already exists."), field="email")
    user.email = normalise_email(address)
    user.unsubscribe_epoch = (user.unsubscribe_epoch or 0) + 1
    record(user, "member.change_email", user, detail={"before_confirmation": True})
    _mail_link(user)
    db.session.commit()


def user_for_token(token: str) -> User:
    """The unconfirmed account a working link names; ConfirmationLinkError says why a link doesn't work."""
    try:
        data = _serializer().loads(token, max_age=confirm_hours() * 3600)
        expired = False
    except SignatureExpired as error:
        try:
            data, expired = _serializer().load_payload(error.payload), True
        except BadData:
            raise ConfirmationLinkError("invalid") from None
    except BadData:
        raise ConfirmationLinkError("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str):
        raise ConfirmationLinkError("invalid")
    user = db.session.get(User, data["u"])
    if user is None:
        raise ConfirmationLinkError("removed")
    if user.state != "unconfirmed":
        raise ConfirmationLinkError("used", user)
    if not hmac.compare_digest(data["e"], _fingerprint(user.email)):
        raise ConfirmationLinkError("replaced", user)
    if expired:
        raise ConfirmationLinkError("expired", user)
    return user


def _activate(user: User) -> User:
    """Unconfirmed -> active, or pending when the manager approves; join the invitation's groups (commits)."""
    waiting = db.session.get(EmailConfirmation, user.id)
    invitation = None
    if waiting is not None and waiting.invitation_id is not None:
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.id == waiting.invitation_id)
            .options(joinedload(Invitation.created_by), selectinload(Invitation.groups))
        )  # fmt: skip
    # Only one request makes the change: a link opened twice at once confirms once.
    state = "pending" if invitation is None or invitation.needs_approval else "active"
    changed = db.session.execute(
        update(User).where(User.id == user.id, User.state == "unconfirmed").values(state=state)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise ConfirmationLinkError("used", user)
    db.session.execute(delete(EmailConfirmation).where(EmailConfirmation.user_id == user.id))
    db.session.refresh(user)
    record(user, "member.confirm_email", user, detail={"state": state})
    if state == "active":
        events.member_joined.send(user, actor=user)  # the feed's "new member"; pending ones on approval
    db.session.commit()
    for group in invitation.groups if invitation is not None else ():
        add_member(group, user, actor=invitation.created_by)
    return user


def confirm_email(token: str) -> User:
    """Confirm the address a link was mailed to: the account becomes active or pending (commits)."""
    return _activate(user_for_token(token))


def confirm_by_reset(user: User) -> None:
    """A password reset link was mailed to the address and used: that proves it too (commits)."""
    if user.state == "unconfirmed":
        _activate(user)


def remove_stale(now: datetime) -> int:
    """Delete accounts left unconfirmed for ``UNCONFIRMED_KEEP_DAYS`` and give their places on cohort links
    back; returns how many went (the caller commits)."""
    cutoff = now - timedelta(days=keep_days())
    stale = select(User.id).where(User.state == "unconfirmed", User.created_at < cutoff)
    places = db.session.execute(
        select(EmailConfirmation.invitation_id, func.count())
        .where(EmailConfirmation.user_id.in_(stale), EmailConfirmation.invitation_id.is_not(None))
        .group_by(EmailConfirmation.invitation_id)
    ).all()  # fmt: skip
    for invitation_id, count in places:
        db.session.execute(
            update(Invitation).where(Invitation.id == invitation_id)
            .values(use_count=case((Invitation.use_count > count, Invitation.use_count - count), else_=0))
        )  # fmt: skip
    removed = db.session.execute(delete(User).where(User.id.in_(stale))).rowcount
    return int(removed or 0)


def removal_due(user: User) -> datetime:
    """When housekeeping removes this account if its address is still not confirmed."""
    return (user.created_at or utcnow()) + timedelta(days=keep_days())
