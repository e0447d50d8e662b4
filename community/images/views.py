"""The image library's page and its one action (delete)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.errors import Conflict
from community.images import bp
from community.services import media


def _page(status: int = 200, error: tuple[int, str] | None = None) -> ResponseReturnValue:
    library = media.library_page(current_user, request.args.get("after"))
    next_url = url_for("images.library", after=library.next_cursor) if library.next_cursor else None
    return render_template("images/library.html", library=library, next_url=next_url, error=error), status


@bp.get("")
def library() -> ResponseReturnValue:
    """The member's images, newest first, with where each is used and a Delete for those nothing shows."""
    return _page()


@bp.post("/<int:upload_id>/delete")
def delete(upload_id: int) -> ResponseReturnValue:
    """Delete one of the member's images (refused, with the reason beside it, while a post shows it)."""
    if not FlaskForm().validate_on_submit():
        return _page(400, (upload_id, _("The form expired. Please try again.")))
    try:
        media.delete_upload(current_user, upload_id)
    except Conflict as error:
        return _page(error.status, (upload_id, error.message))
    flash(_("The image is deleted."), "success")
    return redirect(url_for("images.library"))
