"""Personal data and « mise en lien »: the download holds what the person stated and did for
meetings; erasure removes the texts and names but keeps what the funders' report counts."""
import json
from datetime import date, timedelta, time

import pytest

from app.extensions import db
from app.models import MatchingProfile, MeetingRequest
from app.services import matching_profiles, meeting_requests, privacy, scheduling
from app.timeutil import utcnow
from tests.factories import make_village
from tests.factories_matching import make_area, make_institution, make_porteur


@pytest.fixture
def after_a_meeting(app):
    """A village three days ago: a porteur met the CAF and said what came of it; an élu's
    request to the porteur was declined."""
    village = make_village(town="Avignon", day=date.today() - timedelta(days=3))
    make_area(village)
    caf = make_institution(village)
    porteur = make_porteur(village)
    porteur.matching_profile = MatchingProfile(comes_for="Trouver un local pour le café de Mme Garcia",
                                               available_from=time(10, 20))
    elu = make_institution(village, email="elu@example.org", organisation="Ville d'Avignon")
    before = utcnow() - timedelta(days=10)  # asked and answered before the village
    meeting = meeting_requests.accept(
        meeting_requests.ask(porteur, caf, "appui", "Bonjour, ici Inès du café des parents", now=before), caf,
        now=before)
    meeting_requests.decline(meeting_requests.ask(elu, porteur, "partage", "Je connais votre quartier", now=before),
                             porteur, now=before)
    scheduling.close_requests(village, "o")
    scheduling.build(village, "o")
    matching_profiles.record_outcome(meeting, porteur, True, ["orientation"], "Dossier CAF avant mars, voir Mme Garcia")
    db.session.commit()
    return village, porteur, caf, elu


def test_the_download_holds_offers_wishes_requests_meetings_and_outcomes(after_a_meeting):
    village, porteur, caf, elu = after_a_meeting
    data = json.loads(json.dumps(privacy.personal_data(porteur)))["mise_en_lien"]
    assert data["preferences"]["ce_que_je_viens_chercher"] == "Trouver un local pour le café de Mme Garcia"
    assert data["preferences"]["disponible_de"] == "10:20"
    [sent] = data["demandes_envoyees"]
    assert (sent["avec"], sent["message"], sent["etat"]) == \
        (caf.full_name, "Bonjour, ici Inès du café des parents", "Acceptée")
    [received] = data["demandes_recues"]
    assert (received["avec"], received["message"], received["etat"]) == \
        (elu.full_name, "Je connais votre quartier", "Déclinée")
    [meeting] = data["rendez_vous"]
    assert (meeting["avec"], meeting["heure"], meeting["table"]) == (caf.full_name, "10:20", "Table 1")
    assert meeting["suites"] == ["Une orientation vers un dispositif d'appui"]
    assert meeting["precisions"] == "Dossier CAF avant mars, voir Mme Garcia"


def test_an_institution_s_download_holds_its_offers(after_a_meeting):
    village, porteur, caf, elu = after_a_meeting
    [offer] = privacy.personal_data(caf)["mise_en_lien"]["appuis_proposes"]
    assert (offer["category"], offer["kind"], offer["details"]) == ("financement", "subvention",
                                                                    "Appel à projets familles")


def test_erasure_removes_the_texts_and_names_of_meetings(after_a_meeting):
    village, porteur, caf, elu = after_a_meeting
    caf_name = caf.full_name
    privacy.erase(porteur, actor="participant")
    privacy.erase(caf, actor="participant")
    db.session.commit()
    db.session.expire_all()
    exported = json.dumps(privacy.personal_data(porteur), ensure_ascii=False)
    for clue in ("Garcia", "Inès", caf_name, "quartier", "Dossier CAF", "Appel à projets"):
        assert clue not in exported
    assert {r.message for r in db.session.query(MeetingRequest)} == {""}
    assert caf.support_offers[0].details == ""


def test_erasure_keeps_the_counts_of_the_report(after_a_meeting):
    village, porteur, caf, elu = after_a_meeting
    before = matching_profiles.outcome_counts(village)
    privacy.erase(porteur, actor="participant")
    privacy.erase(caf, actor="participant")
    db.session.commit()
    assert matching_profiles.outcome_counts(village) == before
    assert before["held"] == 1
    assert sorted(r.status for r in db.session.query(MeetingRequest)) == ["accepted", "declined"]
    assert caf.support_offers[0].category == "financement"
