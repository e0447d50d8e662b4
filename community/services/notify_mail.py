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
}


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
                   **context: Any) -> None:  # fmt: skip
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
        queue_mail(user.email, subject, text, html, headers=_unsubscribe_headers(unsubscribe_url), bulk=bulk)


def report_subject(topic: Topic | None, group: Group | None, member: User | None) -> str:
    """What a report's e-mail is about and where it is: a community board, a group's board or questions, a
    member's blog, or a profile (in the current language)."""
    if topic is None:
        if member is not None:
            return _("A member's profile was reported: %(member)s", member=member.display_name)
        if group is not None:
            return _("Something was reported in the group %(group)s", group=group.name)
        return _("Something was reported")
    group = db.session.get(Group, topic.group_id) if topic.group_id is not None else None
    title = topic.title
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
                      group: Group | None, url: str, message: str = "", about: User | None = None) -> None:  # fmt: skip
    """Queue the e-mail for one notification delivered "at once" (``about``: a reported member)."""
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
            subject = SUBJECTS[kind] % {
                "actor": actor.display_name if actor is not None else _("Someone"),
                "title": topic.title if topic is not None else "",
                "group": group.name if group is not None else _("your group"),
            }
        excerpt = plain_excerpt(post.body, 300) if post is not None else message
        send_templated(user, kind, subject, "notifications/email/notification", link=link,
                       excerpt=excerpt, actor=actor, topic=topic, kind=kind)  # fmt: skip
