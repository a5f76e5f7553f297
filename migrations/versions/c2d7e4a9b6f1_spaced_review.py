"""spaced review: each learner's SM-2 schedule per item, review sessions, the weekly-summary switch

Revision ID: c2d7e4a9b6f1
Revises: b3f1c8d2e4a7
Create Date: 2026-12-04 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c2d7e4a9b6f1'
down_revision = 'b3f1c8d2e4a7'
branch_labels = None
depends_on = None


def _owner_columns(table):
    """id, context and user columns with their keys, shared by the three tables."""
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['context_id'], ['context.id'],
                                name=op.f(f'fk_{table}_context_id_context'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lti_user.id'],
                                name=op.f(f'fk_{table}_user_id_lti_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def upgrade():
    op.create_table(
        'quiz_review_item', *_owner_columns('quiz_review_item'),
        sa.Column('item_key', sa.String(length=255), nullable=False),
        sa.Column('ease', sa.Integer(), nullable=False),
        sa.Column('interval', sa.Integer(), nullable=False),
        sa.Column('reps', sa.Integer(), nullable=False),
        sa.Column('lapses', sa.Integer(), nullable=False),
        sa.Column('due_day', sa.Integer(), nullable=False),
        sa.Column('last_day', sa.Integer(), nullable=False),
        sa.Column('last_quality', sa.Integer(), nullable=False),
        sa.Column('last_score', sa.Float(), nullable=False),
        sa.Column('step', sa.String(length=40), nullable=False),
        sa.Column('topic', sa.String(length=100), nullable=False),
        sa.Column('case_id', sa.String(length=100), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('context_id', 'user_id', 'item_key', name='uq_quiz_review_item_key'),
    )
    op.create_index('ix_quiz_review_item_due', 'quiz_review_item',
                    ['context_id', 'user_id', 'due_day'], unique=False)
    op.create_table(
        'quiz_review_session', *_owner_columns('quiz_review_session'),
        sa.Column('seed', sa.String(length=32), nullable=False),
        sa.Column('layout', sa.JSON(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('results', sa.JSON(), nullable=False),
        sa.Column('due_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_quiz_review_session_context_user', 'quiz_review_session',
                    ['context_id', 'user_id'], unique=False)
    op.create_table(
        'quiz_review_setting', *_owner_columns('quiz_review_setting'),
        sa.Column('weekly_summary', sa.Boolean(), nullable=False),
        sa.UniqueConstraint('context_id', 'user_id', name='uq_quiz_review_setting'),
    )


def downgrade():
    op.drop_table('quiz_review_setting')
    op.drop_index('ix_quiz_review_session_context_user', table_name='quiz_review_session')
    op.drop_table('quiz_review_session')
    op.drop_index('ix_quiz_review_item_due', table_name='quiz_review_item')
    op.drop_table('quiz_review_item')
