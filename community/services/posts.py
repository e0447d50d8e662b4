"""The shared content model's writes: topics, posts, edits with revisions, soft deletes, hiding, tags.

Discussions, blog posts and questions all go through here (their own services add what is particular
to them), so counters, revisions, tags, events (search, notifications, feed) and the rules for text
are the same everywhere. Counters are kept with UPDATE expressions, never read-modify-write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community import events
from community.errors import Conflict, Forbidden, InvalidInput
from community.extensions import db
from community.i18n import format_number
from community.markup import render_markdown
from community.models import Board, Group, Post, Revision, Tag, Topic, TopicRead, TopicTag, User, utcnow
from community.permissions import can_delete_post, can_edit_post, can_hide_post, can_moderate_topic
from community.services import safety, submissions
from community.services.audit import record
from community.services.media.write import record_post_uses

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TAGS = 5


# ----------------------------------------------------------------------------------------------------------
# Text rules


def clean_title(title: str | None) -> str:
    """A title with spaces folded; InvalidInput if empty or too long."""
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput(_("Please give a title."), field="title")
    limit = current_app.config["TITLE_MAX_CHARS"]
    if len(title) > limit:
        raise InvalidInput(_("Titles are %(num)d characters at most.", num=limit), field="title")
    return title


def clean_body(body: str | None, *, field: str = "body") -> str:
    """A body with trailing space trimmed; InvalidInput if empty or too long."""
    body = submissions.normalise_body(body)
    if not body:
        raise InvalidInput(_("Please write something first."), field=field)
    limit = current_app.config["POST_MAX_CHARS"]
    if len(body) > limit:
        message = _("That's too long: %(count)s characters, %(limit)s at most.", count=format_number(len(body)),
                    limit=format_number(limit))  # fmt: skip
        raise InvalidInput(message, field=field)
    return body


def parse_tags(raw: str | Iterable[str] | None) -> list[str]:
    """Tags from "a, b c" or a list: lower-case, unique, at most five; InvalidInput on a bad one."""
    if raw is None:
        return []
    items = re.split(r"[,\s]+", raw) if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        name = item.strip().lstrip("#").lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise InvalidInput(_("“%(tag)s” isn't a valid tag: use letters, digits, - and _.", tag=item.strip()[:40]),
                               field="tags")
        if name not in tags:
            tags.append(name)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(_("Use at most %(num)d tags.", num=MAX_TAGS), field="tags")
    return tags


def author_role(actor: User, group_id: int | None) -> str:
    """The role a post is written in: admin, facilitator (community or group) or participant (a peer)."""
    if actor.role == "admin":
        return "admin"
    if actor.role == "facilitator" or (group_id is not None and actor.group_roles.get(group_id) == "facilitator"):
        return "facilitator"
    return "participant"


# ----------------------------------------------------------------------------------------------------------
# Topics


def create_topic(
    actor: User,
    *,
    kind: str,
    title: str,
    body: str,
    board: Board | None = None,
    group: Group | None = None,
    tags: str | Iterable[str] | None = None,
    status: str = "published",
    publish_at: datetime | None = None,
    commit: bool = True,
    submission_key: str | None = None,
) -> Topic:
    """Start a topic with its opening post. The caller has checked the permission to post there, and the
    form's ``submission_key`` (``submissions.check``), which is stored with the opening post."""
    title = clean_title(title)
    body = clean_body(body)
    tag_names = parse_tags(tags)
    group_id = board.group_id if board is not None else (group.id if group is not None else None)
    screening = None
    if status == "published":
        # Abuse limits and pre-moderation: a held topic waits as "pending" for a moderator.
        screening = safety.screen(actor, group_id, f"{title}\n{body}")
        if screening.pending:
            status = "pending"
    now = utcnow()
    topic = Topic(
        kind=kind, board_id=board.id if board is not None else None, group_id=group_id, author_id=actor.id,
        title=title, status=status, publish_at=publish_at, created_at=now, last_activity_at=now,
        published_at=now if status == "published" else None, post_counter=1, last_poster_id=actor.id,
    )  # fmt: skip
    db.session.add(topic)
    db.session.flush()
    post = Post(
        topic_id=topic.id, author_id=actor.id, number=1, kind="opening", body=body,
        body_html=render_markdown(body), created_at=now, author_role=author_role(actor, group_id),
    )  # fmt: skip
    db.session.add(post)
    db.session.flush()
    record_post_uses(post.id, actor.id, body)
    submissions.remember(actor, submission_key, post)
    topic.last_post_id = post.id
    set_tags(topic, tag_names)
    if status == "published":
        _count_published(topic, actor, now)
        events.topic_published.send(topic, actor=actor, post=post)
    elif status == "pending" and screening is not None:
        from community.services.moderation import hold_for_review

        hold_for_review(topic, post, screening.reasons)
    if commit:
        db.session.commit()
    return topic


