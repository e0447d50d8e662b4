"""Blog posts, comments and images for tests, built through the blog services (the production code path)."""

from __future__ import annotations

import io
import itertools
from typing import Any

from PIL import Image

from community.extensions import db
from community.models import Group, Post, Topic, User
from community.services import blogs
from tests.factories import acting

_numbers = itertools.count(1)


def png_bytes(width: int = 40, height: int = 30, color: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A real PNG image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def make_blog_post(author: User, *, title: str | None = None, body: str = "What I learned this week.",
                   group: Group | None = None, action: str = "publish", tags: Any = None,
                   **kwargs: Any) -> Topic:  # fmt: skip
    """A blog post by ``author`` (published by default; ``action="draft"`` for a draft)."""
    topic = blogs.write_post(acting(author), title=title or f"Blog post {next(_numbers)}", body=body, group=group,
                             action=action, tags=tags, **kwargs)  # fmt: skip
    return topic


def make_comment(author: User, topic: Topic, body: str = "Thanks for sharing.", parent: Post | None = None) -> Post:
    """A comment (or a reply to ``parent``) on a blog post."""
    db.session.expire_all()
    topic = db.session.get(Topic, topic.id)  # type: ignore[assignment]
    return blogs.add_comment(acting(author), topic, body, parent.id if parent is not None else None)


def opening_post(topic: Topic) -> Post:
    """The post holding a blog post's body."""
    return db.session.query(Post).filter_by(topic_id=topic.id, number=1).one()
