"""Uploaded images: checked by content with Pillow, size and pixel limits, re-encoded, metadata stripped."""

from __future__ import annotations

import io
import os
import secrets
import warnings
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from community.errors import InvalidInput
from community.extensions import db
from community.models import Upload, User

ALLOWED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
PURPOSES = {"avatar": (512, 512), "cover": (1600, 900), "inline": (1600, 1600)}


def _decode(stream: IO[bytes]) -> Image.Image:
    max_bytes = current_app.config["IMAGE_MAX_BYTES"]
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(_("That image is larger than %(num)d MB.", num=max_bytes // (1024 * 1024)), field="image")
    if not data:
        raise InvalidInput(_("The file is empty."), field="image")
    max_pixels = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise InvalidInput(_("Please upload a PNG, JPEG, GIF or WebP image."), field="image")
            width, height = probe.size
            if width * height > max_pixels or width > 10000 or height > 10000:
                raise InvalidInput(_("That image has too many pixels."), field="image")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(_("That file is not an image we can read."), field="image")
    except (OSError, SyntaxError, ValueError):
        raise InvalidInput(_("That image is damaged or not an image we can read."), field="image")
    return image


def save_image(owner: User, stream: IO[bytes], purpose: str, *, topic_id: int | None = None,
               group_id: int | None = None) -> Upload:  # fmt: skip
    """Validate, re-encode (no metadata) and store an image; returns the Upload row (not committed)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    image = _decode(stream)
    image = ImageOps.exif_transpose(image) or image
    if purpose == "avatar":
        image = ImageOps.fit(image.convert("RGB"), PURPOSES["avatar"])
    else:
        image.thumbnail(PURPOSES[purpose])
    has_alpha = image.mode in ("RGBA", "LA", "P") and purpose != "avatar"
    out = io.BytesIO()
    if has_alpha:
        image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        ext, ctype = "png", "image/png"
    else:
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
        ext, ctype = "jpg", "image/jpeg"
    name = f"{secrets.token_hex(16)}.{ext}"
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(out.getvalue())
    upload = Upload(
        owner_id=owner.id, topic_id=topic_id, group_id=group_id, purpose=purpose, name=name,
        content_type=ctype, width=image.width, height=image.height, size=len(out.getvalue()),
    )  # fmt: skip
    db.session.add(upload)
    return upload
