"""Serving uploaded images, only to those who may see what they belong to (``permissions.access_upload``).

In a page the session says who is looking. A feed reader or a mail client has no session: their image links
are signed for the feed link or the e-mail's recipient (``services.media.links``), and that member's view
decides. Anyone else, and any bad, expired or revoked link, gets a 404.
"""

from __future__ import annotations

import os
import re

from flask import Blueprint, Flask, abort, current_app, g, request, send_from_directory
from flask_login import current_user
from werkzeug.wrappers import Response

from community.permissions import access_upload
from community.services.media.links import viewer_for_signed_link

bp = Blueprint("uploads", __name__)
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif)$")


@bp.get("/uploads/<name>")
def serve(name: str) -> Response:
    """An uploaded image; 404 unless the viewer (or the signed link's member) may see what it belongs to."""
    if not NAME_RE.match(name):
        abort(404)
    viewer = viewer_for_signed_link(name, request.args) or current_user
    upload = access_upload(viewer, name)
    response = send_from_directory(
        os.path.abspath(current_app.config["UPLOAD_FOLDER"]), name, mimetype=upload.content_type
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=86400"
    g.private_cache_ok = True
    return response


def configure_uploads(app: Flask) -> None:
    """Register the uploads route."""
    app.register_blueprint(bp)
