"""The registration rules, as the service applies them (without HTTP)."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, RegistrationStatus, Role, VillageRoleQuota
from app.services import registration as service
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.factories_registration import initiative_fields, outbox_kinds, register, registration_data


def audit_actions(registration) -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.target_type == "registration", AuditEntry.target_id == registration.id
        ).order_by(AuditEntry.id)
    ))


def test_registration_with_places_left_is_confirmed_and_queues_the_confirmation(app):
    village = make_village(capacity=2)
    registration = register(village)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_at is not None
    assert outbox_kinds(registration) == ["confirmation"]
    assert audit_actions(registration) == ["registration.created"]


def test_a_registration_is_written_as_the_session_would_write_it(app):
    """The registration, its audit entry and its e-mail are written in direct SQL: the same rows,
    and the registration is the session's own object."""
    village = make_village(capacity=1)
    first = register(village, role=Role.ELU)
    waiting = register(village, email="Camille.Martin@Example.org")
    (entry, _) = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    assert (entry.actor, entry.target_type, entry.target_id, entry.village_id, entry.details) == (
        "participant", "registration", first.id, village.id, {"status": "confirmed", "role": "elu", "civility": None})
    assert entry.at is not None
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == first.id))
    assert (message.recipient, message.status, message.attempts, message.details) == (
        first.email, "pending", 0, {"documents": True, "calendar_method": "REQUEST"})
    assert message.subject == f"Inscription confirmée – {village.name}" and message.message_id.startswith("<")
    assert waiting.email_key == "camille.martin@example.org" and waiting.confirmed_at is None
    assert first.badge_code and first.manage_token and first.created_at and first.village is village
    assert db.session.get(type(first), first.id) is first
    first.first_name = "Claude"
    db.session.commit()
    assert db.session.scalar(select(type(first).first_name).where(type(first).id == first.id)) == "Claude"


def test_a_registration_without_email_is_counted_and_audited_and_queues_no_email(app):
    village = make_village(capacity=1)
    walk_in = register(village, email="", is_walk_in=True)
    assert walk_in.status == RegistrationStatus.CONFIRMED
    assert outbox_kinds(walk_in) == []
    assert audit_actions(walk_in) == ["registration.created"]
    assert register(village).status == RegistrationStatus.WAITLISTED  # its place was counted


def test_the_email_is_queued_in_the_registrations_transaction(app):
    village = make_village()
    service.register(village, registration_data())
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage)) is None
    assert db.session.scalar(select(AuditEntry)) is None


def test_a_registrations_commit_does_not_wait_for_the_disk(app, is_postgresql):
    """On PostgreSQL for that transaction only; SQLite's commits never wait (synchronous=NORMAL)."""
    village = make_village()
    setting = text("SHOW synchronous_commit" if is_postgresql else "PRAGMA synchronous")
    waiting, not_waiting = ("on", "off") if is_postgresql else (1, 1)
    assert db.session.scalar(setting) == waiting
    service.register(village, registration_data())
    assert db.session.scalar(setting) == not_waiting
    db.session.commit()
    assert db.session.scalar(setting) == waiting


def test_registration_beyond_capacity_goes_on_the_waiting_list(app):
    village = make_village(capacity=1)
    register(village)
    second = register(village)
    assert second.status == RegistrationStatus.WAITLISTED
    assert outbox_kinds(second) == ["waitlisted"]
    assert service.waiting_position(second) == 1


def test_role_quota_full_waitlists_that_role_only(app):
    village = make_village(capacity=10)
    village.quotas.append(VillageRoleQuota(role=Role.ELU, capacity=1))
    db.session.commit()
    register(village, role=Role.ELU)
    assert register(village, role=Role.ELU).status == RegistrationStatus.WAITLISTED
    assert register(village, role=Role.HABITANT).status == RegistrationStatus.CONFIRMED


def test_porteur_registration_keeps_the_fiche_initiative(app):
    village = make_village()
    registration = register(village, role=Role.PORTEUR, initiative=initiative_fields())
    assert registration.initiative.name == "Jardin partagé du quartier"
    assert registration.initiative.current.support_labels == ["Financement", "Bénévoles"]
    assert registration.initiative.holder_email == registration.email


