"""Follow members and watch things: discussions, boards, questions, blogs, groups and tags.

Both are ``Subscription`` rows: target_type ``member`` (I follow this person), ``topic`` (a discussion,
question or blog post), ``board``, ``group``, ``blog`` (target_id = the blog's author) or ``tag``.
The callers check the target is visible (an ``access_*`` loader) before they call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, select, union_all

from community.database import upsert
from community.errors import InvalidInput
from community.extensions import db
from community.models import MemberRelation, Post, PostHashtag, Subscription, Tag, Topic, TopicTag, User, utcnow
from community.permissions import live_posts, visible_topics

TARGET_TYPES = ("member", "topic", "board", "group", "blog", "tag")
#: The relations (``services.moderation.set_relation``) that silence a member for the one who set them.
SILENCING = ("mute", "block")


def _check(target_type: str) -> None:
    if target_type not in TARGET_TYPES:
        raise InvalidInput(_("You can't follow that."), field="target_type")


def watch(actor: User, target_type: str, target_id: int) -> None:
    """Start watching (or following) a target; idempotent (commits)."""
    _check(target_type)
    if target_type == "member" and target_id == actor.id:
        raise InvalidInput(_("You can't follow yourself."), field="target_id")
    stmt = upsert(Subscription.__table__, db.session.get_bind().dialect.name).values(
        user_id=actor.id, target_type=target_type, target_id=target_id, created_at=utcnow()
    )
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["user_id", "target_type", "target_id"]))
    db.session.commit()


def unwatch(actor: User, target_type: str, target_id: int) -> None:
    """Stop watching (or following) a target (commits)."""
    _check(target_type)
    db.session.execute(
        delete(Subscription).where(
            Subscription.user_id == actor.id,
            Subscription.target_type == target_type,
            Subscription.target_id == target_id,
        )
    )
    db.session.commit()


def follow(actor: User, member: User) -> None:
    """Follow a member: their new posts reach the feed filter and "new content" notifications."""
    watch(actor, "member", member.id)


def unfollow(actor: User, member: User) -> None:
    """Stop following a member."""
    unwatch(actor, "member", member.id)


def is_watching(user: User, target_type: str, target_id: int) -> bool:
    """Whether the member watches (or follows) this target."""
    return (
        db.session.scalar(
            select(Subscription.id).where(
                Subscription.user_id == user.id,
                Subscription.target_type == target_type,
                Subscription.target_id == target_id,
            )
        )
        is not None
    )


def watchers(targets: Iterable[tuple[str, int | None]]) -> set[int]:
    """The members watching any of these targets, in one query."""
    pairs = [(t, i) for t, i in targets if i is not None]
    if not pairs:
        return set()
    from sqlalchemy import and_, or_

    clause = or_(*(and_(Subscription.target_type == t, Subscription.target_id == i) for t, i in pairs))
    return set(db.session.scalars(select(Subscription.user_id).where(clause)))


def followed_ids(user: User) -> list[int]:
    """Ids of the members this member follows."""
    return list(
        db.session.scalars(
            select(Subscription.target_id).where(Subscription.user_id == user.id, Subscription.target_type == "member")
        )
    )


def tag_for_watching(name: str) -> Tag:
    """The tag by name, created when a member follows a #hashtag nobody has used as a tag yet (commits)."""
    tag = db.session.scalar(select(Tag).where(Tag.name == name))
    if tag is None:
        stmt = upsert(Tag.__table__, db.session.get_bind().dialect.name).values(name=name, topic_count=0)
        db.session.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
        db.session.commit()
        tag = db.session.scalar(select(Tag).where(Tag.name == name))
    assert tag is not None
    return tag


def autocomplete(query: str, limit: int = 8) -> list[User]:
    """Active members whose handle (or name) starts with ``query``, for @mention completion."""
    from sqlalchemy import func, or_

    query = query.strip().lstrip("@").lower()
    if not query or len(query) > 30:
        return []
    # Escape LIKE wildcards: the query is a prefix, not a pattern.
    prefix = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.state == "active",
                or_(User.handle.like(prefix, escape="\\"), func.lower(User.display_name).like(prefix, escape="\\")),
            )
            .order_by(User.handle)
            .limit(limit)
        )
    )


def silenced_ids(user_id: Any) -> Select[tuple[int]]:
    """Ids of the members this member muted or blocked, as a subquery (``user_id`` may be a bound parameter)."""
    return select(MemberRelation.other_id).where(MemberRelation.user_id == user_id,
                                                 MemberRelation.kind.in_(SILENCING))  # fmt: skip


def silencing_ids(actor_id: int) -> Select[tuple[int]]:
    """Ids of the members who muted or blocked this member, as a subquery."""
    return select(MemberRelation.user_id).where(MemberRelation.other_id == actor_id,
                                                MemberRelation.kind.in_(SILENCING))  # fmt: skip


def suggest_tags(viewer: User, query: str, limit: int = 8) -> list[str]:
    """Tags and #hashtags starting with ``query`` on topics the viewer can see (a private group's tags stay
    unknown outside it), the most used first: #tag completion in the composer. One query."""
    query = query.strip().lstrip("#").lower()
    if not query or len(query) > 40:
        return []
    prefix = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    tagged = (
        select(Tag.name.label("name"))
        .join(TopicTag, TopicTag.tag_id == Tag.id)
        .join(Topic, Topic.id == TopicTag.topic_id)
        .where(Tag.name.like(prefix, escape="\\"), visible_topics(viewer))
    )
    written = (
        select(PostHashtag.tag.label("name"))
        .join(Post, Post.id == PostHashtag.post_id)
        .join(Topic, Topic.id == PostHashtag.topic_id)
        .where(PostHashtag.tag.like(prefix, escape="\\"), visible_topics(viewer), live_posts())
    )
    names = union_all(tagged, written).subquery()
    uses = func.count().label("uses")
    rows = db.session.execute(
        select(names.c.name, uses).group_by(names.c.name).order_by(uses.desc(), names.c.name).limit(limit)
    )
    return [name for name, _uses in rows]
