"""The facilitator's dashboard: who needs help now, and is the community working?

Every figure is one SQL aggregation over indexed columns, scoped to the groups the viewer facilitates
(admins: any group, or the whole community) and to a period. Only live content counts: published,
not hidden, not deleted, not held for approval; so a figure never includes what the viewer may not see.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, distinct, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import joinedload, load_only

from community.extensions import db
from community.models import PRIVATE_KINDS, Group, Membership, Post, Topic, User, utcnow
from community.permissions import live_posts, live_topics

PERIODS = {
    "7": (_l("Last 7 days"), 7),
    "30": (_l("Last 30 days"), 30),
    "90": (_l("Last 90 days"), 90),
    "all": (_l("Whole cohort"), None),
}
ATTENTION_LIMIT = 10
QUIET_LIMIT = 500  # quiet members remembered with the figures (ids only)
QUIET_SHOWN = 20  # shown on the dashboard at first ("show all" lists up to QUIET_LIMIT)


@dataclass
class Scope:
    """What a dashboard looks at: some groups (or the whole community), over a period."""

    groups: list[Group]
    whole_community: bool
    period: str
    start: datetime
    end: datetime
    available: list[Group] = field(default_factory=list)  # every group the viewer may pick

    @property
    def group_ids(self) -> list[int]:
        return [g.id for g in self.groups]

    @property
    def days(self) -> int:
        return max(1, (self.end - self.start).days)


def facilitated_groups(user: User) -> list[Group]:
    """The groups whose dashboard the viewer may open (admins: every group)."""
    stmt = select(Group).order_by(Group.name)
    if user.role != "admin":
        ids = [gid for gid, role in user.group_roles.items() if role == "facilitator"]
        if not ids:
            return []
        stmt = stmt.where(Group.id.in_(ids))
    return list(db.session.scalars(stmt))


def make_scope(user: User, group_slug: str | None, period: str, now: datetime | None = None) -> Scope:
    """The scope asked for, narrowed to what the viewer may see; an unknown group falls back to all of theirs."""
    now = now or utcnow()
    groups = available = facilitated_groups(user)
    chosen = [g for g in groups if g.slug == group_slug] if group_slug else []
    whole = user.role == "admin" and not chosen
    if chosen:
        groups = chosen
    period = period if period in PERIODS else "30"
    days = PERIODS[period][1]
    if days is not None:
        start = now - timedelta(days=days)
    else:
        # The whole cohort: since the oldest group in scope began (the whole community: its first member).
        if groups and not whole:
            start = min(g.created_at for g in groups)
        else:
            start = db.session.scalar(select(func.min(User.created_at))) or now - timedelta(days=30)
    return Scope(groups=groups, whole_community=whole, period=period, start=start, end=now, available=available)


def _in_scope(scope: Scope, column: Any) -> ColumnElement[bool]:
    """``column`` (a topic's group id) is inside the scope."""
    if scope.whole_community:
        return true()
    if not scope.groups:
        return false()
    return column.in_(scope.group_ids)


def _live_topic() -> ColumnElement[bool]:
    # Private messages are never in the figures: nobody but their participants may know of them.
    return and_(live_topics(), Topic.kind.not_in(PRIVATE_KINDS))


def _live_post() -> ColumnElement[bool]:
    return live_posts()


# ----------------------------------------------------------------------------------------------------------
# Needs attention now


@dataclass
class Attention:
    unanswered: list[Topic]
    unanswered_total: int
    no_reply: list[Topic]
    no_reply_total: int
    reports: int
    join_requests: list[Membership]
    # Peers first: when each listed question's window ends (its group gives one); past ones are listed first.
    window_ends: dict[int, datetime] = field(default_factory=dict)
    now: datetime | None = None


def needs_attention(viewer: User, scope: Scope) -> Attention:
    """Questions with no answer (oldest first), discussions with no reply, reports and join requests waiting."""
    base = and_(_live_topic(), _in_scope(scope, Topic.group_id), Topic.reply_count == 0)
    unanswered_q = base & (Topic.kind == "question") & Topic.closed_at.is_(None)
    no_reply_q = base & (Topic.kind == "discussion") & Topic.locked.is_(False)
    # Only what the lists show (title, who, where, when): whole rows of topics, members and groups cost
    # more to load than these queries take to run.
    listed = (
        load_only(Topic.id, Topic.kind, Topic.title, Topic.created_at, Topic.group_id, Topic.author_id),
        joinedload(Topic.author).load_only(User.id, User.display_name),
        joinedload(Topic.group).load_only(Group.id, Group.name, Group.slug, Group.peers_first_hours),
    )
    # Peers first: a question whose window ended with no answer from a peer comes first (no query: the
    # thresholds come from the groups in scope).
    now = utcnow()
    windows = [g for g in (scope.groups or scope.available) if g.peers_first_hours]
    window_over = case(*((and_(Topic.group_id == g.id, Topic.created_at <= now - timedelta(hours=g.peers_first_hours)),
                          0) for g in windows), else_=1) if windows else literal(1)  # fmt: skip
    unanswered = list(
        db.session.scalars(select(Topic).options(*listed).where(unanswered_q)
                           .order_by(window_over, Topic.created_at).limit(ATTENTION_LIMIT))
    )  # fmt: skip
    no_reply = list(
        db.session.scalars(select(Topic).options(*listed).where(no_reply_q).order_by(Topic.created_at)
                           .limit(ATTENTION_LIMIT))
    )  # fmt: skip
    totals = db.session.execute(
        select(
            func.count().filter(Topic.kind == "question", Topic.closed_at.is_(None)),
            func.count().filter(Topic.kind == "discussion", Topic.locked.is_(False)),
        ).where(base, Topic.kind.in_(("question", "discussion")))  # (so ix_topics_waiting serves it)
    ).one()
    reports = _reports_waiting(viewer, scope)
    requests = list(
        db.session.scalars(
            select(Membership).options(joinedload(Membership.user), joinedload(Membership.group))
            .where(Membership.state == "requested", _in_scope(scope, Membership.group_id))
            .order_by(Membership.created_at).limit(ATTENTION_LIMIT)
        )
    )  # fmt: skip
    ends = {t.id: t.created_at + timedelta(hours=t.group.peers_first_hours)
            for t in unanswered if t.group is not None and t.group.peers_first_hours}  # fmt: skip
    return Attention(unanswered, totals[0], no_reply, totals[1], reports, requests, ends, now)


def _reports_waiting(viewer: User, scope: Scope) -> int:
    from community.models import Report
    from community.services.moderation import reports_visible_to

    stmt = select(func.count()).select_from(Report).where(Report.status == "open", reports_visible_to(viewer))
    if not scope.whole_community:
        stmt = stmt.where(Report.group_id.in_(scope.group_ids) if scope.groups else false())
    return db.session.scalar(stmt) or 0


# ----------------------------------------------------------------------------------------------------------
# Engagement per week


@dataclass
class Week:
    start: datetime
    discussions: int = 0
    replies: int = 0
    questions: int = 0
    answers: int = 0
    blog_posts: int = 0
    comments: int = 0
    active_members: int = 0

    @property
    def total(self) -> int:
        return self.discussions + self.replies + self.questions + self.answers + self.blog_posts + self.comments


def _week_index(column: Any, start: datetime) -> Any:
    """The 0-based week of ``column`` counted from ``start``, in SQL (SQLite and PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        return func.floor(func.extract("epoch", column - start) / 604800).cast(db.Integer)
    naive = start.replace(tzinfo=None).isoformat(sep=" ")
    return func.cast((func.julianday(column) - func.julianday(literal(naive))) / 7, db.Integer)


def engagement(scope: Scope) -> list[Week]:
    """Posts by kind and active members, per week of the period (two queries)."""
    weeks = [Week(start=scope.start + timedelta(days=7 * i)) for i in range((scope.days + 6) // 7)]
    if not weeks:
        return weeks
    week = _week_index(Post.created_at, scope.start).label("week")
    kind_of = case(
        (Post.number == 1, Topic.kind),
        else_=Post.kind,
    ).label("what")
    rows = db.session.execute(
        select(week, kind_of, func.count(), func.count(distinct(Post.author_id)))
        .join(Topic, Topic.id == Post.topic_id)
        .where(_live_topic(), _live_post(), _in_scope(scope, Topic.group_id),
               Post.created_at >= scope.start, Post.created_at < scope.end)
        .group_by(week, kind_of)
    ).all()  # fmt: skip
    names = {"discussion": "discussions", "reply": "replies", "question": "questions", "answer": "answers",
             "blog": "blog_posts", "comment": "comments"}  # fmt: skip
    for index, what, count, _authors in rows:
        if index is None or not 0 <= int(index) < len(weeks) or what not in names:
            continue
        item = weeks[int(index)]
        setattr(item, names[what], getattr(item, names[what]) + count)
    active = db.session.execute(
        select(week, func.count(distinct(Post.author_id)))
        .join(Topic, Topic.id == Post.topic_id)
        .where(_live_topic(), _live_post(), _in_scope(scope, Topic.group_id),
               Post.created_at >= scope.start, Post.created_at < scope.end)
        .group_by(week)
    ).all()  # fmt: skip
    for index, count in active:
        if index is not None and 0 <= int(index) < len(weeks):
            weeks[int(index)].active_members = count
    return weeks


# ----------------------------------------------------------------------------------------------------------
# Members: who posted, who is quiet


def _members_in_scope(scope: Scope) -> Any:
    """Active participants of the scope (members of its groups; the whole community: every participant)."""
    if scope.whole_community:
        return select(User.id).where(User.state == "active", User.role == "participant")
    return (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id.in_(scope.group_ids or [-1]), Membership.state == "active",
               Membership.role == "member", User.state == "active", User.role == "participant")
        .distinct()
    )  # fmt: skip


def _posted_in_period(scope: Scope, user_id: Any) -> Any:
    return exists().where(
        Post.author_id == user_id, Post.topic_id == Topic.id, _live_post(), _live_topic(),
        _in_scope(scope, Topic.group_id), Post.created_at >= scope.start, Post.created_at < scope.end,
    )  # fmt: skip


@dataclass
class Participation:
    members: int
    posted: int

    @property
    def share(self) -> float | None:
        return self.posted / self.members if self.members else None


def participation(scope: Scope) -> Participation:
    """How many participants are in scope, and how many posted at least once in the period."""
    members = _members_in_scope(scope).subquery()
    total, posted = db.session.execute(
        select(func.count(), func.count().filter(_posted_in_period(scope, members.c[0])))
        .select_from(members)
    ).one()  # fmt: skip
    return Participation(total, posted)


def quiet_member_ids(scope: Scope, limit: int = QUIET_LIMIT) -> list[tuple[int, bool]]:
    """Participants with no contribution in the period, those who never posted first: (member id, never)."""
    members = _members_in_scope(scope).subquery()
    rows = db.session.execute(
        select(User.id, User.post_count)
        .where(User.id.in_(select(members.c[0])), ~_posted_in_period(scope, User.id))
        .order_by(User.post_count, User.display_name)
        .limit(limit)
    ).all()  # fmt: skip
    return [(user_id, post_count == 0) for user_id, post_count in rows]


def load_members(quiet: list[tuple[int, bool]]) -> list[tuple[User, bool]]:
    """The quiet members themselves, in the order given (one query); members gone since are left out."""
    if not quiet:
        return []
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([i for i, _ in quiet])))}
    live = {user_id for user_id, user in found.items() if user.state == "active"}
    return [(found[user_id], never) for user_id, never in quiet if user_id in live]


@dataclass
class Figures:
    """The period's figures of a scope: engagement per week, participation, peer support, quiet members."""

    weeks: list[Week]
    participation: Participation
    peers: PeerSupport
    quiet: list[tuple[int, bool]]
    computed_at: datetime


def figures(scope: Scope, ttl: float = 0) -> Figures:
    """Every aggregate of the dashboard, computed together and reused for ``ttl`` seconds per app server.

    They sum the period's posts of every group in scope, which grows with the community; a facilitator
    reading them a minute or two late loses nothing, and the page says when they were computed. The key holds
    everything that decides what they count (the groups, the whole community or not, the period), never the
    viewer: two viewers with the same scope may see the same figures.
    """
    from flask import current_app

    from community import cache

    database = current_app.config["SQLALCHEMY_DATABASE_URI"]  # (one process may serve several communities)
    key = ("dashboard", database, scope.whole_community, tuple(sorted(scope.group_ids)), scope.period)

    def compute() -> tuple[list[Week], Participation, PeerSupport, list[tuple[int, bool]]]:
        return engagement(scope), participation(scope), peer_support(scope), quiet_member_ids(scope)

    (weeks, share, peers, quiet), at = cache.remember(key, ttl, compute)
    return Figures(weeks, share, peers, quiet, datetime.fromtimestamp(at, UTC))


# ----------------------------------------------------------------------------------------------------------
# Peer support


@dataclass
class PeerSupport:
    questions: int = 0
    answered: int = 0
    first_by_peer: int = 0
    accepted: int = 0
    accepted_from_peer: int = 0
    median_hours: float | None = None
    previous: PeerSupport | None = field(default=None, repr=False)

    @property
    def peer_first_rate(self) -> float | None:
        return self.first_by_peer / self.answered if self.answered else None

    @property
    def peer_accepted_rate(self) -> float | None:
        return self.accepted_from_peer / self.accepted if self.accepted else None


def _peer_support_between(scope: Scope, start: datetime, end: datetime) -> PeerSupport:
    where = and_(_live_topic(), Topic.kind == "question", _in_scope(scope, Topic.group_id),
                 Topic.created_at >= start, Topic.created_at < end)  # fmt: skip
    counts = db.session.execute(
        select(
            func.count(),
            func.count(Topic.first_answer_at),
            func.count().filter(Topic.first_answer_by_role == "participant"),
            func.count(Topic.accepted_post_id),
            func.count().filter(Topic.accepted_post_id.is_not(None), Topic.accepted_by_role == "participant"),
        ).where(where)
    ).one()
    pairs = db.session.execute(
        select(Topic.created_at, Topic.first_answer_at).where(where, Topic.first_answer_at.is_not(None))
    ).all()
    hours = [(answered - asked).total_seconds() / 3600 for asked, answered in pairs]
    return PeerSupport(*counts, median_hours=statistics.median(hours) if hours else None)


def peer_support(scope: Scope) -> PeerSupport:
    """Questions asked in the period: who answered first, whose answer was accepted, how fast; and the
    same for the period before, for the trend."""
    current = _peer_support_between(scope, scope.start, scope.end)
    length = scope.end - scope.start
    current.previous = _peer_support_between(scope, scope.start - length, scope.start)
    return current


# ----------------------------------------------------------------------------------------------------------
# A member's own participation (on their profile)


@dataclass
class MyParticipation:
    posts: int
    topics: int
    replies_received: int
    answers_accepted: int
    open_questions: list[Topic]


def my_participation(member: User, viewer: User) -> MyParticipation:
    """What the member contributed, replies they received, peers they helped, and open questions of peers
    in their groups that they could answer (only what the viewer may see)."""
    from community.permissions import visible_topics

    mine = db.session.execute(
        select(
            func.count(Post.id),
            func.count().filter(Post.number == 1),
        )
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == member.id, _live_post(), visible_topics(viewer))
    ).one()
    received = db.session.scalar(
        select(func.count(Post.id))
        .join(Topic, Topic.id == Post.topic_id)
        .where(Topic.author_id == member.id, Post.author_id != member.id, Post.number > 1, _live_post(),
               visible_topics(viewer))
    ) or 0  # fmt: skip
    accepted_post = db.aliased(Post)
    helped = db.session.scalar(
        select(func.count(Topic.id))
        .join(accepted_post, accepted_post.id == Topic.accepted_post_id)
        .where(accepted_post.author_id == member.id, Topic.author_id != member.id, visible_topics(viewer))
    ) or 0  # fmt: skip
    groups = select(Membership.group_id).where(Membership.user_id == member.id, Membership.state == "active")
    open_questions = list(
        db.session.scalars(
            select(Topic).options(joinedload(Topic.author), joinedload(Topic.group))
            .where(Topic.kind == "question", Topic.reply_count == 0, Topic.closed_at.is_(None),
                   Topic.author_id != member.id, or_(Topic.group_id.in_(groups), Topic.group_id.is_(None)),
                   visible_topics(viewer))
            .order_by(Topic.created_at).limit(5)
        )
    )  # fmt: skip
    return MyParticipation(mine[0], mine[1], received, helped, open_questions)
