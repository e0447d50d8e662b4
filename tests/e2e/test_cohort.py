"""A cohort in the browser: a facilitator creates a private group and invites two participants, one starts a
discussion, the other replies quoting it, the facilitator pins it, and a non-member gets "not found"."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user


def test_cohort_discusses_in_a_private_group(new_page: Any, live_server: Any, live_data: Any) -> None:
    # Tables added since the last migration was generated (a no-op once the migration covers them).
    make_user("fiona", role="facilitator", display_name="Fiona Facilitator")
    make_user("parker", display_name="Parker Participant")
    make_user("quinn", display_name="Quinn Participant")
    make_user("nosy", display_name="Nora Outsider")

    # The facilitator creates a private group through the groups pages and invites two participants.
    fac = new_page()
    sign_in(fac, live_server, "fiona", PASSWORD)
    fac.goto(live_server("/groups/new"))
    fac.get_by_label("Name").first.fill("Cohort 12: Coaching skills")
    fac.get_by_label(re.compile("^Private")).check()
    fac.get_by_role("button", name="Create the group").click()
    fac.wait_for_load_state("networkidle")
    slug = fac.url.rstrip("/").split("/")[-1]
    for handle, name in (("parker", "Parker Participant"), ("quinn", "Quinn Participant")):
        fac.goto(live_server(f"/groups/{slug}/members?find={handle}"))
        fac.get_by_role("button", name=f"Invite {name}").click()
        fac.wait_for_load_state("networkidle")

    starter, replier = new_page(), new_page(390, 844)  # the replier is on a phone
    for page, handle in ((starter, "parker"), (replier, "quinn")):
        sign_in(page, live_server, handle, PASSWORD)
        page.goto(live_server(f"/groups/{slug}"))
        page.get_by_role("button", name="Accept invitation").click()
        page.wait_for_load_state("networkidle")

    # One participant starts a discussion on the group's board, previewing the Markdown first.
    starter.goto(live_server("/boards"))
    starter.get_by_role("link", name="General").first.click()
    starter.get_by_role("link", name="Start a discussion").first.click()
    starter.get_by_label("Title").fill("How do you open a first coaching session?")
    body = starter.get_by_label("What would you like to discuss?")
    body.fill("I tend to **over-explain** the process.\n\nWhat do you say in the first five minutes?")
    starter.get_by_label("Tags (optional)").fill("week-1 practice")
    starter.get_by_role("button", name="Preview").click()
    preview = starter.locator("[data-editor-output]")
    preview.locator("strong", has_text="over-explain").wait_for()
    screenshot(starter, "boards-new-discussion")
    starter.get_by_role("button", name="Start discussion").click()
    starter.wait_for_load_state("networkidle")
    expect(starter.get_by_role("heading", name="How do you open a first coaching session?")).to_be_visible()
    topic_url = starter.url

    # The other replies with a quote (the no-JS quote link prefills the reply box).
    replier.goto(topic_url)
    replier.locator("#post-1").get_by_role("link", name="Quote").click()
    replier.wait_for_load_state("networkidle")
    reply_box = replier.get_by_label("Your reply")
    assert "Parker Participant wrote:" in reply_box.input_value()
    reply_box.press("Control+End")
    reply_box.type("\nI start by asking what they want from our time together.")
    replier.get_by_role("button", name="Post reply").click()
    replier.wait_for_load_state("networkidle")
    post_two = replier.locator("#post-2")
    expect(post_two.locator("blockquote")).to_be_visible()
    assert "what they want from our time together" in post_two.inner_text()
    screenshot(replier, "cohort-discussion-phone")
    # ... and reacts to the opening post: one form per post, the button says which reaction.
    replier.locator("#post-1").get_by_role("button", name="Insightful").click()
    replier.wait_for_load_state("networkidle")
    pressed = replier.locator("#post-1 button.reaction.mine")
    assert pressed.get_attribute("aria-pressed") == "true"
    expect(pressed).to_have_accessible_name("Insightful 1")
    assert replier.locator("#post-1 .reaction-count").inner_text() == "1"

    # The facilitator pins it.
    fac.goto(topic_url)
    fac.get_by_text("Moderate").click()
    fac.get_by_role("button", name="Pin to top").click()
    fac.wait_for_load_state("networkidle")
    expect(fac.locator(".topic-head .badge-pin")).to_be_visible()
    screenshot(fac, "boards-discussion", keep=True)
    fac.get_by_role("link", name="General").first.click()
    fac.wait_for_load_state("networkidle")
    expect(fac.locator(".topic-row.is-pinned").first).to_be_visible()
    screenshot(fac, "boards-board", keep=True)
    fac.goto(live_server("/boards"))
    screenshot(fac, "boards-index")
    fac.goto(topic_url)
    fac.locator("#post-2").get_by_role("link", name="Edit").click()
    fac.get_by_label("Text").fill("Parker Participant wrote:\n> I tend to over-explain\n\nAsk what they want first.")
    fac.get_by_role("button", name="Save changes").click()
    fac.wait_for_load_state("networkidle")
    fac.locator("#post-2").get_by_role("link", name="edited").click()
    fac.wait_for_load_state("networkidle")
    expect(fac.get_by_role("heading", name="Edit history")).to_be_visible()
    screenshot(fac, "boards-revisions")
    fac.goto(live_server(f"/boards/manage?group={slug}"))
    fac.get_by_label("Name").fill("Peer coaching practice")
    fac.get_by_role("button", name="Add board").click()
    fac.wait_for_load_state("networkidle")
    expect(fac.get_by_role("link", name="Peer coaching practice")).to_be_visible()
    screenshot(fac, "boards-manage")

    # Quoting a selection with JavaScript: only the selected words are quoted.
    replier.goto(topic_url)
    replier.evaluate(
        """() => { const p = document.querySelector('#post-1 [data-post-body] strong');
                   const range = document.createRange(); range.selectNodeContents(p);
                   const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range); }"""
    )
    replier.locator("#post-1").get_by_role("link", name="Quote").click()
    assert replier.get_by_label("Your reply").input_value() == "Parker Participant wrote:\n> over-explain\n\n"
    replier.get_by_label("Your reply").press("Control+End")
    replier.get_by_label("Your reply").type("Same here!")
    replier.get_by_role("button", name="Preview").click()
    replier.locator("[data-editor-output] blockquote").wait_for()
    screenshot(replier, "boards-reply-preview-phone")

    phone = new_page(390, 844)
    sign_in(phone, live_server, "fiona", PASSWORD)
    phone.goto(fac.url)
    screenshot(phone, "boards-board-phone")

    # A non-member gets "not found" at its address, and doesn't see it listed.
    outsider = new_page()
    sign_in(outsider, live_server, "nosy", PASSWORD)
    response = outsider.goto(topic_url)
    assert response is not None and response.status == 404
    assert "couldn't find that page" in outsider.content()
    outsider.goto(live_server("/boards"))
    assert "Cohort 12" not in outsider.content()
    outsider.goto(live_server("/boards/new"))
    assert "coaching session" not in outsider.content()
