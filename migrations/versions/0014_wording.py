"""badge short code

Revision ID: 0014
Revises: 0001
Create Date: 2026-12-01 13:30:00

The short, human-readable code printed on badges (Registration.short_code), given to
existing registrations here.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# As app/models/registration.py at the time of this migration.
SHORT_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code', sa.String(length=8), nullable=True))
    registration = sa.table('registration', sa.column('id', sa.Integer), sa.column('short_code', sa.String))
    connection = op.get_bind()
    for (registration_id,) in connection.execute(sa.select(registration.c.id)).all():
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(6))
        connection.execute(
            registration.update().where(registration.c.id == registration_id).values(short_code=code)
        )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('short_code', existing_type=sa.String(length=8), nullable=False)
        batch_op.create_index('ix_registration_village_short_code', ['village_id', 'short_code'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_village_short_code')
        batch_op.drop_column('short_code')
