"""Domain errors raised by services and loaders; ``configure_errors`` maps them to status codes."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Missing, or not visible to this member: the two are indistinguishable on purpose."""

    status = 404


class Forbidden(DomainError):
    """Visible, but this action is not allowed to this member."""

    status = 403


class InvalidInput(DomainError):
    """The request is well formed but its content breaks a rule (empty title, bad file, ...)."""

    status = 400


class Conflict(DomainError):
    """The state changed under the member (a stale edit, a duplicate slug)."""

    status = 409


class RateLimited(DomainError):
    """Too many actions in too short a time."""

    status = 429


class Unavailable(DomainError):
    """Something the action needs is failing on our side (a full or read-only disk): try again later."""

    status = 503


class AlreadyPosted(Exception):
    """The form was sent before and its post is stored: the member is taken to it (not an error, a redirect).

    Not a DomainError, so that views which show a service's error next to a field let it through.
    """

    def __init__(self, post_id: int) -> None:
        super().__init__(post_id)
        self.post_id = post_id
