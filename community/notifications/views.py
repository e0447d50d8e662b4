"""Views of the notifications blueprint."""

from community.notifications import bp  # noqa: F401
