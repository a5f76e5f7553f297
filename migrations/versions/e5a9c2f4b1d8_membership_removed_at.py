"""membership: removed_at, set when the roster or an administrator removes someone

Revision ID: e5a9c2f4b1d8
Revises: d3e8a1c5f7b2
Create Date: 2026-12-03 09:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a9c2f4b1d8'
down_revision = 'd3e8a1c5f7b2'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: every existing membership reads NULL, i.e. stays a current member.
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
