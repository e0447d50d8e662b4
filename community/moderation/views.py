"""Views of the moderation blueprint."""

from community.moderation import bp  # noqa: F401
