"""Digests on the member's own clock: from 07:00 their time, for their local day or ISO week, never twice."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from community.extensions import db
from community.models import DigestSent, OutboxMessage, Topic, User
from community.services import digests, notifications
from tests.factories import make_user
from tests.factories_social import question

ASKED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a question still waiting for an answer in the week below


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def members(fran):
    """Members in Paris (UTC+1 in November), New York (UTC-5) and Tokyo (UTC+9), and a waiting question."""
    topic = question(fran, title="Where do I log my hours?")
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(published_at=ASKED))
    db.session.commit()
    return {
        "paris": make_user("paris", timezone="Europe/Paris"),
        "newyork": make_user("newyork", timezone="America/New_York"),
        "tokyo": make_user("tokyo", timezone="Asia/Tokyo"),
    }


def _sent(frequency: str) -> dict[str, list[str]]:
    """Handle -> the periods of this frequency they have had, in order."""
    db.session.rollback()
    rows = db.session.execute(
        select(DigestSent.user_id, DigestSent.period).where(DigestSent.frequency == frequency).order_by(DigestSent.id)
    )
    handles = dict(db.session.execute(select(User.id, User.handle)).all())
    found: dict[str, list[str]] = {}
    for user_id, period in rows:
        found.setdefault(handles[user_id], []).append(period)
    return found


def test_period_keys_follow_the_local_clock():
    tokyo = _at(24, 22).astimezone(digests.zoneinfo_or_utc("Asia/Tokyo"))
    assert digests.period_key("daily", tokyo) == "2026-11-25"  # already Wednesday in Tokyo
    assert digests.period_key("daily", _at(24, 22)) == "2026-11-24"
    sunday_night_utc = _at(22, 22)  # Monday 07:00 in Tokyo: ISO week 48 there, still week 47 in UTC
    assert digests.period_key("weekly", sunday_night_utc) == "2026-W47"
    assert digests.period_key("weekly", sunday_night_utc.astimezone(digests.zoneinfo_or_utc("Asia/Tokyo"))) == (
        "2026-W48"
    )


def test_daily_digests_go_out_at_seven_in_each_members_morning(members, fran):
    tuesday = 24
    # 05:30 UTC: 14:30 in Tokyo (due), 06:30 in Paris and 00:30 in New York (not yet).
    assert digests.send_due_digests(_at(tuesday, 5, 30)) == 1
    assert _sent("daily") == {"tokyo": ["2026-11-24"]}
    # 05:59 UTC is 06:59 in Paris: still not.
    assert digests.send_due_digests(_at(tuesday, 5, 59)) == 0
    # 06:00 UTC is 07:00 in Paris.
    assert digests.send_due_digests(_at(tuesday, 6, 0)) == 1
    assert _sent("daily")["paris"] == ["2026-11-24"]
    # New York's morning comes at 12:00 UTC; nobody gets a second digest in between.
    assert digests.send_due_digests(_at(tuesday, 11, 59)) == 0
    assert digests.send_due_digests(_at(tuesday, 12, 0)) == 1
    assert digests.send_due_digests(_at(tuesday, 12, 15)) == 0
    # 22:00 UTC: Wednesday 07:00 in Tokyo, a new day there only.
    assert digests.send_due_digests(_at(tuesday, 22, 0)) == 1
    assert digests.send_due_digests(_at(tuesday, 22, 15)) == 0
    assert _sent("daily") == {
        "tokyo": ["2026-11-24", "2026-11-25"], "paris": ["2026-11-24"], "newyork": ["2026-11-24"],
    }  # fmt: skip
    assert "fran" not in _sent("daily")  # her own question is not news to her
    addresses = [m.to_addr for m in db.session.scalars(select(OutboxMessage)) if "digest" in m.subject]
    assert sorted(addresses) == ["newyork@example.org", "paris@example.org", "tokyo@example.org", "tokyo@example.org"]


def test_weekly_digests_go_out_on_each_members_monday_morning(members):
    for member in members.values():
        notifications.set_preferences(member, {"watched": "weekly"})  # their only digest: the weekly one
    # Sunday 22:00 UTC: Monday 07:00 in Tokyo, Sunday night in Paris and New York.
    assert digests.send_due_digests(_at(22, 22, 0)) == 1
    assert _sent("weekly") == {"tokyo": ["2026-W48"]}
    assert digests.send_due_digests(_at(23, 5, 45)) == 0  # 06:45 in Paris
    assert digests.send_due_digests(_at(23, 6, 0)) == 1  # 07:00 in Paris
    assert digests.send_due_digests(_at(23, 11, 45)) == 0  # 06:45 in New York
    assert digests.send_due_digests(_at(23, 12, 0)) == 1
    assert digests.send_due_digests(_at(23, 18, 0)) == 0  # once a week
    # Tuesday: no one's Monday any more, in any zone.
    assert digests.send_due_digests(_at(24, 9, 0)) == 0
    assert _sent("weekly") == {"tokyo": ["2026-W48"], "paris": ["2026-W48"], "newyork": ["2026-W48"]}
    assert _sent("daily") == {}
    assert [m.subject for m in db.session.scalars(select(OutboxMessage))] == [
        "Your weekly digest: 1 peer waiting for an answer"
    ] * 3


def test_the_plain_form_sends_now_to_everyone_for_their_local_period(members):
    # 03:00 UTC on Tuesday: Monday 22:00 in New York, Tuesday in Paris and Tokyo; nobody's morning needed.
    assert digests.send_digests("daily", _at(24, 3, 0)) == 3
    assert _sent("daily") == {"newyork": ["2026-11-23"], "paris": ["2026-11-24"], "tokyo": ["2026-11-24"]}
    assert digests.send_digests("daily", _at(24, 3, 30)) == 0  # the same local periods: never twice
    # The due run later that morning knows New York's Tuesday is a new day there.
    assert digests.send_due_digests(_at(24, 12, 0)) == 1
    assert _sent("daily")["newyork"] == ["2026-11-23", "2026-11-24"]


def test_members_without_a_zone_use_the_communitys(members, admin):
    from community.services.settings import update_settings

    update_settings(admin, default_timezone="Asia/Tokyo")
    db.session.commit()
    plain = make_user("plain")
    # 00:00 UTC is 09:00 in Tokyo: the Tokyo member, and those who chose no zone (plain, and Ada, the admin);
    # it is 19:00 on Monday in New York, whose Monday digest is still due; 01:00 in Paris, whose is not.
    assert digests.send_due_digests(_at(24, 0, 0)) == 4
    assert _sent("daily") == {"newyork": ["2026-11-23"], "tokyo": ["2026-11-24"], "ada": ["2026-11-24"],
                              "plain": ["2026-11-24"]}  # fmt: skip
    assert plain.timezone is None


def test_digest_subjects_count_peers_with_real_plurals(members, fran):
    second = question(fran, title="And my reflective log?")
    db.session.execute(update(Topic).where(Topic.id == second.id).values(published_at=ASKED))
    db.session.commit()
    digests.send_digests("daily", _at(24, 9, 0))
    subjects = {m.subject for m in db.session.scalars(select(OutboxMessage))}
    assert subjects == {"Your daily digest: 2 peers waiting for an answer"}


def test_due_command_sends_only_to_members_whose_morning_has_come(app, members, monkeypatch):
    monkeypatch.setattr(digests, "utcnow", lambda: _at(24, 6, 30))  # Paris 07:30, Tokyo 15:30, New York 01:30
    result = app.test_cli_runner().invoke(args=["send-digests", "--due"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Queued 2 daily digests.", "Queued 0 weekly digests."]
    assert sorted(_sent("daily")) == ["paris", "tokyo"]
    result = app.test_cli_runner().invoke(args=["send-digests", "--due", "--daily"])
    assert result.output.splitlines() == ["Queued 0 daily digests."]
    result = app.test_cli_runner().invoke(args=["send-digests"])  # the plain form: now, to everyone left
    assert result.output.splitlines() == ["Queued 1 daily digest."]
    assert _sent("daily")["newyork"] == ["2026-11-24"]
