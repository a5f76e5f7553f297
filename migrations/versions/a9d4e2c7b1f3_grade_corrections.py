"""grade corrections: instructors' overrides of a question's or an attempt's score; reopened attempts

Revision ID: a9d4e2c7b1f3
Revises: f17a2b3c4d5e
Create Date: 2026-12-04 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9d4e2c7b1f3'
down_revision = 'f17a2b3c4d5e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_grade_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('given', sa.Float(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'],
                                name=op.f('fk_quiz_grade_override_attempt_id_quiz_attempt'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['context_id'], ['context.id'],
                                name=op.f('fk_quiz_grade_override_context_id_context'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['lti_user.id'],
                                name=op.f('fk_quiz_grade_override_created_by_lti_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_grade_override')),
        sa.UniqueConstraint('attempt_id', 'position',
                            name=op.f('uq_quiz_grade_override_attempt_id_position')),
    )
    with op.batch_alter_table('quiz_grade_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_grade_override_context_id'), ['context_id'],
                              unique=False)
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_column('reopened_at')
    with op.batch_alter_table('quiz_grade_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_grade_override_context_id'))
    op.drop_table('quiz_grade_override')
