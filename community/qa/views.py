"""Views of the qa blueprint."""

from community.qa import bp  # noqa: F401
