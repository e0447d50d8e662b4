"""Receivers of the content events that tell members about replies, answers, mentions and what they watch.

They run inside the writing service's transaction (see ``community.events``) and never commit. Within one
event a member is told once, by the most specific kind: a mention before a reply before "new in something
you watch".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from community import events
from community.extensions import db
from community.markup import extract_hashtags, extract_mentions
from community.models import PRIVATE_KINDS, Post, PostHashtag, Tag, Topic, TopicTag, User
from community.services.notifications import notify
from community.services.social import watchers


def announcement_audience(topic: Topic) -> list[int]:
    """Who an announcement is for: the group's active members, or every active member (one query)."""
    from community.models import Membership

    if topic.group_id is None:
        return list(db.session.scalars(select(User.id).where(User.state == "active")))
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == topic.group_id, Membership.state == "active")))  # fmt: skip


def _mention(post: Post, topic: Topic, actor: User, handles: set[str], told: set[int]) -> None:
    if not handles:
        return
    ids = set(db.session.scalars(select(User.id).where(User.handle.in_(sorted(handles)[:50]))))
    # Who muted or blocked the author is left out by ``notify`` itself (mentions are silenceable).
    notify(ids, "mention", actor, topic=topic, post=post, skip=told)


def _sync_hashtags(post: Post, topic: Topic) -> set[str]:
    """Keep the post's #hashtags in ``post_hashtags`` (the tag pages read them); returns them."""
    names = {n for n in extract_hashtags(post.body) if len(n) <= 40}
    db.session.execute(delete(PostHashtag).where(PostHashtag.post_id == post.id))
    if names:
        db.session.execute(insert(PostHashtag), [{"post_id": post.id, "tag": n, "topic_id": topic.id} for n in names])
    return names


def _topic_targets(topic: Topic, actor: User, hashtags: set[str]) -> list[tuple[str, int | None]]:
    tag_ids = set(db.session.scalars(select(TopicTag.tag_id).where(TopicTag.topic_id == topic.id)))
    if hashtags:
        tag_ids |= set(db.session.scalars(select(Tag.id).where(Tag.name.in_(sorted(hashtags)))))
    targets: list[tuple[str, int | None]] = [
        ("board", topic.board_id), ("group", topic.group_id), ("member", topic.author_id),
    ]  # fmt: skip
    if topic.kind == "blog":
        targets.append(("blog", topic.author_id))
    targets.extend(("tag", t) for t in tag_ids)
    return targets


@events.topic_published.connect
def on_topic_published(topic: Topic, actor: User, post: Post | None = None, **_: Any) -> None:
    """A new discussion, question or blog post: mentions, then watchers of its board, group, blog, tags."""
    if post is None or topic.kind in PRIVATE_KINDS:  # private messages tell their participants alone
        return
    told: set[int] = set()
    hashtags = _sync_hashtags(post, topic)
    if topic.kind == "announcement":
        # Its whole audience at once (one batch of rows), then those it mentions outside it; no watchers: the
        # audience is everyone who could watch.
        notify(announcement_audience(topic), "announcement", actor, topic=topic, post=post, skip=told)
        _mention(post, topic, actor, extract_mentions(post.body), told)
        return
    _mention(post, topic, actor, extract_mentions(post.body), told)
    notify(watchers(_topic_targets(topic, actor, hashtags)), "watched", actor, topic=topic, post=post, skip=told)


def _direct_kind(topic: Topic, post: Post) -> str:
    if topic.kind == "question" and post.kind == "answer":
        return "answer"
    if topic.kind == "blog":
        return "comment"
    return "reply"


@events.post_created.connect
def on_post_created(post: Post, actor: User, topic: Topic, **_: Any) -> None:
    """A reply, answer or comment: mentions, the parent post's author, the topic's author, watchers."""
    if topic.kind in PRIVATE_KINDS:
        return
    told: set[int] = set()
    _sync_hashtags(post, topic)
    _mention(post, topic, actor, extract_mentions(post.body), told)
    if post.parent_id is not None:
        parent_author = db.session.scalar(select(Post.author_id).where(Post.id == post.parent_id))
        if parent_author is not None:
            notify([parent_author], "reply", actor, topic=topic, post=post, skip=told)
    notify([topic.author_id], _direct_kind(topic, post), actor, topic=topic, post=post, skip=told)
    notify(watchers([("topic", topic.id)]), "watched", actor, topic=topic, post=post, skip=told)


@events.post_edited.connect
def on_post_edited(post: Post, actor: User, topic: Topic, old_body: str = "", **_: Any) -> None:
    """An edit: only members newly mentioned are told."""
    if topic.kind in PRIVATE_KINDS:
        return
    _sync_hashtags(post, topic)
    new = extract_mentions(post.body) - extract_mentions(old_body)
    _mention(post, topic, actor, new, set())


