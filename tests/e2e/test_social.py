"""The social layer in a real browser: a mention rings the bell and leads to the post; search respects groups."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user
from tests.factories_groups import make_group


def _setup(live_data):
    from community.services import posts
    from tests.factories_social import board_of

    fran = make_user("fiona", role="facilitator", display_name="Fiona Facilitator", headline="Cohort 7 lead")
    pat = make_user("priya", display_name="Priya Patel", headline="L&D adviser")
    mallory = make_user("mo", display_name="Mo Outsider")
    group = make_group(fran, "private", members=[pat], name="Cohort 7")
    topic = posts.create_topic(acting(fran), kind="discussion", title="Reflective practice journals",
                               body="How do you keep a #reflection journal going?", board=board_of(group))
    posts.create_topic(acting(pat), kind="question", title="Which coaching model first?",
                       body="Starting my first coaching sessions next week.", tags="coaching")
    return fran, pat, mallory, topic


def test_mention_rings_the_bell_and_leads_to_the_post(new_page, live_server, live_data):
    from community.services import posts

    fran, _pat, _mallory, topic = _setup(live_data)
    page = new_page()
    sign_in(page, live_server, "priya", PASSWORD)
    page.goto(live_server("/"))
    assert page.locator("[data-bell-count]").count() == 0
    posts.add_post(acting(fran), topic, "@priya your template with the three prompts would help everyone here: "
                   "could you share it? It's a great **quillwort** of an idea.")
    page.goto(live_server("/"))
    assert page.locator("[data-bell-count]").inner_text() == "1"
    expect(page.get_by_text("Reflective practice journals").first).to_be_visible()
    screenshot(page, "social-home-feed", keep=True)

    page.locator('a.bell[href="/notifications"]').click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_text("mentioned you in")).to_be_visible()
    screenshot(page, "social-notifications", keep=True)
    page.goto(live_server("/notifications/settings"))
    screenshot(page, "social-settings")
    page.goto(live_server("/notifications"))
    page.locator("a.notification-link").first.click()
    page.wait_for_load_state()
    assert re.search(rf"/discussions/{topic.id}#post-2$", page.url), page.url
    expect(page.get_by_text("your template with the three prompts")).to_be_visible()
    page.goto(live_server("/"))
    assert page.locator("[data-bell-count]").count() == 0  # read now

    page.locator("#site-search").fill("quillwort")
    page.locator("#site-search").press("Enter")
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    assert page.locator(".search-snippet mark").first.inner_text().lower() == "quillwort"
    screenshot(page, "social-search")

    # @handle autocomplete in a Markdown editor (progressive enhancement from static/js/mentions.js)
    page.goto(live_server(f"/boards/{topic.board_id}/new"))
    body = page.locator("textarea").last
    body.click()
    body.press_sequentially("Thanks @fio", delay=30)
    option = page.locator(".mention-menu [role=option]").first
    option.wait_for()
    assert "Fiona Facilitator" in option.inner_text()
    screenshot(page, "social-mention-autocomplete")
    body.press("Enter")
    assert body.input_value() == "Thanks @fiona "

    outsider = new_page()
    sign_in(outsider, live_server, "mo", PASSWORD)
    outsider.goto(live_server("/search?q=quillwort"))
    expect(outsider.get_by_role("heading", name="0 results")).to_be_visible()
    assert outsider.get_by_text("Reflective practice journals").count() == 0
    outsider.goto(live_server("/"))
    assert outsider.get_by_text("Reflective practice journals").count() == 0
    screenshot(outsider, "social-home-outsider")


def test_phone_layout_and_settings(new_page, live_server, live_data):
    from community.services import posts

    fran, _pat, _mallory, topic = _setup_again(live_data)
    posts.add_post(acting(fran), topic, "@paula welcome to the cohort!")
    phone = new_page(390, 844)
    sign_in(phone, live_server, "paula", PASSWORD)
    phone.goto(live_server("/"))
    screenshot(phone, "social-home-phone")
    phone.goto(live_server("/notifications"))
    screenshot(phone, "social-notifications-phone")
    phone.goto(live_server("/notifications/settings"))
    phone.get_by_role("group", name="Someone mentions you with @").get_by_label("In a daily e-mail digest").check()
    phone.get_by_role("button", name="Save settings").click()
    expect(phone.get_by_text("Your notification settings are saved.")).to_be_visible()
    screenshot(phone, "social-settings-phone")
    phone.goto(live_server("/search?q=welcome"))
    screenshot(phone, "social-search-phone")


def _setup_again(live_data):
    from community.services import posts
    from tests.factories_social import board_of

    fran = make_user("felix", role="facilitator", display_name="Felix Facilitator")
    pat = make_user("paula", display_name="Paula Participant")
    mallory = make_user("max", display_name="Max Outsider")
    group = make_group(fran, "private", members=[pat], name="Cohort 8")
    topic = posts.create_topic(acting(fran), kind="discussion", title="Welcome thread", body="Say hello!",
                               board=board_of(group))
    return fran, pat, mallory, topic


def test_reactions_are_images_named_by_the_reaction(new_page, live_server, live_data):
    """No emoji font needed: each reaction is a vendored image that loads, and each button is named by the
    reaction and the count it shows (its accessible name contains its visible text: label in name)."""
    from community.models import REACTION_LABELS, Group
    from community.services import posts, reactions
    from community.services.groups import add_member
    from tests.factories import load_post

    fran, _pat, _mallory, topic = _setup(live_data)
    sam = make_user("sami", display_name="Sami Peer")
    add_member(live_data.session.get(Group, topic.group_id), sam)
    post = posts.add_post(acting(fran), topic, "Mine is a page a week, on Fridays.")
    loaded = load_post(sam, post.id)
    reactions.toggle(acting(sam), loaded, loaded.topic, "celebrate")
    page = new_page()
    sign_in(page, live_server, "priya", PASSWORD)
    page.goto(live_server(f"/discussions/{topic.id}"))
    row = page.locator("#post-2 form.reactions-form")
    buttons = row.get_by_role("button")
    expect(buttons).to_have_count(len(REACTION_LABELS))
    for i, label in enumerate(REACTION_LABELS.values()):
        button = buttons.nth(i)
        image = button.locator("img.emoji")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), button.inner_html()
        box = image.bounding_box()
        assert box and 14 <= box["width"] <= 24 and abs(box["width"] - box["height"]) < 0.5, box
        name = re.match(r'- button "([^"]*)"', button.aria_snapshot()).group(1)  # as Chromium computes it
        visible = button.inner_text().strip()
        assert name.startswith(str(label)) and visible in name, (name, visible)
    expect(row.get_by_role("button", name="Celebrate 1")).to_have_attribute("aria-pressed", "false")
    row.get_by_role("button", name="Heart", exact=True).click()
    page.wait_for_load_state("networkidle")
    row = page.locator("#post-2 form.reactions-form")
    heart = row.get_by_role("button", name="Heart 1", exact=True)
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(heart).to_have_attribute("title", "Priya Patel")
    row.locator("summary", has_text="Who reacted").click()
    expect(row.locator(".reaction-who li").first).to_contain_text("Priya Patel")
    assert row.locator(".reaction-who li img.emoji").first.get_attribute("alt") == "Heart"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "social-reactions", keep=True)
