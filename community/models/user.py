"""The one user table for everybody, their sign-in sessions, and community settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow

ROLES = ("admin", "facilitator", "participant")
# "unconfirmed": registered through a cohort link, the e-mail address not confirmed yet (can't sign in).
STATES = ("invited", "unconfirmed", "pending", "active", "suspended", "deleted")
# What members read for a role and a state (lazy: looked up in the reader's language when shown).
ROLE_LABELS = {"admin": _l("Community manager"), "facilitator": _l("Facilitator"), "participant": _l("Participant")}
STATE_LABELS = {"invited": _l("Invited"), "unconfirmed": _l("Waiting for e-mail confirmation"),
                "pending": _l("Pending"), "active": _l("Active"),
                "suspended": _l("Suspended"), "deleted": _l("Deleted")}  # fmt: skip


class User(db.Model):
    """A member of the community, whatever their role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    handle: Mapped[str] = mapped_column(String(30), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="participant", index=True)
    state: Mapped[str] = mapped_column(String(20), default="active", index=True)

    headline: Mapped[str] = mapped_column(String(140), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    programme: Mapped[str] = mapped_column(String(120), default="")
    avatar_path: Mapped[str | None] = mapped_column(String(255))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The start of the previous visit: "new since my last visit" compares against it.
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str] = mapped_column(String(500), default="")
    # Published posts, kept by the posting services (pre-moderation and new-member limits read it).
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    # Retired: feed tokens are UrlToken rows now, stored hashed (migration d5a8c2e7f431 moved them and emptied
    # this). It stays, always NULL and read by nothing, because dropping a UNIQUE column on SQLite means
    # rebuilding ``users``, and with foreign keys on that would cascade into every table pointing at it.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Moves when the member's address or password changes: unsubscribe links mailed before stop working.
    unsubscribe_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The member's own language and time zone (None: the community's defaults; see community.i18n).
    language: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # "Delete my account": erased by the hourly job after this time unless the member signs in before;
    # whether their posts stay (under "Former member") or go with the account.
    deletion_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    deletion_keeps_posts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (Index("ix_users_display_name", "display_name"),)

    # ``group_roles`` ({group_id: group role} of active memberships) is a plain attribute, filled once per
    # request by the session loader; the predicates in permissions.py read it so that they never query.
    # ``participations`` ({topic_id: Participant or None}) likewise holds the conversations a loader checked.

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group_roles = {}
        self.participations = {}

    # Flask-Login protocol (the id is the session row's token, see auth sessions)
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_active(self) -> bool:
        # Pending and suspended members may sign in but only see a page that says so.
        return self.state in ("active", "pending", "suspended")

    def get_id(self) -> str:
        token = getattr(self, "session_token", None)
        if token is None:
            raise RuntimeError("user has no sign-in session attached")
        return token

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.state == "active"

    @property
    def is_member(self) -> bool:
        """An active, approved member of the community."""
        return self.state == "active"

    @property
    def role_label(self) -> str:
        label = ROLE_LABELS.get(self.role)
        return str(label) if label is not None else self.role

    @property
    def state_label(self) -> str:
        label = STATE_LABELS.get(self.state)
        return str(label) if label is not None else self.state

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p]
        letters = "".join(p[0] for p in parts[:2]) or self.handle[:2]
        return letters.upper()

    def __repr__(self) -> str:
        return f"<User @{self.handle} {self.role}/{self.state}>"


@db.event.listens_for(User, "load")
def _init_on_load(user: User, _context: Any) -> None:
    user.group_roles = {}
    user.participations = {}


class UserSession(db.Model):
    """One signed-in browser. Signing out deletes it, so a captured cookie dies with it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class UrlToken(db.Model):
    """A long-lived secret that stands in for a sign-in where no cookie goes: a feed reader's link, and any
    such link to come (a calendar's). Only the SHA-256 of the token is kept; the token itself is shown once,
    built into the URL, when it is made (``services.url_tokens``)."""

    __tablename__ = "url_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # see services.url_tokens.PURPOSES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the member made it for, in their words at the time ("Sam Lee's blog"); "" for links made before.
    label: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(db.Model):
    """A community setting (name, join policy, moderation thresholds, ...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
