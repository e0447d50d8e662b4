"""Invitations: personal ones by e-mail (one or many at once), cohort links, and registering through them.

Only the SHA-256 of an invitation's token is stored (``community.tokens``), so the link lives only in the
e-mail (or, for a cohort link, on the page shown once to its creator). Resending issues a fresh token.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from community import events
from community.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.i18n import as_member, format_day
from community.models import ROLES, Group, Invitation, User, utcnow
from community.permissions import (
    can_invite,
    can_invite_for_approval,
    can_invite_with_role,
    can_manage_group,
    visible_invitations,
)
from community.services.accounts import create_user, normalise_email
from community.services.audit import record
from community.services.confirmations import start_confirmation
from community.services.groups import add_member
from community.services.mail import queue_mail
from community.services.settings import base_url, community_display_name, get_setting
from community.tokens import hash_token, new_token

MAX_BATCH = 500
MAX_LINK_USES = 10_000
MAX_LINK_DAYS = 365
_SPLIT = re.compile(r"[,;\n]+")


class InvitationClosed(DomainError):
    """The invitation was used, has expired or was revoked: the page explains which."""

    status = 410

    def __init__(self, reason: str) -> None:
        # ``reason`` is a key the page reads ("already used", "used up", "expired", "withdrawn"); the message is
        # for people. A personal invitation is "already used"; a cohort link that let its last person in, "used up".
        messages = {"already used": _("This invitation is already used."), "expired": _("This invitation is expired."),
                    "used up": _("This invitation link is used up."),
                    "withdrawn": _("This invitation is withdrawn.")}  # fmt: skip
        super().__init__(messages.get(reason, _("This invitation can't be used any more.")))
        self.reason = reason


@dataclass
class InviteLine:
    """One address to invite, as read from a pasted list or a CSV row."""

    line: int
    email: str
    name: str = ""
    role: str = ""


@dataclass
class InviteOutcome:
    """What happened to one line: invited, or skipped and why."""

    line: int
    email: str
    invited: bool
    reason: str = ""


def invite_days() -> int:
    """How long a personal invitation stays open."""
    return int(current_app.config.get("INVITE_DAYS", 14))


# --------------------------------------------------------------------------------------------------
# Reading lists of people


def parse_pasted(text: str) -> list[InviteLine]:
    """Addresses separated by new lines, commas or semicolons; ``Name <address>`` is understood."""
    lines: list[InviteLine] = []
    for number, raw in enumerate(text.splitlines(), 1):
        for chunk in _SPLIT.split(raw):
            chunk = chunk.strip()
            if not chunk:
                continue
            if "<" in chunk:
                name, address = parseaddr(chunk)
                lines.append(InviteLine(number, address or chunk, name.strip()))
            else:
                lines.extend(InviteLine(number, part) for part in chunk.split())
    return lines


def parse_csv(data: bytes) -> list[InviteLine]:
    """CSV rows ``email[,name][,role]``; a header row is skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The CSV file must be UTF-8 text."), field="csv_file") from None
    lines: list[InviteLine] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
            cells = [cell.strip() for cell in row] + ["", "", ""]
            if not any(cells):
                continue
            if number == 1 and cells[0].lower() in ("email", "e-mail", "email address", "address"):
                continue
            lines.append(InviteLine(number, cells[0], cells[1], cells[2].lower()))
    except csv.Error:
        raise InvalidInput(_("That file doesn't look like a CSV file."), field="csv_file") from None
    return lines


# --------------------------------------------------------------------------------------------------
# Inviting


def invitable_groups(actor: User) -> list[Group]:
    """Groups whose new members the inviter may choose: those they can manage, not archived."""
    query = select(Group).where(Group.archived_at.is_(None)).order_by(Group.name)
    if actor.role != "admin":
        ids = [gid for gid, role in actor.group_roles.items() if role == "facilitator"]
        if not ids:
            return []
        query = query.where(Group.id.in_(ids))
    return [g for g in db.session.scalars(query) if can_manage_group(actor, g)]


def _groups_for(actor: User, group_ids: list[int]) -> list[Group]:
    if not group_ids:
        return []
    groups = list(db.session.scalars(select(Group).where(Group.id.in_(set(group_ids)))))
    if len(groups) != len(set(group_ids)) or not all(can_manage_group(actor, g) for g in groups):
        raise Forbidden(_("You can only add people to groups you facilitate."))
    return groups


