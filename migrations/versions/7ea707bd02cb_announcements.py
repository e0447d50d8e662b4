"""announcements: their expiry, and who has seen or dismissed each

One ``announcements`` row per topic of kind 'announcement' (when it stops showing at the top of pages);
``announcement_views``: a member has seen an announcement, and perhaps dismissed it. The topics' kind check
already takes 'announcement' (f1c4a7e2b9d0). Plain CREATE TABLEs (no batch rebuild of an existing table).

Revision ID: 7ea707bd02cb
Revises: 80fd57d065d7
Create Date: 2026-12-03 13:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7ea707bd02cb"
down_revision = "80fd57d065d7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "announcements",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_announcements_topic_id_topics"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_announcements")),
    )
    op.create_table(
        "announcement_views",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_announcement_views_topic_id_topics"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_announcement_views_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("topic_id", "user_id", name=op.f("pk_announcement_views")),
    )
    op.create_index("ix_announcement_views_user_id", "announcement_views", ["user_id"], unique=False)


def downgrade():
    op.drop_index("ix_announcement_views_user_id", table_name="announcement_views")
    op.drop_table("announcement_views")
    op.drop_table("announcements")
