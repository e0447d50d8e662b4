"""Private messages in the browser: a quiet participant answers a facilitator's nudge by message, the
facilitator sees the unread count in the header and replies; on a desktop and at 390 px."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in


def _cohort(live_data: Any) -> tuple[Any, Any]:
    from community.services.nudges import send_nudge
    from tests.factories import acting, make_user
    from tests.factories_groups import make_group

    fran = make_user("fran", role="facilitator", display_name="Fran Okafor")
    pat = make_user("pat", display_name="Pat Morgan")
    make_group(fran, "private", members=[pat], name="Spring Cohort")
    send_nudge(acting(fran), pat, "We haven't seen you on the boards lately. How is the first assignment going?")
    return fran, pat


def test_a_nudge_answered_by_message_and_the_facilitator_replies(new_page: Any, live_server: Any,
                                                                 live_data: Any) -> None:  # fmt: skip
    from tests.factories import PASSWORD

    fran, pat = _cohort(live_data)

    # Pat, on a desktop: the nudge's Reply opens a message to Fran, quoting her note.
    desk = new_page(1280, 900)
    sign_in(desk, live_server, pat.handle, PASSWORD)
    desk.goto(live_server("/notifications"))
    desk.get_by_role("link", name="Reply to Fran Okafor with a private message").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_role("heading", name="New message")).to_be_visible()
    expect(desk.get_by_label("To")).to_have_value("fran")
    body = desk.get_by_label("Message", exact=True)
    expect(body).to_have_value(
        "> We haven't seen you on the boards lately. How is the first assignment going?\n\n")
    body.press("Control+End")
    body.type("Thanks for asking! I'm stuck on the stakeholder map: could we talk it through?")
    desk.get_by_role("button", name="Send").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_role("heading", name="Fran Okafor")).to_be_visible()
    expect(desk.get_by_text("I'm stuck on the stakeholder map")).to_be_visible()
    expect(desk.locator("blockquote")).to_contain_text("How is the first assignment going?")
    screenshot(desk, "messages-answer-nudge")

    # Fran, on a phone: the header counts one unread conversation; she opens it and replies.
    phone = new_page(390, 844)
    sign_in(phone, live_server, fran.handle, PASSWORD)
    link = phone.get_by_role("link", name="Messages, 1 unread conversation")
    expect(link).to_be_visible()
    link.click()
    phone.wait_for_load_state("networkidle")
    row = phone.locator(".conversation-row.unread")
    expect(row).to_contain_text("Pat Morgan")
    screenshot(phone, "messages-inbox-phone", keep=True)
    row.get_by_role("link").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_text("I'm stuck on the stakeholder map")).to_be_visible()
    phone.get_by_label("Your message").fill("Of course. Tomorrow at 12:30? Bring your draft map.")
    phone.get_by_role("button", name="Send").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_text("Tomorrow at 12:30?")).to_be_visible()
    expect(phone.locator("a.messages-link")).to_have_attribute("aria-label", "Messages")  # nothing unread now
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the conversation scrolls sideways at 390 px ({width} px)"
    screenshot(phone, "messages-conversation-phone")

    # Pat sees the answer counted in the header, and reads it.
    desk.goto(live_server("/"))
    desk.get_by_role("link", name="Messages, 1 unread conversation").click()
    desk.wait_for_load_state("networkidle")
    desk.locator(".conversation-row.unread").get_by_role("link").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_text("Tomorrow at 12:30?")).to_be_visible()
    screenshot(desk, "messages-conversation", keep=True)
