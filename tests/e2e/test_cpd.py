"""The CPD record in a real browser: a participant writes an entry through the form, shares the log with
their facilitator and downloads the PDF; the facilitator finds the shared log on the dashboard and reads it.
On a desktop and at 390 px."""

import io
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_groups import make_group
from tests.factories_qa import accept, make_answer, make_question


def test_write_share_export_and_read(new_page, live_server, live_data):
    fay = make_user("fay", role="facilitator", display_name="Fay Fournier", timezone="UTC")
    priya = make_user("priya", display_name="Priya Patel", timezone="UTC")
    omar = make_user("omar", display_name="Omar Haddad", timezone="UTC")
    group = make_group(fay, "private", members=[priya, omar], name="Cohort 12: L&D Practice", slug="cohort-12")
    # Something for the learning record: Priya answered Omar (accepted) and Fay.
    accept(omar, make_answer(priya, make_question(omar, title="How long should a reflection be?", group=group)))
    make_answer(priya, make_question(fay, title="Who has tried action learning sets?", group=group))

    page = new_page()
    sign_in(page, live_server, "priya", PASSWORD)
    page.goto(live_server("/cpd/"))
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_label("What I did").fill("Coaching skills workshop")
    page.get_by_label("Date").fill("2026-11-20")
    page.get_by_label("Hours").fill("lots")
    page.get_by_label("What I learned").fill("Ask **open** questions, then wait.")
    page.get_by_role("button", name="Save the entry").click()
    expect(page.get_by_text("Please give the hours as a number")).to_be_visible()
    expect(page.get_by_label("What I learned")).to_have_value("Ask **open** questions, then wait.")
    page.get_by_label("Hours").fill("2:30")
    page.get_by_label("How I will apply it").fill("Use it in my next three 1:1s.")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top, not across the full-page shot
    screenshot(page, "cpd-entry-form", keep=True)
    page.get_by_role("button", name="Save the entry").click()
    expect(page.get_by_role("heading", name="Coaching skills workshop")).to_be_visible()
    expect(page.locator(".cpd-list strong", has_text="open")).to_be_visible()
    expect(page.get_by_text("hours in 2026")).to_be_visible()
    screenshot(page, "cpd-log", keep=True)

    page.get_by_role("link", name="Sharing").click()
    page.get_by_role("button", name="Share with Fay Fournier").click()
    expect(page.get_by_text("Your facilitator can now read your CPD log.")).to_be_visible()
    expect(page.get_by_role("button", name="Stop sharing")).to_be_visible()
    screenshot(page, "cpd-sharing", keep=True)

    page.goto(live_server("/cpd/"))
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download PDF").click()
    pdf = caught.value
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(pdf.path()).read_bytes())).pages)
    assert "Priya Patel" in text and "Coaching skills workshop" in text and "Total: 2.5 hours" in text

    phone = new_page(390, 844)
    sign_in(phone, live_server, "priya", PASSWORD)
    phone.goto(live_server("/cpd/"))
    expect(phone.get_by_role("heading", name="Coaching skills workshop")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at 390px"
    screenshot(phone, "cpd-log-phone", keep=True)

    facilitator = new_page()
    sign_in(facilitator, live_server, "fay", PASSWORD)
    facilitator.goto(live_server("/dashboard/"))
    facilitator.get_by_role("link", name="Priya Patel").first.click()
    expect(facilitator.get_by_role("heading", name="Priya Patel's CPD log")).to_be_visible()
    expect(facilitator.get_by_role("heading", name="Coaching skills workshop")).to_be_visible()
    expect(facilitator.get_by_role("link", name="Add an entry")).to_have_count(0)
    screenshot(facilitator, "cpd-shared-log-facilitator", keep=True)
    fphone = new_page(390, 844)
    sign_in(fphone, live_server, "fay", PASSWORD)
    fphone.goto(live_server("/cpd/members/priya"))
    expect(fphone.get_by_role("heading", name="Coaching skills workshop")).to_be_visible()
    width = fphone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at 390px"
    screenshot(fphone, "cpd-shared-log-facilitator-phone", keep=True)

    participation = new_page()
    sign_in(participation, live_server, "priya", PASSWORD)
    participation.goto(live_server("/dashboard/participation/priya"))
    expect(participation.get_by_role("heading", name="Learning record")).to_be_visible()
    expect(participation.locator("table.data")).to_contain_text("Cohort 12: L&D Practice")
    screenshot(participation, "cpd-learning-record", keep=True)
