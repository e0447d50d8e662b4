"""``community seed-demo`` also asks questions: answered by peers and facilitators, voted on, accepted, and
two left waiting in the cohort for the facilitator's dashboard."""

from sqlalchemy import func, select

from community.extensions import db
from community.models import Post, Topic, Vote
from community.qa.demo import QUESTIONS


def test_seed_demo_asks_questions(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    questions = list(db.session.scalars(select(Topic).where(Topic.kind == "question")))
    assert len(questions) == len(QUESTIONS)
    answers = db.session.scalar(select(func.count()).select_from(Post).where(Post.kind == "answer"))
    assert answers == sum(len(q[5]) for q in QUESTIONS)
    assert sum(t.accepted_post_id is not None for t in questions) == sum(q[6] is not None for q in QUESTIONS)
    assert {t.first_answer_by_role for t in questions if t.first_answer_at} == {"participant"}
    unanswered = [t for t in questions if t.reply_count == 0]
    assert len(unanswered) == 2 and all(t.group_id is not None for t in unanswered)
    assert db.session.scalar(select(func.count()).select_from(Vote)) > 0


def test_seed_demo_spreads_its_timeline_over_weeks(app):
    from datetime import timedelta

    from community.models import utcnow

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    topics = list(db.session.scalars(select(Topic).order_by(Topic.id)))
    times = [t.created_at for t in topics]
    assert times == sorted(times)  # the feed (by id) stays chronological
    assert utcnow() - times[0] > timedelta(days=35) and utcnow() - times[-1] < timedelta(days=3)
    for topic in topics:
        posts = list(db.session.scalars(select(Post).where(Post.topic_id == topic.id).order_by(Post.number)))
        assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
        assert topic.last_activity_at == posts[-1].created_at
        if topic.first_answer_at is not None:
            assert topic.first_answer_at > topic.created_at
