"""The home feed: what is new that I may see, filters, new since my last visit, pages, query counts."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from community.extensions import db
from community.models import User, utcnow
from community.services import posts, social
from community.services.groups import join_group
from tests.factories import acting, make_user
from tests.factories_groups import make_group
from tests.factories_social import discussion, question, reply


def test_feed_shows_new_content_of_every_kind(client, login, fran, pat, sam):
    group = make_group(fran, "open", members=[pat])
    topic = discussion(pat, group, title="Coaching circles")
    reply(sam, topic, "Count me in")
    q = question(sam, title="Which model first?")
    answer = reply(pat, q, "GROW", kind="answer")
    from community.services import qa

    qa.accept_answer(acting(sam), posts_topic(sam, q.id), answer)
    posts.create_topic(acting(fran), kind="blog", title="Week one notes", body="Reflections")
    join_group(acting(sam), group, None)
    login(pat)
    html = client.get("/").data.decode()
    expected = ("Coaching circles", "started a discussion", "replied in", "asked a question", "Which model first?",
                "answered", "wrote a blog post", "Week one notes", "gave the accepted answer to",
                f'joined <a href="/groups/{group.slug}"')
    for text in expected:
        assert text in html, text


def posts_topic(user, topic_id):
    from tests.factories import load_topic

    return load_topic(user, topic_id)


def test_private_group_and_drafts_stay_out_of_an_outsiders_feed(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat])
    discussion(pat, group, title="Cohort secret")
    posts.create_topic(acting(pat), kind="blog", title="Draft thoughts", body="x", status="draft")
    login(mallory)
    html = client.get("/").data.decode()
    assert "Cohort secret" not in html and "Draft thoughts" not in html
    login(pat)
    html = client.get("/").data.decode()
    assert "Cohort secret" in html and "Draft thoughts" not in html


def test_a_hidden_reply_leaves_the_feed(client, login, fran, pat):
    topic = discussion(pat, title="Open chat")
    post = reply(fran, topic, "Something regrettable")
    posts.hide_post(acting(fran), post, posts_topic(fran, topic.id), "oops")
    login(pat)
    assert "Something regrettable" not in client.get("/").data.decode()


def test_filters_my_groups_and_people_i_follow(client, login, fran, pat, sam):
    group = make_group(fran, "open", members=[pat])
    discussion(fran, group, title="In my group")
    discussion(sam, title="By Sam")
    discussion(fran, title="Community wide")
    login(pat)
    html = client.get("/?show=groups").data.decode()
    assert "In my group" in html and "By Sam" not in html
    html = client.get("/?show=following").data.decode()
    assert "By Sam" not in html and "You don't follow anyone yet" in html
    social.follow(acting(pat), sam)
    html = client.get("/?show=following").data.decode()
    assert "By Sam" in html and "Community wide" not in html
    assert client.get("/?show=nonsense").status_code == 200


def test_new_since_my_last_visit(client, login, fran, pat):
    discussion(fran, title="Older news")
    db.session.execute(update(User).where(User.id == pat.id).values(last_visit_at=utcnow() + timedelta(seconds=1)))
    db.session.commit()
    login(pat)
    html = client.get("/").data.decode()
    assert "is-new" not in html
    db.session.execute(update(User).where(User.id == pat.id).values(last_visit_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert 'class="feed-item feed-topic is-new"' in client.get("/").data.decode()


def test_empty_feed_welcomes_a_new_member(client, login):
    newbie = make_user("newbie", display_name="Nia New")
    login(newbie)
    html = client.get("/").data.decode()
    assert "first steps" in html


def test_keyset_pages(client, login, fran, pat):
    topics = [discussion(fran, title="Busy thread"), discussion(fran, title="Other thread")]
    for i in range(30):
        reply(fran, topics[i % 2], f"reply number {i}")  # alternating threads: nothing folds
    login(pat)
    first = client.get("/").data.decode()
    assert "reply number 29" in first and "reply number 3<" not in first
    import re

    older = re.search(r'href="(/\?before=\d+)"', first).group(1)
    second = client.get(older).data.decode()
    assert "reply number 3" in second and "reply number 29" not in second
    newer = re.search(r'href="(/\?after=\d+)"', second).group(1)
    assert "reply number 29" in client.get(newer.replace("&amp;", "&")).data.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("size", [2, 15])
def test_feed_query_count(client, login, fran, pat, sam, assert_queries, size):
    group = make_group(fran, "private", members=[pat])
    for i in range(size):
        topic = discussion(fran, group, title=f"Topic {i}")
        reply(sam if i % 2 else pat, topic, "A reply")
        question(sam, title=f"Question {i}")
    social.follow(acting(pat), sam)
    login(pat)
    # session + group roles + settings + bell count + feed (the page's rows, then its entries) + the coming events
    # (tests/test_calendar_queries.py: one more, their moved and cancelled dates, once there are events) + the
    # announcements at the top (tests/test_announcements_pages.py)
    with assert_queries(8):
        assert client.get("/").status_code == 200
    with assert_queries(8):  # the people followed are a subquery of the same feed query
        assert client.get("/?show=following").status_code == 200


def test_consecutive_replies_in_one_thread_fold_into_one_entry(client, login, fran, pat, sam, admin):
    topic = discussion(fran, title="Busy thread")
    for author in (sam, admin, sam, fran):
        reply(author, topic, f"note from {author.handle}")
    login(pat)
    html = client.get("/").data.decode()
    assert html.count('class="feed-item feed-post') == 1
    assert "note from fran" in html and "note from sam" not in html
    assert "+ 3 earlier replies from Sam Peer, Ada Admin" in html


def test_a_busy_thread_does_not_crowd_the_page(client, login, fran, pat, sam, assert_queries):
    import re

    quiet = [discussion(fran, title=f"Quiet topic {i:02d}") for i in range(24)]
    busy = discussion(fran, title="Busy thread")
    for i in range(60):
        reply(sam, busy, f"busy reply {i}")
    login(pat)
    with assert_queries(8 + 1):  # the first batch folded into one entry: one more batch of rows to fill the page
        first = client.get("/").data.decode()
    assert first.count('class="feed-item') == 20
    # The 60 replies as one entry, the busy thread's start, then quiet topics 23 .. 06.
    assert "+ 59 earlier replies" in first and "Quiet topic 23" in first and "Quiet topic 06" in first
    second = client.get(re.search(r'href="(/\?before=\d+)"', first).group(1)).data.decode()
    assert second.count('class="feed-item') == 6  # Quiet topic 05 .. 00: nothing lost, nothing twice
    assert all(f"Quiet topic {i:02d}" in second for i in range(6)) and "Quiet topic 06" not in second
    assert 'href="/?before=' not in second
    assert len(quiet) == 24


def test_a_first_visit_shows_the_last_two_weeks_as_new(client, fran):
    """A member who never visited before has no "last visit": what came in over the last two weeks is new."""
    from community.models import Activity
    from community.services.accounts import start_session

    discussion(fran, title="Last week's news")
    old = discussion(fran, title="Old news")
    db.session.execute(update(Activity).where(Activity.topic_id == old.id)
                       .values(created_at=utcnow() - timedelta(days=20)))  # fmt: skip
    db.session.commit()
    newcomer = make_user("newcomer", display_name="Nia New")
    assert newcomer.last_seen_at is None and newcomer.last_visit_at is None
    token = start_session(newcomer)
    with client.session_transaction() as session:
        session["_user_id"] = token
    html = client.get("/").data.decode()
    assert html.count("is-new") == 1
    new_item = html[html.index("is-new"):]
    assert "Last week&#39;s news" in new_item[:3000] and "Old news" not in new_item[:3000]
    db.session.expire_all()
    last_visit = db.session.get(User, newcomer.id).last_visit_at
    assert timedelta(days=13) < utcnow() - last_visit <= timedelta(days=14, minutes=1)
