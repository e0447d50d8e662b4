"""Housekeeping: deleting rows that nobody can use any more (a periodic job of the worker; ``community cleanup``).

- Sent e-mail older than ``OUTBOX_KEEP_DAYS``: the outbox keeps what went out for a while (to look into a
  "did they get the mail?" question), but its bodies hold sign-in, reset and invitation links, so they do not
  stay for ever. Messages never sent are kept (the outbox retries them).
- Sign-in sessions idle for longer than any cookie lives (the longer of ``PERMANENT_SESSION_LIFETIME`` and
  ``REMEMBER_COOKIE_DURATION``): no browser can still present them, so their rows only grow the table and
  the "signed-in devices" list.
- Posting forms' one-time submission keys older than ``submissions.KEEP`` (two days): a form is sent again
  within minutes (a double click, a retry after an error page), not days later.
- Accounts made through a cohort link whose address was not confirmed within ``UNCONFIRMED_KEEP_DAYS``
  (``services.confirmations``): someone typed an address that isn't theirs, or a bot did. Their place on
  the link is given back.
- "Download my data" copies past their week (``account_data.export.KEEP_DAYS``), files and rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete

from community.database import writing
from community.extensions import db
from community.models import OutboxMessage, UserSession, utcnow
from community.services import submissions
from community.services.account_data.export import remove_expired
from community.services.confirmations import remove_stale


@dataclass
class Cleaned:
    """How many rows went."""

    sent_mail: int = 0
    sessions: int = 0
    submission_keys: int = 0
    unconfirmed: int = 0
    exports: int = 0

    @property
    def total(self) -> int:
        return self.sent_mail + self.sessions + self.submission_keys + self.unconfirmed + self.exports

    def __str__(self) -> str:
        return (f"removed {self.sent_mail} sent e-mails, {self.sessions} expired sign-in sessions, "
                f"{self.submission_keys} old posting keys, {self.unconfirmed} unconfirmed accounts "
                f"and {self.exports} expired data exports")  # fmt: skip


def _seconds(value: Any) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def session_lifetime() -> timedelta:
    """The longest a sign-in cookie can stay usable without the browser coming back."""
    config = current_app.config
    return timedelta(seconds=max(_seconds(config["PERMANENT_SESSION_LIFETIME"]),
                                 _seconds(config["REMEMBER_COOKIE_DURATION"])))  # fmt: skip


def clean_up(now: datetime | None = None) -> Cleaned:
    """Delete sent e-mail past its keeping time, sign-in sessions no cookie can reach, old posting keys and
    accounts never confirmed (commits)."""
    now = now or utcnow()
    keep_days = int(current_app.config["OUTBOX_KEEP_DAYS"])
    cleaned = Cleaned()
    with writing():
        if keep_days > 0:
            cleaned.sent_mail = db.session.execute(
                delete(OutboxMessage).where(OutboxMessage.sent_at < now - timedelta(days=keep_days))
            ).rowcount
        cleaned.sessions = db.session.execute(
            delete(UserSession).where(UserSession.last_seen_at < now - session_lifetime())
        ).rowcount
        cleaned.submission_keys = submissions.prune(now)
        cleaned.unconfirmed = remove_stale(now)
        cleaned.exports = remove_expired(now)
        db.session.commit()
    return cleaned
