"""Reading groups for their pages: the directory, the group home, the member list (a query each, no N+1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Board, Group, Membership, Topic, User
from community.permissions import visible_groups, visible_topics

HOME_MEMBERS = 12
HOME_TOPICS = 8
INVITE_CANDIDATES = 10


@dataclass
class Listing:
    """One page of rows, with whether there is a page before and after it."""

    items: list[Any]
    page: int
    has_prev: bool
    has_next: bool


@dataclass
class GroupHome:
    """What the group home shows beyond the group itself."""

    facilitators: list[Membership] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)
    boards: list[Board] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)


def filter_groups(user: Any, selected: str | None = None) -> list[Any]:
    """The groups offered in a page's group filter (search, the blog index): the viewer's own groups, and the
    one already chosen if the viewer may see it. Rows of (id, slug, name), by name.

    Not every group the viewer may see: in a community of hundreds of cohorts that list would be as long
    as it is useless, and its size would grow with the community. Another group's content is one click away
    from its own page.
    """
    mine = list(getattr(user, "group_roles", {}) or {})
    chosen = [Group.id.in_(mine)] if mine else []
    if selected:
        chosen.append(Group.slug == selected)
    if not chosen:
        return []
    return list(db.session.execute(
        select(Group.id, Group.slug, Group.name).where(visible_groups(user), or_(*chosen))
        .order_by(func.lower(Group.name), Group.id)
    ))  # fmt: skip


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _page(query: Any, page: int, per_page: int) -> Listing:
    page = max(page, 1)
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).unique())
    return Listing(items=rows[:per_page], page=page, has_prev=page > 1, has_next=len(rows) > per_page)


def directory(user: Any, *, mine: bool, q: str = "", page: int = 1, per_page: int = 20) -> Listing:
    """Groups the viewer may see (or belongs to, with ``mine``), searched by name, ordered by name."""
    query = select(Group).where(visible_groups(user))
    if mine:
        ids = list(getattr(user, "group_roles", {}) or {})
        query = query.where(Group.id.in_(ids)) if ids else query.where(Group.id.is_(None))
    q = " ".join((q or "").split())[:100]
    if q:
        query = query.where(Group.name.ilike(_like(q), escape="\\"))
    return _page(query.order_by(Group.archived_at.is_not(None), func.lower(Group.name), Group.id), page, per_page)


def pending_memberships(user: Any) -> list[Membership]:
    """The viewer's invitations and requests still waiting, with their groups."""
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.group))
            .where(Membership.user_id == user.id, Membership.state.in_(("invited", "requested")))
            .order_by(Membership.created_at.desc())
        )
    )


def group_home(user: Any, group: Group, *, with_content: bool) -> GroupHome:
    """Facilitators, a few members and, for those who may see the content, boards and recent topics."""
    home = GroupHome()
    active = select(Membership).options(joinedload(Membership.user)).where(
        Membership.group_id == group.id, Membership.state == "active"
    )
    home.facilitators = list(
        db.session.scalars(active.where(Membership.role == "facilitator").order_by(Membership.created_at))
    )
    if not with_content:
        return home
    home.members = list(
        db.session.scalars(
            active.where(Membership.role == "member").order_by(Membership.created_at.desc()).limit(HOME_MEMBERS)
        )
    )
    home.boards = list(
        db.session.scalars(select(Board).where(Board.group_id == group.id).order_by(Board.position, Board.id))
    )
    home.topics = list(
        db.session.scalars(
            select(Topic)
            .options(joinedload(Topic.author))
            .where(Topic.group_id == group.id, visible_topics(user))
            .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
            .limit(HOME_TOPICS)
        )
    )
    return home


def member_list(group: Group, *, page: int = 1, per_page: int = 50) -> Listing:
    """Active members with their profiles: facilitators first, then by name."""
    query = (
        select(Membership)
        .join(Membership.user)
        .options(joinedload(Membership.user))
        .where(Membership.group_id == group.id, Membership.state == "active")
        .order_by(Membership.role != "facilitator", func.lower(User.display_name), Membership.id)
    )
    return _page(query, page, per_page)


def waiting_list(group: Group) -> list[Membership]:
    """Requests to join and open invitations, oldest first (for the group's facilitators)."""
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(Membership.group_id == group.id, Membership.state.in_(("requested", "invited")))
            .order_by(Membership.created_at, Membership.id)
        )
    )


def invite_candidates(group: Group, q: str) -> list[User]:
    """Active community members, not yet in (or invited to) the group, whose handle or name matches."""
    q = " ".join((q or "").split()).lstrip("@")[:80]
    if not q:
        return []
    pattern = _like(q)
    in_group = exists().where(and_(Membership.group_id == group.id, Membership.user_id == User.id))
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.state == "active",
                ~in_group,
                or_(User.handle.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\")),
            )
            .order_by(func.lower(User.display_name), User.id)
            .limit(INVITE_CANDIDATES)
        )
    )
