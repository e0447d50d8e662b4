"""Private messages, writing: start a conversation, send, add people, leave, mute, read positions.

A conversation is a Topic of kind ``conversation`` (no group, no board) and each message a Post in it, so
markup, mentions, reactions and reports work as on any post. These services send ``events.message_sent``
instead of the public content events, so the search index, the activity feed, hashtags and watchers never
hear of a message; the participants are told through ``notify_messages``. Messages don't count towards a
member's posts (profile figures, dashboards). Each service owns its transaction.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from community import events
from community.errors import Forbidden, InvalidInput, NotFound
from community.extensions import db
from community.markup import render_markdown
from community.models import MAX_PARTICIPANTS, Participant, Post, Topic, User, utcnow
from community.permissions import (
    can_add_participants,
    can_leave_conversation,
    can_reply_in_conversation,
    can_send_messages,
    is_participant,
    participation,
    remember_participations,
)
from community.services import safety, submissions
from community.services.media.write import record_post_uses
from community.services.messages.read import blocked_ids, resolve_recipients
from community.services.posts import author_role, clean_body

SUBJECT_MAX_CHARS = 120


def clean_subject(subject: str | None) -> str:
    """An optional subject with spaces folded; InvalidInput if too long."""
    subject = " ".join((subject or "").split())
    if len(subject) > SUBJECT_MAX_CHARS:
        raise InvalidInput(_("A subject is %(num)d characters at most.", num=SUBJECT_MAX_CHARS), field="subject")
    return subject


def start_conversation(actor: User, to: str | list[User], body: str, *, subject: str = "",
                       submission_key: str | None = None) -> Topic:  # fmt: skip
    """Start a conversation with the members named in ``to`` (handles, or Users), its first message ``body``
    (commits). InvalidInput on the field at fault, the text untouched."""
    if not can_send_messages(actor):
        raise Forbidden(_("You can't send messages."))
    key = submissions.check(actor, submission_key, body)
    subject = clean_subject(subject)
    body = clean_body(body)
    # Users given directly (the seed, tests) go through the same rule as typed handles.
    recipients = resolve_recipients(actor, to if isinstance(to, str) else ", ".join(u.handle for u in to))
    safety.screen_message(actor, body)
    now = utcnow()
    topic = Topic(kind="conversation", author_id=actor.id, title=subject, status="published", created_at=now,
                  published_at=now, last_activity_at=now, post_counter=1, last_poster_id=actor.id)  # fmt: skip
    db.session.add(topic)
    db.session.flush()
    post = Post(topic_id=topic.id, author_id=actor.id, number=1, kind="opening", body=body,
                body_html=render_markdown(body), created_at=now, author_role=author_role(actor, None))  # fmt: skip
    db.session.add(post)
    db.session.flush()
    record_post_uses(post.id, actor.id, body)
    submissions.remember(actor, key, post)
    topic.last_post_id = post.id
    rows = [Participant(topic_id=topic.id, user_id=actor.id, added_by_id=actor.id, joined_at=now,
                        last_read_number=1, muted=False)]  # fmt: skip
    rows += [Participant(topic_id=topic.id, user_id=u.id, added_by_id=actor.id, joined_at=now, last_read_number=0,
                         muted=False) for u in recipients]  # fmt: skip
    db.session.add_all(rows)
    db.session.flush()
    remember_participations(actor, rows[:1])
    events.message_sent.send(post, actor=actor, topic=topic)
    db.session.commit()
    return topic


def send_message(actor: User, topic: Topic, body: str, *, submission_key: str | None = None) -> Post:
    """A message in a conversation the actor takes part in (``access_conversation`` loaded it) (commits)."""
    participant = _participant(actor, topic)
    key = submissions.check(actor, submission_key, body)
    body = clean_body(body)
    others = [p.user_id for p in _current(topic) if p.user_id != actor.id]
    if not can_reply_in_conversation(actor, topic, blocked=bool(blocked_ids(actor.id, others))):
        raise Forbidden(_("You can't write in this conversation."))
    safety.screen_message(actor, body)
    now = utcnow()
    number = db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(post_counter=Topic.post_counter + 1, reply_count=Topic.reply_count + 1, last_activity_at=now,
                last_poster_id=actor.id)
        .returning(Topic.post_counter)
    ).scalar_one()  # fmt: skip
    post = Post(topic_id=topic.id, author_id=actor.id, number=number, kind="reply", body=body,
                body_html=render_markdown(body), created_at=now, author_role=author_role(actor, None))  # fmt: skip
    db.session.add(post)
    db.session.flush()
    record_post_uses(post.id, actor.id, body)
    submissions.remember(actor, key, post)
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(last_post_id=post.id))
    participant.last_read_number = max(participant.last_read_number, number)
    events.message_sent.send(post, actor=actor, topic=topic)
    db.session.commit()
    return post


def add_participants(actor: User, topic: Topic, to: str) -> list[User]:
    """The starter adds people (20 in all at most); they read the conversation from its beginning, and a
    member who had left may be added back (commits)."""
    current = _current(topic)
    _participant(actor, topic)
    if not can_add_participants(actor, topic, len(current)):
        raise Forbidden(_("Only the person who started this conversation can add people, up to %(num)d in all.",
                          num=MAX_PARTICIPANTS))
    added = resolve_recipients(actor, to, already=len(current), exclude={p.user_id for p in current})
    now = utcnow()
    for user in added:
        row = db.session.get(Participant, (topic.id, user.id))
        if row is None:
            db.session.add(Participant(topic_id=topic.id, user_id=user.id, added_by_id=actor.id, joined_at=now,
                                       last_read_number=0, muted=False))  # fmt: skip
        else:
            row.left_at, row.joined_at, row.added_by_id = None, now, actor.id
    db.session.flush()
    events.participants_added.send(topic, actor=actor, added=added)
    db.session.commit()
    return added


def leave_conversation(actor: User, topic: Topic) -> None:
    """Leave: the conversation leaves the inbox and can no longer be opened, what came before included
    (commits). The others keep it; the starter may add the member back."""
    participant = _participant(actor, topic)
    if not can_leave_conversation(actor, topic):
        raise NotFound(_("Not found."))
    participant.left_at = utcnow()
    db.session.commit()


def set_muted(actor: User, topic: Topic, muted: bool) -> None:
    """Mute a conversation (no notifications, nor the header's count, except when mentioned) or unmute it."""
    participant = _participant(actor, topic)
    participant.muted = muted
    db.session.commit()


def mark_read(actor: User, topic: Topic, number: int) -> None:
    """Move the member's read position forward to ``number`` (never back), in a short write of its own so the
    page view stays a reader (see ``database.side_write``)."""
    from community.database import side_write

    participant = _participant(actor, topic)
    if participant.last_read_number >= number:
        return
    side_write([
        update(Participant)
        .where(Participant.topic_id == topic.id, Participant.user_id == actor.id,
               Participant.last_read_number < number)
        .values(last_read_number=number)
    ])  # fmt: skip


def _participant(actor: User, topic: Topic) -> Participant:
    if topic.kind != "conversation" or not is_participant(actor, topic):
        raise NotFound(_("Not found."))
    return participation(actor, topic)


def _current(topic: Topic) -> list[Participant]:
    return list(db.session.scalars(
        select(Participant).where(Participant.topic_id == topic.id, Participant.left_at.is_(None))))  # fmt: skip
