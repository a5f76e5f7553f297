"""quiz images: PNG/JPEG/SVG uploads per course, cleaned at upload, with alt text

Revision ID: c4e7a91d2b35
Revises: 6864cc446954
Create Date: 2026-12-09 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e7a91d2b35'
down_revision = '6864cc446954'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('mime', sa.String(length=40), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('alt', sa.Text(), nullable=False),
        sa.Column('decorative', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['context_id'], ['context.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['lti_user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_quiz_image_context', 'quiz_image', ['context_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_quiz_image_context', table_name='quiz_image')
    op.drop_table('quiz_image')
