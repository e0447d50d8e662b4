"""Who may do what with events, persona by action, through the real pages: what one may not see is a 404,
exactly like something that does not exist; what one sees but may not do is a 403."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from community.extensions import db
from community.models import EventRsvp
from community.services import calendar as cal
from tests.factories import acting, make_user
from tests.factories_events import in_days, make_event
from tests.factories_groups import make_group

PERSONAS = ("facilitator", "member", "non_member", "admin", "suspended", "anonymous")


@pytest.fixture
def world(fran, pat, mallory, admin, suspended):
    """A private group (fran facilitates, pat is a member; mallory is outside) with one event."""
    group = make_group(fran, "private", members=[pat], name="Cohort 9", slug="cohort-9")
    topic = make_event(fran, group, title="Private tutorial", location="Room 12B")
    people = {"facilitator": fran, "member": pat, "non_member": mallory, "admin": admin, "suspended": suspended}
    return group, topic, people


def _as(client, login, logout, people, persona):
    logout()
    if persona != "anonymous":
        login(people[persona])


# persona -> expected status for reading the private group's event page, its .ics, answering, editing.
READ = {"facilitator": 200, "member": 200, "non_member": 404, "admin": 200, "suspended": 403, "anonymous": 302}
EDIT = {"facilitator": 200, "member": 403, "non_member": 404, "admin": 200, "suspended": 403, "anonymous": 302}
RSVP = {"facilitator": 302, "member": 302, "non_member": 404, "admin": 302, "suspended": 403, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_a_private_groups_event_and_its_ics(client, login, logout, world, persona):
    _group, topic, people = world
    _as(client, login, logout, people, persona)
    page = client.get(f"/events/{topic.id}")
    ics = client.get(f"/events/{topic.id}.ics")
    assert page.status_code == ics.status_code == READ[persona]
    if READ[persona] == 200:
        assert b"Room 12B" in page.data and b"Room 12B" in ics.data
    else:
        assert b"Private tutorial" not in page.data and b"Room 12B" not in page.data + ics.data


@pytest.mark.parametrize("persona", PERSONAS)
def test_answering_a_private_groups_event(client, login, logout, world, persona):
    _group, topic, people = world
    _as(client, login, logout, people, persona)
    response = client.post(f"/events/{topic.id}/rsvp", data={"answer": "going"})
    assert response.status_code == RSVP[persona]
    stored = db.session.scalar(select(func.count()).select_from(EventRsvp))
    assert stored == (1 if persona in ("facilitator", "member", "admin") else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_and_cancelling_the_event(client, login, logout, world, persona):
    _group, topic, people = world
    _as(client, login, logout, people, persona)
    assert client.get(f"/events/{topic.id}/edit").status_code == EDIT[persona]
    response = client.post(f"/events/{topic.id}/cancel")
    expected_cancel = {200: 302}.get(EDIT[persona], EDIT[persona])
    assert response.status_code == expected_cancel
    _topic, event = cal_event(topic.id)
    assert (event.cancelled_at is not None) == (persona in ("facilitator", "admin"))


def cal_event(topic_id):
    from community.models import Event, Topic

    db.session.expire_all()
    return db.session.execute(select(Topic, Event).join(Event).where(Topic.id == topic_id)).one()


def test_the_event_page_hides_the_organisers_buttons_from_members(client, login, world):
    _group, topic, people = world
    login(people["member"])
    page = client.get(f"/events/{topic.id}").get_data(as_text=True)
    assert "Save my answer" in page and "Add to calendar" in page
    assert f"/events/{topic.id}/edit" not in page and f"/events/{topic.id}/cancel" not in page
    login(people["facilitator"])
    page = client.get(f"/events/{topic.id}").get_data(as_text=True)
    assert f"/events/{topic.id}/edit" in page and f"/events/{topic.id}/cancel" in page


def test_a_missing_event_and_another_kind_of_topic_are_404(client, login, pat):
    from tests.factories_qa import make_question

    question = make_question(pat, title="Not an event")
    login(pat)
    for url in ("/events/999999", f"/events/{question.id}", f"/events/{question.id}.ics", "/events/999999/edit"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/events/{question.id}/rsvp", data={"answer": "going"}).status_code == 404


def test_members_of_an_open_group_see_and_answer_its_events_non_members_too(client, login, fran, pat, mallory):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group)
    login(mallory)  # outside the group, but an open group's content is every member's
    assert client.get(f"/events/{topic.id}").status_code == 200
    assert client.post(f"/events/{topic.id}/rsvp", data={"answer": "maybe"}).status_code == 302


def test_scheduling_pages_are_for_those_who_may_schedule(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat], slug="cohort-s")
    login(pat)
    assert client.get("/events/new").status_code == 403
    assert client.get("/events/new?group=cohort-s").status_code == 403
    login(mallory)
    assert client.get("/events/new?group=cohort-s").status_code in (403, 404)
    login(fran)
    assert client.get("/events/new?group=cohort-s").status_code == 200
    assert group.id


def test_an_ill_intentioned_member_cannot_schedule_in_a_group_by_forging_the_form(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat])
    mallory_group = make_group(mallory, "open")  # mallory facilitates a group of her own
    login(mallory)
    start = in_days(3).strftime("%Y-%m-%dT%H:%M")
    end = (in_days(3) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/events/new", data={"title": "Free pizza", "where": str(group.id), "starts_at": start,
                                                 "ends_at": end, "timezone": "UTC", "repeat": "none",
                                                 "body": "Come along"})  # fmt: skip
    assert response.status_code == 400 and "Please choose one of the groups you facilitate" in response.get_data(True)
    from community.models import Topic

    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0
    assert mallory_group.id


# The calendar feed: a member's own token, never another's -----------------------------------------------


def test_the_feed_holds_the_members_groups_and_community_events_only(client, fran, pat, mallory, admin):
    cohort = make_group(fran, "private", members=[pat], name="Cohort")
    hidden = make_group(mallory, "private", name="Mallory's circle")
    open_other = make_group(mallory, "open", name="Open elsewhere")
    make_event(fran, cohort, title="Cohort tutorial", location="Room 1")
    make_event(mallory, hidden, title="Secret meet-up", location="Back room")
    make_event(mallory, open_other, title="Open session elsewhere")
    make_event(admin, None, title="Community welcome")
    token = cal.reset_feed_link(acting(pat))
    response = client.get(f"/events/feed/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    parsed = Calendar.from_ical(response.data)
    titles = sorted(str(e["SUMMARY"]) for e in parsed.walk("VEVENT"))
    assert titles == ["Cohort tutorial", "Community welcome"]
    assert b"Secret" not in response.data and b"Back room" not in response.data
    mine = cal.reset_feed_link(acting(mallory))
    assert b"Cohort tutorial" not in client.get(f"/events/feed/{mine}.ics").data


def test_a_guessed_or_revoked_feed_token_is_404(client, pat):
    first = cal.reset_feed_link(acting(pat))
    assert client.get(f"/events/feed/{first}.ics").status_code == 200
    second = cal.reset_feed_link(acting(pat))
    assert client.get(f"/events/feed/{first}.ics").status_code == 404
    assert client.get(f"/events/feed/{second}.ics").status_code == 200
    assert client.get(f"/events/feed/{'A' * 32}.ics").status_code == 404
    assert client.get("/events/feed/.ics").status_code == 404
    make_user("zed")


def test_resetting_the_link_through_the_page_shows_it_once_with_webcal(client, login, pat, csrf_app):
    login(pat)
    page = client.get("/events/subscribe").get_data(as_text=True)
    assert "Make my calendar link" in page and "/events/feed/" not in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/events/subscribe/reset", data={"csrf_token": token})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "webcal://" in text and "/events/feed/" in text
    again = client.get("/events/subscribe").get_data(as_text=True)
    assert "/events/feed/" not in again and "Reset link" in again


def test_the_home_feed_and_post_links_lead_to_the_event_page(client, login, fran, pat):
    group = make_group(fran, "open", members=[pat])
    topic = make_event(fran, group, title="Open clinic")
    login(pat)
    home = client.get("/").get_data(as_text=True)
    assert "scheduled an event" in home and f"/events/{topic.id}" in home
    from community.models import Post

    opening = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    response = client.get(f"/p/{opening}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{topic.id}")


def test_the_feed_token_never_reaches_an_access_log(app):
    from community.logs import learn_secret_paths, redact

    learn_secret_paths(app)
    line = '127.0.0.1 - - "GET /events/feed/s3cretT0kenValue.ics HTTP/1.1" 200 -'
    assert "s3cretT0kenValue" not in redact(line) and "/events/feed/[redacted].ics" in redact(line)
