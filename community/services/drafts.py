"""Drafts: what a member types in a composer, kept per member and place until it is posted.

Every function takes the member whose drafts they are: the composer's endpoints pass ``current_user``, so a
key names a place (``reply:topic:123``) and can never reach another member's text. ``draft_key`` builds the
keys in one place, for the templates (which hand them to the composer) and for the views (which call
``discard_draft`` once their service call has succeeded).
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from community.database import upsert
from community.errors import InvalidInput
from community.extensions import db
from community.models import MAX_DRAFTS, Draft, User, utcnow
from community.models.drafts import KEY_MAX
from community.permissions import is_member

#: ``place`` or ``place:thing:id``, e.g. ``bio``, ``reply:topic:123``, ``new-discussion:board:4``.
KEY_RE = re.compile(r"^[a-z][a-z-]{0,38}(:[a-z][a-z-]{0,20}:[0-9]{1,12})?$")


def draft_key(place: str, thing: str | None = None, thing_id: int | None = None) -> str:
    """The key of a composer: ``draft_key("reply", "topic", 12)`` is ``reply:topic:12``."""
    key = place if thing is None else f"{place}:{thing}:{int(thing_id or 0)}"
    if not KEY_RE.match(key):
        raise ValueError(f"not a draft key: {key!r}")
    return key


def _check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > KEY_MAX or not KEY_RE.match(key):
        raise InvalidInput(_("That is not a place a draft can be kept."), field="key")
    return key


def get_draft(user: User, key: str) -> Draft | None:
    """The member's own draft for this place, if any."""
    _check_key(key)
    if not is_member(user):
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def save_draft(user: User, key: str, body: str) -> Draft | None:
    """Keep (or replace) the member's draft for this place; an empty text drops it. Commits."""
    _check_key(key)
    if not is_member(user):
        return None
    body = (body or "").replace("\x00", "")
    if not body.strip():
        discard_draft(user, key)
        return None
    limit = current_app.config["POST_MAX_CHARS"]
    if len(body) > limit:
        raise InvalidInput(_("This draft is longer than %(num)d characters, the longest text we keep.", num=limit),
                           field="body")  # fmt: skip
    now = utcnow()
    stmt = upsert(Draft.__table__, db.session.get_bind().dialect.name).values(
        user_id=user.id, key=key, body=body, updated_at=now
    )
    db.session.execute(
        stmt.on_conflict_do_update(index_elements=["user_id", "key"], set_={"body": body, "updated_at": now})
    )
    _trim(user)
    db.session.commit()
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def _trim(user: User) -> None:
    """Past MAX_DRAFTS a member's oldest drafts go (a forgotten draft is cheaper to lose than unbounded rows)."""
    count = db.session.scalar(select(func.count()).select_from(Draft).where(Draft.user_id == user.id)) or 0
    if count <= MAX_DRAFTS:
        return
    oldest = (
        select(Draft.id)
        .where(Draft.user_id == user.id)
        .order_by(Draft.updated_at, Draft.id)
        .limit(count - MAX_DRAFTS)
        .scalar_subquery()
    )
    db.session.execute(delete(Draft).where(Draft.id.in_(oldest)))


def discard_draft(user: User, key: str) -> None:
    """Drop the member's draft for this place: it was posted, or they chose to discard it. Commits."""
    _check_key(key)
    if not getattr(user, "is_authenticated", False):
        return
    session = db.session()
    # Called right after a post's own commit: the post and topic the view goes on to use are fresh, and this
    # touches no row of theirs, so they are not expired (reloading them would cost two queries per post).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == key))
        session.commit()
    finally:
        session.expire_on_commit = expire


def bio_draft_key(viewer: User, member: User) -> str:
    """The profile's composer: ``bio`` for the member's own, ``bio:member:<id>`` for an admin editing theirs."""
    return draft_key("bio") if viewer.id == member.id else draft_key("bio", "member", member.id)
