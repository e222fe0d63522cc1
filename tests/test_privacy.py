"""What we hold about a person can be handed to them, erased at their request, and is purged
once the retention periods are over, while the counts stay right."""
import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, CheckIn, OutboxMessage, Registration, RegistrationStatus, Role
from app.services import notifications, privacy
from app.timeutil import utcnow
from tests.factories import make_registration, make_village, present_initiative


def a_project_holder(village, **fields):
    registration = make_registration(
        village,
        role=Role.PORTEUR,
        first_name="Inès",
        last_name="Durand",
        email="ines.durand@example.org",
        phone="06 12 34 56 78",
        organisation="Jardins partagés du Buëch",
        dietary_needs="Sans gluten",
        **fields,
    )
    present_initiative(
        registration, name="Le jardin qui relie", summary="Un jardin partagé entre voisins.",
        dimension="citoyennete", partners="Mairie, centre social", support_needs=["financement"],
    )
    privacy.record_consents(registration, {"consent_photos": True, "consent_news": True})
    notifications.registration_confirmed(registration)
    db.session.commit()
    return registration


def check_in(registration, when: datetime, scan_id: str = "scan-1"):
    db.session.add(CheckIn(registration=registration, village=registration.village, scan_id=scan_id,
                           scanned_at=when, scanner="Accueil 1"))
    registration.checked_in_at = when
    db.session.commit()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- Consents ---


def test_consents_are_kept_with_their_wording_version_and_moment(app):
    registration = a_project_holder(make_village())
    assert registration.consent_photos and registration.consent_news and not registration.consent_listing
    assert registration.consent_version == privacy.CONSENT_VERSION
    assert registration.consented_at is not None


# --- Access ---


def test_personal_data_holds_everything_about_the_person_and_is_json(app):
    registration = a_project_holder(make_village(town="Draguignan"))
    check_in(registration, utcnow())
    data = json.loads(json.dumps(privacy.personal_data(registration)))
    assert data["inscription"]["email"] == "ines.durand@example.org"
    assert data["inscription"]["dietary_needs"] == "Sans gluten"
    assert data["village"]["ville"] == "Draguignan"
    assert data["fiche_initiative"]["versions"][0]["name"] == "Le jardin qui relie"
    assert [c["accepte"] for c in data["consentements"]["reponses"]] == [True, False, True]
    assert data["consentements"]["version"] == privacy.CONSENT_VERSION
    assert len(data["passages_a_l_accueil"]) == 1
    assert data["emails"][0]["objet"].startswith("Inscription confirmée")
    assert data["responsable_du_traitement"] == app.config["ORGANISER_NAME"]


def test_personal_data_does_not_hand_out_the_secrets_of_the_links(app):
    registration = a_project_holder(make_village())
    exported = json.dumps(privacy.personal_data(registration))
    assert registration.manage_token not in exported and registration.badge_code not in exported


# --- Erasure ---


def test_erasure_removes_who_the_person_is(app):
    registration = a_project_holder(make_village())
    privacy.erase(registration, actor="participant")
    db.session.commit()
    db.session.expire_all()
    assert registration.full_name == "Anonyme Anonyme"
    assert registration.email is None and registration.phone is None
    assert registration.organisation is None and registration.dietary_needs is None
    assert registration.initiative.current.name == "Initiative anonymisée"
    assert registration.initiative.current.partners is None
    assert registration.initiative.holder_email == ""
    assert not (registration.consent_photos or registration.consent_news)
    assert registration.anonymised_at is not None
    exported = json.dumps(privacy.personal_data(registration), ensure_ascii=False)
    for clue in ("Inès", "Durand", "ines.durand", "06 12", "Buëch", "gluten", "jardin qui relie"):
        assert clue not in exported


def test_erasure_forgets_whether_the_person_said_madame_or_monsieur(app):
    registration = a_project_holder(make_village())
    registration.civility = "madame"
    privacy.erase(registration, actor="participant")
    db.session.commit()
    db.session.expire_all()
    assert registration.civility is None and registration.role_label == "Porteur ou porteuse d'initiative"


def test_erasure_keeps_what_the_counts_need(app):
    registration = a_project_holder(make_village(day=date.today() - timedelta(days=1)))
    check_in(registration, utcnow())
    privacy.erase(registration, actor="participant")
    db.session.commit()
    assert registration.role == Role.PORTEUR
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.checked_in_at is not None
    assert registration.initiative.current.dimension == "citoyennete"
    assert count(CheckIn, CheckIn.registration_id == registration.id) == 1


