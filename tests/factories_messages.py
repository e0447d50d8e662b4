"""Private messages for tests, written through the services (the production code path)."""

from __future__ import annotations

from community.extensions import db
from community.models import Participant, Post, Topic, User
from community.services import messages
from tests.factories import acting


def make_conversation(starter: User, *others: User, body: str = "Hello there", subject: str = "",
                      replies: int = 0) -> Topic:  # fmt: skip
    """A conversation started by ``starter`` with ``others``, with ``replies`` more messages taking turns."""
    topic = messages.start_conversation(acting(starter), list(others), body, subject=subject)
    people = [starter, *others]
    for i in range(replies):
        author = people[(i + 1) % len(people)]
        send(author, topic.id, f"Message {i + 2} from {author.handle}")
    return topic


def load_conversation(user: User, topic_id: int) -> Topic:
    """The conversation as a view loads it for ``user`` (NotFound if they may not read it)."""
    db.session.expire_all()
    return messages.access_conversation(acting(user), topic_id)


def send(user: User, topic_id: int, body: str) -> Post:
    """``user`` writes in the conversation."""
    return messages.send_message(acting(user), load_conversation(user, topic_id), body)


def participant(topic_id: int, user: User) -> Participant | None:
    """The member's row in the conversation."""
    db.session.expire_all()
    return db.session.get(Participant, (topic_id, user.id))
