"""Test helpers for sign-in, reset and invitations: read links back out of the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.wrappers import Response

from community.extensions import db
from community.models import OutboxMessage, User
from community.services import invitations
from tests.factories import PASSWORD

LINK_RE = re.compile(r"(https?://\S+?/(join|reset|confirm)/(\S+))")
GUESSER = "203.0.113.66"  # client addresses of the sign-in limit tests
OWNER = "198.51.100.7"
WRONG = "not the password 123"


@dataclass(frozen=True)
class Mail:
    """A copy of an outbox message (the test's read transaction is closed after reading)."""

    to_addr: str
    subject: str
    body_text: str


def mails_to(address: str) -> list[Mail]:
    """Outbox messages to ``address``, oldest first."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address)
                              .order_by(OutboxMessage.id))  # fmt: skip
    mails = [Mail(m.to_addr, m.subject, m.body_text) for m in rows]
    # End the read transaction: on SQLite (WAL) it would keep the test on an old snapshot of the data.
    db.session.rollback()
    return mails


def sign_in_attempt(client: FlaskClient, login: str, password: str = PASSWORD, address: str = GUESSER) -> Response:
    """Send the sign-in form from a client address."""
    return client.post("/signin", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": address})


def link_in(message: Mail) -> str:
    """The first join, reset or confirmation link in a message."""
    match = LINK_RE.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def token_in(message: Mail) -> str:
    """The token of the first join, reset or confirmation link in a message."""
    match = LINK_RE.search(message.body_text)
    assert match, message.body_text
    return match.group(3)


def invite(actor: User, email: str, *, role: str = "participant", group_ids: list[int] | None = None,
           note: str = "", name: str = "") -> str:  # fmt: skip
    """Invite one address through the service; returns the token from the e-mail."""
    from tests.factories import acting

    outcomes = invitations.invite_people(acting(actor), [invitations.InviteLine(1, email, name)], role=role,
                                         group_ids=group_ids, note=note)  # fmt: skip
    assert outcomes[0].invited, outcomes
    return token_in(mails_to(email.lower())[-1])


def make_link(actor: User, **kwargs: object) -> str:
    """A cohort link's token (``days`` 14 and ``max_uses`` 30 unless given)."""
    from tests.factories import acting

    kwargs.setdefault("role", "participant")
    kwargs.setdefault("days", 14)
    kwargs.setdefault("max_uses", 30)
    _, url = invitations.create_link(acting(actor), **kwargs)  # type: ignore[arg-type]
    return url.rsplit("/", 1)[1]


def confirm_address(email: str) -> User:
    """Confirm an address through the link last mailed to it (as its owner would)."""
    from community.services import confirmations

    return confirmations.confirm_email(token_in(mails_to(email)[-1]))
