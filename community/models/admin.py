"""Invitations, the audit log and the e-mail outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.group import Group
from community.models.user import User

invitation_groups = Table(
    "invitation_groups",
    db.metadata,
    Column("invitation_id", ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Invitation(db.Model):
    """A personal invitation (email set) or a cohort link (email NULL, with max_uses)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # The invitee's name as the inviter gave it (a CSV column): greets them and pre-fills registration.
    name: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(20), default="participant")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    # A cohort link may ask for approval: who registers through it is "pending" until an admin approves.
    needs_approval: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    send_count: Mapped[int] = mapped_column(Integer, default=0)

    created_by: Mapped[User | None] = relationship(lazy="raise_on_sql")
    groups: Mapped[list[Group]] = relationship(secondary=invitation_groups, lazy="raise_on_sql")

    @property
    def is_link(self) -> bool:
        return self.email is None

    def status(self, now: datetime) -> str:
        """revoked | used | expired | open."""
        if self.revoked_at is not None:
            return "revoked"
        if self.use_count >= self.max_uses:
            return "used"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "open"


class EmailConfirmation(db.Model):
    """An account made through a cohort link, waiting for its owner to confirm the address (the member is in
    state ``unconfirmed`` meanwhile). It remembers the invitation: whether the manager approves next, the
    groups to join once confirmed, and the place to give back if the account is never confirmed. The row
    goes on confirmation, or with the account (housekeeping removes those left unconfirmed)."""

    __tablename__ = "email_confirmations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditEvent(db.Model):
    """Who did what, to what, why and when. Written by admin and moderator services."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)


class OutboxMessage(db.Model):
    """An e-mail waiting to go. Written in the same transaction as the event that causes it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Made once when queued and sent on every attempt: a resend after a crash carries the same Message-ID, so
    # receiving servers and mail programs recognise it as the same message.
    message_id: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # every try, whatever became of it
    # Tries the server answered by putting this message off (4xx): these, not outages, make a message fail.
    deferrals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Given up: refused for good (5xx) or put off too often. Kept, never retried, until someone retries it.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A worker leases a message before sending (until claimed_until, as claimed_by), so two workers never send
    # it at once; a lease that runs out (the worker died) lets another take it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)
