"""Digests: peers waiting for an answer first, then notifications, then popular posts; once per period."""

from datetime import timedelta

from sqlalchemy import select

from community.extensions import db
from community.models import DigestSent, OutboxMessage, utcnow
from community.services import digests, notifications
from tests.factories_groups import make_group
from tests.factories_social import discussion, question, reply


def _mail_to(user):
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)))


def test_digest_leads_with_peers_waiting_then_popular_and_is_sent_once(fran, pat, sam):
    group = make_group(fran, "private", members=[pat, sam])
    question(sam, group, title="How do I structure a reflective log?")
    answered = question(sam, group, title="Answered already")
    reply(fran, answered, "Like this", kind="answer")
    topic = discussion(fran, title="Popular chat")
    reply(sam, topic, "Busy!")
    assert digests.send_digests("daily") >= 1
    mail = next(m for m in _mail_to(pat) if "digest" in m.subject)
    text = mail.body_text
    assert "peer waiting for an answer" in mail.subject
    assert text.index("PEERS WAITING FOR AN ANSWER") < text.index("POPULAR THIS DAY")
    assert "How do I structure a reflective log?" in text and "Answered already" not in text.split("POPULAR")[0]
    assert "Popular chat" in text
    assert "&lt;" not in text and mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digests.send_digests("daily") == 0  # never twice for the same period
    assert len([m for m in _mail_to(pat) if "digest" in m.subject]) == 1
    sent = db.session.scalar(select(DigestSent).where(DigestSent.user_id == pat.id))
    assert sent.period == utcnow().date().isoformat()


def test_digest_carries_the_notifications_chosen_for_it(fran, pat):
    notifications.set_preferences(pat, {"reply": "weekly"})
    topic = discussion(pat, title="Weekly please")
    reply(fran, topic, "A reply for the weekly digest")
    assert not [m for m in _mail_to(pat)]  # not e-mailed at once
    digests.send_digests("weekly", utcnow() + timedelta(minutes=1))
    mail = _mail_to(pat)[0]
    assert "FOR YOU" in mail.body_text and "Weekly please" in mail.body_text
    assert "weekly" in mail.subject


def test_members_who_take_no_digest_get_none(fran, pat):
    notifications.set_preferences(pat, {k: "web" for k in notifications.DEFAULT_DELIVERY})
    question(fran, title="Anyone?")
    digests.send_digests("daily")
    assert _mail_to(pat) == []


def test_send_digests_command(app, fran, pat):
    question(fran, title="Command question")
    result = app.test_cli_runner().invoke(args=["send-digests", "--daily"])
    assert result.exit_code == 0, result.output
    assert "Queued" in result.output
    result = app.test_cli_runner().invoke(args=["send-digests", "--weekly"])
    assert result.exit_code == 0


def test_reindex_command_shows_progress(app, fran):
    discussion(fran, title="Indexed")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output


def test_due_digests_wait_for_the_hour_and_mondays(fran, pat):
    from datetime import UTC, datetime

    question(fran, title="Early bird")
    notifications.set_preferences(pat, {"reply": "weekly"})
    monday_early = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert digests.send_due_digests(monday_early) == 0
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert digests.send_due_digests(monday) == 2  # pat's daily and weekly digests
    assert digests.send_due_digests(monday) == 0
