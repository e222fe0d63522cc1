"""how a participant asked to be addressed

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 20:25:00

Madame, Monsieur, or nothing when not said (the registrations made before: not said), so that
roles and words about the person are written in the feminine, the masculine, or both.
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('civility', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('civility')
