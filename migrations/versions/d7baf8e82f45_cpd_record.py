"""cpd record: a member's CPD log (cpd_entries), links to their own posts and events (cpd_links), and
the facilitators they share it with (cpd_shares). Three plain CREATE TABLEs.

Revision ID: d7baf8e82f45
Revises: 9d4e2a7c51b3
Create Date: 2026-12-04 20:56:45.870458

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7baf8e82f45'
down_revision = "9d4e2a7c51b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cpd_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('learned', sa.Text(), nullable=False),
    sa.Column('apply', sa.Text(), nullable=False),
    sa.Column('learned_html', sa.Text(), nullable=False),
    sa.Column('apply_html', sa.Text(), nullable=False),
    sa.Column('hours_hundredths', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours_hundredths >= 0', name=op.f('ck_cpd_entries_hours_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cpd_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cpd_entries'))
    )
    with op.batch_alter_table('cpd_entries', schema=None) as batch_op:
        batch_op.create_index('ix_cpd_entries_user_id_done_on', ['user_id', 'done_on'], unique=False)

    op.create_table('cpd_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['users.id'], name=op.f('fk_cpd_shares_facilitator_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_cpd_shares_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cpd_shares')),
    sa.UniqueConstraint('owner_id', 'facilitator_id', name=op.f('uq_cpd_shares_owner_id_facilitator_id'))
    )
    with op.batch_alter_table('cpd_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cpd_shares_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('cpd_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(post_id IS NULL) != (event_id IS NULL)', name=op.f('ck_cpd_links_one_target')),
    sa.ForeignKeyConstraint(['entry_id'], ['cpd_entries.id'], name=op.f('fk_cpd_links_entry_id_cpd_entries'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_cpd_links_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_cpd_links_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cpd_links'))
    )
    with op.batch_alter_table('cpd_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cpd_links_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cpd_links_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cpd_links_post_id'), ['post_id'], unique=False)



def downgrade():
    with op.batch_alter_table('cpd_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cpd_links_post_id'))
        batch_op.drop_index(batch_op.f('ix_cpd_links_event_id'))
        batch_op.drop_index(batch_op.f('ix_cpd_links_entry_id'))

    op.drop_table('cpd_links')
    with op.batch_alter_table('cpd_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cpd_shares_facilitator_id'))

    op.drop_table('cpd_shares')
    with op.batch_alter_table('cpd_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_cpd_entries_user_id_done_on')

    op.drop_table('cpd_entries')
