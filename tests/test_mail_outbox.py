"""The outbox: written to instance/outbox and the console, SMTP failures retried, never sent twice.

(The real SMTP server, TLS, the retry schedule and concurrent workers: tests/test_faults_mail.py.)"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from sqlalchemy import select, update

from community.extensions import db
from community.models import OutboxMessage, utcnow
from community.services import mail


def queue(to: str = "ann@example.org", subject: str = "Hello") -> int:
    message = mail.queue_mail(to, subject, "Body with a link: http://community.test/x")
    db.session.commit()
    return message.id


def row(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def test_without_smtp_the_outbox_writes_a_file_and_logs(app, outbox, caplog):
    message_id = queue()
    with caplog.at_level(logging.INFO, logger="community.mail"):
        assert mail.deliver_pending() == 1
    files = list(outbox.glob("*.eml"))
    assert [f.name for f in files] == [f"{message_id:06d}.eml"]
    text = files[0].read_text()
    assert "To: ann@example.org" in text and "Subject: Hello" in text and "http://community.test/x" in text
    assert "mail to ann@example.org: Hello" in caplog.text
    sent = row(message_id)
    assert sent.sent_at is not None and sent.attempts == 1


def test_outside_tests_the_message_is_also_printed_to_the_console(app, outbox, capsys, monkeypatch):
    monkeypatch.setattr(app, "testing", False)
    queue(subject="Your link")
    assert mail.deliver_pending() == 1
    printed = capsys.readouterr().out
    assert "e-mail to ann@example.org: Your link" in printed and "http://community.test/x" in printed


class FailingSMTP:
    def __init__(self, *args, **kwargs):
        raise smtplib.SMTPConnectError(421, b"try later")


class RecordingSMTP:
    sent: list[str] = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def ehlo(self):
        pass

    def has_extn(self, name):
        return name == "starttls"

    def starttls(self, context=None):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        RecordingSMTP.sent.append(message["To"])


def test_smtp_failure_keeps_the_message_and_schedules_a_retry(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.invalid")
    monkeypatch.setattr(smtplib, "SMTP", FailingSMTP)
    message_id = queue()
    before = utcnow()
    assert mail.deliver_pending() == 0
    failed = row(message_id)
    assert failed.sent_at is None and failed.attempts == 1
    # The first retry comes soon (5 s ± 20%), so mail is late by seconds once the server is back.
    assert before + timedelta(seconds=4) <= failed.next_attempt_at <= utcnow() + timedelta(seconds=6)
    assert "SMTPConnectError" in failed.last_error and failed.claimed_until is None and failed.claimed_by is None
    assert failed.failed_at is None and failed.deferrals == 0  # an unreachable server never fails a message
    # Not due yet: a second run leaves it alone.
    assert mail.deliver_pending() == 0 and row(message_id).attempts == 1
    # When it is due and the server is back, it goes out.
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    RecordingSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    assert mail.deliver_pending() == 1
    assert RecordingSMTP.sent == ["ann@example.org"]
    assert row(message_id).sent_at is not None and row(message_id).attempts == 2
    assert list(outbox.glob("*.eml")) == []  # SMTP configured: no file


def test_two_runs_never_send_a_message_twice(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example")
    RecordingSMTP.sent = []
    second_run: list[int] = []
    started: list[bool] = []

    class SlowSMTP(RecordingSMTP):
        def send_message(self, message):
            # Another worker starts while this one is mid-send: it must not pick up the claimed message.
            if not started:
                started.append(True)
                with app.app_context():
                    second_run.append(mail.deliver_pending())
            super().send_message(message)

    monkeypatch.setattr(smtplib, "SMTP", SlowSMTP)
    ids = [queue("a@example.org"), queue("b@example.org")]
    first = mail.deliver_pending()
    assert (first, second_run) == (1, [1])  # each worker sent one: the other's claim was respected
    assert sorted(RecordingSMTP.sent) == ["a@example.org", "b@example.org"]
    assert mail.deliver_pending() == 0
    assert sorted(RecordingSMTP.sent) == ["a@example.org", "b@example.org"]
    assert all(row(i).sent_at is not None for i in ids)


def test_a_message_claimed_by_another_worker_is_skipped(app, outbox):
    message_id = queue()
    db.session.execute(update(OutboxMessage).values(claimed_until=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert mail.deliver_pending() == 0
    assert row(message_id).sent_at is None
    # A lease that ran out (a crashed worker) is taken over.
    db.session.execute(update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert mail.deliver_pending() == 1


def test_invite_command_invites_as_the_community_manager(app, admin):

    from community.models import Invitation, OutboxMessage
    from tests.factories_groups import make_group

    group = make_group(admin, "private", name="CLI cohort")
    result = app.test_cli_runner().invoke(args=["invite", "new.person@example.org", "not-an-address",
                                                "--group", group.slug, "--note", "Welcome aboard"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "new.person@example.org: invited" in result.output and "not-an-address: skipped" in result.output
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "new.person@example.org"))
    assert invitation is not None and invitation.created_by_id == admin.id
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == "new.person@example.org"))
    assert mail is not None and "Welcome aboard" in mail.body_text
    missing = app.test_cli_runner().invoke(args=["invite", "x@example.org", "--group", "nope"])
    assert missing.exit_code != 0 and "No group" in missing.output
