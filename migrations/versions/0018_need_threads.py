"""follow-up threads of support needs

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 17:40:00

Each support need of an initiative becomes a thread followed after the village, across
villages (app/models/followup.py): its villages, its dated steps, each village's follow-up
schedule, the follow-up e-mails asked (at most one per person and step) and the people who
asked for no more of them.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'need_thread',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('status_changed_at', sa.DateTime(), nullable=False),
        sa.Column('last_news_at', sa.DateTime(), nullable=True),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('first_village_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=1000), nullable=False),
        sa.Column('oriented_to', sa.String(length=200), nullable=False),
        sa.Column('oriented_registration_id', sa.Integer(), nullable=True),
        sa.Column('partner_role', sa.String(length=20), nullable=True),
        sa.Column('absent_from_fiche_since', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['first_village_id'], ['village.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['oriented_registration_id'], ['registration.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('initiative_id', 'category', name='uq_need_thread_initiative_category'),
    )
    op.create_index('ix_need_thread_status', 'need_thread', ['status', 'category'], unique=False)
    op.create_table(
        'need_thread_village',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('expressed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['need_thread.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['village_id'], ['village.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('thread_id', 'village_id', name='uq_need_thread_village'),
    )
    op.create_index('ix_need_thread_village_village_id', 'need_thread_village', ['village_id'], unique=False)
    op.create_table(
        'need_thread_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('answer', sa.String(length=20), nullable=True),
        sa.Column('recorded_by', sa.String(length=20), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('organiser_email', sa.String(length=254), nullable=True),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('oriented_to', sa.String(length=200), nullable=False),
        sa.Column('oriented_registration_id', sa.Integer(), nullable=True),
        sa.Column('partner_role', sa.String(length=20), nullable=True),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['need_thread.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['village_id'], ['village.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['oriented_registration_id'], ['registration.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_need_thread_step_thread', 'need_thread_step', ['thread_id', 'at'], unique=False)
    op.create_index('ix_need_thread_step_village_id', 'need_thread_step', ['village_id'], unique=False)
    op.create_table(
        'followup_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('months_after', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['village_id'], ['village.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('village_id', 'number', name='uq_followup_round_number'),
    )
    op.create_table(
        'followup_ask',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('asked_as', sa.String(length=20), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['followup_round.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('round_id', 'registration_id', name='uq_followup_ask_person'),
    )
    op.create_index('ix_followup_ask_registration_id', 'followup_ask', ['registration_id'], unique=False)
    op.create_table(
        'followup_ask_thread',
        sa.Column('ask_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['ask_id'], ['followup_ask.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['need_thread.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ask_id', 'thread_id'),
    )
    op.create_table(
        'followup_opt_out',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email_key', sa.String(length=254), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email_key'),
    )


def downgrade():
    op.drop_table('followup_opt_out')
    op.drop_table('followup_ask_thread')
    op.drop_index('ix_followup_ask_registration_id', table_name='followup_ask')
    op.drop_table('followup_ask')
    op.drop_table('followup_round')
    op.drop_index('ix_need_thread_step_village_id', table_name='need_thread_step')
    op.drop_index('ix_need_thread_step_thread', table_name='need_thread_step')
    op.drop_table('need_thread_step')
    op.drop_index('ix_need_thread_village_village_id', table_name='need_thread_village')
    op.drop_table('need_thread_village')
    op.drop_index('ix_need_thread_status', table_name='need_thread')
    op.drop_table('need_thread')
