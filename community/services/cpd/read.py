"""Reading the CPD log and the learning record: pages and lists with fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from community.errors import NotFound
from community.extensions import db
from community.models import CpdEntry, CpdLink, CpdShare, Event, EventRsvp, Group, Membership, Post, Topic, User
from community.permissions import can_view_topic, can_write_cpd_log, live_posts

LINK_CHOICES = 40


@dataclass
class CpdLog:
    """A member's entries in a period (newest first), with hours per year and in all."""

    owner: User
    entries: list[CpdEntry]
    start: date | None = None
    end: date | None = None
    hours_by_year: dict[int, int] = field(default_factory=dict)  # hundredths

    @property
    def total_hundredths(self) -> int:
        return sum(self.hours_by_year.values())


def _link_options() -> list:
    return [selectinload(CpdEntry.links).options(
        joinedload(CpdLink.post).joinedload(Post.topic).joinedload(Topic.group),
        joinedload(CpdLink.event).joinedload(Event.topic).joinedload(Topic.group),
    )]  # fmt: skip


def cpd_log(owner: User, start: date | None = None, end: date | None = None) -> CpdLog:
    """The owner's entries between two dates (both included; None: open), links loaded (two queries)."""
    where = [CpdEntry.user_id == owner.id]
    if start is not None:
        where.append(CpdEntry.done_on >= start)
    if end is not None:
        where.append(CpdEntry.done_on <= end)
    entries = list(db.session.scalars(
        select(CpdEntry).options(*_link_options()).where(*where)
        .order_by(CpdEntry.done_on.desc(), CpdEntry.id.desc())
    ))  # fmt: skip
    years: dict[int, int] = defaultdict(int)
    for entry in entries:
        years[entry.done_on.year] += entry.hours_hundredths
    return CpdLog(owner, entries, start, end, dict(sorted(years.items(), reverse=True)))


def visible_links(viewer: User, entry: CpdEntry) -> list[CpdLink]:
    """The entry's links the viewer may follow (a facilitator reading a shared log sees none of a group they
    are not in); pure, on what ``cpd_log`` loaded."""
    shown = []
    for link in entry.links:
        topic = link.post.topic if link.post is not None else link.event.topic if link.event is not None else None
        if topic is not None and can_view_topic(viewer, topic):
            shown.append(link)
    return shown


def access_cpd_entry(actor: User, entry_id: int) -> CpdEntry:
    """One of the actor's own entries, links loaded; NotFound for anyone else's (or none)."""
    entry = db.session.scalar(select(CpdEntry).options(joinedload(CpdEntry.user), *_link_options())
                              .where(CpdEntry.id == entry_id))  # fmt: skip
    if entry is None or not can_write_cpd_log(actor, entry.user):
        raise NotFound()
    return entry


@dataclass
class LinkChoice:
    value: str
    label: str
    when: date | None = None


def link_choices(owner: User) -> list[LinkChoice]:
    """The owner's recent contributions an entry may link: their posts (blog posts, answers, discussions) and
    the events they said yes to (two queries)."""
    posts = db.session.execute(
        select(Post.id, Post.number, Topic.kind, Topic.title, Post.created_at).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == owner.id, live_posts(), Topic.kind.in_(("blog", "question", "discussion")),
               Topic.status == "published")
        .order_by(Post.created_at.desc()).limit(LINK_CHOICES)
    ).all()  # fmt: skip
    events = db.session.execute(
        select(Event.id, Topic.title, Event.starts_at).join(Topic, Topic.id == Event.topic_id)
        .join(EventRsvp, EventRsvp.event_id == Event.id)
        .where(EventRsvp.user_id == owner.id, EventRsvp.answer == "going")
        .order_by(Event.starts_at.desc()).limit(LINK_CHOICES)
    ).all()  # fmt: skip
    from flask_babel import gettext as _

    choices = []
    for post_id, number, kind, title, created in posts:
        if kind == "blog":
            label = _("Blog post: %(title)s", title=title) if number == 1 else _("Comment on %(title)s", title=title)
        elif kind == "question":
            label = _("Question: %(title)s", title=title) if number == 1 else _("Answer to %(title)s", title=title)
        else:
            label = _("Discussion: %(title)s", title=title) if number == 1 else _("Reply in %(title)s", title=title)
        choices.append(LinkChoice(f"post:{post_id}", label, created.date()))
    for event_id, title, starts in events:
        choices.append(LinkChoice(f"event:{event_id}", _("Event: %(title)s", title=title), starts.date()))
    return choices


