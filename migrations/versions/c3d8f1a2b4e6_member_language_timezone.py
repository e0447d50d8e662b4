"""Each member's language and time zone

Revision ID: c3d8f1a2b4e6
Revises: b7e2c4a9d013
Create Date: 2026-12-02 07:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c3d8f1a2b4e6'
down_revision = 'b7e2c4a9d013'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch): a batch on SQLite could rebuild the table and lose the member-search triggers.
    op.add_column('users', sa.Column('language', sa.String(length=10), nullable=True))
    op.add_column('users', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('users', 'timezone')
    op.drop_column('users', 'language')
