"""Bad input to the event forms: a clear message on the field, the text kept, a 4xx, never a 500."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import Event, Topic
from tests.factories_events import in_days, make_event
from tests.factories_groups import make_group

START = in_days(5)


def _form(group, **changes):
    data = {"title": "Weekly tutorial", "where": str(group.id), "starts_at": START.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (START + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "timezone": "Europe/London",
            "location": "Room 3", "online_url": "", "capacity": "", "repeat": "none", "repeat_count": "",
            "repeat_until": "", "rrule": "", "body": "We go through the week's reading together."}  # fmt: skip
    data.update(changes)
    return data


def _field_error(html, field):
    marker = f'id="{field}-error"'
    assert marker in html, f"no error on {field}"
    return html.split(marker, 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"ends_at": (START - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}, "ends_at", "must end after it starts"),
    ({"ends_at": START.strftime("%Y-%m-%dT%H:%M")}, "ends_at", "must end after it starts"),
    ({"ends_at": (START + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")}, "ends_at", "at most 14 days"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "choose a time zone"),
    ({"timezone": ""}, "timezone", "choose a time zone"),
    ({"capacity": "-3"}, "capacity", "from 1 to"),
    ({"capacity": "0"}, "capacity", "from 1 to"),
    ({"capacity": "lots"}, "capacity", "integer"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "web address"),
    ({"online_url": "meet dot example"}, "online_url", "web address"),
    ({"online_url": "ftp://files.example.org/x"}, "online_url", "web address"),
    ({"repeat": "custom", "rrule": "FREQ=WEEKLY"}, "rrule", "needs an end"),
    ({"repeat": "custom", "rrule": "FREQ=SECONDLY;COUNT=5"}, "rrule", "at most once a day"),
    ({"repeat": "custom", "rrule": "FREQ=MINUTELY;UNTIL=20270101T000000Z"}, "rrule", "at most once a day"),
    ({"repeat": "custom", "rrule": ""}, "rrule", "write the rule"),
    ({"repeat": "weekly"}, "repeat_count", "needs an end"),
    ({"repeat": "weekly", "repeat_count": "500"}, "rrule", "at most 100 times"),
    ({"repeat": "weekly", "repeat_count": "-2"}, "repeat_count", "at least 1"),
    ({"repeat": "monthly", "repeat_until": "2040-01-01"}, "rrule", "within a year"),
    ({"repeat": "sometimes"}, "repeat", "Not a valid choice"),
    ({"starts_at": "tomorrow-ish"}, "starts_at", "Not a valid datetime"),
    ({"title": ""}, "title", "give the event a title"),
    ({"body": ""}, "body", "describe the event"),
])  # fmt: skip
def test_bad_input_gets_a_message_on_its_field_and_keeps_the_text(client, login, fran, changes, field, words):
    group = make_group(fran, "open")
    login(fran)
    response = client.post("/events/new", data=_form(group, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in _field_error(html, field)
    if field != "body":
        assert "We go through the week&#39;s reading together." in html or "We go through the week's reading" in html
    if field != "title":
        assert 'value="Weekly tutorial"' in html
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


def test_a_good_form_schedules_the_event_and_a_repeat_becomes_a_rule(client, login, fran):
    group = make_group(fran, "open")
    login(fran)
    response = client.post("/events/new", data=_form(group, repeat="fortnightly", repeat_count="6", capacity="12",
                                                     online_url="https://meet.example.org/w"))  # fmt: skip
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=6" and event.capacity == 12
    assert event.timezone == "Europe/London"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every two weeks, 6 times" in page and "0 of 12 places taken" in page


def test_the_edit_form_refuses_bad_input_too_and_keeps_the_event(client, login, fran):
    group = make_group(fran, "open")
    topic = make_event(fran, group)
    login(fran)
    page = client.get(f"/events/{topic.id}/edit").get_data(as_text=True)
    assert 'value="Room 4"' in page
    response = client.post(f"/events/{topic.id}/edit", data=_form(group, timezone="Nowhere/Land"))
    assert response.status_code == 400 and "choose a time zone" in _field_error(response.get_data(True), "timezone")
    assert db.session.scalar(select(Event.timezone)) == "UTC"


def test_answers_and_dates_refuse_nonsense(client, login, fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group, rrule="FREQ=WEEKLY;COUNT=3")
    login(pat)
    response = client.post(f"/events/{topic.id}/rsvp", data={"answer": "forever"})
    assert response.status_code == 400 and "rsvp-error" in response.get_data(as_text=True)
    login(fran)
    assert client.post(f"/events/{topic.id}/dates/not-a-date/cancel").status_code == 404
    assert client.post(f"/events/{topic.id}/dates/20000101T000000Z/cancel").status_code == 404
    assert client.get(f"/events/{topic.id}/dates/20000101T000000Z/move").status_code == 404
    assert client.get("/events/?month=9999-99").status_code == 200
    assert client.get("/events/?month=2026-13").status_code == 200


def test_moving_a_date_to_before_its_start_is_refused_on_the_field(client, login, fran):
    group = make_group(fran, "open")
    topic = make_event(fran, group, starts_at=START, rrule="FREQ=WEEKLY;COUNT=3")
    stamp = START.strftime("%Y%m%dT%H%M%SZ")
    login(fran)
    form = client.get(f"/events/{topic.id}/dates/{stamp}/move").get_data(as_text=True)
    assert START.strftime("%Y-%m-%dT%H:%M") in form
    later = (START + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/events/{topic.id}/dates/{stamp}/move",
                           data={"starts_at": later, "ends_at": START.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert "must end after it starts" in _field_error(response.get_data(as_text=True), "ends_at")
    ok = client.post(f"/events/{topic.id}/dates/{stamp}/move", data={
        "starts_at": later, "ends_at": (START + timedelta(days=1, hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert ok.status_code == 302
    page = client.get(f"/events/{topic.id}").get_data(as_text=True)
    assert "moved" in page
