"""an organiser's message is sent once per person

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 17:35:00

The key of the form that started a job, and the key of an e-mail that must be written once
(an organiser's message to one participant), each unique.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_export_job_request_key'), ['request_key'])
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('once_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_message_once_key'), ['once_key'])


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_message_once_key'), type_='unique')
        batch_op.drop_column('once_key')
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_export_job_request_key'), type_='unique')
        batch_op.drop_column('request_key')
