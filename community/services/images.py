"""Uploaded images: checked by content with Pillow, size and pixel limits, re-encoded, metadata stripped.

What an upload may cost is bounded before anything is decoded: the bytes (``IMAGE_MAX_BYTES``), then the
size the file's header declares (``IMAGE_MAX_PIXELS``, ``IMAGE_MAX_SIDE``), read by Pillow's lazy
``Image.open`` without decoding a pixel, and only from the formats we take (``formats=``: no other
Pillow plugin ever parses an upload). Pillow's own bomb guard, which also covers what it reads lazily
(GIF frames, the WebP canvas), uses the same budget (``Image.MAX_IMAGE_PIXELS``). Each member may send
``RATELIMIT_UPLOADS`` pictures in a while. A disk that is full or read-only is a 503 with a message, and
the log names the path.

An animated GIF (an inline image) stays an animated GIF, not WebP: every mail client and feed reader shows a
GIF, while Outlook and some readers still show no WebP. It is bounded by ``IMAGE_MAX_FRAMES`` and
``IMAGE_MAX_ANIMATION_PIXELS`` (frames x width x height, read from the frames' headers before any is decoded)
and, once resized frame by frame, by ``IMAGE_MAX_BYTES``. A still GIF becomes a PNG, as before.

Pillow is imported on the first upload, not when the app starts (tests/test_cli_start.py).
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import math
import os
import re
import secrets
import time
import warnings
from typing import IO, TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse as parse_limit

from community.errors import InvalidInput, RateLimited, Unavailable
from community.extensions import db, limiter
from community.i18n import format_number
from community.models import Upload, User

if TYPE_CHECKING:
    from PIL import Image as PILImage

log = logging.getLogger(__name__)

# "MPO" is the JPEG some phones write (a photo and a second view): we keep its first picture, as for GIF.
ALLOWED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg", "GIF": "image/gif",
                   "WEBP": "image/webp"}  # fmt: skip
PURPOSES = {"avatar": (512, 512), "cover": (1600, 900), "inline": (1600, 1600)}
_BOMB_PIXELS_RE = re.compile(r"\((\d+) pixels\)")


def _megabytes(size: int) -> str:
    return format_number(round(size / (1024 * 1024), 1))


def _largest() -> str:
    """The limits in words: "40 million pixels, and at most 8,000 pixels wide or high"."""
    config = current_app.config
    millions = round(config["IMAGE_MAX_PIXELS"] / 1_000_000, 1)
    return ngettext("%(millions)s million pixels, and at most %(side)s pixels wide or high",
                    "%(millions)s million pixels, and at most %(side)s pixels wide or high", int(millions),
                    millions=format_number(millions), side=format_number(config["IMAGE_MAX_SIDE"]))  # fmt: skip


def _too_many_pixels(width: int, height: int) -> InvalidInput:
    return InvalidInput(_("This picture is %(width)s × %(height)s pixels; the largest we take is %(largest)s. "
                          "Please make it smaller and try again.", width=format_number(width),
                          height=format_number(height), largest=_largest()), field="image")  # fmt: skip


def check_declared_size(width: int, height: int) -> None:
    """Refuse a picture whose header declares more pixels, or a longer side, than we take."""
    config = current_app.config
    if width * height > config["IMAGE_MAX_PIXELS"] or max(width, height) > config["IMAGE_MAX_SIDE"]:
        raise _too_many_pixels(width, height)


def _bomb_refused(error: Exception) -> InvalidInput:
    """Pillow's own guard fired (the header declares more than twice the budget): say so, with the count."""
    found = _BOMB_PIXELS_RE.search(str(error))
    pixels = format_number(int(found.group(1))) if found else "?"
    return InvalidInput(_("This picture has %(pixels)s pixels; the largest we take is %(largest)s. Please make "
                          "it smaller and try again.", pixels=pixels, largest=_largest()), field="image")  # fmt: skip


