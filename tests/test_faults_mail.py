"""When the mail server fails: a real SMTP server (aiosmtpd) that is down, defers or refuses, then accepts; TLS
(implicit and STARTTLS) with certificates made here (trustme), trusted or not; two workers at once; a worker
killed mid-send. Time is driven through ``deliver_pending(now=...)``: nothing here sleeps."""

from __future__ import annotations

import logging
import random
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select, update

from community.extensions import db
from community.models import OutboxMessage, utcnow
from community.services import mail, smtp

HOST = "127.0.0.1"


# A real SMTP server ----------------------------------------------------------------------------------


@dataclass
class Handler:
    """aiosmtpd's handler: keeps what arrives; ``refuse`` answers RCPT or DATA with a reply of our choosing."""

    received: list[Message] = field(default_factory=list)
    refuse_rcpt: str | None = None
    refuse_data: str | None = None
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            self.received.append(message_from_bytes(envelope.content))  # it did reach the server
            return self.refuse_data
        self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Any) -> str:
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(names or (HOST,))).configure_cert(context)
    return context


@pytest.fixture
def smtp_server(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """``start(port=None, tls=None, starttls=None, **smtp_options)``: a server on 127.0.0.1, and the app sending to
    it (``SMTP_HOST``/``SMTP_PORT``). ``tls``: an SSL context for implicit TLS; ``starttls``: one it offers."""
    started: list[Controller] = []
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 5)
    monkeypatch.setattr(smtp, "_warned_plain", set())

    def start(handler: Handler, port: int | None = None, tls: ssl.SSLContext | None = None,
              starttls: ssl.SSLContext | None = None, **options: Any) -> int:  # fmt: skip
        port = port or free_port()
        controller = Controller(handler, hostname=HOST, port=port, ssl_context=tls, tls_context=starttls, **options)
        controller.start()
        started.append(controller)
        monkeypatch.setitem(app.config, "SMTP_HOST", HOST)
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        return port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def nobody_listening(app: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """The app sends to a port where no server listens (yet): the port."""
    port = free_port()
    monkeypatch.setitem(app.config, "SMTP_HOST", HOST)
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    return port


def queue(to: str = "ann@example.org", subject: str = "Hello") -> int:
    message = mail.queue_mail(to, subject, "Body")
    db.session.commit()
    return message.id


def row(message_id: int) -> OutboxMessage:
    db.session.commit()  # a fresh snapshot: the worker wrote in its own transactions
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def deliver(at: datetime, **kwargs: Any) -> int:
    sent = mail.deliver_pending(now=at, **kwargs)
    db.session.commit()
    return sent


# The retry schedule ----------------------------------------------------------------------------------


def test_the_retry_delays_start_short_double_and_stay_under_a_minute_while_the_server_is_down():
    rng = random.Random(7)
    for attempts, base in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 50), (6, 50), (60, 50), (10_000, 50)]:
        for _ in range(50):
            seconds = mail.retry_delay(attempts, smtp.UNREACHABLE, rng).total_seconds()
            assert base * 0.8 <= seconds <= base * 1.2 <= 60
    spread = {round(mail.retry_delay(1, smtp.UNREACHABLE, rng).total_seconds(), 3) for _ in range(20)}
    assert len(spread) > 10  # jittered: failed messages don't all come back at the same instant
    # A server that is up but puts the message off gets more room: doubling up to an hour.
    assert 2048 * 0.8 <= mail.retry_delay(11, smtp.DEFERRED, rng).total_seconds() <= 3600 * 1.2
    assert mail.retry_delay(40, smtp.DEFERRED, rng).total_seconds() <= 3600 * 1.2


