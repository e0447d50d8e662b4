"""The browser harness works: a member signs in through the real form and lands on home."""

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user


def test_member_signs_in_and_sees_home(page, live_server, live_data):
    make_user("brenda", display_name="Brenda Browser")
    sign_in(page, live_server, "brenda", PASSWORD)
    assert page.get_by_role("heading", name="Welcome, Brenda Browser").is_visible()
    screenshot(page, "smoke-home")
