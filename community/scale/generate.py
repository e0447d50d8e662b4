"""A realistic community at any size, written with bulk inserts (``community seed-scale``).

Activity is skewed the way real communities are: a few very active members write most posts, many write a
few; a few discussions run to hundreds of replies, most get a handful. Groups of every visibility (open,
on request, private) have facilitators, members, pending requests and invitations; discussions sit on
community-wide and group boards; blog posts get comments and likes; questions get answers, comments, votes
and accepted answers; a few group discussions are the group's events instead (a third of them weekly series),
answered by some of its members; a few unanswered ones are their facilitator's announcements instead, told to
every member of the group and seen by some; posts get reactions; replies notify the topic's author; every post
has its activity feed row and its search document.

Nothing goes through the services (that would take hours at a million posts): rows are built in memory and
inserted in batches with SQLAlchemy Core, one short write transaction per batch (BEGIN IMMEDIATE on SQLite).
Every denormalised counter the services keep (reply and post counters, last post and poster, board, group,
member and tag counts, scores, likes, first and accepted answers) is computed here so that it equals the
real count, as ``community.scale.checks.verify`` (and ``tests/test_scale.py``) checks.
"""

from __future__ import annotations

import functools
import io
import os
import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import escape
from PIL import Image
from sqlalchemy import Connection, bindparam, func, insert, select, text, update

from community.database import writing
from community.extensions import db
from community.models import (
    Activity,
    Announcement,
    AnnouncementView,
    Board,
    CpdEntry,
    Event,
    EventRsvp,
    Group,
    Membership,
    Notification,
    Participant,
    Post,
    Programme,
    Reaction,
    Subscription,
    Tag,
    Topic,
    TopicTag,
    Unit,
    Upload,
    UploadUse,
    User,
    Vote,
    utcnow,
)
from community.scale.words import FIRST, LAST, REACTION_KINDS, TERM_CUM, TERMS, WORD_CUM, WORDS

#: The programme every generated cohort follows; its group questions and discussions mostly name a unit.
SCALE_UNITS = [("5CO01", "Organisational performance and culture in practice"), ("5CO02", "Evidence-based practice"),
               ("5CO03", "Professional behaviours and valuing people"), ("5HR01", "Employment relationship management"),
               ("5HR02", "Talent management and workforce planning"), ("5HR03", "Reward for performance")]  # fmt: skip
UNIT_SHARE = 0.7

#: name: (members, groups, posts)
PRESETS: dict[str, tuple[int, int, int]] = {
    "tiny": (40, 6, 400),
    "small": (1_000, 30, 10_000),
    "medium": (5_000, 150, 200_000),
    "large": (10_000, 300, 1_000_000),
}
PASSWORD = "scale-password-2026"  # every generated member's password (printed by the command)
EMAIL_DOMAIN = "scale.example"  # reserved domain: no real mailbox
ADMIN_HANDLE = "scaleadmin"
MEMBER_HANDLE = "p00001"  # a participant in an open, a request and a private group (the benchmark's member)
FACILITATOR_HANDLE = "f0001"  # facilitates the first groups (the benchmark's facilitator)
BATCH = 5_000
SPAN_DAYS = 540
EVENT_SHARE = 0.04  # of group discussions become events (a session of the group, with its answers)
ANNOUNCEMENTS_FIRST = 3  # the first group discussions without replies that become announcements...
ANNOUNCEMENT_SHARE = 0.05  # ... and the share of the later ones
IMAGE_SHARE = 0.005  # of posts show an inline image (its file, Upload and UploadUse rows)
VISIBILITY_CYCLE = ("open", "open", "request", "private")
COMMUNITY_BOARDS = ("General", "Introductions", "Study tips", "Careers", "Tools and software", "Off topic")


@dataclass
class Summary:
    """What was built."""

    members: int = 0
    groups: int = 0
    boards: int = 0
    topics: int = 0
    posts: int = 0
    votes: int = 0
    reactions: int = 0
    notifications: int = 0
    activities: int = 0
    conversations: int = 0  # private ones, beside ``topics``
    messages: int = 0  # their posts, beside ``posts`` (which counts the public ones)
    events: int = 0
    rsvps: int = 0
    announcements: int = 0
    images: int = 0  # inline images in posts, each with its file and the row saying where it is shown
    cpd_entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class _NoBar:
    def update(self, n: int) -> None:
        pass


@contextmanager
def _no_progress(length: int, label: str) -> Iterator[_NoBar]:
    yield _NoBar()


ProgressFactory = Callable[[int, str], AbstractContextManager[Any]]


@dataclass
class _Topic:
    kind: str
    board_id: int | None
    group_id: int | None
    title: str
    authors: list[int]  # per post number - 1
    kinds: list[str]
    parents: list[int]  # parent post number, 0 for none
    accepted_number: int = 0
    ids: list[int] = field(default_factory=list)


