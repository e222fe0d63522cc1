"""Reading the audit trail, newest first, a page at a time, each entry told as a French sentence.

Entries store codes (`registration.updated`, `scanner:Entrée nord`, field names) so that they
stay stable; the team reads them as sentences naming who did what to whom.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    AuditEntry, Initiative, MeetingRequest, Organiser, OrganiserRole, Registration, RegistrationStatus, Role, ScannerToken, Village,
)
from ..models.followup import THREAD_STATUS_LABELS
from ..models.initiative_lists import SUPPORT_NEEDS, VISIBILITIES as VISIBILITY_LABELS
from ..templating import of_name, of_place
from ..text import agreed

PER_PAGE = 50

# A registration's fields, each named with its possessive (said by the person) and its
# definite article (said by someone else).
REGISTRATION_FIELDS = {
    "role": ("son rôle", "le rôle"),
    "civility": ("sa civilité", "la civilité"),
    "first_name": ("son prénom", "le prénom"),
    "last_name": ("son nom", "le nom"),
    "email": ("son adresse e-mail", "l'adresse e-mail"),
    "phone": ("son téléphone", "le téléphone"),
    "commune": ("sa commune", "la commune"),
    "postcode": ("son code postal", "le code postal"),
    "organisation": ("sa structure", "la structure"),
    "position": ("sa fonction", "la fonction"),
    "collectivity": ("sa collectivité", "la collectivité"),
    "mandate": ("son mandat", "le mandat"),
    "represented_group": ("le groupe qu'il ou elle représente", "le groupe représenté"),
    "lunch": ("sa réponse pour le déjeuner", "la réponse pour le déjeuner"),
    "dietary_needs": ("son régime alimentaire", "le régime alimentaire"),
    "accessibility_needs": ("ses besoins d'accessibilité", "les besoins d'accessibilité"),
    "initiative.name": ("le nom de son initiative", "le nom de l'initiative"),
    "initiative.summary": ("la présentation de son initiative", "la présentation de l'initiative"),
    "initiative.status": ("l'avancement de son initiative", "l'avancement de l'initiative"),
    "initiative.dimension": ("le thème de son initiative", "le thème de l'initiative"),
    "initiative.keywords": ("les mots-clés de son initiative", "les mots-clés de l'initiative"),
    "initiative.public": ("le public de son initiative", "le public de l'initiative"),
    "initiative.territory": ("le territoire de son initiative", "le territoire de l'initiative"),
    "initiative.partners": ("les partenaires de son initiative", "les partenaires de l'initiative"),
    "initiative.support_needs": ("ses besoins d'appui", "les besoins d'appui"),
    "initiative.support_details": ("le détail de ses besoins d'appui", "le détail des besoins d'appui"),
    "initiative.wants_stand": ("sa demande de stand", "la demande de stand"),
    "initiative.stand_table": ("son besoin de table", "le besoin de table"),
    "initiative.stand_electricity": ("son besoin d'électricité", "le besoin d'électricité"),
}
VILLAGE_FIELDS = {
    "name": "le nom", "slug": "l'adresse courte", "town": "la ville", "venue": "le lieu",
    "address": "l'adresse", "day": "la date", "starts_at": "l'heure de début", "ends_at": "l'heure de fin",
    "description": "la présentation", "programme": "le programme", "practical_info": "les informations pratiques",
    "capacity": "la capacité", "lunch_offered": "le déjeuner", "registration_opens_at": "l'ouverture des inscriptions",
    "registration_closes_at": "la clôture des inscriptions", "contact_email": "l'e-mail de contact",
    "quotas": "les places réservées par rôle",
}
ACCOUNT_FIELDS = {"role": "le rôle", "active": "l'activation", "villages": "les villages confiés", "password": "le mot de passe"}
CONSENT_NAMES = {"consent_photos": "les photos", "consent_listing": "la liste des participants", "consent_news": "les nouvelles"}
EXPORT_NAMES = {
    "csv": "le tableau CSV", "xlsx": "le classeur Excel", "signin": "la feuille d'émargement",
    "badges": "les planches de badges", "livret": "le livret des initiatives",
}
SPECIAL_ACTORS = {"system": "L'application", "demo": "La mise en place de la démonstration", "cli": "L'administration, en ligne de commande"}


def entries(page: int, village_id: int | None = None, per_page: int = PER_PAGE) -> tuple[list[AuditEntry], int, int]:
    """(entries of the page, page number actually shown, number of pages)."""
    conditions = [AuditEntry.village_id == village_id] if village_id else []
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    pages = max(ceil(total / per_page), 1)
    page = min(max(page, 1), pages)
    found = db.session.scalars(
        select(AuditEntry).where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    return list(found), page, pages


@dataclass(frozen=True)
class Event:
    """An audit entry as the team reads it."""

    at: datetime
    actor: str       # who did it, by name
    sentence: str    # what happened, a French sentence that starts with who did it
    registration_id: int | None = None
    village_id: int | None = None


def join_words(words: list[str]) -> str:
    """"a, b et c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


