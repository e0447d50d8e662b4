"""Views of the members blueprint."""

from community.members import bp  # noqa: F401
