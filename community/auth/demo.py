"""Demo account data for ``community seed-demo`` (its ``plan_account_data`` step): p0, the first demo
participant, has a copy of their data ready to download (and the notification saying so), and the last demo
participant has asked for their account to be deleted (it waits out the grace period; signing in cancels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def plan_account_data(demo: Any) -> list[Callable[[], None]]:
    """One task: p0's ready export, made as the worker makes it, and the last participant's deletion."""

    def make() -> None:
        from community.extensions import db
        from community.models import DataExport
        from community.services.account_data import deletion, export

        member = demo.person("p0")
        made = export.request_export(member)
        export.make_export(db.session.get(DataExport, made.id))
        if len(demo.participants) > 1:
            leaving = demo.participants[-1]
            deletion.schedule_deletion_for(leaving, leaving, keeps_posts=True)

    return [make]
