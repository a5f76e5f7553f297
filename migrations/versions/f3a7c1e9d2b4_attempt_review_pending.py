"""attempt review pending: a submission's answers enter the review schedule after the Submit

Revision ID: f3a7c1e9d2b4
Revises: e2b6c9d4a7f3
Create Date: 2026-12-05 13:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a7c1e9d2b4'
down_revision = 'e2b6c9d4a7f3'
branch_labels = None
depends_on = None


def upgrade():
    # False for every existing attempt: their answers were scheduled when they were submitted.
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_quiz_attempt_review_pending', ['context_id', 'user_id'],
                              unique=False, postgresql_where=sa.text('review_pending'),
                              sqlite_where=sa.text('review_pending'))


def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempt_review_pending')
        batch_op.drop_column('review_pending')
