"""What the .ics download and the calendar feed emit, parsed back with ``icalendar`` as a calendar app would."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from community.services import calendar as cal
from tests.factories import acting
from tests.factories_events import load_event, make_event
from tests.factories_groups import make_group

START = datetime(2027, 3, 22, 18, 0, tzinfo=UTC)  # a Monday, 18:00 UTC = 18:00 in London (GMT)


def _ics(client, topic_id):
    response = client.get(f"/events/{topic_id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="event-{topic_id}.ics"'
    return Calendar.from_ical(response.data)


def test_a_one_off_event_as_ics(client, login, fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group, starts_at=START, hours=1.5, title="Coaching clinic", timezone="Europe/Paris",
                       body="Bring **one** real case.", location="Room 4")  # fmt: skip
    login(pat)
    parsed = _ics(client, topic.id)
    assert str(parsed["METHOD"]) == "PUBLISH" and str(parsed["VERSION"]) == "2.0" and parsed["PRODID"]
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Coaching clinic"
    assert vevent.decoded("DTSTART") == START and vevent.decoded("DTEND") == START + timedelta(minutes=90)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTSTART").tzinfo is not None
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(vevent["UID"]) == f"event-{load_event(fran, topic.id)[1].id}@community.test"
    assert int(vevent["SEQUENCE"]) == 0 and str(vevent["STATUS"]) == "CONFIRMED"
    assert "Room 4" in str(vevent["LOCATION"]) and "https://meet.example.org/abc" in str(vevent["LOCATION"])
    assert "Bring one real case." in str(vevent["DESCRIPTION"])
    assert str(vevent["URL"]).endswith(f"/events/{topic.id}")
    assert "RRULE" not in vevent


def test_a_series_carries_its_rule_cancelled_dates_and_moved_ones(client, login, fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group, starts_at=START, timezone="Europe/London", rrule="FREQ=WEEKLY;COUNT=6")
    login(pat)
    uid_before = str(_ics(client, topic.id).walk("VEVENT")[0]["UID"])
    topic, event = load_event(fran, topic.id)
    dates = [o.original_start for o in cal.occurrences(event, [])]
    cal.cancel_occurrence(acting(fran), topic, event, dates[2])
    topic, event = load_event(fran, topic.id)
    moved_to = dates[4] + timedelta(days=1)
    cal.move_occurrence(acting(fran), topic, event, dates[4], moved_to, moved_to + timedelta(hours=1))
    parsed = _ics(client, topic.id)
    main, override = parsed.walk("VEVENT")
    assert main["RRULE"]["FREQ"] == ["WEEKLY"] and main["RRULE"]["COUNT"] == [6]
    # After the clocks change on 28 March, the series stays at 18:00 London time (17:00 UTC).
    london = ZoneInfo("Europe/London")
    assert main.decoded("DTSTART").astimezone(london).hour == 18
    exdates = [d.dt for d in main["EXDATE"].dts]
    assert exdates == [dates[2]] and exdates[0].astimezone(london).hour == 18
    assert override.decoded("RECURRENCE-ID") == dates[4]
    assert override.decoded("DTSTART") == moved_to
    assert str(override["UID"]) == str(main["UID"]) == uid_before
    assert int(main["SEQUENCE"]) == int(override["SEQUENCE"]) == 2


def test_a_cancelled_event_says_so_with_a_higher_sequence(client, login, fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group, starts_at=START)
    topic, event = load_event(fran, topic.id)
    cal.cancel_event(acting(fran), topic, event)
    login(pat)
    (vevent,) = _ics(client, topic.id).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 1


def test_the_feed_is_a_subscribable_calendar_with_every_event_once(client, fran, pat):
    group = make_group(fran, "open", members=[pat])
    make_event(fran, group, starts_at=START, title="Weekly tutorial", rrule="FREQ=WEEKLY;COUNT=10")
    make_event(fran, group, starts_at=START + timedelta(days=2), title="One-off session")
    token = cal.reset_feed_link(acting(pat))
    response = client.get(f"/events/feed/{token}.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response.headers and "no-store" in response.headers["Cache-Control"]
    parsed = Calendar.from_ical(response.data)
    assert str(parsed["METHOD"]) == "PUBLISH" and "events" in str(parsed["X-WR-CALNAME"])
    summaries = sorted(str(e["SUMMARY"]) for e in parsed.walk("VEVENT"))
    assert summaries == ["One-off session", "Weekly tutorial"]
    assert len({str(e["UID"]) for e in parsed.walk("VEVENT")}) == 2
