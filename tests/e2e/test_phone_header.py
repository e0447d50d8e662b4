"""The header on a phone: one row, the navigation behind a Menu button (and open without JavaScript)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_user

PHONE = {"width": 390, "height": 844}


def test_the_phone_menu_opens_closes_and_leads_on(new_page: Any, live_server: Any, live_data: Any) -> None:
    make_user("parker", display_name="Parker Participant")
    page = new_page(PHONE["width"], PHONE["height"])
    sign_in(page, live_server, "parker", PASSWORD)
    page.goto(live_server("/"))
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < PHONE["height"] * 0.2  # it was 193 px: a fifth and more
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    box = menu.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24

    # By keyboard: the button is the next stop after the brand, its focus is visible, Enter opens it.
    page.locator(".brand").focus()
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Home")).to_be_focused()  # the links follow the button
    expect(page.get_by_role("searchbox", name="Search the community")).to_be_visible()
    for link in nav.get_by_role("link").all():
        size = link.bounding_box()
        assert size is not None and size["height"] >= 24, link.inner_text()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav).to_be_hidden()

    menu.click()
    nav.get_by_role("link", name="Groups").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/groups")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")

    # A wide screen shows the navigation and no button.
    wide = new_page(1280, 800)
    sign_in(wide, live_server, "parker", PASSWORD)
    expect(wide.get_by_role("navigation", name="Main")).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()


def test_without_javascript_the_phone_navigation_stays_open(browser: Any, live_server: Any, live_data: Any) -> None:
    make_user("parker", display_name="Parker Participant")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "parker", PASSWORD)
        page.goto(live_server("/"))
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()  # it would do nothing
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_visible()
        nav.get_by_role("link", name="Members").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/members")
    finally:
        context.close()
