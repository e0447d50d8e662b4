"""participants: who takes part in a private conversation

A conversation is a Topic of kind ``conversation`` (allowed since f1c4a7e2b9d0); this table says who reads
it: when each member joined or left, how far they read, whether they muted it, who added them. A new table
only: nothing existing is rebuilt, on SQLite or PostgreSQL.

Revision ID: a7d3e9c1b5f2
Revises: f1c4a7e2b9d0
Create Date: 2026-12-03 09:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'a7d3e9c1b5f2'
down_revision = 'f1c4a7e2b9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'participants',
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_read_number', sa.Integer(), nullable=False),
        sa.Column('muted', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_participants_added_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_participants_topic_id_topics'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_participants_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('topic_id', 'user_id', name=op.f('pk_participants')),
    )
    op.create_index(op.f('ix_participants_added_by_id'), 'participants', ['added_by_id'], unique=False)
    op.create_index('ix_participants_user_left', 'participants', ['user_id', 'left_at', 'topic_id'], unique=False)


def downgrade():
    op.drop_index('ix_participants_user_left', table_name='participants')
    op.drop_index(op.f('ix_participants_added_by_id'), table_name='participants')
    op.drop_table('participants')
