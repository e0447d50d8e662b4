"""Long-lived URL tokens: the secret in a link that works without a session (a feed reader's; a calendar's).

Such a link is a password that travels in a URL, so it is treated like one: the token is random, only its
SHA-256 is stored (a copy of the database opens no feed), it is shown once, built into the URL, when it is
made, and it never reaches an access log (``community.logs`` redacts ``?token=`` and ``<token>`` paths).
A member may hold several per purpose (one per feed reader, say), each revocable on its own.

A new kind of link adds its name to ``PURPOSES`` and calls these functions; nothing else changes.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from community.errors import InvalidInput, NotFound
from community.extensions import db
from community.models import UrlToken, User
from community.tokens import hash_token, new_token

PURPOSES = ("blog_feed", "calendar")  # blog feed links; the calendar feed link
MAX_PER_PURPOSE = 50
TOKEN_BYTES = 24  # 192 random bits; 32 URL-safe characters
MAX_TOKEN_LENGTH = 64  # anything longer is not one of ours: refused before hashing


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown URL token purpose {purpose!r}")


def create_url_token(actor: User, purpose: str, label: str = "") -> str:
    """A new token for ``purpose``; returns it (the only time it exists outside the URL; commits)."""
    _check_purpose(purpose)
    held = db.session.scalar(
        select(func.count()).select_from(UrlToken).where(UrlToken.user_id == actor.id, UrlToken.purpose == purpose)
    )
    if (held or 0) >= MAX_PER_PURPOSE:
        raise InvalidInput(_("You have %(num)d links already: stop some you no longer use first.",
                             num=MAX_PER_PURPOSE))  # fmt: skip
    token = new_token(TOKEN_BYTES)
    db.session.add(UrlToken(user_id=actor.id, purpose=purpose, token_hash=hash_token(token), label=label[:160]))
    db.session.commit()
    return token


def list_url_tokens(actor: User, purpose: str) -> list[UrlToken]:
    """The member's tokens for ``purpose``, newest first (hashes and labels: the tokens are gone)."""
    _check_purpose(purpose)
    return list(db.session.scalars(
        select(UrlToken).where(UrlToken.user_id == actor.id, UrlToken.purpose == purpose)
        .order_by(UrlToken.created_at.desc(), UrlToken.id.desc())
    ))  # fmt: skip


def revoke_url_token(actor: User, purpose: str, token_id: int) -> None:
    """Stop one of the member's own links (commits); someone else's, or a missing one, is NotFound."""
    _check_purpose(purpose)
    result = db.session.execute(
        delete(UrlToken).where(UrlToken.id == token_id, UrlToken.user_id == actor.id, UrlToken.purpose == purpose)
    )
    if not result.rowcount:
        raise NotFound()
    db.session.commit()


def revoke_url_tokens(actor: User, purpose: str) -> int:
    """Stop every link of the member for ``purpose``; returns how many (commits)."""
    _check_purpose(purpose)
    result = db.session.execute(delete(UrlToken).where(UrlToken.user_id == actor.id, UrlToken.purpose == purpose))
    db.session.commit()
    return int(result.rowcount or 0)


def user_for_url_token(purpose: str, token: str | None) -> User | None:
    """The member a token of ``purpose`` belongs to, whatever their state (the caller decides), or None."""
    found = _user_and_row(purpose, token)
    return found[0] if found is not None else None


def _user_and_row(purpose: str, token: str | None) -> tuple[User, UrlToken] | None:
    _check_purpose(purpose)
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.execute(
        select(User, UrlToken).join(UrlToken, UrlToken.user_id == User.id)
        .where(UrlToken.token_hash == hash_token(token), UrlToken.purpose == purpose)
    ).first()  # fmt: skip
    return (row[0], row[1]) if row is not None else None


def member_for_url_token(purpose: str, token: str | None) -> User:
    """The active member a token of ``purpose`` belongs to, with their group roles loaded (the feeds it opens
    are filtered by them); NotFound for a missing, revoked or wrong token and for a member who may not sign in."""
    return member_and_row_for_url_token(purpose, token)[0]


def member_and_row_for_url_token(purpose: str, token: str | None) -> tuple[User, UrlToken]:
    """``member_for_url_token``, with the token's row (what the images of a feed are signed with)."""
    from community.auth_session import load_group_roles
    from community.permissions import is_member

    found = _user_and_row(purpose, token)
    if found is None or not is_member(found[0]):
        raise NotFound()
    load_group_roles(found[0])
    return found
