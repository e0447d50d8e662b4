"""Template globals: the ``can`` predicates, the community's name, dates and avatars."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, g, url_for
from flask.globals import _cv_request  # the request context itself: a proxy costs a lookup per use
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from community import cache
from community.forms import submission_key_input
from community.i18n import current_language, date_tag, format_day, machine_time, time_left, time_tag, timeago
from community.models import REACTION_LABELS, REACTIONS
from community.permissions import BoundPredicates, is_held
from community.static_files import static_url

SETTINGS_TTL = 30.0


def _settings_key(app: Flask) -> tuple[str, str]:
    return ("settings", app.config["SQLALCHEMY_DATABASE_URI"])


def community_settings(app: Flask) -> dict[str, Any]:
    """Community settings, read at most every 30 s per process (several app servers stay in step)."""
    from community.services.settings import all_settings

    if g:  # read once per request (or command), however many parts of the page ask
        values = g.get("_community_settings")
        if values is None:
            values = g._community_settings = cache.remember(_settings_key(app), 0 if app.testing else SETTINGS_TTL,
                                                            all_settings)[0]  # fmt: skip
        return values
    return cache.remember(_settings_key(app), 0 if app.testing else SETTINGS_TTL, all_settings)[0]


def invalidate_settings_cache() -> None:
    """Called after a settings change in this process."""
    cache.forget(_settings_key(current_app))
    g.pop("_community_settings", None)


def avatar_url(user: Any) -> str | None:
    """The member's uploaded avatar, or None (templates then draw initials)."""
    path = getattr(user, "avatar_path", None)
    return fast_url_for("uploads.serve", name=path) if path else None


# --------------------------------------------------------------------------------------------------
# URLs: a thread page builds a hundred (reactions, quote, edit, report, profiles); Flask's url_for costs 5 us
# each, walking the rule's converters every time. The shape of a URL depends only on the endpoint and the
# names and kinds of its arguments, so it is built once with stand-in values and then filled in.

_SAFE_TEXT = re.compile(r"[A-Za-z0-9_.\-]+\Z")  # needs no quoting anywhere in a URL
_STAND_IN = "zq{}qz"
_url_shapes: dict[tuple[Any, ...], tuple[str | int, ...] | None] = {}


def _url_shape(endpoint: str, kinds: tuple[tuple[str, bool], ...]) -> tuple[str | int, ...] | None:
    """The URL split into literal text and argument positions (their index), or None to use url_for."""
    if current_app.url_default_functions:  # (none today) they could change a URL with the values given
        return None
    stand_ins = {name: (9_876_000 + i if numeric else _STAND_IN.format(i)) for i, (name, numeric) in enumerate(kinds)}
    try:
        url = url_for(endpoint, **stand_ins)
    except (BuildError, ValueError):
        return None
    parts: list[str | int] = []
    for i, (name, _numeric) in enumerate(kinds):
        text = str(stand_ins[name])
        if url.count(text) != 1:
            return None
        before, url = url.split(text)
        parts.extend((before, i))
    parts.append(url)
    return tuple(parts)


def fast_url_for(endpoint: str, **values: Any) -> str:
    """``url_for`` for templates: the same URL, from a remembered shape when every argument is a plain
    number or word (anything else, or no request, goes to Flask's own). A static file's address carries its
    content's digest (``community.static_files``)."""
    if endpoint == "static" and len(values) == 1 and type(values.get("filename")) is str:
        return static_url(values["filename"])
    anchor = values.pop("_anchor", None)
    kinds = []
    plain = endpoint[:1] != "." and (anchor is None or (type(anchor) is str and _SAFE_TEXT.match(anchor)))
    if plain:
        for name, value in values.items():
            if type(value) is int and value >= 0:
                kinds.append((name, True))
            elif type(value) is str and name[:1] != "_" and _SAFE_TEXT.match(value):
                kinds.append((name, False))
            else:
                plain = False
                break
    ctx = _cv_request.get(None) if plain else None
    if ctx is not None:
        key = (endpoint, ctx.request.root_path, tuple(kinds))
        shape = _url_shapes.get(key, False)
        if shape is False:
            shape = _url_shapes[key] = _url_shape(endpoint, key[2])
        if shape is not None:
            url = "".join([part if type(part) is str else str(values[kinds[part][0]]) for part in shape])
            return url if anchor is None else f"{url}#{anchor}"
    if anchor is not None:
        values["_anchor"] = anchor
    return url_for(endpoint, **values)


