"""performance: small outbox rows, stored e-mail keys, confirmed counts, export jobs

Revision ID: 0012
Revises: 0001
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), nullable=True))
        batch_op.drop_index('ix_registration_village_email')
        batch_op.create_index('ix_registration_village_email_key', ['village_id', 'email_key'], unique=False)
    op.execute("UPDATE registration SET email_key = lower(trim(email)) WHERE email IS NOT NULL")

    op.create_table('confirmed_count',
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('confirmed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_confirmed_count_village_id_village'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('village_id', 'role', name=op.f('pk_confirmed_count'))
    )
    op.execute(
        "INSERT INTO confirmed_count (village_id, role, confirmed) "
        "SELECT village_id, role, count(*) FROM registration WHERE status = 'confirmed' GROUP BY village_id, role"
    )

    op.create_table('export_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('export_format', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_export_job_village_id_village'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job')),
    sa.UniqueConstraint('token', name=op.f('uq_export_job_token'))
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_job_village_id'), ['village_id'], unique=False)

    # Messages queued before this revision: their Message-ID and what they carried are read
    # from the stored message, which is then dropped.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    outbox = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('message', sa.LargeBinary),
                      sa.column('message_id', sa.String), sa.column('details', sa.JSON))
    connection = op.get_bind()
    for row_id, message in connection.execute(sa.select(outbox.c.id, outbox.c.message)).all():
        found = re.search(rb'^Message-ID: *(<[^>\r\n]+>)', message or b'', re.MULTILINE | re.IGNORECASE)
        method = re.search(rb'method="?(REQUEST|CANCEL)', message or b'')
        connection.execute(outbox.update().where(outbox.c.id == row_id).values(
            message_id=found.group(1).decode() if found else f'<outbox-{row_id}@villages>',
            details={'documents': b'badge.pdf' in (message or b''),
                     'calendar_method': method.group(1).decode() if method else None},
        ))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('details', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('message')


def downgrade():
    # Pending messages cannot be written back here: they keep an empty body.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.LargeBinary(), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message', existing_type=sa.LargeBinary(), server_default=None)
        batch_op.drop_column('details')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_job_village_id'))
    op.drop_table('export_job')
    op.drop_table('confirmed_count')

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_village_email_key')
        batch_op.create_index('ix_registration_village_email', ['village_id', 'email'], unique=False)
        batch_op.drop_column('email_key')
