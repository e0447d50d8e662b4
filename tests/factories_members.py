"""Test data for profiles, the directory and the admin area, built through the services."""

from __future__ import annotations

import io
import itertools

from PIL import Image

from community.extensions import db
from community.models import User
from community.services.accounts import create_user

_numbers = itertools.count(1)

# Queries every signed-in page makes: the session (with its member), group roles, settings, unread count.
LAYOUT_QUERIES = 4
# Staff (admins, facilitators) also get the header's count of what waits for review: one more query.
REVIEW_COUNT_QUERY = 1


def make_members(n: int, *, prefix: str = "member", role: str = "participant", state: str = "active") -> list[User]:
    """``n`` members with distinct handles and names (no password: hashing would make big tests slow)."""
    users = []
    for _ in range(n):
        i = next(_numbers)
        users.append(create_user(email=f"{prefix}{i}@example.org", handle=f"{prefix}{i}", password=None,
                                 display_name=f"{prefix.title()} Number{i}", role=role, state=state))  # fmt: skip
    db.session.commit()
    return users


def png_bytes(width: int = 64, height: int = 48, color: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A real PNG image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif(width: int = 80, height: int = 60) -> bytes:
    """A JPEG carrying EXIF metadata (a camera model and a GPS-ish comment) that must be stripped."""
    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # Model
    exif[0x010E] = "taken at 51.5N 0.12W"  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
