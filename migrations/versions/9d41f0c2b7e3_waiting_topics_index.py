"""waiting topics index: the dashboard's questions and discussions with no reply yet, per group, oldest first

Revision ID: 9d41f0c2b7e3
Revises: 5c2e9b7d41a0
Create Date: 2026-11-25 22:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d41f0c2b7e3'
down_revision = '5c2e9b7d41a0'
branch_labels = None
depends_on = None


def upgrade():
    # Not through batch_alter_table: on SQLite that would rebuild the table (and drop the search triggers).
    op.create_index('ix_topics_waiting', 'topics', ['reply_count', 'kind', 'group_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_topics_waiting', table_name='topics')
