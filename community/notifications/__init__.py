"""Notifications and e-mail preferences."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# The receivers that turn content events into notifications and feed entries connect on import.
from community.services import feed, notify_events, notify_messages, notify_moderation  # noqa: E402,F401
