"""The admins' member list as CSV, streamed row by row from its own connection.

Cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) get a
leading ``'``: a member who names themselves ``=HYPERLINK(...)`` can't run anything on the manager's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from community.extensions import db
from community.models import User
from community.services.audit import record

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def safe_cell(value: Any) -> str:
    """A cell's text, defused if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _line(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(c) for c in cells])
    return out.getvalue()


def record_member_export(actor: User) -> None:
    """The audit log keeps who took a copy of the member list (commits)."""
    record(actor, "member.list_exported")
    db.session.commit()


def member_csv() -> Iterator[str]:
    """The CSV lines of every member not erased, oldest first (a generator on its own connection, so it needs
    no request or session while the response streams)."""
    headers = [_("Handle"), _("Name"), _("E-mail"), _("Role"), _("State"), _("Organisation"), _("Programme"),
               _("Joined"), _("Last seen")]  # fmt: skip
    columns = (User.handle, User.display_name, User.email, User.role, User.state, User.organisation,
               User.programme, User.created_at, User.last_seen_at)  # fmt: skip
    stmt = select(*columns).where(User.state != "deleted").order_by(User.id)
    engine = db.engine

    def lines() -> Iterator[str]:
        yield "\ufeff" + _line(headers)  # the BOM: spreadsheets then read the names' accents right
        with engine.connect() as conn:
            result = conn.execution_options(yield_per=BATCH).execute(stmt)
            for row in result:
                yield _line(list(row))

    return lines()
