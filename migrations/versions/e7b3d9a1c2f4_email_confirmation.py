"""users: e-mail confirmation of cohort-link registrations, and a rotation counter for unsubscribe links

- unsubscribe_epoch: unsubscribe links carry it; it moves when the address or the password changes, so links
  mailed before stop working. Existing members start at 0 (the links they hold from before carry no
  time at all and are treated as expired: the page offers a fresh one-click unsubscribe to a signed-in
  member).

Plain ADD COLUMN on SQLite (no batch): a batch would rebuild users, and with foreign keys on that cascades.

Revision ID: e7b3d9a1c2f4
Revises: d5a8c2e7f431
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e7b3d9a1c2f4'
down_revision = 'd5a8c2e7f431'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('unsubscribe_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('users', 'unsubscribe_epoch')
