"""Backups through the service: restore round trip, old and new schemas, rotation, folders."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections import deque
from datetime import UTC
from pathlib import Path

import pytest

from prospector.domain.backups import BackupReason, RotationPolicy, backups_to_keep
from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.reminders import ReminderKind
from prospector.errors import DatabaseBusy, ValidationError
from prospector.services.backups import (
    BackupFailed,
    BackupFolderUnavailable,
    BackupService,
    BackupTooNew,
    BackupUnreadable,
)
from prospector.services.imports import ImportRequest
from prospector.services.workspace import open_workspace
from prospector.storage.migrate import SCHEMA_HEAD, current_revision

SAVED = sorted((Path(__file__).parents[1] / "data" / "db").glob("*.sqlite"))
OLDER = [p for p in SAVED if p.stem != SCHEMA_HEAD]


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Every table of the file (search tables and their shadow tables too), row by row."""
    conn = sqlite3.connect(db)
    try:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }
    finally:
        conn.close()


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _work_on(ws) -> int:
    """A rep's day: contacts, a call, a note, a follow-up, settings. Returns a contact id."""
    ws.sample_list.load()
    anna = ws.contacts.add(ContactFields(first_name="Anna", last_name="Berg", phone="0612345678"))
    ws.queue.log_outcome(anna.id, CallOutcome.TALKED, note="Wants a quote")
    ws.notes.add(anna.id, "Send the brochure")
    ws.followups.create(anna.id, ws.followups.quick_picks()[0][1], ReminderKind.EMAIL, "Quote")
    return anna.id


def test_restore_round_trip_brings_every_table_back_exactly(workspace, db_path: Path):
    anna = _work_on(workspace)
    made = workspace.backups.back_up()
    before = _dump(db_path)

    # Changes after the backup, in many tables.
    workspace.contacts.delete(anna)
    workspace.contacts.add(ContactFields(first_name="New", last_name="Person"))
    workspace.settings.set_default_country("DE")
    changed = _dump(db_path)
    assert changed != before

    done = workspace.backups.restore(made.path)

    assert _dump(db_path) == before
    assert done.backup.path == made.path and done.backup.contacts == len(before["contacts"])
    assert done.upgraded_from is None
    # The services read the restored database at once, cached settings included.
    assert workspace.settings.default_country() == "FR"
    assert workspace.contacts.get(anna).display_name == "Anna Berg"
    # The state just before the restore was backed up first.
    assert done.safety_copy.name.endswith("-before-restore.sqlite")
    assert _dump(done.safety_copy) == changed
    reasons = {b.path: b.reason for b in workspace.backups.backups()}
    assert reasons == {
        made.path: BackupReason.MANUAL,
        done.safety_copy: BackupReason.BEFORE_RESTORE,
    }


def test_a_restore_keeps_where_backups_go_and_how_many(workspace, tmp_path: Path):
    made = workspace.backups.back_up()
    synced = tmp_path / "OneDrive" / "Prospector"
    synced.mkdir(parents=True)
    workspace.backups.set_folder(synced)
    workspace.backups.set_policy(10, 6)

    done = workspace.backups.restore(made.path)

    assert workspace.backups.folder_status().folder == synced
    assert workspace.backups.policy() == RotationPolicy(daily=10, weekly=6)
    assert done.safety_copy.parent == synced
    # The list offers both folders: the backup beside the database is still there.
    assert {b.path for b in workspace.backups.backups()} == {made.path, done.safety_copy}


