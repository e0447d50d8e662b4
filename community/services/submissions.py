"""One-time submission keys: a posting form sent twice stores its post once.

Every posting form carries a random key, made when the form is rendered (``community.forms.PostingForm``).
The post a form creates is stored with its key in the same transaction, so a form sent again (a double click,
a retry from the 503 page, a reply whose answer was lost after the commit) finds the stored post and the
member lands on it. Keys belong to one member. A form without a key (an old page, a hand-made request) still
posts, without this protection. A known key with a *different* text is not a resubmission (a page restored
from the browser's cache can carry a used key, and what was typed must never be lost): that text is posted,
without a key. Keys are kept for ``KEEP`` (housekeeping prunes them).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from community.errors import AlreadyPosted
from community.extensions import db
from community.models import Post, Submission, User, utcnow

KEY_RE = re.compile(r"^[0-9a-f]{32}$")
KEEP = timedelta(days=2)


def valid_key(raw: object) -> str | None:
    """The key if it has the shape the forms make (32 hex digits), else None (no deduplication)."""
    return raw if isinstance(raw, str) and KEY_RE.match(raw) else None


def normalise_body(body: str | None) -> str:
    """A body as it is stored (the same folding as ``posts.clean_body``), to compare texts."""
    return (body or "").replace("\r\n", "\n").replace("\x00", "").strip()


def check(actor: User, key: str | None, body: str | None) -> str | None:
    """The key to store a new post under (None: post without one); raises AlreadyPosted if this very text
    was stored under it already. Call it first, before the rules: a resend must not count as a new post."""
    key = valid_key(key)
    if key is None:
        return None
    stored = db.session.execute(
        select(Post.id, Post.body).join(Submission, Submission.post_id == Post.id)
        .where(Submission.user_id == actor.id, Submission.key == key)
    ).first()  # fmt: skip
    if stored is None:
        return key
    if stored.body == normalise_body(body):
        raise AlreadyPosted(stored.id)
    return None


def remember(actor: User, key: str | None, post: Post) -> None:
    """Store ``key`` with the new post, in the post's own transaction (no commit).

    Two sends of one form at the same moment both pass ``check``; the second insert then waits for the first
    transaction and fails on the key: everything this request wrote is rolled back and the member is taken
    to the post the first one stored.
    """
    if key is None:
        return
    user_id = actor.id  # read now: the rollback below expires every loaded object
    try:
        db.session.execute(insert(Submission).values(user_id=user_id, key=key, post_id=post.id, created_at=utcnow()))
    except IntegrityError:
        db.session.rollback()
        stored = db.session.scalar(
            select(Submission.post_id).where(Submission.user_id == user_id, Submission.key == key)
        )
        if stored is None:
            raise
        raise AlreadyPosted(stored) from None


def prune(now: datetime | None = None) -> int:
    """Delete keys older than ``KEEP`` (no commit); returns how many went."""
    cutoff = (now or utcnow()) - KEEP
    return int(db.session.execute(delete(Submission).where(Submission.created_at < cutoff)).rowcount)
