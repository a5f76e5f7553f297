"""manual grades: essay answers waiting for the instructor's rubric score (the Needs grading queue)

Revision ID: b7e3f19a2c4d
Revises: c2d7e4a9b6f1
Create Date: 2026-12-04 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e3f19a2c4d'
down_revision = 'c2d7e4a9b6f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_manual_grade',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('question_version_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('graded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('grader_id', sa.Integer(), nullable=True),
        sa.Column('awarded', sa.JSON(), nullable=True),
        sa.Column('points', sa.Float(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'],
                                name=op.f('fk_quiz_manual_grade_attempt_id_quiz_attempt'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['context_id'], ['context.id'],
                                name=op.f('fk_quiz_manual_grade_context_id_context'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['grader_id'], ['lti_user.id'],
                                name=op.f('fk_quiz_manual_grade_grader_id_lti_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['question_version_id'], ['quiz_question_version.id'],
                                name=op.f('fk_quiz_manual_grade_question_version_id_quiz_question_version'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_manual_grade')),
        sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_quiz_manual_grade_attempt_id_position')),
    )
    op.create_index('ix_quiz_manual_grade_context_graded', 'quiz_manual_grade', ['context_id', 'graded_at'])


def downgrade():
    op.drop_index('ix_quiz_manual_grade_context_graded', table_name='quiz_manual_grade')
    op.drop_table('quiz_manual_grade')