def _count_published(topic: Topic, actor: User, now: datetime) -> None:
    if topic.board_id is not None:
        db.session.execute(
            update(Board)
            .where(Board.id == topic.board_id)
            .values(topic_count=Board.topic_count + 1, post_count=Board.post_count + 1, last_activity_at=now)
        )
    if topic.group_id is not None:
        db.session.execute(update(Group).where(Group.id == topic.group_id).values(last_activity_at=now))
    db.session.execute(update(User).where(User.id == actor.id).values(post_count=User.post_count + 1))


def publish_due(kind: str, now: datetime, limit: int = 100) -> int:
    """Publish every scheduled topic of this kind whose time has come, as its author (one statement for
    the topics, one for their authors); returns how many. Safe to run concurrently: the rows are locked and
    another worker skips them."""
    from community.database import writing

    with writing():
        due = list(db.session.scalars(
            select(Topic)
            .where(Topic.kind == kind, Topic.status == "scheduled", Topic.publish_at <= now,
                   Topic.deleted_at.is_(None))
            .order_by(Topic.publish_at, Topic.id).limit(limit)
            .with_for_update(skip_locked=True)
        ))  # fmt: skip
        authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({t.author_id for t in due})))}
        for topic in due:
            publish_topic(authors[topic.author_id], topic, commit=False)
        db.session.commit()
    return len(due)


def publish_topic(actor: User, topic: Topic, *, commit: bool = True, screen: bool = True) -> Topic:
    """Publish a draft, scheduled or (by a moderator, ``screen=False``) held topic now."""
    if topic.status == "published":
        return topic
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    if screen and topic.status != "pending" and opening is not None:
        author_user = db.session.get(User, topic.author_id) or actor
        screening = safety.screen(author_user, topic.group_id, f"{topic.title}\n{opening.body}")
        if screening.pending:
            from community.services.moderation import hold_for_review

            topic.status = "pending"
            topic.publish_at = None
            hold_for_review(topic, opening, screening.reasons)
            if commit:
                db.session.commit()
            return topic
    now = utcnow()
    topic.status = "published"
    topic.published_at = now
    topic.publish_at = None
    topic.last_activity_at = now
    author = db.session.get(User, topic.author_id) or actor
    _count_published(topic, author, now)
    events.topic_published.send(topic, actor=author, post=opening)
    if commit:
        db.session.commit()
    return topic


def set_tags(topic: Topic, names: Iterable[str]) -> None:
    """Replace the topic's tags (creating tags as needed) and keep tag counts."""
    names = list(names)
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))} if names else {}
    for name in names:
        if name not in existing:
            tag = Tag(name=name, topic_count=0)
            db.session.add(tag)
            existing[name] = tag
    db.session.flush()
    wanted = {existing[n].id for n in names}
    current = set(db.session.scalars(select(TopicTag.tag_id).where(TopicTag.topic_id == topic.id)))
    removed, added = current - wanted, wanted - current
    if removed:
        db.session.execute(delete(TopicTag).where(TopicTag.topic_id == topic.id, TopicTag.tag_id.in_(removed)))
        db.session.execute(update(Tag).where(Tag.id.in_(removed)).values(topic_count=Tag.topic_count - 1))
    if added:
        db.session.execute(insert(TopicTag), [{"topic_id": topic.id, "tag_id": t} for t in added])
        db.session.execute(update(Tag).where(Tag.id.in_(added)).values(topic_count=Tag.topic_count + 1))


def _counts_as_reply(topic: Topic, kind: str) -> bool:
    return kind != "opening" and not (topic.kind == "question" and kind == "comment")


