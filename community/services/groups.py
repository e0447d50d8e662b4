"""Groups and memberships: creating groups, adding and removing members (core; the groups work extends it)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select, update

from community.errors import Conflict, InvalidInput
from community.extensions import db
from community.markup import render_markdown
from community.models import VISIBILITIES, Board, Group, Membership, User, utcnow
from community.services.audit import record

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def slugify(text: str, max_length: int = 60) -> str:
    """A URL slug from a name: lower-case ASCII letters, digits and hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].strip("-")


def create_group(actor: User, *, name: str, slug: str | None = None, description: str = "",
                 visibility: str = "open", with_board: bool = True) -> Group:  # fmt: skip
    """Create a group; its creator becomes its first facilitator, and it gets a General board (commits)."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Please give the group a name.", field="name")
    if len(name) > 100:
        raise InvalidInput("Group names are 100 characters at most.", field="name")
    if visibility not in VISIBILITIES:
        raise InvalidInput("Choose open, request or private.", field="visibility")
    slug = (slug or slugify(name)).strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput("Slugs use 3–60 lower-case letters, digits and hyphens.", field="slug")
    if db.session.scalar(select(func.count()).select_from(Group).where(Group.slug == slug)):
        raise Conflict("Another group already uses that address. Please choose another slug.", field="slug")
    group = Group(
        name=name, slug=slug, description=description, description_html=render_markdown(description),
        visibility=visibility, created_by_id=actor.id, member_count=1, last_activity_at=utcnow(),
    )  # fmt: skip
    db.session.add(group)
    db.session.flush()
    db.session.add(Membership(group_id=group.id, user_id=actor.id, role="facilitator", state="active"))
    if with_board:
        db.session.add(Board(group_id=group.id, name="General", slug="general",
                             description=f"Discussions of {name}."))  # fmt: skip
    record(actor, "group.create", group, group_id=group.id, detail={"visibility": visibility})
    db.session.commit()
    if hasattr(actor, "group_roles"):
        actor.group_roles[group.id] = "facilitator"
    return group


def add_member(group: Group, user: User, *, role: str = "member", actor: User | None = None) -> Membership:
    """Make ``user`` an active member (or update their role); keeps ``member_count`` (commits)."""
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(group_id=group.id, user_id=user.id, role=role, state="active",
                                invited_by_id=actor.id if actor else None)  # fmt: skip
        db.session.add(membership)
        _bump_members(group, +1)
    else:
        if membership.state != "active":
            _bump_members(group, +1)
        membership.state = "active"
        membership.role = role
    db.session.commit()
    if hasattr(user, "group_roles"):
        user.group_roles[group.id] = role
    return membership


def _bump_members(group: Group, delta: int) -> None:
    # An UPDATE with an expression, never read-modify-write: concurrent joins keep the right count.
    db.session.execute(update(Group).where(Group.id == group.id).values(member_count=Group.member_count + delta))
