"""The social layer's tables: notifications, the activity stream and sent digests.

Follows and watches are ``Subscription`` rows (content.py): target_type ``member`` is "I follow this
person"; topic, board, group, blog (target_id = the blog's author) and tag are "I watch this".
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.content import Post, Topic
from community.models.group import Group
from community.models.user import User

#: What a notification is about; each member picks a delivery per kind (see services.notifications).
NOTIFICATION_KINDS = {
    "reply": _l("Replies to your discussions and posts"),
    "mention": _l("Someone mentions you with @"),
    "answer": _l("Answers to your questions"),
    "accepted": _l("Your answer is accepted"),
    "comment": _l("Comments on your blog posts"),
    "watched": _l("New posts in things you watch or people you follow"),
    "join_request": _l("Requests to join a group you facilitate"),
    "report": _l("Reports of posts in a group you facilitate"),
    "invitation": _l("Invitations to join a group"),
    "nudge": _l("A friendly note from a facilitator"),
    "message": _l("Private messages to you"),
    # Where the member stands: their requests to join answered, a facilitator role given or taken away.
    "join_approved": _l("Your requests to join a group, when approved"),
    "join_declined": _l("Your requests to join a group, when declined"),
    "facilitator_added": _l("Being made a facilitator (of a group or the community)"),
    "facilitator_removed": _l("No longer being a facilitator"),

    # Moderation of the member's own posts: held, approved, rejected, hidden, restored; a moderators' warning.
    "post_held": _l("Your post is waiting for a moderator"),
    "post_approved": _l("A moderator approved your post"),
    "post_rejected": _l("A moderator didn't approve your post"),
    "post_hidden": _l("A moderator hid your post"),
    "post_restored": _l("A moderator restored your post"),
    "warning": _l("A warning from the moderators"),
    # Events the member answered (going, maybe or not going): a new time or place, a cancellation; reminders.
    "event_changed": _l("An event you answered changes its time or place"),
    "event_cancelled": _l("An event you answered is cancelled"),
    "event_reminder": _l("Reminders of events you go to (24 hours and 1 hour before)"),
    # A facilitator's announcement to their group, or the community manager's to everyone.
    "announcement": _l("Announcements to your groups and the community"),
    # The member's own requests about their account.
    "export_ready": _l("A copy of your data is ready to download"),
}
#: in the page only / e-mail at once / daily digest / weekly digest / off
DELIVERIES = {
    "web": _l("In the page only"),
    "email": _l("E-mail me at once"),
    "daily": _l("In a daily e-mail digest"),
    "weekly": _l("In a weekly e-mail digest"),
    "off": _l("Off"),
}
#: Kinds that only some deliveries suit: an announcement reaches every member at once, so never only in a
#: digest and never off.
KIND_DELIVERIES = {"announcement": ("email", "web")}


class Notification(db.Model):
    """Something a member should know about, shown under the bell (and perhaps e-mailed)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    # For kinds that are not about a post (join requests, invitations): where the bell leads.
    url: Mapped[str] = mapped_column(String(300), default="")
    # A personal note that comes with it (a facilitator's nudge).
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise_on_sql")
    topic: Mapped[Topic | None] = relationship(lazy="raise_on_sql")
    post: Mapped[Post | None] = relationship(lazy="raise_on_sql")
    group: Mapped[Group | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_notifications_user_id_desc", "user_id", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )


#: Feed entry kinds: topic (a new discussion, blog post or question), post (a reply, answer or comment),
#: accepted (an answer accepted), joined (a new member), joined_group (someone joined a group).
ACTIVITY_KINDS = ("topic", "post", "accepted", "joined", "joined_group")


class Activity(db.Model):
    """One entry of the activity feed. Visibility is never stored here: the feed joins the live Topic and
    Post and applies ``permissions.visible_*``, so a hidden, deleted or moved post disappears at once."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship(lazy="raise_on_sql")
    topic: Mapped[Topic | None] = relationship(lazy="raise_on_sql")
    post: Mapped[Post | None] = relationship(lazy="raise_on_sql")
    group: Mapped[Group | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_activities_group_id", "group_id", "id"),
        Index("ix_activities_actor_id", "actor_id", "id"),
    )


class DigestSent(db.Model):
    """A digest that went out, so the same period is never sent twice."""

    __tablename__ = "digests_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(10))  # daily | weekly
    period: Mapped[str] = mapped_column(String(20))  # 2026-11-25 or 2026-W48
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "frequency", "period"),)


class PostHashtag(db.Model):
    """A #hashtag written in a post's text (tag pages list these with the topics tagged explicitly)."""

    __tablename__ = "post_hashtags"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
