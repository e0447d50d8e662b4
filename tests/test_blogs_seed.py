"""``community seed-demo`` also writes blog posts with threaded comments, likes and a featured post."""

from sqlalchemy import func, select

from community.blogs.demo import POSTS
from community.extensions import db
from community.models import Post, Topic


def test_seed_demo_writes_blog_posts(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    blogs = list(db.session.scalars(select(Topic).where(Topic.kind == "blog")))
    assert len(blogs) == len(POSTS) and all(t.status == "published" for t in blogs)
    assert sum(t.featured for t in blogs) == 1
    comments = db.session.scalar(select(func.count()).select_from(Post).where(Post.kind == "comment"))
    assert comments == sum(len(p[6]) for p in POSTS)
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.kind == "comment",
                                                                            Post.parent_id.is_not(None))) >= 3
    assert sum(t.like_count for t in blogs) > 0
    assert {t.group_id is None for t in blogs} == {True, False}
