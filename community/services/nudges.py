"""Friendly nudges from facilitators to quiet members."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.errors import InvalidInput, NotFound
from community.extensions import db
from community.models import Membership, User, utcnow
from community.services.audit import record

# Offered in the facilitator's language (they send it as their own words, and may edit it).
DEFAULT_NUDGE = _l(
    "Hi! We haven't heard from you for a while and we'd love to. Is there anything on the course you'd like "
    "to ask or share? Even a short reply to a peer helps the whole group."
)
NUDGE_EVERY = timedelta(days=7)


def facilitates_member(viewer: User, member: User) -> bool:
    """Whether the viewer facilitates one of the member's groups (admins: always)."""
    if viewer.role == "admin":
        return True
    facilitated = [gid for gid, role in viewer.group_roles.items() if role == "facilitator"]
    if not facilitated:
        return False
    return bool(
        db.session.scalar(
            select(func.count()).select_from(Membership).where(
                Membership.user_id == member.id, Membership.state == "active", Membership.group_id.in_(facilitated)
            )
        )
    )


def send_nudge(actor: User, member: User, message: str) -> None:
    """Notify a member with a facilitator's note, at most once a week (commits)."""
    from community.models import Notification
    from community.services.notifications import notify

    if member.id == actor.id or member.state != "active" or not facilitates_member(actor, member):
        raise NotFound(_("No such member."))
    message = " ".join((message or "").split())
    if not message:
        raise InvalidInput(_("Please write a short message."), field="message")
    recent = db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == member.id, Notification.kind == "nudge",
            Notification.created_at > utcnow() - NUDGE_EVERY,
        )
    )  # fmt: skip
    if recent:
        raise InvalidInput(_("%(name)s already had a nudge this week. Give them a little time.",
                             name=member.display_name))  # fmt: skip
    created = notify([member.id], "nudge", actor, url="/", message=message[:500])
    record(actor, "member.nudge", member, detail={"delivered": bool(created)})
    db.session.commit()
