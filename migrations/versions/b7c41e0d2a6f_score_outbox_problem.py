"""score outbox: why the last try failed (config / learner), for slow retries and the gradebook

Revision ID: b7c41e0d2a6f
Revises: 86598748d4f8
Create Date: 2026-12-03 09:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c41e0d2a6f'
down_revision = '86598748d4f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problem', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_score_outbox', schema=None) as batch_op:
        batch_op.drop_column('problem')
