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

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from community import events, permissions
from community.extensions import db
from community.models import Activity, Membership, Post, PostHashtag, Tag, Topic, TopicTag, User, utcnow
from community.services.social import followed_ids

FILTERS = {"all": "Everything", "groups": "My groups", "following": "People I follow"}
PAGE_SIZE = 20  # entries on a page (a busy thread's replies fold into one entry)
FIRST_BATCH = 25  # activity rows read first: enough for a page when little folds
MORE_BATCH = 100  # rows read next, when a busy thread folded most of the first batch
MAX_BATCHES = 4


# ----------------------------------------------------------------------------------------------------------
# Recording


def _add(kind: str, actor_id: int, *, topic: Topic | None = None, post: Post | None = None,
         group_id: int | None = None) -> None:  # fmt: skip
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
class FeedPage:
    """One page of activity, newest first, with keyset cursors both ways."""

    items: list[Activity]
    newer: int | None  # pass as ?after= for the newer page
    older: int | None  # pass as ?before= for the older page
    since: datetime | None  # the member's previous visit: items after it are "new"

    @property
    def entries(self) -> list[tuple[Activity, list[Activity]]]:
        """Items to show: consecutive replies in the same topic fold into the newest one (with the rest),
        so a busy thread is one entry, not twenty."""
        return fold(self.items)


def fold(items: list[Activity]) -> list[tuple[Activity, list[Activity]]]:
    """Consecutive replies in the same topic as one entry: (the newest, the earlier ones)."""
    entries: list[tuple[Activity, list[Activity]]] = []
    for item in items:
        if entries and item.kind == "post" and entries[-1][0].kind == "post" \
                and entries[-1][0].topic_id == item.topic_id:  # fmt: skip
            entries[-1][1].append(item)
        else:
            entries.append((item, []))
    return entries


def _visible(user: User) -> Any:
    """Activity rows the viewer may see: about a visible topic and live post, or a visible group/member."""
    return and_(
        or_(
            and_(Activity.topic_id.is_(None), permissions.visible_group_ids_clause(user, Activity.group_id)),
            and_(Activity.topic_id.is_not(None), permissions.visible_topics(user)),
        ),
        or_(
            Activity.post_id.is_(None),
            and_(Post.deleted_at.is_(None), Post.hidden_at.is_(None), Post.pending.is_(False)),
        ),
    )


def feed(user: User, *, show: str = "all", before: int | None = None, after: int | None = None,
         limit: int = PAGE_SIZE) -> FeedPage:  # fmt: skip
    """The member's home feed (one query, whatever the size of the community)."""
    stmt = (
        select(Activity)
        .outerjoin(Topic, Topic.id == Activity.topic_id)
        .outerjoin(Post, Post.id == Activity.post_id)
        .options(
            contains_eager(Activity.topic).joinedload(Topic.group),
            contains_eager(Activity.post),
            joinedload(Activity.actor),
            joinedload(Activity.group),
        )
        .where(_visible(user))
    )
    if show == "groups":
        groups = list(user.group_roles)
        stmt = stmt.where(Activity.group_id.in_(groups) if groups else false())
    elif show == "following":
        stmt = stmt.where(Activity.actor_id.in_(select_followed(user)))
    if after is not None:
        rows = list(db.session.scalars(stmt.where(Activity.id > after).order_by(Activity.id).limit(limit + 1)).unique())
        has_newer = len(rows) > limit
        items = list(reversed(rows[:limit]))
        newer = items[0].id if has_newer and items else None
        older = items[-1].id if items else None
    else:
        # Newest first, a batch at a time until the page has its entries: one query when little folds, at
        # most MAX_BATCHES when a busy thread fills batch after batch (it used to leave a page of one entry).
        rows: list[Activity] = []
        cursor, size, more = before, FIRST_BATCH, False
        for _ in range(MAX_BATCHES):
            batch_stmt = stmt if cursor is None else stmt.where(Activity.id < cursor)
            batch = list(db.session.scalars(batch_stmt.order_by(Activity.id.desc()).limit(size + 1)).unique())
            more = len(batch) > size
            rows.extend(batch[:size])
            if not more or len(fold(rows)) > limit:
                break
            cursor, size = rows[-1].id, MORE_BATCH
        entries = fold(rows)
        kept = entries[:limit]
        items = [row for lead, folded in kept for row in (lead, *folded)]
        newer = items[0].id if before is not None and items else None
        older = items[-1].id if items and (more or len(entries) > limit) else None
    return FeedPage(items, newer, older, user.last_visit_at)


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
        .where(PostHashtag.tag == name, Post.deleted_at.is_(None), Post.hidden_at.is_(None), Post.pending.is_(False))
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


__all__ = ["FILTERS", "FeedPage", "feed", "find_tag", "followed_ids", "tag_topics"]


def opening_post_id(topic: Topic) -> int:
    """The id of a topic's opening post."""
    return db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1)) or 0