# ----------------------------------------------------------------------------------------------------------
# Posts


def add_post(actor: User, topic: Topic, body: str, *, kind: str = "reply", parent: Post | None = None,
             pending: bool = False, commit: bool = True, submission_key: str | None = None,
             held_until: datetime | None = None) -> Post:  # fmt: skip
    """Add a reply, answer or comment. The caller has checked ``can_reply`` and the form's
    ``submission_key`` (stored with the post). Counters stay exact under concurrent writers: the post
    number comes from an atomic UPDATE ... RETURNING on the topic."""
    body = clean_body(body)
    if parent is not None and (parent.topic_id != topic.id or parent.deleted_at is not None):
        raise InvalidInput(_("You can only reply to a live post of this same thread."), field="parent_id")
    screening = safety.screen(actor, topic.group_id, body)
    # Peers first (services.peers_first): held, not for a moderator, until the window ends; screening wins.
    held_until = held_until if not screening.pending else None
    pending = pending or screening.pending or held_until is not None
    now = utcnow()
    counts = _counts_as_reply(topic, kind) and not pending
    values: dict[str, object] = {"post_counter": Topic.post_counter + 1}
    if counts:
        values.update(reply_count=Topic.reply_count + 1, last_activity_at=now, last_poster_id=actor.id)
    number = db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(**values).returning(Topic.post_counter)
    ).scalar_one()
    post = Post(
        topic_id=topic.id, author_id=actor.id, parent_id=parent.id if parent is not None else None,
        number=number, kind=kind, body=body, body_html=render_markdown(body), created_at=now,
        author_role=author_role(actor, topic.group_id), pending=pending, held_until=held_until,
    )  # fmt: skip
    db.session.add(post)
    db.session.flush()
    record_post_uses(post.id, actor.id, body)
    submissions.remember(actor, submission_key, post)
    if parent is not None:
        db.session.execute(update(Post).where(Post.id == parent.id).values(child_count=Post.child_count + 1))
    if counts:
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(last_post_id=post.id))
        if topic.board_id is not None:
            db.session.execute(
                update(Board)
                .where(Board.id == topic.board_id)
                .values(post_count=Board.post_count + 1, last_activity_at=now)
            )
        if topic.group_id is not None:
            db.session.execute(update(Group).where(Group.id == topic.group_id).values(last_activity_at=now))
        db.session.execute(update(User).where(User.id == actor.id).values(post_count=User.post_count + 1))
        events.post_created.send(post, actor=actor, topic=topic)
    elif not pending:
        # Comments on questions don't count as replies but are live posts all the same (search, mentions).
        events.post_created.send(post, actor=actor, topic=topic)
    elif pending and held_until is None:
        from community.services.moderation import hold_for_review

        hold_for_review(topic, post, screening.reasons or [_("Held for approval.")])
    if commit:
        db.session.commit()
    return post


def release_post(actor: User, post: Post, topic: Topic) -> None:
    """A moderator approves a held reply, answer or comment: it becomes visible and counts (no commit)."""
    if not post.pending:
        return
    post.pending = False
    now = utcnow()
    if _counts_as_reply(topic, post.kind) and post.deleted_at is None and post.hidden_at is None:
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(reply_count=Topic.reply_count + 1, last_activity_at=now, last_poster_id=post.author_id,
                    last_post_id=post.id)
        )
        if topic.board_id is not None:
            db.session.execute(
                update(Board).where(Board.id == topic.board_id).values(post_count=Board.post_count + 1,
                                                                       last_activity_at=now)
            )
        db.session.execute(update(User).where(User.id == post.author_id).values(post_count=User.post_count + 1))
    author = db.session.get(User, post.author_id) or actor
    events.post_created.send(post, actor=author, topic=topic)


