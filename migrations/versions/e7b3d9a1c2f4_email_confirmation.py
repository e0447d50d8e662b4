"""users: e-mail confirmation of cohort-link registrations, and a rotation counter for unsubscribe links

- email_confirmations: one row per account made through a cohort link whose address is not confirmed yet
  (users.state 'unconfirmed', a new value of a plain string column: no schema change there). It keeps the
  invitation (approval next or not, the groups to join, the place to give back if never confirmed).
  Existing accounts are not touched: they were all active, pending or otherwise before this.
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
    op.create_table(
        'email_confirmations',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('invitation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'],
                                name=op.f('fk_email_confirmations_invitation_id_invitations'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_confirmations_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_email_confirmations')),
    )
    op.create_index(op.f('ix_email_confirmations_created_at'), 'email_confirmations', ['created_at'], unique=False)
    op.create_index(op.f('ix_email_confirmations_invitation_id'), 'email_confirmations', ['invitation_id'],
                    unique=False)


def downgrade():
    # Accounts still waiting for confirmation can't be represented before this revision: they go.
    op.execute("DELETE FROM users WHERE state = 'unconfirmed'")
    op.drop_index(op.f('ix_email_confirmations_invitation_id'), table_name='email_confirmations')
    op.drop_index(op.f('ix_email_confirmations_created_at'), table_name='email_confirmations')
    op.drop_table('email_confirmations')
    op.drop_column('users', 'unsubscribe_epoch')
