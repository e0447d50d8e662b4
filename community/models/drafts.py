"""Drafts: what a member was typing in a composer, kept on the server per member and place.

``key`` names the place (``reply:topic:123``, ``new-discussion:board:4``, ``message:conversation:9``,
``bio``): a draft is only ever read or written for the signed-in member, so a key names a place, never
somebody else's text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.extensions import db
from community.models.base import UTCDateTime, utcnow

#: Drafts one member keeps at most (the oldest goes when a new place is saved past it).
MAX_DRAFTS = 50
KEY_MAX = 80


class Draft(db.Model):
    """One member's unsent text for one composer."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
