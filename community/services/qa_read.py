"""Q&A reads: the question list (keyset-paginated, so deep pages stay fast), a question's thread, and
similar questions. Every query builds on ``permissions.visible_topics``; the number of queries per page
does not grow with the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.extensions import db
from community.models import Group, Post, Tag, Topic, TopicTag, Unit, Vote
from community.permissions import can_view_post, can_view_topic, is_member, visible_topics
from community.search import SearchHit, search_topics

FILTERS = ("all", "unanswered", "unaccepted", "mine")
SORTS = {"newest": Topic.published_at, "activity": Topic.last_activity_at, "votes": Topic.score}
PER_PAGE = 20


@dataclass
class QuestionPage:
    """One page of questions and the cursors to the pages around it."""

    items: list[Topic]
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_prev(self) -> bool:
        return self.prev_cursor is not None


def _encode(topic: Topic, sort: str) -> str:
    value = getattr(topic, SORTS[sort].key)
    return f"{value.isoformat() if isinstance(value, datetime) else int(value or 0)}_{topic.id}"


def _decode(cursor: str | None, sort: str) -> tuple[Any, int] | None:
    """A cursor back into (sort value, id); None when it is missing or malformed (then: the first page)."""
    if not cursor or "_" not in cursor:
        return None
    raw, _, raw_id = cursor.rpartition("_")
    try:
        value: Any = datetime.fromisoformat(raw) if sort != "votes" else int(raw)
        if isinstance(value, datetime) and value.tzinfo is None:
            return None
        return value, int(raw_id)
    except ValueError:
        return None


def list_questions(user: Any, *, filter: str = "all", sort: str = "newest", tag: str | None = None,
                   group: Group | None = None, unit: str | None = None, after: str | None = None,
                   before: str | None = None, per_page: int = PER_PAGE) -> QuestionPage:  # fmt: skip
    """Questions the member may see, newest / most active / best voted first, ``per_page`` at a time."""
    filter = filter if filter in FILTERS else "all"
    sort = sort if sort in SORTS else "newest"
    key = SORTS[sort]
    query = (
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.group), selectinload(Topic.tags))
        .where(Topic.kind == "question", visible_topics(user))
    )
    if filter == "unanswered":
        query = query.where(Topic.reply_count == 0, Topic.closed_at.is_(None))
    elif filter == "unaccepted":
        query = query.where(Topic.accepted_post_id.is_(None), Topic.closed_at.is_(None))
    elif filter == "mine":
        query = query.where(Topic.author_id == user.id)
    if group is not None:
        query = query.where(Topic.group_id == group.id)
    if unit:
        query = query.where(Topic.unit_id.in_(select(Unit.id).where(Unit.code == unit.strip().upper())))
    if tag:
        query = query.where(
            Topic.id.in_(select(TopicTag.topic_id).join(Tag, Tag.id == TopicTag.tag_id).where(Tag.name == tag))
        )
    backwards = _decode(before, sort) if after is None else None
    position = _decode(after, sort) if backwards is None else backwards
    if position is not None:
        value, last_id = position
        if backwards is None:
            query = query.where(or_(key < value, and_(key == value, Topic.id < last_id)))
        else:
            query = query.where(or_(key > value, and_(key == value, Topic.id > last_id)))
    order = (key.asc(), Topic.id.asc()) if backwards is not None else (key.desc(), Topic.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards is not None:
        rows.reverse()
        page = QuestionPage(rows, next_cursor=_encode(rows[-1], sort) if rows else None)
        page.prev_cursor = _encode(rows[0], sort) if more and rows else None
        return page
    page = QuestionPage(rows)
    page.next_cursor = _encode(rows[-1], sort) if more else None
    page.prev_cursor = _encode(rows[0], sort) if position is not None and rows else None
    return page


def groups_of(user: Any) -> list[Group]:
    """The groups the member belongs to (for "where does it live" and the group filter), by name."""
    if not is_member(user) or not user.group_roles:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(list(user.group_roles))).order_by(Group.name)))


@dataclass
class Thread:
    """What a question page shows: the question, its answers in order, comments by post, my votes."""

    opening: Post
    answers: list[Post]
    comments: dict[int, list[Post]] = field(default_factory=dict)
    my_votes: dict[int, int] = field(default_factory=dict)
    tags: list[Tag] = field(default_factory=list)
    duplicate_of: Topic | None = None


def question_thread(user: Any, topic: Topic, *, sort: str = "votes") -> Thread:
    """The question's posts the member may see: accepted answer first, then by score or newest."""
    posts = list(
        db.session.scalars(
            select(Post).options(joinedload(Post.author), joinedload(Post.deleted_by)).where(Post.topic_id == topic.id)
        )
    )
    visible = [p for p in posts if p.deleted_at is None and can_view_post(user, p, topic)]
    opening = next(p for p in posts if p.number == 1)
    answers = [p for p in visible if p.kind == "answer"]
    if sort == "newest":
        answers.sort(key=lambda p: p.created_at, reverse=True)
    else:
        answers.sort(key=lambda p: (-p.score, p.created_at))
    answers.sort(key=lambda p: p.id != topic.accepted_post_id)  # stable: the accepted one moves to the top
    comments: dict[int, list[Post]] = {}
    for post in sorted((p for p in visible if p.kind == "comment"), key=lambda p: p.created_at):
        comments.setdefault(post.parent_id or opening.id, []).append(post)
    ids = [opening.id, *(a.id for a in answers)]
    rows = db.session.execute(select(Vote.post_id, Vote.value).where(Vote.user_id == user.id, Vote.post_id.in_(ids)))
    my_votes = {post_id: value for post_id, value in rows}
    tags = tags_of(topic)
    duplicate_of = None
    if topic.duplicate_of_id is not None:
        target = db.session.scalar(
            select(Topic).options(joinedload(Topic.group)).where(Topic.id == topic.duplicate_of_id)
        )
        duplicate_of = target if target is not None and can_view_topic(user, target) else None
    return Thread(opening, answers, comments, my_votes, tags, duplicate_of)


def tags_of(topic: Topic) -> list[Tag]:
    """A topic's tags, by name."""
    query = select(Tag).join(TopicTag, TopicTag.tag_id == Tag.id).where(TopicTag.topic_id == topic.id)
    return list(db.session.scalars(query.order_by(Tag.name)))


def similar_questions(user: Any, title: str | None, *, limit: int = 5) -> list[SearchHit]:
    """Questions the member may see that look like the title being typed (any of its words)."""
    if not title or len(title.strip()) < 4:
        return []
    return search_topics(user, title, kinds=("question",), any_word=True, prefix_last=True, limit=limit)
