"""`flask backup` and `flask restore`: a backup taken, the database wiped, everything back."""
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, Registration, RegistrationStatus, Role, Village
from app.runtime import backups
from app.services import checkin, privacy
from app.services import registration as registrations
from app.timeutil import local_today, utcnow
from tests.factories import make_village
from tests.factories_registration import register


@pytest.fixture(autouse=True)
def tables_back_after_the_test(app):
    yield
    db.session.remove()
    db.create_all()  # a test that failed between wipe and restore leaves no table


def a_village_in_every_state():
    """Confirmed, waitlisted, cancelled and erased people; admissions kept and undone;
    e-mails pending, sent and failed."""
    village = make_village(capacity=2, day=local_today())  # the door opens on the village's day
    first = register(village, role=Role.PORTEUR)
    second = register(village)
    register(village)  # waits for a place
    leaving = register(village, first_name="Sacha")
    cancelled = register(village, first_name="Noa")
    registrations.cancel(cancelled, "participant")
    privacy.erase(leaving, "participant")
    db.session.commit()
    checkin.check_in(village, first.badge_code, scanner="Accueil 1", scan_id="scan-1")
    checkin.check_in(village, second.badge_code, scanner="Accueil 2", scan_id="scan-2")
    checkin.undo_check_in(village, second.badge_code, actor="Accueil 2", reason="erreur")
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    messages[0].status, messages[0].sent_at = OutboxStatus.SENT, utcnow()
    messages[1].status, messages[1].attempts, messages[1].last_error = OutboxStatus.FAILED, 20, "550 refusé"
    db.session.commit()
    return village


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        rows[table.name] = [tuple(row) for row in db.session.execute(
            select(table).order_by(*table.primary_key.columns)
        )]
    db.session.rollback()
    return rows


def wipe() -> None:
    db.session.remove()
    db.drop_all()
    assert inspect(db.engine).get_table_names() == []


def backup(app) -> Path:
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    return Path(result.output.split(" : ")[1].split(" (")[0])


def restore(app, path: Path, answer: str = "oui\n"):
    db.session.remove()
    return app.test_cli_runner().invoke(args=["restore", str(path)], input=answer)


def test_a_restored_backup_gives_back_every_row_after_a_wipe(app):
    a_village_in_every_state()
    before = everything()
    assert {len(before[name]) > 0 for name in ("registration", "checkin", "outbox_message", "audit_entry")} == {True}
    statuses = {row.status for row in db.session.scalars(select(OutboxMessage))}
    assert statuses == {OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.FAILED}
    path = backup(app)

    wipe()
    result = restore(app, path)

    assert result.exit_code == 0, result.output
    assert "Base restaurée" in result.output
    db.session.remove()
    assert everything() == before


def test_the_restored_database_keeps_working(app):
    village = a_village_in_every_state()
    village_id = village.id
    path = backup(app)
    wipe()
    restore(app, path)
    db.session.remove()

    village = db.session.get(Village, village_id)
    newcomer = register(village, role=Role.ELU)

    assert newcomer.status == RegistrationStatus.WAITLISTED  # the restored village is still full
    assert len(db.session.scalars(select(Registration).where(Registration.village_id == village_id)).all()) == 6


def test_a_backup_is_named_with_its_date_and_only_the_newest_are_kept(app, tmp_path):
    app.config.update(BACKUP_KEEP=3, BACKUP_DIR=str(tmp_path))
    folder = backups.backup_folder()
    suffix = backups.SUFFIXES[db.engine.url.get_backend_name()]
    for day in range(1, 6):
        (folder / f"villages-2026010{day}-020000{suffix}").write_bytes(b"")

    path = backup(app)

    assert path.name.startswith(f"villages-{utcnow():%Y%m%d}-")
    assert [p.name for p in backups.backups(folder)] == [
        f"villages-20260104-020000{suffix}", f"villages-20260105-020000{suffix}", path.name,
    ]
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only


def test_restore_asks_for_confirmation_and_changes_nothing_without_it(app):
    village_id = make_village().id
    register(db.session.get(Village, village_id))
    path = backup(app)
    register(db.session.get(Village, village_id))
    before = everything()

    result = restore(app, path, answer="non\n")

    assert result.exit_code == 1
    assert "Restauration annulée" in result.output
    assert everything() == before


def test_restore_keeps_a_copy_of_the_current_state_first(app, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path)
    village = make_village()
    register(village)
    path = backup(app)

    restore(app, path)

    copies = backups.backups(Path(app.config["BACKUP_DIR"]), backups.BEFORE_RESTORE_PREFIX)
    assert len(copies) == 1


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_kind_of_database(app, tmp_path):
    village = make_village()
    register(village)
    before = everything()
    wrong = tmp_path / "notes.txt"
    wrong.write_text("pas une sauvegarde")

    result = restore(app, wrong)

    assert result.exit_code == 1
    assert "n'est pas une sauvegarde" in result.output
    assert everything() == before


def test_a_person_erased_after_the_backup_stays_erased_once_it_is_restored(app):
    village = make_village()
    person = register(village, first_name="Maëlle", email="maelle@example.org")
    person_id = person.id
    path = backup(app)
    privacy.erase(db.session.get(Registration, person_id), "participant")
    db.session.commit()

    result = restore(app, path)

    assert "Personnes effacées de nouveau (journal des effacements) : 1" in result.output
    db.session.remove()
    restored = db.session.get(Registration, person_id)
    assert restored.first_name == privacy.ANONYMOUS_NAME and restored.email is None
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "maelle@example.org")) is None


