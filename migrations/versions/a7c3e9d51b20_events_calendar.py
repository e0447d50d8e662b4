"""events: times, place, capacity and recurrence of events; cancelled and moved dates; answers; reminders sent

One ``events`` row per topic of kind 'event'; ``event_exceptions`` for its cancelled and moved dates;
``event_rsvps`` for the members' answers; ``event_reminders_sent`` so each reminder goes once.

Plain CREATE TABLEs (no batch rebuild of an existing table). The topics' kind check already takes 'event'
(f1c4a7e2b9d0).

Revision ID: a7c3e9d51b20
Revises: a7d3e9c1b5f2
Create Date: 2026-12-03 09:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e9d51b20'
down_revision = 'a7d3e9c1b5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=False),
        sa.Column('online_url', sa.String(length=500), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('rrule', sa.String(length=200), nullable=False),
        sa.Column('last_ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_events_capacity')),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_events_topic_id_topics'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
        sa.UniqueConstraint('topic_id', name=op.f('uq_events_topic_id')),
    )
    op.create_index('ix_events_range', 'events', ['last_ends_at', 'starts_at'], unique=False)
    op.create_table(
        'event_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled', sa.Boolean(), nullable=False),
        sa.Column('new_starts_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('new_ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_exceptions_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_exceptions')),
        sa.UniqueConstraint('event_id', 'occurrence_start', name=op.f('uq_event_exceptions_event_id_occurrence_start')),
    )
    op.create_table(
        'event_rsvps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("answer IN ('going', 'maybe', 'no')", name=op.f('ck_event_rsvps_answer')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_rsvps_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_rsvps_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_rsvps')),
        sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_rsvps_event_id_user_id')),
    )
    op.create_index('ix_event_rsvps_event_answer', 'event_rsvps', ['event_id', 'answer'], unique=False)
    op.create_index(op.f('ix_event_rsvps_user_id'), 'event_rsvps', ['user_id'], unique=False)
    op.create_table(
        'event_reminders_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lead', sa.String(length=4), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_event_reminders_sent_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_reminders_sent_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_reminders_sent')),
        sa.UniqueConstraint('event_id', 'user_id', 'occurrence_start', 'lead',
                            name=op.f('uq_event_reminders_sent_event_id_user_id_occurrence_start_lead')),
    )
    op.create_index(op.f('ix_event_reminders_sent_user_id'), 'event_reminders_sent', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_event_reminders_sent_user_id'), table_name='event_reminders_sent')
    op.drop_table('event_reminders_sent')
    op.drop_index(op.f('ix_event_rsvps_user_id'), table_name='event_rsvps')
    op.drop_index('ix_event_rsvps_event_answer', table_name='event_rsvps')
    op.drop_table('event_rsvps')
    op.drop_table('event_exceptions')
    op.drop_index('ix_events_range', table_name='events')
    op.drop_table('events')