def shares_of(owner: User) -> tuple[list[User], set[int]]:
    """The facilitators of the owner's groups (whom they may share with) and those they share with now."""
    mine = select(Membership.group_id).where(Membership.user_id == owner.id, Membership.state == "active")
    facilitating = select(Membership.user_id).where(Membership.group_id.in_(mine), Membership.role == "facilitator",
                                                    Membership.state == "active")  # fmt: skip
    facilitators = list(db.session.scalars(
        select(User).where(User.id.in_(facilitating), User.state == "active", User.id != owner.id)
        .order_by(User.display_name)
    ))  # fmt: skip
    shared = set(db.session.scalars(select(CpdShare.facilitator_id).where(CpdShare.owner_id == owner.id)))
    return facilitators, shared


def logs_shared_with(facilitator: User) -> list[User]:
    """The members who share their CPD log with this facilitator and are in a group they facilitate now."""
    facilitated = [gid for gid, role in (facilitator.group_roles or {}).items() if role == "facilitator"]
    if not facilitated:
        return []
    in_groups = select(Membership.user_id).where(Membership.group_id.in_(facilitated), Membership.state == "active")
    return list(db.session.scalars(
        select(User).join(CpdShare, CpdShare.owner_id == User.id)
        .where(CpdShare.facilitator_id == facilitator.id, User.id.in_(in_groups), User.state == "active")
        .order_by(User.display_name)
    ))  # fmt: skip


# ----------------------------------------------------------------------------------------------------------
# The learning record (the grown "My participation")


@dataclass
class LearningRecord:
    """Activity by group and month, answers accepted, peers helped, events attended."""

    months: list[str]  # "2026-11", oldest first
    by_group: list[tuple[Group | None, dict[str, int]]]  # posts per month, per group (None: community-wide)
    answers_accepted: int
    peers_helped: int
    events_attended: int

    @property
    def month_starts(self) -> list[tuple[str, date]]:
        """Each month's key with its first day (for showing it in the reader's language)."""
        return [(m, date(int(m[:4]), int(m[5:7]), 1)) for m in self.months]


def learning_record(member: User, viewer: User, start: date | None = None, end: date | None = None) -> LearningRecord:
    """The member's learning record in what the viewer may see: four queries, whatever the amount of data."""
    from community.permissions import visible_topics

    where = [Post.author_id == member.id, live_posts(), visible_topics(viewer)]
    if start is not None:
        where.append(Post.created_at >= datetime.combine(start, time(), UTC))
    if end is not None:
        where.append(Post.created_at < datetime.combine(end + timedelta(days=1), time(), UTC))
    # The month of each post, in UTC ("2026-11"): the two databases spell it differently.
    if db.session.get_bind().dialect.name == "postgresql":
        month = func.to_char(func.timezone("UTC", Post.created_at), "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", Post.created_at)
    rows = db.session.execute(
        select(Topic.group_id, month, func.count(Post.id)).join(Topic, Topic.id == Post.topic_id)
        .where(*where).group_by(Topic.group_id, month)
    ).all()  # fmt: skip
    group_ids = sorted({gid for gid, _m, _n in rows if gid is not None})
    groups = {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(group_ids)))} if group_ids else {}
    months = sorted({m for _g, m, _n in rows})
    table: dict[int | None, dict[str, int]] = defaultdict(dict)
    for gid, m, n in rows:
        table[gid][m] = n
    by_group = sorted(((groups.get(gid) if gid is not None else None, counts) for gid, counts in table.items()),
                      key=lambda item: (item[0] is None, item[0].name if item[0] else ""))  # fmt: skip
    accepted_post = db.aliased(Post)
    answered = db.aliased(Post)
    accepted, helped = db.session.execute(
        select(
            select(func.count(Topic.id)).join(accepted_post, accepted_post.id == Topic.accepted_post_id)
            .where(accepted_post.author_id == member.id, Topic.author_id != member.id, visible_topics(viewer))
            .scalar_subquery(),
            select(func.count(func.distinct(Topic.author_id))).join(answered, answered.topic_id == Topic.id)
            .where(answered.author_id == member.id, answered.number > 1, Topic.author_id != member.id,
                   Topic.kind.in_(("question", "discussion", "blog")), answered.deleted_at.is_(None),
                   visible_topics(viewer))
            .scalar_subquery(),
        )
    ).one()  # fmt: skip
    from community.models import utcnow

    attended = db.session.scalar(
        select(func.count(EventRsvp.id)).join(Event, Event.id == EventRsvp.event_id)
        .join(Topic, Topic.id == Event.topic_id)
        .where(EventRsvp.user_id == member.id, EventRsvp.answer == "going", Event.starts_at <= utcnow(),
               visible_topics(viewer))
    ) or 0  # fmt: skip
    return LearningRecord(months, by_group, accepted or 0, helped or 0, attended)
