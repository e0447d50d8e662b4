"""foreign key indexes: every foreign key column leads an index

Deleting a post for good (a purge, the benchmark's clean-up) made PostgreSQL scan every topic for
topics.last_post_id and topics.accepted_post_id, once per post: ten minutes for 600 posts at a million posts.
The same holds for the other foreign keys listed here (a member deleted for good, a group, a topic).

Revision ID: b7e2c4a9d013
Revises: 9d41f0c2b7e3
Create Date: 2026-11-25 23:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2c4a9d013'
down_revision = '9d41f0c2b7e3'
branch_labels = None
depends_on = None

# Not through batch_alter_table: on SQLite that would rebuild the tables (and drop the search triggers).
INDEXES = (
    ("memberships", "invited_by_id"),
    ("topics", "last_post_id"),
    ("topics", "last_poster_id"),
    ("topics", "duplicate_of_id"),
    ("topics", "accepted_post_id"),
    ("posts", "hidden_by_id"),
    ("notifications", "actor_id"),
    ("reports", "topic_id"),
    ("reports", "group_id"),
    ("reports", "resolved_by_id"),
    ("revisions", "editor_id"),
)


def upgrade():
    for table, column in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade():
    for table, column in INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
