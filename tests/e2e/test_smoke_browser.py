"""The browser harness works: a member signs in through the real form and lands on home."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user


def test_member_signs_in_and_sees_home(page, live_server, live_data):
    make_user("brenda", display_name="Brenda Browser")
    sign_in(page, live_server, "brenda", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Brenda Browser")).to_be_visible()
    screenshot(page, "smoke-home")
