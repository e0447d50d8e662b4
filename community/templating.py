"""Template globals: the ``can`` predicates, the community's name, dates and avatars."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from community.permissions import BoundPredicates

_settings_cache: dict[str, Any] = {"at": 0.0, "values": {}}
SETTINGS_TTL = 30.0


def community_settings(app: Flask) -> dict[str, Any]:
    """Community settings, read at most every 30 s per process (several app servers stay in step)."""
    now = time.monotonic()
    if now - _settings_cache["at"] > SETTINGS_TTL or app.testing:
        from community.services.settings import all_settings

        _settings_cache["values"] = all_settings()
        _settings_cache["at"] = now
    return _settings_cache["values"]


def invalidate_settings_cache() -> None:
    """Called after a settings change in this process."""
    _settings_cache["at"] = 0.0


def timeago(value: datetime | None) -> str:
    """'3 hours ago', for listings."""
    if value is None:
        return ""
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("year", 31536000), ("month", 2592000), ("week", 604800), ("day", 86400),
                       ("hour", 3600), ("minute", 60)):  # fmt: skip
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def time_tag(value: datetime | None) -> Markup:
    """A <time> element with the exact time as its title."""
    if value is None:
        return Markup("")
    iso = value.isoformat()
    exact = value.strftime("%d %b %Y, %H:%M UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso, exact, escape(timeago(value)))


def avatar_url(user: Any) -> str | None:
    """The member's uploaded avatar, or None (templates then draw initials)."""
    path = getattr(user, "avatar_path", None)
    return url_for("uploads.serve", name=path) if path else None


# Avatars, role badges and links to members appear several times per post on every page that lists people or
# posts. As Python functions they cost a few microseconds; as Jinja macros, ten times as much (a thread of 20
# posts spent 1.3 ms in them).
AVATAR_IMG = Markup('<img class="avatar avatar-{0}" src="{1}" width="{0}" height="{0}" alt="">')
AVATAR_INITIALS = Markup('<span class="avatar avatar-initials avatar-{0} hue-{1}" aria-hidden="true">{2}</span>')
BADGE_ADMIN = Markup('<span class="badge badge-admin" title="Verified community manager">✓ Community manager</span>')
BADGE_FACILITATOR = Markup('<span class="badge badge-facilitator" title="Verified facilitator">✓ Facilitator</span>')
USER_LINK = Markup('<a class="user-link" href="{0}">{1}</a>')
BYLINE = Markup('<span class="byline">{0} {1} {2} <span class="muted">· {3}</span></span>')


def avatar(user: Any, size: int = 40) -> Markup:
    """The member's avatar at ``size`` pixels, or their initials on a colour of their own."""
    src = avatar_url(user)
    if src:
        return AVATAR_IMG.format(int(size), src)
    return AVATAR_INITIALS.format(int(size), user.id % 8, user.initials)


def role_badge(user: Any, group_role: str | None = None) -> Markup:
    """A verified badge for the community manager and facilitators (of the community or this group)."""
    if user.role == "admin":
        return BADGE_ADMIN
    if user.role == "facilitator" or group_role == "facilitator":
        return BADGE_FACILITATOR
    return Markup("")


def user_link(user: Any) -> Markup:
    """The member's name, linked to their profile."""
    return USER_LINK.format(url_for("members.profile", handle=user.handle), user.display_name)


def byline(user: Any, when: datetime | None, group_role: str | None = None) -> Markup:
    """Avatar, name, badge and time: who wrote something, and when."""
    return BYLINE.format(avatar(user, 24), user_link(user), role_badge(user, group_role), time_tag(when))


def nav_url(endpoint: str, **values: Any) -> str | None:
    """The URL of an endpoint, or None where the app has no such page."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


TOPIC_ENDPOINTS = {"discussion": "boards.topic", "question": "qa.question", "blog": "blogs.post"}


def topic_url(topic: Any, post: Any = None) -> str | None:
    """Where a topic (and a post in it) is read, by kind; None where that page doesn't exist yet."""
    number = getattr(post, "number", 1) if post is not None else 1
    values: dict[str, Any] = {"topic_id": topic.id}
    if topic.kind == "discussion" and number > 1:
        from community.services.boards_reading import POSTS_PER_PAGE  # discussions are read a page at a time

        page = (number - 1) // POSTS_PER_PAGE + 1
        if page > 1:
            values["page"] = page
    url = nav_url(TOPIC_ENDPOINTS.get(topic.kind, "boards.topic"), **values)
    if url and number > 1:
        url += f"#post-{number}"
    return url


def muted_authors() -> frozenset[int]:
    """The members the viewer muted (their posts are collapsed): one query, on the pages that show posts."""
    from flask import g

    if "muted_authors" not in g:
        if not getattr(current_user, "is_authenticated", False):
            g.muted_authors = frozenset()
        else:
            from community.services.moderation import relations_of

            g.muted_authors = frozenset(relations_of(current_user._get_current_object())["mute"])
    return g.muted_authors


def is_muted(post: Any) -> bool:
    """Whether the viewer muted this post's author (and so sees it collapsed)."""
    muted = muted_authors()
    return bool(muted) and post.author_id in muted and post.author_id != getattr(current_user, "id", None)


def _unread_notifications() -> int:
    """The bell's count; the notifications blueprint provides it once it exists."""
    provider = current_app.extensions.get("community.unread_notifications")
    if provider is None or not getattr(current_user, "is_authenticated", False):
        return 0
    return int(provider(current_user))


def viewer_predicates() -> BoundPredicates:
    """The viewer's ``can``, made once per request (its predicates bind once, on first use)."""
    from flask import g

    viewer = current_user._get_current_object()
    can = g.get("can")
    if can is None or can._user is not viewer:  # (g outlives a request where an app context is shared)
        can = g.can = BoundPredicates(viewer)
    return can


class _ViewerPredicates:
    """``can`` for macros imported without context (``post_card``): the request's own ``viewer_predicates``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(viewer_predicates(), name)


def configure_templates(app: Flask) -> None:
    """Context processor and filters."""
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["timeago"] = timeago
    app.jinja_env.filters["time_tag"] = time_tag
    # Templates get ``can`` from the context processor; this global serves macros imported without context.
    app.jinja_env.globals["can"] = _ViewerPredicates()
    app.jinja_env.globals["avatar_url"] = avatar_url
    app.jinja_env.globals.update(avatar=avatar, role_badge=role_badge, user_link=user_link, byline=byline)
    app.jinja_env.globals["nav_url"] = nav_url
    app.jinja_env.globals["is_muted"] = is_muted
    app.jinja_env.globals["topic_url"] = topic_url

    @app.context_processor
    def _inject() -> dict[str, Any]:
        settings = community_settings(app)
        viewer = current_user._get_current_object()
        return {
            # The member object, not Flask-Login's proxy (which costs a context lookup per attribute read).
            "current_user": viewer,
            "can": viewer_predicates(),
            "community_name": settings.get("community_name") or app.config["COMMUNITY_NAME"],
            "settings": settings,
            "unread_notifications": _unread_notifications(),
        }
