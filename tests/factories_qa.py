"""Questions, answers and votes for tests, built through the Q&A services (the production code path)."""

from __future__ import annotations

import itertools
from typing import Any

from community.extensions import db
from community.models import Group, Post, Topic, User
from community.services import qa
from tests.factories import acting, load_post, load_topic

_numbers = itertools.count(1)


def make_question(asker: User, *, title: str | None = None, body: str = "What would you do?",
                  tags: str | None = None, group: Group | None = None) -> Topic:  # fmt: skip
    """A question asked by ``asker`` (in ``group`` or the whole community)."""
    return qa.ask_question(acting(asker), title=title or f"Question number {next(_numbers)}", body=body, tags=tags,
                           group=group)  # fmt: skip


def make_answer(author: User, question: Topic, body: str = "Here is what worked for me.") -> Post:
    """An answer by ``author``."""
    return qa.post_answer(acting(author), load_topic(author, question.id), body)


def make_comment(author: User, parent: Post, body: str = "Good point.") -> Post:
    """A comment by ``author`` under a question's opening post or an answer."""
    post = load_post(author, parent.id)
    return qa.add_comment(acting(author), post.topic, post, body)


def vote(user: User, post: Post, value: int) -> int:
    """``user`` votes on ``post``; returns the new score."""
    loaded = load_post(user, post.id)
    return qa.cast_vote(acting(user), loaded, loaded.topic, value)


def accept(user: User, answer: Post) -> None:
    """``user`` accepts ``answer`` on its question."""
    loaded = load_post(user, answer.id)
    qa.accept_answer(acting(user), loaded.topic, loaded)


def opening_of(question: Topic) -> Post:
    """The question's opening post."""
    return db.session.query(Post).filter_by(topic_id=question.id, number=1).one()


def reload(model: Any, id_: int) -> Any:
    """A fresh copy of a row, as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, id_)
