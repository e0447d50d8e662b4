"""Views of the boards blueprint: board listings, board management, starting discussions, the preview.

Discussion pages and post actions are in ``community.boards.topics``.
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from community.boards import bp
from community.boards.forms import BoardForm, DiscussionForm, PreviewForm
from community.errors import DomainError, InvalidInput, NotFound
from community.i18n import format_number
from community.markup import render_markdown
from community.models import Group
from community.notices import flash_if_held
from community.permissions import (
    access_board,
    access_group,
    can_manage_board,
    can_start_discussion,
    require,
)
from community.services import boards as service
from community.services import boards_reading as reading
from community.services import programmes
from community.services.drafts import discard_draft, draft_key
from community.services.revisions import edit_history
from community.services.social import is_watching


def form_error(form: object, error: DomainError) -> None:
    """Show a service's error on its field (or above the form)."""
    target = getattr(form, error.field or "", None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)  # type: ignore[attr-defined]


def checked_form() -> FlaskForm:
    """A one-button action's form (its CSRF token checked); 400 if it doesn't validate."""
    form = FlaskForm()
    if not form.validate_on_submit():
        raise InvalidInput(_("Your form expired. Please try again."))
    return form


@bp.post("/preview")
def preview() -> ResponseReturnValue:
    """Markdown to sanitised HTML, exactly as it would be stored (members only, size-limited)."""
    form = PreviewForm(meta={"csrf": False})  # CSRFProtect already checked the X-CSRFToken header
    text = form.text.data or ""
    limit = current_app.config["POST_MAX_CHARS"]
    if len(text) > limit:
        return jsonify(
            error=_("That's too long to preview: %(limit)s characters at most.", limit=format_number(limit))
        ), 400
    return jsonify(html=render_markdown(text))


@bp.get("/boards")
def index() -> ResponseReturnValue:
    """Every board the member may see: community boards, then the boards of their and open groups."""
    return render_template("boards/index.html", boards=service.visible_boards(current_user))


@bp.get("/boards/new")
def new_since() -> ResponseReturnValue:
    """Discussions with something new since the member's last visit, across the boards they may see."""
    since, topics, reads = reading.new_since(current_user)
    return render_template("boards/new_since.html", since=since, topics=topics, reads=reads)


def _manage_target() -> Group | None:
    """The group whose boards are managed (``?group=<slug>``), or None for the community boards."""
    slug = request.args.get("group")
    return access_group(current_user, slug, content=True) if slug else None


@bp.route("/boards/manage", methods=["GET", "POST"])
def manage() -> ResponseReturnValue:
    """Admins add, describe and order community boards; group facilitators add boards to their group."""
    group = _manage_target()
    if not can_manage_board(current_user, group):
        raise NotFound()  # the management page of something you don't manage doesn't exist for you
    form = BoardForm()
    if form.validate_on_submit():
        try:
            board = service.create_board(current_user, name=form.name.data, description=form.description.data or "",
                                         group=group, position=form.position.data)  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("The board “%(name)s” is ready.", name=board.name), "success")
            return redirect(url_for("boards.manage", group=group.slug if group else None))
    boards = service.group_boards(group) if group is not None else service.community_boards()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("boards/manage.html", group=group, boards=boards, form=form), status


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id: int) -> ResponseReturnValue:
    """Rename, describe or reorder a board (those who manage it)."""
    board = access_board(current_user, board_id)
    require(can_manage_board(current_user, board.group if board.group_id else None))
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        try:
            service.update_board(current_user, board, name=form.name.data, description=form.description.data or "",
                                 position=form.position.data)  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Board saved."), "success")
            return redirect(url_for("boards.board", board_id=board.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("boards/edit_board.html", board=board, form=form), status


@bp.get("/boards/<int:board_id>")
def board(board_id: int) -> ResponseReturnValue:
    """A board: pinned discussions first, then by last activity, keyset-paginated, with unread markers."""
    board = access_board(current_user, board_id)
    page = reading.board_page(current_user, board, before=request.args.get("before"), after=request.args.get("after"))
    subscribed = is_watching(current_user, "board", board.id)
    return render_template("boards/board.html", board=board, page=page, subscribed=subscribed)


@bp.route("/boards/<int:board_id>/new", methods=["GET", "POST"])
def new_discussion(board_id: int) -> ResponseReturnValue:
    """Start a discussion: title, Markdown body (with preview) and tags."""
    board = access_board(current_user, board_id)
    require(can_start_discussion(current_user, board), _("You can't start a discussion on this board."))
    form = DiscussionForm()
    units = programmes.units_by_group([board.group]).get(board.group.id, []) if board.group else []
    form.unit.choices = [SelectChoice("", _("No unit")), *(SelectChoice(str(u.id), u.label) for u in units)]
    if request.method == "GET" and request.args.get("unit"):
        form.unit.data = request.args["unit"]
    if form.validate_on_submit():
        try:
            topic = service.start_discussion(current_user, board, form.title.data, form.body.data, form.tags.data,
                                             unit_id=form.unit.data or None, submission_key=form.submitted_key())
        except DomainError as error:
            form_error(form, error)
        else:
            discard_draft(current_user, draft_key("new-discussion", "board", board.id))
            flash_if_held(topic)
            return redirect(url_for("boards.topic", topic_id=topic.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("boards/new_discussion.html", board=board, form=form), status


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int) -> ResponseReturnValue:
    """A post's edit history as word diffs, for whoever may see the post (404 for everyone else)."""
    from community.permissions import access_post, can_view_revisions

    post = access_post(current_user, post_id)
    if not can_view_revisions(current_user, post, post.topic):
        raise NotFound()
    return render_template("boards/revisions.html", post=post, topic=post.topic, edits=edit_history(post, post.topic))


from community.boards import topics as _topics  # noqa: E402, F401  (registers the discussion views)
