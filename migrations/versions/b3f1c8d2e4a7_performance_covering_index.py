"""performance pages: a covering index on quiz responses (attempt, version, points, maximum)

Revision ID: b3f1c8d2e4a7
Revises: a9d4e2c7b1f3
Create Date: 2026-12-10 15:00:00

The performance pages sum every learner's points per step, topic and item type; with this index
the database reads those four columns from the index alone (no lookup of each response row).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3f1c8d2e4a7'
down_revision = 'a9d4e2c7b1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_quiz_response_scored', 'quiz_response',
                    ['attempt_id', 'question_version_id', 'points', 'max_points'], unique=False)


def downgrade():
    op.drop_index('ix_quiz_response_scored', table_name='quiz_response')
