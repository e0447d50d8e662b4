"""A cohort's week in a real browser, across the three roles: the community manager welcomes everyone with an
announcement; a facilitator schedules a session as an event in her cohort and announces it, linking to it; a
participant finds the announcement at the top of home on a phone, follows it to the event, answers "going" and
adds it to a calendar (the downloaded file parsed back with icalendar); the facilitator reads who has seen
her announcement and who is coming."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_groups import make_group

SESSION = "Tutorial: coaching conversations"


def test_announce_a_session_answer_it_and_add_it_to_a_calendar(new_page, live_server, live_data, tmp_path: Path):
    make_user("morgan", role="admin", display_name="Morgan Ellis", timezone="Europe/London")
    fay = make_user("fay", role="facilitator", display_name="Fay Fournier", timezone="Europe/London")
    priya = make_user("priya", display_name="Priya Patel", timezone="Europe/London")
    omar = make_user("omar", display_name="Omar Haddad", timezone="Europe/London")
    make_group(fay, "private", members=[priya, omar], name="Cohort 14", slug="cohort-14")
    london = ZoneInfo("Europe/London")
    day = (datetime.now(london) + timedelta(days=5)).date()
    start = datetime(day.year, day.month, day.day, 17, 0)

    # The community manager, on a desktop: a welcome to the whole community.
    manager = new_page()
    sign_in(manager, live_server, "morgan", PASSWORD)
    manager.goto(live_server("/announcements/new"))
    expect(manager.get_by_label("For")).to_have_value("")  # the whole community comes first
    manager.get_by_label("Title").fill("Welcome to the spring programme")
    manager.get_by_label("Announcement", exact=True).fill("Say hello on the **Introductions** board.")
    manager.get_by_role("button", name="Announce").click()
    expect(manager.get_by_role("heading", name="Welcome to the spring programme")).to_be_visible()
    expect(manager.get_by_text("0 of 3 have seen this")).to_be_visible()  # every other active member
    screenshot(manager, "week-manager-announcement")

    # The facilitator schedules the session, then announces it with a link to the event.
    desk = new_page()
    sign_in(desk, live_server, "fay", PASSWORD)
    desk.goto(live_server("/groups/cohort-14"))
    desk.get_by_role("link", name="Schedule an event").click()
    desk.get_by_label("Title").fill(SESSION)
    desk.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_label("Ends").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_label("Time zone").select_option("Europe/London")
    desk.get_by_label("Online meeting link (optional)").fill("https://meet.example.org/cohort-14")
    desk.get_by_label("Description").fill("Bring one conversation you found hard.")
    desk.get_by_role("button", name="Schedule the event").click()
    expect(desk.get_by_role("heading", name=SESSION)).to_be_visible()
    event_path = desk.url.removeprefix(live_server(""))
    desk.goto(live_server("/groups/cohort-14"))
    desk.get_by_role("link", name="Make an announcement").click()
    expect(desk.get_by_label("For")).to_have_value(desk.get_by_label("For").input_value())
    desk.get_by_label("Title").fill("Thursday's tutorial is on: please answer")
    desk.get_by_label("Announcement", exact=True).fill(
        f"Our next tutorial is [{SESSION}]({event_path}). Tell me if you're coming.")
    desk.get_by_role("button", name="Announce").click()
    expect(desk.get_by_text("0 of 2 have seen this")).to_be_visible()
    announcement_url = desk.url

    # The participant, on a phone: both announcements at the top of home; the cohort's leads to the event.
    phone = new_page(390, 844)
    sign_in(phone, live_server, "priya", PASSWORD)
    phone.goto(live_server("/"))
    top = phone.locator(".announcements-top [data-announcement]")
    expect(top).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "week-home-phone")
    phone.locator(".announcements-top").get_by_role("link", name=SESSION).click()
    expect(phone.get_by_role("heading", name=SESSION)).to_be_visible()
    expect(phone.get_by_role("link", name="Join online")).to_be_visible()  # the meeting link: members only
    phone.get_by_role("radio", name="Going", exact=True).check()
    phone.get_by_role("button", name="Save my answer").click()
    expect(phone.get_by_text("See you there!")).to_be_visible()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Add to calendar").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    (vevent,) = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == SESSION
    assert vevent.decoded("DTSTART") == start.replace(tzinfo=london)
    assert vevent.decoded("DTEND") == (start + timedelta(hours=1)).replace(tzinfo=london)
    assert str(vevent["URL"]).endswith(event_path)
    screenshot(phone, "week-event-phone")

    # The facilitator: one of two has seen her announcement, and Priya is coming (Omar has not answered).
    desk.goto(announcement_url)
    expect(desk.get_by_text("1 of 2 have seen this")).to_be_visible()
    desk.goto(live_server("/dashboard/"))
    sessions = desk.locator(".dash-sessions")
    expect(sessions).to_contain_text(SESSION)
    expect(sessions).to_contain_text("Going: 1")
    expect(sessions).to_contain_text("Omar Haddad")
    expect(sessions).not_to_contain_text("Priya Patel")
    screenshot(desk, "week-dashboard")
