"""Consistency checks of a generated community: every denormalised counter equals the real count."""

from __future__ import annotations

from sqlalchemy import Connection, text

#: Each query counts rows whose denormalised counter differs from the real count (all must be 0).
CHECKS = {
    "topic.reply_count": """SELECT COUNT(*) FROM topics t WHERE t.reply_count != (SELECT COUNT(*) FROM posts p
        WHERE p.topic_id = t.id AND p.kind != 'opening' AND NOT (t.kind = 'question' AND p.kind = 'comment')
        AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND p.pending = false)""",
    "topic.post_counter": "SELECT COUNT(*) FROM topics t WHERE t.post_counter != "
    "(SELECT MAX(number) FROM posts p WHERE p.topic_id = t.id)",
    "topic.last_post": """SELECT COUNT(*) FROM topics t JOIN posts lp ON lp.id = t.last_post_id
        WHERE lp.topic_id != t.id OR t.last_poster_id != lp.author_id OR t.last_activity_at != lp.created_at
        OR lp.id != (SELECT MAX(p.id) FROM posts p WHERE p.topic_id = t.id
                     AND NOT (t.kind = 'question' AND p.kind = 'comment'))""",
    "topic.score": "SELECT COUNT(*) FROM topics t JOIN posts p ON p.topic_id = t.id AND p.number = 1 "
    "WHERE t.score != p.score OR t.like_count != p.like_count",
    "topic.first_answer": """SELECT COUNT(*) FROM topics t WHERE t.kind = 'question' AND
        COALESCE(t.first_answer_at, t.created_at) != COALESCE((SELECT MIN(p.created_at) FROM posts p
        WHERE p.topic_id = t.id AND p.kind = 'answer'), t.created_at)""",
    "topic.accepted": """SELECT COUNT(*) FROM topics t LEFT JOIN posts a ON a.id = t.accepted_post_id
        WHERE t.accepted_post_id IS NOT NULL AND (a.topic_id != t.id OR a.kind != 'answer'
        OR t.accepted_by_role != a.author_role OR t.accepted_at IS NULL)""",
    "post.score": "SELECT COUNT(*) FROM posts p WHERE p.score != "
    "(SELECT COALESCE(SUM(v.value), 0) FROM votes v WHERE v.post_id = p.id)",
    "post.like_count": "SELECT COUNT(*) FROM posts p WHERE p.like_count != "
    "(SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'like')",
    "post.child_count": "SELECT COUNT(*) FROM posts p WHERE p.child_count != "
    "(SELECT COUNT(*) FROM posts c WHERE c.parent_id = p.id)",
    "board.counts": """SELECT COUNT(*) FROM boards b WHERE b.topic_count != (SELECT COUNT(*) FROM topics t
        WHERE t.board_id = b.id) OR b.post_count != (SELECT COUNT(*) FROM posts p JOIN topics t
        ON t.id = p.topic_id WHERE t.board_id = b.id)""",
    "group.member_count": "SELECT COUNT(*) FROM groups g WHERE g.member_count != "
    "(SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id AND m.state = 'active')",
    "user.post_count": """SELECT COUNT(*) FROM users u WHERE u.post_count != (SELECT COUNT(*) FROM posts p
        JOIN topics t ON t.id = p.topic_id WHERE p.author_id = u.id AND t.kind != 'conversation'
        AND NOT (t.kind = 'question' AND p.kind = 'comment'))""",
    # Private messages: their writers and readers are the conversation's participants.
    "conversation.authors": """SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id
        WHERE t.kind = 'conversation' AND NOT EXISTS (SELECT 1 FROM participants pa
        WHERE pa.topic_id = t.id AND pa.user_id = p.author_id)""",
    "conversation.read": """SELECT COUNT(*) FROM participants pa JOIN topics t ON t.id = pa.topic_id
        WHERE pa.last_read_number > t.post_counter""",
    "tag.topic_count": "SELECT COUNT(*) FROM tags g WHERE g.topic_count != "
    "(SELECT COUNT(*) FROM topic_tags tt WHERE tt.tag_id = g.id)",
    "group.authors": """SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.group_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = t.group_id AND m.user_id = p.author_id
        AND m.state = 'active')""",
}


def verify(connection: Connection) -> dict[str, int]:
    """{check: rows whose counter is wrong} for every check in ``CHECKS``, plus the search index's size gap."""
    found = {name: int(connection.execute(text(sql)).scalar_one()) for name, sql in CHECKS.items()}
    index = "search_documents" if connection.dialect.name == "postgresql" else "search_index"
    # Every public post is indexed; private messages never are.
    posts = connection.execute(text("SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id "
                                    "WHERE t.kind != 'conversation'")).scalar_one()  # fmt: skip
    indexed = connection.execute(text(f"SELECT COUNT(*) FROM {index}")).scalar_one()  # noqa: S608  (one of two names)
    found["search.documents"] = abs(posts - indexed)
    return found
