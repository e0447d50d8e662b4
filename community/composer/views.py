"""The composer's endpoints: upload an inline image, keep and fetch drafts, suggest #tags."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from community.composer import bp
from community.errors import Forbidden, InvalidInput, RateLimited, Unavailable
from community.i18n import format_moment
from community.services import blogs, drafts, social


@bp.app_template_global()
def composer_ready() -> bool:
    """Whether the page's composers get the toolbar, uploads and drafts (an active member is signed in)."""
    return bool(current_user.is_authenticated and current_user.state == "active")


@bp.app_template_global("draft_key")
def draft_key_global(place: str, thing: str | None = None, thing_id: int | None = None) -> str:
    """``services.drafts.draft_key`` for the templates, which hand a composer its key."""
    return drafts.draft_key(place, thing, thing_id)


@bp.app_template_global("bio_draft_key")
def bio_draft_key_global(member: object) -> str:
    """``services.drafts.bio_draft_key`` for the profile form."""
    return drafts.bio_draft_key(current_user, member)  # type: ignore[arg-type]


def _error(message: str, status: int) -> ResponseReturnValue:
    return jsonify(error=message), status


@bp.post("/images")
def upload_image() -> ResponseReturnValue:
    """An image pasted, dropped or picked in any composer: JSON with the Markdown to insert (4xx + reason)."""
    image = request.files.get("image")
    if image is None or not image.filename:
        return _error(_("Choose an image file first."), 400)
    try:
        upload, markdown = blogs.upload_inline_image(current_user, image.stream, request.form.get("alt", ""))
    except (Forbidden, InvalidInput, RateLimited, Unavailable) as err:
        return _error(err.message, err.status)
    return jsonify(markdown=markdown, url=f"/uploads/{upload.name}")


@bp.get("/drafts/<key>")
def get_draft(key: str) -> ResponseReturnValue:
    """The signed-in member's own draft for this composer (``body`` null when there is none)."""
    try:
        draft = drafts.get_draft(current_user, key)
    except InvalidInput as err:
        return _error(err.message, err.status)
    if draft is None:
        return jsonify(body=None)
    return jsonify(body=draft.body, updated_at=draft.updated_at.isoformat(), when=str(format_moment(draft.updated_at)))


@bp.post("/drafts/<key>")
def save_draft(key: str) -> ResponseReturnValue:
    """Keep what the member is typing (sent by the composer a moment after typing stops, and on leaving)."""
    try:
        drafts.save_draft(current_user, key, request.form.get("body", ""))
    except InvalidInput as err:
        return _error(err.message, err.status)
    return jsonify(saved=True)


@bp.post("/drafts/<key>/discard")
def discard_draft(key: str) -> ResponseReturnValue:
    """The member chose Discard: their draft for this composer goes."""
    try:
        drafts.discard_draft(current_user, key)
    except InvalidInput as err:
        return _error(err.message, err.status)
    return jsonify(discarded=True)


@bp.get("/tags")
def tags() -> ResponseReturnValue:
    """#tag completion: existing tags used on topics the member can see, most used first."""
    return jsonify([{"name": name} for name in social.suggest_tags(current_user, request.args.get("q", ""))])
