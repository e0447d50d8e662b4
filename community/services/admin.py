"""The community manager's services: approvals, suspensions, roles, settings, and the admin listings.

Every action is written to the audit log (who, what, why, when) in the same transaction as the change.
The community always keeps at least one active admin: the last one can neither step down nor be
suspended.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from community import events
from community.database import side_write
from community.errors import Conflict, InvalidInput
from community.extensions import db
from community.i18n import LANGUAGES, as_member, is_timezone, start_of_local_day
from community.models import ROLES, STATES, AuditEvent, User, UserSession, utcnow
from community.permissions import (
    can_approve_member,
    can_change_role,
    can_decline_member,
    can_reactivate_member,
    can_suspend_member,
    require,
)
from community.services import site
from community.services.audit import audit_targets, record
from community.services.mail import queue_mail
from community.services.members import Page, like_pattern, paginate, plain_line
from community.services.moderation import restore_wave
from community.services.settings import DEFAULTS, update_settings

# --------------------------------------------------------------------------------------------------
# Actions on members


def _active_admin_ids() -> list[int]:
    """Ids of the active admins, locked (PostgreSQL) so two admins can't both step down at once."""
    return list(
        db.session.scalars(select(User.id).where(User.role == "admin", User.state == "active").with_for_update())
    )


def _clean_reason(reason: str | None, *, required: bool = False) -> str:
    reason = plain_line(reason)
    if required and not reason:
        raise InvalidInput(_("Please give a reason: it goes into the audit log."), field="reason")
    if len(reason) > 500:
        raise InvalidInput(_("Please keep the reason to 500 characters."), field="reason")
    return reason


def approve_member(actor: User, member: User, reason: str = "") -> User:
    """Let a pending member in, tell them by e-mail, and audit it (commits)."""
    if member.state != "pending":
        raise Conflict(_("This member isn't waiting for approval any more."))
    require(can_approve_member(actor, member))
    reason = _clean_reason(reason)
    member.state = "active"
    record(actor, "member.approve", member, reason=reason)
    base = site.base_url()
    name = _community_name()
    profile = f"{base}/members/{member.handle}"
    with as_member(member):
        queue_mail(
            member.email,
            _("Welcome to %(community)s: you're in", community=name),
            "\n\n".join([
                _("Hello %(name)s,", name=member.display_name),
                _("Your membership of %(community)s has been approved. Sign in to meet your cohort:", community=name),
                f"{base}/signin",
                _("Your profile is at %(url)s: adding a photo and a line about yourself helps people get to know "
                  "you.", url=profile),
            ]) + "\n",
        )  # fmt: skip
    events.member_joined.send(member, actor=actor)
    db.session.commit()
    return member


def decline_member(actor: User, member: User, reason: str = "") -> User:
    """Turn down someone waiting for approval, with an optional reason; they are told by e-mail and their
    account is closed (it appears nowhere; the audit log keeps who and why) (commits)."""
    if member.state != "pending":
        raise Conflict(_("This member isn't waiting for approval any more."))
    require(can_decline_member(actor, member))
    reason = _clean_reason(reason)
    member.state = "deleted"
    db.session.execute(delete(UserSession).where(UserSession.user_id == member.id))
    record(actor, "member.decline", member, reason=reason, detail={"name": member.display_name})
    name = _community_name()
    with as_member(member):
        lines = [_("Hello %(name)s,", name=member.display_name),
                 _("Thank you for your interest in %(community)s. Your request to join has not been accepted.",
                   community=name)]  # fmt: skip
        if reason:
            lines.append(_("The community manager wrote: %(reason)s", reason=reason))
        lines.append(_("If you think this is a mistake, please contact the person who told you about the "
                       "community."))  # fmt: skip
        queue_mail(member.email, _("Your request to join %(community)s", community=name), "\n\n".join(lines) + "\n")
    db.session.commit()
    return member


def _community_name() -> str:
    return site.community_name()


def suspension_end(day: date | None) -> datetime | None:
    """A suspension 'until' a day ends as that day starts, in the acting member's zone (None: indefinitely)."""
    return start_of_local_day(day) if day is not None else None


