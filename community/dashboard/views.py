"""Views of the dashboard blueprint."""

from community.dashboard import bp  # noqa: F401
