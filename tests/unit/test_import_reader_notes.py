"""What the readers change while reading reaches the import's report, and the worker's log.

A cell cut to Excel's 32,767 characters, NUL characters removed from a row, and a long run of
blank rows that stopped the reading of a sheet are listed among the problems (by row) and said
in plain words by the command line; the inline loop and the worker process report them alike.
What the worker process logs lands in the importing process's log.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import subprocess
import sys
import textwrap
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

import prospector.services.imports as imports
from prospector.cli import _reading_lines, main
from prospector.importers.mapping import guess_mapping
from prospector.importers.parallel import LOG_QUEUE_RECORDS, CleaningWorker, ReaderSpec
from prospector.importers.sheet_rows import BLANK_RUN_END, SheetRows
from prospector.services.imports import (
    BLANK_RUN_STOP,
    CELL_CUT,
    MAX_CELL,
    NOTES_KEPT,
    ROW_NUL_REMOVED,
    ImportRequest,
    ReadingNotes,
)
from prospector.services.workspace import open_workspace
from tests.unit.test_import_speedups import spy_on_workers
from tests.unit.test_workbooks import _patch_part

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
WORKER = "prospector-import-cleaner"  # the worker process's name, kept by its log records


def _csv(path: Path, rows: int = 30) -> Path:
    """Rows 14 and 20 hold a 40,000-character note; rows 3, 5 and 7 NUL bytes in a name."""
    lines = ["Name,Phone,Notes"]
    for row in range(2, rows + 2):
        note = "x" * 40_000 if row in (14, 20) else "ok"
        name = f"An\x00a {row}" if row in (3, 5, 7) else f"Ana {row}"
        lines.append(f"{name},06 12 34 56 {row % 100:02d},{note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _xlsx(path: Path) -> Path:
    """Five contacts (row 3 with a 40,000-character note, row 4 with a NUL written as Excel
    writes it, ``_x0000_``), then BLANK_RUN_END + 5 blank rows, then two more contacts."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Notes"])
    for index in range(5):
        note = "LONG-NOTE" if index == 1 else "ok"
        name = "Ana_x0000_ Pop" if index == 2 else f"Ana {index}"
        sheet.append([name, f"06 12 34 56 {index:02d}", note])
    below = 7 + BLANK_RUN_END + 5
    for index, row in enumerate((below, below + 1)):
        sheet.cell(row, 1, f"Bob {index}")
        sheet.cell(row, 2, f"06 98 76 54 {index:02d}")
    book.save(path)
    # openpyxl cuts text to Excel's limit itself: put the long note in as LibreOffice would.
    _patch_part(
        path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"LONG-NOTE", b"y" * 40_000)
    )
    return path


def _workspace(template: Path, folder: Path, name: str):
    path = folder / f"{name}.sqlite"
    shutil.copy(template, path)
    ws = open_workspace(path, clock=lambda: NOW, backups=False)
    ws.settings.set_default_country("FR")
    return ws


def _both_paths(template: Path, folder: Path, path: Path, monkeypatch) -> dict:
    """The final step of the same import, inline and in the worker process."""
    started = spy_on_workers(monkeypatch)
    results = {}
    for name, threshold in (("inline", 10**15), ("worker", 0)):
        monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", threshold)
        ws = _workspace(template, folder, name)
        results[name] = deque(ws.imports.run_import(ImportRequest(path, "List")), maxlen=1)[0]
        ws.close()
        assert len(started) == (name == "worker")
    assert not multiprocessing.active_children()
    return results


def _cli(db: Path, path: Path, capsys, *options: str) -> str:
    assert main(["import", str(path), "--db", str(db), "--source", "List", *options]) == 0
    return capsys.readouterr().out


# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cut_cells_and_nul_rows_of_a_csv_are_reported_alike_inline_and_by_the_worker(
    migrated_template: Path, tmp_path: Path, monkeypatch
):
    path = _csv(tmp_path / "notes.csv")
    results = _both_paths(migrated_template, tmp_path, path, monkeypatch)
    inline, worker = results["inline"], results["worker"]
    assert inline.status == worker.status == "completed"
    assert inline.imported == worker.imported == 30
    assert inline.problems == worker.problems
    assert inline.reading_notes() == worker.reading_notes()
    noted = [(p.row, p.code, p.detail) for p in inline.problems]
    assert noted == [
        (3, ROW_NUL_REMOVED, ""),
        (5, ROW_NUL_REMOVED, ""),
        (7, ROW_NUL_REMOVED, ""),
        (14, CELL_CUT, "Notes"),
        (20, CELL_CUT, "Notes"),
    ]
    notes = inline.reading_notes()
    assert notes.cut_cells == ((14, "Notes"), (20, "Notes")) and not notes.cut_cells_at_least
    assert notes.nul_rows == (3, 5, 7) and notes.blank_run_stop is None


