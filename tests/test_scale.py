"""The scale generator (community.scale) builds a consistent community: the "tiny" preset on the test database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text, update

from community.models import Group, Membership, Post, Topic, User
from community.scale import checks
from community.scale import generate as gen
from community.search import search_topics
from tests.factories import acting


def _build() -> gen.Summary:
    members, groups, posts = gen.PRESETS["tiny"]
    return gen.generate(members, groups, posts, seed=7)


def test_tiny_preset_counters_equal_real_counts(db: Any) -> None:
    summary = _build()
    public = select(func.count()).select_from(Post).join(Topic, Topic.id == Post.topic_id)
    assert summary.posts == gen.PRESETS["tiny"][2] == db.session.scalar(public.where(Topic.kind != "conversation"))
    assert summary.conversations >= 2 and summary.messages == db.session.scalar(
        public.where(Topic.kind == "conversation"))
    with db.engine.connect() as conn:
        assert checks.verify(conn) == {name: 0 for name in [*checks.CHECKS, "search.documents"]}
    # The checks do catch a wrong counter.
    db.session.execute(update(Topic).where(Topic.id == 1).values(reply_count=Topic.reply_count + 1))
    db.session.commit()
    with db.engine.connect() as conn:
        assert checks.verify(conn)["topic.reply_count"] == 1


def test_tiny_preset_is_a_realistic_community(db: Any) -> None:
    _build()
    visibilities = set(db.session.scalars(select(Group.visibility)))
    assert visibilities == {"open", "request", "private"}
    kinds = set(db.session.scalars(select(Topic.kind)))
    assert kinds == {"discussion", "blog", "question", "conversation", "event", "announcement"}
    # The announcements: by their group's facilitator, told to its members, seen by some.
    from community.models import Announcement, AnnouncementView, Notification

    announcements = list(db.session.scalars(select(Topic).where(Topic.kind == "announcement")))
    assert len(announcements) >= 1 and all(t.reply_count == 0 and t.group_id for t in announcements)
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == len(announcements)
    assert db.session.scalar(select(func.count()).where(Notification.kind == "announcement")) > 0
    assert db.session.scalar(select(func.count()).select_from(AnnouncementView)) > 0
    # CPD logs: some participants keep one, and only participants.
    from community.models import CpdEntry, User

    keepers = set(db.session.scalars(select(User.role).join(CpdEntry, CpdEntry.user_id == User.id)))
    assert keepers == {"participant"} and db.session.scalar(select(func.count()).select_from(CpdEntry)) > 0
    states = set(db.session.scalars(select(Membership.state)))
    assert states == {"active", "requested", "invited"}
    assert db.session.scalar(select(func.count()).where(Topic.accepted_post_id.is_not(None))) > 0
    # Skewed: the busiest member wrote far more than the median one.
    counts = sorted(db.session.scalars(select(User.post_count)))
    assert counts[-1] >= 4 * max(counts[len(counts) // 2], 1)


def test_generated_members_sign_in_and_search_finds_their_text(db: Any) -> None:
    from community.services.accounts import verify_password

    _build()
    member = db.session.scalar(select(User).where(User.handle == gen.MEMBER_HANDLE))
    assert verify_password(member, gen.PASSWORD)
    roles = dict(
        db.session.execute(
            select(Membership.group_id, Group.visibility)
            .join(Group)
            .where(Membership.user_id == member.id, Membership.state == "active")
        ).all()
    )
    assert {"open", "request", "private"} <= set(roles.values())
    topic = db.session.scalar(select(Topic).where(Topic.kind == "discussion", Topic.group_id.is_(None)).limit(1))
    word = max(topic.title.lower().split(), key=len)
    hits = search_topics(acting(member), word, limit=100)
    assert topic.id in {h.topic.id for h in hits}
    private = db.session.execute(text("SELECT id FROM groups WHERE visibility = 'private'")).scalars().all()
    assert not [h for h in hits if h.topic.group_id in private and h.topic.group_id not in member.group_roles]


def test_the_benchmark_takes_its_replies_out_again(db: Any) -> None:
    """bench.run posts replies while it measures; before and after a run they are removed, counters put back."""
    from bench.run import BENCHMARK_REPLY, remove_benchmark_replies
    from community.services import boards
    from tests.factories import load_topic

    _build()
    member = db.session.scalar(select(User).where(User.handle == gen.MEMBER_HANDLE))
    topic_id = db.session.scalar(
        select(Topic.id).where(Topic.kind == "discussion", Topic.group_id.is_(None), Topic.status == "published")
    )
    before = db.session.execute(select(Topic.reply_count, Topic.post_counter).where(Topic.id == topic_id)).one()
    for i in range(5):
        boards.reply(acting(member), load_topic(member, topic_id), f"{BENCHMARK_REPLY}{i}: thanks for sharing this.")
    db.session.remove()
    with db.engine.begin() as conn:
        assert remove_benchmark_replies(conn) == 5
        assert remove_benchmark_replies(conn) == 0
    with db.engine.connect() as conn:
        assert checks.verify(conn) == {name: 0 for name in [*checks.CHECKS, "search.documents"]}
        assert conn.execute(text("SELECT COUNT(*) FROM activities WHERE post_id IS NOT NULL AND post_id NOT IN "
                                 "(SELECT id FROM posts)")).scalar_one() == 0  # fmt: skip
    after = db.session.execute(select(Topic.reply_count, Topic.post_counter).where(Topic.id == topic_id)).one()
    assert after == before


def test_generated_images_have_their_file_and_the_record_of_where_they_are_shown(db: Any, app: Any) -> None:
    import os

    from community.models import Upload, UploadUse
    from community.services import media

    summary = _build()
    uploads = list(db.session.scalars(select(Upload)))
    assert summary.images == len(uploads) > 0
    uses = {use.upload_id: use for use in db.session.scalars(select(UploadUse))}
    assert set(uses) == {upload.id for upload in uploads}
    for upload in uploads:
        assert os.path.getsize(os.path.join(app.config["UPLOAD_FOLDER"], upload.name)) == upload.size
        post = db.session.get(Post, uses[upload.id].post_id)
        assert post.author_id == upload.owner_id
        assert f"/uploads/{upload.name}" in post.body and f'src="/uploads/{upload.name}"' in post.body_html
    # The owner's image library says where each one is shown.
    owner = db.session.get(User, uploads[0].owner_id)
    with app.test_request_context():
        library = media.library_page(acting(owner))
    mine = [item for item in library.items if item.upload.id == uploads[0].id]
    assert len(mine) == 1 and len(mine[0].uses) == 1


def test_the_generated_cohorts_follow_a_programme_and_name_its_units(db: Any) -> None:
    from community.models import Unit

    _build()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == len(gen.SCALE_UNITS)
    assert db.session.scalar(select(func.count()).select_from(Group).where(Group.programme_id.is_(None))) == 0
    named = db.session.scalar(select(func.count()).select_from(Topic).where(Topic.unit_id.is_not(None)))
    in_groups = db.session.scalar(select(func.count()).select_from(Topic).where(
        Topic.group_id.is_not(None), Topic.kind.in_(("question", "discussion"))))  # fmt: skip
    assert 0.5 * in_groups < named < in_groups
    assert db.session.scalar(select(func.count()).select_from(Topic).where(
        Topic.unit_id.is_not(None), Topic.group_id.is_(None))) == 0  # fmt: skip
