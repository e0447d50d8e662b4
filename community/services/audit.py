"""The audit log: every admin and moderator action, with who, what, why and when."""

from __future__ import annotations

from typing import Any

from community.extensions import db
from community.models import AuditEvent, User


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