@events.answer_accepted.connect
def on_answer_accepted(topic: Topic, actor: User, post: Post | None = None, **_: Any) -> None:
    """An accepted answer: its author is told."""
    if post is not None:
        notify([post.author_id], "accepted", actor, topic=topic, post=post)


@events.group_invitation_sent.connect
def on_group_invitation(membership: Any, actor: User | None = None, group: Any = None, **_: Any) -> None:
    """A facilitator invited a member into a group: the member is told."""
    if group is not None:
        notify([membership.user_id], "invitation", actor, group=group, url=_group_path(group))


def _group_path(group: Any) -> str:
    from werkzeug.routing import BuildError

    from community.services.notify_mail import path_for

    try:
        return path_for("groups.show", slug=group.slug)
    except BuildError:
        return ""


@events.report_filed.connect
def on_report_filed(report: Any, actor: User | None = None, **_: Any) -> None:
    """A report reaches those who handle it: the group's facilitators, or the community's moderators."""
    from community.models import Group, Membership

    if report.group_id is not None:
        recipients = set(db.session.scalars(select(Membership.user_id).where(
            Membership.group_id == report.group_id, Membership.role == "facilitator", Membership.state == "active")))
        recipients |= set(db.session.scalars(select(User.id).where(User.role == "admin", User.state == "active")))
    else:
        wanted = ("admin",) if report.target_user_id is not None else ("admin", "facilitator")
        recipients = set(db.session.scalars(select(User.id).where(User.role.in_(wanted), User.state == "active")))
    post = db.session.get(Post, report.post_id) if report.post_id is not None else None
    topic = db.session.get(Topic, post.topic_id) if post is not None else None
    if topic is not None and topic.kind in PRIVATE_KINDS:
        # A reported private message reaches the community manager alone, and the notice names no conversation:
        # the message itself is shown in the review queue.
        admins = set(db.session.scalars(select(User.id).where(User.role == "admin", User.state == "active")))
        notify(admins, "report", actor, url=_moderation_path())
        return
    group = db.session.get(Group, report.group_id) if report.group_id is not None else None
    url = _moderation_path()
    if post is not None and topic is not None:
        notify(recipients, "report", actor, topic=topic, post=post, url=url)
    elif group is not None:
        notify(recipients, "report", actor, group=group, url=url)
    else:
        recipients = set(db.session.scalars(select(User.id).where(User.id.in_(recipients), User.role == "admin")))
        member = db.session.get(User, report.target_user_id) if report.target_user_id is not None else None
        notify(recipients, "report", actor, url=url, about=member)


def _moderation_path() -> str:
    from werkzeug.routing import BuildError

    from community.services.notify_mail import path_for

    try:
        return path_for("moderation.queue")
    except BuildError:
        return ""


@events.join_requested.connect
def on_join_requested(membership: Any, actor: User | None = None, group: Any = None, **_: Any) -> None:
    """A member asks to join: the group's facilitators are told (and lead to its member list)."""
    from werkzeug.routing import BuildError

    from community.models import Membership
    from community.services.notify_mail import path_for

    if group is None:
        return
    facilitators = db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group.id, Membership.role == "facilitator", Membership.state == "active"))
    try:
        url = path_for("groups.members", slug=group.slug)
    except BuildError:
        url = ""
    notify(set(facilitators), "join_request", actor, group=group, url=url)


@events.group_request_answered.connect
def on_group_request_answered(membership: Any, actor: User | None = None, group: Any = None,
                              approved: bool = False, **_: Any) -> None:  # fmt: skip
    """A request to join was answered: the member who asked is told, either way (and led to the group)."""
    if group is not None:
        kind = "join_approved" if approved else "join_declined"
        notify([membership.user_id], kind, actor, group=group, url=_group_path(group))


@events.group_role_changed.connect
def on_group_role_changed(membership: Any, actor: User | None = None, group: Any = None, role: str = "",
                          **_: Any) -> None:  # fmt: skip
    """Made a facilitator of a group, or no longer one: the member is told."""
    if group is not None and role in ("facilitator", "member"):
        kind = "facilitator_added" if role == "facilitator" else "facilitator_removed"
        notify([membership.user_id], kind, actor, group=group, url=_group_path(group))


@events.member_role_changed.connect
def on_member_role_changed(member: User, actor: User | None = None, previous: str = "", role: str = "",
                           **_: Any) -> None:  # fmt: skip
    """Made a facilitator of the community, or a participant again: the member is told (becoming the community
    manager, who moderates everything anyway, is no facilitator notice)."""
    if role == "facilitator":
        notify([member.id], "facilitator_added", actor, url=_moderation_path())
    elif previous == "facilitator" and role == "participant":
        notify([member.id], "facilitator_removed", actor)