def suspend_member(actor: User, member: User, until: datetime | None, reason: str) -> User:
    """Suspend a member until a time or indefinitely, with a reason; their sessions end (commits)."""
    if member.id == actor.id:
        raise Conflict(_("You can't suspend yourself."))
    if member.state == "suspended":
        raise Conflict(_("This member is already suspended."))
    require(can_suspend_member(actor, member))
    reason = _clean_reason(reason, required=True)
    if until is not None and until <= utcnow():
        raise InvalidInput(_("Please choose a date in the future, or leave it empty to suspend indefinitely."),
                           field="until")  # fmt: skip
    if member.role == "admin" and _active_admin_ids() == [member.id]:
        raise Conflict(_("The community needs at least one active admin."))
    member.state = "suspended"
    member.suspended_until = until
    member.suspension_reason = reason
    # Every signed-in browser of theirs stops working at once.
    db.session.execute(delete(UserSession).where(UserSession.user_id == member.id))
    record(actor, "member.suspend", member, reason=reason,
           detail={"until": until.isoformat() if until else None})  # fmt: skip
    db.session.commit()
    return member


def reactivate_member(actor: User, member: User, reason: str = "", *, restore_content: bool = False) -> User:
    """Lift a suspension; with ``restore_content``, also show again what the spam wave hid (commits)."""
    if member.state != "suspended":
        raise Conflict(_("This member isn't suspended."))
    require(can_reactivate_member(actor, member))
    reason = _clean_reason(reason)
    if restore_content:
        restore_wave(actor, member)
    member.state = "active"
    member.suspended_until = None
    member.suspension_reason = ""
    record(actor, "member.reactivate", member, reason=reason)
    db.session.commit()
    return member


def end_expired_suspension(member: User) -> bool:
    """A suspension whose end date has passed is over: the member is active again (audited as the system).

    Called when the member next signs in or loads a page, as a short write of its own (see ``side_write``).
    """
    now = utcnow()
    if member.state != "suspended" or member.suspended_until is None or member.suspended_until > now:
        return False
    values = {"state": "active", "suspended_until": None, "suspension_reason": ""}
    side_write([
        update(User).where(User.id == member.id, User.state == "suspended").values(**values),
        insert(AuditEvent).values(actor_id=None, action="member.suspension_ended", target_type="user",
                                  target_id=member.id, reason="", detail={}, created_at=now),
    ])  # fmt: skip
    for key, value in values.items():
        set_committed_value(member, key, value)
    return True


def _already_in_role(name: str, role: str) -> str:
    # One sentence per role: a label inside a sentence doesn't agree in every language.
    if role == "admin":
        return _("%(name)s is already a community manager.", name=name)
    if role == "facilitator":
        return _("%(name)s is already a facilitator.", name=name)
    return _("%(name)s is already a participant.", name=name)


def change_role(actor: User, member: User, role: str, reason: str = "") -> User:
    """Make a member a participant, facilitator or admin; the last active admin stays (commits)."""
    if role not in ROLES:
        raise InvalidInput(_("Choose participant, facilitator or community manager."), field="role")
    require(can_change_role(actor, member))
    reason = _clean_reason(reason)
    if member.role == role:
        raise Conflict(_already_in_role(member.display_name, role), field="role")
    if member.role == "admin" and member.state == "active" and _active_admin_ids() == [member.id]:
        raise Conflict(_("The community needs at least one active admin: make someone else an admin first."),
                       field="role")  # fmt: skip
    previous = member.role
    member.role = role
    record(actor, "member.role", member, reason=reason, detail={"from": previous, "to": role})
    events.member_role_changed.send(member, actor=actor, previous=previous, role=role)
    db.session.commit()
    return member


# --------------------------------------------------------------------------------------------------
# Settings

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _lines(text: str | list[str] | None) -> list[str]:
    items = text if isinstance(text, list) else (text or "").splitlines()
    seen: list[str] = []
    for item in items:
        item = plain_line(item).lower()
        if item and item not in seen:
            seen.append(item)
    return seen


def _domains(text: str | list[str] | None) -> list[str]:
    domains: list[str] = []
    for item in _lines(text):
        domain = re.sub(r"^[a-z]+://", "", item).split("/")[0].removeprefix("*.").removeprefix("www.")
        if not DOMAIN_RE.match(domain):
            raise InvalidInput(_("“%(item)s” isn't a domain name like spam.example.", item=item[:60]),
                               field="blocked_domains")
        if domain not in domains:
            domains.append(domain)
    return domains


