"""Blog services: scheduling by moving time, threads and their depth, likes, comment counters."""

from datetime import timedelta

import pytest

from community.errors import Forbidden, InvalidInput
from community.extensions import db
from community.models import Post, Topic, User, utcnow
from community.services import blog_reads, blogs
from tests.factories import acting
from tests.factories_blogs import make_blog_post, make_comment, opening_post


def _topic(topic_id):
    db.session.expire_all()
    return db.session.get(Topic, topic_id)


def test_scheduled_posts_publish_when_due(pat, sam):
    now = utcnow()
    soon = make_blog_post(pat, title="Soon", action="schedule", publish_at=now + timedelta(hours=1), now=now)
    later = make_blog_post(pat, title="Later", action="schedule", publish_at=now + timedelta(days=2), now=now)
    assert _topic(soon.id).status == "scheduled" and _topic(later.id).status == "scheduled"
    assert blogs.publish_due_posts(now=now) == 0
    assert blogs.publish_due_posts(now=now + timedelta(hours=2)) == 1
    assert _topic(soon.id).status == "published" and _topic(later.id).status == "scheduled"
    assert blog_reads.list_posts(acting(sam))[0][0].topic.title == "Soon"
    assert blogs.publish_due_posts(now=now + timedelta(hours=2)) == 0  # idempotent
    assert blogs.publish_due_posts(now=now + timedelta(days=3)) == 1
    assert db.session.get(User, pat.id).post_count == 2


def test_scheduling_needs_a_future_time(pat):
    draft = make_blog_post(pat, action="draft")
    with pytest.raises(InvalidInput) as err:
        blogs.schedule(acting(pat), _topic(draft.id), utcnow() - timedelta(minutes=1))
    assert err.value.field == "publish_at"
    with pytest.raises(InvalidInput):
        blogs.schedule(acting(pat), _topic(draft.id), None)
    assert _topic(draft.id).status == "draft"


def test_only_the_author_publishes(pat, admin):
    draft = make_blog_post(pat, action="draft")
    with pytest.raises(Forbidden):
        blogs.publish(acting(admin), _topic(draft.id))


def test_publish_scheduled_command(app, pat):
    make_blog_post(pat, action="schedule", publish_at=utcnow() + timedelta(seconds=1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["publish-scheduled"])
    assert result.exit_code == 0 and "Published 0 scheduled posts." in result.output


def test_background_loop_runs_the_publisher():
    from community.services.jobs import PERIODIC_JOBS

    assert any(entry.job is blogs.publish_due_posts for entry in PERIODIC_JOBS)


def test_thread_nests_three_deep_then_flattens(pat, sam, fran):
    topic = make_blog_post(pat)
    c1 = make_comment(sam, topic, "level 1")
    c2 = make_comment(pat, topic, "level 2", parent=c1)
    c3 = make_comment(sam, topic, "level 3", parent=c2)
    c4 = make_comment(fran, topic, "level 4", parent=c3)
    c5 = make_comment(pat, topic, "level 5", parent=c4)
    top = make_comment(fran, topic, "another top")
    thread = blog_reads.load_thread(acting(sam), _topic(topic.id))
    assert [n.post.id for n in thread.comments] == [c1.id, top.id]
    n1 = thread.comments[0]
    n2 = n1.children[0]
    assert n2.post.id == c2.id and n2.depth == 2
    # level 3 and everything deeper sit side by side at depth 3, saying whom they answer
    assert [(n.post.id, n.depth) for n in n2.children] == [(c3.id, 3), (c4.id, 3), (c5.id, 3)]
    assert n2.children[0].reply_to is None
    assert n2.children[1].reply_to.id == c3.id and n2.children[2].reply_to.id == c4.id
    assert db.session.get(Post, c1.id).child_count == 1
    assert _topic(topic.id).reply_count == 6


def test_deleted_leaf_comments_drop_out_but_threads_stay(pat, sam):
    from community.services import posts
    from tests.factories import load_post

    topic = make_blog_post(pat)
    parent = make_comment(sam, topic, "parent")
    child = make_comment(pat, topic, "child", parent=parent)
    lonely = make_comment(sam, topic, "lonely")
    for post in (parent, lonely):
        loaded = load_post(sam, post.id)
        posts.delete_post(acting(sam), loaded, loaded.topic)
    thread = blog_reads.load_thread(acting(pat), _topic(topic.id))
    assert [n.post.id for n in thread.comments] == [parent.id]  # kept as a placeholder for its reply
    assert thread.comments[0].children[0].post.id == child.id
    assert _topic(topic.id).reply_count == 1


def test_likes_are_idempotent_and_not_on_your_own(pat, sam):
    topic = make_blog_post(pat)
    opening = opening_post(topic)
    loaded = _topic(topic.id)
    blogs.set_like(acting(sam), opening, loaded, True)
    blogs.set_like(acting(sam), opening, loaded, True)
    assert db.session.get(Post, opening.id).like_count == 1
    with pytest.raises(Forbidden):
        blogs.set_like(acting(pat), opening, loaded, True)
    blogs.set_like(acting(sam), opening, loaded, False)
    blogs.set_like(acting(sam), opening, loaded, False)
    db.session.expire_all()
    assert db.session.get(Post, opening.id).like_count == 0 and db.session.get(Topic, topic.id).like_count == 0


def test_a_like_that_lost_a_race_counts_once(pat, sam):
    from community.models import Reaction

    topic = make_blog_post(pat)
    opening = opening_post(topic)
    # Another request stored the same like a moment earlier (and counted it).
    db.session.add(Reaction(post_id=opening.id, user_id=sam.id, kind="like"))
    db.session.commit()
    blogs.set_like(acting(sam), opening, _topic(topic.id), True)  # no IntegrityError, no second count
    db.session.expire_all()
    assert db.session.query(Reaction).count() == 1 and db.session.get(Post, opening.id).like_count == 0


def test_the_background_loop_publishes_due_posts(app, pat):
    from sqlalchemy import update

    from community.services import jobs

    topic = make_blog_post(pat, action="schedule", publish_at=utcnow() + timedelta(hours=1))
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(publish_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    jobs.run_periodic_jobs(app, all_now=True)
    assert _topic(topic.id).status == "published"