def _check_role(actor: User, role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(_("Choose a role."), field="role")
    if not can_invite_with_role(actor, role):
        raise Forbidden(_("Only the community manager invites facilitators and community managers."))


def _open_clause() -> ColumnElement[bool]:
    now = utcnow()
    return and_(Invitation.revoked_at.is_(None), Invitation.use_count < Invitation.max_uses,
                or_(Invitation.expires_at.is_(None), Invitation.expires_at > now))  # fmt: skip


def _mail_invitation(actor: User, invitation: Invitation, token: str, expires_at: datetime) -> None:
    """Queue the invitation in the invitee's language: the community's default (they have no account yet)."""
    community = community_display_name()
    with as_member(invitation):
        paragraphs = [
            _("Hello %(name)s,", name=invitation.name) if invitation.name else _("Hello,"),
            _("%(actor)s invites you to join %(community)s, a private online community where participants and "
              "facilitators of the programme learn together.", actor=actor.display_name, community=community),
        ]  # fmt: skip
        if invitation.note:
            paragraphs += [_("%(actor)s adds:", actor=actor.display_name),
                           "    " + invitation.note.replace("\n", "\n    ")]  # fmt: skip
        paragraphs += [
            _("Create your account here (the link is just for you and works until %(day)s):",
              day=format_day(expires_at, "long")),
            f"{base_url()}/join/{token}",
            _("If you weren't expecting this, you can ignore this e-mail."),
        ]  # fmt: skip
        subject = _("%(actor)s invites you to %(community)s", actor=actor.display_name, community=community)
        # A person's invitation (often with their note), not automated mail: no Auto-Submitted header.
        queue_mail(invitation.email or "", subject, "\n\n".join(paragraphs) + "\n", automated=False)


def _skip_reason(actor: User, address: str, role: str, *, members: set[str], invited: set[str],
                 seen: set[str]) -> str:  # fmt: skip
    """Why an address is skipped (shown to the inviter), or '' to invite it."""
    if address in members:
        return _("already a member")
    if address in invited:
        return _("already invited")
    if address in seen:
        return _("listed twice")
    if role not in ROLES:
        return _("unknown role")
    if not can_invite_with_role(actor, role):
        return _("you can't invite that role")
    return ""


def invite_people(actor: User, lines: list[InviteLine], *, role: str, group_ids: list[int] | None = None,
                  note: str = "") -> list[InviteOutcome]:  # fmt: skip
    """Invite each address by e-mail; returns per line what was invited or skipped and why (commits)."""
    if not can_invite(actor):
        raise Forbidden(_("You can't invite people."))
    _check_role(actor, role)
    if not lines:
        raise InvalidInput(_("Please give at least one e-mail address."), field="emails")
    if len(lines) > MAX_BATCH:
        raise InvalidInput(_("Please invite at most %(num)d people at once.", num=MAX_BATCH), field="emails")
    groups = _groups_for(actor, group_ids or [])
    note = note.strip()[:500]
    candidates = {normalise_email(line.email) for line in lines}
    members = set(db.session.scalars(select(User.email).where(User.email.in_(candidates))))
    invited = set(db.session.scalars(select(Invitation.email).where(Invitation.email.in_(candidates), _open_clause())))
    outcomes: list[InviteOutcome] = []
    seen: set[str] = set()
    expires = utcnow() + timedelta(days=invite_days())
    for line in lines:
        address = normalise_email(line.email)
        line_role = line.role or role
        valid = _valid_address(address)
        if valid is None:
            outcomes.append(InviteOutcome(line.line, line.email, False, _("not a valid e-mail address")))
            continue
        address = valid
        reason = _skip_reason(actor, address, line_role, members=members, invited=invited, seen=seen)
        if reason:
            outcomes.append(InviteOutcome(line.line, address, False, reason))
            continue
        seen.add(address)
        token = new_token()
        invitation = Invitation(token_hash=hash_token(token), email=address, name=" ".join(line.name.split())[:80],
                                role=line_role, note=note, created_by_id=actor.id, expires_at=expires,
                                max_uses=1, last_sent_at=utcnow(), send_count=1, groups=groups)  # fmt: skip
        db.session.add(invitation)
        db.session.flush()
        _mail_invitation(actor, invitation, token, expires)
        record(actor, "invitation.create", invitation, detail={"email": address, "role": line_role})
        outcomes.append(InviteOutcome(line.line, address, True))
    db.session.commit()
    return outcomes


def create_link(actor: User, *, role: str, days: int, max_uses: int, group_ids: list[int] | None = None,
                needs_approval: bool = False, note: str = "") -> tuple[Invitation, str]:  # fmt: skip
    """A cohort invitation link; returns it with its token, shown once to its creator (commits)."""
    if not can_invite(actor):
        raise Forbidden(_("You can't invite people."))
    _check_role(actor, role)
    if not 1 <= days <= MAX_LINK_DAYS:
        raise InvalidInput(_("Choose between 1 and %(num)d days.", num=MAX_LINK_DAYS), field="days")
    if not 1 <= max_uses <= MAX_LINK_USES:
        raise InvalidInput(_("Choose between 1 and %(num)d people.", num=MAX_LINK_USES), field="max_uses")
    if needs_approval and not can_invite_for_approval(actor):
        raise InvalidInput(_("Only the community manager approves new members: create the link without approval, "
                             "or ask the community manager for one."))  # fmt: skip (the field isn't shown to them)
    if needs_approval and not get_setting("allow_join_requests"):
        raise InvalidInput(_("Join requests are switched off in the community settings."), field="needs_approval")
    groups = _groups_for(actor, group_ids or [])
    token = new_token()
    invitation = Invitation(token_hash=hash_token(token), email=None, role=role, note=note.strip()[:500],
                            created_by_id=actor.id, expires_at=utcnow() + timedelta(days=days), max_uses=max_uses,
                            needs_approval=needs_approval, groups=groups)  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    record(actor, "invitation.create", invitation,
           detail={"link": True, "role": role, "max_uses": max_uses, "needs_approval": needs_approval})  # fmt: skip
    db.session.commit()
    return invitation, f"{base_url()}/join/{token}"


def resend(actor: User, invitation: Invitation) -> None:
    """E-mail a personal invitation again with a fresh token and expiry; the old link stops working (commits)."""
    if invitation.is_link:
        raise Conflict(_("Cohort links aren't e-mailed. Create a new link instead."))
    status = invitation.status(utcnow())
    if status in ("used", "revoked"):
        raise Conflict(_("This invitation was used; it can't be sent again.") if status == "used"
                       else _("This invitation was revoked; it can't be sent again."))  # fmt: skip
    token = new_token()
    now = utcnow()
    expires = now + timedelta(days=invite_days())
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(
            token_hash=hash_token(token), expires_at=expires, last_sent_at=now, send_count=Invitation.send_count + 1,
        )
    )  # fmt: skip
    _mail_invitation(actor, invitation, token, expires)
    record(actor, "invitation.resend", invitation, detail={"email": invitation.email})
    db.session.commit()


