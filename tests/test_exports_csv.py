"""The CSV export, read back as an organiser's spreadsheet would read it."""
import csv
import io
from datetime import datetime

from sqlalchemy import select

from app.documents.exports import FORMATS
from app.extensions import db
from app.models import Registration
from app.services import initiatives
from tests.factories import make_registration, make_village


def read_csv(village) -> tuple[bytes, list[dict[str, str]]]:
    output = io.BytesIO()
    FORMATS["csv"].write(village, output)
    raw = output.getvalue()
    text = raw.decode("utf-8-sig")
    return raw, list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def rows_by_last_name(village) -> dict[str, dict[str, str]]:
    _, rows = read_csv(village)
    return {row["Nom"]: row for row in rows}


def test_starts_with_a_bom_and_separates_with_semicolons(export_village):
    raw, _ = read_csv(export_village)

    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("N° d'inscription;Statut;Qualité;Nom;Prénom")


def test_lists_every_registration_by_last_name_whatever_the_status(export_village):
    _, rows = read_csv(export_village)

    assert [(row["Nom"], row["Statut"]) for row in rows] == [
        ("Abadie", "Confirmée"),
        ("Bernard", "Annulée"),
        ("Caron", "Liste d'attente"),
        ("Durand", "Confirmée"),
        ("Élan", "Confirmée"),
        ("Zidane", "Confirmée"),
    ]


def test_gives_the_porteur_s_initiative_fiche_and_logistics(export_village):
    helene = rows_by_last_name(export_village)["Durand"]

    assert helene | {
        "Prénom": "Hélène",
        "Qualité": "Porteuse d'initiative",
        "Structure": "Jardins partagés du Luberon",
        "Déjeuner": "Oui",
        "Régime alimentaire": "Végétarienne",
        "Accord photos": "Oui",
        "Accord actualités": "Non",
        "Initiative": "Les jardins du lien",
        "Résumé de l'initiative": "Un jardin partagé\nouvert aux familles.",
        "Mots-clés": "jardin; lien social",
        "Besoins d'appui": "Financement, Mise en réseau, partenariats",
        "Précisions sur les besoins": "Mise en réseau, partenariats : Trouver un local",
        "Stand souhaité": "Oui",
        "Table": "Oui",
        "Électricité": "Non",
    } == helene


def test_gives_role_specific_fields(export_village):
    eric = rows_by_last_name(export_village)["Élan"]

    assert (eric["Collectivité"], eric["Mandat"], eric["Initiative"]) == (
        "Commune d'Apt", "Adjoint aux solidarités", "",
    )


def test_shows_times_in_local_time(export_village):
    by_name = rows_by_last_name(export_village)

    assert by_name["Durand"]["Date d'inscription"] == "02/03/2026 09:15"
    assert by_name["Zidane"]["Date d'arrivée"] == "10/07/2026 09:05"
    assert by_name["Durand"]["Date d'arrivée"] == ""


def test_says_each_persons_role_as_they_asked_to_be_addressed(export_village):
    by_name = rows_by_last_name(export_village)

    assert by_name["Durand"]["Qualité"] == "Porteuse d'initiative"  # Madame
    assert by_name["Élan"]["Qualité"] == "Élu local"  # Monsieur
    assert by_name["Abadie"]["Qualité"] == "Institutionnel ou institutionnelle"  # not said


def test_marks_walk_ins(export_village):
    by_name = rows_by_last_name(export_village)

    assert by_name["Zidane"]["Inscription sur place"] == "Oui"
    assert by_name["Durand"]["Inscription sur place"] == "Non"


def test_neutralises_values_a_spreadsheet_would_run_as_formulas(export_village):
    for start in ("+33 6 00", "-2", "@SUM(A1)", "\tcmd"):
        make_registration(export_village, last_name="Zz", organisation=start)

    _, rows = read_csv(export_village)
    structures = {row["Structure"] for row in rows}

    assert "'=HYPERLINK(\"http://mal.example\")" in structures
    assert {"'+33 6 00", "'-2", "'@SUM(A1)", "'\tcmd"} <= structures


def test_a_village_without_registrations_gives_the_header_only(app):
    raw, rows = read_csv(make_village())

    assert rows == []
    assert raw.decode("utf-8-sig").count("\n") == 1


def test_leaves_out_anonymised_registrations(export_village):
    make_registration(export_village, last_name="Anonyme", anonymised_at=datetime(2026, 1, 1))

    assert "Anonyme" not in rows_by_last_name(export_village)


def test_gives_the_fiche_as_its_holder_last_wrote_it(export_village):
    holder = db.session.scalar(select(Registration).where(Registration.last_name == "Durand"))
    initiatives.approve(holder.initiative, actor="test")
    initiatives.edit(holder.initiative, {"name": "Les jardins du lien, deuxième saison"}, actor="participant")
    db.session.commit()

    assert rows_by_last_name(export_village)["Durand"]["Initiative"] == "Les jardins du lien, deuxième saison"
