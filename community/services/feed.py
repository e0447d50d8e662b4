"""The activity feed on the home page, and the tag pages.

Every published topic, reply/answer/comment, accepted answer, new member and group join adds one small
``Activity`` row (receivers below, in the writing transaction). The feed reads them newest first by id
(keyset: one primary-key index walk, the same cost on page 1 and page 1000) joined to the live Topic and
Post, filtered by ``permissions.visible_topics`` and the post rules, so anything hidden, deleted, moved or
private since it was written is left out at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from community import events, permissions
from community.auth_session import FIRST_VISIT_LOOKBACK
from community.extensions import db
from community.models import PRIVATE_KINDS, Activity, Membership, Post, PostHashtag, Tag, Topic, TopicTag, User, utcnow
from community.services.social import followed_ids, silenced_ids

FILTERS = {"all": _l("Everything"), "groups": _l("My groups"), "following": _l("People I follow")}
PAGE_SIZE = 20  # entries on a page (a busy thread's replies fold into one entry)
FIRST_BATCH = 25  # activity rows read first: enough for a page when little folds
MORE_BATCH = 100  # rows read next, when a busy thread folded most of the first batch
MAX_BATCHES = 4


# ----------------------------------------------------------------------------------------------------------
# Recording


def _add(kind: str, actor_id: int, *, topic: Topic | None = None, post: Post | None = None,
         group_id: int | None = None) -> None:  # fmt: skip
    if topic is not None and topic.kind in PRIVATE_KINDS:
        return  # private messages are never activity (their services don't send these events anyway)
    db.session.add(Activity(
        kind=kind, actor_id=actor_id, topic_id=topic.id if topic is not None else None,
        post_id=post.id if post is not None else None,
        group_id=topic.group_id if topic is not None else group_id, created_at=utcnow(),
    ))  # fmt: skip


@events.topic_published.connect
def _on_topic(topic: Topic, actor: User, post: Post | None = None, **_: Any) -> None:
    _add("topic", topic.author_id, topic=topic, post=post)


@events.post_created.connect
def _on_post(post: Post, actor: User, topic: Topic, **_: Any) -> None:
    _add("post", post.author_id, topic=topic, post=post)


@events.answer_accepted.connect
def _on_accepted(topic: Topic, actor: User, post: Post | None = None, **_: Any) -> None:
    if post is not None:
        _add("accepted", post.author_id, topic=topic, post=post)


@events.member_joined_group.connect
def _on_joined_group(membership: Membership, actor: User | None = None, group: Any = None, **_: Any) -> None:
    _add("joined_group", membership.user_id, group_id=membership.group_id)


@events.member_joined.connect
def _on_joined(user: User, **_: Any) -> None:
    _add("joined", user.id)


# ----------------------------------------------------------------------------------------------------------
# Reading


@dataclass
class Folded:
    """The earlier replies folded into an entry: how many, and who wrote them (names, newest first)."""

    count: int
    names: list[str]

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count


@dataclass
class FeedPage:
    """One page of activity, newest first, with keyset cursors both ways."""

    items: list[Activity]  # the entries' newest activities
    folded: dict[int, Folded]  # by the id of the entry's activity
    newer: int | None  # pass as ?after= for the newer page
    older: int | None  # pass as ?before= for the older page
    since: datetime  # the member's previous visit (or two weeks ago for a first one): items after it are "new"

    @property
    def entries(self) -> list[tuple[Activity, Folded]]:
        """Items to show: consecutive replies in the same topic fold into the newest one, so a busy thread is
        one entry, not twenty."""
        return [(item, self.folded.get(item.id) or Folded(0, [])) for item in self.items]


@dataclass
class _Row:
    id: int
    kind: str
    topic_id: int | None
    actor_name: str


def fold(rows: list[_Row]) -> list[tuple[_Row, list[_Row]]]:
    """Consecutive replies in the same topic as one entry: (the newest, the earlier ones)."""
    entries: list[tuple[_Row, list[_Row]]] = []
    for row in rows:
        if entries and row.kind == "post" and entries[-1][0].kind == "post" \
                and entries[-1][0].topic_id == row.topic_id:  # fmt: skip
            entries[-1][1].append(row)
        else:
            entries.append((row, []))
    return entries


def _visible(user: User) -> Any:
    """Activity rows the viewer may see: about a visible topic and live post, or a visible group/member; none
    by a member the viewer muted or blocked."""
    return and_(
        Activity.actor_id.not_in(silenced_ids(user.id)),
        or_(
            and_(Activity.topic_id.is_(None), permissions.visible_group_ids_clause(user, Activity.group_id)),
            and_(Activity.topic_id.is_not(None), permissions.visible_topics(user)),
        ),
        or_(
            Activity.post_id.is_(None),
            permissions.live_posts(),
        ),
    )


def feed(user: User, *, show: str = "all", before: int | None = None, after: int | None = None,
         limit: int = PAGE_SIZE) -> FeedPage:  # fmt: skip
    """The member's home feed: two queries, whatever the size of the community.

    First the page is decided on narrow rows (id, kind, topic, author's name), reading more of them when a
    busy thread folds most of what was read; then only the entries shown are loaded as objects. Reading a
    sixty-reply run as objects cost 13 ms; as narrow rows it costs well under one.
    """
    narrow = (
        select(Activity.id, Activity.kind, Activity.topic_id, User.display_name)
        .join(User, User.id == Activity.actor_id)
        .outerjoin(Topic, Topic.id == Activity.topic_id)
        .outerjoin(Post, Post.id == Activity.post_id)
        .where(_visible(user))
    )
    if show == "groups":
        groups = list(user.group_roles)
        narrow = narrow.where(Activity.group_id.in_(groups) if groups else false())
    elif show == "following":
        narrow = narrow.where(Activity.actor_id.in_(select_followed(user)))
    # Newest first when reading older pages; oldest first (then turned round) when reading newer ones.
    if after is not None:
        narrow = narrow.where(Activity.id > after).order_by(Activity.id)
    else:
        narrow = narrow.where(Activity.id < before) if before is not None else narrow
        narrow = narrow.order_by(Activity.id.desc())
    rows: list[_Row] = []
    size, more = FIRST_BATCH, False
    for _ in range(MAX_BATCHES):
        batch_stmt = narrow if not rows else narrow.where(
            Activity.id > rows[-1].id if after is not None else Activity.id < rows[-1].id
        )
        batch = [_Row(*r) for r in db.session.execute(batch_stmt.limit(size + 1))]
        more = len(batch) > size
        rows.extend(batch[:size])
        if not more or len(fold(rows if after is None else rows[::-1])) > limit:
            break
        size = MORE_BATCH
    if after is not None:
        entries = fold(rows[::-1])  # newest first, as shown
        kept = entries[-limit:]  # the ones right after the cursor
        cut = len(entries) > limit or more
    else:
        entries = fold(rows)
        kept = entries[:limit]
        cut = len(entries) > limit or more
    leads = [lead.id for lead, _ in kept]
    loaded = {
        a.id: a
        for a in db.session.scalars(
            select(Activity)
            .outerjoin(Topic, Topic.id == Activity.topic_id)
            .outerjoin(Post, Post.id == Activity.post_id)
            .options(
                contains_eager(Activity.topic).joinedload(Topic.group),
                contains_eager(Activity.post),
                joinedload(Activity.actor),
                joinedload(Activity.group),
            )
            .where(Activity.id.in_(leads))
        ).unique()
    } if leads else {}  # fmt: skip
    items = [loaded[i] for i in leads if i in loaded]
    folded = {lead.id: Folded(len(rest), _names(lead, rest)) for lead, rest in kept if rest}
    newest = kept[0][0].id if kept else None
    oldest = (kept[-1][1][-1] if kept[-1][1] else kept[-1][0]).id if kept else None
    if after is not None:
        return FeedPage(items, folded, newest if cut else None, oldest, _since(user))
    return FeedPage(items, folded, newest if before is not None else None, oldest if cut else None,
                    _since(user))  # fmt: skip


def _since(user: User) -> datetime:
    """What counts as new: since the previous visit, or over the last two weeks for a member without one."""
    return user.last_visit_at or utcnow() - FIRST_VISIT_LOOKBACK


def _names(lead: _Row, rest: list[_Row]) -> list[str]:
    names: list[str] = []
    for row in rest:
        if row.actor_name != lead.actor_name and row.actor_name not in names:
            names.append(row.actor_name)
    return names


def select_followed(user: User) -> Any:
    """Ids of the people the member follows, as a subquery."""
    from community.models import Subscription

    return select(Subscription.target_id).where(Subscription.user_id == user.id, Subscription.target_type == "member")


def tag_topics(user: User, name: str, *, before: int | None = None,
               limit: int = PAGE_SIZE) -> tuple[list[Topic], int | None]:  # fmt: skip
    """Topics tagged ``name`` or with a live post #hashtagged with it, that the viewer may see; newest first."""
    tagged = select(TopicTag.topic_id).join(Tag, Tag.id == TopicTag.tag_id).where(Tag.name == name)
    hashtagged = (
        select(PostHashtag.topic_id)
        .join(Post, Post.id == PostHashtag.post_id)
        .where(PostHashtag.tag == name, permissions.live_posts())
    )
    stmt = (
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.group))
        .where(permissions.visible_topics(user), or_(Topic.id.in_(tagged), Topic.id.in_(hashtagged)))
        .order_by(Topic.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(Topic.id < before)
    rows = list(db.session.scalars(stmt))
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


def find_tag(name: str) -> Tag | None:
    """The tag row by name (None when only #hashtags use it so far)."""
    return db.session.scalar(select(Tag).where(Tag.name == name))


__all__ = ["FILTERS", "FeedPage", "Folded", "feed", "find_tag", "followed_ids", "tag_topics"]


def opening_post_id(topic: Topic) -> int:
    """The id of a topic's opening post."""
    return db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1)) or 0