class Generator:
    """Builds the community in memory, batch by batch, and writes it (see ``generate``)."""

    def __init__(self, members: int, groups: int, posts: int, seed: int, progress: ProgressFactory) -> None:
        self.n_members = max(members, 8)
        self.n_groups = max(groups, 4)
        self.n_posts = max(posts, 20)
        self.seed = seed
        self.rng = random.Random(seed)
        self.event_rng = random.Random(seed + 7919)
        self.announcement_rng = random.Random(seed + 104729)
        self.cpd_rng = random.Random(seed + 130363)
        self.unit_rng = random.Random(seed + 1299709)  # its own stream: the rest is the same as without units
        self.progress = progress
        self.now = utcnow().replace(microsecond=0)
        self.start = self.now - timedelta(days=SPAN_DAYS)
        self.summary = Summary()

    # ------------------------------------------------------------------------------------------------
    # Helpers

    def _text(self, rng: random.Random, low: int, high: int) -> str:
        words = rng.choices(WORDS, cum_weights=WORD_CUM, k=rng.randint(low, high))
        # Now and then a specific term: rare words make searches that match a few posts, as real ones do.
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choices(TERMS, cum_weights=TERM_CUM)[0])
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def _body(self, rng: random.Random) -> tuple[str, str]:
        paragraphs = [self._text(rng, 12, 40) for _ in range(rng.choice((1, 1, 2, 3)))]
        return "\n\n".join(paragraphs), "".join(f"<p>{p}</p>\n" for p in paragraphs)

    def _write(self, statements: list[tuple[Any, list[dict[str, Any]]]]) -> None:
        """One short write transaction (BEGIN IMMEDIATE on SQLite) for a batch of executemany inserts."""
        with writing(), db.engine.begin() as conn:
            for statement, rows in statements:
                if rows:
                    conn.execute(statement, rows)

    # ------------------------------------------------------------------------------------------------
    # Members, groups, boards, tags

    def build_people(self) -> None:
        """Members (one admin, a few facilitators, many participants) with skewed activity weights."""
        from community.services.accounts import hash_password

        rng = self.rng
        password_hash = hash_password(PASSWORD)  # hashed once: hashing is deliberately slow
        n = self.n_members
        self.n_facilitators = max(2, n // 50)
        self.role: dict[int, str] = {}
        rows = []
        for uid in range(1, n + 1):
            if uid == 1:
                role, handle = "admin", ADMIN_HANDLE
            elif uid <= 1 + self.n_facilitators:
                role, handle = "facilitator", f"f{uid - 1:04d}"
            else:
                role, handle = "participant", f"p{uid - 1 - self.n_facilitators:05d}"
            self.role[uid] = role
            joined = self.start + timedelta(days=SPAN_DAYS * 0.6 * (uid / n))
            rows.append(
                {
                    "id": uid,
                    "email": f"{handle}@{EMAIL_DOMAIN}",
                    "handle": handle,
                    "display_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "password_hash": password_hash,
                    "role": role,
                    "state": "active",
                    "headline": "",
                    "bio": "",
                    "bio_html": "",
                    "organisation": "",
                    "programme": "",
                    "created_at": joined,
                    "last_seen_at": self.now - timedelta(hours=rng.random() * 500),
                    "post_count": 0,
                    "preferences": {},
                    "suspension_reason": "",
                }
            )
        # Activity weight by a random rank: a few members write a large share, most write little.
        ranks = list(range(1, n + 1))
        rng.shuffle(ranks)
        self.weight = {uid: 1.0 / (ranks[uid - 1] ** 0.9) for uid in range(1, n + 1)}
        self.user_rows = rows
        self.member_handle_id = 2 + self.n_facilitators  # p00001

    def build_groups(self) -> None:
        """Groups of every visibility, their memberships (active, requested, invited) and boards."""
        rng = self.rng
        n = self.n_members
        participants = list(range(2 + self.n_facilitators, n + 1))
        self.group_rows, self.membership_rows = [], []
        self.group_members: dict[int, list[int]] = {}
        self.group_facilitators: dict[int, set[int]] = {}
        for gid in range(1, self.n_groups + 1):
            visibility = VISIBILITY_CYCLE[(gid - 1) % len(VISIBILITY_CYCLE)]
            facilitator = 2 + ((gid - 1) % self.n_facilitators) if gid > 4 else 2  # f0001 runs groups 1-4
            created = self.start + timedelta(days=SPAN_DAYS * 0.5 * (gid / self.n_groups))
            self.group_rows.append(
                {
                    "id": gid,
                    "name": f"Cohort {gid}: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}",
                    "slug": f"cohort-{gid:04d}",
                    "description": "A learning cohort.",
                    "description_html": "<p>A learning cohort.</p>\n",
                    "visibility": visibility,
                    "created_by_id": facilitator,
                    "created_at": created,
                    "member_count": 0,
                    "approve_all_posts": False,
                }
            )
            size = min(len(participants) - 4, int(6 + rng.paretovariate(1.3) * 12), 600)
            members = set(rng.sample(participants, size))
            if gid in (1, 3, 4):
                members.add(self.member_handle_id)
            active = [(facilitator, "facilitator")] + [(u, "member") for u in sorted(members - {facilitator})]
            self.group_members[gid] = [u for u, _ in active]
            self.group_facilitators[gid] = {facilitator}
            for uid, role in active:
                self.membership_rows.append(
                    {"group_id": gid, "user_id": uid, "role": role, "state": "active", "created_at": created}
                )
            # Waiting requests and open invitations (not members: they neither count nor see private content).
            outsiders = [u for u in rng.sample(participants, min(12, len(participants))) if u not in members]
            if visibility != "open":
                state = "requested" if visibility == "request" else "invited"
                for uid in outsiders[:3]:
                    self.membership_rows.append(
                        {
                            "group_id": gid,
                            "user_id": uid,
                            "role": "member",
                            "state": state,
                            "created_at": self.now - timedelta(days=rng.randint(1, 20)),
                        }
                    )
        self.group_cum: dict[int, list[float]] = {}
        for gid, members in self.group_members.items():
            total, cum = 0.0, []
            for uid in members:
                total += self.weight[uid]
                cum.append(total)
            self.group_cum[gid] = cum
        self.all_users = list(range(1, n + 1))
        total, cum = 0.0, []
        for uid in self.all_users:
            total += self.weight[uid]
            cum.append(total)
        self.all_cum = cum
        # Groups are busy in proportion to their size.
        self.group_ids = list(self.group_members)
        self.group_pick_cum = []
        total = 0.0
        for gid in self.group_ids:
            total += len(self.group_members[gid])
            self.group_pick_cum.append(total)

        self.board_rows = []
        self.group_boards: dict[int | None, list[int]] = {None: []}
        bid = 0
        for position, name in enumerate(COMMUNITY_BOARDS):
            bid += 1
            self.board_rows.append(self._board(bid, None, name, position))
            self.group_boards[None].append(bid)
        for gid in self.group_ids:
            self.group_boards[gid] = []
            for position, name in enumerate(("Discussion", "Resources")):
                bid += 1
                self.board_rows.append(self._board(bid, gid, name, position))
                self.group_boards[gid].append(bid)
        self.tags = sorted(set(WORDS))[:150]

    def _board(self, bid: int, gid: int | None, name: str, position: int) -> dict[str, Any]:
        return {
            "id": bid,
            "group_id": gid,
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "description": f"{name}: ask, share and help each other.",
            "position": position,
            "topic_count": 0,
            "post_count": 0,
            "created_at": self.start,
        }

    def _author(self, gid: int | None) -> int:
        if gid is None:
            return self.rng.choices(self.all_users, cum_weights=self.all_cum)[0]
        return self.rng.choices(self.group_members[gid], cum_weights=self.group_cum[gid])[0]

    def author_role(self, uid: int, gid: int | None) -> str:
        role = self.role[uid]
        if role == "admin":
            return "admin"
        if role == "facilitator" or (gid is not None and uid in self.group_facilitators[gid]):
            return "facilitator"
        return "participant"

    # ------------------------------------------------------------------------------------------------
    # Topics and the shape of every post (pass 1)

    def build_topics(self) -> None:
        """Topics, each with its posts' authors, kinds and times; then post ids in time order."""
        rng = self.rng
        remaining = self.n_posts
        self.topics: list[_Topic] = []
        events: list[tuple[datetime, int, int]] = []
        while remaining > 0:
            roll = rng.random()
            kind = "discussion" if roll < 0.6 else ("question" if roll < 0.85 else "blog")
            # Most threads get a few replies; one in fifty runs long.
            replies = rng.randint(60, 300) if rng.random() < 0.02 else int(rng.expovariate(1 / 7.5))
            replies = max(0, min(replies, remaining - 1))
            remaining -= replies + 1
            if kind == "discussion":
                gid = None if rng.random() < 0.35 else self._pick_group()
                board_id = rng.choice(self.group_boards[gid])
                # One group discussion in twenty-five becomes the group's event (its own random stream, so
                # the rest of the community is the same as without events).
                if gid is not None and self.event_rng.random() < EVENT_SHARE:
                    kind, board_id = "event", None
                # An unanswered one may be the group's announcement (its own stream too).
                elif gid is not None and replies == 0 and (
                        self.summary.announcements < ANNOUNCEMENTS_FIRST
                        or self.announcement_rng.random() < ANNOUNCEMENT_SHARE):
                    kind, board_id = "announcement", None
                    self.summary.announcements += 1
            else:
                board_id = None
                gid = None if rng.random() < (0.5 if kind == "question" else 0.7) else self._pick_group()
            title = self._text(rng, 3, 9)[:-1]
            if kind == "question":
                title = "How do I " + title[0].lower() + title[1:] + "?"
            authors, kinds, parents = [self._author(gid)], ["opening"], [0]
            answers: list[int] = []
            for number in range(2, replies + 2):
                authors.append(self._author(gid))
                if kind == "question":
                    if number > 2 and rng.random() < 0.15:
                        kinds.append("comment")
                        parents.append(rng.choice([1, *answers]))
                        continue
                    kinds.append("answer")
                    answers.append(number)
                else:
                    kinds.append("reply" if kind in ("discussion", "event") else "comment")
                parents.append(0)
            if kind == "announcement":
                authors[0] = min(self.group_facilitators[gid])  # by the group's facilitator
            topic = _Topic(kind, board_id, gid, title, authors, kinds, parents)
            if answers and rng.random() < 0.45:
                topic.accepted_number = rng.choice(answers)
            tidx = len(self.topics)
            self.topics.append(topic)
            at = self.start + timedelta(seconds=SPAN_DAYS * 86400 * (rng.random() ** 0.6))
            times = []
            for _number in range(1, replies + 2):
                times.append(at)
                at += timedelta(seconds=rng.expovariate(1 / 14400))
            # A recent thread's replies that would come after now are spread over the time left, in order
            # (piled up at "now" they sorted thread by thread, and the latest activity was a few long runs).
            late = next((i for i, t in enumerate(times) if t > self.now), None)
            if late is not None:
                base = times[late - 1] if late else self.now - timedelta(hours=1)
                step = (self.now - base) / (len(times) - late + 1)
                for i in range(late, len(times)):
                    times[i] = base + step * (i - late + 1)
            for number, when in enumerate(times, start=1):
                events.append((when, tidx, number))
        events.sort()
        self.events = events
        for post_id, (_at, tidx, _number) in enumerate(events, start=1):
            self.topics[tidx].ids.append(post_id)

    def _pick_group(self) -> int:
        return self.rng.choices(self.group_ids, cum_weights=self.group_pick_cum)[0]

    # ------------------------------------------------------------------------------------------------
    # Writing

    def write_base(self, conn_rows: Callable[..., None]) -> None:
        """Members, groups, memberships, boards, tags, topics (counters filled in at the end), follows."""
        rng = self.rng
        self.topic_rows = []
        self.tag_counts: dict[int, int] = {}
        topic_tags = []
        tag_ids = {name: i for i, name in enumerate(self.tags, start=1)}
        for tid, topic in enumerate(self.topics, start=1):
            opened = self.events[topic.ids[0] - 1][0]
            self.topic_rows.append(
                {
                    "id": tid,
                    "kind": topic.kind,
                    "board_id": topic.board_id,
                    "group_id": topic.group_id,
                    "author_id": topic.authors[0],
                    "title": topic.title,
                    "status": "published",
                    "published_at": opened,
                    "created_at": opened,
                    "last_activity_at": opened,
                    "post_counter": 0,
                    "reply_count": 0,
                    "view_count": 0,
                    "score": 0,
                    "like_count": 0,
                    "pinned": False,
                    "locked": False,
                    "featured": False,
                    "unit_id": None,
                }
            )
            if topic.group_id is not None and topic.kind in ("question", "discussion") and \
                    self.unit_rng.random() < UNIT_SHARE:  # fmt: skip
                self.topic_rows[-1]["unit_id"] = self.unit_rng.randint(1, len(SCALE_UNITS))
            for name in set(rng.choices(self.tags[:40] if rng.random() < 0.7 else self.tags, k=rng.randint(0, 3))):
                topic_tags.append({"topic_id": tid, "tag_id": tag_ids[name]})
                self.tag_counts[tag_ids[name]] = self.tag_counts.get(tag_ids[name], 0) + 1
        follows = set()
        for uid in self.all_users:
            for target in rng.choices(self.all_users, cum_weights=self.all_cum, k=3):
                if target != uid:
                    follows.add((uid, target))
        subscription_rows = [
            {"user_id": u, "target_type": "member", "target_id": t, "created_at": self.start}
            for u, t in sorted(follows)
        ]
        subscription_rows += [
            {
                "user_id": self.topics[tid - 1].authors[0],
                "target_type": "topic",
                "target_id": tid,
                "created_at": self.start,
            }
            for tid in range(1, len(self.topics) + 1)
        ]
        join_rows = [{"kind": "joined", "actor_id": r["id"], "created_at": r["created_at"]} for r in self.user_rows]
        for row in self.group_rows:
            row["programme_id"] = 1
        programme = {"id": 1, "name": "CIPD Level 5 Associate Diploma", "slug": "cipd-level-5", "description": ""}
        units = [{"id": i, "programme_id": 1, "code": code, "title": title, "position": i}
                 for i, (code, title) in enumerate(SCALE_UNITS, start=1)]  # fmt: skip
        conn_rows(
            [
                (insert(User), self.user_rows),
                (insert(Programme), [programme]),
                (insert(Unit), units),
                (insert(Group), self.group_rows),
                (insert(Membership), self.membership_rows),
                (insert(Board), self.board_rows),
                (insert(Tag), [{"id": i, "name": name, "topic_count": 0} for name, i in tag_ids.items()]),
            ]
        )
        for start in range(0, len(self.topic_rows), BATCH * 4):
            conn_rows([(insert(Topic), self.topic_rows[start : start + BATCH * 4])])
        for start in range(0, len(topic_tags), BATCH * 4):
            conn_rows([(insert(TopicTag), topic_tags[start : start + BATCH * 4])])
        for start in range(0, len(subscription_rows), BATCH * 4):
            conn_rows([(insert(Subscription), subscription_rows[start : start + BATCH * 4])])
        conn_rows([(insert(Activity), join_rows)])
        self.summary.members, self.summary.groups = len(self.user_rows), len(self.group_rows)
        self.summary.boards, self.summary.topics = len(self.board_rows), len(self.topic_rows)

    def write_posts(self) -> None:
        """Every post in id (= time) order, with its search document, feed row, votes, reactions and
        notification; the topic counters are gathered on the way."""
        dialect = db.engine.dialect.name
        search_sql = text(
            "INSERT INTO search_documents (post_id, topic_id, kind, post_kind, group_id, title, body) "
            "VALUES (:post_id, :topic_id, :kind, :post_kind, :group_id, :title, :body)"
            if dialect == "postgresql"
            else "INSERT INTO search_index (rowid, title, body, topic_id, kind, post_kind, group_id) "
            "VALUES (:post_id, :title, :body, :topic_id, :kind, :post_kind, :group_id)"
        )
        self.user_posts: dict[int, int] = {}
        self.board_counts: dict[int, list[Any]] = {}  # board id: [topics, posts, last activity]
        self.group_activity: dict[int, datetime] = {}
        stats: dict[int, dict[str, Any]] = {}
        children: dict[int, int] = {}  # post id: child count
        for topic in self.topics:
            for parent in topic.parents:
                if parent:
                    pid = topic.ids[parent - 1]
                    children[pid] = children.get(pid, 0) + 1
        all_users = self.all_users
        batch: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("posts", "search", "acts", "votes", "reacts", "notes", "uploads", "uses")
        }
        with self.progress(len(self.events), "Posts") as bar:
            for post_id, (at, tidx, number) in enumerate(self.events, start=1):
                topic = self.topics[tidx]
                tid = tidx + 1
                rng = random.Random(self.seed * 1_000_003 + post_id)
                author = topic.authors[number - 1]
                kind = topic.kinds[number - 1]
                body, html = self._body(rng)
                if rng.random() < IMAGE_SHARE:  # a chart or a photo of a flip chart, as members paste them
                    body, html = self._image(batch, post_id, author, at, body, html)
                score = like_count = 0
                if topic.kind == "question" and kind in ("opening", "answer"):
                    voters = rng.sample(all_users, min(len(all_users) - 1, int(rng.expovariate(1 / 2.5))))
                    for voter in voters:
                        if voter == author:
                            continue
                        value = 1 if rng.random() < 0.85 else -1
                        score += value
                        batch["votes"].append({"post_id": post_id, "user_id": voter, "value": value, "created_at": at})
                elif rng.random() < 0.3:
                    seen = set()
                    for _ in range(1 + int(rng.expovariate(1 / 2))):
                        reaction = (rng.choice(all_users), rng.choice(REACTION_KINDS))
                        if reaction in seen:
                            continue
                        seen.add(reaction)
                        like_count += reaction[1] == "like"
                        batch["reacts"].append(
                            {"post_id": post_id, "user_id": reaction[0], "kind": reaction[1], "created_at": at}
                        )
                parent = topic.parents[number - 1]
                role = self.author_role(author, topic.group_id)
                batch["posts"].append(
                    {
                        "id": post_id,
                        "topic_id": tid,
                        "author_id": author,
                        "parent_id": topic.ids[parent - 1] if parent else None,
                        "number": number,
                        "kind": kind,
                        "body": body,
                        "body_html": html,
                        "created_at": at,
                        "revision_count": 0,
                        "author_role": role,
                        "hidden_reason": "",
                        "pending": False,
                        "score": score,
                        "like_count": like_count,
                        "child_count": children.get(post_id, 0),
                    }
                )
                batch["search"].append(
                    {
                        "post_id": post_id,
                        "topic_id": tid,
                        "kind": topic.kind,
                        "post_kind": kind,
                        "group_id": topic.group_id,
                        "title": topic.title if number == 1 else "",
                        "body": body,
                    }
                )
                batch["acts"].append(
                    {
                        "kind": "topic" if number == 1 else "post",
                        "actor_id": author,
                        "topic_id": tid,
                        "post_id": post_id,
                        "group_id": topic.group_id,
                        "created_at": at,
                    }
                )
                counts = kind != "opening" and not (topic.kind == "question" and kind == "comment")
                st = stats.setdefault(
                    tid,
                    {
                        "id": tid,
                        "post_counter": 0,
                        "reply_count": 0,
                        "last_post_id": post_id,
                        "last_poster_id": author,
                        "last_activity_at": at,
                        "score": score,
                        "like_count": like_count,
                        "first_answer_at": None,
                        "first_answer_by_role": None,
                        "accepted_post_id": None,
                        "accepted_at": None,
                        "accepted_by_role": None,
                    },
                )
                st["post_counter"] = number
                if counts:
                    st["reply_count"] += 1
                    st.update(last_post_id=post_id, last_poster_id=author, last_activity_at=at)
                if kind == "answer" and st["first_answer_at"] is None:
                    st.update(first_answer_at=at, first_answer_by_role=role)
                if number == topic.accepted_number:
                    st.update(
                        accepted_post_id=post_id,
                        accepted_at=min(at + timedelta(hours=2), self.now),
                        accepted_by_role=role,
                    )
                if counts or number == 1:
                    self.user_posts[author] = self.user_posts.get(author, 0) + 1
                    if topic.board_id is not None:
                        bc = self.board_counts.setdefault(topic.board_id, [0, 0, at])
                        bc[0] += number == 1
                        bc[1] += 1
                        bc[2] = max(bc[2], at)
                    if topic.group_id is not None:
                        self.group_activity[topic.group_id] = max(self.group_activity.get(topic.group_id, at), at)
                opener = topic.authors[0]
                if counts and author != opener and rng.random() < 0.4:
                    note_kind = {"discussion": "reply", "question": "answer", "blog": "comment",
                                 "event": "reply", "announcement": "reply"}[topic.kind]  # fmt: skip
                    batch["notes"].append(
                        {
                            "user_id": opener,
                            "actor_id": author,
                            "kind": note_kind,
                            "topic_id": tid,
                            "post_id": post_id,
                            "group_id": topic.group_id,
                            "url": "",
                            "message": "",
                            "created_at": at,
                            "read_at": at + timedelta(hours=3) if at < self.now - timedelta(days=7) else None,
                        }
                    )
                if len(batch["posts"]) >= BATCH:
                    self._flush_posts(batch, search_sql)
                    bar.update(BATCH)
            left = len(batch["posts"])
            self._flush_posts(batch, search_sql)
            bar.update(left)
        self.topic_stats = stats
        self.summary.posts = len(self.events)

    def _image(self, batch: dict[str, list[dict[str, Any]]], post_id: int, author: int, at: datetime, body: str,
               html: str) -> tuple[str, str]:  # fmt: skip
        """An inline image for a post: its file, its Upload row and the UploadUse that records where it is
        shown (what the writing services record), the Markdown and HTML that name it."""
        name = f"scale-{self.seed}-{post_id}.png"
        folder = current_app.config["UPLOAD_FOLDER"]
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as out:
            out.write(_tiny_png())
        upload_id = len(batch["uploads"]) + self.summary.images + 1
        batch["uploads"].append({"id": upload_id, "owner_id": author, "purpose": "inline", "name": name,
                                 "content_type": "image/png", "width": 1, "height": 1, "size": len(_tiny_png()),
                                 "created_at": at})  # fmt: skip
        batch["uses"].append({"upload_id": upload_id, "post_id": post_id, "created_at": at})
        return (f"{body}\n\n![A chart](/uploads/{name})",
                f'{html}<p><img alt="A chart" src="/uploads/{name}"></p>\n')

    def _flush_posts(self, batch: dict[str, list[dict[str, Any]]], search_sql: Any) -> None:
        self.summary.images += len(batch["uploads"])
        self._write(
            [
                (insert(Upload), batch["uploads"]),
                (insert(Post), batch["posts"]),
                (insert(UploadUse), batch["uses"]),
                (search_sql, batch["search"]),
                (insert(Activity), batch["acts"]),
                (insert(Vote), batch["votes"]),
                (insert(Reaction), batch["reacts"]),
                (insert(Notification), batch["notes"]),
            ]
        )
        self.summary.votes += len(batch["votes"])
        self.summary.reactions += len(batch["reacts"])
        self.summary.notifications += len(batch["notes"])
        self.summary.activities += len(batch["acts"])
        for rows in batch.values():
            rows.clear()

    def write_conversations(self) -> None:
        """Private conversations in proportion (one per 100 public posts, 2 at least): two to four members of
        one group, a few messages each, read positions behind or level. Not indexed for search, no activity
        rows and no post counts, as the messages services do; every counter set as those services keep it."""
        rng = random.Random(self.seed + 16)
        with db.engine.connect() as conn:
            topic_id = int(conn.execute(select(func.coalesce(func.max(Topic.id), 0))).scalar_one())
            post_id = int(conn.execute(select(func.coalesce(func.max(Post.id), 0))).scalar_one())
        groups = [g for g, people in self.group_members.items() if len(people) >= 2]
        topics, posts, people, last_posts = [], [], [], []
        for _conversation in range(max(2, self.n_posts // 100) if groups else 0):
            group = rng.choice(groups)
            members = rng.sample(self.group_members[group], min(len(self.group_members[group]),
                                                                rng.choice((2, 2, 2, 3, 4))))  # fmt: skip
            topic_id += 1
            started = self.start + timedelta(seconds=rng.random() * (self.now - self.start).total_seconds() * 0.98)
            count = rng.randint(1, 8)
            at = started
            for number in range(1, count + 1):
                post_id += 1
                author = members[0] if number == 1 else rng.choice(members)
                body, html = self._body(rng)
                posts.append({"id": post_id, "topic_id": topic_id, "author_id": author, "parent_id": None,
                              "number": number, "kind": "opening" if number == 1 else "reply", "body": body,
                              "body_html": html, "created_at": at, "revision_count": 0, "hidden_reason": "",
                              "author_role": self.author_role(author, None), "pending": False, "score": 0,
                              "like_count": 0, "child_count": 0})  # fmt: skip
                last_author, last_at = author, at
                at = min(self.now, at + timedelta(minutes=rng.randint(3, 3000)))
            topics.append({"id": topic_id, "kind": "conversation", "board_id": None, "group_id": None,
                           "author_id": members[0], "title": "" if rng.random() < 0.6 else self._text(rng, 2, 5)[:-1],
                           "status": "published", "published_at": started, "created_at": started,
                           "last_activity_at": last_at, "post_counter": count, "reply_count": count - 1,
                           "last_post_id": None, "last_poster_id": last_author})  # fmt: skip
            last_posts.append({"tid": topic_id, "lp": post_id})
            for uid in members:
                read = count if uid == last_author or rng.random() < 0.7 else rng.randint(0, count - 1)
                people.append({"topic_id": topic_id, "user_id": uid, "added_by_id": members[0], "joined_at": started,
                               "left_at": None, "last_read_number": read, "muted": rng.random() < 0.05})  # fmt: skip
        set_last = update(Topic.__table__).where(Topic.__table__.c.id == bindparam("tid")).values(
            last_post_id=bindparam("lp"))
        for start in range(0, len(topics), BATCH):
            ids = {row["id"] for row in topics[start : start + BATCH]}
            self._write([(insert(Topic.__table__), topics[start : start + BATCH]),
                         (insert(Post.__table__), [p for p in posts if p["topic_id"] in ids]),
                         (insert(Participant.__table__), [p for p in people if p["topic_id"] in ids]),
                         # The last post once it exists (the topic's foreign key to it).
                         (set_last, [r for r in last_posts if r["tid"] in ids])])  # fmt: skip
        self.summary.conversations, self.summary.messages = len(topics), len(posts)

    def write_counters(self) -> None:
        """The denormalised counters, as the services would have kept them."""
        topic_t = Topic.__table__
        stmt = (
            update(topic_t)
            .where(topic_t.c.id == bindparam("tid"))
            .values(
                {
                    c: bindparam(f"v_{c}")
                    for c in (
                        "post_counter",
                        "reply_count",
                        "last_post_id",
                        "last_poster_id",
                        "last_activity_at",
                        "score",
                        "like_count",
                        "first_answer_at",
                        "first_answer_by_role",
                        "accepted_post_id",
                        "accepted_at",
                        "accepted_by_role",
                    )
                }
            )
        )
        rows = [{"tid": s["id"], **{f"v_{k}": v for k, v in s.items() if k != "id"}} for s in self.topic_stats.values()]
        with self.progress(len(rows), "Counters") as bar:
            for start in range(0, len(rows), BATCH * 4):
                chunk = rows[start : start + BATCH * 4]
                self._write([(stmt, chunk)])
                bar.update(len(chunk))
        user_t, group_t, board_t, tag_t = User.__table__, Group.__table__, Board.__table__, Tag.__table__
        active = {}
        for row in self.membership_rows:
            if row["state"] == "active":
                active[row["group_id"]] = active.get(row["group_id"], 0) + 1
        self._write(
            [
                (
                    update(user_t).where(user_t.c.id == bindparam("uid")).values(post_count=bindparam("n")),
                    [{"uid": u, "n": n} for u, n in self.user_posts.items()],
                ),
                (
                    update(group_t)
                    .where(group_t.c.id == bindparam("gid"))
                    .values(member_count=bindparam("n"), last_activity_at=bindparam("at")),
                    [{"gid": g, "n": active.get(g, 0), "at": self.group_activity.get(g)} for g in self.group_ids],
                ),
                (
                    update(board_t)
                    .where(board_t.c.id == bindparam("bid"))
                    .values(topic_count=bindparam("t"), post_count=bindparam("p"), last_activity_at=bindparam("at")),
                    [{"bid": b, "t": c[0], "p": c[1], "at": c[2]} for b, c in self.board_counts.items()],
                ),
                (
                    update(tag_t).where(tag_t.c.id == bindparam("tag")).values(topic_count=bindparam("n")),
                    [{"tag": t, "n": n} for t, n in self.tag_counts.items()],
                ),
            ]
        )
        if db.engine.dialect.name == "postgresql":
            # Rows were written with explicit ids: move each sequence past them.
            with db.engine.begin() as conn:
                for name in ("users", "groups", "boards", "tags", "topics", "posts", "uploads"):  # fixed table names
                    last_id = f"(SELECT COALESCE(MAX(id), 1) FROM {name})"  # noqa: S608
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {last_id})"))
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


    # ------------------------------------------------------------------------------------------------
    # Events

    def write_events(self) -> None:
        """Each event topic's times (from a month back to two months ahead; a third are weekly series) and
        answers from some of its group's members."""
        rng = self.event_rng
        event_rows: list[dict[str, Any]] = []
        rsvp_rows: list[dict[str, Any]] = []
        for tid, topic in enumerate(self.topics, start=1):
            if topic.kind != "event":
                continue
            start = (self.now + timedelta(days=rng.randint(-30, 60), hours=rng.randint(-6, 6))).replace(
                minute=0, second=0)
            length = timedelta(minutes=rng.choice((60, 90, 120)))
            count = rng.randint(4, 12) if rng.random() < 0.33 else 0
            rule = f"FREQ=WEEKLY;COUNT={count}" if count else ""
            last_start = start + timedelta(weeks=max(count - 1, 0))
            event_id = len(event_rows) + 1
            event_rows.append({
                "id": event_id, "topic_id": tid, "starts_at": start, "ends_at": start + length, "timezone": "UTC",
                "location": "" if rng.random() < 0.5 else f"Room {rng.randint(1, 30)}",
                "online_url": "https://meet.example.org/" + str(tid) if rng.random() < 0.6 else "",
                "capacity": rng.choice((None, None, 12, 20, 30)), "rrule": rule,
                "last_ends_at": last_start + length, "cancelled_at": None, "sequence": 0, "updated_at": self.now,
            })  # fmt: skip
            members = self.group_members.get(topic.group_id or 0, [])
            capacity = event_rows[-1]["capacity"]
            going = 0
            for uid in rng.sample(members, k=min(len(members), rng.randint(0, 15))):
                answer = rng.choices(("going", "maybe", "no"), weights=(6, 3, 1))[0]
                if answer == "going" and capacity is not None and going >= capacity:
                    answer = "maybe"
                going += answer == "going"
                rsvp_rows.append({"event_id": event_id, "user_id": uid, "answer": answer, "created_at": self.now,
                                  "updated_at": self.now})  # fmt: skip
        for begin in range(0, len(event_rows), BATCH * 4):
            self._write([(insert(Event), event_rows[begin : begin + BATCH * 4])])
        for begin in range(0, len(rsvp_rows), BATCH * 4):
            self._write([(insert(EventRsvp), rsvp_rows[begin : begin + BATCH * 4])])
        self.summary.events, self.summary.rsvps = len(event_rows), len(rsvp_rows)


    # ------------------------------------------------------------------------------------------------
    # Announcements

    def write_announcements(self) -> None:
        """Each announcement's row (no expiry), its notification to every other member of the group (read a
        few hours later when old), and the members who have seen it (about two in three)."""
        rng = self.announcement_rng
        rows: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        views: list[dict[str, Any]] = []
        for tid, topic in enumerate(self.topics, start=1):
            if topic.kind != "announcement":
                continue
            at = self.events[topic.ids[0] - 1][0]
            rows.append({"topic_id": tid, "expires_at": None})
            author = topic.authors[0]
            for uid in self.group_members.get(topic.group_id or 0, []):
                if uid == author:
                    continue
                old = at < self.now - timedelta(days=7)
                notes.append({"user_id": uid, "actor_id": author, "kind": "announcement", "topic_id": tid,
                              "post_id": topic.ids[0], "group_id": topic.group_id, "url": "", "message": "",
                              "created_at": at, "read_at": at + timedelta(hours=3) if old else None})  # fmt: skip
                if rng.random() < 0.66:
                    views.append({"topic_id": tid, "user_id": uid, "seen_at": min(at + timedelta(hours=2), self.now),
                                  "dismissed_at": self.now if old and rng.random() < 0.5 else None})  # fmt: skip
        self._write([(insert(Announcement), rows)] if rows else [])
        for begin in range(0, len(notes), BATCH * 4):
            self._write([(insert(Notification), notes[begin : begin + BATCH * 4])])
        for begin in range(0, len(views), BATCH * 4):
            self._write([(insert(AnnouncementView), views[begin : begin + BATCH * 4])])
        self.summary.notifications += len(notes)


    # ------------------------------------------------------------------------------------------------
    # CPD logs

    def write_cpd(self) -> None:
        """About one participant in three keeps a CPD log: a few entries over the span, a quarter of an hour
        to four hours each (Markdown-free text, so its HTML is the escaped paragraph)."""
        rng = self.cpd_rng
        rows: list[dict[str, Any]] = []
        for uid, role in self.role.items():
            if role != "participant" or rng.random() > 0.35:
                continue
            for _n in range(rng.randint(1, 6)):
                done = (self.start + timedelta(days=rng.uniform(0, SPAN_DAYS))).replace(microsecond=0)
                learned, apply = self._text(rng, 8, 30), self._text(rng, 5, 20)
                hours = rng.choice((25, 50, 100, 150, 200, 400))
                rows.append({"user_id": uid, "done_on": done.date(), "title": self._text(rng, 3, 8)[:200],
                             "learned": learned, "learned_html": f"<p>{escape(learned)}</p>", "apply": apply,
                             "apply_html": f"<p>{escape(apply)}</p>", "hours_hundredths": hours,
                             "created_at": done, "updated_at": done})  # fmt: skip
        for begin in range(0, len(rows), BATCH * 4):
            self._write([(insert(CpdEntry), rows[begin : begin + BATCH * 4])])
        self.summary.cpd_entries = len(rows)


@functools.cache
def _tiny_png() -> bytes:
    """A one-pixel PNG, the file behind every generated image (the pages are measured, not the pictures)."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1), (31, 95, 191)).save(out, "PNG")
    return out.getvalue()


def database_is_empty(connection: Connection) -> bool:
    """No members yet (a fresh schema)."""
    return not connection.execute(select(func.count()).select_from(User)).scalar_one()


def generate(
    members: int,
    groups: int,
    posts: int,
    *,
    seed: int = 1,
    progress: ProgressFactory = _no_progress,
    echo: Callable[[str], None] = lambda _m: None,
) -> Summary:
    """Build a community of about ``members`` members, ``groups`` groups and exactly ``posts`` posts into the
    app's (empty) database."""
    gen = Generator(members, groups, posts, seed, progress)
    echo("Planning members, groups and posts ...")
    gen.build_people()
    gen.build_groups()
    gen.build_topics()
    echo(f"Writing {len(gen.user_rows)} members, {len(gen.group_rows)} groups, {len(gen.topics)} topics ...")
    gen.write_base(gen._write)
    gen.write_posts()
    gen.write_conversations()
    gen.write_counters()
    gen.write_events()
    gen.write_announcements()
    gen.write_cpd()
    return gen.summary
