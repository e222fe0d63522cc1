"""The demo's observatory over two years (Forcalquier a year ago, its needs followed up at one,
three and six months; Manosque weeks ago): the same numbers on the organisers' page, in the
spreadsheet, in the PDF, and — small counts hidden — on the public page and in its CSV."""
import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.observatory import SHEETS, write_pdf, write_xlsx
from app.extensions import db
from app.models import NeedThread, NeedThreadStep, Village
from app.demo import data as demo_data, last_year as demo_last_year, matching as demo_matching, past as demo_past
from app.services import observatory

TODAY = date(2026, 12, 1)


@pytest.fixture
def demo(app):
    for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load):
        load()
    demo_last_year.load(today=TODAY)
    demo_past.load(today=TODAY)
    return observatory.build(observatory.period())


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Each section's table as the page shows it: its rows, label then figures."""
    found = {}
    for key, body in re.findall(r'<section class="card report-section" id="(\w+)".*?<tbody>(.*?)</tbody>', html, re.S):
        found[key] = [[unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
                      for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return found


def shown_rows(built: observatory.Observatory, key: str) -> list[list[str]]:
    return [[row[0], *map(str, row[1:])] for row in built.table(key).rows]


def test_the_demo_village_of_a_year_ago_was_held_on_a_working_day(demo):
    village = db.session.scalar(select(Village).where(Village.slug == demo_last_year.SLUG))
    assert village.day == date(2025, 12, 1) and demo_data.is_working_day(village.day)


def test_the_demos_follow_ups_were_answered_at_one_three_and_six_months(demo):
    village = db.session.scalar(select(Village).where(Village.slug == demo_last_year.SLUG))
    months = {(step.at.date() - village.day).days // 30 for step in db.session.scalars(
        select(NeedThreadStep).where(NeedThreadStep.answer.is_not(None) | NeedThreadStep.organiser_email.is_not(None)))}
    assert months == {1, 3, 6}
    assert [r.sent_at is not None for r in village.followup_rounds] == [True, True, True]


def test_the_demo_shows_two_years_with_needs_met_and_returning_initiatives(demo):
    by_year = {row[0]: row[1:] for row in demo.table("annees").rows}
    assert by_year == {"2025": [1, 7, 7, 0], "2026": [1, 5, 2, 3]}
    figures = dict(demo.key_figures)
    assert figures["Besoins obtenus"] == len(db.session.scalars(
        select(NeedThread).where(NeedThread.status == "obtenu")).all()) == 4


def test_the_organisers_page_shows_the_same_numbers(demo, organiser_client):
    tables = page_tables(organiser_client.get("/organisation/observatoire").get_data(as_text=True))
    for table in demo.tables:
        assert tables[table.key] == shown_rows(demo, table.key), table.key


def test_the_spreadsheet_shows_the_same_numbers(demo):
    buffer = io.BytesIO()
    write_xlsx(demo, buffer)
    workbook = load_workbook(buffer)
    for table in demo.tables:
        sheet = workbook[SHEETS[table.key]]
        written = [[str(int(v) if isinstance(v, float) else v) for v in row] for row in sheet.iter_rows(min_row=3, max_row=len(table.rows) + 2,
                                                                    values_only=True)]
        assert written == shown_rows(demo, table.key), table.key


def test_the_pdf_shows_the_same_numbers(demo):
    buffer = io.BytesIO()
    write_pdf(demo, buffer)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(buffer).pages)
    for table in demo.tables:
        for row in shown_rows(demo, table.key):
            assert " ".join(row) in text, (table.key, row)
    for label, value in demo.key_figures:
        assert f"{label} {value}" in text


def test_the_public_page_and_its_csv_show_the_same_numbers_small_ones_hidden(demo, client):
    public = observatory.build(demo.period, for_public=True)
    tables = page_tables(client.get("/observatoire").get_data(as_text=True))
    lines = list(csv.DictReader(io.StringIO(client.get("/observatoire.csv").get_data(as_text=True).lstrip("\ufeff")),
                                delimiter=";"))
    for table in public.tables:
        assert tables[table.key] == shown_rows(public, table.key), table.key
        from_csv = {(line["ligne"], line["colonne"]): line["valeur"] for line in lines if line["tableau"] == table.key}
        assert from_csv == {(row[0], header): value for row in shown_rows(public, table.key)
                            for header, value in zip(table.headers[1:], row[1:])}, table.key
    assert any(line["valeur"] == "masqué" for line in lines)
    exact = {(t.key, row[0], h): v for t in demo.tables for row in t.rows for h, v in zip(t.headers[1:], row[1:])}
    assert all(line["valeur"] in (str(exact[(line["tableau"], line["ligne"], line["colonne"])]), "masqué")
               for line in lines)


def test_no_hidden_count_of_the_public_version_can_be_worked_out(demo):
    from app.services import report
    from tests.test_disclosure import assert_protected

    public = observatory.build(demo.period, for_public=True)
    values, hidden = {}, set()
    figures = [("chiffres_cles", [[label, value] for label, value in demo.key_figures],
                [[label, value] for label, value in public.key_figures], [""])]
    tables = [(t.key, t.rows, public.table(t.key).rows, t.headers[1:]) for t in demo.tables]
    for key, exact_rows, public_rows, headers in tables + figures:
        published = {row[0]: row for row in public_rows}  # the public version orders by label
        for row in exact_rows:
            for header, value, shown in zip(headers, row[1:], published[row[0]][1:]):
                if header != "Villages tenus" and row[0] != "Villages tenus":  # villages count no one: shown
                    values[(key, row[0], header)] = value
                    hidden |= {(key, row[0], header)} if shown == "masqué" else set()
                    assert shown in (value, "masqué")
    declared = [({cell: coefficient for cell, coefficient in r.terms}, r.bound, r.exact)
                for r in [*observatory._relations(demo), *(r for t in demo.tables for r in report.known_relations(t))]]
    assert hidden and len(hidden) > len([v for v in values.values() if v in (1, 2)])
    assert_protected(values, hidden, declared)
