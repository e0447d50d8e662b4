"""The community as the world outside a page sees it: its name and its address, for e-mails and printed links.

The address (base URL) is configuration when ``COMMUNITY_BASE_URL`` is set, and otherwise a community setting
(``base_url``): remembered from the first page someone opens (``remember_address``), shown and editable on the
settings page. There is no silent default: code that needs an address outside a request and finds none raises
``NoBaseUrl``, and the commands that queue mail refuse with its message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from community.errors import DomainError


class NoBaseUrl(DomainError):
    """Links in e-mails need the community's address, and none is configured or remembered."""

    status = 503

    def __init__(self) -> None:
        super().__init__(
            "The community's address is unknown, so links in e-mails can't be written. Set COMMUNITY_BASE_URL "
            "(e.g. COMMUNITY_BASE_URL=https://community.example.org), or open the community in a browser once: it "
            "remembers the address it was opened at (the community manager can change it under Admin > Settings)."
        )


def _settings() -> dict[str, Any]:
    # Read at most once per request or command (the page's own settings, so no query is added to a page).
    from community.templating import community_settings

    return community_settings(current_app._get_current_object())  # type: ignore[attr-defined]


def community_name() -> str:
    """The community's name as members see it: the manager's setting, else the configured default."""
    return _settings().get("community_name") or current_app.config["COMMUNITY_NAME"]


def configured_base_url() -> str:
    """``COMMUNITY_BASE_URL`` without its trailing slash, or '' when it is not set."""
    return (current_app.config.get("BASE_URL") or "").strip().rstrip("/")


def base_url_or_none() -> str | None:
    """The community's address (configuration first, then the stored setting), or None if unknown."""
    return configured_base_url() or (_settings().get("base_url") or "").rstrip("/") or None


def base_url() -> str:
    """The community's address for links outside a request; raises NoBaseUrl when there is none."""
    url = base_url_or_none()
    if url is None:
        raise NoBaseUrl()
    return url


def external(path: str) -> str:
    """An absolute link: ``path`` on the community's address."""
    return base_url() + path


def mail_domain() -> str:
    """The host of the community's address (no port): what Message-IDs and the default sender carry."""
    return urlsplit(base_url()).hostname or "localhost"


def clean_base_url(value: str) -> str:
    """An address as stored: http(s)://host[:port][/path], no trailing slash, no query. ValueError otherwise."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(_("Give the address members open, like https://community.example.org."))
    try:
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise ValueError(_("Give the address members open, like https://community.example.org.")) from None
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def remember_address(host_url: str) -> bool:
    """Store the address a page was opened at, if the community has none yet; True if it stored it.

    A page view writes in its own short transaction on its own connection, as bookkeeping writes do
    (community.database.side_write), and reads nothing through the request's session first: on SQLite a
    request whose read began before this write could not write afterwards. A POST, which holds the write lock
    already, writes in its own session. Two first requests at once: the second insert fails, the first stays."""
    from sqlalchemy import insert, select
    from sqlalchemy.exc import IntegrityError

    from community.database import is_writing, writing
    from community.extensions import db
    from community.models import Setting
    from community.templating import invalidate_settings_cache

    if configured_base_url():
        return False
    try:
        value = clean_base_url(host_url)
    except ValueError:
        return False
    find = select(Setting.value).where(Setting.key == "base_url")
    add = insert(Setting).values(key="base_url", value=value)
    try:
        if is_writing():  # a POST holds the write lock already: a second connection would wait for it
            if db.session.scalar(find):
                return False
            db.session.execute(add)
            db.session.commit()
        else:
            with writing(), db.engine.begin() as conn:
                if conn.scalar(find):
                    return False
                conn.execute(add)
    except IntegrityError:
        db.session.rollback()
        return False
    invalidate_settings_cache()
    return True
