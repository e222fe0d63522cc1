"""Initiatives: their holders present them at villages, consent to show them, organisers moderate.

Like the registration service, every function adds its changes (and audit entries) to the
session and never commits. The fiche is a dict named as InitiativeVersion.FICHE_FIELDS.

The versions follow one rule: a version an organiser approved is never changed. A holder's
edit of a published initiative makes a new version that waits for approval while the
approved one stays on public pages; an edit of a version not yet approved changes it.
"""
from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Initiative,
    InitiativePresentation,
    InitiativeVersion,
    ModerationState,
    Registration,
    Visibility,
)
from ..models import initiative_lists as lists
from ..text import fold
from ..timeutil import utcnow
from . import audit, notifications

# The wording of the initiative consent (stored with each choice, see CONSENT_VERSION).
CONSENT_VERSION = "2026-12-initiatives"
CONSENT_WORDING = {
    "visibility": "Qui peut voir la fiche de votre initiative, une fois validée par les organisateurs ?",
    "show_holder_contact": "J'accepte que mon nom et mon e-mail figurent sur la fiche, "
    "pour que l'on puisse me contacter.",
}
# List fields and the controlled list their keys come from.
LIST_FIELDS = {
    "thematiques": lists.THEMATIQUES,
    "publics": lists.PUBLICS,
    "initiators": lists.INITIATORS,
    "support_needs": lists.SUPPORT_NEEDS,
    "sharing_offers": lists.SHARING_OFFERS,
}
CHOICE_FIELDS = {
    "stage": lists.STAGES,
    "dimension": lists.DIMENSIONS,
    "territory_scale": lists.TERRITORY_SCALES,
}
STAND_FIELDS = ("wants_stand", "stand_table", "stand_electricity")
SEARCHED_FIELDS = ("name", "structure", "summary", "keywords", "commune_name", "territory_detail",
                   "partners", "experience")
ANONYMOUS_INITIATIVE = "Initiative anonymisée"


class FicheError(ValueError):
    """A fiche does not follow the lists; the message is meant for people."""


# A slug longer than this is cut after its last whole word.
SLUG_LENGTH = 60


