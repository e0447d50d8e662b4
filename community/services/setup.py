"""First run: a one-time setup link while no community manager exists, and creating the first admin."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from community.errors import Conflict, InvalidInput
from community.extensions import db
from community.models import User
from community.services.accounts import create_user
from community.tokens import hash_token, new_token


def admin_exists() -> bool:
    """Whether the community has an active community manager."""
    return bool(db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin")))


def admin_handles() -> list[str]:
    """The @handles of the community managers, oldest first."""
    return list(db.session.scalars(select(User.handle).where(User.role == "admin").order_by(User.id)))


def _token_file() -> Path:
    return Path(current_app.instance_path) / "setup_token"


def setup_link_if_needed(base: str | None = None) -> str | None:
    """A fresh one-time setup link if there is no admin yet (only its hash is kept), else None. It is on ``base``,
    else the community's address; without either, the path alone (``/setup/...``, to open on the address)."""
    from community.services.site import base_url_or_none

    if admin_exists():
        return None
    token = new_token()
    path = _token_file()
    path.write_text(hash_token(token))
    path.chmod(0o600)
    return f"{(base or base_url_or_none() or '').rstrip('/')}/setup/{token}"


def setup_token_valid(token: str) -> bool:
    """Whether ``token`` is the current setup token and no admin exists yet."""
    path = _token_file()
    if admin_exists() or not path.exists():
        return False
    import hmac

    return hmac.compare_digest(path.read_text().strip(), hash_token(token))


def create_first_admin(*, email: str, handle: str, display_name: str, password: str,
                       community_name: str = "") -> User:  # fmt: skip
    """Create the community manager; names the community; burns the setup token (commits)."""
    from community.models import Setting
    from community.services.settings import DEFAULTS

    if admin_exists():
        raise Conflict("The community already has a community manager.")
    if not email or "@" not in email:
        raise InvalidInput(_("Please give a valid e-mail address."), field="email")
    user = create_user(email=email, handle=handle, display_name=display_name, password=password, role="admin")
    if community_name.strip():
        assert "community_name" in DEFAULTS
        existing = db.session.get(Setting, "community_name")
        if existing is None:
            db.session.add(Setting(key="community_name", value=community_name.strip()[:80]))
        else:
            existing.value = community_name.strip()[:80]
    db.session.commit()
    _token_file().unlink(missing_ok=True)
    from community.templating import invalidate_settings_cache

    invalidate_settings_cache()
    return user


def add_admin_from_console(*, email: str, handle: str, display_name: str, password: str) -> User:
    """Another community manager, made at the server's console (``community create-admin --another``) when
    the community has one already; audited as done by the system (commits)."""
    from community.services.audit import record

    if not email or "@" not in email:
        raise InvalidInput("Please give a valid e-mail address.", field="email")
    user = create_user(email=email, handle=handle, display_name=display_name, password=password, role="admin")
    db.session.flush()
    record(None, "member.admin_added", user, detail={"via": "console"})
    db.session.commit()
    return user
