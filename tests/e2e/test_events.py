"""Events in a real browser: a facilitator schedules a weekly session in their cohort through the form, a
participant answers "going", downloads "Add to calendar" (parsed back with icalendar) and finds the session in
the month view, on a desktop and at 390 px (the list the phone shows instead of the grid)."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_groups import make_group

TITLE = "Tutorial: giving feedback upwards"


def test_schedule_answer_add_to_calendar_and_month_view(new_page, live_server, live_data, tmp_path: Path):
    fay = make_user("fay", role="participant", display_name="Fay Fournier", timezone="Europe/London")
    priya = make_user("priya", display_name="Priya Patel", timezone="Europe/London")
    omar = make_user("omar", display_name="Omar Haddad")
    make_group(fay, "private", members=[priya, omar], name="Cohort 12: L&D Practice", slug="cohort-12")
    london = ZoneInfo("Europe/London")
    day = (datetime.now(london) + timedelta(days=7)).date()
    local_start = datetime(day.year, day.month, day.day, 18, 30)

    page = new_page()
    sign_in(page, live_server, "fay", PASSWORD)
    page.goto(live_server("/groups/cohort-12"))
    page.get_by_role("link", name="Schedule an event").click()
    page.get_by_label("Title").fill(TITLE)
    expect(page.get_by_label("For")).to_have_value(page.get_by_label("For").input_value())
    page.get_by_label("Starts").fill(local_start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((local_start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Place (optional)").fill("Room 2.14, Learning Centre")
    page.get_by_label("Online meeting link (optional)").fill("https://meet.example.org/cohort-12")
    page.get_by_label("Places (optional)").fill("15")
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("Number of times").fill("4")
    page.get_by_label("Description").fill("We practise **one** hard conversation each week. Bring a real case.")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "events-schedule-form")
    page.get_by_role("button", name="Schedule the event").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    event_url = page.url
    topic_id = int(event_url.rstrip("/").split("/")[-1])
    expect(page.get_by_text("Every week, 4 times")).to_be_visible()

    # A participant answers and adds it to their calendar.
    member = new_page()
    sign_in(member, live_server, "priya", PASSWORD)
    member.goto(event_url)
    expect(member.get_by_text("Room 2.14, Learning Centre")).to_be_visible()
    member.get_by_role("radio", name="Going", exact=True).check()
    member.get_by_role("button", name="Save my answer").click()
    expect(member.get_by_text("See you there!")).to_be_visible()
    expect(member.get_by_role("radio", name="Going", exact=True)).to_be_checked()
    expect(member.locator(".event-people").first).to_contain_text("Priya Patel")
    expect(member.get_by_text("1 of 15 places taken")).to_be_visible()
    with member.expect_download() as download_info:
        member.get_by_role("link", name="Add to calendar").click()
    download = download_info.value
    assert download.suggested_filename == f"event-{topic_id}.ics"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    parsed = Calendar.from_ical(saved.read_bytes())
    assert str(parsed["METHOD"]) == "PUBLISH"
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE
    assert vevent.decoded("DTSTART") == local_start.replace(tzinfo=london)
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["RRULE"]["FREQ"] == ["WEEKLY"] and vevent["RRULE"]["COUNT"] == [4]
    assert "Room 2.14" in str(vevent["LOCATION"]) and str(vevent["URL"]).endswith(f"/events/{topic_id}")
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/London"]
    screenshot(member, "events-event-page", keep=True)

    # The month view: the grid on a desktop, keyboard-navigable; the list on a phone.
    month = f"/events/?month={day.strftime('%Y-%m')}"
    member.goto(live_server(month))
    cell = member.locator("td[data-cal-day]").filter(has=member.get_by_role("link", name=TITLE)).first
    expect(cell).to_be_visible()
    member.locator("td[data-cal-day][tabindex='0']").focus()
    member.keyboard.press("ArrowRight")
    focused = member.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused and member.evaluate("() => document.activeElement.tabIndex") == 0
    screenshot(member, "events-month", keep=True)

    phone = new_page(390, 844)
    sign_in(phone, live_server, "priya", PASSWORD)
    phone.goto(live_server(month))
    expect(phone.locator("table.cal-grid")).to_be_hidden()
    expect(phone.locator(".cal-month-list").get_by_role("link", name=TITLE).first).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone, "events-month-phone", keep=True)
    phone.goto(event_url)
    expect(phone.get_by_role("button", name="Save my answer")).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone, "events-event-phone")

    # The facilitator's dashboard: the next session, and who has not answered (Omar).
    page.goto(live_server("/dashboard/"))
    sessions = page.locator(".dash-sessions")
    expect(sessions).to_contain_text(TITLE)
    expect(sessions).to_contain_text("Omar Haddad")
    expect(sessions).not_to_contain_text("Fay Fournier")  # the organiser is not waited for
