"""Browser: a member's account hub on a desktop and on a 390 px phone: the account page, a copy of their data
made by the worker and downloaded, an e-mail change waiting for its link, and the account's deletion asked
for, then cancelled by signing in again. Screenshots: docs/screenshots/account-*.png (new) and /tmp/shots."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user

SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def _data_section(page: Any) -> Any:
    return page.locator("section", has=page.get_by_role("heading", name="Download my data"))


def _delete_section(page: Any) -> Any:
    return page.locator("section", has=page.get_by_role("heading", name="Delete my account", exact=True))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_account_hub_export_and_deletion(live_server, live_data, new_page, size):
    from community.services import posts
    from community.services.account_data import export
    from tests.factories_social import board_of

    pat = make_user("pat", display_name="Pat Participant")
    posts.create_topic(acting(pat), kind="discussion", title="My first case", body="What **worked** for me",
                       board=board_of(None))  # fmt: skip
    page = new_page(*SIZES[size])
    sign_in(page, live_server, "pat", PASSWORD)
    page.goto(live_server("/account"))
    expect(page.get_by_role("heading", name="Account and password")).to_be_visible()
    for heading in ("Language and time zone", "Notifications", "E-mail", "Download my data", "Delete my account"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="your notification settings")).to_be_visible()
    screenshot(page, f"account-hub-{size}", keep=True)

    # The e-mail change waits for the link sent to the new address.
    email = page.locator("section", has=page.get_by_role("heading", name="E-mail", exact=True))
    email.get_by_label("New e-mail address").fill("pat.new@example.org")
    email.get_by_label("Your password").fill(PASSWORD)
    email.get_by_role("button", name="Change e-mail address").click()
    expect(page.get_by_text("Waiting for confirmation: pat.new@example.org")).to_be_visible()

    # A copy of the data: asked, made by the worker, announced, downloaded.
    _data_section(page).get_by_role("button", name="Make a copy of my data").click()
    expect(page.get_by_text("We're making a copy of your data")).to_be_visible()
    expect(_data_section(page).get_by_text("Being made")).to_be_visible()
    live_data.session.commit()
    with live_server.app.app_context():
        assert export.run_queued_exports() == 1
        live_data.session.remove()
    page.reload()
    download_link = _data_section(page).get_by_role("link", name="Download")
    expect(download_link).to_be_visible()
    screenshot(page, f"account-export-ready-{size}", keep=True)
    with page.expect_download() as info:
        download_link.click()
    with open(info.value.path(), "rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["handle"] == "pat" and data["posts"][0]["body"] == "What **worked** for me"
    page.goto(live_server("/notifications"))
    expect(page.get_by_text("A copy of your data is ready to download").first).to_be_visible()

    # Deletion: a wrong password keeps what was chosen; the right one schedules it and signs out.
    page.goto(live_server("/account"))
    section = _delete_section(page)
    section.get_by_label("Remove my posts (replies by others stay)").check()
    section.get_by_label("Your password").fill("not my password")
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That isn't your password.")).to_be_visible()
    expect(_delete_section(page).get_by_label("Remove my posts (replies by others stay)")).to_be_checked()
    _delete_section(page).get_by_label("Your password").fill(PASSWORD)
    page.once("dialog", lambda dialog: dialog.accept())
    _delete_section(page).get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account will be deleted")).to_be_visible()
    screenshot(page, f"account-deletion-scheduled-{size}", keep=True)

    # Signing in again cancels it, and says so.
    sign_in(page, live_server, "pat", PASSWORD)
    expect(page.get_by_text("no longer going to be deleted")).to_be_visible()
    from community.models import User

    live_data.session.expire_all()
    assert live_data.session.get(User, pat.id).deletion_due_at is None
