"""platform groups: learner groups read from the LMS (source, lms_group_id) and the groups URL

Revision ID: a8d4f2c6e913
Revises: b7e3f19a2c4d
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8d4f2c6e913'
down_revision = 'b7e3f19a2c4d'
branch_labels = None
depends_on = None


def upgrade():
    # The LTI Course Groups endpoint from the latest launch, beside the NRPS memberships URL.
    with op.batch_alter_table('context', schema=None) as batch_op:
        batch_op.add_column(sa.Column('groups_url', sa.String(length=1024), nullable=True))
    # Every existing group was made in the tool: server default "tool".
    with op.batch_alter_table('quiz_learner_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False,
                                      server_default='tool'))
        batch_op.add_column(sa.Column('lms_group_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_quiz_learner_group_context_id_lms_group_id'), ['context_id', 'lms_group_id'])


def downgrade():
    with op.batch_alter_table('quiz_learner_group', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_quiz_learner_group_context_id_lms_group_id'),
                                 type_='unique')
        batch_op.drop_column('lms_group_id')
        batch_op.drop_column('source')
    with op.batch_alter_table('context', schema=None) as batch_op:
        batch_op.drop_column('groups_url')
