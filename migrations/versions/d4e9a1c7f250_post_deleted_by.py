"""Who deleted a post; join requests indexed by state; held posts stranded by a dismissal back in the queue

Revision ID: d4e9a1c7f250
Revises: e5a1c7d92f40
Create Date: 2026-12-09 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd4e9a1c7f250'
down_revision = 'e5a1c7d92f40'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and no foreign key: on SQLite a constraint can only be added by rebuilding the posts table
    # (a batch), which would drop its search trigger and, with foreign keys on, cascade into reports and
    # reactions. The column only names who deleted a post; a member gone since reads as "deleted" without a name.
    op.add_column('posts', sa.Column('deleted_by_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_posts_deleted_by_id'), 'posts', ['deleted_by_id'], unique=False)
    op.create_index('ix_memberships_state_group', 'memberships', ['state', 'group_id'], unique=False)
    # Dismissing a held post's own report used to leave the post waiting with nothing in the queue: such
    # reports are open again, so the post is approved or rejected (and counted in the review queue).
    op.execute(
        "UPDATE reports SET status = 'open', resolved_by_id = NULL, resolved_at = NULL, resolution = '' "
        "WHERE automatic AND status = 'dismissed' AND post_id IN ("
        "SELECT posts.id FROM posts JOIN topics ON topics.id = posts.topic_id WHERE posts.deleted_at IS NULL "
        "AND (posts.pending OR (posts.number = 1 AND topics.status = 'pending')))"
    )


def downgrade():
    op.drop_index('ix_memberships_state_group', table_name='memberships')
    op.drop_index(op.f('ix_posts_deleted_by_id'), table_name='posts')
    op.drop_column('posts', 'deleted_by_id')
