"""Notification and digest e-mails: plain text and HTML from templates, links on ``BASE_URL``, and a signed
one-click unsubscribe link (also in the List-Unsubscribe headers). Mail is queued in the outbox in the
caller's transaction."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.extensions import db
from community.i18n import as_member
from community.markup import plain_excerpt
from community.models import Board, Group, Post, Topic, User
from community.services import site
from community.services.mail import queue_mail
from community.services.media.links import mail_images

#: Notification e-mails sent at once carry their notification's id here, to be re-checked when they go.
NOTIFICATION_HEADER = "X-Community-Notification"
SUBJECTS = {
    "reply": _l("%(actor)s replied to you: %(title)s"),
    "mention": _l("%(actor)s mentioned you: %(title)s"),
    "answer": _l("%(actor)s answered your question: %(title)s"),
    "accepted": _l("Your answer was accepted: %(title)s"),
    "comment": _l("%(actor)s commented on your blog post: %(title)s"),
    "watched": _l("New in something you follow: %(title)s"),
    "join_request": _l("%(actor)s asks to join %(group)s"),
    "report": _l("A post was reported: %(title)s"),  # report_subject() says where
    "invitation": _l("%(actor)s invited you to join %(group)s"),
    "nudge": _l("%(actor)s sent you a note"),
    "message": _l("%(actor)s sent you a private message"),
    "join_approved": _l("%(actor)s approved your request to join %(group)s"),
    "join_declined": _l("%(actor)s declined your request to join %(group)s"),
    "facilitator_added": _l("%(actor)s made you a facilitator of %(group)s"),
    "facilitator_removed": _l("You are no longer a facilitator of %(group)s"),
    "post_held": _l("Your post is waiting for a moderator: %(title)s"),
    "post_approved": _l("Your post is approved: %(title)s"),
    "post_rejected": _l("Your post was not approved: %(title)s"),
    "post_hidden": _l("A moderator hid your post: %(title)s"),
    "post_restored": _l("Your post is visible again: %(title)s"),
    "warning": _l("A message from the moderators"),
    "event_changed": _l("An event changed: %(title)s"),
    "event_cancelled": _l("Cancelled: %(title)s"),
    "event_reminder": _l("Reminder: %(title)s"),
    "announcement": _l("Announcement from %(actor)s: %(title)s"),
    "export_ready": _l("A copy of your data is ready to download"),
}
#: Kinds whose subject differs when they are about the whole community rather than one group.
COMMUNITY_SUBJECTS = {
    "facilitator_added": _l("%(actor)s made you a facilitator of the community"),
    "facilitator_removed": _l("You are no longer a facilitator of the community"),
}


# Kinds whose e-mail quotes the moderator's words (a reason, a warning) rather than the post.
MODERATION_MESSAGES = ("post_rejected", "post_hidden", "warning")


def path_for(endpoint: str, **values: Any) -> str:
    """A URL path for an endpoint, outside any request too (CLI, worker)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def external(path: str) -> str:
    """An absolute link on the community's address (raises site.NoBaseUrl when it has none)."""
    return site.external(path)


def _render(name: str, **context: Any) -> str:
    # The Jinja environment directly: no request, so no context processors (and .html autoescapes).
    return current_app.jinja_env.get_template(name).render(**context)


def _unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_templated(user: User, unsubscribe_kind: str, subject: str, template: str, *, bulk: bool = False,
                   extra_headers: dict[str, str] | None = None, **context: Any) -> None:  # fmt: skip
    """Queue ``template``.txt and .html to the member with the unsubscribe link for ``unsubscribe_kind``, in
    the member's language and time zone (callers build ``subject`` inside ``as_member(user)`` too); ``bulk``
    for digests (Precedence: bulk)."""
    from community.services.notifications import kind_label, unsubscribe_token

    unsubscribe_url = external(path_for("notifications.unsubscribe", token=unsubscribe_token(user, unsubscribe_kind)))
    with as_member(user):
        context.update(
            subject=subject, user=user, unsubscribe_url=unsubscribe_url, unsubscribe_label=kind_label(unsubscribe_kind),
            settings_url=external(path_for("notifications.settings")),
            community_name=site.community_name(),
            link_to=lambda endpoint, **values: external(path_for(endpoint, **values)),
        )  # fmt: skip
        text = _render(f"{template}.txt", **context)
        html = _render(f"{template}.html", **context)
        queue_mail(user.email, subject, text, html,
                   headers={**_unsubscribe_headers(unsubscribe_url), **(extra_headers or {})}, bulk=bulk)


