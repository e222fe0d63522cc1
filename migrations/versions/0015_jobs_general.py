"""general background jobs

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 16:00:00

Jobs become general (app/models/job.py): a kind and its parameters instead of an export
format, a village that may be absent, a heartbeat, and a short summary as result.
Existing export jobs become jobs of kind "export" with their format as parameter.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

job = sa.table('export_job', sa.column('id', sa.Integer), sa.column('kind', sa.String),
               sa.column('params', sa.JSON), sa.column('export_format', sa.String))


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=True))
    connection = op.get_bind()
    for job_id, export_format in connection.execute(sa.select(job.c.id, job.c.export_format)).all():
        connection.execute(job.update().where(job.c.id == job_id)
                           .values(kind='export', params={'format': export_format}))
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=30), nullable=False)
        batch_op.alter_column('params', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('village_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_column('export_format')


def downgrade():
    # Only exports existed before: the other jobs are dropped.
    op.execute(job.delete().where(job.c.kind != 'export'))
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('export_format', sa.String(length=20), nullable=True))
    connection = op.get_bind()
    for job_id, params in connection.execute(sa.select(job.c.id, job.c.params)).all():
        connection.execute(job.update().where(job.c.id == job_id).values(export_format=params['format']))
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.alter_column('export_format', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('village_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('summary')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('params')
        batch_op.drop_column('kind')
