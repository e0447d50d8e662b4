"""Views of the admin blueprint."""

from community.admin import bp  # noqa: F401
