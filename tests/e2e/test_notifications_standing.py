"""Where a member stands, in a real browser: a request to join answered, a facilitator role given and taken away,
an invitation withdrawn (it disappears), and the settings page that offers each kind."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, acting, make_user
from tests.factories_groups import make_group


def test_the_member_hears_of_each_decision_and_a_withdrawn_invitation_goes(new_page, live_server, live_data):
    from community.services import groups

    fiona = make_user("fiona", role="facilitator", display_name="Fiona Facilitator")
    make_user("priya", display_name="Priya Patel")
    cohort = make_group(fiona, "request", name="Cohort 7")
    circle = make_group(fiona, "private", name="Coaching circle")

    priya = new_page()
    sign_in(priya, live_server, "priya", PASSWORD)
    priya.goto(live_server(f"/groups/{cohort.slug}"))
    priya.get_by_role("button", name="Request to join").click()
    expect(priya.get_by_text("You asked to join: a facilitator will answer.")).to_be_visible()

    fiona_page = new_page()
    sign_in(fiona_page, live_server, "fiona", PASSWORD)
    fiona_page.goto(live_server(f"/groups/{cohort.slug}/members"))
    fiona_page.get_by_role("button", name="Approve").click()
    fiona_page.wait_for_load_state("networkidle")
    priya_row = fiona_page.get_by_role("listitem").filter(has_text="Priya Patel")
    priya_row.get_by_role("button", name="Make facilitator").click()
    fiona_page.wait_for_load_state("networkidle")
    priya_row.get_by_role("button", name="Remove facilitator role").click()
    fiona_page.wait_for_load_state("networkidle")

    live_data.session.rollback()
    invited = groups.invite_to_group(acting(fiona), circle, _user_id(live_data, "priya"))

    priya.goto(live_server("/notifications"))
    assert priya.locator("[data-bell-count]").inner_text() == "4"
    expect(priya.get_by_text("approved your request to join")).to_be_visible()
    expect(priya.get_by_text("made you a facilitator of")).to_be_visible()
    expect(priya.get_by_text("You are no longer a facilitator of")).to_be_visible()
    expect(priya.get_by_text("invited you to join")).to_be_visible()

    groups.remove_member(acting(fiona), circle, invited.id)  # the invitation is withdrawn
    priya.goto(live_server("/notifications"))
    assert priya.locator("[data-bell-count]").inner_text() == "3"
    expect(priya.get_by_text("invited you to join")).to_have_count(0)
    expect(priya.get_by_text("Coaching circle")).to_have_count(0)
    priya.screenshot(path="/tmp/notify-notifications.png", full_page=True)

    priya.locator("a.notification-link").first.click()
    priya.wait_for_load_state()
    assert priya.url.endswith(f"/groups/{cohort.slug}"), priya.url

    priya.goto(live_server("/notifications/settings"))
    for label in ("Your requests to join a group, when approved", "Your requests to join a group, when declined",
                  "Being made a facilitator (of a group or the community)", "No longer being a facilitator"):
        expect(priya.get_by_role("group", name=label)).to_be_visible()
    priya.screenshot(path="/tmp/notify-settings.png", full_page=True)


def _user_id(live_data, handle: str) -> int:
    from sqlalchemy import select

    from community.models import User

    return live_data.session.scalar(select(User.id).where(User.handle == handle))