def revoke(actor: User, invitation: Invitation) -> None:
    """Close an invitation: its link stops working (commits)."""
    status = invitation.status(utcnow())
    if status == "revoked":
        return
    if status == "used":
        raise Conflict(_("This invitation has already been used."))
    db.session.execute(update(Invitation).where(Invitation.id == invitation.id).values(revoked_at=utcnow()))
    record(actor, "invitation.revoke", invitation, detail={"email": invitation.email})
    db.session.commit()


def list_invitations(actor: User, *, page: int = 1, per_page: int = 20) -> tuple[list[Invitation], bool]:
    """The invitations the viewer manages, newest first; returns a page and whether there is more."""
    rows = list(
        db.session.scalars(
            select(Invitation)
            .where(visible_invitations(actor))
            .options(joinedload(Invitation.created_by), selectinload(Invitation.groups))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .offset((max(page, 1) - 1) * per_page)
            .limit(per_page + 1)
        ).unique()
    )
    return rows[:per_page], len(rows) > per_page


# --------------------------------------------------------------------------------------------------
# Joining


def open_invitation(token: str) -> Invitation:
    """The invitation behind a link, if it can still be used; InvitationClosed says why not."""
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == hash_token(token))
        .options(joinedload(Invitation.created_by), selectinload(Invitation.groups))
        .execution_options(populate_existing=True)  # fresh counts, and groups even if already in the session
    )
    if invitation is None:
        raise NotFound(_("This invitation link isn't valid."))
    status = invitation.status(utcnow())
    if status != "open":
        raise InvitationClosed(_closed_reason(invitation, status))
    return invitation


def _valid_address(address: str) -> str | None:
    """The address normalised (lower-case), or None if it isn't one. email_validator is imported on first use:
    it is slow to import, and most commands and requests never need it (tests/test_cli_start.py)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _closed_reason(invitation: Invitation, status: str) -> str:
    if status == "used":
        return "used up" if invitation.is_link else "already used"
    return {"expired": "expired", "revoked": "withdrawn"}[status]


def _entered_address(email: str) -> str:
    if not email.strip():
        raise InvalidInput(_("Please give your e-mail address."), field="email")
    address = _valid_address(email.strip())
    if address is None:
        raise InvalidInput(_("Please give a valid e-mail address."), field="email")
    return address


def register(token: str, *, display_name: str, handle: str, password: str, email: str = "") -> User:
    """Create the member's account through an invitation (commits).

    A personal invitation went to its address, so the account is active at once (or pending approval) and
    joins the invitation's groups. Through a cohort link the address is only typed: the account waits,
    ``unconfirmed``, until the link mailed to it is opened (``services.confirmations``); its place on the
    link is taken now, so two people can't race for the last one."""
    invitation = open_invitation(token)
    address = _entered_address(email) if invitation.is_link else invitation.email or ""
    state = "unconfirmed" if invitation.is_link else "pending" if invitation.needs_approval else "active"
    user = create_user(email=address, handle=handle, display_name=display_name, password=password,
                       role=invitation.role, state=state)  # fmt: skip
    # Count the use atomically: two people racing for the last place of a link can't both get in.
    used = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, _open_clause())
        .values(use_count=Invitation.use_count + 1)
    ).rowcount
    if not used:
        is_link = invitation.is_link
        db.session.rollback()
        raise InvitationClosed("used up" if is_link else "already used")
    record(user, "invitation.accept", invitation, detail={"user_id": user.id, "state": state})
    if state == "unconfirmed":
        start_confirmation(user, invitation)  # groups and the "new member" wait for the address
        db.session.commit()
        return user
    if state == "active":
        events.member_joined.send(user, actor=user)  # the feed's "new member"; pending ones on approval
    db.session.commit()
    for group in invitation.groups:
        add_member(group, user, actor=invitation.created_by)
    return user
