"""quiz open and close dates: the quiz's own window, which accommodations extend

Revision ID: e2b6c9d4a7f3
Revises: a8d4f2c6e913
Create Date: 2026-12-05 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2b6c9d4a7f3'
down_revision = 'a8d4f2c6e913'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: existing quizzes stay open with no dates, as before.
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('close_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_column('close_at')
        batch_op.drop_column('open_at')
