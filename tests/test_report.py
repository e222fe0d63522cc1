"""The report of a village, and of several: every figure counted from the registrations, the same
on the page, in the PDF and in the spreadsheet; small numbers hidden in the version for outsiders."""
import io
from collections import Counter
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.figures import HIDDEN
from app.documents.report import sheet_name, write_pdf, write_xlsx
from app.extensions import db
from app.models import Registration, Role, SupportOffer
from app.reference import departements
from app.services import report
from tests.factories import make_registration, make_village
from tests.factories_report import held_village, present


def counted_from_database(village) -> dict[str, Counter]:
    """Counted the plain way, one registration at a time: the figures the report must give."""
    counts = {role.label: Counter() for role in Role}
    for r in db.session.scalars(select(Registration).where(Registration.village_id == village.id)):
        c = counts[Role(r.role).label]
        confirmed = r.status == "confirmed"
        c["Inscrits"] += confirmed and not r.is_walk_in
        c["Présents"] += confirmed and r.checked_in_at is not None
        c["Absents"] += confirmed and not r.is_walk_in and r.checked_in_at is None
        c["Venus sans inscription"] += confirmed and r.is_walk_in and r.checked_in_at is not None
        c["Liste d'attente"] += r.status == "waitlisted"
        c["Annulations"] += r.status == "cancelled"
        c["Déjeuners"] += confirmed and r.lunch and (not r.is_walk_in or r.checked_in_at is not None)
    return counts


def rows_as_dicts(headers, rows) -> dict[str, dict]:
    return {row[0]: dict(zip(headers[1:], row[1:])) for row in rows}


def test_attendance_by_role_matches_a_count_from_the_database(app):
    village = held_village()
    table = report.build([village]).table("presence")
    found = rows_as_dicts(table.headers, table.rows)
    for role, expected in counted_from_database(village).items():
        assert found[role] == {h: expected[h] for h in table.headers[1:]}
    assert found["Total"]["Inscrits"] == 9 and found["Total"]["Présents"] == 8


def test_key_figures_sum_the_village(app):
    figures = dict(report.build([held_village()]).key_figures)
    assert figures == {"Inscrits": 9, "Présents": 8, "Venus sans inscription": 1, "Liste d'attente": 1,
                       "Déjeuners": 6, "Initiatives": 5}


def test_arrivals_are_counted_by_local_hour(app):
    rows = {label.replace("\u00a0", " "): n for label, n in report.build([held_village()]).table("arrivees").rows}
    assert rows == {"Avant 8 h": 0, "8 h": 0, "9 h": 4, "10 h": 2, "11 h": 1, "12 h": 0, "13 h": 0, "14 h": 1,
                    "15 h": 0, "16 h": 0, "17 h": 0, "18 h et après": 0, "Total": 8}


def test_communes_are_grouped_whatever_their_spelling(app):
    rows = rows_as_dicts(*_table(held_village(), "communes"))
    assert rows["Sisteron (04)"] == {"Inscrits": 3, "Présents": 4}  # one came without registering
    assert rows["Non renseigné"] == {"Inscrits": 1, "Présents": 1}
    assert rows["Total"] == {"Inscrits": 9, "Présents": 8}


def _table(village, key):
    table = report.build([village]).table(key)
    return table.headers, table.rows


def test_departements_come_from_the_postcode(app):
    rows = rows_as_dicts(*_table(held_village(), "departements"))
    assert rows["Alpes-de-Haute-Provence (04)"] == {"Inscrits": 6, "Présents": 7}
    assert rows["Bouches-du-Rhône (13)"] == {"Inscrits": 1, "Présents": 0}
    assert list(rows)[-2:] == ["Non renseigné", "Total"]


@pytest.mark.parametrize("postcode, code", [("04200", "04"), ("20090", "2A"), ("20600", "2B"), ("97400", "974"),
                                            ("4200", None), ("ABCDE", None), (None, None)])
def test_departement_of_a_postcode(postcode, code):
    assert departements.code_of(postcode) == code


def test_support_needs_are_counted_per_initiative(app):
    rows = dict(report.build([held_village()]).table("besoins").rows)
    assert rows["Financement"] == 3
    assert rows["Formation"] == 1
    assert rows["Évaluation"] == 0


def test_needs_are_crossed_with_the_thematique(app):
    table = report.build([held_village()]).table("besoins_thematiques")
    assert table.headers == ["Besoin", "Alimentation", "Démocratie et citoyenneté",
                             "Environnement, transition écologique", "Santé"]
    assert rows_as_dicts(table.headers, table.rows)["Financement"] == {
        "Alimentation": 2, "Démocratie et citoyenneté": 1, "Environnement, transition écologique": 1, "Santé": 0}


