"""what the public pages show is built once per publication change; « Qui vient ? » by an index

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 18:00:00

The publication version (one row, moved by every change to initiatives and villages), the
snapshots built at a version (open data, directory pages, a village's initiatives), and an
index reading the participants who agreed to be listed already by name.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publication_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'public_snapshot',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_village_listed',
                              ['village_id', 'consent_listing', 'last_name', 'first_name'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_village_listed')
    op.drop_table('public_snapshot')
    op.drop_table('publication_version')
