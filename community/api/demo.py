"""Demo API tokens for ``community seed-demo`` (its ``plan_api_tokens`` step): the first facilitator's read
token for a reporting spreadsheet, used an hour ago, and the first participant's write token for the learning
platform, never used; so the tokens page has something to show. Their secrets are not kept anywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any


def plan_api_tokens(demo: Any) -> list[Callable[[], None]]:
    """One task: two tokens, one used."""

    def make() -> None:
        from community.extensions import db
        from community.models import utcnow
        from community.services.api_tokens import create_token

        row, _secret = create_token(demo.person("f0"), "Cohort reporting spreadsheet", "read")
        row.last_used_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        create_token(demo.person("p0"), "Learning platform sync", "write")

    return [make]
