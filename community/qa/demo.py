"""Demo questions for ``community seed-demo`` (its ``plan_questions`` step): asked, answered, voted on and
accepted through the Q&A services, like everything a member does. Two questions in the cohort stay
unanswered, so the facilitator's dashboard has someone waiting for help."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (asker, group key or None for the whole community, title, tags, body,
#  answers: (author, text, voters), index of the accepted answer or None)
QUESTIONS: list[tuple[str, str | None, str, str, str, list[tuple[str, str, list[str]]], int | None]] = [
    ("p2", "cohort", "How long should the reflective log entries be?", "5co01, learning-log",
     "The handbook says 'regular entries' but not how long. Is a paragraph enough, or are people writing pages?",
     [("p6", "I aim for about 300 words: what happened, what I felt, what I'd do differently.", ["p2", "p8", "p11"]),
      ("f0", "Quality over length. A focused paragraph that links to a model beats two pages of diary.", ["p2"])],
     0),
    ("p8", "cohort", "Can we cite our own organisation's policies in the assignment?", "assignment, referencing",
     "My case study relies on our absence policy. Do I reference it like any other document, and is it OK "
     "to quote from it?",
     [("p12", "Yes: cite it as grey literature (organisation, title, year) and anonymise if it's sensitive.",
       ["p8", "p4"])],
     0),
    ("p4", None, "Good books on evidence-based HR for a beginner?", "reading, evidence-based",
     "I'd like one readable book to start with, not a textbook.",
     [("p9", "Rob Briner's articles are a great start, and the CIPD evidence reviews are free.", ["p4", "p1"]),
      ("f1", "Try 'Evidence-Based Management' by Barends and Rousseau: practical and short chapters.",
       ["p4", "p9", "p3"])],
     1),
    ("p14", "cohort", "Stakeholder mapping: which template do you use?", "stakeholders, 5co01",
     "Power/interest grid, or something more detailed? Looking for one that works in a small charity.",
     [("p0", "Power/interest grid, then a short note per quadrant on what each person needs from you.", ["p14"])],
     None),
    ("p16", "cohort", "Is anyone else struggling with the Harvard referencing for webinars?", "referencing",
     "How do you reference a live webinar that has no recording?",
     [], None),
    ("p5", "cohort", "How do I get managers to actually attend the training I organise?", "engagement, l-and-d",
     "Sign-ups are fine but half don't turn up. What has worked for you?",
     [], None),
]


# The programme unit each cohort question is about (programmes.demo defines the units).
UNIT_OF = {
    "How long should the reflective log entries be?": "5CO01",
    "Can we cite our own organisation's policies in the assignment?": "5CO02",
    "Stakeholder mapping: which template do you use?": "5CO01",
    "Is anyone else struggling with the Harvard referencing for webinars?": "5CO02",
    "How do I get managers to actually attend the training I organise?": "5CO03",
}


def plan_questions(demo: Any) -> list[Callable[[], None]]:
    """Questions with answers, votes and accepted answers (two left unanswered in the cohort)."""
    return [lambda spec=spec: _question(demo, *spec) for spec in QUESTIONS]  # type: ignore[misc]


def _question(demo: Any, asker: str, group_key: str | None, title: str, tags: str, body: str,
              answers: list[tuple[str, str, list[str]]], accepted: int | None) -> None:  # fmt: skip
    from community.extensions import db
    from community.models import Post
    from community.permissions import access_topic
    from community.services import qa

    group = demo.groups[group_key] if group_key else None
    unit_id = demo.units.get(UNIT_OF.get(title, "")) if group is not None else None
    topic_id = qa.ask_question(demo.person(asker), title=title, body=body, tags=tags, group=group,
                               unit_id=unit_id).id  # fmt: skip
    answer_ids: list[int] = []
    for author, text, voters in answers:
        person = demo.person(author)
        answer = qa.post_answer(person, access_topic(person, topic_id), text)
        answer_ids.append(answer.id)
        for voter in voters:
            if voter == author:
                continue
            member = demo.person(voter)
            qa.cast_vote(member, db.session.get(Post, answer.id), access_topic(member, topic_id), 1)
    if accepted is not None:
        person = demo.person(asker)
        qa.accept_answer(person, access_topic(person, topic_id), db.session.get(Post, answer_ids[accepted]))