class _Names:
    """Names of the people, villages and links the entries refer to, read in a few queries."""

    def __init__(self, found: list[AuditEntry]):
        def ids(kind: str) -> set[int]:
            return {e.target_id for e in found if e.target_type == kind and e.target_id is not None}

        emails = {e.actor for e in found if "@" in e.actor}
        self.organisers_by_email = {
            o.email: o for o in db.session.scalars(select(Organiser).where(Organiser.email.in_(emails)))
        } if emails else {}
        self.organisers = self._by_id(Organiser, ids("organiser"))
        self.registrations = self._by_id(Registration, ids("registration"))
        self.links = self._by_id(ScannerToken, ids(ScannerToken.__tablename__))
        self.initiatives = self._by_id(Initiative, ids(Initiative.__tablename__))
        self.villages = self._by_id(Village, {e.village_id for e in found if e.village_id} | ids("village"))
        self.requests = self._by_id(MeetingRequest, ids(MeetingRequest.__tablename__))
        self.registrations.update(self._by_id(Registration, {
            person_id for request in self.requests.values()
            for person_id in (request.requester_id, request.recipient_id)} - set(self.registrations)))

    @staticmethod
    def _by_id(model, wanted: set[int]) -> dict:
        if not wanted:
            return {}
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(wanted)))}

    def organiser(self, organiser: Organiser | None, fallback: str) -> str:
        return (organiser.name or organiser.email) if organiser is not None else fallback

    def person(self, entry: AuditEntry) -> str:
        return self._named(entry.target_id if entry.target_type == "registration" else None)

    def _named(self, registration_id: int | None) -> str:
        registration = self.registrations.get(registration_id)
        if registration is None or registration.anonymised_at is not None:
            return "une personne dont les données sont effacées"
        return registration.full_name

    def request_people(self, request) -> tuple[str, str]:
        """Who asked and who was asked for a meeting, by name."""
        if request is None:
            return "Une personne inscrite", "une autre personne"
        requester = self._named(request.requester_id)
        return requester[:1].upper() + requester[1:], self._named(request.recipient_id)

    def actor(self, entry: AuditEntry) -> str:
        code = entry.actor
        if code == "participant":
            person = self.person(entry)
            return person if not person.startswith("une personne") else "La personne inscrite"
        if code.startswith("scanner:"):
            return f"Le poste d'accueil « {code.removeprefix('scanner:')} »"
        if code in SPECIAL_ACTORS:
            return SPECIAL_ACTORS[code]
        return self.organiser(self.organisers_by_email.get(code), code)

    def initiative(self, entry: AuditEntry) -> str:
        initiative = self.initiatives.get(entry.target_id)
        return f"l'initiative « {initiative.name} »" if initiative is not None else "une initiative supprimée"

    def village(self, entry: AuditEntry, article: str = "le") -> str:
        """"le village d'Avignon", or with article "du": "du village d'Avignon"."""
        village = self.villages.get(entry.village_id or (entry.target_id if entry.target_type == "village" else None))
        town = of_place(village.town) if village is not None else "supprimé"
        return f"{article} village {town}"


