"""The audit log: every admin and moderator action, with who, what, why and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from community.extensions import db
from community.models import AuditEvent, Board, Group, Post, Report, Topic, User


def record(
    actor: User | None,
    action: str,
    target: Any = None,
    *,
    reason: str = "",
    group_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the calling service commits)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        group_id=group_id,
        reason=reason[:500],
        detail=detail or {},
    )
    db.session.add(event)
    return event


# ----------------------------------------------------------------------------------------------------------
# Reading: what the events are about, so the log can name it


@dataclass
class AuditTargets:
    """What a page of events is about, by id: members, posts (with topic and author), topics, groups, boards,
    reports. One query per kind that occurs on the page, whatever the number of events."""

    users: dict[int, User] = field(default_factory=dict)
    posts: dict[int, Post] = field(default_factory=dict)
    topics: dict[int, Topic] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    boards: dict[int, Board] = field(default_factory=dict)
    reports: dict[int, Report] = field(default_factory=dict)

    def get(self, key: int | None, default: Any = None) -> Any:
        """The member with this id (the admin pages' older ``targets.get(id)``)."""
        return self.users.get(key, default) if key is not None else default


def _ids(events: list[AuditEvent], target_type: str) -> set[int]:
    return {e.target_id for e in events if e.target_type == target_type and e.target_id is not None}


def audit_targets(events: list[AuditEvent]) -> AuditTargets:
    """Load what ``events`` are about (see AuditTargets)."""
    found = AuditTargets()
    if not events:
        return found
    if ids := _ids(events, "report"):
        found.reports = {r.id: r for r in db.session.scalars(select(Report).where(Report.id.in_(ids)))}
    post_ids = _ids(events, "post") | {r.post_id for r in found.reports.values() if r.post_id is not None}
    if post_ids:
        rows = db.session.scalars(
            select(Post).join(Post.topic).options(contains_eager(Post.topic), joinedload(Post.author))
            .where(Post.id.in_(post_ids))
        )  # fmt: skip
        found.posts = {p.id: p for p in rows}
    if ids := _ids(events, "topic"):
        rows = db.session.scalars(select(Topic).options(joinedload(Topic.author)).where(Topic.id.in_(ids)))
        found.topics = {t.id: t for t in rows}
    group_ids = _ids(events, "group") | {e.group_id for e in events if e.group_id is not None}
    if group_ids:
        found.groups = {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(group_ids)))}
    board_ids = _ids(events, "board") | {int(e.detail["to_board"]) for e in events if e.action == "topic.move"
                                         and str((e.detail or {}).get("to_board", "")).isdigit()}  # fmt: skip
    if board_ids:
        found.boards = {b.id: b for b in db.session.scalars(select(Board).where(Board.id.in_(board_ids)))}
    user_ids = _ids(events, "user") | {r.target_user_id for r in found.reports.values() if r.target_user_id}
    user_ids |= {int(e.detail["user_id"]) for e in events if str((e.detail or {}).get("user_id", "")).isdigit()}
    if user_ids:
        found.users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    return found
