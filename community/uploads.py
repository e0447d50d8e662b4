"""Serving uploaded images, only to those who may see what they belong to."""

from __future__ import annotations

import os
import re

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from community.extensions import db
from community.models import Group, Topic, Upload
from community.permissions import can_see_group, can_view_topic, is_member

bp = Blueprint("uploads", __name__)
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg)$")


@bp.get("/uploads/<name>")
def serve(name: str) -> Response:
    """An uploaded image; 404 unless the viewer may see the profile, group or post it belongs to."""
    if not NAME_RE.match(name) or not is_member(current_user):
        abort(404)
    upload = db.session.scalar(select(Upload).where(Upload.name == name))
    if upload is None:
        abort(404)
    if upload.topic_id is not None:
        topic = db.session.scalar(
            select(Topic).options(joinedload(Topic.group)).where(Topic.id == upload.topic_id)
        )
        if topic is None or not (can_view_topic(current_user, topic) or topic.author_id == current_user.id):
            abort(404)
    elif upload.group_id is not None:
        group = db.session.get(Group, upload.group_id)
        if group is None or not can_see_group(current_user, group):
            abort(404)
    elif upload.purpose == "inline" and upload.owner_id != current_user.id:
        abort(404)  # not yet attached to a post: only its uploader sees it
    response = send_from_directory(
        os.path.abspath(current_app.config["UPLOAD_FOLDER"]), name, mimetype=upload.content_type
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=86400"
    from flask import g

    g.private_cache_ok = True
    return response


def configure_uploads(app: Flask) -> None:
    """Register the uploads route."""
    app.register_blueprint(bp)
