"""Views of the boards blueprint."""

from community.boards import bp  # noqa: F401
