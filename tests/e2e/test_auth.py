"""Browser: first-run setup, inviting a member, joining through the e-mailed link, signing out and in,
and a password reset through the outbox.

Runs against a community of its own that has never been set up (the shared live server may already have a
community manager from other browser tests), on a SQLite file built from the models.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, screenshot

NORA_PASSWORD = "keeps a quiet notebook"
NORA_NEW_PASSWORD = "a fresh start for today"
ADMIN_PASSWORD = "a lovely community of learners"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from community import create_app
    from community.extensions import db
    from config import TestConfig

    root = tmp_path_factory.mktemp("first-run")
    app = create_app(TestConfig, instance_path=str(root / "instance"), DATABASE_URL=f"sqlite:///{root / 'fresh.db'}",
                     UPLOAD_FOLDER=str(root / "uploads"), WTF_CSRF_ENABLED=True)  # fmt: skip
    with app.app_context():
        # Built from the models (the migration is regenerated from them), so columns added meanwhile exist.
        db.create_all()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, app.config["BASE_URL"])
    finally:
        server.shutdown()


def deliver_and_read_link(server: LiveServer, to: str, kind: str) -> str:
    """Run the outbox, then read the newest e-mail to ``to`` from instance/outbox and return its link."""
    from community.extensions import db
    from community.services.mail import deliver_pending

    with server.app.app_context():
        deliver_pending()
        db.session.remove()
    for path in sorted((Path(server.app.instance_path) / "outbox").glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            body = message.get_body(("plain",)).get_content()
            match = re.search(rf"{re.escape(server.url)}/{kind}/\S+", body)
            assert match, body
            return match.group(0)
    raise AssertionError(f"no e-mail to {to}")


def setup_link(server: LiveServer) -> str:
    from community.extensions import db
    from community.services.setup import setup_link_if_needed

    with server.app.app_context():
        link = setup_link_if_needed()
        db.session.remove()
    assert link
    return link


def sign_out(page: Any) -> None:
    page.locator("details.menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")


def test_first_run_invite_join_sign_in_and_reset(first_run, new_page):
    server = first_run
    link = setup_link(server)

    # First-run setup through the one-time link.
    phone = new_page(390, 844)
    phone.goto(link)
    screenshot(phone, "auth-setup-phone")
    page = new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Set up your community")).to_be_visible()
    page.get_by_label("Name of the community").fill("HR Leaders 2026")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your e-mail address").fill("grace@example.org")
    page.get_by_label("Your @handle").fill("grace")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Type the password again").fill("short")
    page.get_by_role("button", name="Create my community").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    assert page.get_by_label("Your name").input_value() == "Grace Hopper"
    screenshot(page, "auth-setup-error")
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Type the password again").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Create my community").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/invitations")
    screenshot(page, "auth-after-setup")
    expect(page.get_by_text("Your community is ready.")).to_be_visible()
    assert page.locator(".brand-name").inner_text() == "HR Leaders 2026"
    phone.goto(link)
    expect(phone.get_by_role("heading", name="This setup link is no longer valid")).to_be_visible()

    # The community manager invites a member by e-mail.
    page.get_by_label("E-mail addresses").fill("nora@example.org, not-an-address")
    page.get_by_label("A personal note (optional)").fill("Welcome to the cohort! Introduce yourself in the lounge.")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("heading", name="1 invitation sent")).to_be_visible()
    expect(page.get_by_text("not a valid e-mail address")).to_be_visible()
    screenshot(page, "auth-invite-report")
    page.get_by_role("link", name="Back to invitations").click()
    expect(page.get_by_text("nora@example.org")).to_be_visible()
    screenshot(page, "auth-invitations", keep=True)
    admin_phone = new_page(390, 844)
    admin_phone.context.add_cookies(page.context.cookies())
    admin_phone.goto(server("/invitations"))
    screenshot(admin_phone, "auth-invitations-phone")

    # Nora registers through the link read from the outbox.
    join = deliver_and_read_link(server, "nora@example.org", "join")
    nora = new_page()
    nora.goto(join)
    expect(nora.get_by_role("heading", name="Join HR Leaders 2026")).to_be_visible()
    expect(nora.get_by_text("Grace Hopper invited you")).to_be_visible()
    screenshot(nora, "auth-register")
    nora_phone = new_page(390, 844)
    nora_phone.goto(join)
    screenshot(nora_phone, "auth-register-phone")
    nora.get_by_label("Your name").fill("Nora Quill")
    nora.get_by_label("Choose an @handle").fill("nora")
    nora.get_by_label("Password", exact=True).fill(NORA_PASSWORD)
    nora.get_by_label("Type the password again").fill(NORA_PASSWORD)
    nora.get_by_role("button", name="Create my account").click()
    nora.wait_for_load_state("networkidle")
    expect(nora.get_by_role("heading", name="Welcome, Nora Quill")).to_be_visible()
    nora_phone.goto(join)
    expect(nora_phone.get_by_role("heading", name="This invitation has already been used")).to_be_visible()

    # Sign out and back in.
    sign_out(nora)
    expect(nora.get_by_role("heading", name="Sign in to HR Leaders 2026")).to_be_visible()
    screenshot(nora, "auth-signin", keep=True)
    nora_phone.goto(server("/signin"))
    screenshot(nora_phone, "auth-signin-phone")
    nora.get_by_label("E-mail or @handle").fill("nora")
    nora.get_by_label("Password").fill("not my password at all")
    nora.get_by_role("button", name="Sign in").click()
    expect(nora.get_by_text("don't match an account")).to_be_visible()
    nora.get_by_label("Password").fill(NORA_PASSWORD)
    nora.get_by_label("Keep me signed in on this device").check()
    nora.get_by_role("button", name="Sign in").click()
    nora.wait_for_load_state("networkidle")
    expect(nora.get_by_role("heading", name="Welcome, Nora Quill")).to_be_visible()
    assert any(c["name"] == "remember_token" for c in nora.context.cookies())
    sign_out(nora)

    # Password reset through the outbox.
    nora.get_by_role("link", name="Forgot your password?").click()
    nora.get_by_label("Your e-mail address").fill("nora@example.org")
    nora.get_by_role("button", name="Send me a link").click()
    expect(nora.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    reset = deliver_and_read_link(server, "nora@example.org", "reset")
    nora.goto(reset)
    screenshot(nora, "auth-reset")
    nora.get_by_label("New password", exact=True).fill(NORA_NEW_PASSWORD)
    nora.get_by_label("Type the new password again").fill(NORA_NEW_PASSWORD)
    nora.get_by_role("button", name="Save my new password").click()
    nora.wait_for_load_state("networkidle")
    expect(nora.get_by_text("Your password is changed")).to_be_visible()
    nora.get_by_label("E-mail or @handle").fill("nora@example.org")
    nora.get_by_label("Password").fill(NORA_NEW_PASSWORD)
    nora.get_by_role("button", name="Sign in").click()
    nora.wait_for_load_state("networkidle")
    expect(nora.get_by_role("heading", name="Welcome, Nora Quill")).to_be_visible()
    nora.goto(reset)
    expect(nora.get_by_role("heading", name="This reset link no longer works")).to_be_visible()

    # The account page, on a phone too.
    nora.goto(server("/account"))
    expect(nora.get_by_role("heading", name="Where you're signed in")).to_be_visible()
    screenshot(nora, "auth-account")
