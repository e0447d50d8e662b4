"""Webhook deliveries: queued by the events, POSTed signed to a real local server, retried, withheld when
they must be (disabled hooks, private groups, held and hidden posts, private messages)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Board, Post, WebhookDelivery, utcnow
from community.services import moderation, webhooks
from community.services.webhooks import delivery as sending
from tests.factories import acting, load_post, make_user
from tests.factories_boards import general_board, make_board, make_discussion, make_reply
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation
from tests.factories_qa import make_answer, make_question
from tests.factories_webhooks import make_hook, receiver


def _deliveries(hook=None):
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if hook is not None:
        query = query.where(WebhookDelivery.webhook_id == hook.id)
    return list(db.session.scalars(query))


def _later(seconds=3600):
    return utcnow() + timedelta(seconds=seconds)


@pytest.fixture
def lounge(admin):
    return make_board(admin, "Lounge")


def test_a_new_discussion_is_posted_signed_to_a_real_server(admin, pat, lounge):
    with receiver() as server:
        hook = make_hook(admin, server.url, ["post.created"])
        topic = make_discussion(pat, lounge, "Reflective practice", "What do you **write** down?")
        assert webhooks.deliver_pending_webhooks() == 1
    [got] = server.requests
    assert got.headers["X-Community-Event"] == "post.created"
    assert got.headers["Content-Type"].startswith("application/json")
    timestamp, signature = got.headers["X-Community-Timestamp"], got.headers["X-Community-Signature"]
    expected = hmac.new(hook.secret.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256).hexdigest()
    assert signature == "sha256=" + expected
    assert hmac.compare_digest(signature, webhooks.sign(hook.secret, timestamp, got.body))
    payload = got.json
    assert set(payload) == {"event", "id", "created_at", "data"}
    assert payload["event"] == "post.created" and payload["id"] == got.headers["X-Community-Delivery"]
    assert payload["data"]["topic"]["title"] == "Reflective practice"
    assert payload["data"]["post"]["body"] == "What do you **write** down?"
    assert payload["data"]["post"]["author"]["handle"] == "pat"
    assert "email" not in json.dumps(payload["data"]["post"]["author"])
    assert payload["data"]["board"] == {"id": lounge.id, "name": "Lounge"}
    assert payload["data"]["post"]["url"].endswith(f"/t/{topic.id}") or str(topic.id) in payload["data"]["post"]["url"]
    [delivery] = _deliveries(hook)
    assert delivery.delivered_at is not None and delivery.status_code == 200 and delivery.attempts == 1
    assert delivery.response_excerpt == "ok"


def test_a_tampered_body_or_another_timestamp_does_not_verify(admin, pat, lounge):
    with receiver() as server:
        hook = make_hook(admin, server.url, ["post.created"])
        make_discussion(pat, lounge)
        webhooks.deliver_pending_webhooks()
    [got] = server.requests
    timestamp, signature = got.headers["X-Community-Timestamp"], got.headers["X-Community-Signature"]
    assert webhooks.sign(hook.secret, timestamp, got.body + b" ") != signature
    assert webhooks.sign(hook.secret, str(int(timestamp) + 600), got.body) != signature  # a replay later
    assert webhooks.sign("whsec_wrong", timestamp, got.body) != signature


def test_a_500_is_retried_with_backoff_then_delivered_with_the_same_body(admin, pat, lounge):
    with receiver([500, 500, 200]) as server:
        hook = make_hook(admin, server.url, ["post.created"])
        make_discussion(pat, lounge)
        assert webhooks.deliver_pending_webhooks() == 0
        [delivery] = _deliveries(hook)
        assert delivery.attempts == 1 and delivery.status_code == 500 and delivery.delivered_at is None
        assert len(delivery.response_excerpt) <= sending.EXCERPT  # a short excerpt, never the whole answer
        first_retry = delivery.next_attempt_at - utcnow()
        assert timedelta(seconds=7) < first_retry < timedelta(seconds=13)
        assert webhooks.deliver_pending_webhooks() == 0  # not due yet: nothing sent
        assert len(server.requests) == 1
        assert webhooks.deliver_pending_webhooks(now=_later(15)) == 0
        db.session.refresh(delivery)
        assert delivery.attempts == 2
        assert delivery.next_attempt_at - _later(15) > timedelta(seconds=15)  # the delay doubled
        assert webhooks.deliver_pending_webhooks(now=_later()) == 1
    db.session.refresh(delivery)
    assert delivery.delivered_at is not None and delivery.attempts == 3 and delivery.status_code == 200
    assert len({r.body for r in server.requests}) == 1
    assert len({r.headers["X-Community-Delivery"] for r in server.requests}) == 1


def test_a_delivery_is_given_up_after_the_last_attempt(app, admin, pat, lounge):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    try:
        with receiver([503]) as server:
            hook = make_hook(admin, server.url, ["post.created"])
            make_discussion(pat, lounge)
            webhooks.deliver_pending_webhooks()
            webhooks.deliver_pending_webhooks(now=_later())
            webhooks.deliver_pending_webhooks(now=_later(7200))
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 8
    [delivery] = _deliveries(hook)
    assert delivery.failed_at is not None and delivery.attempts == 2 and len(server.requests) == 2


def test_a_redirect_is_not_followed(admin, pat, lounge):
    with receiver([302]) as server, receiver() as elsewhere:
        server.redirect_to = elsewhere.url
        hook = make_hook(admin, server.url, ["post.created"])
        make_discussion(pat, lounge)
        assert webhooks.deliver_pending_webhooks() == 0
    assert len(server.requests) == 1 and elsewhere.requests == []
    [delivery] = _deliveries(hook)
    assert delivery.status_code == 302 and delivery.delivered_at is None


def test_a_disabled_hook_is_not_called(admin, pat, lounge):
    with receiver() as server:
        hook = make_hook(admin, server.url, ["post.created"], enabled=False)
        make_discussion(pat, lounge)
        assert _deliveries(hook) == []  # nothing queued while disabled
        webhooks.set_enabled(acting(admin), hook, True)
        make_discussion(pat, lounge, "Second")
        webhooks.set_enabled(acting(admin), hook, False)  # disabled again before the worker's round
        assert webhooks.deliver_pending_webhooks(now=_later()) == 0
    assert server.requests == []
    [waiting] = _deliveries(hook)
    assert waiting.delivered_at is None and waiting.attempts == 0


def test_a_name_that_resolves_to_a_private_address_is_refused_at_sending(admin, pat, lounge, monkeypatch):
    hook = make_hook(admin, "https://hooks.example.org/in", ["post.created"])
    make_discussion(pat, lounge)
    monkeypatch.setattr(sending, "resolve", lambda host, port: ["10.1.2.3"])
    called = []
    monkeypatch.setattr(sending.socket, "create_connection", lambda *a, **k: called.append(a))
    assert webhooks.deliver_pending_webhooks() == 0
    assert called == []  # refused before any connection
    [delivery] = _deliveries(hook)
    assert delivery.status_code is None and "private address" in delivery.response_excerpt


def test_events_choose_the_hooks_and_the_board(admin, pat, sam, lounge):
    other = make_board(admin, "Other")
    with receiver() as server:
        only_lounge = make_hook(admin, server.url, ["post.created"], board_id=lounge.id)
        members = make_hook(admin, server.url, ["member.joined"])
        answers = make_hook(admin, server.url, ["question.answered"])
        topic = make_discussion(pat, lounge)
        make_reply(sam, topic, "A reply in the lounge")
        make_discussion(pat, other, "Elsewhere")
        question = make_question(pat, title="How do I start a learning log?")
        make_answer(sam, question, "Begin with one line a day.")
        webhooks.deliver_pending_webhooks()
    assert [d.event for d in _deliveries(only_lounge)] == ["post.created", "post.created"]
    assert _deliveries(members) == []
    [answered] = _deliveries(answers)
    body = json.loads(answered.body)
    assert body["event"] == "question.answered" and body["data"]["post"]["body"] == "Begin with one line a day."
    assert body["data"]["topic"]["title"] == "How do I start a learning log?"
    assert len(server.requests) == 3


def test_a_member_joining_is_sent(admin):
    from community.services.admin import approve_member

    with receiver() as server:
        make_hook(admin, server.url, ["member.joined"])
        penny = make_user("penny", state="pending", display_name="Penny Newcomer")
        approve_member(acting(admin), penny)
        webhooks.deliver_pending_webhooks()
    [got] = server.requests
    assert got.headers["X-Community-Event"] == "member.joined"
    assert got.json["data"]["member"]["handle"] == "penny"
    assert "penny@example.org" not in got.body.decode()  # never the e-mail address


def test_private_group_posts_go_only_to_hooks_an_admin_made(admin, fran, pat):
    cohort = make_group(fran, "private", members=[pat], name="Cohort 7")
    board = general_board(cohort)
    with receiver() as server:
        by_admin = make_hook(admin, server.url, ["post.created"])
        former = make_user("former", role="admin")
        by_former = make_hook(former, server.url, ["post.created"])
        former.role = "participant"  # the maker is no longer a manager: private content stops going there
        db.session.commit()
        make_discussion(pat, board, "Private cohort thoughts")
        webhooks.deliver_pending_webhooks()
    assert len(_deliveries(by_admin)) == 1 and _deliveries(by_former) == []
    assert server.requests[0].json["data"]["group"]["visibility"] == "private"


def test_private_messages_are_never_sent(admin, fran, pat):
    with receiver() as server:
        make_hook(admin, server.url)
        make_conversation(fran, pat, body="Just between us", replies=2)
        webhooks.deliver_pending_webhooks()
    assert _deliveries() == [] and server.requests == []


def test_a_held_post_is_sent_only_once_approved(admin, fran, pat):
    cohort = make_group(fran, "open", members=[pat], name="Cohort 8")
    cohort.approve_all_posts = True
    db.session.commit()
    board = db.session.scalar(select(Board).where(Board.group_id == cohort.id))
    with receiver() as server:
        hook = make_hook(admin, server.url, ["post.created"])
        from community.services import posts

        topic = posts.create_topic(acting(pat), kind="discussion", title="Held", body="Waiting", board=board)
        assert topic.status == "pending"
        webhooks.deliver_pending_webhooks()
        assert _deliveries(hook) == [] and server.requests == []
        from community.models import Report

        report = db.session.scalar(select(Report).where(Report.topic_id == topic.id))
        moderation.approve_held(acting(fran), moderation.access_report(acting(fran), report.id))
        webhooks.deliver_pending_webhooks()
    assert [r.json["data"]["topic"]["title"] for r in server.requests] == ["Held"]


def test_a_post_hidden_before_sending_is_withdrawn(admin, fran, pat, lounge):
    with receiver() as server:
        hook = make_hook(admin, server.url, ["post.created"])
        topic = make_discussion(pat, lounge, "Spam, as it turns out")
        opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
        post = load_post(admin, opening.id)
        moderation.hide_content(acting(admin), post, post.topic, "spam")
        assert webhooks.deliver_pending_webhooks() == 0
    assert server.requests == [] and _deliveries(hook) == []


def test_send_test_queues_a_ping(admin):
    with receiver() as server:
        hook = make_hook(admin, server.url, ["member.joined"])
        webhooks.send_test(acting(admin), hook)
        assert webhooks.deliver_pending_webhooks() == 1
    [got] = server.requests
    assert got.headers["X-Community-Event"] == "ping" and got.json["data"]["webhook"]["id"] == hook.id


def test_rotating_the_secret_signs_with_the_new_one(admin):
    with receiver() as server:
        hook = make_hook(admin, server.url, ["member.joined"])
        old = hook.secret
        new = webhooks.rotate_secret(acting(admin), hook)
        webhooks.send_test(acting(admin), hook)
        webhooks.deliver_pending_webhooks()
    [got] = server.requests
    timestamp = got.headers["X-Community-Timestamp"]
    assert new != old and got.headers["X-Community-Signature"] == webhooks.sign(new, timestamp, got.body)
