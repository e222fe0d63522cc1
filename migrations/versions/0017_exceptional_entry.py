"""an entry recorded outside the village's day keeps its reason

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 17:30:00

Outside the village's day the door admits nobody; an organiser may still record an
exceptional entry, with a reason (CheckIn.exception_reason).
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exception_reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_column('exception_reason')
