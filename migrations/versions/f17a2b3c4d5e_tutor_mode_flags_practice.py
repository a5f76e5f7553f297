"""tutor mode: quiz mode and tutor gradebook switch, attempt marks (flags, checks), practice quizzes

Revision ID: f17a2b3c4d5e
Revises: c4e7a91d2b35
Create Date: 2026-12-04 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f17a2b3c4d5e'
down_revision = 'c4e7a91d2b35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=10), server_default='exam', nullable=False))
        batch_op.add_column(sa.Column('tutor_gradebook', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('quiz_attempt_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'],
                            name=op.f('fk_quiz_attempt_mark_attempt_id_quiz_attempt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt_mark')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_quiz_attempt_mark_attempt_id_position'))
    )
    op.create_table('quiz_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('seed', sa.String(length=32), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['context.id'], name=op.f('fk_quiz_practice_context_id_context'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lti_user.id'], name=op.f('fk_quiz_practice_user_id_lti_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_practice'))
    )
    with op.batch_alter_table('quiz_practice', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_practice_context_user', ['context_id', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_practice', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_practice_context_user')
    op.drop_table('quiz_practice')
    op.drop_table('quiz_attempt_mark')
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_column('tutor_gradebook')
        batch_op.drop_column('mode')
