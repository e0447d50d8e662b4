"""Inline images: uploading one, recording where it is used, deleting it from the library (commits)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select

from community.errors import Conflict, Forbidden, NotFound
from community.extensions import db
from community.models import Group, Topic, Upload, UploadUse, User
from community.permissions import is_member
from community.services.images import save_image
from community.services.media.read import PURPOSES

log = logging.getLogger(__name__)

#: An inline image named in a text: ``/uploads/<32 hex digits>.<png|jpg|gif>`` (what markup.py lets through).
UPLOAD_REF_RE = re.compile(r"/uploads/([0-9a-f]{32}\.(?:png|jpg|gif))")


def referenced_names(text: str | None) -> set[str]:
    """The upload names a Markdown text refers to."""
    return set(UPLOAD_REF_RE.findall(text or ""))


def upload_inline_image(actor: User, stream: IO[bytes], alt: str = "") -> tuple[Upload, str]:
    """Store an inline image (seen by its uploader alone until a post uses it); returns it and its Markdown."""
    if not is_member(actor):
        raise Forbidden(_("Only members can upload images."))
    upload = save_image(actor, stream, "inline")
    db.session.commit()
    alt = re.sub(r"[\[\]\n\r]", " ", alt or "").strip()[:120] or "image"
    return upload, f"![{alt}](/uploads/{upload.name})"


def _sync_uses(owner_id: int, body: str, old_body: str | None, *, post_id: int | None = None,
               profile_id: int | None = None) -> None:  # fmt: skip
    """Make the place's UploadUse rows match the images its text names (no commit).

    Only the author's own inline images are recorded: naming someone else's image (a name seen in a
    conversation, say) never opens it to a wider audience. ``old_body`` is the text before ("" for a new
    place, None if unknown): a text that names no image, before or after, costs no query."""
    names = referenced_names(body)
    if not names and old_body is not None and not referenced_names(old_body):
        return
    place = UploadUse.post_id == post_id if post_id is not None else UploadUse.profile_id == profile_id
    wanted: set[int] = set()
    if names:
        wanted = set(db.session.scalars(select(Upload.id).where(
            Upload.name.in_(sorted(names)), Upload.owner_id == owner_id, Upload.purpose == "inline")))  # fmt: skip
    have = set(db.session.scalars(select(UploadUse.upload_id).where(place)))
    if have - wanted:
        db.session.execute(delete(UploadUse).where(place, UploadUse.upload_id.in_(sorted(have - wanted))))
    for upload_id in sorted(wanted - have):
        db.session.add(UploadUse(upload_id=upload_id, post_id=post_id, profile_id=profile_id))


def record_post_uses(post_id: int, author_id: int, body: str, old_body: str | None = "") -> None:
    """Record which of the author's images a post's body shows (called by every service that writes a post)."""
    _sync_uses(author_id, body, old_body, post_id=post_id)


def record_profile_uses(member: User, bio: str, old_bio: str | None = "") -> None:
    """Record which of the member's images their profile's bio shows."""
    _sync_uses(member.id, bio, old_bio, profile_id=member.id)


def _places_showing(upload: Upload) -> int:
    """How many places show the image: posts and profiles naming it inline, or the profile, blog posts and
    groups it is the picture or the cover of."""
    if upload.purpose == "inline":
        return db.session.scalar(select(func.count()).select_from(UploadUse).where(UploadUse.upload_id == upload.id))
    if upload.purpose == "avatar":
        return db.session.scalar(select(func.count()).where(User.avatar_path == upload.name))
    return db.session.scalar(select(func.count()).where(Topic.cover_path == upload.name)) + db.session.scalar(
        select(func.count()).where(Group.cover_path == upload.name))


def delete_upload(actor: User, upload_id: int) -> None:
    """Delete one of the member's inline images and its file (commits); refused while a post or the profile
    shows it (Conflict, saying where); someone else's image, or a missing one, is NotFound."""
    upload = db.session.scalar(select(Upload).where(
        Upload.id == upload_id, Upload.owner_id == actor.id, Upload.purpose.in_(PURPOSES)))  # fmt: skip
    if upload is None:
        raise NotFound(_("Not found."))
    used = _places_showing(upload)
    if used:
        raise Conflict(ngettext("This image is still shown in %(num)d place. Remove it from there first, then "
                                "delete it.",
                                "This image is still shown in %(num)d places. Remove it from there first, then "
                                "delete it.", used))  # fmt: skip
    name = upload.name
    db.session.delete(upload)
    db.session.commit()
    # The row went first: a file left behind by a failed removal is served to nobody (no row names it).
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], name)
    with contextlib.suppress(FileNotFoundError):
        try:
            os.remove(path)
        except OSError:
            log.warning("could not remove the deleted upload %s", path, exc_info=True)
