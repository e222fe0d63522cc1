"""The controlled lists of a « fiche initiative »: stored keys and the French labels shown.

Fields that are counted later (directory filters, matching of needs and offers, the funders'
report) take their values from these lists only. Publics are the French State's
*data·inclusion* list as is; thématiques follow the keywords of the SENACS *fiches action*
(the seed documents) and say which data·inclusion thématiques they export as.
"""
# Où en est l'initiative.
STAGES = {
    "en_projet": "En projet",
    "en_cours": "En cours",
    "terminee": "Terminée",
}

# The SENACS « dimension » of an action.
DIMENSIONS = {
    "citoyennete": "Citoyenneté",
    "accompagnement_projets": "Accompagnement de projets",
    "services": "Services",
    "animation_locale": "Animation de la vie locale",
}

# key: (label, data·inclusion thématiques it is exported as)
THEMATIQUES_DATA_INCLUSION = {
    "education-scolarite": ("Éducation, scolarité", ["famille--soutien-a-la-parentalite-et-a-leducation"]),
    "emploi-economie": ("Emploi, économie", ["trouver-un-emploi--maintien-dans-lemploi"]),
    "entrepreneuriat-social": (
        "Entrepreneuriat social", ["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"]
    ),
    "vacances-loisirs": ("Vacances, loisirs", ["remobilisation--activites-sportives-et-culturelles"]),
    "culture": ("Culture", ["remobilisation--activites-sportives-et-culturelles"]),
    "sport": ("Sport", ["remobilisation--activites-sportives-et-culturelles"]),
    "intergenerationnel": ("Intergénérationnel", ["remobilisation--lien-social"]),
    "solidarite": ("Solidarité", ["remobilisation--lien-social"]),
    "democratie-citoyennete": (
        "Démocratie et citoyenneté", ["remobilisation--benevolat-action-citoyenne"]
    ),
    "discriminations": (
        "Lutte contre les discriminations",
        ["difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination"],
    ),
    "mixite-sociale": ("Mixité sociale", ["remobilisation--lien-social"]),
    "vieillissement": ("Vieillissement", ["famille--prise-en-charge-personne-dependante"]),
    "sante": ("Santé", ["sante--acces-aux-soins"]),
    "parentalite": ("Parentalité", ["famille--soutien-a-la-parentalite-et-a-leducation"]),
    "mobilite-transport": ("Mobilité, transport", ["mobilite--mobilite-douce-partagee-collective"]),
    "precarite": ("Lutte contre la précarité", ["difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere"]),
    "alimentation": ("Alimentation", ["equipement-et-alimentation--alimentation"]),
    "integration": ("Intégration, accueil des personnes exilées",
                    ["difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"]),
    "logement": ("Logement", ["logement-hebergement--se-maintenir-dans-le-logement"]),
    "numerique": ("Numérique", ["numerique--maitriser-les-fondamentaux-du-numerique"]),
    "environnement": ("Environnement, transition écologique", []),
    "acces-aux-droits": (
        "Accès aux droits", ["difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"]
    ),
}
THEMATIQUES = {key: label for key, (label, _) in THEMATIQUES_DATA_INCLUSION.items()}

# The data·inclusion list of publics (data-inclusion-schema 1.0, `v1.Public`), kept as is so that
# exports need no mapping. Written out rather than read from the package, whose import loads
# pydantic and every model of the schema (20 MB in each web worker);
# tests/test_initiative_lists.py checks that it is still the installed schema's list.
PUBLICS = {
    "tous-publics": "Tous publics",
    "actifs": "Actifs",
    "beneficiaires-des-minimas-sociaux": "Bénéficiaires des minimas sociaux",
    "demandeurs-emploi": "Demandeurs d’emploi",
    "etudiants": "Étudiants",
    "familles": "Familles",
    "femmes": "Femmes",
    "jeunes": "Jeunes",
    "personnes-en-situation-de-handicap": "Personnes en situation de handicap",
    "personnes-en-situation-durgence": "Personnes en situation d’urgence",
    "personnes-en-situation-juridique-specifique": "Personnes en situation juridique spécifique",
    "personnes-exilees": "Personnes exilées",
    "residents-qpv-frr": "Résidents en QPV ou FRR",
    "seniors": "Séniors",
}

# The support a project holder may ask for (« besoins d'appui »): keys kept from the first
# registration form, so that registrations made before stay readable.
SUPPORT_NEEDS = {
    "financement": "Financement",
    "mise_en_reseau": "Mise en réseau, partenariats",
    "communication": "Communication, visibilité",
    "formation": "Formation",
    "juridique": "Appui juridique, statuts",
    "locaux": "Locaux, matériel",
    "evaluation": "Évaluation",
    "essaimage": "Essaimage, transfert de l'initiative",
    "benevolat": "Bénévoles",
    "autre": "Autre",
}

# What a holder can offer to others (the other half of « mise en lien »).
SHARING_OFFERS = {
    "experience": "Une expérience à essaimer",
    "expertise": "Une expertise, des savoir-faire",
    "locaux": "Des locaux",
    "materiel": "Du matériel",
}

# « Qui est à l'initiative de l'action ? » in the SENACS fiches.
INITIATORS = {
    "structure": "La structure porteuse",
    "habitants": "Un groupe d'habitants",
    "partenaires": "Un ou plusieurs partenaires",
    "collectivite": "Une collectivité",
}

# « Territoire concerné »: a commune (with its INSEE code) or a wider zone.
TERRITORY_SCALES = {
    "quartier": "Un quartier",
    "plusieurs_quartiers": "Plusieurs quartiers",
    "commune": "Une commune",
    "plusieurs_communes": "Plusieurs communes",
    "departement": "Un département",
    "region": "Une région ou plus",
}

# Who may see the initiative, as its holder chose (consent).
VISIBILITIES = {
    "public": "Tout le monde (annuaire, carte, livret, données ouvertes)",
    "participants": "Les participants du village seulement",
    "organisers": "Les organisateurs seulement",
}

# Where an initiative stands in moderation.
MODERATION_STATES = {
    "pending": "À valider",
    "published": "Publiée",
    "changes_pending": "Modifications à valider",
    "refused": "Refusée",
}


def labels(choices: dict[str, str], keys) -> list[str]:
    """The labels of stored keys, in the list's order; unknown keys are skipped."""
    chosen = set(keys or ())
    return [label for key, label in choices.items() if key in chosen]