def test_second_active_registration_with_same_email_is_refused_whatever_the_case(app):
    village = make_village()
    first = register(village, email="Claude.Durand@example.org")
    with pytest.raises(service.AlreadyRegistered) as refused:
        service.register(village, registration_data(email="claude.durand@EXAMPLE.org "))
    assert refused.value.existing.id == first.id


def test_same_email_may_register_again_after_cancelling_or_in_another_village(app):
    village, other = make_village(), make_village()
    first = register(village, email="claude@example.org")
    service.cancel(first, actor="participant")
    db.session.commit()
    assert register(village, email="claude@example.org").is_confirmed
    assert register(other, email="claude@example.org").is_confirmed


@pytest.mark.parametrize("closed", [
    dict(registration_closes_at=utcnow() - timedelta(minutes=1)),
    dict(registration_opens_at=utcnow() + timedelta(days=1)),
    dict(archived_at=utcnow()),
])
def test_closed_registration_is_refused_and_writes_nothing(app, closed):
    village = make_village(**closed)
    with pytest.raises(service.RegistrationClosed):
        service.register(village, registration_data())
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage)) is None
    assert db.session.scalar(select(AuditEntry)) is None


def test_organisers_may_register_someone_after_closing(app):
    village = make_village(registration_closes_at=utcnow() - timedelta(minutes=1))
    registration = service.register(village, registration_data(), actor="orga@example.org", even_if_closed=True)
    assert registration.is_confirmed


def test_cancelling_a_confirmed_place_promotes_the_first_on_the_waiting_list(app):
    village = make_village(capacity=1)
    confirmed = register(village)
    first_waiting = register(village)
    second_waiting = register(village)
    promoted = service.cancel(confirmed, actor="participant")
    db.session.commit()
    assert promoted.id == first_waiting.id
    assert confirmed.status == RegistrationStatus.CANCELLED and confirmed.cancelled_at
    assert first_waiting.status == RegistrationStatus.CONFIRMED
    assert second_waiting.status == RegistrationStatus.WAITLISTED
    assert service.waiting_position(second_waiting) == 1
    assert outbox_kinds(confirmed) == ["confirmation", "cancellation"]
    assert outbox_kinds(first_waiting) == ["waitlisted", "promoted"]
    assert audit_actions(first_waiting) == ["registration.created", "registration.promoted"]


def test_promotion_skips_people_whose_role_quota_is_still_full(app):
    village = make_village(capacity=2)
    village.quotas.append(VillageRoleQuota(role=Role.ELU, capacity=1))
    db.session.commit()
    register(village, role=Role.ELU)
    leaving = register(village, role=Role.HABITANT)
    waiting_elu = register(village, role=Role.ELU)
    waiting_habitant = register(village, role=Role.HABITANT)
    promoted = service.cancel(leaving, actor="participant")
    assert promoted.id == waiting_habitant.id
    assert waiting_elu.status == RegistrationStatus.WAITLISTED


def test_cancelling_a_waiting_person_promotes_nobody(app):
    village = make_village(capacity=1)
    register(village)
    waiting = register(village)
    later = register(village)
    assert service.cancel(waiting, actor="participant") is None
    assert later.status == RegistrationStatus.WAITLISTED


def test_cancelling_twice_is_refused(app):
    registration = register(make_village())
    service.cancel(registration, actor="participant")
    with pytest.raises(service.NotAllowed):
        service.cancel(registration, actor="participant")


def test_organiser_may_promote_beyond_capacity_and_it_is_audited(app):
    village = make_village(capacity=1)
    register(village)
    waiting = register(village)
    service.promote(waiting, actor="orga@example.org")
    db.session.commit()
    assert waiting.is_confirmed
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.promoted"))
    assert entry.actor == "orga@example.org"
    assert entry.details == {"forced": True, "beyond_capacity": True}
    assert outbox_kinds(waiting) == ["waitlisted", "promoted"]


