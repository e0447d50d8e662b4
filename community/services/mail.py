"""E-mail through the outbox table.

``queue_mail`` adds a message in the caller's transaction, so it exists exactly when the event that caused it
was committed. ``deliver_pending`` claims due messages (a lease, so two workers never send one twice), sends
them by SMTP when configured or writes them to ``instance/outbox/`` and the log otherwise, and retries
failures with back-off; a message is never dropped. Only a message that a send check (``register_send_check``)
withdraws before it goes is deleted unsent: a notification's e-mail whose reader may no longer see it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from community.database import writing
from community.extensions import db
from community.models import OutboxMessage, utcnow

log = logging.getLogger("community.mail")
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
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
               headers: dict[str, str] | None = None) -> OutboxMessage:  # fmt: skip
    """Add a message to the outbox in the current transaction (the caller commits)."""
    message = OutboxMessage(
        to_addr=to, subject=subject[:250], body_text=text, body_html=html, headers=headers or {}
    )
    db.session.add(message)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = message.to_addr
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="community")
    for key, value in (message.headers or {}).items():
        mail[key] = value
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


def _send(mail: EmailMessage, message_id: int) -> None:
    config = current_app.config
    if config.get("SMTP_HOST"):
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            smtp.send_message(mail)
        return
    folder = Path(current_app.instance_path) / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message_id:06d}.eml").write_bytes(bytes(mail))
    log.info("mail to %s: %s (saved to %s)", mail["To"], mail["Subject"], folder / f"{message_id:06d}.eml")
    if not current_app.testing:
        print(f"\n--- e-mail to {mail['To']}: {mail['Subject']} ---\n{mail.get_body(('plain',)).get_content()}")


def deliver_pending(limit: int = 50) -> int:
    """Send due messages; returns how many were sent. Safe to run in several workers at once."""
    now = utcnow()
    sent = 0
    with writing():
        ids = db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        db.session.commit()
    for message_id in ids:
        with writing():
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(
                    and_(
                        OutboxMessage.id == message_id,
                        OutboxMessage.sent_at.is_(None),
                        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                    )
                )
                .values(claimed_until=now + LEASE)
            ).rowcount
            db.session.commit()
        if not claimed:
            continue  # another worker has it
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None
        if _withdraw_if_unwanted(message):
            continue
        built, to_addr = _build(message), message.to_addr
        # End the read before sending: the writes below must begin their own (IMMEDIATE) transaction, or on
        # SQLite a worker that read before another worker wrote fails with "database is locked".
        db.session.rollback()
        try:
            _send(built, message_id)
        except Exception as exc:  # any failure: keep the message and try again later
            with writing():
                attempts = (db.session.scalar(
                    select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)) or 0) + 1  # fmt: skip
                delay = min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)
                db.session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                        attempts=OutboxMessage.attempts + 1, next_attempt_at=utcnow() + delay, claimed_until=None,
                        last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    )
                )  # fmt: skip
                db.session.commit()
            log.warning("mail %s to %s failed (attempt %s): %s", message_id, to_addr, attempts, exc)
            continue
        with writing():
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                    sent_at=utcnow(), attempts=OutboxMessage.attempts + 1, claimed_until=None
                )
            )
            db.session.commit()
        sent += 1
    return sent
