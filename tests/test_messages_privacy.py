"""Private messages stay out of every shared place, for their participants too: the search index, the feed,
tag pages, profiles' activity and counts, the dashboard's figures, digests' "popular", watchers; and the
spam-wave tool takes a spammer's messages away from their recipients."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from community.extensions import db
from community.models import Activity, Notification, Post, PostHashtag, User, utcnow
from community.search import count_topics
from community.services import dashboard, digests, members, social
from community.services.moderation import spam_wave
from community.services.search_page import Filters, search
from tests.factories import acting
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation, send

WORD = "xylophonic"


def _world(fran, pat, sam):
    group = make_group(fran, "open", members=[pat, sam], name="Cohort 9")
    social.follow(acting(sam), pat)
    social.watch(acting(sam), "tag", social.tag_for_watching("secretly").id)
    topic = make_conversation(pat, sam, body=f"{WORD} opening #secretly", subject=f"{WORD} subject")
    send(sam, topic.id, f"{WORD} reply #secretly")
    return group, topic


def test_messages_are_never_indexed_recorded_or_tagged(fran, pat, sam):
    _world(fran, pat, sam)
    assert db.session.scalar(select(func.count()).select_from(Activity)
                             .where(Activity.kind.in_(("topic", "post")))) == 0  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(PostHashtag)) == 0
    for user in (pat, sam):  # not even the participants find them through the community's search
        viewer = acting(db.session.get(User, user.id))
        assert count_topics(viewer, WORD) == 0 and search(viewer, Filters(q=WORD)).total == 0
    table = "search_documents" if db.engine.dialect.name == "postgresql" else "search_index"
    assert db.session.execute(text(f"SELECT count(*) FROM {table} WHERE body LIKE :w"),
                              {"w": f"%{WORD}%"}).scalar() == 0  # fmt: skip


def test_a_reindex_leaves_messages_out(fran, pat, sam):
    from community.search.core import reindex_all

    _world(fran, pat, sam)
    reindex_all()
    viewer = acting(db.session.get(User, pat.id))
    assert search(viewer, Filters(q=WORD)).total == 0


def test_profiles_feed_and_tags_show_no_message_even_to_participants(client, login, fran, pat, sam):
    _world(fran, pat, sam)
    login(sam)
    for path in ("/", "/?show=following", "/tags/secretly", "/members/pat", "/members/sam", f"/search?q={WORD}"):
        html = client.get(path).data.decode()
        assert f"{WORD} opening" not in html and f"{WORD} reply" not in html, path
    viewer = acting(db.session.get(User, sam.id))
    counts = members.contribution_counts(viewer, db.session.get(User, pat.id))
    assert counts == {"posts": 0, "topics": 0, "replies": 0}
    assert db.session.get(User, pat.id).post_count == 0  # messages aren't posts in anyone's figures
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == sam.id)))
    assert kinds == {"message"}  # not "watched" though Sam follows Pat and watches the hashtag


def test_the_dashboard_figures_leave_messages_out(fran, pat, sam, admin):
    _world(fran, pat, sam)
    manager = acting(db.session.get(User, admin.id))
    scope = dashboard.make_scope(manager, None, "30d")
    assert scope.whole_community
    weeks = dashboard.engagement(scope)
    assert sum(w.replies + w.discussions for w in weeks) == 0
    assert sum(w.active_members for w in weeks) == 0
    assert dashboard.participation(scope).posted == 0


def test_digests_popular_topics_never_include_a_conversation(fran, pat, sam):
    _world(fran, pat, sam)
    viewer = acting(db.session.get(User, sam.id))
    digest = digests.build_digest(viewer, "daily", utcnow() + timedelta(minutes=1))
    assert all(t.kind != "conversation" for t in digest.popular + digest.waiting)


def test_the_spam_wave_takes_a_spammers_messages_away(client, login, fran, pat, sam, admin):
    _group, topic = _world(fran, pat, sam)
    spam_wave(acting(admin), db.session.get(User, sam.id), until=None, reason="Spam")
    db.session.expire_all()
    assert all(p.hidden_at is not None for p in db.session.scalars(select(Post).where(Post.author_id == sam.id)))
    login(pat)
    html = client.get(f"/messages/{topic.id}").data.decode()
    assert f"{WORD} opening" in html  # Pat's own message stays
    assert f"{WORD} reply" not in html and "This post was hidden by a moderator." in html


def test_a_conversation_cant_be_watched_even_by_its_participants(client, login, fran, pat, sam):
    _group, topic = _world(fran, pat, sam)
    login(pat)
    assert client.post(f"/watch/topic/{topic.id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(social.Subscription)
                             .where(social.Subscription.target_type == "topic")) == 0  # fmt: skip
