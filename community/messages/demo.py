"""Demo private messages for ``community seed-demo`` (its ``plan_messages`` step), written through the
messages services: a quiet participant answering a facilitator's nudge, two peers planning their study, and
a small group conversation. Run after the history step, they are spread over the last two days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

# (starter, others, subject, opening, replies: (author, text))
CONVERSATIONS: list[tuple[str, list[str], str, str, list[tuple[str, str]]]] = [
    ("p0", ["p1"], "", "Shall we go through the 5CO01 feedback together before Thursday's session?",
     [("p1", "Yes please! I found the section on culture models hard to apply. Wednesday at lunch?"),
      ("p0", "Wednesday works. I'll bring my notes on Schein; you bring the case study?"),
      ("p1", "Deal. See you then 👍")]),
    ("p2", ["p3", "p4"], "Assignment 2 study group",
     "Hi both, shall we meet weekly until the deadline? I can host a call on Tuesdays.",
     [("p3", "Tuesdays are good for me, after 6pm."),
      ("p4", "Count me in. Could we start with the stakeholder mapping part?"),
      ("p2", "Perfect: Tuesday 6:30pm, stakeholder mapping first. I'll send a link.")]),
]
NUDGE = ("f0", "p5", "We haven't heard from you in the forum for a while. How is the first assignment going?")
NUDGE_ANSWER = ("> We haven't heard from you in the forum for a while. How is the first assignment going?\n\n"
                "Thank you for checking in, Amara. Work has been busy, but I've started the first draft. Could I "
                "ask you about the word count for the reflective part?")
NUDGE_REPLY = ("Of course! The reflective part is about 1,000 words. Post your question on the cohort board "
               "too: others are wondering the same.")


def plan_messages(demo: Any) -> list[Callable[[], None]]:
    """One task per conversation, then the nudge answered by a message, then the times."""

    def conversation(spec: tuple[str, list[str], str, str, list[tuple[str, str]]]) -> Callable[[], None]:
        def make() -> None:
            from community.services import messages

            starter, others, subject, opening, replies = spec
            topic = messages.start_conversation(demo.person(starter), [demo.person(o) for o in others], opening,
                                                subject=subject)  # fmt: skip
            for who, text in replies:
                author = demo.person(who)
                messages.send_message(author, messages.access_conversation(author, topic.id), text)

        return make

    def nudge_answered() -> None:
        from community.services import messages
        from community.services.nudges import send_nudge

        facilitator, member, note = demo.person(NUDGE[0]), demo.person(NUDGE[1]), NUDGE[2]
        send_nudge(facilitator, member, note)
        topic = messages.start_conversation(member, [facilitator], NUDGE_ANSWER)
        messages.send_message(facilitator, messages.access_conversation(facilitator, topic.id), NUDGE_REPLY)

    return [conversation(spec) for spec in CONVERSATIONS] + [nudge_answered, spread_messages]


def spread_messages() -> None:
    """Place the conversations (and the nudge) over the last two days, messages an hour or so apart."""
    from community.extensions import db
    from community.models import Notification, Participant, Post, Topic, utcnow

    now = utcnow()
    topics = list(db.session.scalars(select(Topic).where(Topic.kind == "conversation").order_by(Topic.id)))
    db.session.execute(update(Notification).where(Notification.kind == "nudge")
                       .values(created_at=now - timedelta(hours=30)))  # fmt: skip
    for index, topic in enumerate(topics):
        start = now - timedelta(hours=44 - 12 * index)
        posts = list(db.session.scalars(select(Post).where(Post.topic_id == topic.id).order_by(Post.number)))
        for position, post in enumerate(posts):
            post.created_at = start + timedelta(minutes=70 * position)
        topic.created_at = topic.published_at = start
        topic.last_activity_at = posts[-1].created_at
        db.session.execute(update(Participant).where(Participant.topic_id == topic.id).values(joined_at=start))
        for note in db.session.scalars(select(Notification).where(Notification.topic_id == topic.id)):
            note.created_at = next((p.created_at for p in posts if p.id == note.post_id), start)
    db.session.commit()