# Avatars, role badges and links to members appear several times per post on every page that lists people or
# posts. As Python functions they cost a few microseconds; as Jinja macros, ten times as much (a thread of 20
# posts spent 1.3 ms in them).
NO_BADGE = Markup("")


@lru_cache(maxsize=16)
def _badges(language: str) -> tuple[Markup, Markup]:
    """The community manager's and a facilitator's badges in ``language`` (the current one: made once each)."""
    admin = Markup('<span class="badge badge-admin" title="%s">✓ %s</span>') % (
        _("Verified community manager"),
        _("Community manager"),
    )
    facilitator = Markup('<span class="badge badge-facilitator" title="%s">✓ %s</span>') % (
        _("Verified facilitator"),
        _("Facilitator"),
    )
    return admin, facilitator


def avatar(user: Any, size: int = 40) -> Markup:
    """The member's avatar at ``size`` pixels, or their initials on a colour of their own."""
    size = int(size)
    src = avatar_url(user)
    if src:
        html = f'<img class="avatar avatar-{size}" src="{escape(src)}" width="{size}" height="{size}" alt="">'
        return Markup(html)  # noqa: S704 - the source escaped, the size a number
    return Markup(  # noqa: S704 - the initials escaped, the rest numbers
        f'<span class="avatar avatar-initials avatar-{size} hue-{user.id % 8}" aria-hidden="true">'
        f"{escape(user.initials)}</span>"
    )


def role_badge(user: Any, group_role: str | None = None) -> Markup:
    """A verified badge for the community manager and facilitators (of the community or this group)."""
    if user.role == "admin":
        return _badges(current_language())[0]
    if user.role == "facilitator" or group_role == "facilitator":
        return _badges(current_language())[1]
    return NO_BADGE


def user_link(user: Any) -> Markup:
    """The member's name, linked to their profile ("Former member", unlinked, once the account is erased)."""
    if getattr(user, "state", None) == "deleted":
        name = _("Former member")
        return Markup(f'<span class="user-link former-member">{escape(name)}</span>')  # noqa: S704
    url = fast_url_for("members.profile", handle=user.handle)
    return Markup(f'<a class="user-link" href="{escape(url)}">{escape(user.display_name)}</a>')  # noqa: S704


def byline(user: Any, when: datetime | None, group_role: str | None = None) -> Markup:
    """Avatar, name, badge and time: who wrote something, and when."""
    return Markup(  # noqa: S704 - made of Markup built above
        f'<span class="byline">{avatar(user, 24)} {user_link(user)} {role_badge(user, group_role)} '
        f'<span class="muted">· {time_tag(when)}</span></span>'
    )


def reaction_image(kind: str) -> str:
    """The vendored Twemoji file of a reaction: its emoji's code points (without FE0F), as Twemoji names them."""
    return "vendor/twemoji/" + "-".join(f"{ord(c):x}" for c in REACTIONS[kind] if c != "\ufe0f") + ".svg"


_reaction_icons: dict[tuple[str, str], Markup] = {}


def reaction_icon(kind: str) -> Markup:
    """A reaction's image with its name as the alt text: drawn the same on every device, no emoji font needed,
    and read out by name (a reaction row has five per post, so the markup is remembered)."""
    label = str(REACTION_LABELS[kind])
    src = static_url(reaction_image(kind))
    icon = _reaction_icons.get((src, label))
    if icon is None:
        icon = _reaction_icons[(src, label)] = Markup(  # noqa: S704 - our own file name; the label escaped
            f'<img class="emoji" src="{escape(src)}" alt="{escape(label)}" width="18" height="18">'
        )
    return icon


def nav_url(endpoint: str, **values: Any) -> str | None:
    """The URL of an endpoint, or None where the app has no such page."""
    try:
        return fast_url_for(endpoint, **values)
    except BuildError:
        return None


TOPIC_ENDPOINTS = {"discussion": "boards.topic", "question": "qa.question", "blog": "blogs.post",
                   "conversation": "messages.conversation", "event": "calendar.event",
                   "announcement": "announcements.show"}


def kind_name(kind: str) -> str:
    """What members call a topic of this kind: the badge in group activity and search results."""
    names = {"discussion": _("Discussion"), "question": _("Question"), "blog": _("Blog post"), "event": _("Event"),
             "announcement": _("Announcement"), "conversation": _("Message")}  # fmt: skip
    return names.get(kind, kind)


