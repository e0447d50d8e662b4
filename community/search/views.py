"""Views of the search blueprint."""

from community.search import bp  # noqa: F401
