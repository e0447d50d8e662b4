"""E-mail through the outbox table.

``queue_mail`` adds a message in the caller's transaction, so it exists exactly when the event that caused it
was committed, with its Message-ID made once, there. ``deliver_pending`` leases each due message to one worker
(a conditional UPDATE checked by its row count, the same on SQLite and PostgreSQL), sends it by SMTP when
configured (``services/smtp.py``) or writes it to ``instance/outbox/`` and the log otherwise, and retries
failures after a short, growing, jittered delay. Delivery is at least once: a worker that dies mid-send leaves
its lease to run out, and another worker sends the message again with the same Message-ID, which receiving
servers and mail programs recognise. A message is never dropped: while the server can't be reached it waits
(never more than a minute between tries); it is marked failed only when the server refuses it for good (5xx)
or has put it off ``MAIL_MAX_DEFERRALS`` times (4xx), and ``retry_failed`` puts it back in the queue.
Only a message that a send check (``register_send_check``) withdraws before it goes is deleted unsent: a
notification's e-mail whose reader may no longer see what it is about.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from community.database import writing
from community.extensions import db
from community.models import OutboxMessage, utcnow
from community.services.smtp import DEFERRED, REFUSED, UNREACHABLE, classify, send_by_smtp

log = logging.getLogger("community.mail")
LEASE = timedelta(minutes=5)  # longer than any one SMTP exchange (each step times out after SMTP_TIMEOUT)
FIRST_DELAY = 5.0  # seconds before the first retry; each further one doubles it...
OUTAGE_MAX_DELAY = 50.0  # ...up to this while the server can't be reached (±20%: a try at least every minute)
DEFERRAL_MAX_DELAY = 3600.0  # ...and up to an hour when the server is up but puts the message off
JITTER = 0.2  # ± this share of each delay, so a queue of failed messages doesn't come back in one burst


# Headers are folded at 998 characters, not 78: a long List-Unsubscribe URL folded at 78 becomes RFC 2047
# encoded words, which mail clients don't read as a link, and a folded subject reads back with a leading space.
POLICY = default_policy.clone(max_line_length=998)


SEND_CHECKS: list[Callable[[OutboxMessage], bool]] = []


def register_send_check(check: Callable[[OutboxMessage], bool]) -> None:
    """Ask ``check(message)`` before each message goes; False withdraws it (deleted, never sent)."""
    if check not in SEND_CHECKS:
        SEND_CHECKS.append(check)


def _withdraw_if_unwanted(message: OutboxMessage) -> bool:
    """Delete the (claimed) message when a send check withdraws it; True if it was withdrawn."""
    if all(check(message) for check in SEND_CHECKS):
        return False
    message_id, to_addr = message.id, message.to_addr
    db.session.rollback()
    with writing():
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))
        db.session.commit()
    log.info("mail %s to %s withdrawn before sending: its reader may no longer see what it is about",
             message_id, to_addr)  # fmt: skip
    return True


def queue_mail(to: str, subject: str, text: str, html: str | None = None,
               headers: dict[str, str] | None = None, *, automated: bool = True,
               bulk: bool = False) -> OutboxMessage:  # fmt: skip
    """Add a message to the outbox in the current transaction (the caller commits). Its envelope headers are
    written now (``composed_headers``): ``automated`` mail says so (Auto-Submitted), ``bulk`` mail (digests)
    asks for no auto-replies (Precedence)."""
    message = OutboxMessage(
        to_addr=to, subject=subject[:250], body_text=text, body_html=html,
        # From, Date and Message-ID are composed once, here; the Message-ID is also kept in its own column.
        headers={**(composed := composed_headers(automated=automated, bulk=bulk)), **(headers or {})},
        message_id=composed["Message-ID"],
    )  # fmt: skip
    db.session.add(message)
    return message


def retry_delay(attempts: int, kind: str, rng: random.Random | None = None) -> timedelta:
    """How long after its ``attempts``-th failed try a message is tried again: 5 s, 10 s, 20 s, 40 s, then
    50 s while the server is unreachable (doubling up to an hour when it defers the message), each ±20%."""
    cap = OUTAGE_MAX_DELAY if kind == UNREACHABLE else DEFERRAL_MAX_DELAY
    base = min(FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20), cap)
    return timedelta(seconds=base * (rng or random).uniform(1 - JITTER, 1 + JITTER))


def make_message_id(domain: str) -> str:
    """A new, unique Message-ID on ``domain`` (the community's host)."""
    return make_msgid(domain=domain)


def sender() -> str:
    """``"Community name" <address>``: the community's name with ``COMMUNITY_MAIL_FROM`` (its address part), or
    noreply@ the community's host. Non-ASCII names are encoded when the message is written out."""
    from community.services import site

    address = parseaddr(current_app.config.get("MAIL_FROM") or "")[1] or f"noreply@{site.mail_domain()}"
    return str(Address(display_name=site.community_name(), addr_spec=address))


def composed_headers(*, automated: bool = True, bulk: bool = False) -> dict[str, str]:
    """From, Date (with its real offset), Message-ID (on the community's host) and the automated-mail headers
    (RFC 3834 Auto-Submitted; Precedence: bulk for digests), as a message is queued."""
    from community.services import site

    headers = {"From": sender(), "Date": format_datetime(utcnow()), "Message-ID": make_message_id(site.mail_domain())}
    if automated:
        headers["Auto-Submitted"] = "auto-generated"
    if bulk:
        headers["Precedence"] = "bulk"
    return headers


def _build(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage(policy=POLICY)
    mail["From"] = current_app.config.get("MAIL_FROM") or "noreply@localhost"
    mail["To"] = message.to_addr
    mail["Subject"] = message.subject
    # The same Date and Message-ID on every attempt: a resend is the same message, not a new one.
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = message.message_id
    for key, value in (message.headers or {}).items():
        del mail[key]  # headers composed when it was queued (From, Date, Message-ID) replace the defaults above
        mail[key] = value
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


def _send(mail: EmailMessage, message_id: int) -> None:
    config = current_app.config
    if config.get("SMTP_HOST"):
        send_by_smtp(mail, config)
        return
    folder = Path(current_app.instance_path) / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message_id:06d}.eml").write_bytes(bytes(mail))
    log.info("mail to %s: %s (saved to %s)", mail["To"], mail["Subject"], folder / f"{message_id:06d}.eml")
    if not current_app.testing:
        print(f"\n--- e-mail to {mail['To']}: {mail['Subject']} ---\n{mail.get_body(('plain',)).get_content()}")


def _worker_name() -> str:
    """Who holds a lease: this host and process, and a token for this round (threads share a pid)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _lease_free(now: datetime) -> object:
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def _due(now: datetime) -> object:
    return and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now, _lease_free(now))  # fmt: skip


def _claim(message_id: int, owner: str, now: datetime) -> bool:
    """Lease one message to ``owner``; False when another worker has it, sent it or put it off meanwhile."""
    with writing():
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _due(now))
            .values(claimed_until=now + LEASE, claimed_by=owner)
        ).rowcount
        db.session.commit()
    return bool(claimed)


def _finish(message_id: int, owner: str, **values: object) -> bool:
    """Record the outcome and give the lease back, if ``owner`` still holds it (False: it ran out and was taken)."""
    with writing():
        done = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == owner)
            .values(attempts=OutboxMessage.attempts + 1, claimed_until=None, claimed_by=None, **values)
        ).rowcount
        db.session.commit()
    return bool(done)


def deliver_pending(limit: int = 50, now: datetime | None = None, rng: random.Random | None = None) -> int:
    """Send due messages; returns how many were sent. Safe to run in several workers at once: each message is
    leased to one. ``now`` fixes the clock (tests); ``rng`` the jitter. Stops the round when the server is
    unreachable (the next messages would only wait for the same timeouts)."""
    clock = (lambda: now) if now is not None else utcnow
    owner = _worker_name()
    max_deferrals = int(current_app.config.get("MAIL_MAX_DEFERRALS") or 10)
    with writing():
        ids = db.session.scalars(
            select(OutboxMessage.id).where(_due(clock())).order_by(OutboxMessage.id).limit(limit)
        ).all()
        db.session.commit()
    sent = 0
    for message_id in ids:
        if not _claim(message_id, owner, clock()):
            continue  # another worker has it (or had it, and it is no longer due)
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None
        if _withdraw_if_unwanted(message):
            continue
        to_addr, attempts, deferrals = message.to_addr, message.attempts + 1, message.deferrals
        try:
            built = _build(message)
            # End the read before sending: the writes below must begin their own (IMMEDIATE) transaction, or on
            # SQLite a worker that read before another worker wrote fails with "database is locked".
            db.session.rollback()
            _send(built, message_id)
        except Exception as exc:  # any failure: the message stays (unless refused for good) and is tried again
            db.session.rollback()
            kind = classify(exc)
            deferrals += kind == DEFERRED
            error = f"{type(exc).__name__}: {exc}"[:2000]
            failed = kind == REFUSED or deferrals >= max_deferrals
            # Each kind on its own count: a message put off after a long outage starts again at 5 s.
            delay = retry_delay(deferrals if kind == DEFERRED else attempts, kind, rng)
            _finish(message_id, owner, deferrals=deferrals, last_error=error, next_attempt_at=clock() + delay,
                    failed_at=clock() if failed else None)  # fmt: skip
            if failed:
                why = "refused" if kind == REFUSED else f"put off {deferrals} times"
                log.error("mail %s to %s FAILED for good after %s attempts (%s): %s; it stays in the outbox: "
                          "`community outbox --retry %s` sends it again", message_id, to_addr, attempts, why, error,
                          message_id)  # fmt: skip
            elif kind == UNREACHABLE:
                log.warning("mail server unreachable (mail %s to %s, attempt %s): %s; next try in %.0f s, the other "
                            "mail waits for the next round", message_id, to_addr, attempts, error,
                            delay.total_seconds())  # fmt: skip
                break
            else:
                log.warning("mail %s to %s put off by the server (attempt %s, %s of %s): %s; next try in %.0f s",
                            message_id, to_addr, attempts, deferrals, max_deferrals, error,
                            delay.total_seconds())  # fmt: skip
            continue
        if not _finish(message_id, owner, sent_at=utcnow()):
            log.warning("mail %s to %s was sent after its lease ran out: another worker may send it too (same "
                        "Message-ID)", message_id, to_addr)  # fmt: skip
        sent += 1
    return sent


def outbox_problems(limit: int = 100) -> list[OutboxMessage]:
    """Unsent messages that failed for good or have failed at least once, the failed ones first."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), or_(OutboxMessage.failed_at.is_not(None), OutboxMessage.attempts > 0))
        .order_by(OutboxMessage.failed_at.is_(None), OutboxMessage.id)
        .limit(limit)
    ))  # fmt: skip


def retry_failed(ids: Sequence[int] | None = None) -> int:
    """Put failed messages (those of ``ids``, or all) back in the queue, due now; returns how many."""
    query = update(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None))
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    with writing():
        count = db.session.execute(query.values(failed_at=None, deferrals=0, next_attempt_at=utcnow())).rowcount
        db.session.commit()
    return count
