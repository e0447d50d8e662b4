"""The last step of ``community seed-demo``: spread the demo's content over the past six weeks.

Everything the demo writes happens within a minute; a real cohort's activity is spread over weeks, which is
what the feed's "3 days ago", the dashboard's weekly chart and its "oldest unanswered question first" need.
Topics keep their creation order (so the feed, ordered by id, stays chronological); replies follow their
topic by a few hours; every denormalised time moves with them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from community.extensions import db
from community.models import Board, Group, Membership, Notification, Post, Topic, User, utcnow
from community.models.social import Activity

SPAN_DAYS = 42
REPLY_GAP = timedelta(hours=3)


def plan_history(demo: Any) -> list[Callable[[], None]]:
    """One task: move the demo's timeline into the past."""
    return [spread_over_weeks]


def spread_over_weeks() -> None:
    """Backdate members, groups, topics, posts, feed entries and notifications (commits)."""
    now = utcnow()
    topics = list(db.session.scalars(select(Topic).order_by(Topic.id)))
    posts_by_topic: dict[int, list[Post]] = {}
    for post in db.session.scalars(select(Post).order_by(Post.topic_id, Post.number)):
        posts_by_topic.setdefault(post.topic_id, []).append(post)
    moved: dict[int, Any] = {}  # post id -> new time
    for index, topic in enumerate(topics):
        start = now - timedelta(days=SPAN_DAYS) + timedelta(days=SPAN_DAYS - 2) * index / max(1, len(topics) - 1)
        posts = posts_by_topic.get(topic.id, [])
        for position, post in enumerate(posts):
            post.created_at = start + REPLY_GAP * position
            moved[post.id] = post.created_at
        last = posts[-1].created_at if posts else start
        topic.created_at = start
        if topic.published_at is not None:
            topic.published_at = start
        topic.last_activity_at = last
        if topic.first_answer_at is not None:
            answers = [p.created_at for p in posts if p.kind == "answer"]
            topic.first_answer_at = min(answers) if answers else topic.first_answer_at
        if topic.accepted_post_id is not None and topic.accepted_post_id in moved:
            topic.accepted_at = moved[topic.accepted_post_id] + timedelta(hours=1)
    for activity in db.session.scalars(select(Activity)):
        if activity.post_id in moved:
            activity.created_at = moved[activity.post_id]
        elif activity.kind in ("joined", "joined_group"):
            activity.created_at = now - timedelta(days=SPAN_DAYS + 1)
    for note in db.session.scalars(select(Notification)):
        if note.post_id in moved:
            note.created_at = moved[note.post_id]
    for user in db.session.scalars(select(User)):
        user.created_at = now - timedelta(days=SPAN_DAYS + (20 if user.role != "participant" else 7))
    for group in db.session.scalars(select(Group)):
        group.created_at = now - timedelta(days=SPAN_DAYS + 3)
    for membership in db.session.scalars(select(Membership)):
        membership.created_at = now - timedelta(days=SPAN_DAYS + 2)
    for board in db.session.scalars(select(Board)):
        times = [t.last_activity_at for t in topics if t.board_id == board.id]
        board.last_activity_at = max(times) if times else None
    db.session.commit()