@pytest.mark.parametrize(("error", "kind"), [
    (ConnectionRefusedError(111, "Connection refused"), smtp.UNREACHABLE),
    (TimeoutError("timed out"), smtp.UNREACHABLE),
    (smtplib.SMTPConnectError(421, b"busy"), smtp.UNREACHABLE),
    (smtplib.SMTPAuthenticationError(535, b"bad password"), smtp.UNREACHABLE),
    (smtplib.SMTPServerDisconnected("gone"), smtp.UNREACHABLE),
    (ssl.SSLCertVerificationError("certificate verify failed"), smtp.UNREACHABLE),
    (smtp.MailSecurityError("no STARTTLS"), smtp.UNREACHABLE),
    (smtplib.SMTPRecipientsRefused({"a@x": (421, b"closing")}), smtp.UNREACHABLE),
    (smtplib.SMTPRecipientsRefused({"a@x": (451, b"later")}), smtp.DEFERRED),
    (smtplib.SMTPDataError(452, b"full"), smtp.DEFERRED),
    (smtplib.SMTPSenderRefused(451, b"later", "me@x"), smtp.DEFERRED),
    (ValueError("won't build"), smtp.DEFERRED),
    (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), smtp.REFUSED),
    (smtplib.SMTPDataError(554, b"rejected"), smtp.REFUSED),
])  # fmt: skip
def test_failures_are_sorted_into_unreachable_deferred_and_refused(error, kind):
    assert smtp.classify(error) == kind


# The server is down, then back ----------------------------------------------------------------------


def test_a_server_that_is_not_listening_then_accepts_gets_the_message_on_the_next_try(
        app, smtp_server, nobody_listening, caplog):  # fmt: skip
    message_id = queue()
    queued = row(message_id).message_id
    t0 = utcnow()
    with caplog.at_level(logging.WARNING, logger="community.mail"):
        assert deliver(t0) == 0
    waiting = row(message_id)
    assert (waiting.attempts, waiting.sent_at, waiting.failed_at) == (1, None, None)
    assert "ConnectionRefusedError" in waiting.last_error and "mail server unreachable" in caplog.text
    assert t0 + timedelta(seconds=4) <= waiting.next_attempt_at <= t0 + timedelta(seconds=6)
    assert deliver(t0 + timedelta(seconds=3)) == 0 and row(message_id).attempts == 1  # not due: left alone
    handler = Handler()
    smtp_server(handler, port=nobody_listening)  # the server comes back
    assert deliver(t0 + timedelta(seconds=6)) == 1
    assert handler.ids() == [queued] and handler.received[0]["To"] == "ann@example.org"
    sent = row(message_id)
    assert sent.sent_at is not None and sent.attempts == 2 and sent.claimed_by is None


def test_a_long_outage_is_retried_at_most_a_minute_apart_and_never_fails_the_message(
        app, smtp_server, nobody_listening):  # fmt: skip
    message_id = queue()
    now, tries = utcnow(), []
    while now < utcnow() + timedelta(hours=1):  # an hour of outage, one try each time the message is due
        assert deliver(now) == 0
        waiting = row(message_id)
        tries.append((waiting.next_attempt_at - now).total_seconds())
        now = waiting.next_attempt_at
    assert 4 <= tries[0] <= 6 and 8 <= tries[1] <= 12 and 16 <= tries[2] <= 24 and 32 <= tries[3] <= 48
    assert max(tries) <= 60 and len(tries) > 60
    assert row(message_id).failed_at is None and row(message_id).deferrals == 0
    handler = Handler()
    smtp_server(handler, port=nobody_listening)  # back at any moment: the message is due again within the minute
    assert deliver(now) == 1 and len(handler.received) == 1


def test_an_unreachable_server_ends_the_round_the_other_mail_waits_untouched(app, nobody_listening):
    first, second = queue("a@example.org"), queue("b@example.org")
    assert deliver(utcnow()) == 0
    assert row(first).attempts == 1 and row(second).attempts == 0  # one timeout per round, not one per message


def test_a_server_that_defers_with_451_then_accepts_gets_the_same_message_id(app, smtp_server):
    handler = Handler(refuse_data="451 4.3.0 Try again later")
    smtp_server(handler)
    message_id = queue()
    t0 = utcnow()
    assert deliver(t0) == 0
    deferred = row(message_id)
    assert (deferred.attempts, deferred.deferrals, deferred.failed_at) == (1, 1, None)
    assert "451" in deferred.last_error
    assert t0 + timedelta(seconds=4) <= deferred.next_attempt_at <= t0 + timedelta(seconds=6)
    # After many tries while the server was away, a deferral still starts the schedule from its beginning.
    db.session.execute(update(OutboxMessage).values(attempts=40))
    db.session.commit()
    assert deliver(deferred.next_attempt_at) == 0
    again = row(message_id)
    assert again.deferrals == 2 and again.next_attempt_at <= deferred.next_attempt_at + timedelta(seconds=12)
    handler.refuse_data = None
    assert deliver(again.next_attempt_at) == 1
    first, second, third = handler.received
    assert first["Message-ID"] == second["Message-ID"] == third["Message-ID"] == deferred.message_id  # the same
    assert first["Date"] == third["Date"]


