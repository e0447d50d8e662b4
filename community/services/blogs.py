"""Member blogs: writing, drafts and scheduling, comments, likes, featuring, closing, feed tokens.

A blog post is a Topic of kind ``blog`` (no board; ``group_id`` is the group it is shared to, or NULL for
the whole community); its opening Post holds the body and comments are Posts of kind ``comment``
threaded by ``parent_id``. The shared rules for text, counters and revisions live in services.posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select, update

from community.errors import Forbidden, InvalidInput, NotFound, RateLimited, Unavailable
from community.extensions import db
from community.markup import render_markdown
from community.models import Group, Post, Tag, Topic, TopicTag, Upload, UrlToken, User, utcnow
from community.permissions import (
    can_blog_to_group,
    can_close_comments,
    can_edit_post,
    can_feature,
    can_manage_blog_post,
    can_moderate_topic,
    can_reply,
    can_view_post,
    is_member,
)
from community.services import posts, submissions, url_tokens
from community.services.audit import record
from community.services.images import save_image
from community.services.media.write import record_post_uses
from community.services.media.write import upload_inline_image as upload_inline_image  # its home moved; callers keep it
from community.services.programmes import check_unit

# ----------------------------------------------------------------------------------------------------------
# Writing


def _audience(actor: User, group: Group | None) -> Group | None:
    if group is not None and not can_blog_to_group(actor, group):
        raise InvalidInput(_("You can share a post only with a group you belong to."), field="group_id")
    return group


def _check_schedule(publish_at: datetime | None, now: datetime) -> datetime:
    if publish_at is None:
        raise InvalidInput(_("Please choose the date and time to publish."), field="publish_at")
    if publish_at <= now:
        raise InvalidInput(_("That time has already passed: choose a time in the future."), field="publish_at")
    return publish_at


def write_post(actor: User, *, title: str, body: str, tags: str | Iterable[str] | None = None,
               group: Group | None = None, action: str = "draft", publish_at: datetime | None = None,
               cover: IO[bytes] | None = None, now: datetime | None = None, unit_id: int | str | None = None,
               submission_key: str | None = None) -> Topic:  # fmt: skip
    """Write a blog post: ``action`` is draft, publish or schedule (with ``publish_at``). Commits."""
    submission_key = submissions.check(actor, submission_key, body)
    if not is_member(actor):
        raise Forbidden(_("Only members can write blog posts."))
    now = now or utcnow()
    # Validate everything cheap before touching files, so bad input stores nothing.
    posts.clean_title(title)
    posts.clean_body(body)
    posts.parse_tags(tags)
    group = _audience(actor, group)
    checked_unit = check_unit(group, unit_id)
    status = {"draft": "draft", "publish": "published", "schedule": "scheduled"}.get(action)
    if status is None:
        raise InvalidInput(_("Choose to save a draft, publish or schedule."), field="action")
    if status == "scheduled":
        publish_at = _check_schedule(publish_at, now)
    cover_upload = _save_cover(actor, cover) if cover is not None else None
    topic = posts.create_topic(actor, kind="blog", title=title, body=body, group=group, tags=tags, status=status,
                               publish_at=publish_at if status == "scheduled" else None, commit=False,
                               submission_key=submission_key)  # fmt: skip
    topic.unit_id = checked_unit
    if cover_upload is not None:
        cover_upload.topic_id = topic.id
        topic.cover_path = cover_upload.name
    db.session.commit()
    return topic


def _save_cover(actor: User, cover: IO[bytes], topic_id: int | None = None) -> Upload:
    try:
        return save_image(actor, cover, "cover", topic_id=topic_id)
    except (InvalidInput, RateLimited, Unavailable) as err:
        raise type(err)(err.message, field="cover") from err


def update_post(actor: User, topic: Topic, opening: Post, *, title: str, body: str,
                tags: str | Iterable[str] | None = None, group: Group | None = None,
                base_revision: int | None = None, cover: IO[bytes] | None = None,
                remove_cover: bool = False, action: str = "save", publish_at: datetime | None = None,
                now: datetime | None = None) -> Topic:  # fmt: skip
    """Edit a blog post, then (for a draft) keep it, publish it or schedule it (``action``). Commits.

    Drafts change in place; published posts keep revisions, and a stale edit raises Conflict."""
    if not can_edit_post(actor, opening, topic) or opening.topic_id != topic.id or opening.number != 1:
        raise Forbidden(_("You can't edit this post."))
    new_title = posts.clean_title(title)
    new_body = posts.clean_body(body)
    tag_names = posts.parse_tags(tags)
    if action in ("publish", "schedule") and not can_manage_blog_post(actor, topic):
        raise Forbidden(_("Only the author can publish this post."))
    if action == "schedule":
        publish_at = _check_schedule(publish_at, now or utcnow())
    if group is not None and group.id != topic.group_id:
        _audience(actor, group)
    if cover is not None:
        topic.cover_path = _save_cover(actor, cover, topic.id).name
    elif remove_cover:
        topic.cover_path = None
    if topic.author_id == actor.id:
        topic.group_id = group.id if group is not None else None
    current_tags = list(db.session.scalars(
        select(Tag.name).join(TopicTag, TopicTag.tag_id == Tag.id).where(TopicTag.topic_id == topic.id)
    ))  # fmt: skip
    tags_changed = sorted(current_tags) != sorted(tag_names)
    if topic.status != "published":
        # A draft is the author's notebook: no revisions, no "edited" mark until it is out.
        topic.title = new_title
        record_post_uses(opening.id, opening.author_id, new_body, opening.body)
        opening.body, opening.body_html = new_body, render_markdown(new_body)
        if tags_changed:
            posts.set_tags(topic, tag_names)
        if action == "publish":
            posts.publish_topic(actor, topic, commit=False)
        elif action == "schedule":
            topic.status, topic.publish_at = "scheduled", publish_at
        # "draft" keeps a draft a draft and a scheduled post scheduled: it just saves.
        db.session.commit()
        return topic
    posts.edit_post(actor, opening, topic, new_body, title=new_title, base_revision=base_revision,
                    tags=tag_names if tags_changed else None)  # fmt: skip
    db.session.commit()  # edit_post returns without committing when the text did not change
    return topic


# ----------------------------------------------------------------------------------------------------------
# Publishing


def publish(actor: User, topic: Topic) -> Topic:
    """Publish a draft or scheduled post now (its author). Commits."""
    if not can_manage_blog_post(actor, topic):
        raise Forbidden(_("Only the author can publish this post."))
    return posts.publish_topic(actor, topic)


def schedule(actor: User, topic: Topic, publish_at: datetime | None, *, now: datetime | None = None) -> Topic:
    """Schedule a draft (or reschedule) for a later time. Commits."""
    if not can_manage_blog_post(actor, topic):
        raise Forbidden(_("Only the author can schedule this post."))
    if topic.status == "published":
        raise InvalidInput(_("This post is already published: unpublish it first."), field="publish_at")
    topic.publish_at = _check_schedule(publish_at, now or utcnow())
    topic.status = "scheduled"
    db.session.commit()
    return topic


def unpublish(actor: User, topic: Topic) -> Topic:
    """Take a post back to draft (or cancel its schedule): only its author sees it again. Commits."""
    if not can_manage_blog_post(actor, topic):
        raise Forbidden(_("Only the author can unpublish this post."))
    was_published = topic.status == "published"
    topic.status, topic.publish_at = "draft", None
    if was_published:
        db.session.execute(update(User).where(User.id == topic.author_id).values(post_count=User.post_count - 1))
    db.session.commit()
    return topic


def publish_due_posts(now: datetime | None = None, limit: int = 100) -> int:
    """Publish every scheduled blog post whose time has come; returns how many. Safe to run concurrently:
    rows are locked and skipped by other workers on PostgreSQL; SQLite writers queue (BEGIN IMMEDIATE)."""
    return posts.publish_due("blog", now or utcnow(), limit)


# ----------------------------------------------------------------------------------------------------------
# Comments


def add_comment(actor: User, topic: Topic, body: str, parent_id: int | None = None, *,
                submission_key: str | None = None) -> Post:  # fmt: skip
    """Comment on a post, or reply to a comment of the same post. Commits."""
    submission_key = submissions.check(actor, submission_key, body)
    if topic.kind != "blog":
        raise NotFound()
    if not can_reply(actor, topic):
        if topic.closed_at is not None:
            raise Forbidden(_("Comments are closed on this post."))
        raise Forbidden(_("You can't comment on this post."))
    parent = None
    if parent_id is not None:
        parent = db.session.get(Post, parent_id)
        if (parent is None or parent.topic_id != topic.id or parent.number == 1 or parent.deleted_at is not None
                or not can_view_post(actor, parent, topic)):  # fmt: skip
            raise InvalidInput(_("You can only reply to a comment on this same post."), field="parent_id")
    return posts.add_post(actor, topic, body, kind="comment", parent=parent, submission_key=submission_key)


def set_comments_closed(actor: User, topic: Topic, closed: bool) -> None:
    """Close or reopen comments on a post (its author or a moderator). Commits."""
    if not can_close_comments(actor, topic):
        raise Forbidden(_("You can't close comments on this post."))
    topic.closed_at = utcnow() if closed else None
    if topic.author_id != actor.id:
        record(actor, "blog.close" if closed else "blog.reopen", topic, group_id=topic.group_id)
    db.session.commit()


# ----------------------------------------------------------------------------------------------------------
# Likes, featuring, moderation


def set_like(actor: User, post: Post, topic: Topic, liked: bool) -> None:
    """Like (or undo a like of) a post or comment: one per member (the shared reactions service; commits)."""
    from community.services import reactions

    try:
        reactions.set_reaction(actor, post, topic, "like", liked)
    except Forbidden:
        raise Forbidden(_("You can't like this post."))


def set_featured(actor: User, topic: Topic, featured: bool) -> None:
    """Feature a good post at the top of the blog index, or stop featuring it. Commits."""
    if not can_feature(actor, topic):
        raise Forbidden(_("Only facilitators can feature posts."))
    topic.featured = featured
    record(actor, "blog.feature" if featured else "blog.unfeature", topic, group_id=topic.group_id)
    db.session.commit()


def set_hidden(actor: User, topic: Topic, hidden: bool, reason: str = "") -> None:
    """A moderator hides a whole blog post (kept; its author and moderators still see it) or restores it."""
    if not can_moderate_topic(actor, topic):
        raise Forbidden(_("Only moderators can hide posts."))
    topic.hidden_at = utcnow() if hidden else None
    record(actor, "blog.hide" if hidden else "blog.restore", topic, reason=reason, group_id=topic.group_id)
    db.session.commit()


# ----------------------------------------------------------------------------------------------------------
# Feed tokens


FEED_PURPOSE = "blog_feed"


def create_feed_token(actor: User, label: str = "") -> str:
    """A new personal feed token (shown once, in the links built with it); earlier ones keep working. Commits."""
    return url_tokens.create_url_token(actor, FEED_PURPOSE, label)


def user_for_feed_token(token: str | None) -> User:
    """The active member a feed token belongs to, with group roles loaded; NotFound otherwise."""
    return url_tokens.member_for_url_token(FEED_PURPOSE, token)


def reader_for_feed_token(token: str | None) -> tuple[User, UrlToken]:
    """``user_for_feed_token`` and the token's row (the feed's image links are signed with it)."""
    return url_tokens.member_and_row_for_url_token(FEED_PURPOSE, token)
