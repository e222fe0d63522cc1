"""Initiatives as their own record: owned by their holder, versioned, presented at villages.

Each former « fiche initiative » (one per porteur's registration) becomes an initiative held
by the registration's e-mail, with its fiche as version 1 and a presentation at the village.
Its consent is unknown, so it starts pending and visible to organisers only.

Revision ID: 0009
Revises: 0001
Create Date: 2026-12-01 12:51:11.654687

"""
import re
import secrets
import unicodedata
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0001'
branch_labels = None
depends_on = None

# The former free-text status, as the new stage keys.
STAGES = {"en cours": "en_cours", "en projet": "en_projet", "terminée": "terminee"}


def upgrade():
    fiches = _former_fiches()
    op.drop_table('initiative')
    op.create_table('initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('holder_email', sa.String(length=254), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('holder_phone', sa.String(length=30), nullable=True),
    sa.Column('visibility', sa.String(length=20), nullable=True),
    sa.Column('show_holder_contact', sa.Boolean(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=True),
    sa.Column('consented_at', sa.DateTime(), nullable=True),
    sa.Column('consent_withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('moderation_state', sa.String(length=20), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('moderated_at', sa.DateTime(), nullable=True),
    sa.Column('moderated_by', sa.String(length=254), nullable=True),
    sa.Column('current_number', sa.Integer(), nullable=False),
    sa.Column('published_number', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('anonymised_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative')),
    sa.UniqueConstraint('slug', name=op.f('uq_initiative_slug'))
    )
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_holder_email'), ['holder_email'], unique=False)
        batch_op.create_index('ix_initiative_moderation', ['moderation_state', 'visibility'], unique=False)

    op.create_table('initiative_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('structure', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=True),
    sa.Column('dimension', sa.String(length=30), nullable=True),
    sa.Column('thematiques', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.String(length=300), nullable=True),
    sa.Column('initiators', sa.JSON(), nullable=False),
    sa.Column('experience', sa.Text(), nullable=True),
    sa.Column('territory_scale', sa.String(length=30), nullable=True),
    sa.Column('commune_name', sa.String(length=120), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('departement_code', sa.String(length=3), nullable=True),
    sa.Column('territory_detail', sa.String(length=300), nullable=True),
    sa.Column('publics', sa.JSON(), nullable=False),
    sa.Column('public_detail', sa.String(length=300), nullable=True),
    sa.Column('partners', sa.Text(), nullable=True),
    sa.Column('resources', sa.Text(), nullable=True),
    sa.Column('results_territory', sa.Text(), nullable=True),
    sa.Column('results_structure', sa.Text(), nullable=True),
    sa.Column('results_inhabitants', sa.Text(), nullable=True),
    sa.Column('limits', sa.Text(), nullable=True),
    sa.Column('perspectives', sa.Text(), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('support_needs', sa.JSON(), nullable=False),
    sa.Column('support_details', sa.JSON(), nullable=False),
    sa.Column('sharing_offers', sa.JSON(), nullable=False),
    sa.Column('sharing_details', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_version_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_version')),
    sa.UniqueConstraint('initiative_id', 'number', name=op.f('uq_initiative_version_initiative_id'))
    )
    op.create_table('initiative_presentation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('wants_stand', sa.Boolean(), nullable=False),
    sa.Column('stand_table', sa.Boolean(), nullable=False),
    sa.Column('stand_electricity', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_presentation_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_initiative_presentation_registration_id_registration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['initiative_version.id'], name=op.f('fk_initiative_presentation_version_id_initiative_version'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_initiative_presentation_village_id_village'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_presentation')),
    sa.UniqueConstraint('initiative_id', 'village_id', name=op.f('uq_initiative_presentation_initiative_id')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_initiative_presentation_registration_id'))
    )
    with op.batch_alter_table('initiative_presentation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_presentation_village_id'), ['village_id'], unique=False)

    _move_former_fiches(fiches)


def downgrade():
    presented = _presented_fiches()
    with op.batch_alter_table('initiative_presentation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_presentation_village_id'))
    op.drop_table('initiative_presentation')
    op.drop_table('initiative_version')
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_index('ix_initiative_moderation')
        batch_op.drop_index(batch_op.f('ix_initiative_holder_email'))
    op.drop_table('initiative')
    op.create_table('initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('dimension', sa.String(length=60), nullable=True),
    sa.Column('keywords', sa.String(length=300), nullable=True),
    sa.Column('public', sa.String(length=200), nullable=True),
    sa.Column('territory', sa.String(length=200), nullable=True),
    sa.Column('partners', sa.Text(), nullable=True),
    sa.Column('support_needs', sa.JSON(), nullable=False),
    sa.Column('support_details', sa.Text(), nullable=True),
    sa.Column('wants_stand', sa.Boolean(), nullable=False),
    sa.Column('stand_table', sa.Boolean(), nullable=False),
    sa.Column('stand_electricity', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_initiative_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_initiative_registration_id'))
    )
    _restore_former_fiches(presented)


# --- Moving the data ---------------------------------------------------------------------------
# Table descriptions frozen here: the models will change after this migration.

former = sa.table(
    'initiative', *(sa.column(name) for name in (
        'id', 'registration_id', 'name', 'summary', 'status', 'dimension', 'keywords', 'public',
        'territory', 'partners', 'support_details', 'wants_stand', 'stand_table', 'stand_electricity')),
    sa.column('support_needs', sa.JSON),
)
registration = sa.table(
    'registration', *(sa.column(name) for name in (
        'id', 'village_id', 'email', 'first_name', 'last_name', 'phone', 'organisation', 'commune',
        'created_at')),
)
initiative = sa.table(
    'initiative', *(sa.column(name) for name in (
        'id', 'slug', 'holder_email', 'holder_name', 'holder_phone', 'show_holder_contact',
        'moderation_state', 'current_number', 'created_at', 'updated_at')),
)
version = sa.table(
    'initiative_version', *(sa.column(name) for name in (
        'id', 'initiative_id', 'number', 'created_at', 'author', 'name', 'structure', 'summary',
        'stage', 'keywords', 'partners', 'commune_name', 'territory_detail', 'public_detail',
        'search_text')),
    *(sa.column(name, sa.JSON) for name in (
        'thematiques', 'initiators', 'publics', 'support_needs', 'support_details', 'sharing_offers')),
)
presentation = sa.table(
    'initiative_presentation', *(sa.column(name) for name in (
        'id', 'initiative_id', 'village_id', 'registration_id', 'version_id', 'wants_stand',
        'stand_table', 'stand_electricity', 'created_at')),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _former_fiches():
    return op.get_bind().execute(
        sa.select(former, registration.c.village_id, registration.c.email, registration.c.first_name,
                  registration.c.last_name, registration.c.phone, registration.c.organisation,
                  registration.c.commune, registration.c.created_at.label('registered_at'))
        .join(registration, registration.c.id == former.c.registration_id)
        .order_by(former.c.id)
    ).mappings().all()


def _move_former_fiches(rows):
    bind = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for number, row in enumerate(rows, start=1):
        slug = (re.sub(r"[^a-z0-9]+", "-", _fold(row['name'])).strip("-")[:80] or "initiative")
        slug = f"{slug}-{secrets.token_hex(3)}"
        initiative_id = bind.execute(initiative.insert().values(
            slug=slug, holder_email=(row['email'] or '').lower(),
            holder_name=f"{row['first_name']} {row['last_name']}", holder_phone=row['phone'],
            show_holder_contact=False, moderation_state='pending', current_number=1,
            created_at=row['registered_at'] or now, updated_at=now,
        ).returning(initiative.c.id)).scalar_one()
        free_detail = row['support_details']
        version_id = bind.execute(version.insert().values(
            initiative_id=initiative_id, number=1, created_at=row['registered_at'] or now,
            author='participant', name=row['name'], structure=row['organisation'] or '',
            summary=row['summary'] or '', stage=STAGES.get(row['status'] or ''),
            keywords=row['keywords'], partners=row['partners'], commune_name=row['commune'] or None,
            territory_detail=row['territory'], public_detail=row['public'],
            thematiques=[], initiators=[], publics=[], sharing_offers=[],
            support_needs=list(row['support_needs'] or []),
            support_details={'autre': free_detail} if free_detail else {},
            search_text=_fold(" ".join(filter(None, (row['name'], row['organisation'], row['summary'],
                                                     row['keywords'], row['commune'])))),
        ).returning(version.c.id)).scalar_one()
        bind.execute(presentation.insert().values(
            initiative_id=initiative_id, village_id=row['village_id'], registration_id=row['registration_id'],
            version_id=version_id, wants_stand=row['wants_stand'], stand_table=row['stand_table'],
            stand_electricity=row['stand_electricity'], created_at=row['registered_at'] or now,
        ))


def _presented_fiches():
    return op.get_bind().execute(
        sa.select(presentation, version.c.name, version.c.summary, version.c.stage, version.c.keywords,
                  version.c.partners, version.c.territory_detail, version.c.public_detail,
                  version.c.support_needs, version.c.support_details)
        .join(version, version.c.id == presentation.c.version_id)
        .where(presentation.c.registration_id.is_not(None))
    ).mappings().all()


def _restore_former_fiches(rows):
    bind = op.get_bind()
    statuses = {stage: status for status, stage in STAGES.items()}
    for row in rows:
        details = "\n".join((row['support_details'] or {}).values())
        bind.execute(former.insert().values(
            registration_id=row['registration_id'], name=row['name'], summary=row['summary'],
            status=statuses.get(row['stage'] or ''), keywords=row['keywords'], partners=row['partners'],
            territory=row['territory_detail'], public=row['public_detail'],
            support_needs=list(row['support_needs'] or []), support_details=details or None,
            wants_stand=row['wants_stand'], stand_table=row['stand_table'],
            stand_electricity=row['stand_electricity'],
        ))
