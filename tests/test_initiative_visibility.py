"""Whether an initiative is shown is one rule (Initiative.is_shown_to, in Python and in SQL): the
directory, its pages, the map, the open data and the livret show it to everyone, the village's
directory and the suggestions to its participants, and all of them agree in every state of the
holder's consent and of the moderation."""
import csv
import io
from itertools import count

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.documents import open_data
from app.documents.livret import write_livret
from app.extensions import db
from app.models import Initiative, Role
from app.services import directory, initiatives, suggestions
from tests.factories import make_registration, make_village

NAME = "Jardin partagé des Amandiers"
COMMUNE_CODE = "04209"  # Sisteron
_holders = count(1)


def moderated(initiative, state: str) -> None:
    """Brings the initiative to a moderation state through the organisers' and holder's actions."""
    if state in ("published", "changes_pending"):
        initiatives.approve(initiative, actor="test")
    if state == "changes_pending":
        initiatives.edit(initiative, {"summary": "Un jardin, et désormais un poulailler."}, actor="holder")
    if state == "refused":
        initiatives.refuse(initiative, "Fiche incomplète.", actor="test")


@pytest.fixture
def village(app):
    return make_village(slug="sisteron-visibilite")


@pytest.fixture
def make_initiative(village):
    def make(visibility: str | None, state: str):
        holder = make_registration(village, role=Role.PORTEUR, email=f"jardin{next(_holders)}@example.org", consent_listing=True)
        initiative = initiatives.create(holder.email, holder.full_name, {
            "name": NAME, "summary": "Un jardin cultivé par les habitants.",
            "commune_name": "Sisteron", "commune_code": COMMUNE_CODE,
        }, actor="test")
        initiatives.present(initiative, holder, {})
        if visibility:
            initiatives.record_consent(initiative, visibility, False, actor="test")
        moderated(initiative, state)
        db.session.commit()
        return holder, initiative
    return make


def shown_to_everyone(village, initiative) -> dict[str, bool]:
    """Each surface open to everyone: is the initiative on it?"""
    everyone = directory.DirectoryQuery()
    published = directory.public_versions()
    livret = io.BytesIO()
    write_livret(village, livret)
    livret_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(livret.getvalue())).pages)
    open_data_csv = open_data.csv_for_excel(published).decode("utf-8-sig")
    return {
        "annuaire": initiative.slug in [card.slug for card in directory.search(everyone).cards],
        "page de l'initiative": initiatives.public_initiative(initiative.slug) is not None,
        "carte": COMMUNE_CODE in [mark.commune_code for mark in directory.marks(everyone)],
        "données ouvertes (CSV)": NAME in [row[0] for row in csv.reader(io.StringIO(open_data_csv), delimiter=";")],
        "données ouvertes (data·inclusion)": NAME in open_data.data_inclusion_json(published).decode(),
        "livret": NAME in livret_text,
    }


def shown_to_participants(village, holder, initiative) -> dict[str, bool]:
    """Each surface open to the village's participants: is the initiative on it?"""
    village_directory = directory.search(directory.DirectoryQuery(village=village.slug), for_participants=True)
    return {
        "annuaire du village": initiative.slug in [card.slug for card in village_directory.cards],
        "suggestions": suggestions._shown_version(holder, own=False) is not None,
    }


# (visibility the holder chose, moderation state) → (shown to everyone, shown to participants)
STATES = [
    (None, "pending", False, False),
    (None, "published", False, False),
    ("organisers", "published", False, False),
    ("participants", "pending", False, False),
    ("participants", "published", False, True),
    ("participants", "changes_pending", False, True),
    ("participants", "refused", False, False),
    ("public", "pending", False, False),
    ("public", "published", True, True),
    ("public", "changes_pending", True, True),
    ("public", "refused", False, False),
]


@pytest.mark.parametrize("visibility, state, everyone, participants", STATES)
def test_every_surface_agrees_with_the_rule(make_initiative, village, visibility, state, everyone, participants):
    holder, initiative = make_initiative(visibility, state)
    assert initiative.is_public is everyone
    found = shown_to_everyone(village, initiative)
    assert found == dict.fromkeys(found, everyone)
    assert shown_to_participants(village, holder, initiative) == {
        "annuaire du village": participants, "suggestions": participants,
    }


def test_a_withdrawn_consent_hides_the_initiative_everywhere(make_initiative, village):
    holder, initiative = make_initiative("public", "published")
    initiatives.withdraw_consent(initiative, actor="holder")
    db.session.commit()
    assert not any(shown_to_everyone(village, initiative).values())
    assert not any(shown_to_participants(village, holder, initiative).values())


def test_an_anonymised_initiative_is_shown_nowhere(make_initiative, village):
    holder, initiative = make_initiative("public", "published")
    initiatives.anonymise(initiative, actor="test")
    db.session.commit()
    assert not initiative.is_public
    assert not any(shown_to_everyone(village, initiative).values())
    assert not any(shown_to_participants(village, holder, initiative).values())


@pytest.mark.parametrize("audience", ["public", "participants"])
def test_the_rule_reads_the_same_in_python_and_in_sql(make_initiative, audience):
    made = [make_initiative(visibility, state)[1] for visibility, state, _, _ in STATES]
    in_sql = set(db.session.scalars(select(Initiative.id).where(Initiative.is_shown_to(audience))))
    assert in_sql == {initiative.id for initiative in made if initiative.is_shown_to(audience)}
