"""Outgoing webhooks, in the admin area: the manager's hooks, their secrets, tests and recent deliveries."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

from community.services.jobs import OUTBOX_INTERVAL, register_periodic_job  # noqa: E402
from community.services.webhooks import deliver_pending_webhooks, events  # noqa: E402,F401

register_periodic_job(deliver_pending_webhooks, every=OUTBOX_INTERVAL,
                      does="sends the webhook deliveries that are due, retrying failures")  # fmt: skip
