"""Reading blogs: listings (index, a member's blog, a group, feeds) and a post's comment thread.

Every listing filters with permissions.visible_topics(viewer), and each page costs a fixed number of
queries whatever the data size: authors and groups are joined, tags come in one selectin query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from community.extensions import db
from community.markup import plain_excerpt
from community.models import Group, Membership, Post, Reaction, Tag, Topic, TopicTag, User
from community.permissions import can_view_post, visible_topics

MAX_DEPTH = 3  # deeper replies are shown flat at this depth, with an "in reply to" link
MAX_COMMENTS = 1000


@dataclass
class Card:
    """A blog post in a listing: the topic (author, group, tags loaded) and a plain-text excerpt."""

    topic: Topic
    excerpt: str
    body_html: str = ""
    edited_at: datetime | None = None  # the opening post's last edit (title, text or tags)

    @property
    def updated_at(self) -> datetime:
        """When the post last changed for a reader: published, or edited since."""
        published = self.topic.published_at or self.topic.created_at
        return max(published, self.edited_at) if self.edited_at else published


def list_posts(viewer: Any, *, author: User | None = None, group: Group | None = None, tag: str | None = None,
               page: int = 1, per_page: int = 20, featured_first: bool = False) -> tuple[list[Card], bool]:  # fmt: skip
    """Published posts the viewer may see, newest first (featured first on the index); and whether more follow."""
    opening = Post.__table__.alias("opening")
    stmt = (
        select(Topic, opening.c.body, opening.c.body_html, opening.c.edited_at)
        .join(opening, and_(opening.c.topic_id == Topic.id, opening.c.number == 1))
        .options(joinedload(Topic.author), joinedload(Topic.group), selectinload(Topic.tags))
        .where(Topic.kind == "blog", visible_topics(viewer))
    )
    if author is not None:
        stmt = stmt.where(Topic.author_id == author.id)
    if group is not None:
        stmt = stmt.where(Topic.group_id == group.id)
    if tag:
        stmt = stmt.where(Topic.id.in_(select(TopicTag.topic_id).join(Tag, Tag.id == TopicTag.tag_id)
                                       .where(Tag.name == tag.lower())))  # fmt: skip
    order = [Topic.published_at.desc(), Topic.id.desc()]
    if featured_first:
        order.insert(0, Topic.featured.desc())
    page = max(page, 1)
    rows = db.session.execute(stmt.order_by(*order).offset((page - 1) * per_page).limit(per_page + 1)).unique().all()
    cards = [Card(topic, plain_excerpt(body, 220), html, edited) for topic, body, html, edited in rows[:per_page]]
    return cards, len(rows) > per_page


def unpublished_posts(author: User) -> list[Topic]:
    """The author's drafts and scheduled posts (for their eyes only)."""
    return list(db.session.scalars(
        select(Topic).where(Topic.kind == "blog", Topic.author_id == author.id,
                            Topic.status.in_(("draft", "scheduled")), Topic.deleted_at.is_(None))
        .order_by(Topic.created_at.desc()).limit(100)
    ))  # fmt: skip


def audience_groups(author: User) -> list[Group]:
    """Groups a member may share a post with: their own, not archived."""
    ids = list(author.group_roles)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Group).where(Group.id.in_(ids), Group.archived_at.is_(None)).order_by(Group.name)
    ))  # fmt: skip


def member_by_handle(handle: str) -> User | None:
    """A member by handle (active or suspended members keep their blog page)."""
    return db.session.scalar(
        select(User).where(User.handle == handle.lower(), User.state.in_(("active", "suspended")))
    )


def topic_tags(topic: Topic) -> list[Tag]:
    """A topic's tags, by name."""
    return list(db.session.scalars(
        select(Tag).join(TopicTag, TopicTag.tag_id == Tag.id).where(TopicTag.topic_id == topic.id).order_by(Tag.name)
    ))  # fmt: skip


# ----------------------------------------------------------------------------------------------------------
# A post's thread


@dataclass
class Node:
    """A comment in the thread, its replies, and (when flattened) the comment it answers."""

    post: Post
    depth: int
    children: list[Node] = field(default_factory=list)
    reply_to: Post | None = None  # set when shown flat: "in reply to <name>"
    container: list[Node] | None = None


@dataclass
class Thread:
    """The opening post, the visible comment tree, the viewer's likes and the authors' group roles."""

    opening: Post
    comments: list[Node]
    liked: set[int]
    group_roles: dict[int, str]
    by_id: dict[int, Post]


def load_thread(viewer: Any, topic: Topic) -> Thread:
    """The opening post and every comment (authors loaded) arranged as a tree, in four queries at most."""
    rows = list(db.session.scalars(
        select(Post).options(joinedload(Post.author), joinedload(Post.deleted_by)).where(Post.topic_id == topic.id)
        .order_by(Post.number).limit(MAX_COMMENTS + 1)
    ))  # fmt: skip
    opening = rows[0]
    by_id = {p.id: p for p in rows}
    nodes: dict[int, Node] = {}
    top: list[Node] = []
    for post in rows[1:]:
        parent = nodes.get(post.parent_id) if post.parent_id is not None else None
        if parent is None:
            node = Node(post, 1, container=top)
        elif parent.depth < MAX_DEPTH:
            node = Node(post, parent.depth + 1, container=parent.children)
        else:
            node = Node(post, MAX_DEPTH, reply_to=parent.post, container=parent.container)
        nodes[post.id] = node
        assert node.container is not None
        node.container.append(node)
    comments = _prune(viewer, topic, top)
    ids = list(by_id)
    liked: set[int] = set()
    if getattr(viewer, "is_authenticated", False):
        liked = set(db.session.scalars(
            select(Reaction.post_id).where(Reaction.user_id == viewer.id, Reaction.kind == "like",
                                           Reaction.post_id.in_(ids))
        ))  # fmt: skip
    roles: dict[int, str] = {}
    if topic.group_id is not None:
        authors = list({p.author_id for p in rows})
        rows_ = db.session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.group_id == topic.group_id, Membership.state == "active",
                Membership.user_id.in_(authors))
        ).all()  # fmt: skip
        roles = {user_id: role for user_id, role in rows_}
    return Thread(opening, comments, liked, roles, by_id)


def _prune(viewer: Any, topic: Topic, nodes: list[Node]) -> list[Node]:
    """Drop deleted or unseen comments that have nothing visible under them (the rest keep their place)."""
    kept = []
    for node in nodes:
        node.children = _prune(viewer, topic, node.children)
        gone = node.post.deleted_at is not None or not can_view_post(viewer, node.post, topic)
        if not gone or node.children or any(n.reply_to is node.post for n in nodes):
            kept.append(node)
    return kept
