"""Demo webhooks for ``community seed-demo`` (its ``plan_webhooks`` step), made through the webhook services:
the manager's CRM hook for new members and answers (disabled: demo addresses lead nowhere, so nothing is
ever sent from a demo), with a test delivery waiting on its page, and a reporting hook for one board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from community.services import webhooks as service

CRM_URL = "https://crm.demo.example/hooks/community"
REPORTING_URL = "https://reports.demo.example/in/community-posts"


def plan_webhooks(demo: Any) -> list[Callable[[], None]]:
    """Two disabled hooks, one with a test delivery waiting."""
    return [lambda: _webhooks(demo)]


def _webhooks(demo: Any) -> None:
    admin = demo.admin
    assert admin is not None
    crm = service.create_webhook(admin, url=CRM_URL, events=["member.joined", "question.answered"], enabled=False)
    service.send_test(admin, crm)
    board = next(iter(demo.boards.values()), None)
    service.create_webhook(admin, url=REPORTING_URL, events=["post.created"],
                           board_id=board.id if board is not None else None, enabled=False)  # fmt: skip
