"""A backup taken while another connection writes is a whole, healthy database (F15)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert

from prospector.storage import tables as t
from prospector.storage.backup import backup_database
from prospector.storage.engine import make_engine

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
PER_BATCH = 3  # contacts written by each transaction, with their own list


def _write_batch(engine: Engine, number: int) -> None:
    """One transaction: a list named batch-N and its three contacts (search-indexed by
    trigger, so the search table must follow in the copy too)."""
    with engine.begin() as conn:
        source_id = conn.execute(
            insert(t.Source.__table__).values(
                uuid=str(uuid.uuid4()),
                name=f"batch-{number}",
                kind="purchased_list",
                created_at=NOW,
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(t.Contact.__table__),
            [
                {
                    "uuid": str(uuid.uuid4()),
                    "first_name": f"Contact {i}",
                    "last_name": f"Batch {number}",
                    "company": f"Company {number}",
                    "stage": "suspect",
                    "temperature": "cold",
                    "source_id": source_id,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(PER_BATCH)
            ],
        )


def _check_copy(path: Path) -> int:
    """The copy passes integrity_check and holds batches 0..n-1, each whole; returns n."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        sizes = dict(
            conn.execute(
                "SELECT s.name, count(c.id) FROM sources s LEFT JOIN contacts c"
                " ON c.source_id = s.id WHERE s.name LIKE 'batch-%' GROUP BY s.id"
            ).fetchall()
        )
        assert set(sizes.values()) <= {PER_BATCH}, sizes
        numbers = sorted(int(name.removeprefix("batch-")) for name in sizes)
        assert numbers == list(range(len(numbers)))  # committed in order: a prefix of them
        contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM contacts_fts").fetchone()[0]
        assert contacts == indexed == len(numbers) * PER_BATCH
        return len(numbers)
    finally:
        conn.close()


def test_backups_taken_while_another_connection_writes_hold_whole_transactions(
    db_path: Path, tmp_path: Path
):
    engine = make_engine(db_path)  # the app's connections
    writer_engine = make_engine(db_path)  # another connection, as a second thread would have
    for number in range(300):  # enough pages that a copy is not instant
        _write_batch(writer_engine, number)
    written = {"n": 300}
    stop = threading.Event()
    started = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                _write_batch(writer_engine, written["n"])
                written["n"] += 1
                started.set()
        except BaseException as exc:  # reported below: a thread's exception is not raised
            failures.append(exc)
            started.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert started.wait(30)
        copies = [backup_database(engine, tmp_path / "backups", label="manual") for _ in range(8)]
    finally:
        stop.set()
        writer.join()
        engine.dispose()
        writer_engine.dispose()
    assert failures == []

    counts = [_check_copy(path) for path in copies]
    assert counts == sorted(counts)  # each copy a later moment than the one before
    assert counts[0] >= 300 and counts[-1] <= written["n"]


def test_a_transaction_still_open_is_not_in_the_backup(db_path: Path, tmp_path: Path):
    engine = make_engine(db_path)
    for number in range(2):
        _write_batch(engine, number)
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock through the backup
        writer.execute("DELETE FROM contacts")
        copy = backup_database(engine, tmp_path / "backups", label="manual")
        writer.execute("COMMIT")
    finally:
        writer.close()
        engine.dispose()
    assert _check_copy(copy) == 2
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_backup_is_one_self_contained_file(db_path: Path, tmp_path: Path):
    engine = make_engine(db_path)
    _write_batch(engine, 0)
    copy = backup_database(engine, tmp_path / "backups", label="daily")
    engine.dispose()
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]  # no -wal, -shm or .partial
    assert copy.name.startswith("prospector-") and copy.name.endswith("-daily.sqlite")
    assert copy.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: opens read-only anywhere