def _topic_title(topic: Topic | None) -> str:
    """A topic's title for a subject line; a conversation may have none."""
    if topic is None:
        return ""
    if topic.kind == "conversation" and not topic.title:
        return _("your private message")
    return topic.title


def report_subject(topic: Topic | None, group: Group | None, member: User | None) -> str:
    """What a report's e-mail is about and where it is: a community board, a group's board or questions, a
    member's blog, or a profile (in the current language)."""
    if topic is None:
        if member is not None:
            return _("A member's profile was reported: %(member)s", member=member.display_name)
        if group is not None:
            return _("Something was reported in the group %(group)s", group=group.name)
        return _("Something was reported")
    if topic.kind == "conversation":  # the report carries that one message, never the conversation's name
        return _("A private message was reported")
    group = db.session.get(Group, topic.group_id) if topic.group_id is not None else None
    title = topic.title
    if topic.kind == "event":
        if group is not None:
            return _("A post was reported on an event of the group %(group)s: %(title)s", group=group.name,
                     title=title)  # fmt: skip
        return _("A post was reported on a community event: %(title)s", title=title)
    if topic.kind == "blog":
        author = db.session.get(User, topic.author_id)
        name = author.display_name if author is not None else _("a member")
        if group is not None:
            return _("A post was reported on %(author)s's blog (shared with the group %(group)s): %(title)s",
                     author=name, group=group.name, title=title)  # fmt: skip
        return _("A post was reported on %(author)s's blog: %(title)s", author=name, title=title)
    if topic.kind == "question":
        if group is not None:
            return _("A post was reported in the questions of the group %(group)s: %(title)s", group=group.name,
                     title=title)  # fmt: skip
        return _("A post was reported in the community's questions: %(title)s", title=title)
    board = db.session.get(Board, topic.board_id) if topic.board_id is not None else None
    board_name = board.name if board is not None else ""
    if group is not None:
        return _("A post was reported on the board %(board)s of the group %(group)s: %(title)s", board=board_name,
                 group=group.name, title=title)  # fmt: skip
    return _("A post was reported on the community board %(board)s: %(title)s", board=board_name, title=title)


def mail_notification(user: User, kind: str, actor: User | None, *, topic: Topic | None, post: Post | None,
                      group: Group | None, url: str, message: str = "", about: User | None = None,
                      notification_id: int | None = None) -> None:  # fmt: skip
    """Queue the e-mail for one notification delivered "at once" (``about``: a reported member). It names the
    notification, so the outbox re-checks at sending time that the member may still see it."""

    if post is not None:
        link = external(path_for("feed.post_link", post_id=post.id))
    elif url:
        link = external(url)
    else:
        link = external(path_for("notifications.index"))
    with as_member(user):
        if kind == "report":
            subject = report_subject(topic, group, about)
        else:
            wording = COMMUNITY_SUBJECTS.get(kind) if group is None and topic is None else None
            subject = (wording or SUBJECTS[kind]) % {
                "actor": actor.display_name if actor is not None else _("Someone"),
                "title": _topic_title(topic),
                "group": group.name if group is not None else _("your group"),
            }
        excerpt = plain_excerpt(post.body, 300) if post is not None else message
        headers = {NOTIFICATION_HEADER: str(notification_id)} if notification_id is not None else None
        images = mail_images(user, post.body) if post is not None else []
        if kind in MODERATION_MESSAGES and message:
            excerpt = message  # the moderator's reason or warning is what the member needs to read
            images = []
        send_templated(user, kind, subject, "notifications/email/notification", link=link, excerpt=excerpt,
                       images=images, actor=actor, topic=topic, kind=kind, extra_headers=headers)  # fmt: skip
