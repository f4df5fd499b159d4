"""Import a lead list: preview it, then bring it in as one transaction that Cancel undoes.

The import is a generator that yields progress after each batch and honours a stop flag; the
window runs it on a worker thread, the command line runs it inline. Everything it writes (the
source, the import run, contacts, merges) is in one transaction: Cancel, a crash or a killed
process leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.backups import BackupReason
from prospector.domain.clock import Clock, system_clock
from prospector.domain.contacts import CleanContact
from prospector.importers.cleaning import RowCleaner, RowProblem
from prospector.importers.csv_rows import MAX_CELL, CsvFileError, CsvRows
from prospector.importers.csv_rows import MAX_NOTED as CSV_NOTED
from prospector.importers.detect import FileKind, detect_file_kind
from prospector.importers.mapping import ColumnMapping, Target, guess_mapping, guess_region
from prospector.importers.parallel import CleaningWorker, ReaderSpec
from prospector.importers.rejected_rows import RejectedRow, write_rejected_csv
from prospector.importers.rows import ReadProgress, RowSource
from prospector.importers.sheet_rows import BLANK_RUN_END, SheetRows, sheet_names
from prospector.importers.sheet_rows import MAX_NOTED as SHEET_NOTED
from prospector.importers.table import Column, column_letter, read_table
from prospector.services.bulk_work import fewer_collections
from prospector.services.import_templates import ImportTemplate, ImportTemplates
from prospector.services.settings import SettingsService
from prospector.storage.do_not_call_repository import flag_contacts_of_import_run
from prospector.storage.import_repository import (
    ContactBatchWriter,
    DuplicateMatch,
    ImportRunRepository,
)
from prospector.storage.known_keys import KnownKeys
from prospector.storage.source_repository import SourceRepository
from prospector.worker_processes import workers_available

if TYPE_CHECKING:
    from prospector.services.backups import BackupService

log = logging.getLogger(__name__)

__all__ = [
    "BLANK_RUN_ROWS",  # the report's words name these limits of the readers
    "MAX_CELL",
    "ColumnMapping",  # the window builds mappings through this module, never the importers
    "DuplicateMatch",
    "DuplicatePolicy",
    "ImportPreview",
    "ImportProgress",
    "ImportRequest",
    "ImportService",
    "ReadingNotes",
    "Target",
]


class DuplicatePolicy(StrEnum):
    SKIP = "skip"  # keep what is in the database, drop the new row
    MERGE = "merge"  # fill the existing contact's empty fields, never overwrite
    IMPORT = "import"  # add the row as a new contact anyway


@dataclass(frozen=True)
class ImportPreview:
    kind: FileKind
    described: str
    sheets: list[str]
    header_row: int
    columns: list[Column]
    mapping: ColumnMapping
    encoding: str | None
    delimiter: str | None
    region: str  # how numbers without a country code will be read
    template: str | None = None  # the saved matching used, by its name


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    source_name: str
    source_kind: str = "purchased_list"
    vendor: str | None = None
    cost_cents: int | None = None
    currency: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: ColumnMapping | None = None  # None: a saved template, else guessed
    duplicates: DuplicatePolicy = DuplicatePolicy.MERGE
    # The user's choice for single duplicate rows (the file's row numbers), over ``duplicates``.
    decisions: Mapping[int, DuplicatePolicy] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportProgress:
    status: str  # 'running', then 'completed', 'checked' (a dry run) or 'cancelled'
    rows_read: int
    fraction: float | None
    imported: int
    merged: int
    skipped: int
    rejected: int
    rows_per_s: float
    import_run_id: int | None = None
    problems: tuple[RowProblem, ...] = field(default=(), repr=False)
    duplicates: tuple[DuplicateMatch, ...] = field(default=(), repr=False)
    columns: tuple[str, ...] = field(default=(), repr=False)
    rejected_rows: tuple[RejectedRow, ...] = field(default=(), repr=False)
    # Contacts of the run found on the do-not-call register: flagged, never offered for calls.
    do_not_call: int = 0

    @property
    def finished(self) -> bool:
        return self.status != "running"

    def reading_notes(self) -> ReadingNotes:
        """What reading the file changed or left unread, gathered from ``problems`` for the
        summary at the top of a report (the rows are listed among the problems too)."""
        formulas, stop = 0, None
        cut: list[tuple[int, str]] = []
        nul: list[int] = []
        for problem in self.problems:
            code = problem.code
            if code == CELL_CUT:
                cut.append((problem.row, problem.detail))
            elif code == ROW_NUL_REMOVED:
                nul.append(problem.row)
            elif code == FORMULAS_WITHOUT_VALUE:
                formulas = int(problem.detail)
            elif code == BLANK_RUN_STOP:
                stop = int(problem.detail)
        return ReadingNotes(formulas, stop, tuple(cut), tuple(nul))


@dataclass(frozen=True)
class ReadingNotes:
    """The file-level part of an import's report; the words are the window's and the CLI's.

    The readers list the first ``NOTES_KEPT`` cut cells and NUL rows, so a list that long
    means "at least" that many (``cut_cells_at_least``, ``nul_rows_at_least``).
    """

    formulas_without_value: int = 0  # formula cells saved without a result: read as empty
    blank_run_stop: int | None = None  # reading stopped at this row (a long blank run began)
    cut_cells: tuple[tuple[int, str], ...] = ()  # (row, column name) cut to MAX_CELL characters
    nul_rows: tuple[int, ...] = ()  # rows NUL characters were removed from

    @property
    def cut_cells_at_least(self) -> bool:
        return len(self.cut_cells) >= NOTES_KEPT

    @property
    def nul_rows_at_least(self) -> bool:
        return len(self.nul_rows) >= NOTES_KEPT


class _Cancelled(Exception):
    pass


class _DryRunDone(Exception):
    """Raised inside the transaction to roll a checking run back."""


# File-level notes, not tied to a row (row 0, first among the problems): formulas whose result
# was never saved (detail: how many), and where a run of BLANK_RUN_ROWS blank rows stopped the
# reading of a sheet that goes on below it (detail: the run's first row).
FORMULAS_WITHOUT_VALUE = "file.formulas_without_value"
BLANK_RUN_STOP = "file.blank_run_stop"
BLANK_RUN_ROWS = BLANK_RUN_END
# What the reader changed in a row, listed among that row's problems: a cell cut to Excel's
# MAX_CELL characters (detail: its column's name), NUL characters removed (detail: empty).
CELL_CUT = "cell.cut"
ROW_NUL_REMOVED = "row.nul_removed"
READING_NOTE_CODES = frozenset({FORMULAS_WITHOUT_VALUE, BLANK_RUN_STOP, CELL_CUT, ROW_NUL_REMOVED})
NOTES_KEPT = min(CSV_NOTED, SHEET_NOTED)  # the readers keep the first ones of each kind
MAX_REJECTED_KEPT = 100_000  # rows kept for the "save rejected rows" file; more are counted


def open_rows(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    region: str | None = None,
) -> tuple[FileKind, RowSource]:
    """The right reader for a file, chosen by its content, not its name.

    Raises:
        UserFacingError: the file is not a list we can read, saying what it is and what to do.
    """
    kind = detect_file_kind(path)
    if kind == FileKind.CSV:
        return kind, CsvRows(path, encoding=encoding, delimiter=delimiter, region=region)
    return kind, SheetRows(path, sheet)


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ImportService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: SettingsService,
        clock: Clock = system_clock,
        backups: BackupService | None = None,
    ) -> None:
        """With ``backups``, every import first copies the database (none: tests, benchmarks)."""
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._backups = backups
        self.templates = ImportTemplates(sessions)

    def _region_for(self, columns: list[Column], mapping: ColumnMapping) -> str:
        """The office's chosen country, else the one the list points at, else the locale's."""
        return (
            self._settings.chosen_default_country()
            or guess_region(columns, mapping)
            or self._settings.default_country()
        )

    def preview(
        self,
        path: Path,
        *,
        sheet: str | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> ImportPreview:
        """How the file reads: kind, sheets, header row, columns with samples, a mapping.

        A file whose headers match a saved template is read with the template's encoding and
        delimiter (unless the user chose others) and mapped as the rep mapped it last time.
        """
        region = self._settings.default_country()
        kind, source = open_rows(
            path, sheet=sheet, encoding=encoding, delimiter=delimiter, region=region
        )
        table = read_table(source)
        template = self.templates.for_headers([c.name for c in table.columns])
        if (
            template is not None
            and isinstance(source, CsvRows)
            and encoding is None
            and delimiter is None
            and (template.encoding, template.delimiter) != (source.encoding, source.delimiter)
        ):
            kind, templated = open_rows(
                path,
                encoding=template.encoding,
                delimiter=template.delimiter,
                region=region,
            )
            try:
                table, source = read_table(templated), templated
            except CsvFileError:  # this file is in another encoding than last time's
                log.info("%s does not read as %s: keeping the guess", path, template.encoding)
        mapping = template.mapping if template is not None else guess_mapping(table.columns)
        is_csv = isinstance(source, CsvRows)
        return ImportPreview(
            kind=kind,
            described=source.describe(),
            sheets=[] if is_csv else sheet_names(path),
            header_row=table.header_row,
            columns=table.columns,
            mapping=mapping,
            region=self._region_for(table.columns, mapping),
            encoding=source.encoding if isinstance(source, CsvRows) else None,
            delimiter=source.delimiter if isinstance(source, CsvRows) else None,
            template=template.name if template is not None else None,
        )

    def check_duplicates(
        self,
        request: ImportRequest,
        *,
        should_stop: Callable[[], bool] = lambda: False,
        batch_size: int = 1000,
    ) -> Iterator[ImportProgress]:
        """The whole import, rolled back at the end: its last step lists every duplicate.

        Running the real import's code (and not a look-alike) means the list the user decides
        on is exactly what the import will meet, duplicates inside the file included.
        """
        return self.run_import(
            request, should_stop=should_stop, batch_size=batch_size, dry_run=True
        )

    def run_import(
        self,
        request: ImportRequest,
        *,
        should_stop: Callable[[], bool] = lambda: False,
        batch_size: int = 1000,
        dry_run: bool = False,
    ) -> Iterator[ImportProgress]:
        """Import in batches inside ONE transaction, yielding progress; stop means rollback.

        Files of ``PARALLEL_MIN_BYTES`` or more (about 5,000 rows) are read and cleaned by a
        worker process (``importers/parallel.py``) while this one checks duplicates and
        writes; the results are the same either way (same rows, problems, duplicates and
        progress steps). Stop, an exception on either side, or closing this generator stops
        the worker too.
        """
        started = time.perf_counter()
        region = self._settings.default_country()
        _kind, source = open_rows(
            request.path,
            sheet=request.sheet,
            encoding=request.encoding,
            delimiter=request.delimiter,
            region=region,
        )
        if self._backups is not None and not dry_run:
            # Before anything is written; a failed backup (BackupFailed) stops the import here.
            self._backups.back_up(BackupReason.BEFORE_IMPORT)
            started = time.perf_counter()  # the rate counts reading and writing, not the copy
        worker = _cleaning_worker(source)
        try:
            with fewer_collections():
                yield from self._run(
                    request, source, worker, should_stop, batch_size, dry_run, started
                )
        finally:
            if worker is not None:
                worker.close()
            if isinstance(source, CsvRows):
                source.close()  # also when the import stopped half-way through the file

    def _run(
        self,
        request: ImportRequest,
        source: RowSource,
        worker: CleaningWorker | None,
        should_stop: Callable[[], bool],
        batch_size: int,
        dry_run: bool,
        started: float,
    ) -> Iterator[ImportProgress]:
        if worker is None:
            table = read_table(source)
            table_columns = table.columns
        else:  # the worker finds the header (a workbook is read whole: not in this process)
            _header_row, table_columns = worker.table()
        column_names = [c.name for c in table_columns]
        template = self.templates.for_headers(column_names)
        mapping = request.mapping or (
            template.mapping if template else guess_mapping(table_columns)
        )
        region = self._region_for(table_columns, mapping)
        counts = {
            "read": 0,
            "imported": 0,
            "merged": 0,
            "skipped": 0,
            "rejected": 0,
            "do_not_call": 0,
        }
        problems: list[RowProblem] = []
        rejected_rows: list[RejectedRow] = []
        matches: list[DuplicateMatch] = []
        now = self._clock()
        file_hash = _file_hash(request.path)

        def progress(status: str, run_id: int | None = None) -> ImportProgress:
            done = source.progress() if worker is None else worker.progress()
            fraction = done.done / done.total if done.total else None
            elapsed = max(time.perf_counter() - started, 1e-6)
            final = status != "running"
            return ImportProgress(
                status=status,
                rows_read=counts["read"],
                fraction=min(fraction, 1.0) if fraction is not None else None,
                imported=counts["imported"],
                merged=counts["merged"],
                skipped=counts["skipped"],
                rejected=counts["rejected"],
                rows_per_s=counts["read"] / elapsed,
                import_run_id=run_id,
                problems=tuple(problems) if final else (),
                duplicates=tuple(matches) if final else (),
                columns=tuple(column_names),
                rejected_rows=tuple(rejected_rows) if final else (),
                do_not_call=counts["do_not_call"],
            )

        try:
            with self._sessions.begin() as session:
                sources = SourceRepository(session)
                source_id = sources.find_by_name(request.source_name) or sources.add(
                    request.source_name,
                    request.source_kind,
                    now,
                    vendor=request.vendor,
                    cost_cents=request.cost_cents,
                    currency=request.currency,
                )
                runs = ImportRunRepository(session)
                run_id = runs.start(
                    source_id=source_id,
                    file_name=request.path.name,
                    file_hash=file_hash,
                    sheet=request.sheet,
                    mapping=mapping.to_json(),
                    now=now,
                )
                writer = ContactBatchWriter(
                    session,
                    run_id,
                    policy=request.duplicates.value,
                    now=now,
                    decisions={row: p.value for row, p in request.decisions.items()},
                )
                try:
                    if worker is not None:
                        worker.start(mapping, region, source_id, batch_size, _known_keys(session))
                        for part in worker.batches():
                            counts["read"] = part.read
                            problems.extend(part.problems)
                            for number, cells, reasons in part.rejected:
                                counts["rejected"] += 1
                                if len(rejected_rows) < MAX_REJECTED_KEPT:
                                    rejected_rows.append(RejectedRow(number, cells, reasons))
                            if part.final:
                                break
                            writer.expect_rows(_estimated_rows(part.read, part.progress))
                            writer.write(part.contacts, counts)
                            if should_stop():
                                raise _Cancelled
                            yield progress("running")
                        if should_stop():
                            raise _Cancelled
                        writer.expect_rows(part.read)
                        writer.write(part.contacts, counts)
                        for name, value in part.reader_notes.items():
                            setattr(source, name, value)
                        _note_reading(source, column_names, problems)
                        _note_formulas_count(part.formulas_without_value, problems)
                    else:
                        cleaner = RowCleaner(table_columns, mapping, region, source_id=source_id)
                        batch: list[tuple[int, CleanContact]] = []
                        for raw in table.data:
                            counts["read"] += 1
                            cleaned = cleaner.clean(raw)
                            problems.extend(cleaned.problems)
                            if cleaned.contact is None:
                                counts["rejected"] += 1
                                if len(rejected_rows) < MAX_REJECTED_KEPT:
                                    reasons = tuple(p.code for p in cleaned.problems)
                                    rejected_rows.append(
                                        RejectedRow(raw.number, raw.cells, reasons)
                                    )
                            else:
                                batch.append((cleaned.row, cleaned.contact))
                            if len(batch) >= batch_size:
                                writer.expect_rows(
                                    _estimated_rows(counts["read"], source.progress())
                                )
                                writer.write(batch, counts)
                                batch.clear()
                                if should_stop():
                                    raise _Cancelled
                                yield progress("running")
                        if should_stop():
                            raise _Cancelled
                        writer.expect_rows(counts["read"])
                        writer.write(batch, counts)
                        _note_reading(source, column_names, problems)
                        _note_formulas(source, problems)
                    matches.extend(writer.label_matches() if dry_run else writer.matches)
                    if dry_run:
                        raise _DryRunDone
                    writer.finish()
                    # The run's contacts are all in now, indexed and searchable, inside the
                    # transaction: steps over the whole run go here, before it is committed.
                    flagged = flag_contacts_of_import_run(session, run_id, self._clock())
                    counts["do_not_call"] = len(flagged)
                    runs.finish(run_id, counts, self._clock())
                    self.templates.save(
                        session,
                        ImportTemplate(
                            name=request.vendor
                            or (template.name if template else request.source_name),
                            headers=tuple(column_names),
                            mapping=mapping,
                            encoding=source.encoding if isinstance(source, CsvRows) else None,
                            delimiter=source.delimiter if isinstance(source, CsvRows) else None,
                        ),
                    )
                finally:
                    writer.close()
        except _Cancelled:
            log.info("Import of %s cancelled after %d rows", request.path, counts["read"])
            yield progress("cancelled")
            return
        except _DryRunDone:
            log.info("Checked %s: %d possible duplicates", request.path, len(matches))
            yield progress("checked")
            return
        log.info("Imported %s: %s", request.path, counts)
        yield progress("completed", run_id)

    def save_rejected_rows(
        self, result: ImportProgress, path: Path, describe: dict[str, str] | None = None
    ) -> int:
        """Write the rows the import could not take, with a reason column, to ``path``."""
        return write_rejected_csv(path, list(result.columns), result.rejected_rows, describe)


def _known_keys(session: Session) -> KnownKeys | None:
    """What the cleaning worker reads the database's duplicate keys from (its own read-only
    connection: it reads once this transaction holds the write lock), or None in memory."""
    database = session.get_bind().url.database
    if not database or database == ":memory:":
        return None
    return KnownKeys(database)


def _estimated_rows(read: int, done: ReadProgress) -> int | None:
    """The list's length judged from how far reading got (bytes or rows): for the writer."""
    if not done.total or not done.done:
        return None
    return round(read * done.total / done.done)