def test_a_message_put_off_too_often_is_marked_failed_listed_and_retried(app, smtp_server, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_DEFERRALS", 3)
    handler = Handler(refuse_rcpt="451 4.7.1 Slow down")
    smtp_server(handler)
    message_id = queue(subject="Invitation")
    now = utcnow()
    with caplog.at_level(logging.WARNING, logger="community.mail"):
        for _ in range(3):
            assert deliver(now) == 0
            now = row(message_id).next_attempt_at
    failed = row(message_id)
    assert failed.failed_at is not None and (failed.attempts, failed.deferrals) == (3, 3)
    assert f"mail {message_id} to ann@example.org FAILED for good after 3 attempts" in caplog.text
    assert f"`community outbox --retry {message_id}`" in caplog.text
    assert deliver(now + timedelta(days=1)) == 0 and row(message_id).attempts == 3  # failed: not tried again
    listing = app.test_cli_runner().invoke(args=["outbox"])
    assert listing.exit_code == 0, listing.output
    assert f"#{message_id} to ann@example.org ('Invitation'): FAILED" in listing.output
    assert "451" in listing.output and "--retry ID" in listing.output
    handler.refuse_rcpt = None
    retried = app.test_cli_runner().invoke(args=["outbox", "--retry", str(message_id)])
    assert "Queued again: 1 failed message." in retried.output
    assert deliver(utcnow()) == 1 and len(handler.received) == 1
    assert row(message_id).sent_at is not None
    assert "no failed message" in app.test_cli_runner().invoke(args=["outbox"]).output


def test_a_permanent_refusal_fails_the_message_at_once(app, smtp_server):
    smtp_server(Handler(refuse_rcpt="550 5.1.1 No such user"))
    message_id, other = queue("nobody@example.org"), queue("bo@example.org")
    assert deliver(utcnow()) == 0
    refused = row(message_id)
    assert refused.failed_at is not None and refused.attempts == 1 and "550" in refused.last_error
    assert row(other).failed_at is not None  # this server refuses everybody; each message has its own fate
    retried = app.test_cli_runner().invoke(args=["outbox", "--retry-failed"])
    assert retried.output == "Queued again: 2 failed messages.\n"
    assert row(message_id).failed_at is None and row(message_id).deferrals == 0


# TLS: the certificate is checked --------------------------------------------------------------------


def test_implicit_tls_with_a_trusted_private_ca_delivers(app, smtp_server, ca, ca_file, monkeypatch):
    handler = Handler()
    smtp_server(handler, tls=server_context(ca))
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "tls")
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", ca_file)
    message_id = queue()
    assert deliver(utcnow()) == 1 and handler.ids() == [row(message_id).message_id]


def test_implicit_tls_refuses_a_certificate_nobody_trusts(app, smtp_server, ca, monkeypatch):
    handler = Handler()
    smtp_server(handler, tls=server_context(ca))
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "tls")  # the system's CAs: they don't know ours
    message_id = queue()
    assert deliver(utcnow()) == 0
    assert handler.received == [] and "CERTIFICATE_VERIFY_FAILED" in row(message_id).last_error
    assert row(message_id).failed_at is None  # a settings problem: the message waits until it is fixed


def test_implicit_tls_refuses_a_trusted_certificate_for_another_host(app, smtp_server, ca, ca_file, monkeypatch):
    handler = Handler()
    smtp_server(handler, tls=server_context(ca, "mail.example.org"))
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "tls")
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", ca_file)
    message_id = queue()
    assert deliver(utcnow()) == 0
    assert handler.received == [] and "IP address mismatch" in row(message_id).last_error


