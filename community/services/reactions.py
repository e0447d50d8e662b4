"""Reactions on any post: "like" and the small fixed set in ``models.REACTIONS``, with who reacted.

Same table and counter rules as the blogs' like button: one reaction of each kind per member and post;
a "like" moves ``Post.like_count`` (and ``Topic.like_count`` for the opening post) with UPDATE expressions,
only when a row really appeared or went.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community.database import upsert
from community.errors import Forbidden, InvalidInput
from community.extensions import db
from community.models import REACTION_LABELS, REACTIONS, Post, Reaction, Topic, User, utcnow
from community.permissions import can_react

WHO_SHOWN = 12  # names listed in the "who reacted" tooltip and list


@dataclass
class ReactionCount:
    """One kind of reaction on one post: how many, whether the viewer is among them, and some names."""

    kind: str
    emoji: str
    count: int = 0
    mine: bool = False
    names: list[str] = field(default_factory=list)

    @property
    def who(self) -> str:
        """"Ada, Sam and 3 more": who reacted, for the button's title and the list."""
        text = ", ".join(self.names)
        return f"{text} and {self.count - len(self.names)} more" if self.count > len(self.names) else text


def reaction_row(summary: list[ReactionCount] | None) -> list[tuple[str, str, ReactionCount | None]]:
    """Every reaction in the fixed order, with its count on this post when it has any: (kind, name, count)."""
    present = {r.kind: r for r in summary or ()}
    return [(kind, str(REACTION_LABELS[kind]), present.get(kind)) for kind in REACTIONS]


def toggle(actor: User, post: Post, topic: Topic, kind: str) -> bool:
    """Add the reaction, or take it back if the member had it; returns whether it is now on (commits)."""
    _check(actor, post, topic, kind)
    removed = _remove(actor, post, topic, kind)
    if not removed:
        _add(actor, post, topic, kind)
    db.session.commit()
    return not removed


def set_reaction(actor: User, post: Post, topic: Topic, kind: str, on: bool) -> None:
    """Put the reaction on or off, whatever it was (a like button; commits)."""
    _check(actor, post, topic, kind)
    if on:
        _add(actor, post, topic, kind)
    else:
        _remove(actor, post, topic, kind)
    db.session.commit()


def _check(actor: User, post: Post, topic: Topic, kind: str) -> None:
    if kind not in REACTIONS:
        raise InvalidInput(_("Please choose one of the reactions shown."), field="kind")
    if not can_react(actor, post, topic):
        raise Forbidden(_("You can't react to this post."))


def _add(actor: User, post: Post, topic: Topic, kind: str) -> bool:
    table = Reaction.__table__
    stmt = upsert(table, db.session.get_bind().dialect.name).values(
        post_id=post.id, user_id=actor.id, kind=kind, created_at=utcnow()
    )
    added = db.session.execute(
        stmt.on_conflict_do_nothing(index_elements=["post_id", "user_id", "kind"]).returning(table.c.id)
    ).first()
    if added is not None:
        _count(post, topic, kind, +1)
    return added is not None


def _remove(actor: User, post: Post, topic: Topic, kind: str) -> bool:
    removed = db.session.execute(
        delete(Reaction)
        .where(Reaction.post_id == post.id, Reaction.user_id == actor.id, Reaction.kind == kind)
        .returning(Reaction.id)
    ).first()
    if removed is not None:
        _count(post, topic, kind, -1)
    return removed is not None


def _count(post: Post, topic: Topic, kind: str, delta: int) -> None:
    # Likes are counted on the post (and the topic, for its opening post); UPDATE expressions, never
    # read-modify-write, so concurrent likes keep exact counts.
    if kind != "like":
        return
    db.session.execute(update(Post).where(Post.id == post.id).values(like_count=Post.like_count + delta))
    if post.number == 1:
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(like_count=Topic.like_count + delta))


def summaries(post_ids: Iterable[int], viewer: User | None) -> dict[int, list[ReactionCount]]:
    """Reactions per post for a page of posts, in one query: {post_id: [ReactionCount, ...]} (kinds in
    the fixed order, only those present)."""
    ids = sorted(set(post_ids))
    result: dict[int, dict[str, ReactionCount]] = {}
    if ids:
        rows = db.session.execute(
            select(Reaction.post_id, Reaction.kind, Reaction.user_id, User.display_name)
            .join(User, User.id == Reaction.user_id)
            .where(Reaction.post_id.in_(ids))
            .order_by(Reaction.id)
        )
        viewer_id = getattr(viewer, "id", None)
        for post_id, kind, user_id, name in rows:
            if kind not in REACTIONS:
                continue
            entry = result.setdefault(post_id, {}).setdefault(kind, ReactionCount(kind, REACTIONS[kind]))
            entry.count += 1
            entry.mine = entry.mine or user_id == viewer_id
            if len(entry.names) < WHO_SHOWN:
                entry.names.append(name)
    return {pid: [kinds[k] for k in REACTIONS if k in kinds] for pid, kinds in result.items()}
