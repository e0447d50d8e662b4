"""upload uses: where each inline image is shown (a post or a profile), and the image library's index

``upload_uses`` has one row per (image, post) or (image, profile) whose text names ``/uploads/<name>``:
the uploads route serves an inline image to whoever may see one of them, the library lists them and
refuses to delete an image while it has one. Inline images a blog post already holds (``uploads.topic_id``,
the way before this table) are still served by that topic's rules, so nothing needs backfilling.

Plain CREATE TABLE and CREATE INDEX (no batch rebuild of an existing table).

Revision ID: 80fd57d065d7
Revises: a7c3e9d51b20
Create Date: 2026-12-03 13:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = '80fd57d065d7'
down_revision = 'a7c3e9d51b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'upload_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('profile_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(post_id IS NULL) <> (profile_id IS NULL)', name=op.f('ck_upload_uses_one_place')),
        sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_upload_uses_upload_id_uploads'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_upload_uses_post_id_posts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['profile_id'], ['users.id'], name=op.f('fk_upload_uses_profile_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_uses')),
        sa.UniqueConstraint('upload_id', 'post_id', name=op.f('uq_upload_uses_upload_id_post_id')),
        sa.UniqueConstraint('upload_id', 'profile_id', name=op.f('uq_upload_uses_upload_id_profile_id')),
    )
    op.create_index(op.f('ix_upload_uses_upload_id'), 'upload_uses', ['upload_id'], unique=False)
    op.create_index(op.f('ix_upload_uses_post_id'), 'upload_uses', ['post_id'], unique=False)
    op.create_index(op.f('ix_upload_uses_profile_id'), 'upload_uses', ['profile_id'], unique=False)
    op.create_index('ix_uploads_library', 'uploads', ['owner_id', 'purpose', 'created_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_uploads_library', table_name='uploads')
    op.drop_index(op.f('ix_upload_uses_profile_id'), table_name='upload_uses')
    op.drop_index(op.f('ix_upload_uses_post_id'), table_name='upload_uses')
    op.drop_index(op.f('ix_upload_uses_upload_id'), table_name='upload_uses')
    op.drop_table('upload_uses')
