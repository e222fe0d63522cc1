"""Reading never holds back writing: an export open for a long time, a scan or a
registration at the door meanwhile. Places decided under the lock stay exact."""
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import ConfirmedCount, Registration, RegistrationStatus, Role
from app.services import capacity
from app.services.registration import RegistrationData, register
from tests.factories import make_registration, make_village
from tests.fixtures_maildocs import at_once


def person(number: int, role: str = Role.HABITANT) -> RegistrationData:
    return RegistrationData(role=role, first_name="Dominique", last_name=f"Essai{number}",
                            email=f"essai{number}@example.org", commune="Sisteron")


def test_a_registration_is_saved_while_a_long_reading_is_open(app):
    village = make_village(capacity=10)
    make_registration(village)
    village_id = village.id
    db.session.commit()
    reading = db.engine.connect()
    transaction = reading.begin()
    assert reading.scalar(select(func.count()).select_from(Registration)) == 1  # an export has begun
    finished = threading.Event()

    def register_someone():
        with app.app_context():
            register(db.session.get(type(village), village_id), person(1))
            db.session.commit()
            db.session.remove()
            finished.set()

    writer = threading.Thread(target=register_someone)
    writer.start()
    try:
        # With the old BEGIN IMMEDIATE the reading held the write lock: the registration
        # waited for the export to end (or failed after the 30 s busy timeout).
        assert finished.wait(timeout=20)
    finally:
        transaction.rollback()
        reading.close()
        writer.join()


def test_concurrent_registrations_keep_the_capacity_and_the_counts_exact(app):
    village = make_village(capacity=5)
    village_id = village.id
    db.session.commit()
    numbers = iter(range(100))
    lock = threading.Lock()

    def register_three():
        for _ in range(3):
            with lock:
                number = next(numbers)
            register(db.session.get(type(village), village_id), person(number))
            db.session.commit()

    at_once(app, 4, register_three)

    db.session.commit()
    confirmed = db.session.scalar(
        select(func.count()).where(Registration.status == RegistrationStatus.CONFIRMED)
    )
    assert confirmed == 5
    assert capacity.confirmed_counts(db.session.get(type(village), village_id)) == {Role.HABITANT: 5}


def test_counts_follow_cancellations_and_role_changes(app):
    from app.services import registration as registrations

    village = make_village(capacity=10)
    porteur = register(village, person(1, Role.PORTEUR))
    elu = register(village, person(2, Role.ELU))
    register(village, person(3, Role.ELU))
    db.session.commit()
    registrations.cancel(porteur, "test")
    registrations.change_role(elu, Role.HABITANT, "test")
    db.session.commit()

    assert capacity.confirmed_counts(village) == {Role.ELU: 1, Role.HABITANT: 1}
    capacity.recount(village)
    db.session.commit()
    assert capacity.confirmed_counts(village) == {Role.ELU: 1, Role.HABITANT: 1}
    assert db.session.scalar(select(func.count()).select_from(ConfirmedCount)) == 2
