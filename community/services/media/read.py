"""The image library: a member's images (in posts, their profile picture, covers), newest first, each with the
places that show it.

A fixed number of queries whatever the number of images and uses: the page of images (keyset on
``created_at, id``), their uses with posts, topics and groups, (only when a conversation shows one) the
member's participations in those conversations, and (only when the page holds covers) the blog posts and
groups whose cover they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import PRIVATE_KINDS, Group, Post, Topic, Upload, UploadUse, User
from community.permissions import can_view_post, load_participations

PER_PAGE = 24
PURPOSES = ("inline", "avatar", "cover")  # every kind of image a member uploads (the library index's prefix)


@dataclass(frozen=True)
class UseLink:
    """A place that shows an image: what it is called, and a link if the member may open it now."""

    title: str
    url: str | None


@dataclass
class LibraryItem:
    """One image of the library and where it is used."""

    upload: Upload
    uses: list[UseLink] = field(default_factory=list)

    @property
    def in_use(self) -> bool:
        return bool(self.uses)


@dataclass
class Library:
    """A page of the library, and the cursor of the next one (None on the last)."""

    items: list[LibraryItem]
    next_cursor: str | None


def _cursor(upload: Upload) -> str:
    return f"{int(upload.created_at.timestamp() * 1_000_000)}-{upload.id}"


def _parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A cursor as given in the URL; anything malformed is the first page."""
    from datetime import UTC

    try:
        micros, upload_id = (int(part) for part in (value or "").split("-", 1))
        return datetime.fromtimestamp(micros / 1_000_000, UTC), upload_id
    except (ValueError, OverflowError, OSError):
        return None


def _place(actor: User, post: Post) -> UseLink:
    topic = post.topic
    title = topic.title or _("A private conversation")  # a conversation without a subject has no title
    if post.number > 1:
        title = _("A reply in %(title)s", title=title)
    visible = can_view_post(actor, post, topic) and post.deleted_at is None
    return UseLink(title, url_for("feed.post_link", post_id=post.id) if visible else None)


def library_page(actor: User, cursor: str | None = None, per_page: int = PER_PAGE) -> Library:
    """The member's images from ``cursor`` on, newest first, each with the places that show it."""
    statement = select(Upload).where(Upload.owner_id == actor.id, Upload.purpose.in_(PURPOSES))
    after = _parse_cursor(cursor)
    if after is not None:
        moment, upload_id = after
        statement = statement.where(
            or_(Upload.created_at < moment, and_(Upload.created_at == moment, Upload.id < upload_id))
        )
    uploads = list(db.session.scalars(statement.order_by(Upload.created_at.desc(), Upload.id.desc())
                                      .limit(per_page + 1)))  # fmt: skip
    more = len(uploads) > per_page
    uploads = uploads[:per_page]
    items = {upload.id: LibraryItem(upload) for upload in uploads}
    if items:
        rows = db.session.execute(
            select(UploadUse.upload_id, UploadUse.profile_id, Post)
            .outerjoin(Post, Post.id == UploadUse.post_id)
            .options(joinedload(Post.topic).joinedload(Topic.group))
            .where(UploadUse.upload_id.in_(sorted(items)))
            .order_by(UploadUse.id)
        ).all()  # fmt: skip
        conversations = [
            row.Post.topic for row in rows if row.Post is not None and row.Post.topic.kind in PRIVATE_KINDS
        ]
        if conversations:
            load_participations(actor, conversations)
        for row in rows:
            if row.Post is not None:
                items[row.upload_id].uses.append(_place(actor, row.Post))
            elif row.profile_id is not None:
                items[row.upload_id].uses.append(
                    UseLink(_("Your profile"), url_for("members.profile", handle=actor.handle))
                )
    _picture_uses(actor, [upload for upload in uploads if upload.purpose != "inline"], items)
    return Library(list(items.values()), _cursor(uploads[-1]) if more and uploads else None)


def _picture_uses(actor: User, pictures: list[Upload], items: dict[int, LibraryItem]) -> None:
    """Where a profile picture or a cover is shown: the profile while it is the member's picture, the blog
    post or group while it is their cover (a replaced one is shown nowhere and may go)."""
    for upload in pictures:
        if upload.purpose == "avatar" and actor.avatar_path == upload.name:
            items[upload.id].uses.append(
                UseLink(_("Your profile picture"), url_for("members.profile", handle=actor.handle))
            )
    names = {upload.name for upload in pictures if upload.purpose == "cover"}
    if not names:
        return
    topics = {t.cover_path: t for t in db.session.scalars(
        select(Topic).where(Topic.cover_path.in_(sorted(names))))}  # fmt: skip
    groups = {g.cover_path: g for g in db.session.scalars(select(Group).where(Group.cover_path.in_(sorted(names))))}
    for upload in pictures:
        if (topic := topics.get(upload.name)) is not None:
            # A deleted post keeps its cover (it can be restored) but can no longer be opened.
            url = url_for("blogs.post", topic_id=topic.id) if topic.deleted_at is None else None
            items[upload.id].uses.append(UseLink(_("The cover of %(title)s", title=topic.title), url))
        if (group := groups.get(upload.name)) is not None:
            items[upload.id].uses.append(UseLink(_("The cover of the group %(name)s", name=group.name),
                                                 url_for("groups.show", slug=group.slug)))  # fmt: skip
