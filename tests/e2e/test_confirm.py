"""Browser: a newcomer registers through a cohort link, mistypes the address, corrects it on the "check your
inbox" page, asks for the link again, signs in while waiting, opens the link and is in; a used link says so.
Screenshots also go to /tmp/confirm-*.png for a look at every step."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD as ADMIN_PASSWORD
from tests.factories import acting, make_user

PASSWORD = "a sentence I will remember"


def shot(page: Any, name: str) -> None:
    page.screenshot(path=f"/tmp/confirm-{name}.png", full_page=True)
    screenshot(page, f"confirm-{name}")


def last_link(db: Any, to: str) -> str:
    from community.models import OutboxMessage

    body = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.to_addr == to)
                              .order_by(OutboxMessage.id.desc())).first()  # fmt: skip
    db.session.rollback()
    assert body, f"no e-mail to {to}"
    match = re.search(r"https?://\S+/confirm/\S+", body)
    assert match, body
    return match.group(0)


def test_register_through_a_cohort_link_and_confirm(live_server, live_data, new_page):
    from community.services import invitations
    from community.services.groups import create_group

    admin = make_user("cmgr", role="admin", display_name="Grace Hopper")
    group = create_group(acting(admin), name="Cohort 12", visibility="private")
    _, join_url = invitations.create_link(acting(admin), role="participant", days=14, max_uses=30,
                                          group_ids=[group.id])  # fmt: skip

    page = new_page()
    page.goto(join_url)
    expect(page.get_by_text("We'll e-mail you a link to confirm your address")).to_be_visible()
    shot(page, "1-register")
    page.get_by_label("Your e-mail address").fill("nora@exmaple.org")  # a typo
    page.get_by_label("Your name").fill("Nora Newcomer")
    page.get_by_label("Choose an @handle").fill("nora")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert page.url.endswith("/confirm")
    shot(page, "2-check-inbox")

    # The typo is corrected on the page; the link goes to the new address.
    page.get_by_label("Your e-mail address").fill("nora@example.org")
    page.get_by_role("button", name="Use this address").click()
    expect(page.get_by_text("Your address is now nora@example.org")).to_be_visible()
    shot(page, "3-address-corrected")
    old_link = last_link(live_data, "nora@exmaple.org")
    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_text("We've sent a new link to nora@example.org")).to_be_visible()

    # Signing in elsewhere while waiting leads back to the page, and nothing else opens.
    phone = new_page(390, 844)
    phone.goto(live_server("/signin"))
    phone.get_by_label("E-mail or @handle").fill("nora@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_text("Your account is waiting for you to confirm your e-mail address")).to_be_visible()
    shot(phone, "4-signin-waiting-phone")
    phone.goto(live_server("/"))
    assert "/signin" in phone.url

    # The community manager sees Nora waiting for confirmation (nothing to approve).
    manager = new_page()
    sign_in(manager, live_server, "cmgr", ADMIN_PASSWORD)
    manager.goto(live_server("/admin/members?state=unconfirmed"))
    expect(manager.get_by_role("link", name="Nora Newcomer", exact=True)).to_be_visible()
    expect(manager.locator(".badge.state-unconfirmed")).to_have_text("Waiting for e-mail confirmation")
    shot(manager, "5-admin-members-waiting")

    # The link to the mistyped address no longer works; the new one opens the community.
    stale = new_page()
    stale.goto(old_link)
    expect(stale.get_by_role("heading", name="This link was for an earlier address")).to_be_visible()
    shot(stale, "6-old-address-link")
    link = last_link(live_data, "nora@example.org")
    page.goto(link)
    expect(page.get_by_text("Your address is confirmed. You're in!")).to_be_visible()
    shot(page, "7-welcome")
    page.goto(live_server(f"/groups/{group.slug}"))
    expect(page.get_by_role("heading", name="Cohort 12")).to_be_visible()

    # Opened again in another browser: it has done its job.
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Your address is already confirmed")).to_be_visible()
    shot(phone, "8-used-link-phone")
    manager.goto(live_server("/admin/members?state=active"))
    expect(manager.get_by_role("link", name="Nora Newcomer", exact=True)).to_be_visible()
