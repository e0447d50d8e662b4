"""Announcements in a real browser: a facilitator announces in their cohort through the form, a participant
finds it at the top of the group page and of home and dismisses it (without leaving the page), and the
facilitator reads "1 of 2 have seen this"; on a desktop and at 390 px. Then the offer of the browser's time zone
to a member who never chose one."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_groups import make_group

TITLE = "Week 4: read the case study before Tuesday"


def test_announce_see_dismiss_and_count(new_page, live_server, live_data):
    fay = make_user("fay", display_name="Fay Fournier", timezone="UTC")
    priya = make_user("priya", display_name="Priya Patel", timezone="UTC")
    omar = make_user("omar", display_name="Omar Haddad", timezone="UTC")
    make_group(fay, "private", members=[priya, omar], name="Cohort 12: L&D Practice", slug="cohort-12")

    page = new_page()
    sign_in(page, live_server, "fay", PASSWORD)
    page.goto(live_server("/groups/cohort-12"))
    page.get_by_role("link", name="Make an announcement").click()
    page.get_by_label("Title").fill(TITLE)
    body = "The case is pinned on the **General** board. Bring one question."
    page.get_by_label("Announcement", exact=True).fill(body)
    screenshot(page, "announcements-form")
    page.get_by_role("button", name="Announce").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("0 of 2 have seen this")).to_be_visible()
    announcement_url = page.url

    member = new_page()
    sign_in(member, live_server, "priya", PASSWORD)
    member.goto(live_server("/groups/cohort-12"))
    top = member.locator(".announcements-top [data-announcement]")
    expect(top).to_have_count(1)
    expect(top).to_contain_text(TITLE)
    expect(top.locator("strong", has_text="General")).to_be_visible()
    screenshot(member, "announcements-group-page")
    member.goto(live_server("/"))
    expect(member.locator(".announcements-top")).to_contain_text(TITLE)
    member.get_by_role("button", name="Dismiss").click()
    expect(member.locator(".announcements-top")).to_have_count(0)  # gone without a page load
    member.reload()
    expect(member.locator(".announcements-top")).to_have_count(0)  # and for good
    member.goto(live_server("/groups/cohort-12"))
    expect(member.locator(".announcements-top")).to_have_count(0)

    # A phone: the other member sees it at the top of home, and its page.
    phone = new_page(390, 844)
    sign_in(phone, live_server, "omar", PASSWORD)
    phone.goto(live_server("/"))
    expect(phone.locator(".announcements-top")).to_contain_text(TITLE)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at 390px"
    screenshot(phone, "announcements-home-phone")

    page.goto(announcement_url)
    expect(page.get_by_text("2 of 2 have seen this")).to_be_visible()  # Priya dismissed it, Omar had it shown
    screenshot(page, "announcements-page")
    phone_author = new_page(390, 844)
    sign_in(phone_author, live_server, "fay", PASSWORD)
    phone_author.goto(announcement_url)
    expect(phone_author.get_by_text("2 of 2 have seen this")).to_be_visible()
    screenshot(phone_author, "announcements-page-phone")


def test_one_seen_of_two(new_page, live_server, live_data):
    fay = make_user("fay", display_name="Fay Fournier", timezone="UTC")
    priya = make_user("priya", display_name="Priya Patel", timezone="UTC")
    omar = make_user("omar", display_name="Omar Haddad", timezone="UTC")
    group = make_group(fay, "private", members=[priya, omar], name="Cohort 12", slug="cohort-12")
    from tests.factories_announcements import make_announcement

    topic = make_announcement(fay, group, title=TITLE)
    member = new_page()
    sign_in(member, live_server, "priya", PASSWORD)
    member.goto(live_server("/groups/cohort-12"))
    member.get_by_role("button", name="Dismiss").click()
    expect(member.locator(".announcements-top")).to_have_count(0)
    author = new_page()
    sign_in(author, live_server, "fay", PASSWORD)
    author.goto(live_server(f"/announcements/{topic.id}"))
    expect(author.get_by_text("1 of 2 have seen this")).to_be_visible()


def test_the_browsers_time_zone_is_offered_once(browser, live_server, live_data):
    make_user("nadia", display_name="Nadia Nour")  # no zone chosen yet: the community's (UTC) is in use
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        sign_in(page, live_server, "nadia", PASSWORD)
        page.goto(live_server("/"))
        offer = page.get_by_role("region", name="Your time zone")
        expect(offer).to_contain_text("Your browser says your time zone is Europe/Paris. Use it?")
        expect(page.get_by_role("button", name="Keep UTC")).to_be_visible()
        screenshot(page, "timezone-offer-phone")
        page.get_by_role("button", name="Use Europe/Paris").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("#timezone-offer")).to_have_count(0)
        page.goto(live_server("/account"))
        expect(page.locator("#timezone-offer")).to_have_count(0)
        from sqlalchemy import select

        from community.extensions import db
        from community.models import User

        db.session.expire_all()
        assert db.session.scalar(select(User.timezone).where(User.handle == "nadia")) == "Europe/Paris"
    finally:
        context.close()


def test_no_offer_shows_when_the_browser_agrees_with_the_zone_in_use(browser, live_server, live_data):
    make_user("noor", display_name="Noor Nasser")  # no zone chosen; the community's UTC is in use
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="UTC")
    try:
        page = context.new_page()
        sign_in(page, live_server, "noor", PASSWORD)
        page.goto(live_server("/"))
        expect(page.locator("#timezone-offer")).to_be_hidden()  # on the page, empty, and not drawn at all
        assert page.locator("#timezone-offer").bounding_box() is None
    finally:
        context.close()

