"""The search page: ranked topics (discussions, blog posts, questions and answers) with highlighted snippets,
filters by kind, group, author, tag and date, and matching members.

The ranking and the visibility filter are the search core's (``community.search``); this module adds the
page's extra filters on top of its ranked subquery, so nothing the searcher may not see is ever returned
or counted. Snippets are plain text, escaped, with the query's words wrapped in ``<mark>`` here alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.markup import plain_excerpt
from community.models import Post, Tag, Topic, TopicTag, Unit, User, utcnow
from community.search import core as search_core
from community.search import query_terms
from community.services.group_pages import filter_groups

KINDS = {"": _l("Everything"), "discussion": _l("Discussions"), "blog": _l("Blog posts"),
         "question": _l("Questions & answers")}  # fmt: skip
DATES = {"": _l("Any time"), "week": _l("Past week"), "month": _l("Past month"), "year": _l("Past year")}
DATE_SPANS = {"week": timedelta(days=7), "month": timedelta(days=31), "year": timedelta(days=366)}
PAGE_SIZE = 20
MAX_PAGE = 50
SNIPPET_CHARS = 240


@dataclass
class Filters:
    """What the searcher asked for (already cleaned: unknown values are ignored)."""

    q: str = ""
    kind: str = ""
    group: str = ""  # slug
    author: str = ""  # handle
    tag: str = ""
    unit: str = ""  # a unit's code (any programme)
    date: str = ""
    page: int = 1


@dataclass
class Result:
    """One topic found, with its best post's snippet."""

    topic: Topic
    post: Post
    snippet: Markup


@dataclass
class SearchPage:
    """Everything the page shows."""

    filters: Filters
    terms: list[str]
    results: list[Result] = field(default_factory=list)
    total: int = 0
    members: list[User] = field(default_factory=list)
    groups: list[Any] = field(default_factory=list)  # (id, slug, name) rows for the group filter

    @property
    def has_next(self) -> bool:
        return self.filters.page * PAGE_SIZE < self.total and self.filters.page < MAX_PAGE


def clean_filters(args: Any) -> Filters:
    """Filters from the query string; anything unexpected is dropped, never an error."""
    page = args.get("page", "1")
    return Filters(
        q=(args.get("q") or "")[:500],
        kind=args.get("kind", "") if args.get("kind", "") in KINDS else "",
        group=(args.get("group") or "")[:60],
        author=(args.get("author") or "").strip().lstrip("@").lower()[:30],
        tag=(args.get("tag") or "").strip().lstrip("#").lower()[:40],
        unit=(args.get("unit") or "").strip().upper()[:20],
        date=args.get("date", "") if args.get("date", "") in DATES else "",
        page=min(int(page), MAX_PAGE) if page.isdigit() and 0 < len(page) < 4 and int(page) > 0 else 1,
    )


def highlight(text: str, terms: list[str], length: int = SNIPPET_CHARS) -> Markup:
    """A plain-text window of ``text`` around the first matching word, escaped, with matches in <mark>."""
    plain = plain_excerpt(text, 100_000)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I) if terms else None
    start = 0
    if pattern is not None and (first := pattern.search(plain)) is not None:
        start = max(0, first.start() - length // 3)
        space = plain.find(" ", start, first.start())
        start = space + 1 if start > 0 and space != -1 else start  # begin on a whole word
    window = plain[start:start + length]
    if start + length < len(plain) and " " in window[length // 2:]:
        window = window[: window.rfind(" ")]  # and end on one
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(plain) else ""
    if pattern is None:
        return escape(prefix + window + suffix)
    pieces: list[Markup] = [escape(prefix)]
    last = 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[last:match.start()]))
        pieces.append(Markup("<mark>{}</mark>").format(match.group(0)))
        last = match.end()
    pieces.append(escape(window[last:] + suffix))
    return Markup("").join(pieces)


def _extra_conditions(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.author:
        conditions.append(Topic.author_id.in_(select(User.id).where(User.handle == filters.author)))
    if filters.tag:
        conditions.append(Topic.id.in_(
            select(TopicTag.topic_id).join(Tag, Tag.id == TopicTag.tag_id).where(Tag.name == filters.tag)))
    if filters.unit:
        conditions.append(Topic.unit_id.in_(select(Unit.id).where(Unit.code == filters.unit)))
    if filters.date:
        conditions.append(Topic.published_at >= utcnow() - DATE_SPANS[filters.date])
    return conditions


def search(user: User, filters: Filters) -> SearchPage:
    """The search page for the member: a count, one page of ranked results, matching members, groups."""
    page = SearchPage(filters, query_terms(filters.q))
    page.groups = filter_groups(user, filters.group)
    if not page.terms:
        return page
    group_id = next((g.id for g in page.groups if g.slug == filters.group), None)
    if filters.group and group_id is None:
        return page  # a group the member can't see (or none): nothing, as if it were empty
    ranked = search_core.ranked_topics(  # the ranked, visibility-filtered subquery
        user, filters.q, kinds=[filters.kind] if filters.kind else None, group_id=group_id,
        any_word=False, prefix_last=False, exclude_topic_id=None,
    ).subquery("ranked")  # fmt: skip
    found = select(ranked.c.topic_id, ranked.c.post_id, ranked.c.rank).join(Topic, Topic.id == ranked.c.topic_id)
    extra = _extra_conditions(filters)
    if extra:
        found = found.where(*extra)
    found_sq = found.subquery("found")
    # The count rides along with the page (a window over every match): ranking every match is the costly
    # part, and a separate count query did it a second time (3.0 -> 1.4 ms at a million posts).
    rows = db.session.execute(
        select(found_sq, func.count().over().label("total"))
        .order_by(found_sq.c.rank.desc(), found_sq.c.topic_id.desc())
        .limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    ).all()  # fmt: skip
    if rows:
        page.total = int(rows[0].total)
    elif filters.page > 1:  # past the last page: the count alone
        page.total = int(db.session.scalar(select(func.count()).select_from(found_sq)) or 0)
    if rows:
        posts = {p.id: p for p in db.session.scalars(
            select(Post).options(joinedload(Post.topic).joinedload(Topic.author),
                                 joinedload(Post.topic).joinedload(Topic.group), joinedload(Post.author))
            .where(Post.id.in_([r.post_id for r in rows])))}  # fmt: skip
        page.results = [Result(posts[r.post_id].topic, posts[r.post_id], highlight(posts[r.post_id].body, page.terms))
                        for r in rows if r.post_id in posts]  # fmt: skip
    if filters.page == 1 and not (filters.kind or filters.group or filters.author or filters.tag or filters.unit
                                  or filters.date):
        page.members = search_members(page.terms)
    return page


def search_members(terms: list[str], limit: int = 6) -> list[User]:
    """Active members with a word of their name, handle or headline starting with every term."""
    if not terms:
        return []
    return list(db.session.scalars(
        select(User).where(User.state == "active", User.id.in_(search_core.matching_members(terms)))
        .order_by(func.lower(User.display_name), User.id).limit(limit)))
