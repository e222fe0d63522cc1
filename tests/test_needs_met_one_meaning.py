"""« Obtenu » means one thing wherever needs are counted: a need whose follow-up says « obtenu »
is met; one « partiellement obtenu » is counted apart, neither met nor unmet — on the Suivi
page, in the report's « Suites » and in the observatory."""
import re

import pytest

from app.extensions import db
from app.services import followup, observatory, report
from tests.factories_followup import followed_village, person, thread_of
from tests.helpers import page_text

pytestmark = pytest.mark.usefixtures("app")
MET_AND_PARTLY = {"obtenu": 1, "partiellement obtenu": 1}


@pytest.fixture
def one_met_one_partly_met():
    """A porteur answers « obtenu » for one need; the team records another as partly met."""
    village = followed_village()
    epicerie, jardin = person(village, 0), person(village, 1)
    followup.answer(epicerie, thread_of(epicerie, "locaux").id, followup.Given("obtenu", None))
    followup.set_status(thread_of(jardin, "financement"), "partiel", "Une partie du budget seulement.",
                        "equipe@example.org")
    db.session.commit()
    return village


def test_the_suivi_page_counts_them_apart(organiser_client, one_met_one_partly_met):
    page = page_text(organiser_client.get(f"/organisation/suivi?village={one_met_one_partly_met.id}"))
    counted = {label.lower(): int(n) for label, n in re.findall(r"(Partiellement obtenu|Obtenu) (\d+)", page)}
    assert counted == MET_AND_PARTLY
    assert "Partiellement obtenus : besoins dont le suivi dit « partiellement obtenu » : comptés à part" in page


def test_the_reports_suites_counts_them_the_same(one_met_one_partly_met):
    table = report.build([one_met_one_partly_met]).table("suites_besoins")
    total = dict(zip(table.headers[1:], table.rows[-1][1:]))
    assert {"obtenu": total["Obtenus"], "partiellement obtenu": total["Partiellement obtenus"]} == MET_AND_PARTLY
    assert "Partiellement obtenus : besoins dont le suivi dit « partiellement obtenu »" in \
        table.caption.replace("\xa0", " ")


def test_the_observatory_counts_them_the_same(one_met_one_partly_met):
    found = observatory.build(observatory.period())
    needs = found.table("besoins")
    assert {"obtenu": sum(needs.column("Obtenus").values()),
            "partiellement obtenu": sum(needs.column("Partiellement obtenus").values())} == MET_AND_PARTLY
    key = dict(found.key_figures)
    assert {"obtenu": key["Besoins obtenus"], "partiellement obtenu": key["Besoins partiellement obtenus"]} \
        == MET_AND_PARTLY
    assert "Partiellement obtenus : besoins dont le suivi dit « partiellement obtenu »" in \
        needs.note.replace("\xa0", " ")
