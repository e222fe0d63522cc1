"""a job counts the workers that took it up, and names the last

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:00:00

A job whose worker died is taken up again by another worker, a bounded number of times.
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('worker')
        batch_op.drop_column('attempts')