def check_upload_rate(owner: User) -> None:
    """Count an upload against the member's ``RATELIMIT_UPLOADS``; raise RateLimited past it.

    Kept in the rate limiter's storage (Redis when configured), so the limit holds across app servers. If that
    storage fails, the upload goes through and the log says so: a broken counter must not stop members."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return
    item = parse_limit(config["RATELIMIT_UPLOADS"])
    key = ("uploads", f"member:{owner.id}")
    try:
        strategy = limiter.limiter
        if strategy.hit(item, *key):
            return
        reset_at = strategy.get_window_stats(item, *key).reset_time
    except Exception:  # any storage failure (Redis down ...): the limit is a guard, not a gate
        log.warning("upload rate limit not checked for member %s: the limits storage failed", owner.id, exc_info=True)
        return
    minutes = max(1, math.ceil((reset_at - time.time()) / 60))
    raise RateLimited(ngettext("You have sent a lot of pictures in a short time. Please try again in %(num)d "
                               "minute.",
                               "You have sent a lot of pictures in a short time. Please try again in %(num)d "
                               "minutes.", minutes), field="image")  # fmt: skip


def _decode(stream: IO[bytes], target: tuple[int, int]) -> PILImage.Image:
    """Read and check an upload; decode it (only once every check has passed) at no more than ``target`` needs."""
    from PIL import Image, UnidentifiedImageError

    config = current_app.config
    max_bytes = config["IMAGE_MAX_BYTES"]
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(_("This file is larger than %(size)s MB, the largest picture we take. Please choose a "
                             "smaller one.", size=_megabytes(max_bytes)), field="image")  # fmt: skip
    if not data:
        raise InvalidInput(_("The file is empty."), field="image")
    # Pillow's guard for what it reads lazily (GIF frames, WebP canvases) uses our budget: it warns above it
    # and refuses above twice it. We read the declared size ourselves, so the warning is ours to give.
    Image.MAX_IMAGE_PIXELS = config["IMAGE_MAX_PIXELS"]
    formats = sorted(set(ALLOWED_FORMATS) - {"MPO"})  # Pillow opens MPO through its JPEG plugin
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=formats)  # the header only: nothing is decoded
        if probe.format not in ALLOWED_FORMATS:
            raise InvalidInput(_("Please upload a PNG, JPEG, GIF or WebP image."), field="image")
        check_declared_size(*probe.size)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe.verify()
            image = Image.open(io.BytesIO(data), formats=formats)
            image.draft("RGB", (max(target), max(target)))  # a big JPEG decodes at 1/2, 1/4 or 1/8 scale
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _bomb_refused(error) from None
    except UnidentifiedImageError:
        raise InvalidInput(_("That file is not an image we can read. Please choose a PNG, JPEG, GIF or WebP image."),
                           field="image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput(_("That image is damaged or not an image we can read."), field="image") from None
    return image


def _store(name: str, payload: bytes) -> None:
    """Write the file; a full or read-only disk is a 503 for the member and an error naming the path in the log."""
    folder = current_app.config["UPLOAD_FOLDER"]
    path = os.path.join(folder, name)
    created = False
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "xb") as fh:
            created = True
            fh.write(payload)
    except OSError as error:
        code = errno.errorcode.get(error.errno or 0, "?")
        log.error("could not store an upload: %s: %s [%s] (is the upload folder full or read-only?)",
                  error.filename or path, error.strerror or error, code)  # fmt: skip
        if created:  # a full disk leaves a partial file behind
            with contextlib.suppress(OSError):
                os.remove(path)
        raise Unavailable(_("We couldn't store your picture. Please try again later."), field="image") from None


def save_image(owner: User, stream: IO[bytes], purpose: str, *, topic_id: int | None = None,
               group_id: int | None = None) -> Upload:  # fmt: skip
    """Validate, re-encode (no metadata) and store an image; returns the Upload row (not committed).

    Raises InvalidInput (a file we don't take, with the reason), RateLimited or Unavailable (the disk)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    from PIL import ImageOps

    check_upload_rate(owner)
    image = _decode(stream, PURPOSES[purpose])
    if purpose == "inline" and image.format == "GIF" and getattr(image, "n_frames", 1) > 1:
        ctype, ext = "image/gif", "gif"
        payload, size = _animated_gif(image, PURPOSES[purpose])
        return _keep(owner, purpose, payload, ext, ctype, size, topic_id=topic_id, group_id=group_id)
    ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of a large picture
    if purpose == "avatar":
        image = image.convert("RGB")
        if (factor := min(image.size) // (2 * PURPOSES["avatar"][0])) >= 2:
            image = image.reduce(factor)  # a fast box filter down to twice the size, then a fine resize
        image = ImageOps.fit(image, PURPOSES["avatar"])
    else:
        image.thumbnail(PURPOSES[purpose], reducing_gap=1.5)  # reduce() first does most of the work, fast
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
    return _keep(owner, purpose, out.getvalue(), ext, ctype, image.size, topic_id=topic_id, group_id=group_id)


def _keep(owner: User, purpose: str, payload: bytes, ext: str, ctype: str, size: tuple[int, int], *,
          topic_id: int | None, group_id: int | None) -> Upload:  # fmt: skip
    """Store the encoded file under a fresh random name and add its Upload row (not committed)."""
    name = f"{secrets.token_hex(16)}.{ext}"
    _store(name, payload)
    upload = Upload(
        owner_id=owner.id, topic_id=topic_id, group_id=group_id, purpose=purpose, name=name,
        content_type=ctype, width=size[0], height=size[1], size=len(payload),
    )  # fmt: skip
    db.session.add(upload)
    return upload


def check_animation(frames: int, width: int, height: int) -> None:
    """Refuse an animation with more frames, or more pixels in all its frames, than we take."""
    config = current_app.config
    if frames > config["IMAGE_MAX_FRAMES"]:
        raise InvalidInput(ngettext("This animation has %(num)d frame; the most we take is %(most)s. Please "
                                    "shorten it and try again.",
                                    "This animation has %(num)d frames; the most we take is %(most)s. Please "
                                    "shorten it and try again.", frames,
                                    most=format_number(config["IMAGE_MAX_FRAMES"])), field="image")  # fmt: skip
    if frames * width * height > config["IMAGE_MAX_ANIMATION_PIXELS"]:
        millions = round(config["IMAGE_MAX_ANIMATION_PIXELS"] / 1_000_000)
        raise InvalidInput(_("This animation has %(frames)s frames of %(width)s × %(height)s pixels; the most we "
                             "take is %(millions)s million pixels in all its frames. Please make it shorter or "
                             "smaller and try again.", frames=format_number(frames), width=format_number(width),
                             height=format_number(height), millions=format_number(millions)),
                           field="image")  # fmt: skip


# EXIF orientation -> the transposition that makes the picture upright (as ImageOps.exif_transpose does).
_ORIENTATIONS = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_270",
                 7: "TRANSVERSE", 8: "ROTATE_90"}  # fmt: skip


def _animated_gif(image: PILImage.Image, box: tuple[int, int]) -> tuple[bytes, tuple[int, int]]:
    """Re-encode an animated GIF as an animated GIF: frame by frame upright and resized into ``box``, no
    metadata; its timing and loop kept. Refused past the frame, pixel or byte limits, before decoding them."""
    from PIL import Image, ImageSequence

    frames = image.n_frames  # counted from the frames' headers: nothing more is decoded yet
    check_animation(frames, *image.size)
    method = _ORIENTATIONS.get(image.getexif().get(0x0112, 1))
    loop = image.info.get("loop", 0)
    out_frames: list[PILImage.Image] = []
    durations: list[int] = []
    try:
        for frame in ImageSequence.Iterator(image):
            durations.append(int(frame.info.get("duration", 100) or 100))
            still = frame.convert("RGBA")  # each frame whole (Pillow composes a GIF's partial frames)
            if method is not None:
                still = still.transpose(getattr(Image.Transpose, method))
            still.thumbnail(box, reducing_gap=1.5)
            still.info = {}  # no comment, no EXIF, no XMP travels with the frames
            out_frames.append(still)
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput(_("That image is damaged or not an image we can read."), field="image") from None
    out = io.BytesIO()
    first, rest = out_frames[0], out_frames[1:]
    first.save(out, "GIF", save_all=True, append_images=rest, duration=durations, loop=loop, disposal=2,
               optimize=False)  # fmt: skip
    payload = out.getvalue()
    max_bytes = current_app.config["IMAGE_MAX_BYTES"]
    if len(payload) > max_bytes:
        raise InvalidInput(_("This animation is larger than %(size)s MB once resized, the largest picture we take. "
                             "Please shorten it and try again.", size=_megabytes(max_bytes)),
                           field="image")  # fmt: skip
    return payload, first.size
