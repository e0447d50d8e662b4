"""The shared content model: everything members write is a Post inside a Topic.

A Topic's ``kind`` is ``discussion`` (on a Board), ``blog`` (in its author's blog, optionally shared to a
group), ``question`` (Q&A), ``conversation`` (private messages between members), ``announcement`` (a group's
or the community's) or ``event`` (its description is the opening Post, its comments the replies).
``group_id`` on a Topic is the group whose visibility governs it (for a discussion, its board's group), so
one visibility filter serves every listing; a conversation has none and is seen by its participants alone
(``PRIVATE_KINDS``, kept out of that filter).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow
from community.models.group import Group
from community.models.user import User

TOPIC_KINDS = ("discussion", "blog", "question", "conversation", "announcement", "event")
# Kinds read only by the members taking part in them: never in a listing, search, feed or digest of others.
PRIVATE_KINDS = ("conversation",)
TOPIC_STATUSES = ("draft", "scheduled", "pending", "published")


class Board(db.Model):
    """A discussion area, community-wide (group_id NULL) or owned by a group."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group | None] = relationship(lazy="raise_on_sql")


class Topic(db.Model):
    """A discussion, blog post or question; its Posts hold the opening text and every reply."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))

    status: Mapped[str] = mapped_column(String(10), default="published")
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # scheduled publication
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Denormalised by the writing services, never recomputed on read.
    post_counter: Mapped[int] = mapped_column(Integer, default=0)  # last Post.number handed out
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # live replies / answers / blog comments
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer, default=0)
    like_count: Mapped[int] = mapped_column(Integer, default=0)

    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)  # no new replies/comments
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cover_path: Mapped[str | None] = mapped_column(String(255))

    # Q&A
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"), index=True)
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_role: Mapped[str | None] = mapped_column(String(20))  # role of the accepted answer's author
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_answer_by_role: Mapped[str | None] = mapped_column(String(20))  # "participant" = a peer
    # The programme unit it is about (models.programmes; no foreign key on purpose).
    unit_id: Mapped[int | None] = mapped_column(Integer)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id], lazy="raise_on_sql")
    board: Mapped[Board | None] = relationship(lazy="raise_on_sql")
    group: Mapped[Group | None] = relationship(lazy="raise_on_sql")
    tags: Mapped[list[Tag]] = relationship(secondary="topic_tags", lazy="raise_on_sql", order_by="Tag.name")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('discussion', 'blog', 'question', 'conversation', 'announcement', 'event')", name="kind"
        ),
        # Board page: pinned first, then by last activity (keyset pagination on last_activity_at, id).
        Index("ix_topics_board_listing", "board_id", "pinned", "last_activity_at", "id"),
        Index("ix_topics_kind_activity", "kind", "last_activity_at", "id"),
        Index("ix_topics_kind_published", "kind", "published_at", "id"),
        # Blog index: featured first, then newest (an index walk instead of sorting every blog post).
        Index("ix_topics_kind_featured_published", "kind", "featured", "published_at", "id"),
        Index("ix_topics_group_activity", "group_id", "last_activity_at"),
        Index("ix_topics_author_kind", "author_id", "kind", "created_at"),
        Index("ix_topics_status_publish_at", "status", "publish_at"),
        # The dashboard's "needs attention": questions and discussions nobody answered yet, oldest first, in
        # some groups. Only the waiting ones are read (at a million posts the group index read 880 topics).
        # reply_count leads: an index led by kind would tempt SQLite away from the blog index's own (36 ms).
        Index("ix_topics_waiting", "reply_count", "kind", "group_id", "created_at"),
        # A unit's page and the ?unit= filters: its questions, unanswered first.
        Index("ix_topics_unit", "unit_id", "kind", "reply_count"),
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Post(db.Model):
    """The opening text of a Topic (number 1), or a reply, answer or comment in it."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    # Position in the topic: 1 is the opening post. Answers and comments are numbered too.
    number: Mapped[int] = mapped_column(Integer)
    # opening | reply | answer | comment
    kind: Mapped[str] = mapped_column(String(10), default="reply")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    # Role of the author when they wrote it (the peer-answer figures read it).
    author_role: Mapped[str] = mapped_column(String(20), default="participant")

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who deleted it (its author or a moderator): staff see "deleted by ..." and may restore it. No foreign key:
    # SQLite can add one only by rebuilding the posts table (see the migration); a gone member reads as no name.
    deleted_by_id: Mapped[int | None] = mapped_column(Integer, index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)  # waits for a moderator's approval
    # Peers first: a facilitator's answer held (unpublished) until then, or until a peer answers.
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    score: Mapped[int] = mapped_column(Integer, default=0)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    child_count: Mapped[int] = mapped_column(Integer, default=0)

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id], lazy="raise_on_sql")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    parent: Mapped[Post | None] = relationship(remote_side=[id], lazy="raise_on_sql")
    deleted_by: Mapped[User | None] = relationship(
        primaryjoin="foreign(Post.deleted_by_id) == User.id", viewonly=True, lazy="raise_on_sql"
    )

    __table_args__ = (
        UniqueConstraint("topic_id", "number"),
        Index("ix_posts_topic_kind_score", "topic_id", "kind", "score"),
        Index("ix_posts_author_created", "author_id", "created_at"),
        Index("ix_posts_created", "created_at"),
        # Dashboard figures: posts of a few groups' topics within a period (seek by topic, not scan the period).
        Index("ix_posts_topic_created", "topic_id", "created_at"),
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class Submission(db.Model):
    """A posting form's one-time key and the post it stored (``services.submissions``): a form sent twice
    lands on that post instead of storing another. Written in the post's own transaction; pruned after days."""

    __tablename__ = "submissions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Revision(db.Model):
    """A post's earlier text, kept on every edit (readable by the author and moderators)."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User | None] = relationship(lazy="raise_on_sql")


class Tag(db.Model):
    """A tag (or #hashtag), stored lower-case."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)


class TopicTag(db.Model):
    __tablename__ = "topic_tags"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class Vote(db.Model):
    """One member's vote on a question or answer: +1 or -1."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        CheckConstraint("value IN (-1, 1)", name="value"),
    )


REACTIONS = {"like": "👍", "heart": "❤️", "celebrate": "🎉", "insightful": "💡", "thanks": "🙏"}
# The name members read (and hear) for each reaction; pages show Twemoji images of the emoji above.
REACTION_LABELS = {"like": _l("Like"), "heart": _l("Heart"), "celebrate": _l("Celebrate"),
                   "insightful": _l("Insightful"), "thanks": _l("Thanks")}  # fmt: skip


class Reaction(db.Model):
    """A member's reaction (like, heart, ...) on a post; one of each kind per member."""

    __tablename__ = "reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="like")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)


class Subscription(db.Model):
    """A member watches something: target_type topic|board|group|blog|tag, target_id its id."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id"),
        Index("ix_subscriptions_target", "target_type", "target_id"),
    )


class TopicRead(db.Model):
    """How far a member has read a topic (unread tracking)."""

    __tablename__ = "topic_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_number: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Upload(db.Model):
    """An image a member uploaded (avatar, cover or inline), stored under a generated name."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # avatar | cover | inline
    name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The image library: a member's inline images, newest first (keyset on created_at, id).
    __table_args__ = (Index("ix_uploads_library", "owner_id", "purpose", "created_at", "id"),)


class UploadUse(db.Model):
    """Where an inline image is shown: a post whose body names it, or a member's profile (bio) that does.

    Filled by the writing services (``services.media.record_post_uses``/``record_profile_uses``) from the
    ``/uploads/<name>`` references in the text; the uploads route asks it who may see an image, the image
    library where each one is used and whether it may go."""

    __tablename__ = "upload_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("upload_id", "post_id"),
        UniqueConstraint("upload_id", "profile_id"),
        CheckConstraint("(post_id IS NULL) <> (profile_id IS NULL)", name="one_place"),
    )
