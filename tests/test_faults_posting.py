"""Posting twice stores once: every posting form carries a one-time submission key, and the same form sent
again (a double click, a retry from an error page, an answer lost after the commit) lands on the stored post.

On SQLite and PostgreSQL; the faults come from ``tests.faults``.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from community.errors import AlreadyPosted
from community.extensions import db
from community.models import Board, Post, Submission, Topic, User, utcnow
from community.services import boards, housekeeping
from community.services.accounts import start_session
from tests.factories import acting, load_topic
from tests.factories_blogs import make_blog_post
from tests.factories_boards import general_board, make_discussion
from tests.factories_groups import make_group
from tests.factories_qa import make_answer, make_question
from tests.factories_security import page_text
from tests.faults import losing_the_connection_after_a_post_is_committed
from tests.test_faults_database import _resend_fields

KEY = re.compile(r'name="submission_key" (?:type="hidden" )?value="([0-9a-f]{32})"|'
                 r'type="hidden" name="submission_key" value="([0-9a-f]{32})"')  # fmt: skip


@pytest.fixture
def cohort(fran: Any, pat: Any, sam: Any) -> Any:
    return make_group(fran, "private", members=[pat, sam], name="Cohort 7")


@pytest.fixture
def board(cohort: Any) -> Board:
    return general_board(cohort)


def _reply(client: Any, topic_id: int, body: str, key: str | None = None) -> int:
    """Post a reply (with ``key`` as its submission key); the status code."""
    data = {"body": body} if key is None else {"body": body, "submission_key": key}
    return client.post(f"/discussions/{topic_id}/reply", data=data).status_code


def _reply_key(client: Any, topic_id: int) -> str:
    """The key of the reply form of a discussion, as the page renders it."""
    return form_key(client.get(f"/discussions/{topic_id}").get_data(as_text=True), f"/discussions/{topic_id}/reply")


def keys_in(html: str) -> list[str]:
    return [a or b for a, b in KEY.findall(html)]


def form_key(html: str, action: str) -> str:
    """The submission key of the form posting to ``action`` on a page."""
    match = re.search(r'<form[^>]*action="' + re.escape(action) + r'(?:#[^"]*)?"[^>]*>(.*?)</form>', html, re.S)
    assert match, f"no form posting to {action}"
    found = keys_in(match.group(1))
    assert len(found) == 1, found
    return found[0]


def _count(model: Any, **where: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0


# --------------------------------------------------------------------------------------------------
# Every posting form, sent twice through the app


def _discussion(client: Any, board: Board, **_: Any) -> tuple[str, str, dict[str, str]]:
    return f"/boards/{board.id}/new", f"/boards/{board.id}/new", {"title": "Ground rules", "body": "Be kind."}


def _reply_form(client: Any, board: Board, pat: User, **_: Any) -> tuple[str, str, dict[str, str]]:
    topic = make_discussion(pat, board)
    return f"/discussions/{topic.id}", f"/discussions/{topic.id}/reply", {"body": "Count me in."}


def _question(client: Any, cohort: Any, **_: Any) -> tuple[str, str, dict[str, str]]:
    return "/questions/ask", "/questions/ask", {"title": "How do I run a retro?", "body": "Remote team.",
                                                "where": str(cohort.id), "submit": "Post your question"}  # fmt: skip


def _answer(client: Any, cohort: Any, sam: User, **_: Any) -> tuple[str, str, dict[str, str]]:
    topic = make_question(sam, group=cohort)
    return f"/questions/{topic.id}", f"/questions/{topic.id}/answers", {"body": "Start, stop, continue."}


def _qa_comment(client: Any, cohort: Any, sam: User, fran: User, **_: Any) -> tuple[str, str, dict[str, str]]:
    topic = make_question(sam, group=cohort)
    answer = make_answer(fran, topic)
    return f"/questions/{topic.id}", f"/questions/posts/{answer.id}/comments", {"body": "Why that order?"}


def _blog_post(client: Any, **_: Any) -> tuple[str, str, dict[str, str]]:
    return "/blogs/new", "/blogs/new", {"title": "Week one", "body": "What I learned.", "group_id": "0",
                                        "publish": "Publish"}  # fmt: skip


def _blog_comment(client: Any, sam: User, **_: Any) -> tuple[str, str, dict[str, str]]:
    topic = make_blog_post(sam, title="Reflections")
    return f"/blog/{topic.id}", f"/blog/{topic.id}/comments", {"body": "Thanks for sharing."}


KINDS = {"discussion": _discussion, "reply": _reply_form, "question": _question, "answer": _answer,
         "qa-comment": _qa_comment, "blog-post": _blog_post, "blog-comment": _blog_comment}  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_a_form_sent_twice_is_stored_once_and_the_member_lands_on_it(client, login, cohort, board, fran, pat, sam,
                                                                      kind):  # fmt: skip
    page_url, action, data = KINDS[kind](client, board=board, cohort=cohort, fran=fran, pat=pat, sam=sam)
    login(pat)
    page = client.get(page_url)
    assert page.status_code == 200
    key = form_key(page.get_data(as_text=True), action)
    posts_before = _count(Post)
    first = client.post(action, data={**data, "submission_key": key})
    assert first.status_code == 302, page_text(first)
    assert _count(Post) == posts_before + 1
    stored = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
    again = client.post(action, data={**data, "submission_key": key})
    assert again.status_code == 303
    assert again.headers["Location"] == f"/p/{stored.id}"
    assert _count(Post) == posts_before + 1  # stored once
    landing = client.get(again.headers["Location"])
    assert landing.status_code == 302  # the permalink sends the member to the post in its page
    shown = client.get(landing.headers["Location"])
    assert shown.status_code == 200
    assert data["body"] in page_text(shown)
    assert "You had already sent this: it is posted once, here." in page_text(shown)


def test_every_form_on_a_page_has_its_own_key_and_every_rendering_a_new_one(client, login, cohort, fran, pat, sam):
    topic = make_question(sam, group=cohort)
    make_answer(fran, topic)
    make_answer(sam, topic, "Another way.")
    login(pat)
    first = keys_in(client.get(f"/questions/{topic.id}").get_data(as_text=True))
    second = keys_in(client.get(f"/questions/{topic.id}").get_data(as_text=True))
    assert len(first) == 4  # the answer form, and a comment form under the question and each answer
    assert len(set(first)) == 4 and not set(first) & set(second)
    blog = make_blog_post(sam, title="Reflections")
    page = client.get(f"/blog/{blog.id}").get_data(as_text=True)
    assert len(set(keys_in(page))) == 2  # the comment form and the reply box's template
    login(sam)
    assert keys_in(client.get(f"/blog/{blog.id}/edit").get_data(as_text=True)) == []  # an edit posts nothing new


def test_counters_count_a_resent_reply_once(client, login, board, pat, sam):
    topic = make_discussion(sam, board)
    topic_id, board_id = topic.id, board.id
    login(pat)
    key = _reply_key(client, topic_id)
    for _ in range(3):
        client.post(f"/discussions/{topic_id}/reply", data={"body": "Once", "submission_key": key})
    db.session.expire_all()
    assert db.session.get(Topic, topic_id).reply_count == 1
    assert db.session.get(Board, board_id).post_count == 2
    assert db.session.get(User, pat.id).post_count == 1


# --------------------------------------------------------------------------------------------------
# What must still post


def test_a_form_without_a_key_still_posts_every_time(client, login, board, pat):
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    for _ in range(2):  # an old page or a hand-made request: no deduplication, nothing lost
        assert _reply(client, topic_id, "No key") == 302
    assert _count(Post, topic_id=topic_id) == 3
    assert _count(Submission) == 0


@pytest.mark.parametrize("bad", ["", "not-a-key", "A" * 32, "0" * 31, "0" * 33, "' OR 1=1 --", "0" * 10_000])
def test_a_malformed_key_is_ignored_and_the_post_stored(client, login, board, pat, bad):
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    assert _reply(client, topic_id, "Odd key", bad) == 302
    assert _count(Post, topic_id=topic_id) == 2
    assert _count(Submission) == 0


def test_a_used_key_with_another_text_is_posted_not_lost(client, login, board, pat):
    # A page restored from the browser's cache can carry a key already used: what was typed since is new.
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    key = _reply_key(client, topic_id)
    assert _reply(client, topic_id, "First", key) == 302
    assert _reply(client, topic_id, "Second", key) == 302
    assert _reply(client, topic_id, "First\r\n", key) == 303
    db.session.expire_all()
    bodies = list(db.session.scalars(select(Post.body).where(Post.topic_id == topic_id).order_by(Post.number)))
    assert bodies == ["Hello **all**", "First", "Second"]


def test_keys_belong_to_one_member(client, login, board, pat, sam):
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    key = _reply_key(client, topic_id)
    assert _reply(client, topic_id, "Same words", key) == 302
    login(sam)  # another member sending the same key and text is someone else posting
    assert _reply(client, topic_id, "Same words", key) == 302
    assert _count(Post, topic_id=topic_id) == 3


def test_a_resend_is_not_a_new_post_for_the_rate_limit(client, login, board, fran, pat, rate_limits, monkeypatch):
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_POSTING", "1 per minute")
    monkeypatch.setitem(rate_limits.config, "RATELIMIT_POSTING_NEW_MEMBER", "1 per minute")
    topic = make_discussion(fran, board)  # a facilitator: staff are not limited
    topic_id = topic.id
    login(pat)
    key = _reply_key(client, topic_id)
    assert _reply(client, topic_id, "Once", key) == 302
    assert _reply(client, topic_id, "Once", key) == 303
    assert _reply(client, topic_id, "Twice") == 429


def test_the_services_raise_already_posted_for_a_resent_key(board, pat):
    topic = make_discussion(pat, board)
    key = "0123456789abcdef0123456789abcdef"
    post = boards.reply(acting(pat), load_topic(pat, topic.id), "Once", submission_key=key)
    with pytest.raises(AlreadyPosted) as resent:
        boards.reply(acting(pat), load_topic(pat, topic.id), "Once", submission_key=key)
    assert resent.value.post_id == post.id


# --------------------------------------------------------------------------------------------------
# Stored, but the answer was lost


def test_a_reply_stored_but_answered_503_lands_on_the_stored_post_when_sent_again(client, login, board, pat):
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    key = _reply_key(client, topic_id)
    with losing_the_connection_after_a_post_is_committed(db.engine) as failed:
        first = client.post(f"/discussions/{topic_id}/reply", data={"body": "Did it go?", "submission_key": key})
    assert failed, "the fault did not fire"
    assert first.status_code == 503  # committed, but the connection dropped before the answer was made
    assert _count(Post, topic_id=topic_id) == 2
    again = client.post(f"/discussions/{topic_id}/reply", data=_resend_fields(first))  # "Send it again"
    assert again.status_code == 303
    stored = db.session.scalars(select(Post).where(Post.topic_id == topic_id, Post.number == 2)).one()
    assert again.headers["Location"] == f"/p/{stored.id}"
    assert _count(Post, topic_id=topic_id) == 2
    assert db.session.get(Topic, topic_id).reply_count == 1


def test_a_reply_stored_but_answered_500_lands_on_the_stored_post_when_sent_again(app, client, login, board, pat,
                                                                                 monkeypatch):  # fmt: skip
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    key = _reply_key(client, topic_id)
    crashes = []

    def crash_after_the_view(response: Any) -> Any:
        from flask import request

        if request.method == "POST" and not crashes:
            crashes.append(request.path)
            raise RuntimeError("the answer was lost")
        return response

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # a real 500 page, as in production
    monkeypatch.setitem(app.after_request_funcs, None, [*app.after_request_funcs.get(None, []), crash_after_the_view])
    data = {"body": "Did it go?", "submission_key": key}
    first = client.post(f"/discussions/{topic_id}/reply", data=data)
    assert crashes and first.status_code == 500
    assert _count(Post, topic_id=topic_id) == 2  # it was stored all the same
    again = client.post(f"/discussions/{topic_id}/reply", data=data)  # the member sends it again
    assert again.status_code == 303
    assert _count(Post, topic_id=topic_id) == 2


def test_two_sends_at_the_same_moment_store_one_post(app, fran, pat, board):
    topic = make_discussion(fran, board)
    topic_id = topic.id
    token = start_session(pat)
    db.session.commit()
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        with c.session_transaction() as session:
            session["_user_id"] = token
    db.session.remove()  # the test holds no connection while the threads write
    data = {"body": "Double click", "submission_key": "00112233445566778899aabbccddeeff"}
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send(c: Any) -> None:
        try:
            with app.app_context():
                barrier.wait()
                statuses.append(c.post(f"/discussions/{topic_id}/reply", data=data).status_code)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(statuses) == [302, 303]
    assert _count(Post, topic_id=topic_id) == 2
    assert db.session.get(Topic, topic_id).reply_count == 1


# --------------------------------------------------------------------------------------------------
# Keys are kept two days, and cost two queries a post


def test_housekeeping_prunes_keys_older_than_two_days(board, pat):
    topic = make_discussion(pat, board)
    for n, age in enumerate((timedelta(days=3), timedelta(hours=47))):
        boards.reply(acting(pat), load_topic(pat, topic.id), f"Reply {n}", submission_key=f"{n:032x}")
        db.session.execute(update(Submission).where(Submission.key == f"{n:032x}")
                           .values(created_at=utcnow() - age))  # fmt: skip
    db.session.commit()
    cleaned = housekeeping.clean_up()
    assert cleaned.submission_keys == 1
    assert list(db.session.scalars(select(Submission.key))) == [f"{1:032x}"]
    assert _count(Post, topic_id=topic.id) == 3  # the posts stay, of course


def test_a_key_costs_a_post_exactly_two_queries(client, login, board, pat, count_queries):
    topic = make_discussion(pat, board)
    topic_id = topic.id
    login(pat)
    with count_queries() as without:
        assert _reply(client, topic_id, "Plain") == 302
    key = "ffeeddccbbaa99887766554433221100"
    with count_queries() as keyed:
        assert _reply(client, topic_id, "Keyed", key) == 302
    # The reply as it was (its draft's delete and the webhooks' lookup included): the key adds a lookup and an
    # insert.
    assert len(without) == 21, "\n\n".join(without)
    assert len(keyed) == 23, "\n\n".join(keyed)
    assert [q for q in keyed if "submissions" in q] == [
        next(q for q in keyed if q.lstrip().startswith("SELECT posts.id, posts.body")),
        next(q for q in keyed if q.lstrip().startswith("INSERT INTO submissions")),
    ]
    with count_queries() as resent:
        assert _reply(client, topic_id, "Keyed", key) == 303
    # The member's session, their groups, the topic, the settings (the flash's language) and the key: no write.
    assert len(resent) == 5, "\n\n".join(resent)
