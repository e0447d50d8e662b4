"""Reactions on any post: toggle, like counter, who reacted, permissions, bad input."""

import pytest

from community.errors import Forbidden, InvalidInput
from community.extensions import db
from community.models import Post, Reaction, Topic
from community.services import reactions
from tests.factories import acting, load_post
from tests.factories_groups import make_group
from tests.factories_social import discussion, opening, reply


def test_toggle_keeps_the_like_counter_and_lists_who(fran, pat, sam):
    topic = discussion(fran)
    post = load_post(pat, opening(topic).id)
    assert reactions.toggle(acting(pat), post, post.topic, "like") is True
    assert reactions.toggle(acting(sam), post, post.topic, "like") is True
    assert reactions.toggle(acting(sam), post, post.topic, "celebrate") is True
    db.session.expire_all()
    assert db.session.get(Post, post.id).like_count == 2
    assert db.session.get(Topic, topic.id).like_count == 2
    summary = reactions.summaries([post.id], pat)[post.id]
    assert [(r.kind, r.count, r.mine) for r in summary] == [("like", 2, True), ("celebrate", 1, False)]
    assert summary[0].names == ["Pat Participant", "Sam Peer"]
    assert reactions.toggle(acting(pat), post, post.topic, "like") is False
    db.session.expire_all()
    assert db.session.get(Post, post.id).like_count == 1


def test_no_reacting_to_your_own_post_or_with_an_unknown_kind(fran, pat):
    topic = discussion(fran)
    post = load_post(fran, opening(topic).id)
    with pytest.raises(Forbidden):
        reactions.toggle(acting(fran), post, post.topic, "like")
    with pytest.raises(InvalidInput):
        reactions.toggle(acting(pat), post, post.topic, "angry")


def test_react_route_and_permissions(client, login, fran, pat, mallory):
    group = make_group(fran, "private", members=[pat])
    topic = discussion(fran, group)
    post = reply(fran, topic, "Nice")
    login(pat)
    response = client.post(f"/posts/{post.id}/react", data={"kind": "heart", "next": "/p/1#post-2"})
    assert response.status_code == 302 and response.headers["Location"] == "/p/1#post-2"
    assert client.post(f"/posts/{post.id}/react", data={"kind": "bogus"}).status_code == 400
    login(mallory)
    assert client.post(f"/posts/{post.id}/react", data={"kind": "like"}).status_code == 404
    login(fran)
    assert client.post(f"/posts/{post.id}/react", data={"kind": "like"}).status_code == 403
    db.session.rollback()
    assert [(r.user_id, r.kind) for r in db.session.query(Reaction)] == [(pat.id, "heart")]


def test_post_permalink_shows_reactions_and_buttons_only_to_who_may_react(client, login, fran, pat, mallory):
    topic = discussion(fran, title="Permalink")
    post = reply(fran, topic, "React to me")
    reactions.toggle(acting(pat), load_post(pat, post.id), load_post(pat, post.id).topic, "thanks")
    login(pat)
    assert client.get(f"/p/{post.id}").headers["Location"] == f"/discussions/{topic.id}#post-2"
    html = render_template_for(pat, post)
    assert "React to me" in html and 'class="reaction mine"' in html and "Pat Participant" in html
    html = render_template_for(fran, post)
    assert "/react" not in html  # the author has no reaction buttons
    assert client.get("/p/99999").status_code == 404
    login(mallory)
    private = make_group(fran, "private")
    hidden = reply(fran, discussion(fran, private), "secret")
    assert client.get(f"/p/{hidden.id}").status_code == 404


def render_template_for(user, post):
    """The reactions bar as another area's page renders it (the macro, with the viewer's predicates)."""
    from flask import render_template_string
    from flask_login import login_user

    from community.permissions import access_post

    post = access_post(acting(user), post.id)
    summary = reactions.summaries([post.id], user).get(post.id, [])
    from flask import current_app

    with current_app.test_request_context("/"):
        user.session_token = "x"
        login_user(user)
        return render_template_string(
            '{% from "_macros/social.html" import reactions_bar %}{{ reactions_bar(post, summary, topic) }}'
            "{{ post.body_html|safe }}",
            post=post, summary=summary, topic=post.topic,
        )


def test_discussion_posts_carry_the_reactions_bar(client, login, fran, pat, sam):
    from sqlalchemy import select

    from community.extensions import db
    from community.models import Board, Post
    from community.services import posts
    from tests.factories import acting
    from tests.factories_groups import make_group

    group = make_group(fran, "open", members=[pat, sam])
    board = db.session.scalar(select(Board).where(Board.group_id == group.id))
    topic = posts.create_topic(acting(pat), kind="discussion", title="Reflective writing", body="Tips?", board=board)
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    login(sam)
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    # One form for the post; each reaction is a button carrying its kind, as a browser submits it.
    assert html.count(f'action="/posts/{opening.id}/react"') == 1
    assert 'name="kind" value="insightful"' in html and 'name="kind" value="like"' in html
    assert client.post(f"/posts/{opening.id}/react", data={"kind": "insightful"}).status_code == 302
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert 'class="reaction mine"' in html and "Sam Peer" in html
    login(pat)  # one's own post: reactions shown, no buttons
    html = client.get(f"/discussions/{topic.id}").get_data(as_text=True)
    assert f'action="/posts/{opening.id}/react"' not in html and "reaction-count" in html
