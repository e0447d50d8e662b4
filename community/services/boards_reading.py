"""Read side of the boards: board pages (keyset pagination), topic pages, unread and "new since".

Every query here runs a fixed number of statements whatever the data size, and every list of topics is
filtered with ``permissions.visible_topics`` so nothing private leaks into a listing or a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, false, or_, select, true, tuple_
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Board, Post, Subscription, Tag, Topic, TopicRead, TopicTag, User
from community.permissions import visible_topics

TOPICS_PER_PAGE = 20
POSTS_PER_PAGE = 20
NEW_SINCE_LIMIT = 50
NEW_SINCE_DEFAULT = timedelta(days=14)  # for a member without a previous visit


def encode_cursor(topic: Topic) -> str:
    """A keyset cursor for a topic: its last activity (microseconds) and id."""
    stamp = int(topic.last_activity_at.timestamp() * 1_000_000)
    return f"{stamp}.{topic.id}"


def decode_cursor(raw: str | None) -> tuple[datetime, int] | None:
    """The (last_activity_at, id) of a cursor, or None when absent or malformed."""
    if not raw:
        return None
    try:
        stamp, topic_id = raw.split(".", 1)
        return datetime.fromtimestamp(int(stamp) / 1_000_000, UTC), int(topic_id)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass
class BoardPage:
    """One page of a board: pinned discussions (first page only) and a keyset page of the others."""

    pinned: list[Topic]
    topics: list[Topic]
    tags: dict[int, list[str]]
    reads: dict[int, int]
    next_cursor: str | None = None
    prev_cursor: str | None = None
    is_first: bool = True


def tags_for(topic_ids: list[int]) -> dict[int, list[str]]:
    """Tag names of several topics in one query."""
    rows = db.session.execute(
        select(TopicTag.topic_id, Tag.name).join(Tag, Tag.id == TopicTag.tag_id)
        .where(TopicTag.topic_id.in_(topic_ids)).order_by(Tag.name)
    ).all()  # fmt: skip
    result: dict[int, list[str]] = {}
    for topic_id, name in rows:
        result.setdefault(topic_id, []).append(name)
    return result


def reads_for(user: User, topic_ids: list[int]) -> dict[int, int]:
    """How far the member has read each of these topics (absent: never opened)."""
    rows = db.session.execute(
        select(TopicRead.topic_id, TopicRead.last_read_number).where(
            TopicRead.user_id == user.id, TopicRead.topic_id.in_(topic_ids)
        )
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def _listing() -> Select[tuple[Topic]]:
    return select(Topic).options(joinedload(Topic.last_poster), joinedload(Topic.author))


def board_page(user: User, board: Board, *, before: str | None = None, after: str | None = None) -> BoardPage:
    """Discussions of a board: pinned first, then by last activity, keyset-paginated on (last_activity_at, id)."""
    # Only discussions live on boards; no kind filter, so the planner seeks ix_topics_board_listing.
    base = _listing().where(Topic.board_id == board.id, visible_topics(user))
    key = tuple_(Topic.last_activity_at, Topic.id)
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    is_first = after_key is None and before_key is None
    pinned = list(db.session.scalars(
        base.where(Topic.pinned == true()).order_by(Topic.last_activity_at.desc(), Topic.id.desc())
    )) if is_first else []  # fmt: skip
    # '= false', not 'IS false': an equality the (board_id, pinned, last_activity_at, id) index can seek on.
    rest = base.where(Topic.pinned == false())
    if after_key is not None:
        # Going back towards newer discussions: read upwards, then put them in display order.
        rows = list(db.session.scalars(
            rest.where(key > after_key).order_by(Topic.last_activity_at, Topic.id).limit(TOPICS_PER_PAGE + 1)
        ))  # fmt: skip
        has_newer = len(rows) > TOPICS_PER_PAGE
        topics = list(reversed(rows[:TOPICS_PER_PAGE]))
        has_older = True
    else:
        if before_key is not None:
            rest = rest.where(key < before_key)
        rows = list(db.session.scalars(
            rest.order_by(Topic.last_activity_at.desc(), Topic.id.desc()).limit(TOPICS_PER_PAGE + 1)
        ))  # fmt: skip
        has_older = len(rows) > TOPICS_PER_PAGE
        topics = rows[:TOPICS_PER_PAGE]
        has_newer = before_key is not None
    ids = [t.id for t in pinned + topics]
    page = BoardPage(pinned=pinned, topics=topics, tags=tags_for(ids), reads=reads_for(user, ids), is_first=is_first)
    if topics and has_older:
        page.next_cursor = encode_cursor(topics[-1])
    if topics and has_newer:
        page.prev_cursor = encode_cursor(topics[0])
    if has_newer and not topics:
        page.is_first = True
    return page


@dataclass
class TopicPage:
    """One page of a discussion's posts, with what the reader needs around it."""

    posts: list[Post]
    page: int
    pages: int
    tags: list[str]
    last_read: int | None
    subscribed: bool
    first_unread: int | None = None
    numbers: list[int] = field(default_factory=list)

    @property
    def first_unread_page(self) -> int | None:
        return None if self.first_unread is None else (self.first_unread - 1) // POSTS_PER_PAGE + 1


def page_count(topic: Topic) -> int:
    """Pages of a discussion (post numbers are contiguous, so this needs no query)."""
    return max(1, (topic.post_counter + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE)


def topic_page(user: User, topic: Topic, page: int = 1) -> TopicPage:
    """Posts ``(page-1)*20+1 .. page*20`` of a discussion in order, with authors, tags and read state."""
    pages = page_count(topic)
    page = min(max(page, 1), pages)
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(db.session.scalars(
        select(Post).options(joinedload(Post.author), joinedload(Post.deleted_by))
        .where(Post.topic_id == topic.id, Post.number >= first, Post.number < first + POSTS_PER_PAGE)
        .order_by(Post.number)
    ))  # fmt: skip
    last_read = reads_for(user, [topic.id]).get(topic.id)
    subscribed = bool(db.session.scalar(
        select(Subscription.id).where(
            Subscription.user_id == user.id, Subscription.target_type == "topic", Subscription.target_id == topic.id
        )
    ))  # fmt: skip
    first_unread = None
    if last_read is not None and last_read < topic.post_counter:
        first_unread = last_read + 1
    return TopicPage(posts=posts, page=page, pages=pages, tags=tags_for([topic.id]).get(topic.id, []),
                     last_read=last_read, subscribed=subscribed, first_unread=first_unread)  # fmt: skip


def new_since(user: User, since: datetime | None = None) -> tuple[datetime, list[Topic], dict[int, int]]:
    """Discussions on boards the member may see with activity since their last visit, or unread replies
    in discussions they have opened; newest first (at most 50)."""
    since = since or user.last_visit_at or (datetime.now(UTC) - NEW_SINCE_DEFAULT)
    read = TopicRead.__table__
    stmt = (
        _listing().options(joinedload(Topic.board))
        .outerjoin(read, and_(read.c.topic_id == Topic.id, read.c.user_id == user.id))
        .where(Topic.kind == "discussion", visible_topics(user))
        .where(or_(
            and_(Topic.last_activity_at > since, Topic.last_poster_id != user.id),
            read.c.last_read_number < Topic.post_counter,
        ))
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
        .limit(NEW_SINCE_LIMIT)
    )  # fmt: skip
    topics = list(db.session.scalars(stmt).unique())
    return since, topics, reads_for(user, [t.id for t in topics])
