"""Mute and block silence what comes from that member: their replies, mentions, answers, comments and posts in
what you watch (none is created, none is mailed, and those from before disappear while the mute lasts), and
a muted member's activity leaves your home feed. Duties are not silenced: a facilitator still hears of
requests to join and reports, and decisions about you always reach you."""

import re

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Notification, OutboxMessage, User
from community.services import groups, notifications, posts, social
from community.services.moderation import set_relation
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_social import board_of, discussion, question, reply


def _fresh(user: User) -> User:
    db.session.rollback()
    return acting(db.session.get(User, user.id))


def _kinds(user: User) -> list[str]:
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]  # fmt: skip


def _page(client, login, user: User) -> str:
    login(_fresh(user))
    html = client.get("/notifications").get_data(as_text=True)
    bell = re.search(r"data-bell-count>(\d+)<", html)
    assert (int(bell.group(1)) if bell else 0) == html.count('class="notification unread"')
    return html


@pytest.mark.parametrize("kind", ["mute", "block"])
def test_nothing_comes_from_a_member_one_muted_or_blocked(kind, fran, pat, sam):
    set_relation(acting(pat), sam, kind, True)
    social.watch(acting(pat), "board", board_of(None).id)
    topic = discussion(pat, title="Pat's thread")
    asked = question(pat, title="Pat's question")
    blog = posts.create_topic(acting(pat), kind="blog", title="Pat's blog", body="Notes")
    reply(sam, topic, "@pat a reply and a mention")
    reply(sam, asked, "An answer", kind="answer")
    reply(sam, blog, "A comment", kind="comment")
    discussion(sam, title="Sam posts on the watched board")
    assert _kinds(pat) == []
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == pat.email)) is None
    reply(fran, topic, "Fran is not muted")
    assert _kinds(pat) == ["reply"]


@pytest.mark.parametrize("kind", ["mute", "block"])
def test_what_came_before_the_mute_goes_quiet_and_comes_back_after(client, login, kind, fran, pat, sam):
    topic = discussion(pat, title="Pat's thread")
    reply(sam, topic, "Sam's old reply")
    reply(fran, topic, "Fran's old reply")
    assert "Sam Peer" in _page(client, login, pat)
    set_relation(_fresh(pat), sam, kind, True)
    html = _page(client, login, pat)
    assert "Sam Peer" not in html and "Fran Facilitator" in html
    assert notifications.unread_count(_fresh(pat)) == 1
    set_relation(_fresh(pat), sam, kind, False)
    assert "Sam Peer" in _page(client, login, pat)


def test_a_facilitator_who_muted_a_member_still_hears_of_their_request(fran, pat):
    set_relation(acting(fran), pat, "mute", True)
    group = make_group(fran, "request")
    groups.request_to_join(acting(pat), group, None)
    assert _kinds(fran) == ["join_request"]


def test_a_decision_about_you_reaches_you_even_from_someone_you_muted(fran, pat):
    set_relation(acting(pat), fran, "block", True)
    group = make_group(fran, "request")
    request = groups.request_to_join(acting(pat), group, None)
    groups.answer_request(acting(fran), group, request.id, approve=True)
    assert _kinds(pat) == ["join_approved"]


def test_muting_is_one_members_choice(client, login, fran, pat, sam):
    set_relation(acting(pat), sam, "mute", True)
    topic = discussion(fran, title="Fran's thread")
    reply(sam, topic, "Sam replies to Fran")
    assert _kinds(fran) == ["reply"]
    assert "Sam Peer" in _page(client, login, fran)


# ----------------------------------------------------------------------------------------------------------
# The home feed


def test_a_muted_members_activity_leaves_the_home_feed(client, login, fran, pat, sam):
    mine = discussion(fran, title="Fran asks")
    discussion(sam, title="Sam starts a thread")
    reply(sam, mine, "Sam chimes in")
    set_relation(acting(pat), sam, "mute", True)
    login(_fresh(pat))
    html = client.get("/").get_data(as_text=True)
    assert "Fran asks" in html and "Sam starts a thread" not in html and "Sam chimes in" not in html
    login(_fresh(fran))  # only for the one who muted
    assert "Sam starts a thread" in client.get("/").get_data(as_text=True)
    set_relation(_fresh(pat), sam, "mute", False)
    login(_fresh(pat))
    assert "Sam starts a thread" in client.get("/").get_data(as_text=True)


def test_a_blocked_members_activity_leaves_the_home_feed_too(client, login, fran, pat, sam):
    discussion(sam, title="Sam starts a thread")
    set_relation(acting(pat), sam, "block", True)
    login(_fresh(pat))
    assert "Sam starts a thread" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("size", [2, 12])
def test_the_feed_costs_the_same_queries_with_mutes(client, login, admin, fran, pat, sam, assert_queries, size):
    for i in range(size):
        discussion(sam if i % 2 else fran, title=f"Muted topic {i}")
        discussion(admin, title=f"Shown topic {i}")
    set_relation(acting(pat), sam, "mute", True)
    set_relation(acting(pat), fran, "block", True)
    login(_fresh(pat))
    # session + group roles + settings + bell count + feed (the page's rows, then its entries): the mutes are
    # a subquery of the feed's own query; + the coming events (none here: tests/test_calendar_queries.py) + the
    # announcements at the top
    with assert_queries(8):
        html = client.get("/").get_data(as_text=True)
    assert "Shown topic 0" in html and "Muted topic" not in html