def edit_post(actor: User, post: Post, topic: Topic, body: str, *, title: str | None = None,
              base_revision: int | None = None, tags: str | Iterable[str] | None = None) -> Post:  # fmt: skip
    """Edit a post (and, for the opening post, the title and tags), keeping the old text as a Revision.

    ``base_revision`` is the ``revision_count`` the editor started from: if someone else saved in between,
    Conflict is raised and nothing changes (no silent overwrite).
    """
    if not can_edit_post(actor, post, topic):
        raise Forbidden(_("You can't edit this post."))
    body = clean_body(body)
    new_title = clean_title(title) if (title is not None and post.number == 1) else None
    tag_names = parse_tags(tags) if (tags is not None and post.number == 1) else None
    expected = post.revision_count if base_revision is None else base_revision
    old_body, old_title = post.body, topic.title
    if body == old_body and (new_title is None or new_title == old_title) and tag_names is None:
        return post
    now = utcnow()
    changed = db.session.execute(
        update(Post)
        .where(and_(Post.id == post.id, Post.revision_count == expected))
        .values(body=body, body_html=render_markdown(body), edited_at=now, revision_count=Post.revision_count + 1)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict(
            _("Someone edited this post after you opened it. Your text is below: review their changes and save again."),
            field="body",
        )
    old_revision_title = old_title if post.number == 1 else None
    db.session.add(
        Revision(post_id=post.id, editor_id=actor.id, number=expected + 1, title=old_revision_title, body=old_body)
    )
    record_post_uses(post.id, post.author_id, body, old_body)  # the author's images, whoever edits
    if new_title is not None and new_title != old_title:
        topic.title = new_title
    if tag_names is not None:
        set_tags(topic, tag_names)
    if post.author_id != actor.id:
        record(actor, "post.edit", post, group_id=topic.group_id)
    events.post_edited.send(post, actor=actor, topic=topic, old_body=old_body)
    db.session.commit()
    return post


def delete_post(actor: User, post: Post, topic: Topic) -> None:
    """Soft-delete: the post shows as deleted, the thread stays intact, the text is kept (commits)."""
    if not can_delete_post(actor, post, topic):
        raise Forbidden(_("You can't delete this post."))
    post.deleted_at = utcnow()
    post.deleted_by_id = actor.id
    if post.hidden_at is None and not post.pending:
        _uncount(topic, post)
        _refresh_last_activity(topic, post)
    if post.author_id != actor.id:
        record(actor, "post.delete", post, group_id=topic.group_id)
    events.post_removed.send(post, actor=actor, topic=topic, reason="deleted")
    db.session.commit()


def hide_post(actor: User, post: Post, topic: Topic, reason: str = "") -> None:
    """A moderator hides a post: kept, shown to its author with the reason, gone from everyone else (commits)."""
    if not can_hide_post(actor, post, topic):
        raise Forbidden(_("Only moderators can hide posts."))
    if post.hidden_at is not None:
        return
    post.hidden_at = utcnow()
    post.hidden_reason = reason.strip().rstrip(".").rstrip()[:500]  # shown as "Hidden by a moderator: <reason>."
    post.hidden_by_id = actor.id
    if post.deleted_at is None and not post.pending:
        _uncount(topic, post)
        _refresh_last_activity(topic, post)
    record(actor, "post.hide", post, reason=reason, group_id=topic.group_id)
    events.post_removed.send(post, actor=actor, topic=topic, reason=reason or "hidden")
    db.session.commit()


def restore_post(actor: User, post: Post, topic: Topic) -> None:
    """A moderator restores a hidden post (commits)."""
    if not can_moderate_topic(actor, topic):
        raise Forbidden(_("Only moderators can restore posts."))
    if post.hidden_at is None:
        return
    post.hidden_at = None
    post.hidden_reason = ""
    post.hidden_by_id = None
    if post.deleted_at is None and not post.pending and _counts_as_reply(topic, post.kind):
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(reply_count=Topic.reply_count + 1))
        if topic.board_id is not None:  # hiding took it off the board's count (see _uncount): put it back
            db.session.execute(update(Board).where(Board.id == topic.board_id).values(post_count=Board.post_count + 1))
        _refresh_last_activity(topic, post)
    record(actor, "post.restore", post, group_id=topic.group_id)
    events.post_restored.send(post, actor=actor, topic=topic)
    db.session.commit()


