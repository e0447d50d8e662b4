"""Plain functions that build test data through the services (the production code path)."""

from __future__ import annotations

from typing import Any

from community.extensions import db
from community.models import User
from community.services.accounts import create_user

PASSWORD = "correct horse battery staple"


def make_user(handle: str, *, role: str = "participant", state: str = "active", display_name: str | None = None,
              email: str | None = None, password: str = PASSWORD, **fields: Any) -> User:  # fmt: skip
    """A member with a known password (``factories.PASSWORD``)."""
    user = create_user(
        email=email or f"{handle}@example.org",
        handle=handle,
        display_name=display_name or handle.title(),
        password=password,
        role=role,
        state=state,
    )
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()
    return user
