"""Demo data for « mise en lien »: what the demo institutions and élus offer, the support the
demo porteurs need, and a meeting area in each demo village. Runs after demo_data's loaders."""
from __future__ import annotations

from datetime import time

from sqlalchemy import select

from ..extensions import db
from ..models import MatchingProfile, MeetingTable, Registration, Role, SupportOffer, Village
from ..services import initiatives, meeting_area
from .data import DEMO_VILLAGES

# Organisation or collectivity of a demo participant -> the offers they state.
OFFERS = {
    "Caf du territoire": [
        dict(category="financement", kind="subvention", thematiques=["parentalite", "vacances-loisirs", "solidarite"],
             details="Fonds publics et territoires : actions pour les familles, la parentalité et les loisirs des jeunes."),
        dict(category="evaluation", kind="ingenierie", thematiques=["parentalite"],
             details="Accompagnement des centres sociaux pour évaluer leurs actions."),
    ],
    "Conseil départemental": [
        dict(category="financement", kind="subvention", thematiques=["emploi-economie", "integration", "precarite"],
             details="Appels à projets insertion sociale et professionnelle, lutte contre la précarité."),
        dict(category="formation", kind="formation", thematiques=["numerique", "emploi-economie"],
             details="Formations des bénévoles et des salariés à l'accompagnement numérique."),
    ],
    "Commune voisine": [
        dict(category="locaux", kind="mise_a_disposition", thematiques=[],
             details="Salles municipales prêtées en soirée et le week-end, minibus pour les sorties."),
    ],
    "Communauté de communes": [
        dict(category="mise_en_reseau", kind="mise_en_relation", thematiques=["mobilite-transport", "vieillissement"],
             details="Réseau des acteurs du territoire intercommunal, transport à la demande."),
    ],
}
COMES_FOR = {
    "Conseil citoyen": "Rencontrer des porteurs de projets pour les jeunes du quartier et des idées de sorties en familles.",
    "Association de locataires": "Des solutions pour le logement, le lien entre voisins et les personnes âgées isolées.",
}
# Support needs of the demo porteurs, by the first of their initiative's thématiques listed here.
NEEDS = {
    "parentalite": ["financement", "communication"],
    "vacances-loisirs": ["financement", "locaux"],
    "emploi-economie": ["financement", "mise_en_reseau"],
    "vieillissement": ["mise_en_reseau", "locaux"],
    "sante": ["evaluation"],
}
DEFAULT_NEEDS = ["communication", "locaux"]


def load() -> list[str]:
    demo_villages = list(db.session.scalars(select(Village).where(Village.slug.in_([v[0] for v in DEMO_VILLAGES]))))
    if not demo_villages or any(v.matching_settings is not None for v in demo_villages):
        return ["Rendez-vous de démonstration : déjà présents (ou villages absents)"]
    offers = 0
    for village in demo_villages:
        settings = meeting_area.settings_of(village)
        settings.area_starts_at, settings.area_ends_at = time(10), time(12, 30)
        settings.breaks = [["11:20", "11:30"]]
        db.session.add_all(MeetingTable(village_id=village.id, name=f"Table {n}") for n in range(1, 7))
        for person in db.session.scalars(select(Registration).where(Registration.village_id == village.id)):
            for values in OFFERS.get(person.structure, []) if person.role in (Role.INSTITUTIONNEL, Role.ELU) else []:
                person.support_offers.append(SupportOffer(**values))
                offers += 1
            if person.structure in COMES_FOR:
                person.matching_profile = MatchingProfile(comes_for=COMES_FOR[person.structure])
            if person.role == Role.PORTEUR and person.initiative is not None:
                initiative = person.initiative
                theme = next((t for t in NEEDS if t in (initiative.current.thematiques or [])), None)
                initiatives.edit(initiative, {"support_needs": NEEDS.get(theme, DEFAULT_NEEDS)},
                                 actor="demo", by_organiser=True)
    db.session.commit()
    return [f"Rendez-vous de démonstration : {offers} offres d'appui, besoins des porteurs, "
            f"6 tables par village : créés"]
