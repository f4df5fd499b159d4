"""A big CSV written by two processes is the file one process writes, byte for byte.

The worker process is real (spawned, as in the app). Tests that need it to write chunks hold
the export until the worker has taken every chunk it can (``worker_takes_the_rest``): left to
itself, the export's own process would write a few hundred test rows before the worker starts.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import tempfile
from collections import deque
from pathlib import Path

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.exporters.csv_sheet import CharacterNotInEncoding
from prospector.services import exports
from prospector.services.csv_export_part import PartWorker, chunk_cuts
from prospector.services.exports import CsvOptions, ExportRequest
from prospector.storage.export_rows import ExportSlice, split_statements, writers_held

COMPANIES = ["Abbott, Green and Andrews", 'The "Best" Bakery', "=1+1", "+33 shop", "Plain Ltd"]
NAMES = [("Émile", "Zola"), ("Игор", "Петровски"), ("Ana", "Ionescu"), (None, "Martin")]


@pytest.fixture
def many(workspace) -> int:
    """Three hundred contacts with every kind of awkward value, over three lists."""
    sources = [workspace.sources.add(name, "purchased_list") for name in ("A", "B", "C")]
    stages = list(Stage)
    for n in range(300):
        first, last = NAMES[n % len(NAMES)]
        workspace.contacts.add(
            ContactFields(
                first_name=first,
                last_name=f"{last}{n % 17}" if last else None,
                company=COMPANIES[n % len(COMPANIES)],
                address="3, rue de la Paix\nBâtiment B" if n % 7 == 0 else "12 Main St",
                phone=f"+33 4 72 00 {n % 100:02d} 01",
                city=["Lyon", "Скопје", None][n % 3],
                postal_code="01000",
                stage=stages[n % len(stages)],
                temperature=list(Temperature)[n % 3],
                estimated_value_cents=12_345 if n % 11 == 0 else None,
                source_id=sources[n % 3],
            )
        )
    return 300


@pytest.fixture
def part_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The worker's temporary files go here, so a test can see none is left."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _export(workspace, path: Path, **kwargs) -> object:
    return deque(workspace.exports.run_export(ExportRequest(path, **kwargs)), maxlen=1)[0]


def _one_process(workspace, path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs) -> bytes:
    with monkeypatch.context() as m:
        m.setattr(exports, "PARALLEL_CSV_ROWS", 10**9)
        _export(workspace, path, **kwargs)
    return path.read_bytes()


def worker_takes_the_rest(
    monkeypatch: pytest.MonkeyPatch,
    before_it_reads=None,
    spoil_last_chunk: bool = False,
    before_it_starts=None,
) -> list[PartWorker]:
    """Every export starts a worker, which writes every chunk but the first before the export
    writes anything (``before_it_starts`` runs before the worker is given its work, once the
    export's read has started; ``before_it_reads`` once the worker's read has started)."""
    started: list[PartWorker] = []
    real_begin = PartWorker.begin

    def begin(self: PartWorker, spec) -> None:  # type: ignore[no-untyped-def]
        if spoil_last_chunk:  # the worker's first chunk is the last: it fails there
            chunks = list(spec.chunks)
            last = chunks[-1]
            bad = [("SELECT no_such_column FROM contacts", [])] + last.statements
            chunks[-1] = ExportSlice(bad, last.first, last.rows)
            spec = dataclasses.replace(spec, chunks=chunks)
        if before_it_starts is not None:
            before_it_starts()
        real_begin(self, spec)
        started.append(self)
        while not self._ready and not self.failed:
            self.poll()
        if before_it_reads is not None:
            before_it_reads()
        deque(self.wait(), maxlen=0)

    monkeypatch.setattr(exports, "PARALLEL_CSV_ROWS", 1)
    monkeypatch.setattr(PartWorker, "begin", begin)
    return started


# -- the slices ----------------------------------------------------------------------------------


def test_slices_cover_every_row_once_in_order_whatever_the_statements(tmp_path: Path):
    db = sqlite3.connect(tmp_path / "rows.sqlite")
    db.execute("CREATE TABLE t (g INTEGER, n INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(n % 3, n) for n in range(50)])
    groups = [
        ("SELECT n FROM t WHERE g = ? ORDER BY n DESC", [g], 50 // 3 + (g < 50 % 3))
        for g in (2, 0, 1)
    ]
    whole = [("SELECT n FROM t ORDER BY n", [], 50)]
    for statements in (groups, whole):
        expected = [r for sql, params, _ in statements for r in db.execute(sql, params)]
        for cuts in ([], [0], [50], [17], [16, 17, 18], [1, 33, 34, 49], chunk_cuts(50)):
            slices = split_statements(statements, cuts)
            got = [
                r for s in slices for sql, params in s.statements for r in db.execute(sql, params)
            ]
            assert got == expected, (statements, cuts)
            assert [s.first for s in slices] == [0, *cuts]
            assert sum(s.rows for s in slices) == 50


def test_the_write_lock_is_held_until_let_go_and_never_waited_for(tmp_path: Path):
    path = tmp_path / "locked.sqlite"
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    with writers_held(path) as let_go:
        assert let_go is not None
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO t VALUES (1)")
        let_go()
        other.execute("INSERT INTO t VALUES (1)")
    other.execute("BEGIN IMMEDIATE")  # another writer holds it: nobody waits, one process
    with writers_held(path) as let_go:
        assert let_go is None
    other.execute("ROLLBACK")


# -- the export ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        ContactQuery(),
        ContactQuery(sort=SortKey.STAGE),
        ContactQuery(sort=SortKey.SOURCE, descending=True),
        ContactQuery(text="Lyon"),
    ],
    ids=["name", "stage", "list", "search"],
)
def test_the_worker_writes_what_one_process_would(
    workspace, many, tmp_path: Path, part_files: Path, monkeypatch, query: ContactQuery
):
    alone = _one_process(workspace, tmp_path / "one.csv", monkeypatch, query=query)
    started = worker_takes_the_rest(monkeypatch)
    last = _export(workspace, tmp_path / "two.csv", query=query)
    assert (tmp_path / "two.csv").read_bytes() == alone
    assert last.status == "done" and last.written == workspace.exports.count(query)
    (worker,) = started
    assert worker.their_chunks() == list(range(1, len(chunk_cuts(1)) + 1))  # all but the first
    assert not worker.failed and list(part_files.iterdir()) == []


def test_the_worker_reads_what_the_export_counted_not_a_later_change(
    workspace, many, tmp_path: Path, part_files: Path, monkeypatch, db_path: Path
):
    alone = _one_process(workspace, tmp_path / "one.csv", monkeypatch)

    def a_colleague_saves() -> None:  # once the worker's read has started: writers may go on
        other = sqlite3.connect(db_path, timeout=5)
        with other:
            other.execute("UPDATE contacts SET company = 'Changed meanwhile'")
            other.execute("DELETE FROM contacts WHERE id % 2 = 0")
        other.close()

    def a_colleague_cannot_save_yet() -> None:  # the export has counted, the worker not read
        other = sqlite3.connect(db_path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("UPDATE contacts SET company = 'Too early'")
        other.close()

    worker_takes_the_rest(
        monkeypatch,
        before_it_starts=a_colleague_cannot_save_yet,
        before_it_reads=a_colleague_saves,
    )
    _export(workspace, tmp_path / "two.csv")
    assert (tmp_path / "two.csv").read_bytes() == alone
    assert workspace.exports.count(ContactQuery()) == many // 2  # the change did commit


@pytest.mark.allow_log_warnings
def test_when_the_worker_fails_the_export_writes_its_rows(
    workspace, many, tmp_path: Path, part_files: Path, monkeypatch, caplog
):
    alone = _one_process(workspace, tmp_path / "one.csv", monkeypatch)
    started = worker_takes_the_rest(monkeypatch, spoil_last_chunk=True)
    last = _export(workspace, tmp_path / "two.csv")
    assert (tmp_path / "two.csv").read_bytes() == alone and last.written == many
    (worker,) = started
    assert worker.failed and "no_such_column" in worker.failure
    assert "second process failed" in caplog.text
    assert list(part_files.iterdir()) == []


def test_a_character_the_code_page_lacks_in_the_workers_rows_saves_nothing(
    workspace, tmp_path: Path, part_files: Path, monkeypatch
):
    for n in range(60):
        workspace.contacts.add(ContactFields(first_name="Léa", last_name=f"Aubert{n:02d}"))
    workspace.contacts.add(ContactFields(first_name="Ştefan", last_name="Popa"))  # sorted last
    path = tmp_path / "old-excel.csv"
    options = CsvOptions(";", "cp1252")
    monkeypatch.setattr(exports, "PARALLEL_CSV_ROWS", 10**9)
    with pytest.raises(CharacterNotInEncoding) as alone:
        _export(workspace, path, csv=options)
    started = worker_takes_the_rest(monkeypatch)
    with pytest.raises(CharacterNotInEncoding) as caught:
        _export(workspace, path, csv=options)
    # The worker met it (in the last chunk) and named the row by its number in the whole file.
    assert started[0].their_chunks()[-1] == len(chunk_cuts(61))
    assert (
        (caught.value.row, caught.value.column)
        == (alone.value.row, alone.value.column)
        == (
            62,
            "First name",
        )
    )
    assert not path.exists() and list(part_files.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cancel_while_the_worker_writes_leaves_nothing(
    workspace, many, tmp_path: Path, part_files: Path, monkeypatch
):
    started: list[PartWorker] = []
    real_init = PartWorker.__init__

    def init(self: PartWorker, on_ready) -> None:  # type: ignore[no-untyped-def]
        real_init(self, on_ready)
        started.append(self)

    monkeypatch.setattr(exports, "PARALLEL_CSV_ROWS", 1)
    monkeypatch.setattr(PartWorker, "__init__", init)
    path = tmp_path / "big.csv"
    steps = list(workspace.exports.run_export(ExportRequest(path), lambda: True))
    assert steps[-1].status == "cancelled"
    assert not path.exists() and list(part_files.iterdir()) == []
    (worker,) = started
    assert worker._closed and worker._process._closed  # stopped and waited for
