"""Q&A writes: asking, answering, commenting, votes, the accepted answer, closing as a duplicate.

A question is a Topic of kind ``question``; its opening Post is the question, answers are Posts of kind
``answer`` and comments Posts of kind ``comment`` (flat, ``parent_id`` = the question's or an answer's
post). The shared services in ``community.services.posts`` do the text rules, counters and events; this
module adds what is particular to questions, always with single atomic statements, so that concurrent
members can't lose a vote, accept two answers or mislabel the first answer.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update

from community import events
from community.database import upsert
from community.errors import Conflict, Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.models import Group, Post, Subscription, Topic, User, Vote, utcnow
from community.permissions import (
    access_topic,
    can_accept_answer,
    can_close_question,
    can_delete_post,
    can_post_in_group,
    can_reply,
    can_view_post,
    can_vote,
)
from community.services import peers_first, posts, submissions
from community.services.audit import record
from community.services.programmes import check_unit

COMMENT_MAX_CHARS = 600
VOTE_VALUES = (-1, 0, 1)
UNSET: Any = object()


def _watch(user: User, topic: Topic) -> None:
    """The asker and answerers follow the question (notifications deliver it), once."""
    stmt = upsert(Subscription.__table__, db.engine.dialect.name).values(
        user_id=user.id, target_type="topic", target_id=topic.id, created_at=utcnow()
    )
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["user_id", "target_type", "target_id"]))


# --------------------------------------------------------------------------------------------------
# Asking, answering, commenting


def ask_question(actor: User, *, title: str, body: str, tags: str | None = None, group: Group | None = None,
                 unit_id: int | str | None = None, submission_key: str | None = None) -> Topic:  # fmt: skip
    """Ask a question in the whole community (``group=None``) or in one of the member's groups (commits)."""
    submission_key = submissions.check(actor, submission_key, body)
    if not can_post_in_group(actor, group):
        raise Forbidden(_("You can ask questions only in groups you belong to."))
    checked_unit = check_unit(group, unit_id)
    topic = posts.create_topic(actor, kind="question", title=title, body=body, group=group, tags=tags, commit=False,
                               submission_key=submission_key)  # fmt: skip
    topic.unit_id = checked_unit
    _watch(actor, topic)
    db.session.commit()
    return topic


def post_answer(actor: User, topic: Topic, body: str, *, submission_key: str | None = None) -> Post:
    """Answer a question (commits); the first live answer records when it came and from whom."""
    submission_key = submissions.check(actor, submission_key, body)
    if topic.kind != "question":
        raise NotFound(_("Not found."))
    if not can_reply(actor, topic):
        raise Forbidden(_("This question is closed to new answers.") if topic.closed_at
                        else _("You can't answer here."))  # fmt: skip
    held_until = peers_first.hold_until(actor, topic, topic.group, utcnow())
    answer = posts.add_post(actor, topic, body, kind="answer", commit=False, submission_key=submission_key,
                            held_until=held_until)  # fmt: skip
    _watch(actor, topic)
    db.session.commit()
    return answer


def _on_post_created(post: Post, *, topic: Topic, **_kw: Any) -> None:
    """A live answer (at once, or when a held one is approved) may be the question's first: record it.

    Only the first ever matches "first_answer_at IS NULL", so concurrent answers can't both claim it.
    """
    if topic.kind == "question" and post.kind == "answer":
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id, Topic.first_answer_at.is_(None))
            .values(first_answer_at=post.created_at, first_answer_by_role=post.author_role)
            .execution_options(synchronize_session=False)
        )


events.post_created.connect(_on_post_created, weak=False)


def add_comment(actor: User, topic: Topic, parent: Post, body: str, *, submission_key: str | None = None) -> Post:
    """A short, flat comment under the question or under an answer (commits)."""
    submission_key = submissions.check(actor, submission_key, body)
    if parent.topic_id != topic.id or parent.kind not in ("opening", "answer"):
        raise InvalidInput(_("Comments go under the question or one of its answers."), field="body")
    if parent.deleted_at is not None or parent.hidden_at is not None:
        raise InvalidInput(_("That post was removed, so it can't take new comments."), field="body")
    if not can_reply(actor, topic) or not can_view_post(actor, parent, topic):
        raise Forbidden(_("You can't comment here."))
    if len((body or "").strip()) > COMMENT_MAX_CHARS:
        raise InvalidInput(_("Comments are %(num)d characters at most: post a longer text as an answer.",
                             num=COMMENT_MAX_CHARS), field="body")  # fmt: skip
    return posts.add_post(actor, topic, body, kind="comment", parent=parent, submission_key=submission_key)


def delete_question(actor: User, topic: Topic, opening: Post) -> None:
    """Soft-delete a question with its opening post (the asker or a moderator; commits)."""
    if opening.topic_id != topic.id or opening.number != 1:
        raise InvalidInput(_("That isn't this question."))
    if not can_delete_post(actor, opening, topic):
        raise Forbidden(_("You can't delete this question."))
    # Marked with a plain UPDATE so the loaded topic still reads as live for delete_post's own check;
    # both changes commit together there.
    db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(deleted_at=utcnow()).execution_options(
            synchronize_session=False
        )
    )
    posts.delete_post(actor, opening, topic)


# --------------------------------------------------------------------------------------------------
# Votes


