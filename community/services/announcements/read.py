"""Announcement reads: the ones at the top of home and group pages, an announcement's page, a group's list,
and how many of its audience have seen each (a fixed number of statements, whatever the numbers).

The audience of a group's announcement is the group's active members, of a community-wide one every active
member; its author is not counted. Seen: a view row exists (opened, shown at the top of a page, dismissed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from community import permissions
from community.extensions import db
from community.models import Announcement, AnnouncementView, Group, Membership, Post, Topic, User, utcnow
from community.services.announcements.write import mark_seen

TOP_LIMIT = 5  # at the top of a page: the newest few
PAGE_SIZE = 20  # a group's list of announcements


@dataclass
class TopItem:
    """An announcement shown at the top of a page (not dismissed, not expired)."""

    topic: Topic
    opening: Post
    announcement: Announcement


@dataclass
class Reach:
    """How many of the audience have seen an announcement."""

    seen: int
    audience: int


@dataclass
class ListItem:
    topic: Topic
    announcement: Announcement
    reach: Reach | None = None


@dataclass
class AnnouncementList:
    items: list[ListItem] = field(default_factory=list)
    older: int | None = None  # ?before= for the next page


def _reach_columns() -> tuple[Any, Any]:
    """(seen, audience) as scalar subqueries correlated on ``Topic``: the same numbers everywhere."""
    in_group = select(Membership.id).where(
        Membership.group_id == Topic.group_id, Membership.user_id == AnnouncementView.user_id,
        Membership.state == "active").exists()  # fmt: skip
    seen = (
        select(func.count()).select_from(AnnouncementView).join(User, User.id == AnnouncementView.user_id)
        .where(AnnouncementView.topic_id == Topic.id, User.state == "active", User.id != Topic.author_id,
               or_(Topic.group_id.is_(None), in_group))
        .correlate(Topic).scalar_subquery()
    )  # fmt: skip
    audience = func.coalesce(
        select(func.count()).select_from(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.group_id == Topic.group_id, Membership.state == "active", User.state == "active",
               User.id != Topic.author_id, Topic.group_id.is_not(None))
        .correlate(Topic).scalar_subquery(), 0,
    ) + func.coalesce(
        select(func.count()).select_from(User)
        .where(User.state == "active", User.id != Topic.author_id, Topic.group_id.is_(None))
        .correlate(Topic).scalar_subquery(), 0,
    )  # fmt: skip
    return seen, audience


def reach(topic: Topic) -> Reach:
    """How many of an announcement's audience have seen it (one statement)."""
    seen, audience = _reach_columns()
    row = db.session.execute(select(seen, audience).select_from(Topic).where(Topic.id == topic.id)).one()
    return Reach(int(row[0] or 0), int(row[1] or 0))


def top_announcements(viewer: Any, *, group: Group | None = None, now: datetime | None = None) -> list[TopItem]:
    """The announcements at the top of the viewer's home (community-wide ones and their groups') or of a
    group's page (that group's), not dismissed nor expired, newest first: one statement; the unseen ones are
    then recorded as seen (one insert-or-ignore, only when there are any)."""
    if not permissions.is_member(viewer):
        return []
    now = now or utcnow()
    if group is not None:
        where: Any = Topic.group_id == group.id
    else:
        mine = sorted(getattr(viewer, "group_roles", {}) or {})
        where = or_(Topic.group_id.is_(None), Topic.group_id.in_(mine)) if mine else Topic.group_id.is_(None)
    rows = db.session.execute(
        select(Topic, Post, Announcement, AnnouncementView.seen_at)
        .join(Announcement, Announcement.topic_id == Topic.id)
        .join(Post, and_(Post.topic_id == Topic.id, Post.number == 1))
        .outerjoin(AnnouncementView, and_(AnnouncementView.topic_id == Topic.id,
                                          AnnouncementView.user_id == viewer.id))
        .options(joinedload(Topic.author), joinedload(Topic.group))
        .where(Topic.kind == "announcement", permissions.visible_topics(viewer), where,
               AnnouncementView.dismissed_at.is_(None),
               or_(Announcement.expires_at.is_(None), Announcement.expires_at > now))
        .order_by(Topic.published_at.desc(), Topic.id.desc()).limit(TOP_LIMIT)
    ).all()  # fmt: skip
    for _topic, post, _announcement, _seen in rows:
        set_committed_value(post, "author", _topic.author)  # the same person: the card reads it, no query
    mark_seen(viewer, [topic.id for topic, _post, _a, seen_at in rows if seen_at is None])
    return [TopItem(topic, post, announcement) for topic, post, announcement, _seen in rows]


def announcement_page(viewer: Any, topic: Topic, view: AnnouncementView | None) -> tuple[Post, Reach | None]:
    """The opening post (with its author) and, for those who may see it, the reach; records the viewer as
    having seen it (one insert-or-ignore, the first time)."""
    opening = db.session.scalar(
        select(Post).options(joinedload(Post.author)).where(Post.topic_id == topic.id, Post.number == 1)
    )
    assert opening is not None
    if view is None and topic.status == "published":
        mark_seen(viewer, [topic.id])
    counts = reach(topic) if permissions.can_see_announcement_reach(viewer, topic) else None
    return opening, counts


def group_announcements(viewer: Any, group: Group | None, *, before: int | None = None,
                        limit: int = PAGE_SIZE) -> AnnouncementList:  # fmt: skip
    """A group's announcements (or the community-wide ones, ``group=None``), newest first, past and expired
    ones included, and the viewer's own scheduled ones; with the reach where the viewer may see it (one
    statement, whatever the number)."""
    if not permissions.is_member(viewer):
        return AnnouncementList()
    seen, audience = _reach_columns()
    place = Topic.group_id == group.id if group is not None else Topic.group_id.is_(None)
    mine_waiting = and_(Topic.author_id == viewer.id, Topic.status == "scheduled", Topic.deleted_at.is_(None))
    stmt = (
        select(Topic, Announcement, seen, audience)
        .join(Announcement, Announcement.topic_id == Topic.id)
        .options(joinedload(Topic.author), joinedload(Topic.group))
        .where(Topic.kind == "announcement", place, or_(permissions.visible_topics(viewer), mine_waiting))
        .order_by(Topic.id.desc()).limit(limit + 1)
    )  # fmt: skip
    if before is not None:
        stmt = stmt.where(Topic.id < before)
    rows = db.session.execute(stmt).all()
    items = [ListItem(topic, announcement, Reach(int(s or 0), int(a or 0))
                      if permissions.can_see_announcement_reach(viewer, topic) else None)
             for topic, announcement, s, a in rows[:limit]]  # fmt: skip
    return AnnouncementList(items, items[-1].topic.id if len(rows) > limit else None)


def announceable_groups(user: Any) -> list[Group]:
    """The live groups the member may announce in (``can_announce``): those they facilitate, every one for the
    community manager. By name (one query; none for a member who facilitates nothing)."""
    if not permissions.is_member(user):
        return []
    stmt = select(Group).where(Group.archived_at.is_(None)).order_by(func.lower(Group.name), Group.id)
    if user.role != "admin":
        facilitated = permissions.moderated_group_ids(user)
        if not facilitated:
            return []
        stmt = stmt.where(Group.id.in_(facilitated))
    return [g for g in db.session.scalars(stmt) if permissions.can_announce(user, g)]


def opening_of(topic: Topic) -> Post:
    """An announcement's opening post, its text (one query)."""
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    assert opening is not None
    return opening
