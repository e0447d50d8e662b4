"""Watching and following: buttons, permissions, and "new in something you watch" notifications; tag pages."""

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Board, Notification, Subscription, Tag
from community.services import posts, social
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_social import board_of, discussion, reply


def _kinds(user):
    db.session.rollback()
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]


def test_watchers_of_a_board_group_topic_blog_tag_and_followers_are_told(fran, pat, sam, admin):
    group = make_group(fran, "open", members=[pat])
    board = board_of(group)
    social.watch(acting(pat), "board", board.id)
    topic = discussion(fran, group, title="Board news")
    assert _kinds(pat) == ["watched"]
    social.watch(acting(sam), "topic", topic.id)
    reply(fran, topic, "more")
    assert _kinds(sam) == ["watched"]
    social.follow(acting(admin), fran)
    posts.create_topic(acting(fran), kind="blog", title="Blog", body="Hello #coaching", tags="reflection")
    assert _kinds(admin) == ["watched"]  # the blog post of someone followed
    tag = social.tag_for_watching("coaching")
    social.watch(acting(sam), "tag", tag.id)
    discussion(pat, title="Tagged", body="About #Coaching")
    assert _kinds(sam).count("watched") == 2


def test_watchers_outside_a_private_group_are_not_told(fran, pat, mallory):
    group = make_group(fran, "open")
    social.watch(acting(mallory), "group", group.id)
    group.visibility = "private"  # the group became private after mallory started watching it
    db.session.commit()
    discussion(fran, group, title="Members only")
    assert _kinds(mallory) == []


def test_watch_and_unwatch_buttons(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat])
    topic = discussion(fran, group)
    login(pat)
    assert client.post(f"/watch/topic/{topic.id}", data={"next": "/somewhere"}).headers["Location"] == "/somewhere"
    assert social.is_watching(pat, "topic", topic.id)
    response = client.post(f"/unwatch/topic/{topic.id}", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    db.session.rollback()
    assert not social.is_watching(pat, "topic", topic.id)
    login(mallory)  # cannot watch (or probe) a private group's discussion, board or the group
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    for target in (f"topic/{topic.id}", f"board/{board.id}", f"group/{group.id}", "topic/99999", "nonsense/1"):
        assert client.post(f"/watch/{target}").status_code == 404, target
    db.session.rollback()
    assert db.session.scalar(select(Subscription).where(Subscription.user_id == mallory.id)) is None


def test_follow_a_member_but_not_yourself(client, login, pat, sam):
    login(pat)
    assert client.post(f"/watch/member/{sam.id}").status_code == 302
    assert social.is_watching(pat, "member", sam.id)
    assert client.post(f"/watch/member/{pat.id}").status_code == 400


def test_tag_page_lists_tagged_and_hashtagged_topics_i_may_see(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat])
    discussion(fran, title="Tagged openly", tags="coaching")
    discussion(fran, title="Hashtagged openly", body="Try #coaching today")
    discussion(fran, group, title="Private coaching", body="#coaching in the cohort")
    login(mallory)
    html = client.get("/tags/coaching").data.decode()
    assert "Tagged openly" in html and "Hashtagged openly" in html and "Private coaching" not in html
    login(pat)
    assert "Private coaching" in client.get("/tags/COACHING").data.decode()
    assert client.get("/tags/%3Cscript%3E").status_code == 404


def test_follow_a_tag(client, login, pat):
    login(pat)
    assert client.post("/tags/newthing/follow").status_code == 302
    tag = db.session.scalar(select(Tag).where(Tag.name == "newthing"))
    assert social.is_watching(pat, "tag", tag.id)
    assert "Following #newthing" in client.get("/tags/newthing").data.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_tag_page_query_count(client, login, fran, pat, assert_queries, size):
    for i in range(size):
        discussion(fran, title=f"Topic {i}", tags="coaching")
    login(pat)
    # session + roles + settings + bell + topics + tag + watching
    with assert_queries(7):
        assert client.get("/tags/coaching").status_code == 200


def test_groups_and_questions_offer_a_watch_button(client, login, fran, pat):
    from community.models import Subscription
    from tests.factories_groups import make_group
    from tests.factories_qa import make_question

    group = make_group(fran, "open", members=[pat], name="Watchers")
    question = make_question(fran, title="What is a learning log?", group=group)
    login(pat)
    html = client.get(f"/groups/{group.slug}").get_data(as_text=True)
    assert "Watch the group" in html
    assert client.post(f"/watch/group/{group.id}").status_code in (302, 303)
    assert "✓ Watching" in client.get(f"/groups/{group.slug}").get_data(as_text=True)
    html = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Watch this question" in html
    client.post(f"/watch/topic/{question.id}")
    targets = {(s.target_type, s.target_id) for s in db.session.query(Subscription).filter_by(user_id=pat.id)}
    assert {("group", group.id), ("topic", question.id)} <= targets


def test_a_request_groups_about_card_is_not_enough_to_watch_it(client, login, fran, pat, mallory):
    from community.models import Subscription
    from tests.factories_groups import make_group

    group = make_group(fran, "request", members=[pat], name="Study set")
    login(mallory)  # sees the about card, not the content
    assert client.get(f"/groups/{group.slug}").status_code == 200
    assert client.post(f"/watch/group/{group.id}").status_code == 404
    login(pat)
    assert client.post(f"/watch/group/{group.id}").status_code == 302
    assert {s.user_id for s in db.session.query(Subscription).filter_by(target_type="group")} == {pat.id}
