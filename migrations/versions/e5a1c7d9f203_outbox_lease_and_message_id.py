"""The outbox: a stable Message-ID per message, the lease's owner, deferrals and failed messages

Revision ID: e5a1c7d9f203
Revises: c3d8f1a2b4e6
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a1c7d9f203'
down_revision = 'c3d8f1a2b4e6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('message_id', sa.String(length=250), nullable=True))
    op.add_column('outbox_messages', sa.Column('deferrals', sa.Integer(), server_default='0', nullable=False))
    op.add_column('outbox_messages', sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('outbox_messages', sa.Column('claimed_by', sa.String(length=100), nullable=True))
    # Messages queued before this revision get a Message-ID now, kept from here on (|| works on both databases).
    op.execute("UPDATE outbox_messages SET message_id = '<outbox.' || id || '@community.invalid>'"
               " WHERE message_id IS NULL")
    # SQLite cannot make a column NOT NULL in place: the batch rebuilds the table (it has no triggers; its one
    # index is made again). PostgreSQL does an ALTER COLUMN ... SET NOT NULL.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=250), nullable=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('deferrals')
        batch_op.drop_column('message_id')
