"""`community worker`: says what it does, delivers the outbox, runs every periodic job; `community cleanup`."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community import cli_extra
from community.extensions import db
from community.models import OutboxMessage, Topic, UserSession, utcnow
from community.services import digests, housekeeping, jobs, mail
from community.services.accounts import start_session
from tests.factories_blogs import make_blog_post


@pytest.fixture(autouse=True)
def fresh_jobs(monkeypatch):
    """Every periodic job due at once, and put back as it was: the registry lives for the whole process."""
    for entry in jobs.PERIODIC_JOBS:
        monkeypatch.setattr(entry, "last", None)
    # Digests depend on the hour of the day: keep them out of the worker's counts here (they have their tests).
    monkeypatch.setattr(digests, "DIGEST_HOUR", 24)


def queue(to: str = "ann@example.org") -> int:
    message = mail.queue_mail(to, "Hello", "Body")
    db.session.commit()
    return message.id


def unsent() -> int:
    db.session.commit()  # the worker writes in its own session: end this one's read transaction first
    return db.session.scalars(select(OutboxMessage.sent_at)).all().count(None)


def test_every_periodic_job_is_registered_with_what_it_does(app):
    by_name = {entry.job.__name__: entry for entry in jobs.PERIODIC_JOBS}
    assert {"publish_due_posts", "send_due_digests", "clean_up"} <= set(by_name)
    assert all(entry.does and entry.every > 0 for entry in jobs.PERIODIC_JOBS)


def test_worker_once_delivers_and_runs_every_job(app, outbox, pat):
    queue()
    queue("bo@example.org")
    post = make_blog_post(pat, action="schedule", publish_at=utcnow() + timedelta(hours=1))
    db.session.execute(update(Topic).where(Topic.id == post.id).values(publish_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Worker: delivers the e-mail outbox into ")
    assert str(outbox) in lines[0] and "once, then stops" in lines[0]
    for entry in jobs.PERIODIC_JOBS:
        assert f"  - {entry.does} (now)" in lines
    assert "Sent 2 messages." in lines
    assert "  publishes scheduled blog posts when their time comes: 1" in lines
    assert len(list(outbox.glob("*.eml"))) == 2 and unsent() == 0
    assert db.session.get(Topic, post.id).status == "published"


def test_worker_names_the_smtp_server_and_how_often_it_runs(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example.org")
    monkeypatch.setitem(app.config, "SMTP_PORT", 2525)
    lines = cli_extra._worker_banner(interval=5.0, once=False)
    assert lines[0] == ("Worker: delivers the e-mail outbox by SMTP through smtp.example.org:2525, every 5 s; "
                        "periodic jobs:")
    assert "  - publishes scheduled blog posts when their time comes (every 30 s)" in lines
    assert any(line.endswith("(every 10 min)") and "digests" in line for line in lines)
    assert any(line.endswith("(every 1 h)") and "housekeeping" in line for line in lines)
    assert lines[-1] == "Stop it with Ctrl+C."


class Stop(Exception):
    pass


def test_worker_keeps_going_round_after_round(app, outbox, monkeypatch):
    queue()
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 1:
            db.session.rollback()  # a fresh snapshot: the worker wrote in its own session meanwhile
            queue("second@example.org")  # arrives while the worker sleeps
        else:
            raise Stop

    monkeypatch.setattr(cli_extra, "_pause", nap)
    ran: list[str] = []
    monkeypatch.setattr(jobs.PERIODIC_JOBS[0], "job", lambda: ran.append("job") or 0)
    result = app.test_cli_runner().invoke(args=["worker", "--interval", "0.5"])
    assert isinstance(result.exception, Stop)
    assert naps == [0.5, 0.5]
    assert result.output.count("Sent 1 message.") == 2  # each round says what it sent
    assert ran == ["job"]  # a periodic job runs at its own pace, not every round
    assert "Stop it with Ctrl+C." in result.output and unsent() == 0


def test_worker_refuses_a_silly_interval(app):
    result = app.test_cli_runner().invoke(args=["worker", "--interval", "0"])
    assert result.exit_code == 2 and "--interval" in result.output


def test_worker_help_says_what_it_does_and_how_often(app):
    result = app.test_cli_runner().invoke(args=["worker", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Deliver the e-mail outbox and run the periodic jobs" in text and "--once" in text
    for entry in jobs.PERIODIC_JOBS:  # the help names every job's period, so it can't drift from the code
        assert f"every {jobs.describe_every(entry.every)}" in text, entry.does
    assert "COMMUNITY_SMTP_HOST" in text and "cron" in text


def test_a_failing_job_is_logged_and_the_others_still_run(app, monkeypatch, caplog):
    def broken() -> None:
        raise RuntimeError("boom")

    ran: list[str] = []
    works = jobs.PeriodicJob(lambda: ran.append("ok") or 1, 60, "works")
    monkeypatch.setattr(jobs, "PERIODIC_JOBS", [jobs.PeriodicJob(broken, 60, "breaks"), works])
    with caplog.at_level(logging.ERROR, logger="community.jobs"):
        done = jobs.run_periodic_jobs(app)
    assert [(entry.does, result) for entry, result in done] == [("works", 1)]
    assert ran == ["ok"] and "periodic job broken failed" in caplog.text
    assert jobs.run_periodic_jobs(app) == []  # neither is due again within its minute
    assert len(jobs.run_periodic_jobs(app, all_now=True)) == 1


def test_register_periodic_job_is_idempotent(monkeypatch):
    monkeypatch.setattr(jobs, "PERIODIC_JOBS", [])

    def job() -> None:
        return None

    jobs.register_periodic_job(job, every=5, does="x")
    jobs.register_periodic_job(job, every=5, does="x")
    assert len(jobs.PERIODIC_JOBS) == 1


@pytest.mark.parametrize(("seconds", "said"), [(2, "2 s"), (0.5, "0.5 s"), (30, "30 s"), (90, "90 s"),
                                               (600, "10 min"), (3600, "1 h"), (7200, "2 h")])  # fmt: skip
def test_describe_every(seconds, said):
    assert jobs.describe_every(seconds) == said


# Housekeeping -----------------------------------------------------------------------------------


def _sent(days_ago: float) -> int:
    message_id = queue()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(sent_at=utcnow() - timedelta(days=days_ago)))  # fmt: skip
    db.session.commit()
    return message_id


def _session(user, days_idle: float) -> str:
    token = start_session(user)
    db.session.execute(update(UserSession).where(UserSession.id == db.session.scalar(
        select(UserSession.id).order_by(UserSession.id.desc()).limit(1)))
        .values(last_seen_at=utcnow() - timedelta(days=days_idle)))  # fmt: skip
    db.session.commit()
    return token


def test_cleanup_deletes_old_sent_mail_and_dead_sessions_only(app, pat):
    _sent(31)
    recent, waiting = _sent(29), queue()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == waiting)
                       .values(created_at=utcnow() - timedelta(days=90)))  # fmt: skip
    db.session.commit()
    _session(pat, 31)
    _session(pat, 29)  # a remember-me cookie of 30 days may still be out there
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert result.exit_code == 0, result.output
    expected = ("Housekeeping: removed 1 sent e-mails, 1 expired sign-in sessions, 0 old posting keys, "
                "0 unconfirmed accounts and 0 expired data exports.")
    assert expected in result.output
    db.session.commit()
    assert set(db.session.scalars(select(OutboxMessage.id))) == {recent, waiting}  # unsent mail is never dropped
    assert len(db.session.scalars(select(UserSession.id)).all()) == 1
    assert housekeeping.clean_up().total == 0


def test_cleanup_follows_the_settings(app, pat, monkeypatch):
    _sent(400)
    monkeypatch.setitem(app.config, "OUTBOX_KEEP_DAYS", 0)  # keep sent mail for ever
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_DURATION", timedelta(days=90))
    _session(pat, 60)
    assert housekeeping.clean_up().total == 0
    _session(pat, 91)
    cleaned = housekeeping.clean_up()
    assert (cleaned.sent_mail, cleaned.sessions) == (0, 1)
