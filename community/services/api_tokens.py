"""Personal access tokens: made (shown once), listed, revoked, and turned back into their member."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.database import side_write
from community.errors import InvalidInput, NotFound
from community.extensions import db
from community.models import MAX_TOKENS, TOKEN_PREFIX, TOKEN_SCOPES, ApiToken, User, utcnow
from community.tokens import hash_token, new_token

USED_EVERY = timedelta(minutes=1)  # last-used time is written at most this often per token


def live_tokens(user: User) -> list[ApiToken]:
    """The member's tokens not revoked, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ))  # fmt: skip


def create_token(actor: User, name: str, scope: str = "read") -> tuple[ApiToken, str]:
    """Make a token for ``actor``; returns the row and the token itself (never stored, shown once)."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput(_("Give the token a name of up to 80 characters."), field="name")
    if scope not in TOKEN_SCOPES:
        raise InvalidInput(_("Choose the read or the write scope."), field="scope")
    count = db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None)))  # fmt: skip
    if (count or 0) >= MAX_TOKENS:
        raise InvalidInput(_("You have %(num)d tokens already: revoke one first.", num=MAX_TOKENS), field="name")
    secret = TOKEN_PREFIX + new_token(32)
    row = ApiToken(user_id=actor.id, name=name, scope=scope, token_hash=hash_token(secret))
    db.session.add(row)
    db.session.commit()
    return row, secret


def revoke_token(actor: User, token_id: int) -> None:
    """Revoke one of the actor's own tokens (anyone else's is NotFound)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.id or row.revoked_at is not None:
        raise NotFound(_("Not found."))
    row.revoked_at = utcnow()
    db.session.commit()


def revoke_all(user: User) -> None:
    """Revoke every token of a member (when their account is suspended or erased)."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))  # fmt: skip
    db.session.commit()


def authenticate(secret: str) -> ApiToken | None:
    """The live token a bearer secret names, with its active member; None for anything else. A suspended or
    deleted member's tokens stop working at once (and work again if the member is reactivated)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if row is None or row.revoked_at is not None or row.user.state != "active":
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > USED_EVERY:
        side_write([update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)])
    return row