@pytest.mark.slow
def test_a_long_blank_run_is_reported_alike_inline_and_by_the_worker(
    migrated_template: Path, tmp_path: Path, monkeypatch, caplog
):
    caplog.set_level(logging.INFO)  # the worker logs at the level this process logs at
    path = _xlsx(tmp_path / "gap.xlsx")
    results = _both_paths(migrated_template, tmp_path, path, monkeypatch)
    inline, worker = results["inline"], results["worker"]
    assert inline.imported == worker.imported == 5  # Bob, below the blank rows, was not read
    assert inline.problems == worker.problems
    noted = [(p.row, p.code, p.detail) for p in inline.problems]
    assert noted == [(0, BLANK_RUN_STOP, "7"), (3, CELL_CUT, "Notes"), (4, ROW_NUL_REMOVED, "")]
    assert inline.reading_notes().blank_run_stop == 7
    # The reader's own record of the stop, logged in the worker, reached this process's log.
    stopped = [r for r in caplog.records if r.getMessage().startswith("Stopped reading")]
    assert [r.processName for r in stopped] == ["MainProcess", WORKER]
    assert stopped[1].name == "prospector.importers.sheet_rows"


def test_the_command_line_says_what_reading_changed(db_path: Path, tmp_path: Path, capsys):
    text = _cli(db_path, _xlsx(tmp_path / "gap.xlsx"), capsys)
    assert (
        "Reading stopped at row 7, where 1,000 blank rows in a row begin: nothing below them "
        "was read. If your list goes on below them, delete the blank rows and import again."
    ) in text
    assert (
        "1 cell was longer than a spreadsheet cell can hold (32,767 characters) and was cut: "
        "row 3 (Notes)."
    ) in text
    assert "Invisible NUL characters were removed from row 4." in text
    assert "values need a look" not in text  # the notes are said in words, not as codes

    report = json.loads(_cli(db_path, _csv(tmp_path / "notes.csv"), capsys, "--json"))
    assert report["notes"] == [
        "2 cells were longer than a spreadsheet cell can hold (32,767 characters) and were "
        "cut: row 14 (Notes) and row 20 (Notes).",
        "Invisible NUL characters were removed from 3 rows: 3, 5 and 7.",
    ]
    assert {"row": 14, "problem": CELL_CUT, "value": "Notes"} in report["problems"]


