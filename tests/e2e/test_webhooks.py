"""The webhook pages in a real browser: the community manager makes a hook to a local receiver, refuses a
private address on the way, copies the secret shown once, sends a test and sees it delivered."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_webhooks import receiver


def test_the_manager_makes_a_webhook_and_sends_a_test(new_page, live_server, live_data):
    from community.services import webhooks

    make_user("wada", role="admin", display_name="Ada Lovelace")
    page = new_page()
    sign_in(page, live_server, "wada", PASSWORD)
    page.goto(live_server("/admin"))
    page.get_by_role("navigation", name="Admin area").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    page.get_by_role("link", name="New webhook").click()

    page.get_by_label("Address to send to").fill("https://169.254.169.254/latest/meta-data")
    page.get_by_label("A new member joins the community (member.joined)").check()
    page.get_by_role("button", name="Make webhook").click()
    expect(page.get_by_role("alert").filter(has_text="private network")).to_be_visible()
    expect(page.get_by_label("Address to send to")).to_have_value("https://169.254.169.254/latest/meta-data")
    screenshot(page, "webhooks-refused", keep=True)

    with receiver() as server:
        page.get_by_label("Address to send to").fill(server.url)
        page.get_by_label("A question is answered (question.answered)").check()
        page.get_by_role("button", name="Make webhook").click()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        page.get_by_role("button", name="Send a test").click()
        expect(page.get_by_role("cell", name="Waiting")).to_be_visible()
        assert webhooks.deliver_pending_webhooks() == 1
        page.reload()
    expect(page.get_by_role("cell", name="Delivered · 200")).to_be_visible()
    expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once
    [got] = server.requests
    stamp = got.headers["X-Community-Timestamp"]
    assert got.headers["X-Community-Signature"] == webhooks.sign(secret, stamp, got.body)
    screenshot(page, "webhooks-admin", keep=True)
