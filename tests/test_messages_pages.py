"""The messages pages: the inbox, a conversation, writing (good and bad input), the header's count, the ways
in (profile, directory, dashboard, a nudge), notifications and e-mail, muting, exact query counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Notification, OutboxMessage, Participant, Post, Topic, User
from community.services import messages, notifications
from community.services.nudges import send_nudge
from tests.factories import acting, make_user
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation, participant, send


@pytest.fixture
def cohort(fran, pat, sam, mallory):
    return make_group(fran, "open", members=[pat, sam, mallory], name="Cohort 7")


# ----------------------------------------------------------------------------------------------------------
# Writing


def test_a_message_starts_a_conversation_and_lands_in_both_inboxes(client, login, cohort, pat, sam):
    login(pat)
    response = client.post("/messages/new", data={"to": "@sam", "subject": "", "body": "Shall we **study**?"})
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic).where(Topic.kind == "conversation"))
    assert response.headers["Location"].endswith(f"/messages/{topic.id}")
    assert topic.group_id is None and topic.board_id is None and topic.title == ""
    page = client.get(f"/messages/{topic.id}").data.decode()
    assert "<strong>study</strong>" in page and "<h1>Sam Peer</h1>" in page  # untitled: named after the others
    login(sam)
    inbox = client.get("/messages").data.decode()
    assert "Pat Participant" in inbox and "Unread:" in inbox and "Shall we study?" in inbox


BAD_INPUT = [
    ({"to": "", "body": "Kept text one"}, "to", "Please name at least one member to write to."),
    ({"to": "@pat", "body": "Kept text two"}, "to", "Please name at least one member to write to."),
    ({"to": "@nobody_here", "body": "Kept text three"}, "to", "There is no member called @nobody_here"),
    ({"to": "@lona", "body": "Kept text four"}, "to", "You can&#39;t send a message to Lona Lone (@lona)."),
    ({"to": "@sam", "body": "   "}, "body", "Please write something first."),
    ({"to": "@sam", "subject": "x" * 121, "body": "Kept text five"}, "subject", "120 characters at most"),
    ({"to": "@sam <script>", "body": "Kept text six"}, "to", "There is no member called"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_on_its_field_with_the_text_kept(client, login, cohort, pat, sam, data, field,
                                                                message):  # fmt: skip
    make_user("lona", display_name="Lona Lone")  # shares no group with Pat
    login(pat)
    response = client.post("/messages/new", data=data)
    assert response.status_code == 400
    html = response.data.decode()
    assert message in html
    assert re.search(rf'id="{field}-error"', html), field
    if data["body"].strip():
        assert data["body"] in html
    assert db.session.scalar(select(Topic).where(Topic.kind == "conversation")) is None


def test_more_than_twenty_people_are_refused(client, login, fran):
    others = [make_user(f"p{i:02d}") for i in range(20)]
    login(fran)
    response = client.post("/messages/new", data={"to": ", ".join(f"@{u.handle}" for u in others), "body": "All"})
    assert response.status_code == 400 and "20 people at most" in response.data.decode()
    assert client.post("/messages/new", data={"to": ", ".join(u.handle for u in others[:19]), "body": "All"}
                       ).status_code == 302  # fmt: skip
    topic = db.session.scalar(select(Topic).where(Topic.kind == "conversation"))
    login(fran)
    response = client.post(f"/messages/{topic.id}/people", data={"to": "@" + others[19].handle})
    assert response.status_code == 403  # full: no "Add people" either
    assert "Add people" not in client.get(f"/messages/{topic.id}").data.decode()


def test_an_empty_reply_keeps_the_page_and_says_why(client, login, cohort, pat, sam):
    topic = make_conversation(pat, sam)
    login(sam)
    response = client.post(f"/messages/{topic.id}/reply", data={"body": ""})
    assert response.status_code == 400 and "Please write something first." in response.data.decode()


def test_adding_someone_unknown_or_not_allowed_is_refused_on_the_field(client, login, cohort, pat, sam):
    topic = make_conversation(pat, sam)
    make_user("lona", display_name="Lona Lone")
    login(pat)
    for handle, words in (("@ghost", "There is no member called @ghost"), ("@lona", "send a message to Lona"),
                          ("@sam", "already in this conversation")):  # fmt: skip
        response = client.post(f"/messages/{topic.id}/people", data={"to": handle})
        assert response.status_code == 400 and words in response.data.decode(), handle
        assert 'id="to-error"' in response.data.decode()


def test_new_members_messages_are_link_capped_and_refused_not_held(client, login, cohort, pat, sam, admin):
    from community.services.settings import update_settings

    update_settings(acting(admin), blocked_words=["bitcoin"], premoderate_first_posts=5)
    login(pat)
    links = " ".join(f"https://example{i}.org" for i in range(3))
    response = client.post("/messages/new", data={"to": "@sam", "body": links})
    assert response.status_code == 400 and "at most 2 links in a message" in response.data.decode()
    response = client.post("/messages/new", data={"to": "@sam", "body": "Buy bitcoin now"})
    assert response.status_code == 400 and "doesn&#39;t allow" in response.data.decode()
    # First messages are not pre-moderated: nobody but the participants may read them.
    assert client.post("/messages/new", data={"to": "@sam", "body": "Plain hello"}).status_code == 302
    assert db.session.scalar(select(Post).where(Post.body == "Plain hello")).pending is False


def test_messages_are_rate_limited_like_posts(client, login, cohort, pat, sam, app, rate_limits):
    before = app.config["RATELIMIT_POSTING_NEW_MEMBER"]
    app.config["RATELIMIT_POSTING_NEW_MEMBER"] = "2 per minute"
    try:
        topic = make_conversation(pat, sam)  # the first message
        login(pat)
        assert client.post(f"/messages/{topic.id}/reply", data={"body": "second"}).status_code == 302
        response = client.post(f"/messages/{topic.id}/reply", data={"body": "third, too fast"})
        assert response.status_code == 429 and "third, too fast" in response.data.decode()
    finally:
        app.config["RATELIMIT_POSTING_NEW_MEMBER"] = before


# ----------------------------------------------------------------------------------------------------------
# Reading, unread, the header


def test_the_header_counts_unread_conversations_and_reading_clears_it(client, login, cohort, pat, sam, mallory):
    first = make_conversation(pat, sam, body="One")
    make_conversation(mallory, sam, body="Two")
    login(sam)
    home = client.get("/").data.decode()
    assert 'aria-label="Messages, 2 unread conversations"' in home and "data-messages-count>2<" in home
    # The page that reads it already counts it read (its write is its own, after the page's snapshot began).
    assert 'aria-label="Messages, 1 unread conversation"' in client.get(f"/messages/{first.id}").data.decode()
    assert 'aria-label="Messages, 1 unread conversation"' in client.get("/").data.decode()
    assert participant(first.id, sam).last_read_number == 1
    # Their own answer doesn't make it unread for them; it does for Pat, who had read it all.
    send(sam, first.id, "Answer")
    db.session.rollback()
    assert messages.unread_conversations(acting(db.session.get(User, sam.id))) == 1
    assert messages.unread_conversations(acting(db.session.get(User, pat.id))) == 1


def test_the_inbox_is_newest_first_and_keyset_paginated(client, login, fran, pat):
    people = [make_user(f"m{i:02d}", display_name=f"Member {i:02d}") for i in range(messages.INBOX_PAGE_SIZE + 3)]
    for person in people:
        make_conversation(fran, person, body=f"Hello {person.handle}")
    send(people[0], db.session.scalar(select(Participant.topic_id).where(Participant.user_id == people[0].id)),
         "Oldest conversation, newest message")  # fmt: skip
    login(fran)
    first = client.get("/messages").data.decode()
    names = re.findall(r"Member (\d\d)", first)
    assert names[0] == "00"  # moved to the top by its new message
    assert len(set(names)) == messages.INBOX_PAGE_SIZE
    after = re.search(r'href="/messages\?after=([^"]+)"', first).group(1)
    second = client.get(f"/messages?after={after}").data.decode()
    rest = set(re.findall(r"Member (\d\d)", second))
    assert rest and not rest & set(names) and len(rest | set(names)) == len(people)
    assert client.get("/messages?after=nonsense").status_code == 200


def test_searching_messages_finds_only_ones_own_conversations(client, login, cohort, pat, sam, mallory):
    make_conversation(pat, sam, body="Notes on the appraisal framework", subject="Appraisals")
    make_conversation(mallory, sam, body="Mallory's appraisal secrets", subject="Mallory topic")
    login(pat)
    found = client.get("/messages?q=appraisal").data.decode()
    assert "Appraisals" in found and "Mallory topic" not in found
    assert "No message of yours contains" in client.get("/messages?q=zebra").data.decode()
    login(sam)
    both = client.get("/messages?q=appraisal").data.decode()
    assert "Appraisals" in both and "Mallory topic" in both


def test_mute_stops_notifications_but_not_mentions(client, login, cohort, pat, sam):
    topic = make_conversation(pat, sam)
    login(sam)
    assert client.post(f"/messages/{topic.id}/mute").status_code == 302
    assert participant(topic.id, sam).muted
    send(pat, topic.id, "Anyone there?")
    send(pat, topic.id, "Hey @sam, look")
    kinds = list(db.session.scalars(select(Notification.kind).where(Notification.user_id == sam.id)
                                    .order_by(Notification.id)))  # fmt: skip
    assert kinds == ["message", "mention"]  # the first message (before muting), then the mention only
    db.session.rollback()
    assert messages.unread_conversations(acting(db.session.get(User, sam.id))) == 0  # muted: not in the header
    assert client.post(f"/messages/{topic.id}/unmute").status_code == 302
    assert not participant(topic.id, sam).muted


def test_mentions_in_a_conversation_reach_participants_only(cohort, pat, sam, mallory, fran):
    make_conversation(pat, sam, body="Hi @sam, and @mallory and @fran should never hear of this")
    told = set(db.session.scalars(select(Notification.user_id)))
    assert told == {sam.id}


def test_a_message_is_emailed_at_once_with_a_link_to_it(cohort, pat, sam):
    topic = make_conversation(pat, sam, body="Can we talk about module 3?")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == sam.email))
    assert mail is not None and "Pat Participant sent you a private message" in mail.subject
    assert "Can we talk about module 3?" in mail.body_text
    note = db.session.scalar(select(Notification).where(Notification.user_id == sam.id))
    assert f"/p/{note.post_id}" in mail.body_text
    assert notifications.DEFAULT_DELIVERY["message"] == "email"
    assert note.topic_id == topic.id


def test_a_muted_author_is_collapsed_and_silent(client, login, cohort, pat, sam):
    from community.services.moderation import set_relation

    set_relation(sam, pat, "mute", True)
    topic = make_conversation(pat, sam, body="You muted me")
    assert db.session.scalar(select(Notification).where(Notification.user_id == sam.id)) is None
    login(sam)
    assert "You muted Pat Participant. Show this post" in client.get(f"/messages/{topic.id}").data.decode()


def test_deleting_ones_own_message(client, login, cohort, pat, sam):
    topic = make_conversation(pat, sam, body="Oops, wrong person")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    login(sam)
    assert client.post(f"/messages/posts/{post.id}/delete").status_code == 403
    login(pat)
    assert client.post(f"/messages/posts/{post.id}/delete").status_code == 302
    assert "This post was deleted." in client.get(f"/messages/{topic.id}").data.decode()


def test_reactions_work_on_messages(client, login, cohort, pat, sam):
    topic = make_conversation(pat, sam, body="Passed the exam!")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    login(sam)
    response = client.post(f"/posts/{post.id}/react", data={"kind": "celebrate"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/p/{post.id}")
    assert client.get(f"/p/{post.id}").headers["Location"].endswith(f"/messages/{topic.id}")
    assert "Celebrate" in client.get(f"/messages/{topic.id}").data.decode()


# ----------------------------------------------------------------------------------------------------------
# The ways in


def test_message_buttons_on_profile_directory_and_dashboard(client, login, cohort, fran, pat):
    login(fran)
    assert 'href="/messages/new?to=pat"' in client.get("/members/pat").data.decode()
    assert 'href="/messages/new?to=pat"' in client.get("/members").data.decode()
    assert 'href="/messages/new?to=pat"' in client.get(f"/dashboard/?group={cohort.slug}").data.decode()
    assert 'href="/messages/new?to=fran"' not in client.get("/members/fran").data.decode()  # not oneself
    assert 'value="pat"' in client.get("/messages/new?to=pat").data.decode()


def test_a_nudge_is_answered_by_a_message_to_the_facilitator(client, login, cohort, fran, pat):
    send_nudge(acting(fran), pat, "We miss you in the forum! How is module 2 going?")
    note = db.session.scalar(select(Notification).where(Notification.kind == "nudge"))
    login(pat)
    listing = client.get("/notifications").data.decode()
    link = f"/messages/new?to=fran&amp;nudge={note.id}"
    assert link in listing
    form = client.get(link.replace("&amp;", "&")).data.decode()
    assert 'value="fran"' in form and "&gt; We miss you in the forum! How is module 2 going?" in form
    # Someone else's nudge id fills nothing in.
    login(fran)
    assert "We miss you" not in client.get(f"/messages/new?to=pat&nudge={note.id}").data.decode()


# ----------------------------------------------------------------------------------------------------------
# Query counts: the same for few and many


@pytest.mark.parametrize("size", [2, 12])
def test_inbox_query_count(client, login, fran, pat, assert_queries, size):
    for i in range(size):
        other = make_user(f"q{i:02d}")
        topic = make_conversation(fran, pat, other, body=f"Hello {i}")
        send(other, topic.id, "Answer")
    login(pat)
    # session + group roles + settings + header counts (bell and messages, one statement)
    # + conversations + their people + their latest messages
    with assert_queries(7):
        assert client.get("/messages").status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_conversation_query_count(client, login, fran, pat, sam, assert_queries, size):
    topic = make_conversation(fran, pat, sam, body="Start", replies=size)
    login(pat)
    path = f"/messages/{topic.id}"
    client.get(path)  # read it all: the page under test writes nothing
    # session + group roles + the topic + the viewer's row + messages with authors + people + blocks +
    # reactions + settings + header counts (bell and messages, one statement) + the viewer's mutes (collapsing)
    with assert_queries(11):
        assert client.get(path).status_code == 200


def test_the_inbox_excerpt_leaves_quoted_lines_out(client, login, cohort, fran, pat):
    make_conversation(pat, fran, body="> We miss you in the forum!\n\nThank you, I'll be back next week.")
    login(fran)
    inbox = client.get("/messages").data.decode()
    assert "Thank you, I&#39;ll be back next week." in inbox and "We miss you" not in inbox


def test_a_permalink_to_an_earlier_message_opens_the_page_that_holds_it(client, login, cohort, pat, sam):
    topic = make_conversation(pat, sam, body="First", replies=60)
    posts_by_number = {p.number: p for p in db.session.scalars(select(Post).where(Post.topic_id == topic.id))}
    login(pat)
    early = posts_by_number[3]
    location = client.get(f"/p/{early.id}").headers["Location"]
    assert location.endswith(f"/messages/{topic.id}?before=4#post-3")
    assert 'id="post-3"' in client.get(location.split("#")[0]).data.decode()
    recent = posts_by_number[50]
    assert client.get(f"/p/{recent.id}").headers["Location"].endswith(f"/messages/{topic.id}#post-50")
    assert 'id="post-50"' in client.get(f"/messages/{topic.id}").data.decode()
