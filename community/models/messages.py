"""Private messages: who takes part in a conversation (a Topic of kind ``conversation``).

A conversation's messages are ordinary Posts, so markup, mentions, reactions and reports work on them as
on any post; who may read them is this table alone (``permissions.can_view_topic``). A member who leaves
keeps their row with ``left_at`` set and loses access to the whole conversation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.content import Topic
from community.models.user import User

#: Members in one conversation, the starter included.
MAX_PARTICIPANTS = 20


class Participant(db.Model):
    """A member's place in a conversation: when they joined (or left), how far they read, muted or not."""

    __tablename__ = "participants"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The number of the last message this member has read (Post.number); 0: none yet.
    last_read_number: Mapped[int] = mapped_column(Integer, default=0)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)  # no notifications from this conversation

    topic: Mapped[Topic] = relationship(lazy="raise_on_sql")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (
        # The inbox and the header's count: a member's current conversations.
        Index("ix_participants_user_left", "user_id", "left_at", "topic_id"),
    )

    @property
    def is_active(self) -> bool:
        return self.left_at is None
