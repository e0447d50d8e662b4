"""Outgoing webhooks: the manager's hooks (``manage``), the events they queue (``events``) and their delivery
through their own outbox table (``delivery``), which the worker's rounds send with retries and backoff."""

from community.services.webhooks.delivery import deliver_pending_webhooks, sign
from community.services.webhooks.manage import (
    check_url,
    create_webhook,
    delete_webhook,
    hook_boards,
    recent_deliveries,
    rotate_secret,
    send_test,
    set_enabled,
    update_webhook,
    webhooks_page,
)

__all__ = [
    "check_url",
    "create_webhook",
    "delete_webhook",
    "deliver_pending_webhooks",
    "hook_boards",
    "recent_deliveries",
    "rotate_secret",
    "send_test",
    "set_enabled",
    "sign",
    "update_webhook",
    "webhooks_page",
]
