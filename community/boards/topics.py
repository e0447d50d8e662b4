"""Discussion pages and the actions on them: reply (with quote), edit, delete, hide, pin, lock, move, follow."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.boards import bp
from community.boards.forms import EditPostForm, HideForm, MoveForm, ReplyForm
from community.boards.views import checked_form, form_error
from community.errors import Conflict, DomainError, InvalidInput, NotFound
from community.models import Post, Topic
from community.notices import flash_if_held
from community.permissions import (
    access_board,
    access_post,
    access_topic,
    can_edit_post,
    can_moderate_topic,
    require,
)
from community.services import boards as service
from community.services import boards_reading as reading
from community.services import posts
from community.services.drafts import discard_draft, draft_key


def _discussion_post(post_id: int) -> Post:
    """A post of a discussion the viewer may see (blog and Q&A posts have their own pages)."""
    post = access_post(current_user, post_id)
    if post.topic.kind != "discussion":
        raise NotFound()
    return post


def _page_arg() -> int:
    try:
        return int(request.args.get("page", 1))
    except ValueError:
        return 1


def _render_topic(topic: Topic, form: ReplyForm, page: int = 1, status: int = 200) -> ResponseReturnValue:
    """The discussion page (also re-rendered, keeping the member's text, when a reply is refused)."""
    view = reading.topic_page(current_user, topic, page)
    move_form = None
    if can_moderate_topic(current_user, topic):
        move_form = MoveForm()
        move_form.board_id.choices = [(b.id, _board_label(b)) for b in service.moderated_boards(current_user, topic)]
    if status == 200 and view.posts:
        posts.mark_read(current_user, topic, view.posts[-1].number, known=view.last_read)
    from community.services.reactions import summaries

    reactions = summaries([p.id for p in view.posts], current_user)
    return render_template("boards/topic.html", topic=topic, view=view, form=form, move_form=move_form,
                           hide_form=HideForm(), reactions=reactions), status  # fmt: skip


def _board_label(board: object) -> str:
    group = getattr(board, "group", None)
    name = board.name  # type: ignore[attr-defined]
    return f"{group.name} › {name}" if group is not None else _("Community › %(board)s", board=name)


@bp.get("/discussions/<int:topic_id>")
def topic(topic_id: int) -> ResponseReturnValue:
    """A discussion: posts in order, 20 per page, a link to the first unread post, the reply form."""
    topic = access_topic(current_user, topic_id, kind="discussion")
    form = ReplyForm()
    quote_id = request.args.get("quote", type=int)
    if quote_id is not None:
        try:
            quoted = access_post(current_user, quote_id)
        except NotFound:
            quoted = None  # a stale or foreign quote link just opens the page
        if quoted is not None and quoted.topic_id == topic.id and quoted.deleted_at is None:
            form.body.data = service.quote_text(quoted)
    return _render_topic(topic, form, _page_arg())


@bp.post("/discussions/<int:topic_id>/reply")
def reply(topic_id: int) -> ResponseReturnValue:
    """Post a reply; a refused reply re-renders the page with the member's text kept."""
    topic = access_topic(current_user, topic_id, kind="discussion")
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            quoting = None
            if request.form.get("quote_id", "").isdigit():
                quoting = access_post(current_user, int(request.form["quote_id"]))
            post = service.reply(current_user, topic, form.body.data, quoting=quoting,
                                 submission_key=form.submitted_key())
        except DomainError as error:
            form_error(form, error)
            return _render_topic(topic, form, reading.page_count(topic), error.status)
        discard_draft(current_user, draft_key("reply", "topic", topic.id))
        flash_if_held(post)
        return redirect(_post_url(topic, post.number))
    return _render_topic(topic, form, reading.page_count(topic), 400)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int) -> ResponseReturnValue:
    """Edit a post; a stale edit (someone saved in between) gives 409 with the member's text kept."""
    post = _discussion_post(post_id)
    require(can_edit_post(current_user, post, post.topic), _("You can't edit this post."))
    form = EditPostForm()
    if request.method == "GET":
        form.body.data, form.revision.data = post.body, str(post.revision_count)
        form.title.data = post.topic.title
        form.tags.data = " ".join(reading.tags_for([post.topic_id]).get(post.topic_id, []))
    elif form.validate_on_submit():
        opening = post.number == 1
        try:
            base = int(form.revision.data) if (form.revision.data or "").isdigit() else None
            posts.edit_post(current_user, post, post.topic, form.body.data, base_revision=base,
                            title=form.title.data if opening else None,
                            tags=form.tags.data if opening else None)  # fmt: skip
        except DomainError as error:
            if isinstance(error, Conflict):
                post = access_post(current_user, post_id)  # their newer version, to compare with
                form.revision.data = str(post.revision_count)
            form_error(form, error)
            return render_template("boards/edit_post.html", post=post, topic=post.topic, form=form,
                                   conflict=isinstance(error, Conflict)), error.status  # fmt: skip
        discard_draft(current_user, draft_key("edit", "post", post.id))
        flash(_("Your changes are saved."), "success")
        return redirect(_post_url(post.topic, post.number))
    status = 400 if form.errors else 200
    return render_template("boards/edit_post.html", post=post, topic=post.topic, form=form, conflict=False), status


