"""Every figure of every surface of a report agrees: the back-office page, the PDF, the
spreadsheet, the charts and the map, for the demo's past village (Manosque) and for a generated
village of 2,000 people; and they are the counts written here in SQL, straight from the database."""
import io
import random
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import and_, func, insert, select

from app.demo import data as demo_data, matching as demo_matching, past as demo_past
from app.documents.charts import HIDDEN_MARK, chart_for, heatmap_grid, to_svg
from app.documents.figures import HIDDEN, NOT_GIVEN, TOTAL
from app.documents.report import pdf_rows, write_pdf, write_xlsx
from app.extensions import db
from app.models import (
    Initiative, InitiativePresentation, InitiativeVersion, Registration, RegistrationStatus, Role, Village,
)
from app.services import report

CONFIRMED = Registration.status == RegistrationStatus.CONFIRMED
PRESENT = and_(CONFIRMED, Registration.checked_in_at.is_not(None))


# --- The villages ------------------------------------------------------------------------------

def demo_village() -> Village:
    for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load):
        load()
    demo_past.load(today=date(2026, 12, 1))
    return db.session.scalar(select(Village).where(Village.slug == demo_past.SLUG))


# (commune, postcode): real communes, and people who gave none.
DEPARTEMENT_OF = {"Manosque": "04"}  # the demo's walk-ins give their commune, not their postcode
PLACES = [("Sisteron", "04200"), ("Manosque", "04100"), ("Digne-les-Bains", "04000"), ("Gap", "05000"),
          ("Avignon", "84000"), ("Draguignan", "83300"), ("Forcalquier", "04300"), ("", None)]


def generated_village(people: int = 2000) -> Village:
    """2,000 people of every role and status: most came, some walked in, arrivals over the day,
    a tenth gave no commune; a fifth of the porteurs present an initiative."""
    rng = random.Random(22)
    village = Village(slug="grand-village", name="Village des initiatives solidaires – Grand village", town="Avignon",
                      venue="Parc des expositions", address="Chemin des Félons, 84000 Avignon",
                      day=date(2026, 10, 6), starts_at=datetime.min.time().replace(hour=9),
                      ends_at=datetime.min.time().replace(hour=17), capacity=3000)
    db.session.add(village)
    db.session.flush()
    statuses = [RegistrationStatus.CONFIRMED] * 8 + [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED]
    rows = []
    for n in range(people):
        commune, postcode = PLACES[n % len(PLACES)] if rng.random() < 0.9 else ("", None)
        walk_in = rng.random() < 0.05
        came = walk_in or rng.random() < 0.75
        rows.append(dict(
            village_id=village.id, role=list(Role)[n % 4], status=RegistrationStatus.CONFIRMED if walk_in
            else rng.choice(statuses), first_name="Camille", last_name=f"Nom{n}", email=f"p{n}@example.org",
            commune=commune, postcode=postcode, lunch=rng.random() < 0.6, is_walk_in=walk_in,
            checked_in_at=datetime(2026, 10, 6, 5) + timedelta(minutes=rng.randrange(12 * 60)) if came else None,
            badge_code=f"b{n}", manage_token=f"m{n}",
        ))
    db.session.execute(insert(Registration), rows)
    porteurs = db.session.scalars(select(Registration.id).where(
        Registration.village_id == village.id, Registration.role == Role.PORTEUR).order_by(Registration.id)).all()
    chosen = porteurs[::5]
    db.session.execute(insert(Initiative), [dict(id=n + 1, slug=f"initiative-{n}", holder_email=f"h{n}@example.org",
                                                 current_number=1) for n in range(len(chosen))])
    db.session.execute(insert(InitiativeVersion), [
        dict(id=n + 1, initiative_id=n + 1, number=1, author="test", name=f"Initiative {n}", stage="en_cours",
             thematiques=["alimentation"], publics=[], departement_code="84", support_needs=["financement"])
        for n in range(len(chosen))])
    db.session.execute(insert(InitiativePresentation), [
        dict(initiative_id=n + 1, village_id=village.id, registration_id=registration_id, version_id=n + 1)
        for n, registration_id in enumerate(chosen)])
    db.session.commit()
    return village


# --- The figures, counted in SQL here ----------------------------------------------------------

