"""Who deleted a post (staff see "deleted by ..." and may restore it)

Revision ID: d4e9a1c7f250
Revises: c3d8f1a2b4e6
Create Date: 2026-12-09 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd4e9a1c7f250'
down_revision = 'c3d8f1a2b4e6'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and no foreign key: on SQLite a constraint can only be added by rebuilding the posts table
    # (a batch), which would drop its search trigger and, with foreign keys on, cascade into reports and
    # reactions. The column only names who deleted a post; a member gone since reads as "deleted" without a name.
    op.add_column('posts', sa.Column('deleted_by_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_posts_deleted_by_id'), 'posts', ['deleted_by_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_posts_deleted_by_id'), table_name='posts')
    op.drop_column('posts', 'deleted_by_id')
