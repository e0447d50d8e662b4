"""Programme units and peers first in the browser, on the demo cohort: a facilitator reads the units, a unit's
page and the dashboard by unit; a participant on a phone asks about a unit; the facilitator's answer is held for
peers (the participant doesn't see it) until the facilitator publishes it now."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

PASSWORD = "demo password for the browser"


def test_units_and_peers_first_as_a_facilitator_and_a_participant(new_page: Any, live_server: Any,
                                                                  live_data: Any) -> None:  # fmt: skip
    from community.seed import seed_demo

    demo = seed_demo(password=PASSWORD, progress=False)
    lead, learner = demo.facilitators[0], demo.participants[0]

    desk = new_page(1280, 900)
    sign_in(desk, live_server, lead.handle, PASSWORD)
    desk.goto(live_server("/programmes/"))
    expect(desk.get_by_role("heading", name="CIPD Level 5 Associate Diploma in People Management")).to_be_visible()
    screenshot(desk, "programmes", keep=True)
    desk.get_by_role("link", name="5CO02 Evidence-based practice").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_role("heading", name="5CO02 Evidence-based practice")).to_be_visible()
    rows = desk.locator("li.qa-row h2")
    # Unanswered first: the webinar referencing question waits, the policies one has an accepted answer.
    expect(rows.first).to_have_text("Is anyone else struggling with the Harvard referencing for webinars?")
    screenshot(desk, "programmes-unit", keep=True)
    desk.goto(live_server("/dashboard/units?period=all"))
    chart = desk.locator("figure.unit-chart svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 8  # two parts for each of the four units
    expect(desk.get_by_role("row", name="5CO01")).to_be_visible()
    screenshot(desk, "dashboard-units", keep=True)

    phone = new_page(390, 844)
    sign_in(phone, live_server, learner.handle, PASSWORD)
    phone.goto(live_server("/questions/ask"))
    phone.get_by_label("Your question in one sentence").fill("How do I show I value people in a remote team?")
    phone.get_by_label("Details").fill("Half my team never meets in person. What counts as evidence for 5CO03?")
    phone.get_by_label("Where to ask").select_option(label="Spring 2026 Cohort")
    phone.get_by_label("Unit (optional)").select_option(label="5CO03 Professional behaviours and valuing people")
    screenshot(phone, "qa-ask-unit-phone", keep=True)
    phone.get_by_role("button", name="Post your question").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_role("link", name="5CO03 Professional behaviours and valuing people")).to_be_visible()
    question_url = phone.url

    desk.goto(question_url)
    expect(desk.get_by_text("Peers first: participants have until")).to_be_visible()
    desk.get_by_label("Your answer").fill("Regular one-to-ones with notes are good evidence: keep them.")
    desk.get_by_role("button", name="Post your answer").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_text("Peers first: your answer is saved and held.")).to_be_visible()
    expect(desk.get_by_text("Peers first: held until")).to_be_visible()
    screenshot(desk, "qa-peers-first", keep=True)

    phone.reload()
    expect(phone.get_by_text("Regular one-to-ones with notes")).to_have_count(0)

    desk.get_by_role("button", name="Publish held answers now").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_text("1 held answer published.")).to_be_visible()
    phone.reload()
    expect(phone.get_by_text("Regular one-to-ones with notes are good evidence")).to_be_visible()
    screenshot(phone, "qa-peers-first-published-phone", keep=True)
