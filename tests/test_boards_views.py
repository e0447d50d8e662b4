"""Boards and discussions through the pages: the happy paths, bad input, XSS, unread and "new since"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEvent, Board, Post, Subscription, Topic, TopicRead, utcnow
from tests.factories import acting, load_post
from tests.factories_boards import general_board, make_board, make_discussion, make_reply
from tests.factories_groups import make_group


@pytest.fixture
def cohort(fran: Any, pat: Any, sam: Any) -> Any:
    """A private group facilitated by fran with pat and sam as members."""
    return make_group(fran, "private", members=[pat, sam], name="Cohort 7")


def snapshot() -> tuple[int, int, int, int]:
    """Counts of what is stored, to prove a refused action changed nothing."""
    return (
        db.session.scalar(select(func.count()).select_from(Topic)),
        db.session.scalar(select(func.count()).select_from(Post)),
        db.session.scalar(select(func.sum(Board.post_count))) or 0,
        db.session.scalar(select(func.sum(Topic.reply_count))) or 0,
    )


# Happy paths --------------------------------------------------------------------------------------


def test_start_reply_quote_edit_delete(client: Any, login: Any, cohort: Any, pat: Any, sam: Any) -> None:
    board = general_board(cohort)
    login(pat)
    response = client.post(f"/boards/{board.id}/new",
                           data={"title": "Week 1 readings", "body": "What did you think of *chapter 2*?",
                                 "tags": "week-1, Readings"})  # fmt: skip
    assert response.status_code == 302
    topic = db.session.scalars(select(Topic)).one()
    assert response.headers["Location"].endswith(f"/discussions/{topic.id}")
    assert (topic.kind, topic.group_id, topic.board_id) == ("discussion", cohort.id, board.id)

    login(sam)
    opening = db.session.scalars(select(Post).where(Post.number == 1)).one()
    page = client.get(f"/discussions/{topic.id}?quote={opening.id}").get_data(as_text=True)
    assert "Pat Participant wrote:\n&gt; What did you think of *chapter 2*?" in page
    response = client.post(
        f"/discussions/{topic.id}/reply",
        data={"body": "Pat Participant wrote:\n> chapter 2\n\nLoved it", "quote_id": opening.id},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#post-2")
    reply = db.session.scalars(select(Post).where(Post.number == 2)).one()
    assert reply.parent_id == opening.id and "<blockquote>" in reply.body_html

    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "#week-1" in html and "#readings" in html and "Loved it" in html

    edit = client.get(f"/posts/{reply.id}/edit").get_data(as_text=True)
    assert 'name="revision" type="hidden" value="0"' in edit
    response = client.post(f"/posts/{reply.id}/edit", data={"body": "Loved it, truly", "revision": "0"})
    assert response.status_code == 302
    db.session.refresh(reply)
    assert reply.body == "Loved it, truly" and reply.revision_count == 1
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert f'href="/posts/{reply.id}/revisions"' in html
    history = client.get(f"/posts/{reply.id}/revisions").get_data(as_text=True)
    assert "Version 2" in history
    assert 'Loved it<ins><span class="visually-hidden">added: </span>, truly</ins>' in history

    assert client.post(f"/posts/{reply.id}/delete").status_code == 302
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "This post was deleted." in html and "Loved it, truly" not in html
    db.session.refresh(topic)
    assert topic.reply_count == 0


def test_moderation_pin_lock_hide_restore_with_audit(client: Any, login: Any, cohort: Any, fran: Any,
                                                     pat: Any, sam: Any) -> None:  # fmt: skip
    board = general_board(cohort)
    older = make_discussion(pat, board, title="Older one")
    topic = make_discussion(pat, board, title="Pin me")
    make_discussion(pat, board, title="Newest one")
    reply = make_reply(sam, topic, "A rude remark")
    login(fran)
    assert client.post(f"/discussions/{older.id}/pin").status_code == 302
    titles = client.get(f"/boards/{board.id}").get_data(as_text=True)
    # Pinned first, then by last activity (the reply made "Pin me" the most recent).
    assert titles.index("Older one") < titles.index("Pin me") < titles.index("Newest one")
    assert client.post(f"/discussions/{topic.id}/lock").status_code == 302
    assert client.post(f"/posts/{reply.id}/hide", data={"reason": "Please keep it kind"}).status_code == 302
    login(sam)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Please keep it kind" in html and "A rude remark" in html
    assert "Post reply" not in html and "locked" in html
    login(pat)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "This post was hidden by a moderator." in html and "A rude remark" not in html
    login(fran)
    assert client.post(f"/posts/{reply.id}/restore").status_code == 302
    assert client.post(f"/discussions/{topic.id}/unlock").status_code == 302
    assert client.post(f"/discussions/{older.id}/unpin").status_code == 302
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"topic.pin", "topic.unpin", "topic.lock", "topic.unlock", "post.hide", "post.restore"} <= actions
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).reply_count == 1
    assert db.session.get(Board, board.id).post_count == 4  # three openings and the restored reply


def test_move_between_boards_keeps_counters(client: Any, login: Any, cohort: Any, fran: Any, pat: Any,
                                            admin: Any) -> None:  # fmt: skip
    general = general_board(cohort)
    second = make_board(fran, "Assignments", group=cohort)
    topic = make_discussion(pat, general)
    make_reply(pat, topic)
    login(fran)
    assert "Assignments" in client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert client.post(f"/discussions/{topic.id}/move", data={"board_id": second.id}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(Topic, topic.id)
    assert moved.board_id == second.id
    assert (db.session.get(Board, general.id).topic_count, db.session.get(Board, general.id).post_count) == (0, 0)
    assert (db.session.get(Board, second.id).topic_count, db.session.get(Board, second.id).post_count) == (1, 2)
    assert "topic.move" in set(db.session.scalars(select(AuditEvent.action)))


def test_moving_to_a_board_you_dont_moderate_is_refused(client: Any, login: Any, cohort: Any, fran: Any,
                                                         pat: Any, admin: Any, sam: Any) -> None:  # fmt: skip
    topic = make_discussion(pat, general_board(cohort))
    community = make_board(admin, "Lounge")  # fran is a community facilitator: she moderates it
    other = make_group(sam, "open", name="Sam's circle")  # fran sees it but doesn't moderate it
    hidden = make_group(sam, "private", name="Sam's secret")
    login(fran)
    page = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Lounge" in page and "Sam&#39;s circle" not in page and "Sam's circle" not in page
    before = snapshot()
    assert client.post(f"/discussions/{topic.id}/move", data={"board_id": general_board(other).id}).status_code == 403
    assert client.post(f"/discussions/{topic.id}/move", data={"board_id": general_board(hidden).id}).status_code == 400
    assert snapshot() == before
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).board_id == general_board(cohort).id
    assert client.post(f"/discussions/{topic.id}/move", data={"board_id": community.id}).status_code == 302


def test_board_management(client: Any, login: Any, admin: Any, fran: Any, pat: Any, cohort: Any) -> None:
    login(admin)
    assert client.get("/boards/manage").status_code == 200
    assert client.post("/boards/manage", data={"name": "Announcements", "description": "News"}).status_code == 302
    assert client.post("/boards/manage", data={"name": "Coffee", "position": 0}).status_code == 302
    html = client.get("/boards").get_data(as_text=True)
    assert html.index("Coffee</a>") < html.index("Announcements</a>") < html.index("Cohort 7")
    response = client.post("/boards/manage", data={"name": "  "})
    assert response.status_code == 400 and "Please give the board a name." in response.get_data(as_text=True)
    login(pat)
    assert client.get("/boards/manage").status_code == 404
    assert client.post("/boards/manage", data={"name": "Mine"}).status_code == 404
    assert client.get(f"/boards/manage?group={cohort.slug}").status_code == 404
    login(fran)  # a community facilitator doesn't manage community boards, but facilitates the cohort
    assert client.get("/boards/manage").status_code == 404
    assert client.post(f"/boards/manage?group={cohort.slug}", data={"name": "Projects"}).status_code == 302
    assert [b.name for b in db.session.scalars(select(Board).where(Board.group_id == cohort.id))] == [
        "General", "Projects"]  # fmt: skip
    board = general_board(cohort)
    response = client.post(f"/boards/{board.id}/edit", data={"name": "Main room", "description": "Talk"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Board, board.id).name == "Main room"


def test_follow_and_unfollow(client: Any, login: Any, cohort: Any, pat: Any) -> None:
    board = general_board(cohort)
    topic = make_discussion(pat, board)
    login(pat)
    client.post(f"/watch/topic/{topic.id}")
    client.post(f"/watch/topic/{topic.id}")  # idempotent
    client.post(f"/watch/board/{board.id}")
    rows = {(s.target_type, s.target_id) for s in db.session.scalars(select(Subscription))}
    assert rows == {("topic", topic.id), ("board", board.id)}
    assert "Following ✓" in client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    client.post(f"/unwatch/topic/{topic.id}")
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1


# Bad input ----------------------------------------------------------------------------------------


def test_empty_title_and_huge_body_keep_the_text(client: Any, login: Any, cohort: Any, pat: Any, app: Any) -> None:
    board = general_board(cohort)
    login(pat)
    before = snapshot()
    response = client.post(f"/boards/{board.id}/new", data={"title": "   ", "body": "My careful words"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please give a title." in html and "My careful words" in html
    huge = "x" * (1024 * 1024)
    response = client.post(f"/boards/{board.id}/new", data={"title": "Big", "body": huge})
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert "too long" in response.get_data(as_text=True)
    assert snapshot() == before
    topic = make_discussion(pat, board)
    before = snapshot()
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "y" * (app.config["POST_MAX_CHARS"] + 1)})
    assert response.status_code == 400 and "too long" in response.get_data(as_text=True)
    assert "yyyyyyyyyy" in response.get_data(as_text=True)
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "  "})
    assert response.status_code == 400 and "Please write something first." in response.get_data(as_text=True)
    assert snapshot() == before


def test_replying_to_a_locked_discussion_or_archived_group(client: Any, login: Any, cohort: Any, fran: Any,
                                                           pat: Any) -> None:  # fmt: skip
    topic = make_discussion(pat, general_board(cohort))
    login(fran)
    client.post(f"/discussions/{topic.id}/lock")
    login(pat)
    before = snapshot()
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "But wait, one more thing"})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "locked" in html and "But wait, one more thing" in html
    assert snapshot() == before
    login(fran)
    client.post(f"/discussions/{topic.id}/unlock")
    cohort_row = db.session.get(type(cohort), cohort.id)
    cohort_row.archived_at = utcnow()
    db.session.commit()
    login(pat)
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "Anyone still here?"})
    assert response.status_code == 403
    assert "archived" in response.get_data(as_text=True) and "Anyone still here?" in response.get_data(as_text=True)
    assert client.get(f"/boards/{general_board(cohort).id}/new").status_code == 403
    assert client.post(f"/boards/{general_board(cohort).id}/new", data={"title": "t", "body": "b"}).status_code == 403
    assert snapshot() == before


def test_stale_edit_gives_409_and_keeps_both_texts(client: Any, login: Any, cohort: Any, fran: Any,
                                                   pat: Any) -> None:  # fmt: skip
    topic = make_discussion(pat, general_board(cohort), body="Original text")
    opening = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).one()
    login(pat)
    assert 'value="0"' in client.get(f"/posts/{opening.id}/edit").get_data(as_text=True)
    # Meanwhile a moderator saves a newer version.
    from community.services.posts import edit_post

    post = load_post(fran, opening.id)
    edit_post(acting(fran), post, post.topic, "Moderator's fix", base_revision=0)
    response = client.post(f"/posts/{opening.id}/edit",
                           data={"title": "How do we start?", "body": "My own rewrite", "revision": "0"})  # fmt: skip
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "My own rewrite" in html and "Moderator&#39;s fix" in html and "newer version" in html
    assert 'name="revision" type="hidden" value="1"' in html
    db.session.expire_all()
    assert db.session.get(Post, opening.id).body == "Moderator's fix"
    response = client.post(f"/posts/{opening.id}/edit",
                           data={"title": "How do we start?", "body": "My own rewrite", "revision": "1"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, opening.id).body == "My own rewrite"


def test_editing_the_opening_post_changes_title_and_tags(client: Any, login: Any, cohort: Any, pat: Any) -> None:
    topic = make_discussion(pat, general_board(cohort), tags="one")
    opening = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).one()
    login(pat)
    response = client.post(f"/posts/{opening.id}/edit",
                           data={"title": "", "body": "Kept body", "tags": "two", "revision": "0"})  # fmt: skip
    assert response.status_code == 400 and "Kept body" in response.get_data(as_text=True)
    response = client.post(
        f"/posts/{opening.id}/edit", data={"title": "Better title", "body": "New body", "tags": "two", "revision": "0"}
    )
    assert response.status_code == 302
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Better title" in html and "#two" in html and "#one" not in html


def test_xss_in_titles_bodies_and_tags_is_inert(client: Any, login: Any, cohort: Any, pat: Any) -> None:
    board = general_board(cohort)
    login(pat)
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    response = client.post(f"/boards/{board.id}/new",
                           data={"title": payload, "body": payload + " [x](javascript:alert(3))"})  # fmt: skip
    assert response.status_code == 302
    response = client.post(f"/boards/{board.id}/new", data={"title": "t", "body": "b", "tags": "<script>"})
    assert response.status_code == 400 and "&lt;script&gt;" in response.get_data(as_text=True)
    topic = db.session.scalars(select(Topic)).one()
    for url in (f"/boards/{board.id}", f"/discussions/{topic.id}", "/boards/new", "/boards"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "onerror=" not in html.replace("onerror=alert(2)&gt;", "")
        assert "javascript:alert" not in html
        assert "<img src=x" not in html


def test_bad_cursors_and_pages_are_harmless(client: Any, login: Any, cohort: Any, pat: Any) -> None:
    board = general_board(cohort)
    topic = make_discussion(pat, board)
    login(pat)
    for query in ("before=garbage", "after=1.x", "before=99999999999999999999999.1", "page=abc", "page=-4"):
        assert client.get(f"/boards/{board.id}?{query}").status_code == 200
        assert client.get(f"/discussions/{topic.id}?{query}").status_code == 200
    assert client.get(f"/discussions/{topic.id}?quote=999999").status_code == 200
    assert client.get("/discussions/999999").status_code == 404
    assert client.get("/boards/999999").status_code == 404


# Unread and "new since" ---------------------------------------------------------------------------


def test_unread_markers_and_jump_to_first_unread(client: Any, login: Any, cohort: Any, pat: Any, sam: Any) -> None:
    board = general_board(cohort)
    topic = make_discussion(sam, board)
    for i in range(24):
        make_reply(sam, topic, f"reply number {i}")
    login(pat)
    assert ">New<" in client.get(f"/boards/{board.id}").get_data(as_text=True)
    client.get(f"/discussions/{topic.id}")  # reads posts 1..20
    assert db.session.get(TopicRead, (pat.id, topic.id)).last_read_number == 20
    board_html = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert "New replies" in board_html and "#post-21" in board_html
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert "Jump to first unread" in html and f"/discussions/{topic.id}?page=2#post-21" in html
    html = client.get(f"/discussions/{topic.id}?page=2").get_data(as_text=True)
    assert "New since you last read" in html and "reply number 23" in html
    db.session.expire_all()
    assert db.session.get(TopicRead, (pat.id, topic.id)).last_read_number == 25
    assert "New replies" not in client.get(f"/boards/{board.id}").get_data(as_text=True)


def test_ones_own_reply_is_read_at_once(client: Any, login: Any, cohort: Any, pat: Any, sam: Any) -> None:
    board = general_board(cohort)
    topic = make_discussion(sam, board)
    for i in range(3):
        make_reply(sam, topic, f"reply number {i}")
    login(pat)
    response = client.post(f"/discussions/{topic.id}/reply", data={"body": "My own view"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#post-5")
    db.session.expire_all()
    assert db.session.get(TopicRead, (pat.id, topic.id)).last_read_number == 5  # the replies above it too
    assert "New replies" not in client.get(f"/boards/{board.id}").get_data(as_text=True)


def test_new_since_last_visit(client: Any, login: Any, cohort: Any, pat: Any, sam: Any, mallory: Any,
                              admin: Any) -> None:  # fmt: skip
    board = general_board(cohort)
    old = make_discussion(sam, board, title="Old news")
    read_partly = make_discussion(sam, board, title="Half read")
    lounge = make_board(admin, "Lounge")
    db.session.execute(Topic.__table__.update().values(last_activity_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    pat.last_visit_at = utcnow() - timedelta(days=1)
    db.session.commit()
    login(pat)
    client.get(f"/discussions/{read_partly.id}")  # pat reads the opening post
    make_reply(sam, read_partly, "still going")  # activity now, and unread by pat
    db.session.execute(Topic.__table__.update().where(Topic.id == read_partly.id)
                       .values(last_activity_at=utcnow() - timedelta(days=2)))  # fmt: skip
    db.session.commit()
    make_discussion(sam, board, title="Fresh topic")
    make_discussion(mallory, lounge, title="Fresh community topic")
    login(pat)
    html = client.get("/boards/new").get_data(as_text=True)
    assert "Fresh topic" in html and "Fresh community topic" in html and "Half read" in html
    assert "Old news" not in html
    assert old.id
    login(mallory)
    html = client.get("/boards/new").get_data(as_text=True)
    assert "Fresh topic" not in html and "Half read" not in html  # private to the cohort


def test_board_keyset_pagination_walks_every_discussion_once(client: Any, login: Any, cohort: Any,
                                                             pat: Any) -> None:  # fmt: skip
    import re

    board = general_board(cohort)
    for i in range(45):
        make_discussion(pat, board, title=f"Topic {i:02d}", body="b")
    same_time = utcnow()
    db.session.execute(Topic.__table__.update().values(last_activity_at=same_time))  # ties broken by id
    db.session.commit()
    login(pat)
    seen: list[str] = []
    url = f"/boards/{board.id}"
    pages = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r">(Topic \d\d)</a>", html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else ""
        pages += 1
        if pages == 2:
            back = re.search(r'rel="prev" href="([^"]+)"', html).group(1).replace("&amp;", "&")
            first_again = re.findall(r">(Topic \d\d)</a>", client.get(back).get_data(as_text=True))
            assert first_again == seen[:20]
    assert pages == 3
    assert seen == [f"Topic {i:02d}" for i in reversed(range(45))]


def test_only_activity_since_the_last_visit_is_new(client: Any, login: Any, cohort: Any, pat: Any, sam: Any) -> None:
    board = general_board(cohort)
    make_discussion(sam, board, title="Before your visit")
    db.session.execute(Topic.__table__.update().values(last_activity_at=utcnow() - timedelta(days=2)))
    pat.last_visit_at = utcnow() - timedelta(days=1)
    db.session.commit()
    make_discussion(sam, board, title="After your visit")
    login(pat)
    html = client.get(f"/boards/{board.id}").get_data(as_text=True)
    rows = html.split('class="topic-row')[1:]
    assert [("After your visit" in r, ">New<" in r) for r in rows] == [(True, True), (False, False)]