def test_needs_are_crossed_with_the_departement_where_the_initiative_acts(app):
    table = report.build([held_village()]).table("besoins_departements")
    assert table.headers == ["Besoin", "Alpes-de-Haute-Provence (04)", "Hautes-Alpes (05)"]
    # The Jardin gives no commune: its holder's postcode (04200) says where it is.
    assert rows_as_dicts(table.headers, table.rows)["Financement"] == {
        "Alpes-de-Haute-Provence (04)": 2, "Hautes-Alpes (05)": 1}


def test_initiatives_by_thematique_stage_and_territory(app):
    built = report.build([held_village()])
    assert dict(built.table("thematiques").rows)["Alimentation"] == 2
    assert dict(built.table("stades").rows) == {"En cours": 3, "En projet": 2}
    assert dict(built.table("territoires").rows) == {"Alpes-de-Haute-Provence (04)": 4, "Hautes-Alpes (05)": 1}
    assert dict(built.table("publics").rows) == {"Non renseigné": 5}


def test_the_holders_words_are_grouped_under_each_need(app):
    details = report.build([held_village()]).need_details
    assert details["Financement"] == ["Choisir des statuts.", "Un local plus grand."]
    assert "Bénévoles" not in details  # the holder needing volunteers wrote nothing


def test_an_initiative_presented_before_is_not_new(app):
    earlier = held_village(days_ago=200)
    later = held_village(days_ago=10)
    assert dict(report.build([earlier]).table("nouvelles").rows)["Nouvelles"] == 5
    rows = dict(report.build([later]).table("nouvelles").rows)
    assert rows == {"Nouvelles": 0, "Déjà présentées à un village précédent": 5, "Total": 5}


def test_the_consolidated_report_adds_the_villages_up(app):
    first, second = held_village(days_ago=30), held_village(days_ago=10)
    built = report.build([first, second])
    assert dict(built.key_figures)["Présents"] == 16
    assert [row[0][:8] for row in built.table("villages").rows] == ["Sisteron", "Sisteron", "Total"]


def test_villages_of_a_year(app):
    make_village(day=date(2025, 5, 2), slug="mai-2025")
    make_village(day=date(2026, 5, 2), slug="mai-2026")
    assert [v.slug for v in report.villages_of_year(2025)] == ["mai-2025"]


def test_the_consolidated_report_counts_each_initiative_once_and_its_presentations(app):
    first, second = held_village(days_ago=30), held_village(days_ago=10)  # the same five initiatives
    built = report.build([first, second])
    figures = dict(built.key_figures)
    assert (figures["Initiatives"], figures["Présentations"]) == (5, 10)
    assert dict(built.table("stades").rows) == {"En cours": 3, "En projet": 2}
    assert list(built.table("villages").column("Présentations").values()) == [5, 5, 10]
    assert "Présentations\u00a0: venues d'une initiative à un village" in built.table("villages").caption


def test_the_outsiders_version_shows_no_count_below_three(app):
    outsiders = report.build([held_village()], for_outsiders=True)
    shown = [v for t in outsiders.tables for row in t.rows for v in row[1:]] + [v for _, v in outsiders.key_figures]
    assert HIDDEN in shown
    assert [v for v in shown if v in (1, 2)] == []
    assert report.build([held_village(days_ago=40)]).table("presence").rows[1][2] == 2  # the team's version


def test_every_table_says_what_its_words_count(app):
    built = report.build([held_village()])
    assert "Absents\u00a0: inscrits qui n'ont pas été accueillis à l'entrée." in built.table("presence").caption
    assert "Présents\u00a0: personnes accueillies à l'entrée" in built.table("communes").caption
    assert "Présents\u00a0: personnes accueillies" in built.key_caption


