"""Views of the groups blueprint."""

from community.groups import bp  # noqa: F401
