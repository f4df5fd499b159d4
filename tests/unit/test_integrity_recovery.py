"""A database the start-up check finds damaged: restore the newest good backup, or salvage.

reliability.md F8: bytes overwritten mid-file are found by quick_check at start; the rep can go
back to the newest backup that passes its own check, or copy out what can still be read; the
damaged file is always kept aside, byte for byte, never deleted.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.query import ContactQuery
from prospector.errors import DatabaseCorrupt, UserFacingError
from prospector.services import integrity as integrity_module
from prospector.services.integrity import (
    IntegrityService,
    NoGoodBackup,
    Recovered,
    RecoveryFailed,
)
from prospector.services.workspace import open_workspace
from prospector.storage.migrate import SCHEMA_HEAD

DB_FIXTURES = Path(__file__).resolve().parents[1] / "data" / "db"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _quick_check(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def _fill(ws, count: int, prefix: str = "Ana", source: str | None = None) -> list[int]:
    source_id = ws.sources.add(source, "purchased_list") if source else None
    ids = []
    for i in range(count):
        contact = ws.contacts.add(
            ContactFields(
                first_name=f"{prefix}{i}",
                last_name="Popescu" * 12,
                city="Cluj",
                phone=f"06 12 34 {i // 100:02d} {i % 100:02d}",
                source_id=source_id,
            )
        )
        ids.append(contact.id)
    return ids


def _page_of(path: Path, table: str, which: str = "middle") -> tuple[int, int]:
    """(page number, page size) of one of ``table``'s leaf pages, through SQLite's dbstat."""
    conn = sqlite3.connect(path)
    try:
        pages = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            )
        ]
        if not pages:  # a small table: its root is its only page
            pages = [conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
                     .fetchone()[0]]  # fmt: skip
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return pages[len(pages) // 2] if which == "middle" else pages[0], size


def _overwrite_page(path: Path, page: int, size: int) -> None:
    """Bytes overwritten in the middle of the file, as a bad sector or a stray write does."""
    data = bytearray(path.read_bytes())
    data[(page - 1) * size : page * size] = b"\xa5" * size
    path.write_bytes(bytes(data))


def _damage(path: Path, table: str = "contacts") -> None:
    _overwrite_page(path, *_page_of(path, table))


def test_damage_is_found_and_the_newest_good_backup_is_restored(db_path: Path, clock):
    ws = open_workspace(db_path, clock=clock)
    _fill(ws, 300)
    older = ws.backups.back_up().path
    clock.advance(hours=1)
    _fill(ws, 20, prefix="Bea")
    newest = ws.backups.back_up().path
    clock.advance(hours=1)
    _fill(ws, 5, prefix="Cid")  # after the last backup: what a restore cannot bring back
    ws.close()
    _damage(newest)  # the newest backup is damaged too: it must be passed over
    _damage(db_path)
    damaged = _digest(db_path)

    with pytest.raises(DatabaseCorrupt) as refused:
        open_workspace(db_path)
    assert _digest(db_path) == damaged  # refused untouched

    service = IntegrityService(refused.value.path, clock)
    good = service.good_backup()
    assert good is not None and good.path == older and good.contacts == 300
    recovered = service.restore_backup()
    assert recovered.backup is not None and recovered.backup.path == older
    assert recovered.damaged_copy.name == "prospector.damaged-2026-03-16-1130.sqlite"
    assert _digest(recovered.damaged_copy) == damaged  # kept aside, byte for byte
    assert _quick_check(db_path) == "ok"

    ws = open_workspace(db_path)
    try:
        assert ws.contacts.total() == 300
        assert ws.contacts.count(ContactQuery(text="Ana299")) == 1
    finally:
        ws.close()
    assert sorted(p.name for p in db_path.parent.iterdir() if p.is_file() and "damaged" in p.name)[
        0
    ] == recovered.damaged_copy.name


def test_salvage_copies_out_every_row_that_can_still_be_read(db_path: Path, clock):
    ws = open_workspace(db_path, clock=clock)
    ids = _fill(ws, 400, source="Annuaire Lyon")
    for contact_id in ids[::4]:
        ws.notes.save_draft(contact_id, None, f"Rappeler {contact_id} après le salon")
    ws.queue.log_outcome(ids[0], CallOutcome.TALKED, duration_s=60)
    ws.close()
    before = {t: _count(db_path, t) for t in ("contacts", "notes", "call_logs", "sources")}
    _damage(db_path, "contacts")
    damaged = _digest(db_path)

    service = IntegrityService(db_path, clock)
    steps = list(service.salvage())
    recovered = steps[-1]
    assert isinstance(recovered, Recovered)
    assert all(not isinstance(s, Recovered) for s in steps[:-1])
    assert _digest(recovered.damaged_copy) == damaged
    assert _quick_check(db_path) == "ok"

    # What the report says is what the new file holds.
    for table in ("contacts", "notes", "call_logs", "sources"):
        assert recovered.saved(table) == _count(db_path, table), table
    contacts = next(t for t in recovered.salvaged or () if t.table == "contacts")
    assert contacts.damaged_spots == 1
    assert before["contacts"] - 40 < contacts.saved < before["contacts"]  # one page lost
    assert recovered.saved("sources") == 1
    # A note whose contact was on the damaged page cannot be kept; the others are.
    notes = next(t for t in recovered.salvaged or () if t.table == "notes")
    assert notes.saved + notes.refused == before["notes"]

    ws = open_workspace(db_path)
    try:
        assert ws.contacts.total() == contacts.saved
        assert ws.contacts.count(ContactQuery(text="Ana0")) == 1  # search index rebuilt
        kept = ws.contacts.get(ids[0])
        assert kept.fields.source_id is not None  # links kept
        assert ws.sources.list()[0].name == "Annuaire Lyon"
    finally:
        ws.close()


def test_a_contact_whose_list_was_lost_is_kept_without_it(db_path: Path, clock):
    ws = open_workspace(db_path, clock=clock)
    _fill(ws, 30, source="Salon 2026")
    ws.close()
    _overwrite_page(db_path, *_page_of(db_path, "sources", "first"))
    recovered = list(IntegrityService(db_path, clock).salvage())[-1]
    assert isinstance(recovered, Recovered)
    assert recovered.saved("sources") == 0 and recovered.saved("contacts") == 30
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM contacts WHERE source_id IS NULL").fetchone()[
            0
        ] == 30
    finally:
        conn.close()


def test_an_older_database_is_salvaged_at_its_revision_then_brought_up_to_date(
    tmp_path: Path, clock
):
    fixture = DB_FIXTURES / "0005_do_not_call_register.sqlite"
    path = tmp_path / "prospector.sqlite"
    shutil.copy(fixture, path)
    expected = _count(path, "contacts")
    assert expected > 0
    recovered = list(IntegrityService(path, clock).salvage())[-1]
    assert isinstance(recovered, Recovered) and recovered.saved("contacts") == expected
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
    finally:
        conn.close()
    open_workspace(path).close()


def test_without_a_good_backup_there_is_nothing_to_restore(db_path: Path, clock):
    ws = open_workspace(db_path, clock=clock)
    _fill(ws, 200)
    only = ws.backups.back_up().path
    ws.close()
    _damage(only)
    _damage(db_path)
    damaged = _digest(db_path)
    service = IntegrityService(db_path, clock)
    assert service.good_backup() is None
    with pytest.raises(NoGoodBackup) as caught:
        service.restore_backup()
    assert "Save what can still be read" in caught.value.user_message()
    assert _digest(db_path) == damaged


def test_the_backup_folder_the_rep_chose_is_searched_too(db_path: Path, tmp_path: Path, clock):
    chosen = tmp_path / "OneDrive-backups"
    chosen.mkdir()
    ws = open_workspace(db_path, clock=clock)
    _fill(ws, 200)
    ws.backups.set_folder(chosen)
    made = ws.backups.back_up().path
    ws.close()
    assert made.parent == chosen
    _damage(db_path)
    service = IntegrityService(db_path, clock)
    assert service.backup_folders()[0] == chosen.resolve()
    good = service.good_backup()
    assert good is not None and good.path == made


def _damaged_with_a_backup(db_path: Path, clock) -> str:  # type: ignore[no-untyped-def]
    """200 contacts, a backup of them, then the database damaged; returns its digest."""
    ws = open_workspace(db_path, clock=clock)
    _fill(ws, 200)
    ws.backups.back_up()
    ws.close()
    _damage(db_path)
    return _digest(db_path)


def test_a_restore_that_cannot_be_written_changes_nothing(
    db_path: Path, clock, monkeypatch: pytest.MonkeyPatch
):
    damaged = _damaged_with_a_backup(db_path, clock)
    files = sorted(p.name for p in db_path.parent.iterdir())

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(integrity_module, "swap_in", full)
    with pytest.raises(RecoveryFailed) as caught:
        IntegrityService(db_path, clock).restore_backup()
    assert caught.value.reason == "disk_full"
    assert "disk is full" in caught.value.user_message()
    assert _digest(db_path) == damaged
    assert sorted(p.name for p in db_path.parent.iterdir()) == files  # no half-made copy


def test_the_damaged_file_is_put_back_if_the_replacement_cannot_take_its_name(
    db_path: Path, clock, monkeypatch: pytest.MonkeyPatch
):
    from prospector.storage import recovery

    damaged = _damaged_with_a_backup(db_path, clock)
    real_replace = recovery.os.replace

    def replace(source, target):  # type: ignore[no-untyped-def]
        if Path(target) == db_path and Path(source).name.startswith("."):  # the replacement
            raise PermissionError(13, "Access is denied")
        return real_replace(source, target)

    monkeypatch.setattr(recovery.os, "replace", replace)
    with pytest.raises(RecoveryFailed) as caught:
        IntegrityService(db_path, clock).restore_backup()
    assert caught.value.reason == "not_allowed"
    assert _digest(db_path) == damaged
    assert not [p for p in db_path.parent.iterdir() if "damaged" in p.name or p.name[0] == "."]


def test_a_stopped_salvage_leaves_everything_as_it_was(db_path: Path, clock):
    ws = open_workspace(db_path, clock=clock)
    _fill(ws, 1200)  # more than one batch
    ws.close()
    _damage(db_path)
    damaged = _digest(db_path)
    files = sorted(p.name for p in db_path.parent.iterdir())
    steps = list(IntegrityService(db_path, clock).salvage(should_stop=lambda: True))
    assert steps and not any(isinstance(s, Recovered) for s in steps)
    assert _digest(db_path) == damaged
    assert sorted(p.name for p in db_path.parent.iterdir()) == files


def test_recovery_errors_read_as_plain_words(db_path: Path):
    for error in (
        NoGoodBackup(db_path, [db_path.parent / "backups"]),
        RecoveryFailed(db_path, "disk_full"),
        integrity_module.SalvageFailed(db_path, "malformed"),
    ):
        assert isinstance(error, UserFacingError)
        message = error.user_message()
        assert "prospector.sqlite" in message and message.endswith(".")
        assert "damaged file" in message
