"""The shared content services: topics, posts, counters, edits with revisions, deletes, hiding."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.errors import Conflict, Forbidden, InvalidInput
from community.extensions import db
from community.models import Board, Group, Post, Revision, Tag, Topic, User, utcnow
from community.services import posts
from community.services.groups import add_member, create_group
from tests.factories import acting, load_post


@pytest.fixture
def board(fran, pat):
    group = create_group(fran, name="Cohort 7", visibility="private")
    add_member(group, pat)
    return db.session.query(Board).filter_by(group_id=group.id).one()


def _reload(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_topic_and_replies_keep_counters(board, fran, pat):
    topic = posts.create_topic(pat, kind="discussion", title=" Reflective  practice ", body="What works?",
                               board=board, tags="cipd, Reflection")
    assert topic.title == "Reflective practice"
    posts.add_post(fran, topic, "Journalling daily.")
    posts.add_post(pat, topic, "Thanks!")
    topic = _reload(Topic, topic.id)
    assert topic.reply_count == 2
    assert topic.post_counter == 3
    assert topic.last_poster_id == pat.id
    assert _reload(Board, board.id).topic_count == 1
    assert _reload(Board, board.id).post_count == 3
    assert _reload(User, pat.id).post_count == 2
    assert sorted(t.name for t in db.session.query(Tag)) == ["cipd", "reflection"]
    numbers = [p.number for p in db.session.query(Post).filter_by(topic_id=topic.id).order_by(Post.number)]
    assert numbers == [1, 2, 3]
    roles = [p.author_role for p in db.session.query(Post).filter_by(topic_id=topic.id).order_by(Post.number)]
    assert roles == ["participant", "facilitator", "participant"]


def test_bad_input_is_refused_and_nothing_is_stored(board, pat):
    with pytest.raises(InvalidInput) as err:
        posts.create_topic(pat, kind="discussion", title="   ", body="x", board=board)
    assert err.value.field == "title"
    with pytest.raises(InvalidInput):
        posts.create_topic(pat, kind="discussion", title="t", body="x" * 1_000_001, board=board)
    with pytest.raises(InvalidInput):
        posts.create_topic(pat, kind="discussion", title="t", body="x", board=board, tags="<script>")
    db.session.rollback()
    assert db.session.query(Topic).count() == 0


def test_stale_edit_is_refused_and_keeps_the_newer_text(board, fran, pat):
    topic = posts.create_topic(pat, kind="discussion", title="Draft policy", body="v1", board=board)
    opening_id = db.session.query(Post).filter_by(topic_id=topic.id, number=1).one().id
    opening = load_post(pat, opening_id)
    posts.edit_post(acting(pat), opening, opening.topic, "v2", base_revision=0)
    opening = load_post(fran, opening_id)
    with pytest.raises(Conflict):
        posts.edit_post(acting(fran), opening, opening.topic, "v2 from fran", base_revision=0)
    opening = _reload(Post, opening.id)
    assert opening.body == "v2"
    assert opening.revision_count == 1
    assert [r.body for r in db.session.query(Revision).filter_by(post_id=opening.id)] == ["v1"]


def test_delete_is_soft_and_uncounts(board, pat, sam):
    topic = posts.create_topic(pat, kind="discussion", title="t", body="b", board=board)
    reply = posts.add_post(pat, topic, "oops")
    reply = load_post(pat, reply.id)
    posts.delete_post(acting(pat), reply, reply.topic)
    reply = _reload(Post, reply.id)
    assert reply.deleted_at is not None and reply.body == "oops"
    assert _reload(Topic, topic.id).reply_count == 0


def test_only_moderators_hide(board, fran, pat, mallory):
    topic = posts.create_topic(pat, kind="discussion", title="t", body="b", board=board)
    reply_id = posts.add_post(pat, topic, "spam").id
    reply = load_post(pat, reply_id)
    with pytest.raises(Forbidden):
        posts.hide_post(acting(mallory), reply, reply.topic)
    with pytest.raises(Forbidden):
        posts.hide_post(acting(pat), reply, reply.topic)
    reply = load_post(fran, reply_id)
    posts.hide_post(acting(fran), reply, reply.topic, reason="Off-topic advert")
    hidden = _reload(Post, reply_id)
    assert hidden.hidden_at is not None and hidden.hidden_reason == "Off-topic advert"
    assert _reload(Topic, topic.id).reply_count == 0



def _backdate(topic_id, board_id, days):
    """Move a topic, its posts, its board and group back in time (as if started days ago)."""
    then = utcnow() - timedelta(days=days)
    db.session.execute(update(Post).where(Post.topic_id == topic_id).values(created_at=then))
    db.session.execute(update(Topic).where(Topic.id == topic_id).values(last_activity_at=then, published_at=then))
    db.session.execute(update(Board).where(Board.id == board_id).values(last_activity_at=then))
    db.session.execute(update(Group).values(last_activity_at=then))
    db.session.commit()
    return then


@pytest.mark.parametrize("how", ["delete", "hide"])
def test_a_removed_last_reply_stops_being_the_last_activity(board, fran, pat, how):
    topic = posts.create_topic(acting(fran), kind="discussion", title="Week 3 reflections", body="Go", board=board)
    started = _backdate(topic.id, board.id, days=2)
    reply = posts.add_post(acting(pat), _reload(Topic, topic.id), "My late reply")
    topic = _reload(Topic, topic.id)
    assert topic.last_poster_id == pat.id and _reload(Board, board.id).last_activity_at == reply.created_at
    if how == "delete":
        post = load_post(pat, reply.id)
        posts.delete_post(acting(pat), post, post.topic)
    else:
        post = load_post(fran, reply.id)
        posts.hide_post(acting(fran), post, post.topic, "Off-topic")
    topic = _reload(Topic, topic.id)
    assert (topic.last_activity_at, topic.last_poster_id) == (started, fran.id)
    assert topic.last_post_id == db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1))
    assert _reload(Board, board.id).last_activity_at == started
    assert _reload(Group, board.group_id).last_activity_at == started
    if how == "hide":
        post = load_post(fran, reply.id)
        posts.restore_post(acting(fran), post, post.topic)
        topic = _reload(Topic, topic.id)
        assert (topic.last_activity_at, topic.last_poster_id, topic.last_post_id) == (reply.created_at, pat.id,
                                                                                      reply.id)  # fmt: skip
        assert _reload(Board, board.id).last_activity_at == reply.created_at


def test_removing_an_earlier_reply_keeps_the_last_activity(board, fran, pat):
    topic = posts.create_topic(acting(fran), kind="discussion", title="Busy", body="Go", board=board)
    first = posts.add_post(acting(pat), _reload(Topic, topic.id), "first")
    last = posts.add_post(acting(fran), _reload(Topic, topic.id), "second")
    post = load_post(pat, first.id)
    posts.delete_post(acting(pat), post, post.topic)
    topic = _reload(Topic, topic.id)
    assert (topic.last_activity_at, topic.last_poster_id, topic.last_post_id) == (last.created_at, fran.id, last.id)