def test_erasure_kills_the_old_private_link_and_badge(app):
    registration = a_project_holder(make_village())
    old_link, old_badge = registration.manage_token, registration.badge_code
    privacy.erase(registration, actor="participant")
    db.session.commit()
    assert count(Registration, Registration.manage_token == old_link) == 0
    assert count(Registration, Registration.badge_code == old_badge) == 0


def test_erasure_drops_the_e_mails_and_is_recorded(app):
    registration = a_project_holder(make_village())
    privacy.erase(registration, actor="orga@example.org")
    db.session.commit()
    assert count(OutboxMessage, OutboxMessage.registration_id == registration.id) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.anonymised"))
    assert entry.actor == "orga@example.org" and entry.target_id == registration.id


def test_erasing_twice_changes_nothing(app):
    registration = a_project_holder(make_village())
    privacy.erase(registration, actor="participant")
    db.session.commit()
    link = registration.manage_token
    privacy.erase(registration, actor="participant")
    db.session.commit()
    assert registration.manage_token == link
    assert count(AuditEntry, AuditEntry.action == "registration.anonymised") == 1


# --- Retention ---


def test_months_before_stays_on_a_real_day():
    assert privacy.months_before(date(2025, 8, 31), 6) == date(2025, 2, 28)
    assert privacy.months_before(date(2025, 3, 15), 6) == date(2024, 9, 15)


def test_purge_anonymises_villages_past_their_retention_only(app):
    today = date.today()
    old = make_village(day=today - timedelta(days=200))
    recent = make_village(day=today - timedelta(days=100))
    old_one, recent_one = a_project_holder(old), a_project_holder(recent)
    report = privacy.purge()
    assert report.registrations_anonymised == 1
    db.session.expire_all()
    assert old_one.anonymised_at is not None and old_one.email is None
    assert recent_one.anonymised_at is None and recent_one.email == "ines.durand@example.org"
    assert count(OutboxMessage, OutboxMessage.registration_id == old_one.id) == 0
    assert count(OutboxMessage, OutboxMessage.registration_id == recent_one.id) == 1


def test_purge_forgets_old_check_in_details_but_keeps_attendance_counts(app):
    app.config["ATTENDANCE_RETENTION_MONTHS"] = 12
    village = make_village(day=date.today() - timedelta(days=400))
    came = a_project_holder(village)
    check_in(came, utcnow() - timedelta(days=400))
    report = privacy.purge()
    assert report.check_ins_deleted == 1
    assert count(CheckIn) == 0
    assert count(Registration, Registration.village_id == village.id, Registration.checked_in_at.is_not(None)) == 1


def test_purge_twice_does_the_work_once(app):
    a_project_holder(make_village(day=date.today() - timedelta(days=400)))
    assert privacy.purge().registrations_anonymised == 1
    again = privacy.purge()
    assert (again.registrations_anonymised, again.check_ins_deleted) == (0, 0)
    assert count(AuditEntry, AuditEntry.action == "village.registrations_anonymised") == 1


def test_purge_command_reports_what_it_did(app):
    a_project_holder(make_village(day=date.today() - timedelta(days=400)))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0
    assert "Inscriptions anonymisées : 1" in result.output


def test_erasure_before_the_village_cancels_and_gives_the_place_to_the_waiting_list(app):
    village = make_village(capacity=1)
    leaving = a_project_holder(village)
    waiting = make_registration(village, status=RegistrationStatus.WAITLISTED)
    promoted = privacy.erase(leaving, actor="participant")
    db.session.commit()
    assert leaving.status == RegistrationStatus.CANCELLED
    assert promoted == waiting and waiting.status == RegistrationStatus.CONFIRMED
    assert count(OutboxMessage, OutboxMessage.registration_id == leaving.id) == 0
    assert count(OutboxMessage, OutboxMessage.registration_id == waiting.id) == 1


def test_erasure_after_the_village_keeps_the_status(app):
    registration = a_project_holder(make_village(day=date.today() - timedelta(days=3)))
    privacy.erase(registration, actor="participant")
    db.session.commit()
    assert registration.status == RegistrationStatus.CONFIRMED