def topic_url(topic: Any, post: Any = None) -> str | None:
    """Where a topic (and a post in it) is read, by kind: the page that holds the post and its anchor (a blog
    comment is #comment-<id>, other posts #post-<number>); None where that page doesn't exist yet."""
    number = getattr(post, "number", 1) if post is not None else 1
    values: dict[str, Any] = {"topic_id": topic.id}
    if topic.kind == "discussion" and number > 1:
        from community.services.boards_reading import POSTS_PER_PAGE  # discussions are read a page at a time

        page = (number - 1) // POSTS_PER_PAGE + 1
        if page > 1:
            values["page"] = page
    elif topic.kind == "conversation" and number > 1:
        from community.services.messages.read import MESSAGES_PER_PAGE  # the latest messages, then earlier ones

        if number <= (topic.post_counter or 0) - MESSAGES_PER_PAGE:
            values["before"] = number + 1  # the page that ends with this message
    url = nav_url(TOPIC_ENDPOINTS.get(topic.kind, "boards.topic"), **values)
    if url and number > 1:
        url += f"#comment-{post.id}" if topic.kind == "blog" else f"#post-{number}"
    return url


def muted_authors() -> frozenset[int]:
    """The members the viewer muted (their posts are collapsed): one query, on the pages that show posts,
    kept with the request's ``can`` (asked once per post)."""
    can = viewer_predicates()
    muted = can.__dict__.get("muted_authors")
    if muted is None:
        viewer = can._user
        muted = frozenset()
        if getattr(viewer, "is_authenticated", False):
            from community.services.moderation import relations_of

            muted = frozenset(relations_of(viewer)["mute"])
        can.__dict__["muted_authors"] = muted
    return muted


def is_muted(post: Any) -> bool:
    """Whether the viewer muted this post's author (and so sees it collapsed)."""
    muted = muted_authors()
    return bool(muted) and post.author_id in muted and post.author_id != getattr(viewer_predicates()._user, "id", None)


def _header_counts() -> tuple[int, int]:
    """The bell's count and the unread conversations' (one query); the notifications blueprint provides it."""
    provider = current_app.extensions.get("community.header_counts")
    if provider is None or not getattr(current_user, "is_authenticated", False):
        return 0, 0
    # A conversation page has just marked itself read (``g.messages_read_now``): it isn't counted.
    notifications, messages = provider(current_user, read_now=int(g.get("messages_read_now", 0)))
    return int(notifications), int(messages)


def deleted_by(post: Any) -> Any:
    """Who deleted a post, where the page loaded it (thread pages do, in the same query); else None."""
    from sqlalchemy import inspect

    if post.deleted_by_id is None or "deleted_by" in inspect(post).unloaded:
        return None
    return post.deleted_by


def review_counts() -> Any:
    """What waits for a moderator (the header's count): the moderation blueprint provides it; asked once per
    page, and only by the pages that show it (a staff member's header: one query)."""
    provider = current_app.extensions.get("community.review_counts")
    if provider is None or not getattr(current_user, "is_authenticated", False):
        return None
    counts = g.get("_review_counts")
    if counts is None:
        counts = g._review_counts = provider(current_user._get_current_object())
    return counts


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
    app.jinja_env.filters["date_tag"] = date_tag
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["time_left"] = time_left
    app.jinja_env.filters["machine_time"] = machine_time
    app.jinja_env.globals["url_for"] = fast_url_for
    # Templates get ``can`` from the context processor; this global serves macros imported without context.
    app.jinja_env.globals["can"] = _ViewerPredicates()
    app.jinja_env.globals["avatar_url"] = avatar_url
    app.jinja_env.globals.update(avatar=avatar, role_badge=role_badge, user_link=user_link, byline=byline)
    app.jinja_env.globals["reaction_icon"] = reaction_icon
    app.jinja_env.globals["nav_url"] = nav_url
    app.jinja_env.globals["is_muted"] = is_muted
    app.jinja_env.globals["topic_url"] = topic_url
    app.jinja_env.globals["kind_name"] = kind_name
    app.jinja_env.globals["submission_key_input"] = submission_key_input

    app.jinja_env.globals["review_counts"] = review_counts
    app.jinja_env.globals["is_held"] = is_held
    app.jinja_env.globals["deleted_by"] = deleted_by

    @app.context_processor
    def _inject() -> dict[str, Any]:
        settings = community_settings(app)
        viewer = current_user._get_current_object()
        unread_notifications, unread_messages = _header_counts()
        return {
            # The member object, not Flask-Login's proxy (which costs a context lookup per attribute read).
            "current_user": viewer,
            "can": viewer_predicates(),
            "community_name": settings.get("community_name") or app.config["COMMUNITY_NAME"],
            "settings": settings,
            "unread_notifications": unread_notifications,
            "unread_messages": unread_messages,
        }
