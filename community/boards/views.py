"""Views of the boards blueprint: the Markdown preview (shared by every editor) and post history."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from community.boards import bp
from community.boards.forms import PreviewForm
from community.markup import render_markdown
from community.permissions import access_post, can_view_revisions
from community.services.posts import revisions_of


@bp.post("/preview")
def preview() -> ResponseReturnValue:
    """Markdown to sanitised HTML, exactly as it would be stored (members only, size-limited)."""
    form = PreviewForm(meta={"csrf": False})  # CSRFProtect already checked the X-CSRFToken header
    text = form.text.data or ""
    limit = current_app.config["POST_MAX_CHARS"]
    if len(text) > limit:
        return jsonify(error=f"That's too long to preview: {limit:,} characters at most."), 400
    return jsonify(html=render_markdown(text))


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int) -> ResponseReturnValue:
    """A post's edit history: its author and the moderators only (404 for everyone else)."""
    post = access_post(current_user, post_id)
    if not can_view_revisions(current_user, post, post.topic):
        from community.errors import NotFound

        raise NotFound()
    return render_template("boards/revisions.html", post=post, topic=post.topic, revisions=revisions_of(post))
