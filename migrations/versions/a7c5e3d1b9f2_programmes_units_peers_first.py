"""programmes and their units; groups follow one; topics name a unit; peers first (held answers)

Plain ADD COLUMNs on groups, topics and posts and no foreign keys: on SQLite a constraint can only be added by
rebuilding those tables (a batch), which would drop their search triggers and cascade into their dependants.

Revision ID: a7c5e3d1b9f2
Revises: a9d4c2e7f15b
Create Date: 2026-12-04 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c5e3d1b9f2'
down_revision = 'a9d4c2e7f15b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'programmes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
        sa.UniqueConstraint('slug', name=op.f('uq_programmes_slug')),
    )
    op.create_table(
        'units',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_units_programme_id_programmes'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
        sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_units_programme_id_code')),
    )
    op.create_index(op.f('ix_units_programme_id'), 'units', ['programme_id'], unique=False)
    op.create_index('ix_units_code', 'units', ['code'], unique=False)
    op.add_column('groups', sa.Column('programme_id', sa.Integer(), nullable=True))
    op.add_column('groups', sa.Column('peers_first_hours', sa.Integer(), server_default='0', nullable=False))
    op.create_index(op.f('ix_groups_programme_id'), 'groups', ['programme_id'], unique=False)
    op.add_column('topics', sa.Column('unit_id', sa.Integer(), nullable=True))
    op.create_index('ix_topics_unit', 'topics', ['unit_id', 'kind', 'reply_count'], unique=False)
    op.add_column('posts', sa.Column('held_until', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_posts_held_until'), 'posts', ['held_until'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_posts_held_until'), table_name='posts')
    op.drop_column('posts', 'held_until')
    op.drop_index('ix_topics_unit', table_name='topics')
    op.drop_column('topics', 'unit_id')
    op.drop_index(op.f('ix_groups_programme_id'), table_name='groups')
    op.drop_column('groups', 'peers_first_hours')
    op.drop_column('groups', 'programme_id')
    op.drop_index('ix_units_code', table_name='units')
    op.drop_index(op.f('ix_units_programme_id'), table_name='units')
    op.drop_table('units')
    op.drop_table('programmes')
