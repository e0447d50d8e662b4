"""Views of the blogs blueprint."""

from community.blogs import bp  # noqa: F401
