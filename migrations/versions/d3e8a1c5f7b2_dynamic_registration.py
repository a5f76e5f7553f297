"""dynamic registration: one-time registration links, and registrations that learn a deployment

Revision ID: d3e8a1c5f7b2
Revises: b7c41e0d2a6f
Create Date: 2026-12-03 09:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd3e8a1c5f7b2'
down_revision = 'b7c41e0d2a6f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                            name=op.f('fk_registration_link_registration_id_registration'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registration_link_token_hash'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('learn_deployment', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('learn_deployment')
    op.drop_table('registration_link')
