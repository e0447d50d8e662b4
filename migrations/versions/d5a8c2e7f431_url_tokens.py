"""url_tokens: long-lived URL tokens (feed links) stored as SHA-256 hashes, several per member

Each existing feed token becomes one url_tokens row holding its hash, so every feed link already in a feed
reader keeps working; users.feed_token is then emptied (the plain tokens are gone from the database). The
column itself stays: dropping a UNIQUE column on SQLite rebuilds the users table, and with foreign keys on
that would cascade into every table that points at users.

Downgrade drops the table: feed links made since cannot be turned back into plain tokens, so members make
new ones.

Revision ID: d5a8c2e7f431
Revises: d4e9a1c7f250
Create Date: 2026-12-03 09:00:00

"""
import hashlib
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = 'd5a8c2e7f431'
down_revision = 'd4e9a1c7f250'
branch_labels = None
depends_on = None


def upgrade():
    url_tokens = op.create_table(
        'url_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=160), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_url_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_url_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_url_tokens_token_hash')),
    )
    op.create_index(op.f('ix_url_tokens_user_id'), 'url_tokens', ['user_id'], unique=False)

    # Hash the plain tokens in Python (SQLite has no sha256()); a community has at most one per member.
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('feed_token', sa.String()))
    rows = bind.execute(sa.select(users.c.id, users.c.feed_token).where(users.c.feed_token.is_not(None))).all()
    now = datetime.now(timezone.utc)
    if rows:
        op.bulk_insert(url_tokens, [
            {'user_id': user_id, 'purpose': 'blog_feed', 'label': '', 'created_at': now,
             'token_hash': hashlib.sha256(token.encode()).hexdigest()}
            for user_id, token in rows
        ])
        bind.execute(sa.update(users).where(users.c.feed_token.is_not(None)).values(feed_token=None))


def downgrade():
    op.drop_index(op.f('ix_url_tokens_user_id'), table_name='url_tokens')
    op.drop_table('url_tokens')
