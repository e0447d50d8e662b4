"""The database goes away in a real browser: the member's reply is kept on a readable 503 page, the
browser's Back button finds the form with the text, and "Send it again" posts it once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from community.extensions import db
from community.models import Post
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_boards import general_board, make_discussion
from tests.factories_groups import make_group
from tests.faults import failing_statements, refusing_connections

SHOTS = Path("/tmp")


def _replies(topic_id: int) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Post).where(Post.topic_id == topic_id, Post.number > 1))


def test_a_reply_sent_while_the_database_is_down_is_kept_and_sent_once(new_page, live_server, live_data):
    fay = make_user("fay", role="facilitator", display_name="Fay Facilitator")
    priya = make_user("priya", display_name="Priya Patel")
    board = general_board(make_group(fay, "private", members=[priya], name="Cohort 12"))
    topic = make_discussion(fay, board, title="What did you try this week?", body="Share one thing.")
    topic_id = topic.id
    page = new_page()
    sign_in(page, live_server, "priya", PASSWORD)
    page.goto(live_server(f"/discussions/{topic_id}"))
    text = "I tried a two-minute check-in at the start of each session.\n\nIt worked better than I expected."
    page.get_by_role("textbox", name="Your reply").fill(text)

    with refusing_connections(db.engine):
        with page.expect_navigation() as sent:
            page.get_by_role("button", name="Post reply").click()
        assert sent.value.status == 503
        assert sent.value.headers["retry-after"] == "10"
        page.get_by_role("heading", name="Back in a moment").wait_for()
        assert page.get_by_role("textbox", name="Your text").input_value() == text
        page.screenshot(path=str(SHOTS / "db-503-reply.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "db-503-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 860})
    assert _replies(topic_id) == 0
    # The database is back; the browser's Back button: the form, with what was typed.
    page.go_back()
    page.wait_for_load_state()
    back_text = page.get_by_role("textbox", name="Your reply").input_value()
    page.screenshot(path=str(SHOTS / "db-503-back.png"), full_page=True)
    assert back_text == text

    # Sent again while the database is still down: the same page, the text still there.
    page.goto(live_server(f"/discussions/{topic_id}"))
    page.get_by_role("textbox", name="Your reply").fill(text)
    with refusing_connections(db.engine):
        page.get_by_role("button", name="Post reply").click()
        page.get_by_role("heading", name="Back in a moment").wait_for()
        page.get_by_role("button", name="Send it again").click()
        page.get_by_role("heading", name="Back in a moment").wait_for()
        assert page.get_by_role("textbox", name="Your text").input_value() == text
    # The database is back: "Send it again" posts the reply, once.
    page.get_by_role("button", name="Send it again").click()
    page.get_by_text("a two-minute check-in").wait_for()
    assert page.url.startswith(live_server(f"/discussions/{topic_id}"))
    assert _replies(topic_id) == 1
    page.screenshot(path=str(SHOTS / "db-503-sent.png"), full_page=True)


def test_the_503_page_in_french_when_the_connection_drops_mid_page(new_page, live_server, live_data):
    fay = make_user("fay", role="facilitator", display_name="Fay Facilitator")
    make_user("lea", display_name="Léa Martin", language="fr")
    board = general_board(make_group(fay, "open", name="Cohorte 3"))
    topic = make_discussion(fay, board, title="Vos premières impressions ?", body="Dites-nous tout.")
    topic_id = topic.id
    page = new_page()
    sign_in(page, live_server, "lea", PASSWORD)
    with failing_statements(db.engine, "lost", r"\bFROM topics\b"):
        response = page.goto(live_server(f"/discussions/{topic_id}"))
    assert response is not None and response.status == 503
    page.get_by_role("heading", name="De retour dans un instant").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr-FR"
    page.screenshot(path=str(SHOTS / "db-503-fr.png"), full_page=True)
    page.get_by_role("link", name="Réessayer").click()
    page.get_by_role("heading", name="Vos premières impressions ?").wait_for()
