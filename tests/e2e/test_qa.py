"""Q&A in a real browser: ask in a cohort, see a similar question, ask anyway, a peer answers, another
upvotes, the asker accepts, and the question leaves the unanswered list."""

from playwright.sync_api import expect

from community.models import Topic
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question


def test_ask_answer_upvote_accept(new_page, live_server, live_data):
    # Tables added since the last migration was generated (the lead regenerates it) are created here.
    fay = make_user("fay", role="facilitator", display_name="Fay Facilitator")
    asker = make_user("priya", display_name="Priya Patel")
    peer = make_user("omar", display_name="Omar Haddad")
    voter = make_user("lena", display_name="Lena Novak")
    cohort = make_group(fay, "private", members=[asker, peer, voter], name="Cohort 12: L&D Practice")
    earlier = make_question(peer, title="How do you evaluate a learning programme?", group=cohort,
                            body="Kirkpatrick feels heavy for a small team.", tags="evaluation")  # fmt: skip
    make_answer(fay, earlier, "Start with level 1 and 3: reactions and behaviour change. Keep it light.")
    make_question(voter, title="Favourite icebreakers for online workshops?", tags="facilitation")

    page = new_page()
    sign_in(page, live_server, "priya", PASSWORD)
    page.goto(live_server("/questions/ask"))
    page.get_by_label("Your question in one sentence").fill("How should I evaluate a short learning programme?")
    suggestions = page.locator("[data-similar-output]")
    suggestion = suggestions.get_by_role("link", name="How do you evaluate a learning programme?")
    suggestion.wait_for()
    assert suggestions.get_attribute("aria-live") == "polite"
    page.get_by_label("Details").fill("It's a **two-week** pilot with 15 people. What's the lightest useful method?")
    page.get_by_label("Tags (optional)").fill("evaluation pilots")
    page.get_by_label("Where to ask").select_option(label="Cohort 12: L&D Practice")
    screenshot(page, "qa-ask-similar")
    page.get_by_role("button", name="Post your question").click()
    page.get_by_role("heading", name="How should I evaluate a short learning programme?").wait_for()
    question_url = page.url
    topic_id = int(question_url.rstrip("/").split("/")[-1].split("#")[0])

    other = new_page()
    sign_in(other, live_server, "omar", PASSWORD)
    other.goto(live_server("/questions/?filter=unanswered"))
    expect(other.get_by_role("link", name="How should I evaluate a short learning programme?")).to_be_visible()
    other.goto(question_url)
    answer = "Run a short survey at the end, then ask managers after a month what changed."
    other.get_by_role("textbox", name="Your answer").fill(answer)
    other.get_by_role("button", name="Post your answer").click()
    other.get_by_text("ask managers after a month").wait_for()

    third = new_page()
    sign_in(third, live_server, "lena", PASSWORD)
    third.goto(question_url)
    third.get_by_role("button", name="Vote up: this is useful").nth(1).click()  # the answer (0 is the question)
    third.locator(".qa-answer [data-vote-score]").filter(has_text="1").wait_for()
    assert third.locator(".qa-answer .vote-up").get_attribute("aria-pressed") == "true"
    assert third.locator(".qa-answer .vote-up").get_attribute("aria-label") == "Withdraw your up vote"

    page.goto(question_url)
    page.get_by_role("button", name="✓ Accept this answer").click()
    page.get_by_text("✓ Accepted answer").wait_for()
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays on top in the full-page shot
    screenshot(page, "qa-question", keep=True)
    phone = new_page(390, 844)
    sign_in(phone, live_server, "priya", PASSWORD)
    phone.goto(question_url)
    screenshot(phone, "qa-question-phone")

    live_data.session.expire_all()
    topic = live_data.session.get(Topic, topic_id)
    assert topic.accepted_post_id is not None and topic.first_answer_by_role == "participant"
    assert topic.accepted_by_role == "participant"

    page.goto(live_server("/questions/?filter=unanswered"))
    assert page.get_by_role("link", name="How should I evaluate a short learning programme?").count() == 0
    page.goto(live_server("/questions/"))
    page.get_by_role("link", name="How should I evaluate a short learning programme?").wait_for()
    screenshot(page, "qa-list", keep=True)
    phone.goto(live_server("/questions/"))
    screenshot(phone, "qa-list-phone")
