"""Views of the blogs blueprint: the index, member blogs, writing and editing, the post page.

One-button actions and comments are in actions.py, Atom feeds in feeds.py. The blueprint has no URL
prefix, so member blogs live under /members/<handle>/blog and posts at /blog/<id>.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from community.blogs import bp
from community.blogs.forms import BlogPostForm, CommentForm, ScheduleForm, revision_number
from community.errors import DomainError, InvalidInput, NotFound, RateLimited, Unavailable
from community.extensions import db
from community.markup import render_markdown
from community.models import Group, Post, Topic
from community.permissions import access_group, access_topic, can_edit_post, can_write_blog, require
from community.services import blog_reads, blogs, programmes
from community.services.drafts import discard_draft, draft_key
from community.services.group_pages import filter_groups

PER_PAGE = 20
DONE = {
    "draft": _l("Draft saved. Only you can see it."),
    "publish": _l("Published! Your post is live."),
    "schedule": _l("Scheduled. It will be published at the time you chose."),
    "save": _l("Changes saved."),
}


@dataclass
class Pager:
    """Numbered pages for the pager macro."""

    has_prev: bool
    has_next: bool
    prev_url: str | None
    next_url: str | None
    label: str


def _pager(page: int, has_next: bool, endpoint: str, **args: Any) -> Pager:
    args = {k: v for k, v in args.items() if v}
    return Pager(page > 1, has_next, url_for(endpoint, page=page - 1, **args) if page > 1 else None,
                 url_for(endpoint, page=page + 1, **args) if has_next else None,
                 _("Page %(num)d", num=page))  # fmt: skip


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1


@bp.get("/blogs")
def index() -> ResponseReturnValue:
    """The community blog index: featured posts first, then the latest; filter by tag and group."""
    page, tag = _page_arg(), (request.args.get("tag") or "").strip().lower()[:40] or None
    slug = (request.args.get("group") or "").strip()[:60] or None
    group = access_group(current_user, slug, content=True) if slug else None
    cards, has_next = blog_reads.list_posts(current_user, group=group, tag=tag, page=page, per_page=PER_PAGE,
                                            featured_first=True)  # fmt: skip
    pager = _pager(page, has_next, "blogs.index", tag=tag, group=slug)
    return render_template("blogs/index.html", cards=cards, pager=pager, tag=tag, group=group,
                           groups=filter_groups(current_user, slug))  # fmt: skip


@bp.get("/members/<handle>/blog")
def member_blog(handle: str) -> ResponseReturnValue:
    """A member's blog: their published posts the viewer may see (and, for them, their drafts)."""
    member = blog_reads.member_by_handle(handle)
    if member is None:
        raise NotFound()
    page = _page_arg()
    cards, has_next = blog_reads.list_posts(current_user, author=member, page=page, per_page=PER_PAGE)
    drafts = blog_reads.unpublished_posts(member) if member.id == current_user.id and page == 1 else []
    return render_template("blogs/member_blog.html", member=member, cards=cards, drafts=drafts,
                           pager=_pager(page, has_next, "blogs.member_blog", handle=member.handle))  # fmt: skip


def _write_form(topic: Topic | None = None, opening: Post | None = None) -> BlogPostForm:
    form = BlogPostForm()
    if topic is not None:
        del form.submission_key  # an edit posts nothing new (a stale one is a 409): no one-time key
    if topic is not None and opening is not None and not form.is_submitted():
        form.title.data, form.body.data = topic.title, opening.body
        form.tags.data = " ".join(t.name for t in blog_reads.topic_tags(topic))
        form.group_id.data = topic.group_id or 0
        form.revision.data = str(opening.revision_count)
    groups = blog_reads.audience_groups(current_user)
    if topic is not None and topic.group_id and topic.group_id not in {g.id for g in groups} and topic.group:
        groups.append(topic.group)  # a moderator editing keeps the post where it is
    form.group_id.choices = [(0, _("Everyone in the community"))] + [
        (g.id, _("Only members of %(group)s", group=g.name)) for g in groups
    ]
    if topic is None:
        units = {u.id: u for us in programmes.units_by_group(groups).values() for u in us}
        form.unit.choices = [SelectChoice("", _("No unit")),
                             *(SelectChoice(str(u.id), u.label) for u in units.values())]
    return form


def _file(field: Any) -> IO[bytes] | None:
    data = field.data
    return data.stream if data is not None and getattr(data, "filename", "") else None