def _registration_sentence(entry: AuditEntry, names: _Names, actor: str, by_person: bool) -> str:
    details = entry.details or {}
    person = names.person(entry)
    action = entry.action.removeprefix("registration.")
    if action == "created":
        civility = details.get("civility")
        role = _role_label(details.get("role"), civility)
        where = " sur la liste d'attente" if details.get("status") == RegistrationStatus.WAITLISTED else ""
        if by_person:
            return f"{actor} s'est {agreed(civility, 'inscrit', 'inscrite')}{where}" + (f" comme {role}" if role else "")
        return f"{actor} a inscrit {person}{where}" + (f" comme {role}" if role else "")
    if action == "followup_opt_out":
        return f"{actor} a demandé à ne plus recevoir de demandes de nouvelles après les villages"
    if action == "walk_in":
        beyond = ", au-delà de la capacité" if details.get("over_capacity") else ""
        return f"{actor} a inscrit {person} sur place{beyond}"
    if action == "cancelled":
        return f"{actor} a annulé son inscription" if by_person else f"{actor} a annulé l'inscription {of_name(person)}"
    if action == "updated":
        fields = [name for name in details.get("fields", []) if name in REGISTRATION_FIELDS]
        if not fields:
            return f"{actor} a modifié son inscription" if by_person else f"{actor} a modifié l'inscription {of_name(person)}"
        if by_person:
            return f"{actor} a modifié " + join_words([REGISTRATION_FIELDS[name][0] for name in fields])
        changed = join_words([REGISTRATION_FIELDS[name][1] for name in fields])
        return f"{actor} a modifié l'inscription {of_name(person)} : {changed}"
    if action == "confirmation_resent":
        if by_person:
            return f"{actor} a demandé à recevoir de nouveau sa confirmation"
        return f"{actor} a renvoyé sa confirmation à {person}"
    if action == "promoted":
        if details.get("forced"):
            beyond = ", au-delà de la capacité" if details.get("beyond_capacity") else ""
            return f"{actor} a confirmé la place {of_name(person)}, qui était sur la liste d'attente{beyond}"
        return f"{person[:1].upper()}{person[1:]} a obtenu une place libérée et quitte la liste d'attente"
    if action == "anonymised":
        return f"{actor} a effacé ses données personnelles" if by_person else f"{actor} a effacé les données personnelles de l'inscription"
    if action == "consents_changed":
        parts = []
        if details.get("given"):
            parts.append("a donné son accord pour " + join_words([CONSENT_NAMES.get(n, n) for n in details["given"]]))
        if details.get("withdrawn"):
            parts.append("a retiré son accord pour " + join_words([CONSENT_NAMES.get(n, n) for n in details["withdrawn"]]))
        return f"{actor} " + (" et ".join(parts) or "a revu ses accords")
    return f"{actor} a modifié l'inscription {of_name(person)}"


def _role_label(value, civility: str | None) -> str:
    try:
        return Role(value).of(civility).lower()
    except ValueError:
        return ""


def _checkin_sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    details = entry.details or {}
    person = names.person(entry)
    if entry.action == "checkin.undo":
        reason = (details.get("reason") or "").strip()
        return f"{actor} a annulé l'entrée {of_name(person)}" + (f" (raison : « {reason} »)" if reason else "")
    if entry.action == "checkin.exceptional_entry":
        return (f"{actor} a enregistré une entrée exceptionnelle pour {person}, hors du jour du village "
                f"(raison : « {(details.get('reason') or '').strip()} »)")
    return (f"{actor} a fait entrer {person} hors ligne alors qu'un autre poste l'avait déjà fait : "
            "le premier passage compte")


