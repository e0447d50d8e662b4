"""E-mail through the outbox table.

``queue_mail`` adds a message in the caller's transaction, so it exists exactly when the event that caused it
was committed. ``deliver_pending`` claims due messages (a lease, so two workers never send one twice), sends
them by SMTP when configured or writes them to ``instance/outbox/`` and the log otherwise, and retries
failures with back-off; a message is never dropped.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from community.database import writing
from community.extensions import db
from community.models import OutboxMessage, utcnow

log = logging.getLogger("community.mail")
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
# Headers are folded at 998 characters, not 78: a long List-Unsubscribe URL folded at 78 becomes RFC 2047
# encoded words, which mail clients don't read as a link, and a folded subject reads back with a leading space.
POLICY = default_policy.clone(max_line_length=998)


def queue_mail(to: str, subject: str, text: str, html: str | None = None,
               headers: dict[str, str] | None = None, *, automated: bool = True,
               bulk: bool = False) -> OutboxMessage:  # fmt: skip
    """Add a message to the outbox in the current transaction (the caller commits). Its envelope headers are
    written now (``composed_headers``): ``automated`` mail says so (Auto-Submitted), ``bulk`` mail (digests)
    asks for no auto-replies (Precedence)."""
    message = OutboxMessage(
        to_addr=to, subject=subject[:250], body_text=text, body_html=html,
        headers={**composed_headers(automated=automated, bulk=bulk), **(headers or {})},
    )  # fmt: skip
    db.session.add(message)
    return message


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
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="community")
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
