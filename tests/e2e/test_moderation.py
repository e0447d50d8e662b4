"""A report in the browser: a participant reports a post, the facilitator hides it from the queue, the author
sees why, and the community manager reads the audit entry."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user


def test_a_report_reaches_the_facilitator_and_the_audit_log(new_page: Any, live_server: Any, live_data: Any) -> None:
    from community.models import Board
    from community.services import posts
    from tests.factories_groups import make_group

    admin = make_user("mara", role="admin", display_name="Mara Manager")
    fac = make_user("felix", role="facilitator", display_name="Felix Facilitator")
    reporter = make_user("rita", display_name="Rita Reporter")
    author = make_user("adam", display_name="Adam Advert")
    group = make_group(fac, "private", members=[reporter, author], name="Cohort 3: Reward")
    board = live_data.session.scalar(select(Board).where(Board.group_id == group.id))
    topic = posts.create_topic(acting(reporter), kind="discussion", title="Pay transparency: where to start?",
                               body="Has anyone led a pay audit?", board=board)  # fmt: skip
    posts.add_post(acting(author), topic, "Try our premium salary survey, 50% off this week only!")
    assert admin.id

    page = new_page()
    sign_in(page, live_server, "rita", PASSWORD)
    page.goto(live_server(f"/discussions/{topic.id}"))
    page.locator("#post-2").get_by_role("link", name="Report").click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything the moderators should know? (optional)").fill("An advert, not advice.")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Your report was received")).to_be_visible()

    mod = new_page()
    sign_in(mod, live_server, "felix", PASSWORD)
    mod.locator("details.menu summary").click()
    mod.get_by_role("link", name="Moderation").click()
    mod.wait_for_load_state("networkidle")
    expect(mod.get_by_text("An advert, not advice.")).to_be_visible()
    screenshot(mod, "moderation-queue", keep=True)
    mod.get_by_placeholder("Reason the author will see").fill("Adverts aren't allowed in the cohort")
    mod.get_by_role("button", name="Hide").click()
    mod.wait_for_load_state("networkidle")
    expect(mod.get_by_text("The post is hidden")).to_be_visible()

    # Everyone else no longer sees it; its author sees that it is hidden, and why.
    page.goto(live_server(f"/discussions/{topic.id}"))
    assert page.get_by_text("premium salary survey").count() == 0
    owner = new_page(390, 844)
    sign_in(owner, live_server, "adam", PASSWORD)
    owner.goto(live_server(f"/discussions/{topic.id}"))
    expect(owner.get_by_text("Adverts aren't allowed in the cohort").first).to_be_visible()
    screenshot(owner, "moderation-hidden-for-author")

    boss = new_page()
    sign_in(boss, live_server, "mara", PASSWORD)
    boss.goto(live_server("/admin/audit"))
    expect(boss.get_by_text("Adverts aren't allowed in the cohort").first).to_be_visible()
    screenshot(boss, "moderation-audit")
