"""The audit log and an edit history as people read them: sentences with links, and a word diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, acting, make_user


def shot(page: Any, name: str, width: int | None = None) -> None:
    """A full-page picture to look at: /tmp/notices-<name>.png."""
    page.screenshot(path=str(Path("/tmp") / f"notices-{name}.png"), full_page=True)


def test_the_audit_log_and_an_edit_history_read_well(new_page: Any, live_server: Any, live_data: Any) -> None:
    from community.models import Board
    from community.services import admin as admin_service
    from community.services import boards, posts
    from community.services.settings import update_settings
    from tests.factories_groups import make_group

    admin = make_user("mara", role="admin", display_name="Mara Manager")
    fran = make_user("fran", role="facilitator", display_name="Fran Facilitator")
    pat = make_user("pat", display_name="Pat Participant")
    sam = make_user("sam", display_name="Sam Peer")
    group = make_group(fran, "private", members=[pat, sam], name="Cohort 3: Reward")
    board = live_data.session.scalar(select(Board).where(Board.group_id == group.id))
    topic = posts.create_topic(acting(pat), kind="discussion", title="Week 3 reflections",
                               body="What stayed with you this week?", board=board)  # fmt: skip
    reply = posts.add_post(acting(pat), topic, "I liked the GROW model.\n\nIt helped me in #week-3 coaching.")
    posts.edit_post(acting(pat), reply, topic, "I really liked the GROW model.\n\nIt helped me in #week-3 coaching.")
    posts.edit_post(acting(pat), reply, topic,
                    "I really liked the OSKAR model.\n\nIt helped me in #week-3 coaching, thanks @sam.")  # fmt: skip
    off_topic = posts.add_post(acting(sam), topic, "Buy my course!")
    posts.hide_post(acting(fran), off_topic, topic, "Adverts aren't allowed")
    boards.set_pinned(acting(fran), topic, True)
    update_settings(acting(admin), community_name="People & Learning Cohort", allow_join_requests=True)
    admin_service.change_role(acting(admin), pat, "facilitator", "runs a study circle")

    reader = new_page()
    sign_in(reader, live_server, "sam", PASSWORD)  # neither the author nor a moderator
    reader.goto(live_server(f"/discussions/{topic.id}"))
    reader.locator("#post-2").get_by_role("link", name="edited").click()
    reader.wait_for_load_state("networkidle")
    expect(reader.get_by_role("heading", name="Edit history")).to_be_visible()
    expect(reader.locator(".revision-diff ins").filter(has_text="OSKAR")).to_be_visible()
    expect(reader.locator(".revision-diff del").filter(has_text="GROW")).to_be_visible()
    shot(reader, "revisions")
    phone = new_page(390, 844)
    sign_in(phone, live_server, "sam", PASSWORD)
    phone.goto(reader.url)
    shot(phone, "revisions-phone")

    boss = new_page()
    sign_in(boss, live_server, "mara", PASSWORD)
    boss.goto(live_server("/admin/audit"))
    log = boss.locator(".audit-table")
    expect(log.get_by_text("hid")).to_be_visible()
    expect(log.get_by_role("link", name="Sam Peer's reply")).to_be_visible()
    expect(log.get_by_text("Community name: empty → People & Learning Cohort")).to_be_visible()
    assert "post.hide" not in log.inner_text()
    shot(boss, "audit")
    boss.get_by_label("Action").select_option(label="Hid a post")
    boss.get_by_role("button", name="Filter").click()
    boss.wait_for_load_state("networkidle")
    expect(boss.get_by_text("1 entry")).to_be_visible()
    shot(boss, "audit-filtered")
    phone_boss = new_page(390, 844)
    sign_in(phone_boss, live_server, "mara", PASSWORD)
    phone_boss.goto(live_server("/admin/audit"))
    shot(phone_boss, "audit-phone")