@pytest.mark.parametrize("security", ["starttls", "auto"])
def test_starttls_with_a_trusted_private_ca_delivers(app, smtp_server, ca, ca_file, monkeypatch, security):
    handler = Handler()
    smtp_server(handler, starttls=server_context(ca), require_starttls=True)
    monkeypatch.setitem(app.config, "SMTP_SECURITY", security)
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", ca_file)
    queue()
    assert deliver(utcnow()) == 1 and len(handler.received) == 1


@pytest.mark.parametrize("security", ["starttls", "auto"])
def test_starttls_refuses_an_untrusted_certificate_and_sends_nothing(app, smtp_server, ca, monkeypatch, security):
    handler = Handler()
    smtp_server(handler, starttls=server_context(ca))  # the server would take plain mail too: we don't fall back
    monkeypatch.setitem(app.config, "SMTP_SECURITY", security)
    message_id = queue()
    assert deliver(utcnow()) == 0
    assert handler.received == [] and "CERTIFICATE_VERIFY_FAILED" in row(message_id).last_error


def test_the_password_goes_only_over_tls(app, smtp_server, ca, ca_file, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", ca_file)
    monkeypatch.setitem(app.config, "SMTP_USERNAME", "community")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "s3cret")
    handler = Handler()

    def authenticate(server, session, envelope, mechanism, auth_data):
        handler.logins.append(f"{auth_data.login.decode()}/{auth_data.password.decode()}/{session.ssl is not None}")
        return AuthResult(success=True)

    smtp_server(handler, starttls=server_context(ca), authenticator=authenticate, auth_require_tls=True)
    queue()
    assert deliver(utcnow()) == 1
    assert handler.logins == ["community/s3cret/True"] and len(handler.received) == 1


@pytest.mark.parametrize("security", ["auto", "none"])
def test_a_username_without_tls_sends_nothing(app, smtp_server, monkeypatch, security):
    handler = Handler()
    smtp_server(handler)  # offers no STARTTLS
    monkeypatch.setitem(app.config, "SMTP_SECURITY", security)
    monkeypatch.setitem(app.config, "SMTP_USERNAME", "community")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "s3cret")
    message_id = queue()
    assert deliver(utcnow()) == 0
    waiting = row(message_id)
    assert handler.received == [] and "MailSecurityError" in waiting.last_error and "in clear" in waiting.last_error
    assert waiting.failed_at is None


def test_starttls_required_but_not_offered_sends_nothing(app, smtp_server, monkeypatch):
    handler = Handler()
    smtp_server(handler)
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "starttls")
    message_id = queue()
    assert deliver(utcnow()) == 0
    assert handler.received == [] and "offers no STARTTLS" in row(message_id).last_error


def test_auto_without_starttls_or_username_sends_in_clear_with_one_warning(app, smtp_server, caplog):
    handler = Handler()
    smtp_server(handler)
    queue(), queue("bo@example.org")
    with caplog.at_level(logging.WARNING, logger="community.mail"):
        assert deliver(utcnow()) == 2
    assert len(handler.received) == 2 and caplog.text.count("offers no STARTTLS: mail goes to it unencrypted") == 1


def test_none_sends_plain_without_a_warning(app, smtp_server, monkeypatch, caplog):
    handler = Handler()
    smtp_server(handler)
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "none")
    queue()
    with caplog.at_level(logging.WARNING, logger="community.mail"):
        assert deliver(utcnow()) == 1
    assert "STARTTLS" not in caplog.text


def test_the_security_setting_is_checked_and_port_465_means_implicit_tls(app, smtp_server, monkeypatch):
    assert smtp.security_mode({"SMTP_PORT": 465}) == "tls"
    assert smtp.security_mode({"SMTP_PORT": "465", "SMTP_SECURITY": "AUTO"}) == "tls"
    assert smtp.security_mode({"SMTP_PORT": 587, "SMTP_SECURITY": None}) == "auto"
    assert smtp.security_mode({"SMTP_PORT": 465, "SMTP_SECURITY": "starttls"}) == "starttls"
    handler = Handler()
    smtp_server(handler)
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "ssl")
    message_id = queue()
    assert deliver(utcnow()) == 0
    assert handler.received == [] and "must be one of auto, tls, starttls, none" in row(message_id).last_error


# Several workers ------------------------------------------------------------------------------------


