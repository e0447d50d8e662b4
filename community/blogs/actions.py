"""One-button actions on blog posts and comments: publish, schedule, close, feature, hide, like, comment."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.blogs import bp
from community.blogs.forms import CommentForm, EditCommentForm, HideForm, ImageForm, ScheduleForm, revision_number
from community.blogs.views import render_post_page
from community.errors import Conflict, InvalidInput, NotFound, RateLimited, Unavailable
from community.models import Post
from community.notices import flash_if_held
from community.permissions import access_post, access_topic, can_edit_post, can_write_blog, require
from community.services import blogs, posts
from community.services.drafts import discard_draft, draft_key


def _checked(form: FlaskForm | None = None) -> FlaskForm:
    """The action's form, CSRF-checked (a bad or missing token is a 400)."""
    form = form or FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def _to_post(topic_id: int, anchor: str | None = None) -> ResponseReturnValue:
    return redirect(url_for("blogs.post", topic_id=topic_id, _anchor=anchor))


def _blog_post(post_id: int) -> Post:
    """A post or comment of a blog post the viewer may see; NotFound otherwise."""
    post = access_post(current_user, post_id)
    if post.topic.kind != "blog":
        raise NotFound()
    return post


# Publishing ------------------------------------------------------------------------------------------------


@bp.post("/blog/<int:topic_id>/publish")
def publish(topic_id: int) -> ResponseReturnValue:
    """Publish a draft or scheduled post now."""
    _checked()
    topic = blogs.publish(current_user, access_topic(current_user, topic_id, kind="blog"))
    if not flash_if_held(topic):
        flash(_("Published! Your post is live."), "success")
    return _to_post(topic_id)


@bp.post("/blog/<int:topic_id>/unpublish")
def unpublish(topic_id: int) -> ResponseReturnValue:
    """Back to draft: only the author sees it again."""
    _checked()
    blogs.unpublish(current_user, access_topic(current_user, topic_id, kind="blog"))
    flash(_("Your post is a draft again. Only you can see it."), "success")
    return _to_post(topic_id)


@bp.post("/blog/<int:topic_id>/schedule")
def schedule(topic_id: int) -> ResponseReturnValue:
    """Schedule a draft for a later time (a bad or past time: 400 with the reason)."""
    topic = access_topic(current_user, topic_id, kind="blog")
    form = ScheduleForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(error) for error in form.publish_at.errors), "error")
        return render_post_page(topic, status=400)
    try:
        blogs.schedule(current_user, topic, form.scheduled_time())
    except InvalidInput as err:
        flash(err.message, "error")
        return render_post_page(topic, status=400)
    flash(_("Scheduled. It will be published at the time you chose."), "success")
    return _to_post(topic_id)


@bp.post("/blog/<int:topic_id>/<any(close, reopen):what>")
def close(topic_id: int, what: str) -> ResponseReturnValue:
    """Close or reopen comments on a post."""
    _checked()
    blogs.set_comments_closed(current_user, access_topic(current_user, topic_id, kind="blog"), what == "close")
    flash(_("Comments are closed.") if what == "close" else _("Comments are open again."), "success")
    return _to_post(topic_id, "comments")


@bp.post("/blog/<int:topic_id>/<any(feature, unfeature):what>")
def feature(topic_id: int, what: str) -> ResponseReturnValue:
    """Feature a post at the top of the blog index, or stop featuring it."""
    _checked()
    blogs.set_featured(current_user, access_topic(current_user, topic_id, kind="blog"), what == "feature")
    flash(_("Featured on the blog index.") if what == "feature" else _("No longer featured."), "success")
    return _to_post(topic_id)


@bp.post("/blog/<int:topic_id>/<any(hide, restore):what>")
def hide(topic_id: int, what: str) -> ResponseReturnValue:
    """A moderator hides a whole blog post (or restores it)."""
    form = _checked(HideForm())
    topic = access_topic(current_user, topic_id, kind="blog")
    blogs.set_hidden(current_user, topic, what == "hide", form.reason.data or "")
    flash(_("The post is hidden.") if what == "hide" else _("The post is visible again."), "success")
    return _to_post(topic_id)


# Comments ----------------------------------------------------------------------------------------------------


