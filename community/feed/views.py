"""Home (the activity feed), tag pages, post permalinks, reactions, watching and following."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions
from community.feed import bp
from community.feed.forms import EmptyForm, ReactionForm
from community.services import announcements, calendar, reactions, social
from community.services import feed as feed_service
from community.services.posts import TAG_RE
from community.templating import topic_url


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 18 else None


def _back(default: str) -> str:
    """The form's ``next`` if it is a path on this site (never an open redirect), else ``default``."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


@bp.get("/")
def home() -> ResponseReturnValue:
    """The member's home: what is new that they may see, with filters and "new since your last visit"."""
    show = request.args.get("show", "all")
    if show not in feed_service.FILTERS:
        show = "all"
    page = feed_service.feed(current_user, show=show, before=_int_arg("before"), after=_int_arg("after"))
    events = calendar.upcoming(current_user, limit=calendar.HOME_EVENTS)
    notices = announcements.top_announcements(current_user)
    return render_template("feed/home.html", page=page, show=show, filters=feed_service.FILTERS, events=events,
                           announcements=notices)  # fmt: skip


@bp.get("/tags/<tag>")
def tag(tag: str) -> ResponseReturnValue:
    """Everything tagged or #hashtagged with ``tag`` that the member may see."""
    name = tag.lower()
    if not TAG_RE.match(name):
        abort(404)
    topics, older = feed_service.tag_topics(current_user, name, before=_int_arg("before"))
    tag_row = feed_service.find_tag(name)
    watching = tag_row is not None and social.is_watching(current_user, "tag", tag_row.id)
    return render_template("feed/tag.html", name=name, topics=topics, older=older, tag=tag_row,
                           watching=watching, form=EmptyForm())  # fmt: skip


@bp.post("/tags/<tag>/follow")
def follow_tag(tag: str) -> ResponseReturnValue:
    """Follow a tag (creating it if only #hashtags used it so far)."""
    name = tag.lower()
    if not TAG_RE.match(name):
        abort(404)
    if EmptyForm().validate_on_submit():
        social.watch(current_user, "tag", social.tag_for_watching(name).id)
        flash(_("You follow #%(tag)s: new posts with it will reach you.", tag=name), "success")
    return redirect(url_for("feed.tag", tag=name))


@bp.get("/p/<int:post_id>")
def post_link(post_id: int) -> ResponseReturnValue:
    """A post's permalink: its place in its topic's page (or the post alone where no page exists yet)."""
    post = permissions.access_post(current_user, post_id)
    path = topic_url(post.topic, post)
    if path is not None:
        return redirect(path)
    summary = reactions.summaries([post.id], current_user)
    return render_template("feed/post.html", post=post, topic=post.topic, summary=summary.get(post.id, []))


@bp.post("/posts/<int:post_id>/react")
def react(post_id: int) -> ResponseReturnValue:
    """Add or take back a reaction on a post."""
    post = permissions.access_post(current_user, post_id)
    form = ReactionForm()
    if not form.validate_on_submit():
        abort(400)
    reactions.toggle(current_user, post, post.topic, form.kind.data)
    return redirect(_back(url_for("feed.post_link", post_id=post.id)))


@bp.post("/watch/<target_type>/<int:target_id>")
def watch(target_type: str, target_id: int) -> ResponseReturnValue:
    """Watch a discussion, question, blog post, board, group or blog, or follow a member or tag."""
    permissions.access_watch_target(current_user, target_type, target_id)
    if EmptyForm().validate_on_submit():
        social.watch(current_user, target_type, target_id)
        flash(_("Following: you'll hear about new posts here.") if target_type != "member"
              else _("Following: their new posts reach your feed."), "success")  # fmt: skip
    return redirect(_back(url_for("feed.home")))


@bp.post("/unwatch/<target_type>/<int:target_id>")
def unwatch(target_type: str, target_id: int) -> ResponseReturnValue:
    """Stop watching or following."""
    permissions.access_watch_target(current_user, target_type, target_id)
    if EmptyForm().validate_on_submit():
        social.unwatch(current_user, target_type, target_id)
        flash(_("You no longer follow this."), "success")
    return redirect(_back(url_for("feed.home")))


@bp.get("/t/<int:topic_id>")
def topic_link(topic_id: int) -> ResponseReturnValue:
    """A topic's permalink: its page in its own area (or its opening post's permalink)."""
    topic = permissions.access_topic(current_user, topic_id)
    path = topic_url(topic)
    if path is not None:
        return redirect(path)
    return redirect(url_for("feed.post_link", post_id=feed_service.opening_post_id(topic)))


@bp.record_once
def _template_helpers(state: object) -> None:
    """The reactions row and the excerpt filter the social macros use."""
    from community.markup import plain_excerpt
    from community.services.reactions import reaction_row

    app = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["reaction_row"] = reaction_row
    app.jinja_env.filters["excerpt"] = plain_excerpt