def _count(value: Any, field: str, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Please give a whole number."), field=field) from None
    if not 0 <= number <= maximum:
        raise InvalidInput(_("Please give a number from 0 to %(maximum)d.", maximum=maximum), field=field)
    return number


def save_settings(actor: User, values: dict[str, Any]) -> None:
    """Check and store the community settings (audited by ``update_settings``; commits)."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise InvalidInput(_("Unknown setting: %(key)s.", key=sorted(unknown)[0]))
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "community_name":
            value = plain_line(value)
            if len(value) > 80:
                raise InvalidInput(_("The name is 80 characters at most."), field=key)
        elif key == "base_url":
            try:
                value = site.clean_base_url(value)
            except ValueError as error:
                raise InvalidInput(str(error), field=key) from None
        elif key == "welcome_text":
            value = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
            if len(value) > 2000:
                raise InvalidInput(_("The welcome text is 2,000 characters at most."), field=key)
        elif key in ("allow_join_requests", "participants_create_groups", "participants_may_message"):
            value = bool(value)
        elif key == "premoderate_first_posts" or key == "new_member_link_limit":
            value = _count(value, key, 100)
        elif key == "blocked_words":
            value = _lines(value)
            if any(len(word) > 100 for word in value):
                raise InvalidInput(_("Each blocked word or phrase is 100 characters at most."), field=key)
        elif key == "blocked_domains":
            value = _domains(value)
        elif key == "default_language":
            if value not in LANGUAGES:
                raise InvalidInput(_("Please choose one of the languages offered."), field=key)
        elif key == "default_timezone" and (not isinstance(value, str) or not is_timezone(value)):
            raise InvalidInput(_("Please choose a time zone from the list."), field=key)
        clean[key] = value
    update_settings(actor, **clean)


# --------------------------------------------------------------------------------------------------
# Listings for the admin pages


def members_page(*, state: str = "", role: str = "", q: str = "", page: int = 1) -> Page:
    """Every member but deleted ones (or those in one state), filtered by role and name/handle/e-mail."""
    stmt = select(User)
    stmt = stmt.where(User.state == state) if state in STATES else stmt.where(User.state != "deleted")
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    q = plain_line(q)[:80]
    if q:
        pattern = like_pattern(q.lstrip("@"))
        stmt = stmt.where(or_(User.display_name.ilike(pattern, escape="\\"), User.handle.ilike(pattern, escape="\\"),
                              User.email.ilike(pattern, escape="\\")))  # fmt: skip
    stmt = stmt.order_by(User.created_at.desc(), User.id.desc())
    return paginate(stmt, page, current_app.config["PAGE_SIZE"])


def state_counts() -> dict[str, int]:
    """How many members are in each state (one query)."""
    counts = dict.fromkeys(STATES, 0)
    for state, n in db.session.execute(select(User.state, func.count()).group_by(User.state)):
        counts[state] = n
    return counts


def pending_members(limit: int = 10) -> list[User]:
    """Those waiting for approval, oldest first."""
    return list(
        db.session.scalars(select(User).where(User.state == "pending").order_by(User.created_at, User.id).limit(limit))
    )


def recent_audit(limit: int = 10) -> list[AuditEvent]:
    """The latest audit events with their actors."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def overview() -> dict[str, Any]:
    """The admin home: members by state, who waits for approval, the latest audit events and whom they
    are about (four queries)."""
    events_ = recent_audit()
    return {"counts": state_counts(), "pending": pending_members(), "events": events_,
            "targets": audit_targets(events_)}  # fmt: skip


def audit_for(member: User, limit: int = 20) -> list[AuditEvent]:
    """The latest audit events about one member."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(AuditEvent.target_type == "user", AuditEvent.target_id == member.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def audit_page(*, actor: str = "", action: str = "", since: date | None = None, until: date | None = None,
               page: int = 1) -> Page:  # fmt: skip
    """The audit log, newest first, filtered by actor handle, action and a date range (inclusive)."""
    stmt = select(AuditEvent).options(joinedload(AuditEvent.actor))
    actor = plain_line(actor).lstrip("@").lower()
    if actor:
        stmt = stmt.where(AuditEvent.actor_id.in_(select(User.id).where(User.handle == actor)))
    action = plain_line(action)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.created_at >= start_of_local_day(since))
    if until is not None:
        stmt = stmt.where(AuditEvent.created_at < start_of_local_day(until + timedelta(days=1)))
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    result = paginate(stmt, page, current_app.config["PAGE_SIZE"])
    result.extra["targets"] = audit_targets(result.items)
    return result


def audit_actions() -> list[str]:
    """The actions that occur in the log, for the filter."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
