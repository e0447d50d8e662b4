"""The whole moderation loop in the browser, as a newcomer and their facilitator live it.

A newcomer's first post is held (the community approves newcomers' first posts), they are told at once and
see it waiting; the facilitator rejects it with a reason from the review queue; the newcomer reads the
reason, posts again, and the facilitator approves it. A report is dismissed with a note. The community
manager stops a spam wave from the member's page and, on reactivation, restores what it hid.
Screenshots of each step go to screenshots/tmp/ (the queue and the held post to docs/screenshots/).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user


def _open_review(page: Any) -> None:
    page.get_by_role("link", name="Review").first.click()
    page.wait_for_load_state("networkidle")


def test_the_moderation_loop(new_page: Any, live_server: Any, live_data: Any) -> None:
    from community.models import Board, Post, Topic, User
    from community.services import posts
    from community.services.settings import update_settings

    admin = make_user("mara", role="admin", display_name="Mara Manager")
    make_user("felix", role="facilitator", display_name="Felix Facilitator")
    make_user("nina", display_name="Nina Newcomer")
    peer = make_user("pat", display_name="Pat Peer", post_count=10)
    spammer = make_user("sid", display_name="Sid Seller", post_count=10)
    lounge = Board(name="Lounge", slug="lounge", description="Say hello and ask anything.")
    live_data.session.add(lounge)
    live_data.session.commit()
    update_settings(acting(admin), premoderate_first_posts=1)
    for i in range(3):
        posts.create_topic(acting(spammer), kind="discussion", title=f"Cheap essays {i}",
                           body="Buy essays at essays.example, 50% off!", board=lounge)  # fmt: skip
    board_id = lounge.id
    assert peer.id

    # 1. The newcomer's first post is held: she is told at once and sees it waiting.
    nina = new_page()
    sign_in(nina, live_server, "nina", PASSWORD)
    nina.goto(live_server(f"/boards/{board_id}/new"))
    nina.get_by_label("Title").fill("Hello from a nervous newcomer")
    nina.locator("textarea[name=body]").fill("Hi all! My manager Jane Smith at Acme signed me up. Glad to be here.")
    nina.get_by_role("button", name="Start discussion").click()
    nina.wait_for_load_state("networkidle")
    expect(nina.get_by_text("Your post is waiting for a moderator").first).to_be_visible()
    expect(nina.get_by_text("Replies open once a moderator approves this discussion.")).to_be_visible()
    assert nina.get_by_text("Only members of this group can reply").count() == 0
    screenshot(nina, "moderation-loop-1-held-for-author", keep=True)

    # 2. The facilitator sees it counted in the header and rejects it with a reason.
    felix = new_page()
    sign_in(felix, live_server, "felix", PASSWORD)
    expect(felix.locator("[data-review-count]")).to_have_text("1")
    _open_review(felix)
    expect(felix.get_by_text("Hi all! My manager Jane Smith")).to_be_visible()
    assert felix.get_by_role("button", name="Dismiss report").count() == 0  # a held post is not dismissed
    screenshot(felix, "moderation-loop-2-review-queue", keep=True)
    felix.get_by_label("Why it is not approved (the author sees it)").fill(
        "Welcome! Please leave out your manager's name and company: this is a private space.")
    felix.get_by_role("button", name="Reject").click()
    felix.wait_for_load_state("networkidle")
    expect(felix.get_by_text("Rejected: its author sees your reason.")).to_be_visible()
    screenshot(felix, "moderation-loop-3-rejected")

    # 3. The newcomer is told, reads the reason, and posts again.
    nina.goto(live_server("/notifications"))
    expect(nina.get_by_text("A moderator didn't approve your post")).to_be_visible()
    expect(nina.get_by_text("Please leave out your manager's name").first).to_be_visible()
    screenshot(nina, "moderation-loop-4-told-why")
    nina.get_by_text("A moderator didn't approve your post").click()
    nina.wait_for_load_state("networkidle")
    expect(nina.get_by_text("Not approved by a moderator").first).to_be_visible()
    screenshot(nina, "moderation-loop-5-reason-on-the-post")
    nina.goto(live_server(f"/boards/{board_id}/new"))
    nina.get_by_label("Title").fill("Hello from a newcomer")
    nina.locator("textarea[name=body]").fill("Hi all! I'm new to L&D and glad to be here.")
    nina.get_by_role("button", name="Start discussion").click()
    nina.wait_for_load_state("networkidle")
    expect(nina.get_by_text("Your post is waiting for a moderator").first).to_be_visible()
    screenshot(nina, "moderation-loop-5b-posted-again")

    # 4. The facilitator approves it; everyone sees it and the newcomer hears of it.
    _open_review(felix)
    screenshot(felix, "moderation-loop-5c-queue-again")
    expect(felix.get_by_text("I'm new to L&D")).to_be_visible()
    felix.get_by_role("button", name="Approve").first.click()
    felix.wait_for_load_state("networkidle")
    expect(felix.get_by_text("Approved: it is now visible")).to_be_visible()
    live_data.session.rollback()  # a fresh snapshot: the server wrote since
    topic_id = live_data.session.scalar(select(Topic.id).where(Topic.title == "Hello from a newcomer"))
    pat = new_page()
    sign_in(pat, live_server, "pat", PASSWORD)
    pat.goto(live_server(f"/discussions/{topic_id}"))
    expect(pat.get_by_text("I'm new to L&D")).to_be_visible()
    nina.goto(live_server("/notifications"))
    expect(nina.get_by_text("A moderator approved your post")).to_be_visible()
    screenshot(nina, "moderation-loop-6-approved")

    # 5. A report, dismissed with a note: the post stays.
    pat.locator("#post-1").get_by_role("link", name="Report").click()
    pat.get_by_label("Off-topic or in the wrong place").check()
    pat.get_by_role("button", name="Send report").click()
    pat.wait_for_load_state("networkidle")
    _open_review(felix)
    felix.get_by_label("Note for the other moderators (optional)").fill("A welcome post belongs in the Lounge.")
    screenshot(felix, "moderation-loop-7-report")
    felix.get_by_role("button", name="Dismiss report").click()
    felix.wait_for_load_state("networkidle")
    expect(felix.get_by_text("Report dismissed.")).to_be_visible()
    pat.goto(live_server(f"/discussions/{topic_id}"))
    expect(pat.get_by_text("I'm new to L&D")).to_be_visible()

    # 6. A spam wave from the member's admin page, then a reactivation that restores what it hid.
    spam_id = live_data.session.scalar(select(User.id).where(User.handle == "sid"))
    mara = new_page()
    sign_in(mara, live_server, "mara", PASSWORD)
    mara.goto(live_server(f"/admin/members/{spam_id}"))
    mara.get_by_label("Reason").last.fill("Selling essays")
    mara.get_by_label("Spam wave: also hide everything they have posted").check()
    mara.once("dialog", lambda dialog: dialog.accept())
    mara.get_by_role("button", name="Suspend Sid Seller").click()
    mara.wait_for_load_state("networkidle")
    expect(mara.get_by_text("Sid Seller is suspended and 3 of their posts are hidden.")).to_be_visible()
    screenshot(mara, "moderation-loop-8-spam-wave")
    pat.goto(live_server(f"/boards/{board_id}"))
    assert pat.get_by_text("Cheap essays").count() == 0
    expect(mara.get_by_label("Also restore the 3 posts the spam wave hid")).to_be_checked()
    screenshot(mara, "moderation-loop-9-reactivate-offer")
    mara.get_by_role("button", name="Reactivate Sid Seller").click()
    mara.wait_for_load_state("networkidle")
    expect(mara.get_by_text("Sid Seller can take part again.")).to_be_visible()
    pat.goto(live_server(f"/boards/{board_id}"))
    expect(pat.get_by_text("Cheap essays 0")).to_be_visible()
    screenshot(pat, "moderation-loop-10-restored")
    live_data.session.expire_all()
    hidden = live_data.session.scalar(select(Post.id).where(Post.author_id == spam_id, Post.hidden_at.is_not(None)))
    assert hidden is None