def _account_sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    details = entry.details or {}
    account = names.organiser(names.organisers.get(entry.target_id), details.get("email", "un compte supprimé"))
    if entry.action == "account.created":
        role = details.get("role")
        role_label = OrganiserRole(role).label.lower() if role in set(OrganiserRole) else ""
        return f"{actor} a créé le compte {of_name(account)}" + (f" (rôle : {role_label})" if role_label else "")
    if entry.action == "account.locked":
        return f"Le compte {of_name(account)} a été bloqué après trop de mots de passe erronés"
    if entry.action == "account.throttled":
        return f"Trop de mots de passe erronés pour le compte {of_name(account)} depuis une même adresse : connexion retardée"
    if entry.action == "account.unlocked":
        return f"{actor} a levé l'attente de connexion du compte {of_name(account)}"
    if entry.action == "account.logged_out_everywhere":
        return f"{actor} a fermé toutes les sessions du compte {of_name(account)}"
    if entry.action == "account.reset_requested":
        return f"Un lien pour choisir un nouveau mot de passe a été envoyé à {account}"
    if entry.action == "account.reset_unknown":
        return "Un nouveau mot de passe a été demandé pour une adresse sans compte actif : rien n'a été envoyé"
    if entry.action == "account.password_reset":
        return f"{account} a choisi un nouveau mot de passe avec le lien reçu par e-mail"
    if entry.action in ("account.totp_enabled", "account.totp_disabled"):
        done = "activé" if entry.action == "account.totp_enabled" else "désactivé"
        return f"{actor} a {done} la double authentification de son compte"
    changes = []
    if "role" in details and isinstance(details["role"], list):
        before, after = (OrganiserRole(value).label.lower() for value in details["role"])
        changes.append(f"rôle {before} devenu {after}")
    if "active" in details and isinstance(details["active"], list):
        changes.append("compte réactivé" if details["active"][1] else "compte désactivé")
    if "villages" in details:
        changes.append("villages confiés changés")
    if "password" in details:
        changes.append("nouveau mot de passe")
    return f"{actor} a modifié le compte {of_name(account)}" + (" : " + ", ".join(changes) if changes else "")


def _village_sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    details = entry.details or {}
    village = names.village(entry)
    action = entry.action
    if action == "village.created":
        return f"{actor} a créé {village}"
    if action == "village.updated":
        fields = [VILLAGE_FIELDS[name] for name in details if name in VILLAGE_FIELDS]
        return f"{actor} a modifié {village}" + (" : " + join_words(fields) if fields else "")
    if action == "village.archived":
        return f"{actor} a archivé {village}"
    if action == "village.unarchived":
        return f"{actor} a sorti {village} des archives"
    if action == "village.registrations_anonymised":
        count = details.get("count", 0)
        return (f"{actor} a effacé les données personnelles de {count} inscription{'s' if count > 1 else ''} "
                f"{names.village(entry, 'du')}, leur durée de conservation étant écoulée")
    if action == "export downloaded":
        what = EXPORT_NAMES.get(details.get("format"), "un export")
        return f"{actor} a téléchargé {what} {names.village(entry, 'du')}"
    return f"{actor} a modifié {village}"


def _link_sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    label = (entry.details or {}).get("label", "")
    village = names.village(entry, "du")
    verb = "a créé" if entry.action == "scanner_link.create" else "a révoqué"
    return f"{actor} {verb} le lien d'accueil « {label} » {village}"


def _initiative_sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    details = entry.details or {}
    initiative = names.initiative(entry)
    action = entry.action.removeprefix("initiative.")
    if action == "created":
        return f"{actor} a créé la fiche {of_name(initiative)}"
    if action == "consent":
        shown = VISIBILITY_LABELS.get(details.get("visibility"), "")
        return f"{actor} a choisi qui peut voir {initiative}" + (f" : {shown.lower()}" if shown else "")
    if action == "consent_withdrawn":
        return f"{actor} a retiré son accord pour montrer {initiative}"
    if action == "approved":
        return f"{actor} a publié {initiative}"
    if action == "refused":
        reason = (details.get("reason") or "").strip()
        return f"{actor} a refusé de publier {initiative}" + (f" (raison : « {reason} »)" if reason else "")
    if action == "anonymised":
        return f"{actor} a effacé les coordonnées du porteur {of_name(initiative)}"
    return f"{actor} a modifié la fiche {of_name(initiative)}"