def _post_url(topic: Topic, number: int) -> str:
    page = (number - 1) // reading.POSTS_PER_PAGE + 1
    return url_for("boards.topic", topic_id=topic.id, page=page, _anchor=f"post-{number}")


@bp.post("/posts/<int:post_id>/delete")
def delete_post(post_id: int) -> ResponseReturnValue:
    """Delete your own post (soft: it shows as deleted and the thread stays intact)."""
    post = _discussion_post(post_id)
    checked_form()
    posts.delete_post(current_user, post, post.topic)
    flash(_("The post was deleted."), "success")
    return redirect(_post_url(post.topic, post.number))


@bp.post("/posts/<int:post_id>/hide")
def hide_post(post_id: int) -> ResponseReturnValue:
    """A moderator hides a post, with a reason its author will see."""
    post = _discussion_post(post_id)
    form = HideForm()
    if not form.validate_on_submit():
        raise InvalidInput(_("Reasons are 500 characters at most."))
    posts.hide_post(current_user, post, post.topic, form.reason.data or "")
    flash(_("The post is hidden. Its author can still see it, with your reason."), "success")
    return redirect(_post_url(post.topic, post.number))


@bp.post("/posts/<int:post_id>/restore")
def restore_post(post_id: int) -> ResponseReturnValue:
    """A moderator restores a hidden post."""
    post = _discussion_post(post_id)
    checked_form()
    posts.restore_post(current_user, post, post.topic)
    flash(_("The post is visible again."), "success")
    return redirect(_post_url(post.topic, post.number))


MODERATION = {
    "pin": (service.set_pinned, True, _l("Pinned to the top of the board.")),
    "unpin": (service.set_pinned, False, _l("Unpinned.")),
    "lock": (service.set_locked, True, _l("Locked: no new replies.")),
    "unlock": (service.set_locked, False, _l("Unlocked: replies are open again.")),
}


@bp.post("/discussions/<int:topic_id>/<any(pin, unpin, lock, unlock):action>")
def moderate(topic_id: int, action: str) -> ResponseReturnValue:
    """Pin, unpin, lock or unlock a discussion (its moderators)."""
    topic = access_topic(current_user, topic_id, kind="discussion")
    checked_form()
    do, value, message = MODERATION[action]
    do(current_user, topic, value)
    flash(str(message), "success")
    return redirect(url_for("boards.topic", topic_id=topic.id))


@bp.post("/discussions/<int:topic_id>/move")
def move(topic_id: int) -> ResponseReturnValue:
    """Move a discussion to another board the moderator moderates."""
    topic = access_topic(current_user, topic_id, kind="discussion")
    form = MoveForm()
    if not form.validate_on_submit() or form.board_id.data is None:
        raise InvalidInput(_("Please choose a board."))
    try:
        to_board = access_board(current_user, form.board_id.data)
    except NotFound:
        raise InvalidInput(_("Please choose a board you moderate."), field="board_id") from None
    try:
        service.move_topic(current_user, topic, to_board)
    except Conflict as error:
        flash(error.message, "error")  # the mover is warned: nobody loses their own posts
        return redirect(url_for("boards.topic", topic_id=topic.id)), 303
    flash(_("Moved to “%(board)s”.", board=to_board.name), "success")
    return redirect(url_for("boards.topic", topic_id=topic.id))