def pdf_text(content: bytes) -> str:
    """The words of the PDF, one space apart (table cells come out one per line)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_pdf_shows_the_figures_of_the_database(app):
    village = held_village()
    buffer = io.BytesIO()
    with app.test_request_context():
        write_pdf(report.build([village]), buffer)
    text = pdf_text(buffer.getvalue())
    porteurs = counted_from_database(village)["Porteur ou porteuse d'initiative"]
    figures = " ".join(str(porteurs[h]) for h in report.ATTENDANCE_HEADERS[1:])
    assert f"Porteur ou porteuse d'initiative {figures}" in text
    assert village.name in text and "Note de méthode" in text


def test_the_outsiders_pdf_shows_no_small_count(app):
    buffer = io.BytesIO()
    with app.test_request_context():
        write_pdf(report.build([held_village()], for_outsiders=True), buffer)
    text = pdf_text(buffer.getvalue())
    assert "Version destinée à la diffusion" in text and "règle du seuil" in text
    assert "Institutionnel ou institutionnelle masqué masqué masqué 0 0 0 masqué" in text


def test_the_pdf_has_the_map_of_communes_with_its_figures(app):
    buffer = io.BytesIO()
    with app.test_request_context():
        write_pdf(report.build([held_village()]), buffer)
    text = pdf_text(buffer.getvalue())
    assert "Carte des communes des participants" in text
    # Sisteron: two porteurs, one walk-in (« sisteron »), one élu; Digne-les-Bains: two institutionnels.
    assert "Sisteron (04) 3 4" in text and "Digne-les-Bains (04) 2 2" in text
    assert "la colonne Présents du tableau par commune" in text


def test_the_outsiders_map_places_no_commune_whose_count_is_hidden(app):
    outsiders = report.build([held_village()], for_outsiders=True)
    assert set(outsiders.table("communes").column("Présents").values()) == {HIDDEN}
    assert report.commune_marks(outsiders) == []
    buffer = io.BytesIO()
    with app.test_request_context():
        write_pdf(outsiders, buffer)
    text = pdf_text(buffer.getvalue())
    assert "Digne-les-Bains (04) masqué masqué" in text and "Digne-les-Bains (04) 2" not in text
    assert "Carte des communes des participants" not in text


def test_the_spreadsheet_has_one_sheet_per_table_with_the_database_figures(app):
    village = held_village()
    built = report.build([village])
    buffer = io.BytesIO()
    write_xlsx(built, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    taken = {"présentation"}
    assert [sheet_name(t.title, taken) for t in built.tables] == workbook.sheetnames[1:len(built.tables) + 1]
    assert "Mise en lien - demandes" in workbook.sheetnames  # Excel forbids « : » in a name; cut between words
    sheet = workbook["Participation par rôle"]
    rows = [list(r) for r in sheet.iter_rows(min_row=1, max_row=6, values_only=True)]
    found = rows_as_dicts(rows[0], rows[1:])
    for role, expected in counted_from_database(village).items():
        assert found[role] == {h: expected[h] for h in rows[0][1:]}


def test_a_village_without_registrations_gives_an_empty_report(app):
    built = report.build([make_village()])
    assert dict(built.key_figures)["Inscrits"] == 0
    buffer = io.BytesIO()
    with app.test_request_context():
        write_pdf(built, buffer)
    assert buffer.getvalue().startswith(b"%PDF")


def test_a_text_starting_with_equals_stays_text_in_the_spreadsheet(app):
    village = make_village()
    registration = make_registration(village, role=Role.PORTEUR)
    present(registration, "=HYPERLINK(1)", [], "en_cours", {"financement": "=2+2"}, None)
    db.session.commit()
    buffer = io.BytesIO()
    write_xlsx(report.build([village]), buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Besoins – en détail"]
    assert sheet["B2"].value == "=2+2" and sheet["B2"].data_type == "s"


def test_needs_no_participant_of_the_village_offered_are_uncovered(app):
    table = report.build([held_village()]).table("non_couverts")
    rows = rows_as_dicts(table.headers, table.rows)
    # An institution offers funding, an élu communication: the other needs found nobody.
    assert rows["Financement"] == {"Initiatives exprimant le besoin": 3, "Participants offrant cet appui": 1,
                                   "Initiatives sans aucune offre au même village": 0}
    assert rows["Locaux, matériel"]["Initiatives sans aucune offre au même village"] == 1
    assert "Évaluation" not in rows  # nobody needs it
    assert table.rows[-1][0] in ("Communication, visibilité", "Financement")  # covered needs come last


def test_an_offer_at_another_village_does_not_cover_a_need(app):
    first = held_village(days_ago=40)  # its institution offers funding
    second = make_village(day=date.today() - timedelta(days=10), slug="plus-tard")
    present(make_registration(second, role=Role.PORTEUR), "Recyclerie du Jabron", [], "en_projet",
            {"financement": ""}, None)
    db.session.commit()
    rows = rows_as_dicts(*(lambda t: (t.headers, t.rows))(report.build([first, second]).table("non_couverts")))
    assert rows["Financement"]["Initiatives exprimant le besoin"] == 4
    assert rows["Financement"]["Initiatives sans aucune offre au même village"] == 1


def test_meetings_requested_accepted_held_and_their_outcomes(app):
    built = report.build([held_village()])
    assert dict(built.table("rendez_vous").rows) == {
        "Demandes de rendez-vous": 2, "En attente de réponse": 0, "Acceptée": 1, "Déclinée": 1, "Expirée": 0,
        "Retirée (inscription annulée)": 0,
        "Rendez-vous dont le déroulement est connu": 1, "Rendez-vous tenus": 1}
    outcomes = dict(built.table("suites").rows)
    assert outcomes["Une orientation vers un dispositif d'appui"] == 1
    assert outcomes["Un essaimage de l'initiative"] == 0


def test_every_report_file_format_has_a_writer():
    from app.documents.report import REPORT_FORMATS
    from app.services.report import FILE_FORMATS

    assert set(REPORT_FORMATS) == set(FILE_FORMATS)
