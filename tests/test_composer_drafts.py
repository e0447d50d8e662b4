"""Drafts: kept per member and place, only ever the member's own, dropped when the post is made."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import MAX_DRAFTS, Draft, User
from community.services import drafts
from tests.factories import acting
from tests.factories_blogs import make_blog_post, opening_post
from tests.factories_blogs import make_comment as make_blog_comment
from tests.factories_boards import make_board, make_discussion, make_reply
from tests.factories_events import in_days, make_event
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation
from tests.factories_qa import make_answer, make_question


def _keys(user: User) -> dict[str, str]:
    db.session.expire_all()
    return {d.key: d.body for d in db.session.scalars(select(Draft).where(Draft.user_id == user.id))}


def _save(client: Any, key: str, body: str) -> Any:
    return client.post(f"/composer/drafts/{key}", data={"body": body})


def test_a_member_saves_and_fetches_their_draft(client, login, pat):
    login(pat)
    assert _save(client, "reply:topic:12", "Half a thought").get_json() == {"saved": True}
    assert _save(client, "reply:topic:12", "Half a thought, then the rest").status_code == 200
    response = client.get("/composer/drafts/reply:topic:12")
    assert response.status_code == 200
    data = response.get_json()
    assert data["body"] == "Half a thought, then the rest"
    assert data["when"] and data["updated_at"]
    assert _keys(pat) == {"reply:topic:12": "Half a thought, then the rest"}


def test_no_draft_is_an_empty_answer_and_an_empty_text_drops_it(client, login, pat):
    login(pat)
    assert client.get("/composer/drafts/bio").get_json() == {"body": None}
    _save(client, "bio", "About me")
    _save(client, "bio", "   ")
    assert _keys(pat) == {}
    response = client.get("/composer/drafts/bio")
    assert (response.status_code, response.get_json()) == (200, {"body": None})


def test_discard_drops_only_that_place(client, login, pat):
    login(pat)
    _save(client, "bio", "About me")
    _save(client, "new-message", "Hi")
    assert client.post("/composer/drafts/bio/discard").get_json() == {"discarded": True}
    assert _keys(pat) == {"new-message": "Hi"}


def test_a_member_never_reads_or_changes_another_members_draft(client, login, logout, pat, mallory):
    login(pat)
    _save(client, "reply:topic:5", "Pat's secret plan")
    logout()
    login(mallory)
    # Same key, other member: the keys name places, the drafts are always the signed-in member's.
    assert client.get("/composer/drafts/reply:topic:5").get_json() == {"body": None}
    _save(client, "reply:topic:5", "Mallory's text")
    client.post("/composer/drafts/reply:topic:5/discard")
    assert _keys(pat) == {"reply:topic:5": "Pat's secret plan"}
    assert _keys(mallory) == {}


@pytest.mark.parametrize(
    "key", ["Reply:topic:1", "reply:topic:x", "reply:topic", "a" * 90, "reply;drop", "reply:topic:1:2"]
)
def test_a_malformed_key_is_a_400_with_a_message(client, login, pat, key):
    login(pat)
    for response in (client.get(f"/composer/drafts/{key}"), _save(client, key, "x")):
        assert response.status_code == 400
        assert response.get_json() == {"error": "That is not a place a draft can be kept."}
    assert _keys(pat) == {}


def test_a_draft_longer_than_a_post_is_refused(client, login, pat, app):
    login(pat)
    response = _save(client, "bio", "y" * (app.config["POST_MAX_CHARS"] + 1))
    assert response.status_code == 400
    assert "longest text we keep" in response.get_json()["error"]
    assert _keys(pat) == {}


def test_a_member_keeps_at_most_max_drafts_the_oldest_going(pat):
    base = in_days(-10)
    for i in range(MAX_DRAFTS):
        drafts.save_draft(acting(pat), f"reply:topic:{i}", f"draft {i}")
        db.session.execute(db.update(Draft).where(Draft.key == f"reply:topic:{i}")
                           .values(updated_at=base + timedelta(minutes=i)))  # fmt: skip
        db.session.commit()
    drafts.save_draft(acting(pat), "bio", "the newest")
    keys = _keys(pat)
    assert len(keys) == MAX_DRAFTS
    assert "reply:topic:0" not in keys and "bio" in keys and "reply:topic:1" in keys
    assert db.session.scalar(select(func.count()).select_from(Draft)) == MAX_DRAFTS


@pytest.mark.parametrize("who", ["anonymous", "suspended"])
def test_only_active_members_keep_drafts(client, login, who, request):
    if who == "suspended":
        login(request.getfixturevalue("suspended"))
    response = _save(client, "bio", "x")
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_saving_a_draft_needs_the_csrf_token(client, login, pat, csrf_app):
    login(pat)
    response = client.post("/composer/drafts/bio", data={"body": "x"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert _keys(pat) == {}


@pytest.mark.parametrize("others", [0, 30])
def test_fetching_a_draft_takes_four_queries_however_many_drafts(client, login, pat, assert_queries, others):
    login(pat)
    for i in range(others):
        drafts.save_draft(acting(pat), f"reply:topic:{i}", "x")
    _save(client, "bio", "About me")
    with assert_queries(4):  # the session's member, their groups, the draft, the settings (the default zone)
        assert client.get("/composer/drafts/bio").status_code == 200


# --------------------------------------------------------------------------------------------------
# Each composer: its draft goes when the post is made, and stays when the post is refused.


def _setup(kind: str, fran: User, pat: User, sam: User) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """(url, draft key, good form, refused form) for one composer, written by pat (fran for an event)."""
    group = make_group(fran, members=[pat, sam])
    if kind == "discussion":
        board = make_board(fran, group=group)
        return (
            f"/boards/{board.id}/new",
            f"new-discussion:board:{board.id}",
            {"title": "A new one", "body": "Hello", "tags": ""},
            {"title": "A new one", "body": " ", "tags": ""},
        )
    if kind == "reply":
        topic = make_discussion(fran, make_board(fran, group=group))
        return f"/discussions/{topic.id}/reply", f"reply:topic:{topic.id}", {"body": "My reply"}, {"body": " "}
    if kind == "edit-post":
        topic = make_discussion(fran, make_board(fran, group=group))
        post = make_reply(pat, topic)
        return (
            f"/posts/{post.id}/edit",
            f"edit:post:{post.id}",
            {"body": "Changed", "revision": "0"},
            {"body": " ", "revision": "0"},
        )
    if kind == "question":
        return (
            "/questions/ask",
            "new-question",
            {"title": "How do I start?", "body": "Please help", "tags": "", "where": ""},
            {"title": "", "body": "Please help", "tags": "", "where": ""},
        )
    if kind == "answer":
        question = make_question(sam)
        return f"/questions/{question.id}/answers", f"answer:topic:{question.id}", {"body": "Try this"}, {"body": " "}
    if kind == "blog-post":
        return (
            "/blogs/new",
            "new-blog-post",
            {"title": "My week", "body": "It went well", "group_id": "0", "publish": "1"},
            {"title": " ", "body": "It went well", "group_id": "0", "publish": "1"},
        )
    if kind == "blog-comment":
        topic = make_blog_post(sam)
        return f"/blog/{topic.id}/comments", f"comment:topic:{topic.id}", {"body": "Nice"}, {"body": " "}
    if kind == "blog-reply":
        topic = make_blog_post(sam)
        comment = make_blog_comment(sam, topic)
        return (
            f"/blog/{topic.id}/comments",
            f"reply:post:{comment.id}",
            {"body": "Agreed", "parent_id": str(comment.id)},
            {"body": " ", "parent_id": str(comment.id)},
        )
    if kind == "qa-comment":
        question = make_question(sam)
        opening = opening_post(question)
        url = f"/questions/posts/{opening.id}/comments"
        return url, f"comment:post:{opening.id}", {"body": "Which one?"}, {"body": " "}
    if kind == "blog-edit":
        topic = make_blog_post(pat)
        opening = opening_post(topic)
        return (
            f"/blog/{topic.id}/edit",
            f"blog-post:topic:{topic.id}",
            {
                "title": "New title",
                "body": "Edited",
                "group_id": "0",
                "save_draft": "1",
                "revision": str(opening.revision_count),
            },
            {"title": " ", "body": "Edited", "group_id": "0", "save_draft": "1"},
        )
    if kind == "message":
        return "/messages/new", "new-message", {"to": "@sam", "body": "Hello Sam"}, {"to": "@sam", "body": " "}
    if kind == "conversation":
        topic = make_conversation(sam, pat)
        return f"/messages/{topic.id}/reply", f"message:conversation:{topic.id}", {"body": "Hi"}, {"body": " "}
    if kind == "event-comment":
        topic = make_event(fran, group)
        return f"/events/{topic.id}/comments", f"comment:topic:{topic.id}", {"body": "See you"}, {"body": " "}
    if kind == "bio":
        return (
            "/members/me/edit",
            "bio",
            {"display_name": "Pat P", "headline": "", "organisation": "", "programme": "", "bio": "Hello"},
            {"display_name": "", "headline": "", "organisation": "", "programme": "", "bio": "Hello"},
        )
    raise AssertionError(kind)


KINDS = ["discussion", "reply", "edit-post", "question", "answer", "qa-comment", "blog-post", "blog-comment",
         "blog-reply", "blog-edit", "message", "conversation", "event-comment", "bio"]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_the_draft_goes_when_the_post_is_made_and_stays_when_it_is_refused(client, login, fran, pat, sam, kind):
    url, key, good, refused = _setup(kind, fran, pat, sam)
    login(pat)
    _save(client, key, "What I was typing")
    _save(client, "bio" if key != "bio" else "new-message", "Another place")
    response = client.post(url, data=refused)
    assert response.status_code in (400, 409), response.status_code
    assert key in _keys(pat)  # a failed submission keeps the draft
    response = client.post(url, data=good)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    keys = _keys(pat)
    assert key not in keys
    assert len(keys) == 1  # the other place's draft stays


def test_an_event_description_draft_goes_when_the_event_is_scheduled(client, login, fran):
    group = make_group(fran)
    login(fran)
    _save(client, "new-event", "Bring your notes")
    start = in_days(5)
    form = {"title": "Weekly tutorial", "where": str(group.id), "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "timezone": "Europe/London",
            "location": "Room 3", "online_url": "", "capacity": "", "repeat": "none", "repeat_count": "",
            "repeat_until": "", "rrule": "", "body": "Bring your notes"}  # fmt: skip
    assert client.post("/events/new", data=dict(form, title="")).status_code == 400
    assert "new-event" in _keys(fran)
    assert client.post("/events/new", data=form).status_code == 302
    assert _keys(fran) == {}


def test_a_composer_page_carries_its_draft_place_and_limits(client, login, fran, pat, app):
    topic = make_discussion(fran, make_board(fran, group=make_group(fran, members=[pat])))
    login(pat)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert f'data-draft-url="/composer/drafts/reply:topic:{topic.id}"' in html
    assert f'data-max-bytes="{app.config["IMAGE_MAX_BYTES"]}"' in html
    assert 'data-upload-url="/composer/images"' in html
    assert '<markdown-toolbar for="body" class="composer-toolbar" role="toolbar" aria-label="Styling"' in html
    assert 'type="module" src="/static/js/composer.js' in html


def test_each_comment_box_under_a_question_is_a_composer_of_its_own(client, login, fran, pat, sam):
    question = make_question(sam)
    answer = make_answer(fran, question)
    login(pat)
    html = client.get(f"/questions/{question.id}").get_data(as_text=True)
    for post_id in (opening_post(question).id, answer.id):
        assert f'<markdown-toolbar for="comment-{post_id}" class="composer-toolbar"' in html
        assert f'data-draft-url="/composer/drafts/comment:post:{post_id}"' in html
        assert f'<label for="comment-{post_id}">Your comment</label>' in html
        assert f'<textarea id="comment-{post_id}" name="body"' in html
    assert html.count('maxlength="600"') == 2


def test_a_refused_comment_keeps_its_text_in_its_own_box_only(client, login, fran, pat, sam):
    question = make_question(sam)
    answer = make_answer(fran, question)
    login(pat)
    response = client.post(f"/questions/posts/{answer.id}/comments", data={"body": "x" * 601})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count("x" * 601) == 1
    assert f'id="comment-{answer.id}-error"' in html
    assert f'id="comment-{opening_post(question).id}-error"' not in html


def test_the_blog_reply_box_is_a_composer_renamed_for_each_comment(client, login, pat, sam):
    topic = make_blog_post(sam)
    comment = make_blog_comment(sam, topic)
    login(pat)
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    template = html[html.index('<template id="reply-template">'):html.index("</template>")]
    assert '<markdown-toolbar for="reply-body-0"' in template
    assert 'data-draft-url="/composer/drafts/reply:post:0"' in template
    assert "data-reply-label" in template
    # Without JavaScript, ?reply= gives the box for that comment, with its own draft.
    html = client.get(f"/blog/{topic.id}?reply={comment.id}").get_data(as_text=True)
    assert f'<markdown-toolbar for="reply-body-{comment.id}"' in html
    assert f'data-draft-url="/composer/drafts/reply:post:{comment.id}"' in html
