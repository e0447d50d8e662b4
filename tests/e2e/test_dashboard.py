"""The facilitator's dashboard in the browser, on the demo cohort: the chart, a peer waiting for an answer,
and answering it from there."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in


def test_a_facilitator_answers_a_waiting_question_from_the_dashboard(new_page: Any, live_server: Any,
                                                                    live_data: Any) -> None:  # fmt: skip
    from community.seed import seed_demo

    demo = seed_demo(password="demo password for the browser", progress=False)
    lead = demo.facilitators[0]

    page = new_page(1280, 900)
    sign_in(page, live_server, lead.handle, "demo password for the browser")
    page.locator("details.menu summary").click()
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    chart = page.locator("svg.chart-svg.chart-wide")  # a phone gets its own, narrower drawing
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() > 3  # weeks of activity, not one bar
    attention = page.locator("section.attention")
    waiting = attention.get_by_role("link", name="Is anyone else struggling with the Harvard referencing for webinars?")
    expect(waiting).to_be_visible()
    screenshot(page, "dashboard", keep=True)

    waiting.click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Your answer").fill(
        "Reference it like a lecture: presenter, year, title, [Webinar], organiser, date. Keep your notes as evidence."
    )
    page.get_by_role("button", name="Post your answer").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Keep your notes as evidence.").first).to_be_visible()

    page.goto(live_server("/dashboard/"))
    attention = page.locator("section.attention")
    assert attention.get_by_text("Is anyone else struggling with the Harvard referencing").count() == 0
    phone = new_page(390, 844)
    sign_in(phone, live_server, lead.handle, "demo password for the browser")
    phone.goto(live_server("/dashboard/"))
    screenshot(phone, "dashboard-phone")