def counted_in_sql(village) -> dict:
    """The report's words, counted straight from the tables (the definitions under the report's tables)."""
    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.village_id == village.id, *conditions))

    registered = and_(CONFIRMED, Registration.is_walk_in.is_(False))
    figures = {
        "Inscrits": count(registered),
        "Présents": count(PRESENT),
        "Absents": count(registered, Registration.checked_in_at.is_(None)),
        "Venus sans inscription": count(PRESENT, Registration.is_walk_in.is_(True)),
        "Liste d'attente": count(Registration.status == RegistrationStatus.WAITLISTED),
        "Déjeuners": count(CONFIRMED, Registration.lunch.is_(True),
                           (Registration.is_walk_in.is_(False)) | Registration.checked_in_at.is_not(None)),
        "Initiatives": db.session.scalar(
            select(func.count(func.distinct(InitiativePresentation.initiative_id)))
            .join(Registration, InitiativePresentation.registration_id == Registration.id)
            .where(InitiativePresentation.village_id == village.id, CONFIRMED)),
    }
    by_role = {}
    for role in Role:
        by_role[role.label] = [count(registered, Registration.role == role), count(PRESENT, Registration.role == role)]
    figures["by role"] = by_role
    # Every place of these villages is a real commune named with its postcode, a commune alone, or nothing.
    by_departement = Counter()
    for commune, postcode, n in db.session.execute(
        select(Registration.commune, Registration.postcode, func.count())
        .where(Registration.village_id == village.id, PRESENT).group_by(Registration.commune, Registration.postcode)
    ):
        by_departement[postcode[:2] if postcode else DEPARTEMENT_OF.get(commune)] += n
    figures["présents by département code"] = by_departement
    figures["présents by commune"] = dict(db.session.execute(
        select(Registration.commune, func.count()).where(Registration.village_id == village.id, PRESENT)
        .group_by(Registration.commune)).all())
    zone = ZoneInfo("Europe/Paris")
    arrivals = db.session.scalars(select(Registration.checked_in_at).where(Registration.village_id == village.id,
                                                                          PRESENT)).all()
    figures["arrivals by hour"] = Counter(
        min(max(moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).hour, 7), 18) for moment in arrivals)
    return figures


# --- Reading each surface back -----------------------------------------------------------------

class ReportPage(HTMLParser):
    """The tables of the report page by section id, and its key figures, as text."""

    def __init__(self):
        super().__init__()
        self.section, self.tables, self.key_figures = None, defaultdict(list), []
        self.row, self.cell, self.in_key_figures = None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "id" in attrs:
            self.section = attrs["id"]
        elif tag == "table" and "counts" in (attrs.get("class") or ""):
            self.tables[self.section] = []
        elif tag == "tr" and self.section in self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "ul" and "key-figures" in (attrs.get("class") or ""):
            self.in_key_figures = True
        elif tag == "li" and self.in_key_figures:
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.section].append(self.row)
            self.row = None
        elif tag == "li" and self.in_key_figures:
            self.key_figures.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "ul":
            self.in_key_figures = False


def words(text: str) -> str:
    return " ".join(str(text).split())


def as_text(row) -> list[str]:
    # A spreadsheet keeps numbers as floating point: 5.0 is shown 5.
    return [words(int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]


def pdf_text(content: bytes) -> str:
    return words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def chart_figures(table) -> list[str]:
    """The counts written on a table's chart, in the order drawn."""
    svg = to_svg(chart_for(table))
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.isdigit() or t == HIDDEN_MARK]


def drawn_in_order(table) -> list[str]:
    """What the chart must write: each row's counts (a bar chart: inscrits and présents; a heatmap:
    its grid, turned when wider than long), a hidden one as the mark its legend explains."""
    from app.documents.charts import charted_columns

    if table.chart == "heatmap":
        headers, rows = heatmap_grid(table)
        cells = [value for row in rows for value in row[1:]]
    else:
        columns = charted_columns(table) if table.chart == "bars" else range(1, len(table.headers))
        cells = [row[c] for row in table.body for c in columns]
    return [HIDDEN_MARK if value == HIDDEN else str(value) for value in cells]