def _fail(form: FlaskForm, err: DomainError) -> None:
    """Show a service's message next to its field (or above the form)."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


def _editor_step(form: BlogPostForm, template: str, **ctx: Any) -> ResponseReturnValue:
    """Preview or insert an image without JavaScript: re-show the form, nothing saved but the image."""
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        for field in form:
            field.errors = []
    preview_html = None
    if form.action() == "preview":
        preview_html = render_markdown(form.body.data or "")
    elif _file(form.image) is None:
        _fail(form, InvalidInput(_("Choose an image file first."), field="image"))
        return render_template(template, form=form, **ctx), 400
    else:
        try:
            _upload, markdown = blogs.upload_inline_image(current_user, _file(form.image), form.image_alt.data or "")  # type: ignore[arg-type]
        except (InvalidInput, RateLimited, Unavailable) as err:
            _fail(form, err)
            return render_template(template, form=form, **ctx), err.status
        form.body.data = ((form.body.data or "").rstrip() + "\n\n" + markdown + "\n").lstrip()
        form.image_alt.data = ""
    return render_template(template, form=form, preview_html=preview_html, **ctx)


def _audience_group(form: BlogPostForm) -> Group | None:
    return db.session.get(Group, form.group_id.data) if form.group_id.data else None


@bp.route("/blogs/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Write a post: save a draft, publish now or schedule it."""
    require(can_write_blog(current_user))
    form = _write_form()
    if form.is_submitted() and form.action() in ("preview", "insert_image"):
        return _editor_step(form, "blogs/write.html", topic=None)
    if not form.validate_on_submit():
        return render_template("blogs/write.html", form=form, topic=None), 400 if form.is_submitted() else 200
    try:
        topic = blogs.write_post(current_user, title=form.title.data, body=form.body.data, tags=form.tags.data,
                                 group=_audience_group(form), action=form.action(), unit_id=form.unit.data or None,
                                 publish_at=form.scheduled_time(), cover=_file(form.cover),
                                 submission_key=form.submitted_key())  # fmt: skip
    except (InvalidInput, RateLimited, Unavailable) as err:  # bad input, too fast, or a failing disk: keep the text
        _fail(form, err)
        return render_template("blogs/write.html", form=form, topic=None), err.status
    discard_draft(current_user, draft_key("new-blog-post"))
    flash(_done(form.action(), topic), "success")
    return redirect(url_for("blogs.post", topic_id=topic.id))


def _done(action: str, topic: Topic) -> str:
    if topic.status == "pending":
        return _("Thanks! A moderator will look at your post before it appears.")
    if topic.status == "scheduled" and action == "draft":
        return _("Changes saved. It is still scheduled.")
    return str(DONE[action])


def _opening(topic: Topic) -> Post:
    return db.session.scalars(select(Post).where(Post.topic_id == topic.id, Post.number == 1)).one()


@bp.route("/blog/<int:topic_id>/edit", methods=["GET", "POST"])
def edit(topic_id: int) -> ResponseReturnValue:
    """Edit a post (drafts can then be published or scheduled); stale edits of published posts get a 409."""
    topic = access_topic(current_user, topic_id, kind="blog")
    opening = _opening(topic)
    require(can_edit_post(current_user, opening, topic), _("You can't edit this post."))
    form = _write_form(topic, opening)
    if form.is_submitted() and form.action() in ("preview", "insert_image"):
        return _editor_step(form, "blogs/write.html", topic=topic)
    if not form.validate_on_submit():
        return render_template("blogs/write.html", form=form, topic=topic), 400 if form.is_submitted() else 200
    try:
        topic = blogs.update_post(current_user, topic, opening, title=form.title.data, body=form.body.data,
                          tags=form.tags.data, group=_audience_group(form), cover=_file(form.cover),
                          remove_cover=form.remove_cover.data, base_revision=revision_number(form.revision.data),
                          action=form.action(), publish_at=form.scheduled_time())  # fmt: skip
    except DomainError as err:
        if err.status not in (400, 409, 429, 503):
            raise
        _fail(form, err)
        return render_template("blogs/write.html", form=form, topic=topic), err.status
    discard_draft(current_user, draft_key("blog-post", "topic", topic.id))
    flash(_done(form.action(), topic), "success")
    return redirect(url_for("blogs.post", topic_id=topic.id))


def render_post_page(topic: Topic, comment_form: CommentForm | None = None, status: int = 200,
                     reply_to: int | None = None) -> ResponseReturnValue:  # fmt: skip
    """The post page (also re-shown with a comment form's errors)."""
    thread = blog_reads.load_thread(current_user, topic)
    return render_template(
        "blogs/post.html", topic=topic, thread=thread, tags=blog_reads.topic_tags(topic),
        comment_form=comment_form or CommentForm(formdata=None),
        schedule_form=ScheduleForm(formdata=None), button=FlaskForm(formdata=None), reply_to=reply_to,
    ), status  # fmt: skip


@bp.get("/blog/<int:topic_id>")
def post(topic_id: int) -> ResponseReturnValue:
    """A blog post with its cover, likes and threaded comments; ?reply=<id> opens a reply form there."""
    topic = access_topic(current_user, topic_id, kind="blog")
    reply = request.args.get("reply", "")
    return render_post_page(topic, reply_to=int(reply) if reply.isdigit() and len(reply) < 12 else None)


# The other route modules register on the same blueprint.
from community.blogs import actions as _actions  # noqa: E402,F401
from community.blogs import feeds as _feeds  # noqa: E402,F401
