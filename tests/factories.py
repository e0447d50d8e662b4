"""Plain functions that build test data through the services (the production code path)."""

from __future__ import annotations

from typing import Any

from community.extensions import db
from community.models import User, utcnow
from community.services.accounts import create_user, hash_password

PASSWORD = "correct horse battery staple"
_hashes: dict[str, str] = {}


def make_user(handle: str, *, role: str = "participant", state: str = "active", display_name: str | None = None,
              email: str | None = None, password: str = PASSWORD, **fields: Any) -> User:  # fmt: skip
    """A member with a known password (``factories.PASSWORD``)."""
    user = create_user(
        email=email or f"{handle}@example.org",
        handle=handle,
        display_name=display_name or handle.title(),
        password=None,
        role=role,
        state=state,
    )
    # scrypt takes ~0.3 s a hash: hash each test password once per run (sign-in still verifies it for real).
    if password not in _hashes:
        from community.services.accounts import check_password_rules

        check_password_rules(password)
        _hashes[password] = hash_password(password)
    user.password_hash = _hashes[password]
    user.password_changed_at = utcnow()
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def acting(user: User) -> User:
    """The member as a request sees them: ``group_roles`` loaded (as the session loader does)."""
    from community.auth_session import load_group_roles

    load_group_roles(user)
    return user


def load_topic(user: User, topic_id: int) -> Any:
    """A topic loaded as a view loads it (with group and board), for calling services in tests."""
    from community.permissions import access_topic

    db.session.expire_all()
    return access_topic(acting(user), topic_id)


def load_post(user: User, post_id: int) -> Any:
    """A post loaded as a view loads it (with its topic, group and board)."""
    from community.permissions import access_post

    db.session.expire_all()
    return access_post(acting(user), post_id)