@bp.post("/blog/<int:topic_id>/comments")
def comment(topic_id: int) -> ResponseReturnValue:
    """Comment on a post, or reply to one of its comments."""
    topic = access_topic(current_user, topic_id, kind="blog")
    form = CommentForm()
    if not form.validate_on_submit():
        return render_post_page(topic, form, 400, reply_to=form.parent())
    try:
        new = blogs.add_comment(current_user, topic, form.body.data, form.parent(), submission_key=form.submitted_key())
    except InvalidInput as err:
        form.form_errors.append(err.message)
        form.parent_id.data = ""  # a bad reference is dropped; the text is kept for a plain comment
        return render_post_page(topic, form, 400)
    parent = form.parent()
    # The post's own comment box and each "Reply to" box keep their own drafts.
    discard_draft(current_user, draft_key("comment", "topic", topic.id) if parent is None
                  else draft_key("reply", "post", parent))
    flash_if_held(new)
    return _to_post(topic_id, f"comment-{new.id}")


@bp.route("/blog/comments/<int:post_id>/edit", methods=["GET", "POST"])
def edit_comment(post_id: int) -> ResponseReturnValue:
    """Edit your comment (a stale edit gets a 409 and keeps your text)."""
    post = _blog_post(post_id)
    require(post.number > 1 and can_edit_post(current_user, post, post.topic), _("You can't edit this comment."))
    form = EditCommentForm(data={"body": post.body, "revision": str(post.revision_count)})
    if not form.validate_on_submit():
        return render_template("blogs/edit_comment.html", form=form, post=post), 400 if form.is_submitted() else 200
    try:
        revision = revision_number(form.revision.data)
        posts.edit_post(current_user, post, post.topic, form.body.data, base_revision=revision)
    except (InvalidInput, Conflict) as err:
        form.body.errors = [*form.body.errors, err.message]
        return render_template("blogs/edit_comment.html", form=form, post=post), err.status
    discard_draft(current_user, draft_key("edit", "post", post.id))
    return _to_post(post.topic_id, f"comment-{post.id}")


@bp.post("/blog/comments/<int:post_id>/delete")
def delete_comment(post_id: int) -> ResponseReturnValue:
    """Delete a comment: your own, or any on your post."""
    _checked()
    post = _blog_post(post_id)
    require(post.number > 1, _("Delete the post itself by unpublishing it."))
    posts.delete_post(current_user, post, post.topic)
    flash(_("The comment was deleted."), "success")
    return _to_post(post.topic_id, "comments")


@bp.post("/blog/comments/<int:post_id>/<any(hide, restore):what>")
def hide_comment(post_id: int, what: str) -> ResponseReturnValue:
    """A moderator hides a comment (its author still sees it, with the reason) or restores it."""
    form = _checked(HideForm())
    post = _blog_post(post_id)
    if what == "hide":
        posts.hide_post(current_user, post, post.topic, form.reason.data or "")
    else:
        posts.restore_post(current_user, post, post.topic)
    return _to_post(post.topic_id, f"comment-{post.id}")


@bp.post("/blog/posts/<int:post_id>/<any(like, unlike):what>")
def like(post_id: int, what: str) -> ResponseReturnValue:
    """Like a post or comment, or undo the like."""
    _checked()
    post = _blog_post(post_id)
    blogs.set_like(current_user, post, post.topic, what == "like")
    return _to_post(post.topic_id, f"comment-{post.id}" if post.number > 1 else "likes")


# Images and feed tokens ------------------------------------------------------------------------------------


@bp.post("/blogs/images")
def upload_image() -> ResponseReturnValue:
    """An inline image from the editor: JSON with the Markdown to insert (400 with the reason if refused)."""
    require(can_write_blog(current_user))
    form = ImageForm()
    if not form.validate_on_submit() or form.image.data is None or not getattr(form.image.data, "filename", ""):
        return jsonify(error=_("Choose an image file first.")), 400
    try:
        upload, markdown = blogs.upload_inline_image(current_user, form.image.data.stream, form.alt.data or "")
    except (InvalidInput, RateLimited, Unavailable) as err:
        return jsonify(error=err.message), err.status
    return jsonify(markdown=markdown, url=url_for("uploads.serve", name=upload.name))