def undelete_post(actor: User, post: Post, topic: Topic) -> None:
    """Staff undo a delete: the post shows again and counts again (no commit; the caller checked and commits)."""
    if post.deleted_at is None:
        return
    post.deleted_at = None
    post.deleted_by_id = None
    if post.hidden_at is None and not post.pending and _counts_as_reply(topic, post.kind):
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(reply_count=Topic.reply_count + 1))
        if topic.board_id is not None:
            db.session.execute(update(Board).where(Board.id == topic.board_id).values(post_count=Board.post_count + 1))
    _refresh_last_activity(topic, post)
    record(actor, "post.undelete", post, group_id=topic.group_id)
    events.post_restored.send(post, actor=actor, topic=topic)


def _refresh_last_activity(topic: Topic, post: Post) -> None:
    """A post leaving (deleted, hidden) or coming back (restored) may change the topic's latest activity, and
    so its board's and group's: recompute them from the live posts. Nothing to do (and no query) when the post
    was not, and is not to be, the latest."""
    restored = post.deleted_at is None and post.hidden_at is None and not post.pending
    if restored and topic.last_activity_at is not None and post.created_at <= topic.last_activity_at:
        return
    if not restored and topic.last_post_id != post.id:
        return
    latest = db.session.execute(
        select(Post.id, Post.author_id, Post.created_at)
        .where(Post.topic_id == topic.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None), Post.pending.is_(False),
               Post.kind != "opening", *([Post.kind != "comment"] if topic.kind == "question" else []))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    ).first()  # fmt: skip
    if latest is not None:
        values = {"last_activity_at": latest.created_at, "last_poster_id": latest.author_id, "last_post_id": latest.id}
    else:  # only the opening post is left: the topic's own start
        opening_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1))
        values = {"last_activity_at": topic.published_at or topic.created_at, "last_poster_id": topic.author_id,
                  "last_post_id": opening_id}  # fmt: skip
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(**values))
    for column, owner_id, owner in ((Topic.board_id, topic.board_id, Board), (Topic.group_id, topic.group_id, Group)):
        if owner_id is None:
            continue
        newest = (
            select(func.max(Topic.last_activity_at))
            .where(column == owner_id, Topic.status == "published", Topic.deleted_at.is_(None),
                   Topic.hidden_at.is_(None))
            .scalar_subquery()
        )  # fmt: skip
        db.session.execute(update(owner).where(owner.id == owner_id)
                           .values(last_activity_at=func.coalesce(newest, owner.last_activity_at)))  # fmt: skip
    for key, value in values.items():
        set_committed_value(topic, key, value)


def _uncount(topic: Topic, post: Post) -> None:
    if _counts_as_reply(topic, post.kind):
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(reply_count=Topic.reply_count - 1))
        if topic.board_id is not None:
            db.session.execute(update(Board).where(Board.id == topic.board_id).values(post_count=Board.post_count - 1))


# ----------------------------------------------------------------------------------------------------------
# Reading


def revisions_of(post: Post) -> list[Revision]:
    """A post's earlier versions, newest first, with their editors."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(Revision).options(joinedload(Revision.editor)).where(Revision.post_id == post.id)
            .order_by(Revision.number.desc())
        )
    )


def read_position(user: User, topic: Topic) -> int:
    """How far the member has read the topic (0: never opened)."""
    return db.session.scalar(
        select(TopicRead.last_read_number).where(TopicRead.user_id == user.id, TopicRead.topic_id == topic.id)
    ) or 0


def mark_read(user: User, topic: Topic, number: int, known: int | None = None) -> None:
    """Remember how far the member has read (never moves backwards); see database.side_write.

    ``known`` is the read position the caller already loaded: when it is already this far, nothing is
    written (re-reading a thread must not take the write lock on every view)."""
    from community.database import side_write

    if known is not None and known >= number:
        return
    side_write([read_position_statement(user.id, topic.id, number)])


def read_position_statement(user_id: int, topic_id: int, number: int) -> Any:
    """The upsert that moves a member's read position forward to ``number`` (never backwards)."""
    from community.database import upsert

    now = utcnow()
    stmt = upsert(TopicRead.__table__, db.engine.dialect.name).values(
        user_id=user_id, topic_id=topic_id, last_read_number=number, read_at=now
    )
    return stmt.on_conflict_do_update(
        index_elements=["user_id", "topic_id"],
        set_={"last_read_number": number, "read_at": now},
        where=TopicRead.__table__.c.last_read_number < number,
    )
