"""Community settings: defaults, reading and changing them."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from community.extensions import db
from community.models import Setting, User

DEFAULTS: dict[str, Any] = {
    "community_name": "",
    "welcome_text": "",
    # Anyone with a cohort link may ask to join; an admin approves.
    "allow_join_requests": False,
    "participants_create_groups": False,
    # Pre-moderation: a new member's first N posts in community-wide areas wait for approval (0: off).
    "premoderate_first_posts": 0,
    "new_member_link_limit": 2,
    "blocked_words": [],
    "blocked_domains": [],
    # What members read in and when, until they choose for themselves (community.i18n).
    "default_language": "en",
    "default_timezone": "UTC",
}


def all_settings() -> dict[str, Any]:
    """Every setting, defaults filled in."""
    values = dict(DEFAULTS)
    for row in db.session.scalars(select(Setting)):
        values[row.key] = row.value
    return values


def get_setting(key: str) -> Any:
    """One setting's value (or its default)."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else DEFAULTS.get(key)


def update_settings(actor: User, **values: Any) -> None:
    """Change settings (admins); audited."""
    from community.services.audit import record

    for key, value in values.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    record(actor, "settings.update", detail={"keys": sorted(values)})
    db.session.commit()
    from community.templating import invalidate_settings_cache

    invalidate_settings_cache()


def community_display_name() -> str:
    """The community's name as members see it."""
    return get_setting("community_name") or current_app.config["COMMUNITY_NAME"]


def base_url() -> str:
    """The configured address for links in e-mails (never the request's Host header)."""
    return current_app.config["BASE_URL"].rstrip("/")
