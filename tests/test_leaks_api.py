"""A private group's content through EVERY API route, as each persona: the non-member and the member of another
private group get 404 or lists without it (and write nothing), its members, facilitator and the admin read it.
The routes are walked from the app's URL map, so a new API route is covered the day it is added."""

import pytest
from flask import current_app
from sqlalchemy import func, select

from community.extensions import db
from community.models import Notification, Post, Topic
from community.services import blogs, qa
from tests.factories import acting
from tests.factories_api import bearer, token_for
from tests.factories_events import answer as rsvp
from tests.factories_events import make_event
from tests.factories_groups import make_group
from tests.factories_social import board_of, discussion, opening, question, reply

SECRET = "zanzibarish"


@pytest.fixture
def world(fran, pat, sam, mallory, admin):
    group = make_group(fran, "private", members=[pat], name=f"{SECRET} cohort", slug="secret-cohort")
    make_group(fran, "private", members=[sam], name="Another cohort")  # sam belongs elsewhere
    topic = discussion(fran, group, title=f"{SECRET} plans", body=f"{SECRET} body @pat")
    answer_to = question(pat, group, title=f"{SECRET} question", body=f"{SECRET} asked")
    answer = reply(fran, answer_to, f"{SECRET} answer", kind="answer")
    blogs.write_post(acting(pat), title=f"{SECRET} blog", body=f"{SECRET} shared", group=group, action="publish")
    event = make_event(fran, group, title=f"{SECRET} session", capacity=1)
    rsvp(pat, event.id, "going")
    notification = db.session.scalar(select(Notification).where(Notification.user_id == pat.id))
    return {"event": event, "group": group, "board": board_of(group), "topic": topic, "question": answer_to,
            "answer": answer, "reply": reply(pat, topic, f"{SECRET} reply"), "notification": notification}


def _api_rules():
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api."):
            yield rule


def _paths(world, method):
    """Every API path for ``method``, with the private world's ids (and its words for the search)."""
    values = {"board_id": world["board"].id, "topic_id": world["topic"].id, "post_id": world["answer"].id,
              "slug": world["group"].slug, "notification_id": world["notification"].id}  # fmt: skip
    for rule in _api_rules():
        if method not in rule.methods:
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments}, append_unknown=False)[1]
        yield path + (f"?q={SECRET}" if rule.endpoint == "api.search" else "")
        if "topic_id" in rule.arguments:  # the question and the event too
            for other in ("question", "event"):
                yield rule.build({**values, "topic_id": world[other].id}, append_unknown=False)[1]


BODIES = {"/vote": {"value": 1}, "/rsvp": {"answer": "maybe"}, "/accept": None, "/read": None,
          "/discussions": {"title": "sneaky", "body": "sneaky"},
          "/questions": {"title": "sneaky", "body": "sneaky", "group": "secret-cohort"}}


def _body(path):
    for ending, body in BODIES.items():
        if path.endswith(ending):
            return body
    return {"body": "sneaky"}


@pytest.mark.parametrize("persona", ["mallory", "sam"])
def test_outsiders_get_404_or_nothing_through_every_api_route(client, world, persona, request):
    user = request.getfixturevalue(persona)
    token = token_for(user, "write")
    posts_before = db.session.scalar(select(func.count()).select_from(Post))
    checked = 0
    for path in _paths(world, "GET"):
        response = client.get(path, headers=bearer(token))
        checked += 1
        assert response.status_code in (200, 404), (persona, path, response.status_code)
        assert SECRET not in response.data.decode(), (persona, path)
        if "{" not in path and any(part.isdigit() for part in path.split("/")) and "/members" not in path:
            assert response.status_code == 404, (persona, path)
    for path in _paths(world, "POST"):
        response = client.post(path, headers=bearer(token), json=_body(path))
        checked += 1
        assert response.status_code == 404, (persona, path, response.status_code, response.data)
        assert SECRET not in response.data.decode()
    assert checked >= 25
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Post)) == posts_before
    assert db.session.scalar(select(func.count()).select_from(Topic).where(Topic.title == "sneaky")) == 0