def _new_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    if len(base) > SLUG_LENGTH:
        base = base[:SLUG_LENGTH + 1].rsplit("-", 1)[0]
    base = base or "initiative"
    taken = set(db.session.scalars(select(Initiative.slug).where(Initiative.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    while (slug := f"{base}-{secrets.token_hex(2)}") in taken:
        pass
    return slug


def clean_fiche(values: dict[str, Any]) -> dict[str, Any]:
    """The fiche's values checked against the lists; FicheError says what is wrong."""
    unknown = set(values) - set(InitiativeVersion.FICHE_FIELDS)
    if unknown:
        raise FicheError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    if not (values.get("name") or "").strip():
        raise FicheError("Indiquez le nom de l'initiative.")
    fiche = dict(values)
    for name, choices in LIST_FIELDS.items():
        if name in fiche:
            chosen = list(fiche[name] or [])
            if set(chosen) - set(choices):
                raise FicheError(f"Valeur hors liste pour « {name} ».")
            fiche[name] = [key for key in choices if key in chosen]
    for name, choices in CHOICE_FIELDS.items():
        if fiche.get(name) and fiche[name] not in choices:
            raise FicheError(f"Valeur hors liste pour « {name} ».")
    if "support_details" in fiche:
        details = fiche["support_details"] or {}
        needs = set(fiche.get("support_needs") or [])
        fiche["support_details"] = {k: v.strip() for k, v in details.items() if k in needs and v and v.strip()}
    code = fiche.get("commune_code")
    if code and not re.fullmatch(r"\d[0-9AB]\d{3}", code):
        raise FicheError("Le code INSEE de la commune comporte 5 caractères (par exemple 04209).")
    if code and not fiche.get("departement_code"):
        fiche["departement_code"] = departement_of(code)
    return fiche


def departement_of(commune_code: str) -> str:
    """The département of a commune's INSEE code (97x and 98x overseas take three digits)."""
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


def _search_text(version: InitiativeVersion) -> str:
    words = [getattr(version, name) or "" for name in SEARCHED_FIELDS]
    words += version.thematique_labels + version.public_labels
    return fold(" ".join(words))


def holder_initiatives(email: str | None) -> list[Initiative]:
    """The initiatives a holder already presented, to present one again instead of a copy."""
    if not email:
        return []
    return list(db.session.scalars(
        select(Initiative)
        .where(Initiative.holder_email == email.lower(), Initiative.anonymised_at.is_(None))
        .order_by(Initiative.created_at)
    ))


def create(holder_email: str, holder_name: str, fiche: dict[str, Any], actor: str,
           holder_phone: str | None = None) -> Initiative:
    fiche = clean_fiche(fiche)
    initiative = Initiative(
        slug=_new_slug(fiche["name"]), holder_email=holder_email.lower(), holder_name=holder_name,
        holder_phone=holder_phone, moderation_state=ModerationState.PENDING, current_number=1,
    )
    version = InitiativeVersion(number=1, author=actor, **fiche)
    version.search_text = _search_text(version)
    initiative.versions.append(version)
    db.session.add(initiative)
    audit.record(actor, "initiative.created", initiative)
    return initiative


def edit(initiative: Initiative, fiche: dict[str, Any], actor: str, *, by_organiser: bool = False) -> list[str]:
    """Change the fiche; the names of the fields changed.

    A holder's change of an approved version waits for approval; an organiser's change is
    approved as it is made.
    """
    fiche = clean_fiche({**initiative.current.fiche(), **fiche})
    current = initiative.current
    changed = [name for name, value in fiche.items() if getattr(current, name) != value]
    if not changed:
        return []
    if initiative.published_number == current.number:
        current = InitiativeVersion(number=current.number + 1, author=actor, **current.fiche())
        initiative.versions.append(current)
        initiative.current_number = current.number
    for name in changed:
        setattr(current, name, fiche[name])
    current.author = actor
    current.search_text = _search_text(current)
    if by_organiser:
        if initiative.published_number is not None:
            initiative.published_number = current.number
    elif initiative.moderation_state == ModerationState.PUBLISHED:
        initiative.moderation_state = ModerationState.CHANGES_PENDING
    elif initiative.moderation_state == ModerationState.REFUSED:
        initiative.moderation_state = ModerationState.PENDING
    audit.record(actor, "initiative.edited", initiative, fields=changed, version=current.number)
    return changed


def present(initiative: Initiative, registration: Registration, stand: dict[str, bool]) -> InitiativePresentation:
    """The holder presents the initiative at the registration's village (once per village)."""
    presentation = registration.presentation
    if presentation is not None and presentation.initiative is not initiative:
        db.session.delete(presentation)
        db.session.flush()
        presentation = None
    if presentation is None and initiative.id is not None:
        presentation = db.session.scalar(select(InitiativePresentation).where(
            InitiativePresentation.initiative_id == initiative.id,
            InitiativePresentation.village_id == registration.village_id,
        ))
    if presentation is None:
        presentation = InitiativePresentation(initiative=initiative, village_id=registration.village_id)
        db.session.add(presentation)
    presentation.registration = registration
    presentation.version = initiative.current
    wants_stand = bool(stand.get("wants_stand"))
    presentation.wants_stand = wants_stand
    presentation.stand_table = wants_stand and bool(stand.get("stand_table"))
    presentation.stand_electricity = wants_stand and bool(stand.get("stand_electricity"))
    return presentation


def record_consent(initiative: Initiative, visibility: str | None, show_holder_contact: bool, actor: str) -> None:
    """The holder's choice of who may see the initiative; None withdraws it everywhere at once."""
    if visibility is not None and visibility not in lists.VISIBILITIES:
        raise FicheError("Choisissez qui peut voir votre initiative.")
    now = utcnow()
    initiative.visibility = visibility
    initiative.show_holder_contact = bool(show_holder_contact) and visibility is not None
    initiative.consent_version = CONSENT_VERSION
    initiative.consented_at = now
    initiative.consent_withdrawn_at = now if visibility is None else None
    audit.record(actor, "initiative.consent" if visibility else "initiative.consent_withdrawn", initiative,
                 visibility=visibility, show_holder_contact=initiative.show_holder_contact,
                 version=CONSENT_VERSION)


def withdraw_consent(initiative: Initiative, actor: str) -> None:
    record_consent(initiative, None, False, actor)


def approve(initiative: Initiative, actor: str) -> None:
    _read_again_under_lock(initiative)
    if (initiative.moderation_state == ModerationState.PUBLISHED
            and initiative.published_number == initiative.current_number):
        return  # the same approval posted twice (a double click) is made once
    initiative.published_number = initiative.current_number
    initiative.moderation_state = ModerationState.PUBLISHED
    initiative.refusal_reason = None
    _moderated(initiative, actor, "initiative.approved")
    notifications.initiative_published(initiative)


def _read_again_under_lock(initiative: Initiative) -> None:
    """Moderation decisions read the initiative again under a lock, so that the same decision
    posted twice at once is made once."""
    db.session.scalar(select(Initiative).where(Initiative.id == initiative.id).with_for_update()
                      .execution_options(populate_existing=True))


def refuse(initiative: Initiative, reason: str, actor: str) -> None:
    """Refuse the version waiting; a refused change leaves the approved version published."""
    reason = (reason or "").strip()
    if not reason:
        raise FicheError("Indiquez au porteur la raison du refus.")
    _read_again_under_lock(initiative)
    if initiative.moderation_state == ModerationState.REFUSED and initiative.refusal_reason == reason[:2000]:
        return
    initiative.refusal_reason = reason[:2000]
    if initiative.moderation_state == ModerationState.CHANGES_PENDING:
        initiative.moderation_state = ModerationState.PUBLISHED
    else:
        initiative.moderation_state = ModerationState.REFUSED
    _moderated(initiative, actor, "initiative.refused", reason=initiative.refusal_reason)
    notifications.initiative_refused(initiative)


def _moderated(initiative: Initiative, actor: str, action: str, **details) -> None:
    initiative.moderated_at = utcnow()
    initiative.moderated_by = actor
    audit.record(actor, action, initiative, version=initiative.current_number, **details)


def moderation_queue(state: str | None = None) -> list[Initiative]:
    query = select(Initiative).where(Initiative.anonymised_at.is_(None)).order_by(Initiative.updated_at.desc())
    if state:
        query = query.where(Initiative.moderation_state == state)
    return list(db.session.scalars(query))


def moderation_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(Initiative.moderation_state, func.count()).where(Initiative.anonymised_at.is_(None))
        .group_by(Initiative.moderation_state)
    )
    return dict(rows.all())


def public_initiative(slug: str) -> Initiative | None:
    """The initiative shown at /initiatives/<slug>, if its holder and an organiser let it be."""
    initiative = db.session.scalar(select(Initiative).where(Initiative.slug == slug))
    return initiative if initiative is not None and initiative.is_public else None


def anonymise(initiative: Initiative, actor: str) -> None:
    """The holder's personal data goes; the initiative stops being shown anywhere."""
    initiative.holder_email = ""
    initiative.holder_name = ""
    initiative.holder_phone = None
    initiative.visibility = None
    initiative.show_holder_contact = False
    initiative.anonymised_at = utcnow()
    for version in initiative.versions:
        version.name = ANONYMOUS_INITIATIVE
        for name in ("summary", "structure"):
            setattr(version, name, "")
        for name in ("keywords", "partners", "experience", "sharing_details", "website"):
            setattr(version, name, None)
        version.support_details = {}
        version.search_text = ""
    audit.record(actor, "initiative.anonymised", initiative)