def _note_reading(source: RowSource, columns: list[str], problems: list[RowProblem]) -> None:
    """The reader's notes as problems: the blank-run stop at the start (row 0), cut cells
    and NUL rows among their rows' problems, before those (the reader changed the row first)."""
    cut: list[tuple[int, int]] = getattr(source, "cut_cells", [])
    nul: list[int] = getattr(source, "nul_rows", [])
    if cut or nul:
        notes = [RowProblem(row, CELL_CUT, _column_label(columns, index)) for row, index in cut]
        notes += [RowProblem(row, ROW_NUL_REMOVED, "") for row in nul]
        notes.sort(key=lambda p: p.row)  # stable: a row's cut cells before its NUL note
        problems[:] = heapq.merge(notes, problems, key=lambda p: p.row)
    stop = getattr(source, "blank_run_stop", None)
    if stop is not None:
        problems.insert(0, RowProblem(0, BLANK_RUN_STOP, str(stop)))


def _column_label(columns: list[str], index: int) -> str:
    """A column's name, or 'Column H' past the header or for a name too long to show."""
    if index < len(columns) and len(columns[index]) <= 80:
        return columns[index]
    return f"Column {column_letter(index)}"


def _note_formulas(source: RowSource, problems: list[RowProblem]) -> None:
    _note_formulas_count(getattr(source, "formulas_without_value", 0), problems)


def _note_formulas_count(count: int, problems: list[RowProblem]) -> None:
    if count:
        problems.insert(0, RowProblem(0, FORMULAS_WITHOUT_VALUE, str(count)))


# Lists from this size on are read and cleaned by a worker process (see importers/parallel.py)
# while this process checks duplicates and writes; smaller ones are done inline, where starting
# a process (~0.3 s) would cost more than it saves.
PARALLEL_MIN_BYTES = 1_000_000


def _cleaning_worker(source: RowSource) -> CleaningWorker | None:
    if not isinstance(source, CsvRows | SheetRows) or not workers_available():
        return None
    try:
        if source.path.stat().st_size < PARALLEL_MIN_BYTES:
            return None
    except OSError:
        return None
    try:
        return CleaningWorker(ReaderSpec.of(source))
    except OSError as exc:  # no process to be had (limits, sandbox): clean inline instead
        log.warning("Import worker not started (%s): cleaning in this process", exc)
        return None