def cast_vote(actor: User, post: Post, topic: Topic, value: Any) -> int:
    """Vote +1 or -1 on a question or answer, or 0 to withdraw; returns the post's new score (commits).

    The score is recomputed from the votes while the post row is locked, so it equals the sum of its votes
    however many votes arrive at once (the same member's included); nothing is read, then written back.
    """
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in VOTE_VALUES:
        raise InvalidInput(_("A vote is up (1), down (-1) or withdrawn (0)."), field="value")
    if not can_vote(actor, post, topic):
        if post.author_id == actor.id:
            raise Forbidden(_("You can't vote on your own post."))
        raise Forbidden(_("You can't vote on this post."))
    # Serialise votes on this post (PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE), so the
    # sum below sees every vote committed before ours.
    db.session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    votes = Vote.__table__
    if value == 0:
        db.session.execute(delete(Vote).where(Vote.post_id == post.id, Vote.user_id == actor.id))
    else:
        stmt = upsert(votes, db.engine.dialect.name).values(
            post_id=post.id, user_id=actor.id, value=value, created_at=utcnow()
        )
        db.session.execute(
            stmt.on_conflict_do_update(index_elements=["post_id", "user_id"], set_={"value": stmt.excluded.value})
        )
    total = select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.post_id == post.id).scalar_subquery()
    score = db.session.execute(
        update(Post).where(Post.id == post.id).values(score=total).returning(Post.score)
        .execution_options(synchronize_session=False)
    ).scalar_one()  # fmt: skip
    if post.number == 1:
        mirrored = select(Post.score).where(Post.id == post.id).scalar_subquery()
        db.session.execute(
            update(Topic).where(Topic.id == topic.id).values(score=mirrored)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    db.session.commit()
    return int(score)


# --------------------------------------------------------------------------------------------------
# The accepted answer


def accept_answer(actor: User, topic: Topic, answer: Post, *, expected: int | None = UNSET) -> None:
    """Mark ``answer`` as the accepted one (the asker, a facilitator of the group, an admin; commits).

    One conditional UPDATE on the topic: there is one column, so never two accepted answers; with
    ``expected`` (the accepted answer the member saw, or None) a change made meanwhile is a Conflict.
    """
    if not can_accept_answer(actor, topic):
        raise Forbidden(_("Only the person who asked, or a facilitator, can accept an answer."))
    if answer.topic_id != topic.id or answer.kind != "answer":
        raise InvalidInput(_("That answer belongs to another question."), field="answer_id")
    if answer.deleted_at is not None or answer.hidden_at is not None or answer.pending:
        raise InvalidInput(_("That answer was removed, so it can't be accepted."), field="answer_id")
    live = exists().where(Post.id == answer.id, Post.topic_id == topic.id, Post.kind == "answer",
                          Post.deleted_at.is_(None), Post.hidden_at.is_(None))  # fmt: skip
    conditions = [Topic.id == topic.id, live]
    if expected is not UNSET:
        conditions.append(Topic.accepted_post_id.is_(None) if not expected else Topic.accepted_post_id == expected)
    changed = db.session.execute(
        update(Topic).where(*conditions)
        .values(accepted_post_id=answer.id, accepted_at=utcnow(), accepted_by_role=answer.author_role)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if changed != 1:
        db.session.rollback()
        raise Conflict(_("Someone changed the accepted answer a moment ago. Have a look, then choose again."))
    events.answer_accepted.send(topic, actor=actor, post=answer)
    db.session.commit()


def unaccept_answer(actor: User, topic: Topic) -> None:
    """Take back the acceptance: the question waits for a better answer again (commits)."""
    if not can_accept_answer(actor, topic):
        raise Forbidden(_("Only the person who asked, or a facilitator, can change the accepted answer."))
    db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(accepted_post_id=None, accepted_at=None, accepted_by_role=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.commit()


def _on_post_removed(post: Post, *, topic: Topic, **_kw: Any) -> None:
    """A deleted or hidden accepted answer stops being the accepted one (same transaction)."""
    if topic.kind == "question" and post.kind == "answer":
        db.session.execute(
            update(Topic).where(Topic.id == topic.id, Topic.accepted_post_id == post.id)
            .values(accepted_post_id=None, accepted_at=None, accepted_by_role=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip


events.post_removed.connect(_on_post_removed, weak=False)


# --------------------------------------------------------------------------------------------------
# Closing as a duplicate


def parse_question_ref(raw: str | None) -> int | None:
    """A question number from "42", "#42" or a pasted link ending in /questions/42."""
    match = re.search(r"(\d{1,12})\D*$", (raw or "").strip())
    return int(match.group(1)) if match else None


def close_as_duplicate(actor: User, topic: Topic, target_ref: str | None) -> Topic:
    """A facilitator closes a question as a duplicate of another one they can see (commits)."""
    if not can_close_question(actor, topic):
        raise Forbidden(_("Only facilitators can close questions."))
    target_id = parse_question_ref(target_ref)
    if target_id is None:
        raise InvalidInput(_("Give the number or the link of the question this one duplicates."), field="duplicate_of")
    if target_id == topic.id:
        raise InvalidInput(_("A question can't duplicate itself."), field="duplicate_of")
    try:
        target = access_topic(actor, target_id, kind="question")
    except NotFound:
        raise InvalidInput(_("There's no question #%(id)d that you can see.", id=target_id),
                           field="duplicate_of") from None
    topic.closed_at = utcnow()
    topic.duplicate_of_id = target.id
    record(actor, "question.close", topic, group_id=topic.group_id, detail={"duplicate_of": target.id})
    db.session.commit()
    return target


def reopen_question(actor: User, topic: Topic) -> None:
    """A facilitator reopens a closed question (commits)."""
    if not can_close_question(actor, topic):
        raise Forbidden(_("Only facilitators can reopen questions."))
    topic.closed_at = None
    topic.duplicate_of_id = None
    record(actor, "question.reopen", topic, group_id=topic.group_id)
    db.session.commit()
