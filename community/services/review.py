"""The staff review queue: what waits for this moderator, and the counts in the header.

Four kinds of waiting work: reports from members, held posts (their automatic reports), people waiting to
be let into the community (the community manager's), and requests to join groups (each group's
facilitators; the manager sees all). The header's counts are one query of four indexed counts, whatever
their size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, literal, select, true
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Group, Membership, Report, User
from community.permissions import can_view_moderation_queue, is_admin, is_member
from community.services.moderation import reports_visible_to


@dataclass(frozen=True)
class ReviewCounts:
    """How much waits for the moderator, by kind."""

    reports: int = 0
    held: int = 0
    members: int = 0
    requests: int = 0

    @property
    def total(self) -> int:
        return self.reports + self.held + self.members + self.requests


NOTHING = ReviewCounts()


def requests_visible_to(user: Any) -> ColumnElement[bool]:
    """SQL filter on Membership: the join requests this member answers (admins all; facilitators their groups')."""
    if not is_member(user):
        return false()
    if is_admin(user):
        return true()
    facilitated = sorted(gid for gid, role in user.group_roles.items() if role == "facilitator")
    return Membership.group_id.in_(facilitated) if facilitated else false()


def counts(user: Any) -> ReviewCounts:
    """What waits for this moderator, in one query (nothing, and no query, for anybody else)."""
    if not can_view_moderation_queue(user):
        return NOTHING

    def open_reports(automatic: bool) -> Any:
        return (
            select(func.count()).select_from(Report)
            .where(Report.status == "open", Report.automatic.is_(automatic), reports_visible_to(user))
            .scalar_subquery()
        )  # fmt: skip

    members: Any = literal(0)
    if is_admin(user):
        members = select(func.count()).select_from(User).where(User.state == "pending").scalar_subquery()
    requests = (
        select(func.count()).select_from(Membership).join(Group, Group.id == Membership.group_id)
        .where(Membership.state == "requested", requests_visible_to(user), Group.archived_at.is_(None))
        .scalar_subquery()
    )  # fmt: skip
    row = db.session.execute(select(open_reports(False), open_reports(True), members, requests)).one()
    return ReviewCounts(*(int(n or 0) for n in row))


def pending_members(user: Any, limit: int = 50) -> list[User]:
    """People waiting to be let in, oldest first (the community manager's; nobody else's)."""
    if not is_admin(user):
        return []
    return list(db.session.scalars(
        select(User).where(User.state == "pending").order_by(User.created_at, User.id).limit(limit)
    ))  # fmt: skip


def join_requests(user: Any, limit: int = 50) -> list[Membership]:
    """Requests to join the groups this member answers for, oldest first, with who and which group."""
    return list(db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.user), joinedload(Membership.group))
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.state == "requested", requests_visible_to(user), Group.archived_at.is_(None))
        .order_by(Membership.created_at, Membership.id)
        .limit(limit)
    ))  # fmt: skip