def run_workers(app: Any, count: int, at: Callable[[int], datetime | None] = lambda _: None) -> list[int]:
    """``count`` workers at once, each in its own thread, app context and database session."""
    db.session.remove()  # the test holds no connection or transaction while the workers write
    barrier = threading.Barrier(count)
    sent: list[int] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                sent.append(mail.deliver_pending(now=at(index)))
                db.session.remove()
        except BaseException as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return sent


def test_two_workers_at_once_send_each_message_exactly_once(app, smtp_server):
    handler = Handler()
    smtp_server(handler)
    ids = [queue(f"member{i}@example.org") for i in range(20)]
    message_ids = set(db.session.scalars(select(OutboxMessage.message_id)))
    for _ in range(3):
        run_workers(app, 2)
    assert sorted(handler.ids()) == sorted(message_ids) and len(handler.received) == 20
    assert all(row(i).sent_at is not None and row(i).attempts == 1 for i in ids)


def test_two_workers_at_once_try_a_failing_message_once(app, nobody_listening):
    message_id = queue()
    now = utcnow()
    run_workers(app, 2, at=lambda _: now)
    assert row(message_id).attempts == 1  # the other worker found it leased, or already put off


def test_a_worker_that_listed_a_message_before_another_put_it_off_leaves_it_alone(app, nobody_listening, monkeypatch):
    message_id = queue()
    now = utcnow()
    real_claim = mail._claim
    other: list[int] = []

    def claim_after_another_worker(*args: Any) -> bool:
        if not other:  # between this worker's listing and its claim, another worker tries the message and fails
            other.append(0)
            with app.app_context():
                other.append(mail.deliver_pending(now=now))
        return real_claim(*args)

    monkeypatch.setattr(mail, "_claim", claim_after_another_worker)
    assert deliver(now) == 0
    assert other == [0, 0] and row(message_id).attempts == 1  # not tried a second time at once: it isn't due


def test_a_worker_killed_mid_send_leaves_a_lease_that_another_takes_over_with_the_same_message_id(
        app, smtp_server, monkeypatch):  # fmt: skip
    handler = Handler()
    smtp_server(handler)
    message_id = queue()
    queued = row(message_id).message_id

    class Killed(BaseException):
        """The worker process dies: nothing after the send runs."""

    real_send = mail.send_by_smtp

    def send_then_die(message: Any, config: Any) -> None:
        real_send(message, config)
        raise Killed

    monkeypatch.setattr(mail, "send_by_smtp", send_then_die)
    t0 = utcnow()
    with pytest.raises(Killed):
        mail.deliver_pending(now=t0)
    db.session.rollback()
    leased = row(message_id)
    assert leased.sent_at is None and leased.claimed_until == t0 + mail.LEASE and leased.claimed_by
    monkeypatch.setattr(mail, "send_by_smtp", real_send)
    assert deliver(t0 + timedelta(minutes=1)) == 0  # the lease still holds: nobody else sends it yet
    assert deliver(t0 + mail.LEASE + timedelta(seconds=1)) == 1  # it ran out: the worker died; another sends it
    first, second = handler.received
    assert first["Message-ID"] == second["Message-ID"] == queued  # the receiver can tell it is the same message
    assert first["Date"] == second["Date"]
    assert row(message_id).sent_at is not None


def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_new_holder(app, smtp_server, monkeypatch, caplog):
    handler = Handler()
    smtp_server(handler)
    message_id = queue()
    t0 = utcnow()
    real_send = mail.send_by_smtp
    late: list[int] = []

    def slow_send(message: Any, config: Any) -> None:
        if not late:  # while the first worker is stuck, its lease runs out and another worker sends the message
            late.append(1)
            with app.app_context():
                late.append(mail.deliver_pending(now=t0 + mail.LEASE + timedelta(seconds=1)))
        real_send(message, config)

    monkeypatch.setattr(mail, "send_by_smtp", slow_send)
    with caplog.at_level(logging.WARNING, logger="community.mail"):
        assert deliver(t0) == 1
    assert late == [1, 1] and len(handler.received) == 2
    assert "was sent after its lease ran out" in caplog.text
    assert row(message_id).attempts == 1  # recorded once, by the worker holding the lease