def test_each_backup_puts_a_copy_of_the_erasure_log_beside_it(app, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path)
    person = register(make_village())
    privacy.erase(person, "participant")
    db.session.commit()

    backup(app)

    assert (tmp_path / "erasures.log").read_text() == Path(app.config["ERASURE_LOG"]).read_text()


def test_a_newcomer_given_the_number_of_an_erased_person_is_left_alone(app):
    village_id = make_village().id
    register(db.session.get(Village, village_id))
    path = backup(app)
    erased = register(db.session.get(Village, village_id))
    erased_id = erased.id
    privacy.erase(erased, "participant")
    db.session.commit()
    restore(app, path)  # the erased registration did not exist yet
    db.session.remove()

    newcomer = register(db.session.get(Village, village_id), first_name="Lou")
    assert newcomer.id == erased_id  # the restored sequence hands the number out again

    assert privacy.replay_erasures() == 0
    assert db.session.get(Registration, newcomer.id).first_name == "Lou"


def test_backup_says_what_to_install_when_pg_dump_is_missing(app, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(backups.BackupError, match="apt-get install postgresql-client"):
        backups._tool("pg_dump")


def damaged_copy(path: Path, damage: str, tmp_path: Path) -> Path:
    """A copy of the backup `path` (with its manifest) damaged one way."""
    content = path.read_bytes()
    copy = tmp_path / path.name
    manifest = backups.manifest_of(path).read_bytes()
    backups.manifest_of(copy).write_bytes(manifest)
    if damage == "vide":
        content = b""
    elif damage == "tronquée":
        content = content[: len(content) // 2]
    elif damage == "texte d'une ligne modifié":
        name = "Maëlle".encode()
        at = content.find(name)  # SQLite keeps texts as they are; pg_dump compresses them
        at = at if at >= 0 else len(content) // 2
        content = content[:at] + bytes([content[at] ^ 0x20]) + content[at + 1:]
    elif damage == "autre format":
        content = b"PK\x03\x04 une archive zip, pas une sauvegarde" + bytes(2000)
    elif damage == "sans manifeste":
        backups.manifest_of(copy).unlink()
    copy.write_bytes(content)
    return copy


@pytest.mark.parametrize("damage, says", [
    ("vide", "est vide (0 octet)"),
    ("tronquée", "est tronquée ou altérée"),
    ("texte d'une ligne modifié", "a été altérée depuis son écriture"),
    ("autre format", "est tronquée ou altérée"),
    ("sans manifeste", "n'a pas de manifeste"),
])
def test_restore_refuses_a_damaged_backup_and_replaces_nothing(app, tmp_path, damage, says):
    app.config["BACKUP_DIR"] = str(tmp_path / "sauvegardes")
    village_id = make_village().id
    register(db.session.get(Village, village_id), first_name="Maëlle")
    path = backup(app)
    register(db.session.get(Village, village_id))
    before = everything()

    result = restore(app, damaged_copy(path, damage, tmp_path))

    assert result.exit_code != 0
    assert says in result.output and "Rien n'a changé" in result.output
    assert everything() == before
    assert backups.backups(Path(app.config["BACKUP_DIR"]), backups.BEFORE_RESTORE_PREFIX) == []


def test_a_backup_carries_a_manifest_with_its_checksum_and_rows_per_table(app):
    import hashlib
    import json

    village = make_village()
    register(village)
    register(village)
    db.session.commit()
    path = backup(app)
    manifest = json.loads(backups.manifest_of(path).read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["taille"] == path.stat().st_size
    assert manifest["lignes"]["registration"] == 2 and manifest["lignes"]["village"] == 1
    assert backups.manifest_of(path).stat().st_mode & 0o077 == 0


def test_any_damage_to_a_backup_is_refused_before_anything_is_replaced(app, tmp_path):
    """Property: whatever is cut, changed or added in a backup, restore refuses it with a French
    message and the database stays as it was."""
    from hypothesis import given
    from hypothesis import strategies as st

    from tests.fuzzing import fuzz

    app.config["BACKUP_DIR"] = str(tmp_path / "sauvegardes")
    village_id = make_village().id
    register(db.session.get(Village, village_id), first_name="Maëlle")
    path = backup(app)
    register(db.session.get(Village, village_id))
    before, original = everything(), path.read_bytes()
    damages = st.one_of(
        st.integers(0, len(original) - 1).map(lambda at: original[:at]),
        st.tuples(st.integers(0, len(original) - 1), st.integers(1, 255)).map(
            lambda change: original[:change[0]] + bytes([original[change[0]] ^ change[1]]) + original[change[0] + 1:]),
        st.binary(min_size=1, max_size=64).map(lambda tail: original + tail),
        st.binary(max_size=4096),
    )

    @fuzz(60)
    @given(damaged=damages)
    def is_refused(damaged: bytes):
        copy = tmp_path / path.name
        copy.write_bytes(damaged)
        backups.manifest_of(copy).write_bytes(backups.manifest_of(path).read_bytes())
        with pytest.raises(backups.BackupError, match="Rien n'a changé"):
            backups.restore(copy)

    is_refused()
    assert everything() == before
    assert backups.backups(Path(app.config["BACKUP_DIR"]), backups.BEFORE_RESTORE_PREFIX) == []
