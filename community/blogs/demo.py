"""Demo blog posts and comments for ``community seed-demo`` (its ``plan_blogs`` step), written through the
blog services like everything a member writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (author, group key or None for the whole community, title, tags, body, featured, comments)
# comments: (author, text, index of the comment replied to or None)
POSTS: list[tuple[str, str | None, str, str, str, bool, list[tuple[str, str, int | None]]]] = [
    ("f0", None, "Five questions that open up a coaching conversation", "coaching, questions",
     "Open questions give the other person room to think. These are the five I use most:\n\n"
     "1. What would good look like?\n2. What have you tried so far?\n3. What's in your control?\n"
     "4. What would you advise a friend to do?\n5. What's the smallest next step?\n\n"
     "Which ones work for you, and which feel awkward?", True,
     [("p1", "Number 4 is my favourite: it takes the pressure off.", None),
      ("f0", "Same here. It works well with senior managers too.", 0),
      ("p5", "I find 'what's in your control' lands badly when someone is stressed. Any tips?", None),
      ("f0", "Acknowledge the stress first, then ask it later in the conversation.", 2)]),
    ("p0", "cohort", "What I learned from my first stakeholder interview", "reflection, 5co01",
     "I over-prepared the questions and under-prepared the **listening**. Next time I will:\n\n"
     "- leave more silence\n- summarise back before moving on\n- write notes straight after, not during", False,
     [("p2", "The silence point is so true. I rush to fill every gap.", None),
      ("p0", "Me too! Counting to five in my head helps.", 0),
      ("f1", "Great reflection. Bring this to Thursday's session if you're happy to.", None)]),
    ("p3", "coaching", "Practice triad, week 3: being the observer", "coaching, triads",
     "Observing was harder than coaching. I noticed how often the coach asked two questions at once.", False,
     [("p7", "Ha, guilty. Thanks for the feedback last week!", None)]),
    ("p11", "wellbeing", "Studying with a full-time job: my weekly routine", "wellbeing, study-skills",
     "Two early mornings, one long Sunday session, and nothing on Fridays. It's not perfect but it's kept me "
     "going for six weeks.", False,
     [("p13", "No study on Fridays is a rule I'm stealing.", None)]),
    ("p4", None, "Reading notes: the learning organisation", "reading",
     "Senge's five disciplines, in my own words, with one example from work for each.", False, []),
]


def plan_blogs(demo: Any) -> list[Callable[[], None]]:
    """Blog posts (one featured) with threaded comments and a few likes."""
    tasks: list[Callable[[], None]] = []
    for spec in POSTS:
        tasks.append(lambda spec=spec: _post(demo, *spec))  # type: ignore[misc]
    return tasks


def _post(demo: Any, author: str, group_key: str | None, title: str, tags: str, body: str, featured: bool,
          comments: list[tuple[str, str, int | None]]) -> None:  # fmt: skip
    from community.extensions import db
    from community.models import Post
    from community.permissions import access_topic
    from community.services import blogs

    group = demo.groups[group_key] if group_key else None
    topic_id = blogs.write_post(demo.person(author), title=title, body=body, tags=tags, group=group,
                                action="publish").id  # fmt: skip
    made: list[int] = []
    for who, text, parent in comments:
        person = demo.person(who)
        comment = blogs.add_comment(person, access_topic(person, topic_id), text,
                                    made[parent] if parent is not None else None)  # fmt: skip
        made.append(comment.id)
    if featured:
        facilitator = demo.person("f0")
        blogs.set_featured(facilitator, access_topic(facilitator, topic_id), True)
    opening_id = db.session.query(Post.id).filter_by(topic_id=topic_id, number=1).scalar()
    for who in sorted({c[0] for c in comments} - {author}):
        person = demo.person(who)
        topic = access_topic(person, topic_id)
        blogs.set_like(person, db.session.get(Post, opening_id), topic, True)