@pytest.mark.parametrize("persona", ["pat", "fran", "admin"])
def test_the_member_the_facilitator_and_the_admin_read_it(client, world, persona, request):
    user = request.getfixturevalue(persona)
    token = token_for(user)
    get = lambda path: client.get(f"/api/v1{path}", headers=bearer(token))  # noqa: E731
    assert get(f"/groups/{world['group'].slug}").status_code == 200
    assert get(f"/boards/{world['board'].id}").status_code == 200
    titles = {t["title"] for t in get(f"/boards/{world['board'].id}/discussions").json["items"]}
    assert f"{SECRET} plans" in titles
    assert f"{SECRET} plans" in {t["title"] for t in get("/discussions").json["items"]}
    assert f"{SECRET} question" in {t["title"] for t in get("/questions").json["items"]}
    assert f"{SECRET} blog" in {t["title"] for t in get("/blog-posts").json["items"]}
    assert get(f"/search?q={SECRET}").json["items"]
    bodies = [p["body"] for p in get(f"/topics/{world['topic'].id}/posts").json["items"]]
    assert f"{SECRET} reply" in bodies and f"{SECRET} body @pat" in bodies
    assert get(f"/posts/{world['answer'].id}").json["body"] == f"{SECRET} answer"
    assert f"{SECRET} session" in {e["title"] for e in get("/events").json["items"]}
    detail = get(f"/events/{world['event'].id}").json
    assert [m["handle"] for m in detail["going"]] == ["pat"] and detail["capacity"] == 1
    assert detail["mine"] == ("going" if persona == "pat" else None)


def test_a_member_writes_through_the_pages_services_and_rules(client, world, pat, mallory):
    token = token_for(pat, "write")
    post = lambda path, json=None: client.post(f"/api/v1{path}", headers=bearer(token), json=json)  # noqa: E731
    made = post(f"/topics/{world['topic'].id}/posts", {"body": "From the LMS <script>x</script>"})
    assert made.status_code == 201, made.data
    assert "<script>" not in made.json["body_html"] and made.json["author"]["handle"] == "pat"
    started = post(f"/boards/{world['board'].id}/discussions", {"title": "New", "body": "Hello"})
    assert started.status_code == 201 and started.json["group_id"] == world["group"].id
    asked = post("/questions", {"title": "Why?", "body": "Because", "group": "secret-cohort"})
    assert asked.status_code == 201 and asked.json["kind"] == "question"
    comment = post(f"/topics/{world['question'].id}/posts", {"body": "A comment", "parent_id": world["answer"].id})
    assert comment.status_code == 201 and comment.json["parent_id"] == world["answer"].id
    assert post(f"/posts/{world['answer'].id}/vote", {"value": 1}).json == {"score": 1}
    assert post(f"/posts/{world['answer'].id}/vote", {"value": 7}).status_code == 422
    assert post(f"/posts/{world['answer'].id}/accept").status_code == 204  # pat asked the question
    db.session.expire_all()
    assert db.session.get(Topic, world["question"].id).accepted_post_id == world["answer"].id
    listed = client.get(f"/api/v1/topics/{world['question'].id}/posts", headers=bearer(token)).json["items"]
    assert [p["accepted"] for p in listed if p["id"] == world["answer"].id] == [True]
    assert post(f"/notifications/{world['notification'].id}/read").status_code == 204
    event = world["event"]
    assert post(f"/events/{event.id}/rsvp", {"answer": "maybe"}).json == {"answer": "maybe"}
    assert post(f"/events/{event.id}/rsvp", {"answer": "perhaps"}).status_code == 422
    assert post(f"/topics/{event.id}/posts", {"body": "See you there"}).status_code == 201
    empty = post(f"/topics/{world['topic'].id}/posts", {"body": "   "})
    assert empty.status_code == 400 and empty.mimetype == "application/problem+json" and "body" in empty.json["errors"]
    # mallory's write token: the same routes, a 404 each
    other = bearer(token_for(mallory, "write"))
    assert client.post(f"/api/v1/posts/{world['answer'].id}/accept", headers=other).status_code == 404
    assert opening(world["topic"]).body == f"{SECRET} body @pat"


def test_only_the_asker_accepts_and_a_locked_topic_takes_no_reply(client, world, fran, pat, sam):
    from community.services import boards

    group = world["group"]
    from community.services.groups import add_member

    add_member(group, sam, role="member", actor=fran)
    token = bearer(token_for(sam, "write"))
    assert client.post(f"/api/v1/posts/{world['answer'].id}/accept", headers=token).status_code == 403
    full = client.post(f"/api/v1/events/{world['event'].id}/rsvp", headers=token, json={"answer": "going"})
    assert full.status_code == 400 and "answer" in full.json["errors"]  # one place, pat's
    boards.set_locked(acting(fran), world["topic"], True)
    response = client.post(f"/api/v1/topics/{world['topic'].id}/posts", headers=token, json={"body": "late"})
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert qa  # the Q&A service is what answered


def test_the_posting_rate_limit_applies_to_the_api(client, world, pat, rate_limits, app):
    app.config["RATELIMIT_POSTING"] = "2 per minute"
    try:
        token = bearer(token_for(pat, "write"))
        path = f"/api/v1/topics/{world['topic'].id}/posts"
        statuses = [client.post(path, headers=token, json={"body": f"n{i}"}).status_code for i in range(4)]
        assert 429 in statuses and statuses[0] == 201
    finally:
        app.config["RATELIMIT_POSTING"] = "20 per minute"
