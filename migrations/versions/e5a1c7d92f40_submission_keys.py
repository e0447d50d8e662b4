"""Posting forms' one-time submission keys

A posting form carries a random key; the post it stores is recorded here with it, in the same transaction,
so the same form sent twice lands on that post instead of storing a second one (services.submissions).
Keys belong to a member (primary key: user_id, key) and are pruned by the housekeeping job after two days.

Revision ID: e5a1c7d92f40
Revises: e5a1c7d9f203
Create Date: 2026-12-02 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a1c7d92f40'
down_revision = 'e5a1c7d9f203'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'submissions',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_submissions_post_id_posts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submissions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_submissions')),
    )
    # post_id: deleting a post finds its key by index; created_at: the housekeeping job's range delete.
    op.create_index(op.f('ix_submissions_post_id'), 'submissions', ['post_id'], unique=False)
    op.create_index(op.f('ix_submissions_created_at'), 'submissions', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_submissions_created_at'), table_name='submissions')
    op.drop_index(op.f('ix_submissions_post_id'), table_name='submissions')
    op.drop_table('submissions')
