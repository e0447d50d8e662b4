"""Community settings: defaults, reading and changing them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from community.extensions import db
from community.models import Setting, User

DEFAULTS: dict[str, Any] = {
    "community_name": "",
    # The address members open, for e-mailed links, when COMMUNITY_BASE_URL isn't set (community.services.site).
    "base_url": "",
    "welcome_text": "",
    # Anyone with a cohort link may ask to join; an admin approves.
    "allow_join_requests": False,
    "participants_create_groups": False,
    # Private messages between two participants (who share a group); facilitators and admins always may.
    "participants_may_message": True,
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
    """Change settings (admins); the audit log records what changed, each field's old and new value."""
    from community.services.audit import record

    changes: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        row = db.session.get(Setting, key)
        old = row.value if row is not None else DEFAULTS[key]
        if old == value:
            continue
        changes[key] = {"from": old, "to": value}
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    if changes:
        record(actor, "settings.update", detail={"changes": changes})
    db.session.commit()
    from community.templating import invalidate_settings_cache

    invalidate_settings_cache()


def community_display_name() -> str:
    """The community's name as members see it."""
    from community.services import site

    return site.community_name()


def base_url() -> str:
    """The community's address for links in e-mails (configured or stored; raises site.NoBaseUrl)."""
    from community.services import site

    return site.base_url()
