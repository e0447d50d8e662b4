"""Private messages: the inbox at /messages, conversations, starting one (from a profile, the directory, the
dashboard or a nudge)."""

from flask import Blueprint

bp = Blueprint("messages", __name__, url_prefix="/messages")