def test_capped_notes_are_counted_as_at_least(db_path: Path, tmp_path: Path, capsys):
    """The readers keep the first NOTES_KEPT of each kind: the report says "at least"."""
    # One NUL in 80-odd bytes: a text list still (a denser start is refused as binary).
    note = "called twice, ask for the office manager before noon"
    lines = ["Name,Phone,Notes"]
    lines += [f"Ana\x00 {row},0601{row:06d},{note}" for row in range(NOTES_KEPT + 200)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = _cli(db_path, path, capsys)
    assert (
        f"Invisible NUL characters were removed from at least {NOTES_KEPT:,} rows: 2, 3, 4, 5, "
        f"6 and at least {NOTES_KEPT - 5:,} more."
    ) in text
    # As many cut cells (a 33 MB file) would say the same; the words, from such a report:
    cut = tuple((row, "Notes") for row in range(2, NOTES_KEPT + 2))
    assert _reading_lines(ReadingNotes(cut_cells=cut)) == [
        f"At least {NOTES_KEPT:,} cells were longer than a spreadsheet cell can hold "
        f"({MAX_CELL:,} characters) and were cut: row 2 (Notes), row 3 (Notes), row 4 (Notes), "
        f"row 5 (Notes), row 6 (Notes) and at least {NOTES_KEPT - 5:,} more."
    ]


def test_a_list_starting_far_down_its_sheet_is_read(tmp_path: Path):
    """calamine yields the empty rows above a sheet's first used row: they are not a blank
    run after the list (a list starting on row 1,500 was once not read at all)."""
    book = openpyxl.Workbook()
    sheet = book.active
    first = BLANK_RUN_END + 500
    sheet.cell(first, 1, "Name")
    sheet.cell(first, 2, "Phone")
    sheet.cell(first + 1, 1, "Ana")
    sheet.cell(first + 1, 2, "0601")
    path = tmp_path / "far.xlsx"
    book.save(path)
    source = SheetRows(path)
    assert [r.number for r in source.rows()] == [first, first + 1]
    assert source.blank_run_stop is None


# ---------------------------------------------------------------------------------------------
# The worker's log records


@dataclass(frozen=True)
class LoudSpec(ReaderSpec):
    """A reader spec that logs before it opens the file, in the worker process (this module
    is imported there to unpickle it)."""

    records: int = 1
    size: int = 20
    started: str | None = None  # a file made once it runs, before it pauses
    pause: float = 0.0

    def open(self):
        loud = logging.getLogger("prospector.tests.loud_worker")
        for index in range(self.records):
            loud.warning("Worker warning %d %s", index, "w" * self.size)
        if self.started:
            Path(self.started).touch()
        time.sleep(self.pause)
        return super().open()


def _clean_through(worker: CleaningWorker, path: Path) -> int:
    _header, columns = worker.table()
    worker.start(guess_mapping(columns), "FR", None, 10)
    return sum(len(batch.contacts) for batch in worker.batches())


@pytest.mark.slow
@pytest.mark.allow_log_warnings
def test_a_warning_logged_in_the_worker_reaches_this_processs_log(tmp_path: Path, caplog):
    path = _csv(tmp_path / "notes.csv")
    with CleaningWorker(LoudSpec(path, True, encoding="utf-8", delimiter=",")) as worker:
        assert _clean_through(worker, path) == 30
    loud = [r for r in caplog.records if r.name == "prospector.tests.loud_worker"]
    assert [(r.levelno, r.getMessage(), r.processName) for r in loud] == [
        (logging.WARNING, "Worker warning 0 " + "w" * 20, WORKER)
    ]
    assert not multiprocessing.active_children()


@pytest.mark.slow
@pytest.mark.allow_log_warnings
def test_the_workers_log_is_bounded_and_never_holds_it_up(tmp_path: Path, caplog):
    """Records this process has not taken yet are bounded; more are dropped and counted, and
    the worker neither waits for them nor keeps the import from closing it."""
    caplog.set_level(logging.INFO)
    path = _csv(tmp_path / "notes.csv")
    spec = LoudSpec(path, True, encoding="utf-8", delimiter=",", records=3000, size=1000)
    started = time.monotonic()
    worker = CleaningWorker(spec)
    try:
        deadline = time.monotonic() + 30
        while not worker._logs.full() and time.monotonic() < deadline:  # noqa: SLF001
            time.sleep(0.05)
        assert _clean_through(worker, path) == 30
    finally:
        worker.close()
    assert time.monotonic() - started < 30
    loud = [r for r in caplog.records if r.name == "prospector.tests.loud_worker"]
    assert LOG_QUEUE_RECORDS <= len(loud) < 3000
    dropped = [r for r in caplog.records if r.getMessage().endswith("were dropped")]
    assert [r.getMessage() for r in dropped] == [
        f"{3000 - len(loud)} log records of the import's cleaning worker were dropped"
    ]
    assert not multiprocessing.active_children()


@pytest.mark.slow
def test_closing_the_worker_at_once_does_not_wait_on_its_log(tmp_path: Path, caplog):
    caplog.set_level(logging.INFO)
    path = _csv(tmp_path / "notes.csv")
    spec = LoudSpec(path, True, encoding="utf-8", delimiter=",", records=0)
    started = time.monotonic()
    for _ in range(2):
        CleaningWorker(spec).close()  # stopped before it read anything
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie nobody reaped yet


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_whose_import_process_dies_goes_away_at_once(tmp_path: Path):
    """Killed mid-import (the app crashed, or was killed), the import's process cannot stop
    its worker: the worker sees it gone and ends, even in the middle of a long read."""
    path = _csv(tmp_path / "notes.csv")
    started = tmp_path / "started"
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_import_reader_notes import LoudSpec
        from prospector.importers.parallel import CleaningWorker
        spec = LoudSpec(Path({str(path)!r}), True, encoding="utf-8", delimiter=",",
                        records=0, started={str(started)!r}, pause=300)
        worker = CleaningWorker(spec)
        print(worker.pid, flush=True)
        time.sleep(300)
        """
    )
    importing = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert importing.stdout is not None
        pid = int(importing.stdout.readline())
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists()  # the worker is in its (five-minute) read
        importing.kill()
        importing.wait(timeout=30)
        deadline = time.monotonic() + 10
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(pid)
    finally:
        importing.kill()
        importing.wait(timeout=30)
        importing.stdout.close()
