"""Events through the services: scheduling rules, recurrences in their own zone, cancelled and moved dates,
answers and capacity, who is told of changes, the reminders (once each), the calendar link."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.errors import Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.models import EventReminderSent, EventRsvp, Notification, OutboxMessage
from community.services import calendar as cal
from community.services.calendar.reminders import send_event_reminders
from community.services.notifications import set_preferences
from tests.factories import acting, make_user
from tests.factories_events import answer, in_days, load_event, make_event
from tests.factories_groups import make_group


def _mail_to(user):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)))


def _fields(**values):
    start = values.pop("starts_at", in_days(2))
    base = dict(title="Tutorial", body="Bring the case study.", starts_at=start, ends_at=start + timedelta(hours=1),
                timezone="Europe/London")  # fmt: skip
    return cal.EventFields(**{**base, **values})


# Who schedules ----------------------------------------------------------------------------------------


def test_group_facilitators_and_admins_schedule_group_events_members_do_not(fran, pat, admin):
    group = make_group(fran, "open", members=[pat])
    assert cal.schedule_event(acting(fran), group, _fields()).kind == "event"
    assert cal.schedule_event(acting(admin), group, _fields()).group_id == group.id
    with pytest.raises(Forbidden):
        cal.schedule_event(acting(pat), group, _fields())


def test_community_wide_events_are_for_the_staff(fran, pat, admin):
    assert cal.schedule_event(acting(admin), None, _fields()).group_id is None
    assert cal.schedule_event(acting(fran), None, _fields()).group_id is None  # a community facilitator
    with pytest.raises(Forbidden):
        cal.schedule_event(acting(pat), None, _fields())


def test_a_facilitator_of_one_group_has_no_power_in_another(pat, sam):
    mine = make_group(pat, "open")
    theirs = make_group(sam, "open", members=[pat])
    cal.schedule_event(acting(pat), mine, _fields())
    with pytest.raises(Forbidden):
        cal.schedule_event(acting(pat), theirs, _fields())


# Recurrences ------------------------------------------------------------------------------------------


def test_a_weekly_series_keeps_its_local_hour_across_the_change_of_clocks(fran):
    # 18:00 in London on 19 October 2026 (BST, UTC+1), weekly five times: the clocks go back on 25 October.
    start = datetime(2026, 10, 19, 17, 0, tzinfo=UTC)
    topic = make_event(fran, starts_at=start, timezone="Europe/London", rrule="FREQ=WEEKLY;COUNT=5")
    _topic, event = load_event(fran, topic.id)
    starts = [o.start for o in cal.occurrences(event, [])]
    assert [s.hour for s in starts] == [17, 18, 18, 18, 18]  # UTC: always 18:00 on the London clock
    assert event.last_ends_at == starts[-1] + timedelta(hours=1)


def test_the_form_choices_build_rules_that_end():
    until = datetime(2027, 3, 1, 23, 59, 59, tzinfo=UTC)
    assert cal.build_rule("weekly", count=10, until=None) == "FREQ=WEEKLY;COUNT=10"
    assert cal.build_rule("fortnightly", count=None, until=until) == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270301T235959Z"
    assert cal.build_rule("none", count=None, until=None) == ""
    with pytest.raises(InvalidInput) as error:
        cal.build_rule("monthly", count=None, until=None)
    assert error.value.field == "repeat_count"


@pytest.mark.parametrize(("rule", "message"), [
    ("FREQ=WEEKLY", "needs an end"),
    ("FREQ=MINUTELY;COUNT=10", "at most once a day"),
    ("FREQ=SECONDLY;COUNT=5", "at most once a day"),
    ("FREQ=HOURLY;COUNT=5", "at most once a day"),
    ("FREQ=DAILY;COUNT=500", "at most 100 times"),
    ("FREQ=WEEKLY;UNTIL=20350101T000000Z", "within a year"),
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU;UNTIL=20270701T000000Z", "at most 100 times"),
    ("FREQ=NEVER;COUNT=2", "isn't a repeat rule"),
    ("not a rule", "isn't a repeat rule"),
    ("FREQ=WEEKLY;COUNT=3\nX-EVIL:1", "isn't a repeat rule"),
])  # fmt: skip
def test_rules_that_never_end_or_fire_too_often_are_refused_on_their_field(fran, rule, message):
    with pytest.raises(InvalidInput) as error:
        cal.schedule_event(acting(fran), None, _fields(starts_at=datetime(2026, 12, 10, 18, tzinfo=UTC), rrule=rule))
    assert error.value.field == "rrule" and message in error.value.message


def test_cancelling_and_moving_one_date_of_a_series(fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group, starts_at=in_days(2), rrule="FREQ=WEEKLY;COUNT=4")
    answer(pat, topic.id, "going")
    topic, event = load_event(fran, topic.id)
    dates = [o.original_start for o in cal.occurrences(event, [])]
    cal.cancel_occurrence(acting(fran), topic, event, dates[1])
    topic, event = load_event(fran, topic.id)
    new_start = dates[2] + timedelta(days=1, hours=1)
    cal.move_occurrence(acting(fran), topic, event, dates[2], new_start, new_start + timedelta(hours=2))
    topic, event = load_event(fran, topic.id)
    series = cal.event_page(acting(fran), topic, event).occurrences
    assert [o.cancelled for o in series] == [False, True, False, False]
    assert series[2].moved and series[2].start == new_start and series[2].end == new_start + timedelta(hours=2)
    assert event.sequence == 2
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == pat.id)).all()
    assert sorted(kinds) == ["event_cancelled", "event_changed"]
    with pytest.raises(NotFound):
        cal.cancel_occurrence(acting(fran), topic, event, dates[0] + timedelta(minutes=5))  # no such date
    with pytest.raises(Forbidden):
        cal.cancel_occurrence(acting(pat), topic, event, dates[3])


# Answers and capacity ---------------------------------------------------------------------------------


def test_going_is_refused_with_a_message_when_the_event_is_full(fran, pat, sam):
    group = make_group(fran, "open", members=[pat, sam])
    topic = make_event(fran, group, capacity=1)
    assert answer(pat, topic.id, "going") == "going"
    assert answer(pat, topic.id, "going") == "going"  # the same member again: still one place
    with pytest.raises(InvalidInput) as error:
        answer(sam, topic.id, "going")
    assert error.value.field == "answer" and "full" in error.value.message
    assert answer(sam, topic.id, "maybe") == "maybe"
    answer(pat, topic.id, "no")  # a place comes free
    assert answer(sam, topic.id, "going") == "going"
    rows = db.session.execute(select(EventRsvp.user_id, EventRsvp.answer).order_by(EventRsvp.user_id)).all()
    assert rows == [(pat.id, "no"), (sam.id, "going")]


def test_no_answers_to_a_cancelled_or_finished_event(fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group)
    topic, event = load_event(fran, topic.id)
    cal.cancel_event(acting(fran), topic, event)
    with pytest.raises(Forbidden):
        answer(pat, topic.id, "going")
    later = make_event(fran, group, starts_at=in_days(1))
    with pytest.raises(Forbidden):
        answer(pat, later.id, "going", now=utcnow_plus(days=3))
    with pytest.raises(InvalidInput):
        answer(pat, later.id, "perhaps")


def utcnow_plus(**delta):
    return datetime.now(UTC) + timedelta(**delta)


def test_changing_the_time_or_place_tells_those_who_answered_and_bumps_the_sequence(fran, pat, sam, mallory):
    group = make_group(fran, "open", members=[pat, sam])
    topic = make_event(fran, group)
    answer(pat, topic.id, "going")
    answer(sam, topic.id, "no")
    topic, event = load_event(fran, topic.id)
    page = cal.event_page(acting(fran), topic, event)
    same = cal.EventFields(title=topic.title, body="A new description only.", starts_at=event.starts_at,
                           ends_at=event.ends_at, timezone=event.timezone, location=event.location,
                           online_url=event.online_url)  # fmt: skip
    assert cal.update_event(acting(fran), topic, event, page.opening, same) is False
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    topic, event = load_event(fran, topic.id)
    page = cal.event_page(acting(fran), topic, event)
    moved = cal.EventFields(**{**same.__dict__, "starts_at": event.starts_at + timedelta(hours=2),
                               "ends_at": event.ends_at + timedelta(hours=2)})  # fmt: skip
    assert cal.update_event(acting(fran), topic, event, page.opening, moved) is True
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "event_changed")).all()
    assert sorted(told) == sorted([pat.id, sam.id])
    assert load_event(fran, topic.id)[1].sequence == 1
    assert len(_mail_to(pat)) == 1 and "An event changed" in _mail_to(pat)[0].subject
    assert "Room 4" not in _mail_to(pat)[0].body_text  # the place stays on the page
    assert f"/events/{topic.id}" in _mail_to(pat)[0].body_text  # ... where the e-mail leads
    urls = set(db.session.scalars(select(Notification.url).where(Notification.kind == "event_changed")))
    assert urls == {f"/events/{topic.id}"}
    with pytest.raises(Forbidden):
        cal.update_event(acting(pat), topic, event, page.opening, moved)


# Reminders --------------------------------------------------------------------------------------------


def test_reminders_go_a_day_and_an_hour_before_each_date_once_each(fran, pat, sam, mallory):
    group = make_group(fran, "open", members=[pat, sam, mallory])
    start = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
    topic = make_event(fran, group, starts_at=start, rrule="FREQ=WEEKLY;COUNT=2")
    answer(pat, topic.id, "going", now=start - timedelta(days=3))
    answer(sam, topic.id, "maybe", now=start - timedelta(days=3))
    answer(mallory, topic.id, "no", now=start - timedelta(days=3))
    assert send_event_reminders(start - timedelta(hours=30)) == 0  # too early
    assert send_event_reminders(start - timedelta(hours=23)) == 2  # pat and sam, not mallory
    assert send_event_reminders(start - timedelta(hours=20)) == 0  # once
    assert send_event_reminders(start - timedelta(minutes=50)) == 2  # the hour before
    assert send_event_reminders(start - timedelta(minutes=10)) == 0
    assert send_event_reminders(start + timedelta(days=7, minutes=-30)) == 2  # the next week's date: 1 h only
    assert send_event_reminders(start + timedelta(days=7, minutes=-20)) == 0
    assert db.session.scalar(select(func.count()).select_from(EventReminderSent)) == 6
    subjects = [m.subject for m in _mail_to(pat)]
    assert subjects[0].startswith("Tomorrow: ") and subjects[1].startswith("In an hour: ")
    assert "Room 4" in _mail_to(pat)[0].body_text and not _mail_to(mallory)


def test_reminders_are_in_the_members_language_and_zone_and_respect_the_setting(fran, pat, sam):
    group = make_group(fran, "open", members=[pat, sam])
    start = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
    topic = make_event(fran, group, starts_at=start)
    pat.language, pat.timezone = "fr", "Europe/Paris"
    db.session.commit()
    answer(pat, topic.id, "going", now=start - timedelta(days=3))
    answer(sam, topic.id, "going", now=start - timedelta(days=3))
    set_preferences(acting(sam), {"event_reminder": "off"})
    assert send_event_reminders(start - timedelta(hours=2)) == 1
    mail = _mail_to(pat)[0]
    assert "19:00" in mail.body_text and "Europe/Paris" in mail.body_text  # 18:00 UTC on a Paris clock
    assert mail.subject.startswith("Demain") and not _mail_to(sam)


def test_no_reminder_for_a_cancelled_event_or_to_someone_who_left_a_private_group(fran, pat, sam):
    from community.services.groups import leave_group

    group = make_group(fran, "private", members=[pat, sam])
    start = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
    kept = make_event(fran, group, starts_at=start)
    dropped = make_event(fran, group, starts_at=start)
    for topic in (kept, dropped):
        answer(pat, topic.id, "going", now=start - timedelta(days=3))
        answer(sam, topic.id, "going", now=start - timedelta(days=3))
    topic, event = load_event(fran, dropped.id)
    cal.cancel_event(acting(fran), topic, event)
    leave_group(acting(sam), group)
    assert send_event_reminders(start - timedelta(hours=2)) == 1
    assert len([m for m in _mail_to(pat) if m.subject.startswith("Tomorrow")]) == 1 and not [
        m for m in _mail_to(sam) if "Tomorrow" in m.subject]


# The calendar link ------------------------------------------------------------------------------------


def test_the_calendar_link_is_stored_hashed_and_a_reset_revokes_the_old_one(pat, mallory):
    first = cal.reset_feed_link(acting(pat))
    assert cal.user_for_feed_token(first).id == pat.id and cal.has_feed_link(pat)
    second = cal.reset_feed_link(acting(pat))
    with pytest.raises(NotFound):
        cal.user_for_feed_token(first)
    assert cal.user_for_feed_token(second).id == pat.id
    for guess in ("", "x" * 32, second[:-1] + ("a" if second[-1] != "a" else "b"), "y" * 500):
        with pytest.raises(NotFound):
            cal.user_for_feed_token(guess)
    assert cal.stop_feed_link(acting(pat)) == 1
    with pytest.raises(NotFound):
        cal.user_for_feed_token(second)
    from community.models import UrlToken

    assert second not in str(db.session.scalars(select(UrlToken.token_hash)).all())


def test_a_suspended_members_link_opens_nothing(pat):
    token = cal.reset_feed_link(acting(pat))
    pat.state = "suspended"
    db.session.commit()
    with pytest.raises(NotFound):
        cal.user_for_feed_token(token)
    assert make_user("other").state == "active"