def assert_every_surface_shows_the_report(client, village, built, for_outsiders: bool):
    version = "?version=diffusion" if for_outsiders else ""
    page = ReportPage()
    page.feed(client.get(f"/organisation/villages/{village.id}/bilan{version}").get_data(as_text=True))
    pdf, xlsx = io.BytesIO(), io.BytesIO()
    write_pdf(built, pdf)
    write_xlsx(built, xlsx)
    text = pdf_text(pdf.getvalue())
    workbook = load_workbook(io.BytesIO(xlsx.getvalue()))
    sheets = {name.lower(): sheet for name, sheet in zip(workbook.sheetnames, workbook.worksheets)}
    presentation = [words(row[0]) for row in workbook.worksheets[0].iter_rows(values_only=True) if row[0]]
    assert [words(f) for f in page.key_figures] == [words(f"{value} {label.lower()}") for label, value in
                                                     built.key_figures]
    for label, value in built.key_figures:
        assert f"{label} {value}" in text  # the PDF's cover
        assert words(f"{label}\u00a0: {value}") in presentation
    from app.documents.report import sheet_name

    taken = {"présentation"}
    for table in built.tables:
        expected = [as_text(table.headers)] + [as_text(row) for row in table.rows]
        assert page.tables.get(table.key, [as_text(table.headers)]) == expected, table.key
        sheet = sheets[sheet_name(table.title, taken).lower()]
        in_sheet = [as_text(row) for row in sheet.iter_rows(min_row=1, max_row=len(table.rows) + 1, values_only=True)]
        assert in_sheet == expected, table.key
        for row in pdf_rows(table)[1]:
            assert " ".join(as_text(row)) in text, (table.key, row)
        if table.body and table.chart in ("bars", "hours", "heatmap"):
            assert chart_figures(table) == drawn_in_order(table), table.key
        assert words(built.caption(table)) in text, table.key
    marks = {f"{m.commune_name} ({m.departement})": m.count for m in report.commune_marks(built)}
    present = built.table("communes").column("Présents")
    assert marks == {label: n for label, n in present.items()
                     if label in built.places and isinstance(n, int) and n > 0}


def assert_the_report_tells_the_sql_counts(built, counted):
    figures = dict(built.key_figures)
    for word in ("Inscrits", "Présents", "Venus sans inscription", "Liste d'attente", "Déjeuners", "Initiatives"):
        assert figures[word] == counted[word], word
    presence = built.table("presence")
    assert presence.column("Absents")[TOTAL] == counted["Absents"]
    for role, (registered, present) in counted["by role"].items():
        assert (presence.column("Inscrits")[role], presence.column("Présents")[role]) == (registered, present)
    total = counted["Présents"]
    # The same présents in every table, and a commune's never above its département's.
    for key, header in (("arrivees", "Arrivées"), ("departements", "Présents"), ("communes", "Présents")):
        column = built.table(key).column(header)
        assert column[TOTAL] == total and sum(n for label, n in column.items() if label != TOTAL) == total, key
    by_departement = built.table("departements").column("Présents")
    for code, n in counted["présents by département code"].items():
        label = NOT_GIVEN if code is None else next(d for d in by_departement if d.endswith(f"({code})"))
        assert by_departement[label] == n
    by_commune = built.table("communes").column("Présents")
    for commune, n in counted["présents by commune"].items():
        label = NOT_GIVEN if not commune else next(c for c in by_commune if c.startswith(f"{commune} ("))
        assert by_commune[label] == n
        if commune:
            assert n <= by_departement[next(d for d in by_departement if d.endswith(label[-4:]))]
    hours = built.table("arrivees").body
    assert [n for _, n in hours] == [counted["arrivals by hour"][hour] for hour in range(7, 19)]


@pytest.mark.parametrize("make", [demo_village, generated_village], ids=["manosque", "2000-people"])
def test_every_surface_of_the_report_shows_the_database_counts(organiser_client, make):
    village = make()
    counted = counted_in_sql(village)
    with organiser_client.application.test_request_context():
        built = report.build([village])
        assert_the_report_tells_the_sql_counts(built, counted)
        assert_every_surface_shows_the_report(organiser_client, village, built, for_outsiders=False)


@pytest.mark.parametrize("make", [demo_village, generated_village], ids=["manosque", "2000-people"])
def test_every_surface_of_the_diffusion_version_shows_the_same_masked_figures(organiser_client, make):
    village = make()
    with organiser_client.application.test_request_context():
        built = report.build([village], for_outsiders=True)
        assert_every_surface_shows_the_report(organiser_client, village, built, for_outsiders=True)
        exact = report.build([village])
    shown = {(t.key, row[0]): row[1:] for t in built.tables for row in t.rows}
    for table in exact.tables:
        for row in table.rows:
            for value, published in zip(row[1:], shown[(table.key, row[0])]):
                assert published in (value, HIDDEN)
                assert not (published == value and 0 < value < 3)