def test_raising_the_capacity_then_filling_promotes_in_order(app):
    village = make_village(capacity=1)
    register(village)
    waiting = [register(village) for _ in range(3)]
    village.capacity = 3
    promoted = service.fill_from_waiting_list(village, actor="orga@example.org")
    assert [r.id for r in promoted] == [waiting[0].id, waiting[1].id]


def test_changing_the_name_queues_a_new_badge_and_is_audited(app):
    registration = register(make_village())
    changed = service.update_details(registration, {"first_name": "Dominique", "last_name": "Nouveau",
                                                    "phone": None}, actor="participant")
    db.session.commit()
    assert changed == ["last_name"]
    assert outbox_kinds(registration) == ["confirmation", "update"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.updated"))
    assert entry.details == {"fields": ["last_name"]}


def test_changing_only_practical_details_sends_no_new_badge(app):
    registration = register(make_village())
    service.update_details(registration, {"lunch": True, "dietary_needs": "Sans gluten"}, actor="participant")
    assert outbox_kinds(registration) == ["confirmation"]


def test_changing_nothing_writes_nothing(app):
    registration = register(make_village())
    assert service.update_details(registration, {"first_name": "Dominique"}, actor="participant") == []
    assert audit_actions(registration) == ["registration.created"]


def test_changing_email_to_one_already_registered_is_refused(app):
    village = make_village()
    register(village, email="pris@example.org")
    registration = register(village)
    with pytest.raises(service.AlreadyRegistered):
        service.update_details(registration, {"email": "PRIS@example.org"}, actor="participant")


def test_changing_role_to_a_full_quota_is_refused_unless_forced(app):
    village = make_village(capacity=10)
    village.quotas.append(VillageRoleQuota(role=Role.ELU, capacity=1))
    db.session.commit()
    register(village, role=Role.ELU)
    registration = register(village, role=Role.HABITANT)
    with pytest.raises(service.RoleFull):
        service.change_role(registration, Role.ELU, actor="participant")
    service.change_role(registration, Role.ELU, actor="orga@example.org", force=True)
    assert registration.role == Role.ELU and registration.is_confirmed


def test_leaving_a_full_role_promotes_someone_waiting_for_it(app):
    village = make_village(capacity=10)
    village.quotas.append(VillageRoleQuota(role=Role.ELU, capacity=1))
    db.session.commit()
    changing = register(village, role=Role.ELU)
    waiting_elu = register(village, role=Role.ELU)
    service.change_role(changing, Role.HABITANT, actor="participant")
    assert waiting_elu.is_confirmed
    assert outbox_kinds(changing)[-1] == "update"


def test_leaving_the_porteur_role_drops_the_fiche_initiative(app):
    registration = register(make_village(), role=Role.PORTEUR, initiative=initiative_fields())
    changed = service.change_role(registration, Role.INSTITUTIONNEL, actor="participant")
    db.session.commit()
    assert changed == ["role", "initiative"]
    assert registration.initiative is None


def test_a_cancelled_registration_cannot_be_changed(app):
    registration = register(make_village())
    service.cancel(registration, actor="participant")
    with pytest.raises(service.NotAllowed):
        service.update_details(registration, {"first_name": "Autre"}, actor="participant")


def queued_long_ago():
    for message in db.session.scalars(select(OutboxMessage)):
        message.created_at -= service.RESEND_PAUSE


def test_resending_the_confirmation_queues_the_message_matching_the_state(app):
    village = make_village(capacity=1)
    confirmed, waiting = register(village), register(village)
    queued_long_ago()
    service.resend_confirmation(confirmed)
    service.resend_confirmation(waiting)
    assert outbox_kinds(confirmed) == ["confirmation", "confirmation"]
    assert outbox_kinds(waiting) == ["waitlisted", "waitlisted"]


def test_a_confirmation_asked_again_within_a_minute_of_the_last_is_not_sent_twice(app):
    registration = register(make_village())
    queued_long_ago()
    service.resend_confirmation(registration)
    service.resend_confirmation(registration)
    assert outbox_kinds(registration) == ["confirmation", "confirmation"]


def test_registrations_from_the_factory_count_against_capacity(app):
    village = make_village(capacity=1)
    make_registration(village)
    assert register(village).status == RegistrationStatus.WAITLISTED