@pytest.mark.parametrize("saved", OLDER, ids=[p.stem for p in OLDER])
def test_a_backup_of_an_older_schema_is_upgraded_on_restore(
    saved: Path, workspace, db_path: Path, tmp_path: Path
):
    backup = tmp_path / "from-an-older-version.sqlite"
    shutil.copy(saved, backup)
    untouched = _hash(backup)
    manifest = json.loads(saved.with_suffix(".json").read_text(encoding="utf-8"))
    workspace.contacts.add(ContactFields(first_name="Only", last_name="Today"))

    done = workspace.backups.restore(backup)

    assert done.upgraded_from == saved.stem
    assert current_revision(workspace.database.engine) == SCHEMA_HEAD
    contact = workspace.contacts.get(1)
    assert contact.fields.last_name == "Lefèvre"
    assert workspace.contacts.total() == 2
    conn = sqlite3.connect(db_path)
    try:
        for table, content in manifest.items():
            columns = ", ".join(content["columns"])
            rows = [list(r) for r in conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1")]
            assert rows == content["rows"], table
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert _hash(backup) == untouched  # the backup itself is never changed
    assert not [p for p in db_path.parent.iterdir() if ".restoring-" in p.name]


def test_a_backup_made_by_a_newer_version_is_refused_and_nothing_changes(workspace, db_path: Path):
    made = workspace.backups.back_up()
    conn = sqlite3.connect(made.path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    workspace.contacts.add(ContactFields(first_name="Kept", last_name="Here"))
    before, files = _dump(db_path), sorted(made.path.parent.iterdir())

    with pytest.raises(BackupTooNew) as refused:
        workspace.backups.restore(made.path)

    assert "newer version of Prospector" in refused.value.user_message()
    assert _dump(db_path) == before
    assert sorted(made.path.parent.iterdir()) == files  # not even a before-restore backup


def test_damaged_and_foreign_files_are_listed_as_unreadable_and_never_restored(
    workspace, db_path: Path
):
    made = workspace.backups.back_up()
    folder = made.path.parent
    damaged = folder / "prospector-20260301-080000-000000-daily.sqlite"
    data = bytearray(made.path.read_bytes())
    data[4096 : 4096 + 8192] = os.urandom(8192)  # pages overwritten (F8)
    damaged.write_bytes(bytes(data))
    truncated = folder / "prospector-20260302-080000-000000-daily.sqlite"
    truncated.write_bytes(made.path.read_bytes()[:50])
    foreign = folder / "places.sqlite"
    other = sqlite3.connect(foreign)
    other.execute("CREATE TABLE moz_places (url TEXT)")
    other.commit()
    other.close()
    (folder / "notes.txt").write_text("not a backup")
    another_database = folder / "work-20260301-080000-000000-daily.sqlite"
    shutil.copy(made.path, another_database)  # a backup of work.sqlite: not offered here

    listed = {b.path.name: b for b in workspace.backups.backups()}

    assert set(listed) == {made.path.name, damaged.name, truncated.name, foreign.name}
    assert listed[made.path.name].readable and listed[made.path.name].contacts == 0
    assert not listed[truncated.name].readable
    assert not listed[foreign.name].readable
    before = _dump(db_path)
    for path in (damaged, truncated, foreign):
        with pytest.raises(BackupUnreadable):
            workspace.backups.restore(path)
    assert _dump(db_path) == before


def test_rotation_deletes_only_what_the_rule_says(workspace, clock, db_path: Path):
    service = BackupService(workspace.database, workspace.settings, clock, zone=UTC)
    service.set_policy(3, 2)
    folder = service.default_folder()
    folder.mkdir()
    kept_aside = [
        folder / "places.sqlite",  # a file that is not ours
        folder / "work-20200101-000000-000000-daily.sqlite",  # another database's backup
        folder / "prospector-20200101-000000-000000-daily.sqlite.partial",  # not a backup
    ]
    for path in kept_aside:
        path.write_bytes(b"x")
    made = {}
    for _day in range(30):
        result = service.daily_backup()
        assert result is not None
        made[result.path] = clock()
        clock.advance(hours=2)
        extra = service.back_up(BackupReason.BEFORE_IMPORT)  # a second backup that day
        made[extra.path] = clock()
        clock.advance(hours=22, minutes=7)

    expected = backups_to_keep(made, clock(), RotationPolicy(daily=3, weekly=2), UTC)
    ours = {p for p in folder.iterdir() if p not in kept_aside}
    assert ours == expected
    assert len(ours) < len(made) // 6  # 60 made, a handful kept
    assert max(made, key=made.__getitem__) in ours
    assert all(p.exists() for p in kept_aside)


def test_the_daily_backup_is_made_once_a_day(workspace, clock):
    service = BackupService(workspace.database, workspace.settings, clock, zone=UTC)
    first = service.daily_backup()
    assert first is not None and first.path.name.endswith("-daily.sqlite")
    assert service.daily_backup() is None
    clock.advance(hours=12)  # 21:30 the same day
    assert service.daily_backup() is None
    clock.advance(hours=3)  # the next day
    assert service.daily_backup() is not None


def test_an_unwritable_backup_folder_gives_a_plain_error(workspace, db_path: Path):
    blocker = db_path.parent / "backups"
    blocker.write_text("a file where the backup folder should be")
    with pytest.raises(BackupFailed) as failed:
        workspace.backups.back_up()
    assert failed.value.user_message().startswith("Your database could not be backed up:")
    assert "backups" in failed.value.user_message()
    assert not [p for p in db_path.parent.iterdir() if p.suffix == ".partial"]

    with pytest.raises(BackupFolderUnavailable) as missing:
        workspace.backups.set_folder(db_path.parent / "no such folder")
    assert "does not exist" in missing.value.user_message()
    a_file_path = db_path.parent / "notes.txt"
    a_file_path.write_text("a file, not a folder")
    with pytest.raises(BackupFolderUnavailable) as a_file:
        workspace.backups.set_folder(a_file_path)
    assert "is a file" in a_file.value.user_message()
    with pytest.raises(ValidationError):
        workspace.backups.set_policy(0, 4)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_refused(workspace, tmp_path: Path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(BackupFolderUnavailable) as refused:
            workspace.backups.set_folder(folder)
        assert "may not write" in refused.value.user_message()
    finally:
        folder.chmod(0o755)


@pytest.mark.allow_log_warnings
def test_a_missing_synced_folder_falls_back_beside_the_database(workspace, tmp_path: Path):
    synced = tmp_path / "Dropbox"
    synced.mkdir()
    workspace.backups.set_folder(synced)
    synced.rmdir()  # the drive is unplugged, the sync client not started

    status = workspace.backups.folder_status()
    assert status.problem == "missing" and status.folder == status.default
    made = workspace.backups.back_up()
    assert made.fell_back_from == synced
    assert made.path.parent == workspace.backups.default_folder()
    assert not synced.exists()  # never created behind the rep's back


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(
        "Nom;Prénom;Téléphone\nDupont;Jean;01 23 45 67 89\nMartin;Claire;06 11 22 33 44\n",
        encoding="utf-8",
    )
    return path


def test_an_import_makes_a_backup_first(workspace, tmp_path: Path):
    workspace.contacts.add(ContactFields(first_name="Before", last_name="Import"))
    request = ImportRequest(_csv(tmp_path), "Annuaire")
    deque(workspace.imports.check_duplicates(request), maxlen=0)
    assert workspace.backups.backups() == []  # checking duplicates writes nothing: no backup

    last = deque(workspace.imports.run_import(request), maxlen=1)[0]

    assert last.status == "completed" and last.imported == 2
    (backup,) = workspace.backups.backups()
    assert backup.reason is BackupReason.BEFORE_IMPORT
    assert backup.contacts == 1  # the state before the import


def test_a_failed_backup_stops_the_import_before_it_writes(workspace, db_path: Path, tmp_path):
    (db_path.parent / "backups").write_text("a file where the backup folder should be")
    before = _dump(db_path)
    with pytest.raises(BackupFailed) as failed:
        deque(workspace.imports.run_import(ImportRequest(_csv(tmp_path), "Annuaire")), maxlen=0)
    assert "The import was not started" in failed.value.user_message()
    assert _dump(db_path) == before


def test_a_workspace_opened_without_backups_imports_without_one(db_path: Path, tmp_path):
    ws = open_workspace(db_path, backups=False)  # tests and benchmarks skip the copy
    try:
        deque(ws.imports.run_import(ImportRequest(_csv(tmp_path), "Annuaire")), maxlen=0)
        assert ws.backups.backups() == []
    finally:
        ws.close()


def test_a_restore_waits_for_a_writer_then_gives_up_plainly(workspace, db_path: Path):
    made = workspace.backups.back_up()
    workspace.contacts.add(ContactFields(first_name="Written", last_name="Later"))
    before = _dump(db_path)
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # an import in another program holding the lock
        with pytest.raises(DatabaseBusy):
            workspace.backups.restore(made.path)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert _dump(db_path) == before
    # Once the writer is gone the same restore goes through.
    workspace.backups.restore(made.path)
    assert workspace.contacts.total() == 0
    assert made.path.exists()
