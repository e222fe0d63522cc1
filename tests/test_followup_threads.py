"""Each support need of an initiative presented at a village becomes a thread that lives on
after the day, across villages, fed by what the village knows."""
from datetime import date, timedelta

import pytest

from sqlalchemy import func, select

from app.extensions import db
from app.models import NeedThread, NeedThreadStep, ThreadStatus
from app.services import followup, initiatives
from tests.factories_followup import followed_village, person, thread_of
from tests.factories_report import present
from app.models import Registration, Role

pytestmark = pytest.mark.usefixtures("app")


def statuses(registration) -> dict[str, str]:
    return {t.category: t.status for t in followup.threads_of_porteur(registration)}


def test_each_need_of_a_fiche_presented_becomes_a_thread_expressed_at_the_village():
    village = followed_village()
    repair_cafe = person(village, 2)
    (thread,) = followup.threads_of_porteur(repair_cafe)
    assert (thread.category, thread.status) == ("communication", ThreadStatus.EXPRESSED)
    assert thread.detail == "Se faire connaître."
    assert [link.village_id for link in thread.villages] == [village.id]
    assert [(s.status, s.recorded_by) for s in thread.steps] == [("exprime", "porteur")]


def test_a_meeting_noted_as_an_orientation_orients_the_need_the_other_person_supports():
    village = followed_village()
    epicerie, caf = person(village, 0), person(village, 5)
    financing = thread_of(epicerie, "financement")
    assert financing.status == ThreadStatus.ORIENTED
    assert financing.oriented_registration_id == caf.id and financing.partner_role == Role.INSTITUTIONNEL
    assert financing.steps[-1].note == "Orientation notée après un rendez-vous du village."
    # The institution offered financing only: the need for premises stays expressed.
    assert thread_of(epicerie, "locaux").status == ThreadStatus.EXPRESSED


def test_feeding_again_writes_nothing_twice():
    village = followed_village()
    before = db.session.scalar(select(func.count()).select_from(NeedThreadStep))
    assert followup.feed(village) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(NeedThreadStep)) == before


def test_a_need_expressed_again_at_a_later_village_continues_the_same_thread():
    first = followed_village(days_ago=400)
    later = followed_village(days_ago=40)  # the same five initiatives, by name, presented again
    thread = thread_of(person(later, 2), "communication")
    assert thread_of(person(first, 2), "communication").id == thread.id
    assert [link.village_id for link in thread.villages] == [first.id, later.id]
    assert db.session.scalar(select(func.count()).select_from(NeedThread)) == 8


def test_a_need_met_and_expressed_again_is_reopened():
    first = followed_village(days_ago=400)
    thread = thread_of(person(first, 2), "communication")
    followup.answer(person(first, 2), thread.id, followup.Given("obtenu", None))
    db.session.commit()
    later = followed_village(days_ago=40)
    assert thread_of(person(later, 2), "communication").status == ThreadStatus.EXPRESSED


def test_a_need_gone_from_the_fiche_is_asked_about_not_closed():
    from tests.factories import make_village

    first = followed_village(days_ago=400)
    later = make_village(day=date.today() - timedelta(days=40))
    holder = Registration(village=later, role=Role.PORTEUR, status="confirmed", first_name="Prénom2",
                          last_name="Nom2", email="encore@example.org")
    db.session.add(holder)
    present(holder, "Repair café de Manosque", ["environnement"], "en_cours", {}, None)
    initiative = holder.initiative
    initiatives.edit(initiative, {**initiative.current.fiche(), "support_needs": ["formation"]}, actor="test")
    initiatives.present(initiative, holder, {})  # the fiche as it now is
    db.session.commit()
    followup.feed(later)
    db.session.commit()
    thread = thread_of(person(first, 2), "communication")
    assert thread.status == ThreadStatus.EXPRESSED and thread.absent_from_fiche_since is not None
    assert [link.village_id for link in thread.villages] == [first.id]
    assert thread_of(holder, "formation").villages[0].village_id == later.id


def test_retention_blanks_the_texts_of_threads_and_keeps_their_statuses():
    from app.services import privacy

    village = followed_village(days_ago=400)
    epicerie = person(village, 0)
    thread = thread_of(epicerie, "financement")
    followup.answer(epicerie, thread.id, followup.Given("obtenu", None, towards="Caf", note="Merci Anne"))
    db.session.commit()
    assert privacy.purge().registrations_anonymised > 0
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.MET and (thread.detail, thread.oriented_to) == ("", "")
    assert [step.note for step in thread.steps] == ["", "", ""]
