"""a TOTP code is accepted once

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 17:05:00

The time step of the last accepted code, per organiser (RFC 6238, 5.2).
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
