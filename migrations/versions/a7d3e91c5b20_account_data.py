"""account data: "Download my data" exports, and the scheduled deletion of an account

``data_exports`` is a plain CREATE TABLE; ``users`` gains ``deletion_due_at`` (indexed: the hourly erase job
looks for due ones) and ``deletion_keeps_posts`` (a server default, so existing rows get true).

Revision ID: a7d3e91c5b20
Revises: d7baf8e82f45
Create Date: 2026-12-04 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7d3e91c5b20'
down_revision = "d7baf8e82f45"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('file_name', sa.String(length=80), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_data_exports_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports')),
    )
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_expires_at'), ['expires_at'], unique=False)
    # add_column (not batch): SQLite adds columns in place, so ``users`` is not rebuilt (see User.feed_token).
    op.add_column('users', sa.Column('deletion_due_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('deletion_keeps_posts', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index(op.f('ix_users_deletion_due_at'), 'users', ['deletion_due_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_users_deletion_due_at'), table_name='users')
    # Not batch: a batch rebuilds ``users`` on SQLite, and with foreign keys on that would cascade into every
    # table pointing at it. SQLite (3.35+) drops a plain column in place.
    op.drop_column('users', 'deletion_keeps_posts')
    op.drop_column('users', 'deletion_due_at')
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_exports_expires_at'))
        batch_op.drop_index(batch_op.f('ix_data_exports_created_at'))
        batch_op.drop_index(batch_op.f('ix_data_exports_state'))
        batch_op.drop_index(batch_op.f('ix_data_exports_user_id'))
    op.drop_table('data_exports')