def _followup_sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    """Suivi après le village: a need's status set by an organiser, a round sent at once."""
    details = entry.details or {}
    if entry.action == "followup.sent":
        count = details.get("count", 0)
        return (f"{actor} a envoyé la relance {details.get('round')} {names.village(entry, 'du')} "
                f"({count} e-mail{'s' if count > 1 else ''})")
    need = SUPPORT_NEEDS.get(details.get("need", ""), "un besoin")
    status = THREAD_STATUS_LABELS.get(details.get("status"), "")
    note = details.get("note")
    return (f"{actor} a passé le besoin « {need} » de {names.initiative(entry)} à « {status} »"
            + (f" (note : « {note} »)" if note else ""))


# Mise en lien: what a participant or an organiser did with meetings.
MEETING_SENTENCES = {
    "matching_preferences_saved": "{actor} a enregistré ses choix pour les rendez-vous",
    "meeting_requested": "{requester} a demandé un rendez-vous à {recipient}",
    "meeting_accepted": "{recipient} a accepté la demande de rendez-vous {of_requester}",
    "meeting_declined": "{recipient} a décliné la demande de rendez-vous {of_requester}",
    "meeting_outcome_recorded": "{actor} a noté ce qu'a donné un rendez-vous",
    "meeting_added": "{actor} a ajouté un rendez-vous {village}",
    "meeting_moved": "{actor} a déplacé un rendez-vous {village}",
    "meeting_removed": "{actor} a retiré un rendez-vous {village}",
    "meeting_area_updated": "{actor} a modifié l'espace des rendez-vous {village}",
    "meeting_requests_closed": "{actor} a clos les demandes de rendez-vous {village}",
    "schedule_built": "{actor} a calculé le programme des rendez-vous {village}",
    "schedule_published": "{actor} a publié le programme des rendez-vous {village}",
    "message.sent": "{actor} a écrit aux participants {village}",
    "report downloaded": "{actor} a téléchargé le bilan {village}{report_format}",
    "observatory downloaded": "{actor} a téléchargé l'observatoire",
    "survey.questions": "{actor} a modifié le questionnaire de satisfaction {village}",
}


REPORT_FORMATS = {"pdf": "en PDF", "xlsx": "en classeur Excel"}


def _sentence(entry: AuditEntry, names: _Names, actor: str) -> str:
    if entry.action in MEETING_SENTENCES:
        details = entry.details or {}
        request = names.requests.get(entry.target_id) if entry.target_type == "meeting_request" else None
        requester, recipient = names.request_people(request)
        report_format = " ".join(filter(None, (
            REPORT_FORMATS.get(details.get("format"), ""),
            "à diffuser" if details.get("version") not in (None, "interne") else "",
        )))
        return MEETING_SENTENCES[entry.action].format(
            actor=actor, village=names.village(entry, "du"), requester=requester, recipient=recipient,
            of_requester=of_name(requester), report_format=f" {report_format}" if report_format else "")
    if entry.action.startswith("registration."):
        return _registration_sentence(entry, names, actor, by_person=entry.actor == "participant")
    writers: dict[str, Callable[[AuditEntry, _Names, str], str]] = {
        "checkin": _checkin_sentence, "account": _account_sentence, "scanner_link": _link_sentence,
        "initiative": _initiative_sentence, "followup": _followup_sentence,
    }
    prefix = entry.action.partition(".")[0]
    return writers.get(prefix, _village_sentence)(entry, names, actor)


def events(found: list[AuditEntry]) -> list[Event]:
    """The entries as sentences, in the same order."""
    names = _Names(found)
    told = []
    for entry in found:
        actor = names.actor(entry)
        told.append(Event(
            at=entry.at,
            actor=actor,
            sentence=_sentence(entry, names, actor) + ".",
            registration_id=entry.target_id if entry.target_type == "registration" else None,
            village_id=entry.village_id,
        ))
    return told
