"""Export contacts to Excel (.xlsx) or CSV: the table as shown, or every field of everyone.

``ExportService.run_export()`` is a generator (like the import): it yields progress every few
hundred rows, honours a stop flag and writes through a temporary file, so Cancel, an error or a
crash never leaves half a file where the rep asked for one. The rows and the count they are
checked against come from one read transaction; a file with fewer (or more) rows than the
query counts is never saved.

What is written:

- "the view": the table's visible columns in the order shown, for its search, filters and
  sort (``view_fields()`` maps the table's columns to export fields);
- "everything" (``fields=None``): every field of every matching contact, the do-not-call flag
  among them, then one column per custom field (columns an import could not map).

Header words and the names of stages and temperatures come from the caller (the window passes
its translations; the command line keeps these English defaults).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.query import ContactQuery, SortKey
from prospector.errors import UserFacingError
from prospector.exporters.csv_sheet import CsvFormat, CsvSheet
from prospector.exporters.sheet import Column
from prospector.exporters.target_file import TargetFile
from prospector.exporters.xlsx_book import XlsxBook
from prospector.services.bulk_work import fewer_collections
from prospector.services.csv_export_part import PartSpec, PartWorker, chunk_cuts
from prospector.services.export_plan import EVERY_FIELD, FIELDS, ExportLabels, RowPlan
from prospector.storage.contact_export import ContactExportReader
from prospector.storage.export_rows import ExportSlice, split_statements, writers_held
from prospector.worker_processes import workers_available

log = logging.getLogger(__name__)


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


_SUFFIXES = {".xlsx": ExportFormat.XLSX, ".csv": ExportFormat.CSV, ".txt": ExportFormat.CSV}


class UnsupportedExportFormat(UserFacingError):
    """The file name does not end in a format Prospector writes."""

    code = "export.format"

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: no export format for {path.suffix!r}")
        self.path = path

    def user_message(self) -> str:
        return (
            f"Prospector cannot save “{self.path.name}”: end the file name with .xlsx (Excel) "
            "or .csv."
        )


class ExportIncomplete(UserFacingError):
    """Fewer (or more) rows were written than the query counts: the file was not saved."""

    code = "export.incomplete"

    def __init__(self, expected: int, written: int) -> None:
        super().__init__(f"export wrote {written} rows, the query counts {expected}")
        self.expected = expected
        self.written = written

    def user_message(self) -> str:
        return (
            f"The export read {self.written:,} contacts where {self.expected:,} were expected, "
            "so the file was not saved. Try again; if it happens again, please send the log "
            "file to support."
        )


def export_format(path: Path) -> ExportFormat:
    """The format a file name asks for.

    Raises:
        UnsupportedExportFormat: neither .xlsx nor .csv (or .txt).
    """
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise UnsupportedExportFormat(path)
    return found


_VIEW_FIELDS: dict[SortKey, str] = {
    SortKey.NAME: "name",
    SortKey.COMPANY: "company",
    SortKey.PHONE: "any_phone",
    SortKey.EMAIL: "email",
    SortKey.CITY: "city",
    SortKey.STAGE: "stage",
    SortKey.TEMPERATURE: "temperature",
    SortKey.SOURCE: "source",
    SortKey.NEXT_FOLLOW_UP: "next_follow_up",
    SortKey.UPDATED: "updated",
}


def view_fields(columns: Sequence[SortKey]) -> tuple[str, ...]:
    """The export fields of the contact table's columns (given by their sort keys), same order:
    the table's Phone column shows the phone, else the mobile, and so does the export."""
    return tuple(_VIEW_FIELDS[c] for c in columns)


@dataclass(frozen=True)
class CsvOptions:
    """The CSV setting a rep can change: ';' and an old code page for older Excel setups."""

    delimiter: str = ","
    encoding: str = "utf-8-sig"


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    query: ContactQuery = field(default_factory=ContactQuery)
    fields: tuple[str, ...] | None = None  # None: every field and the custom fields
    csv: CsvOptions = field(default_factory=CsvOptions)
    labels: ExportLabels = field(default_factory=ExportLabels)
    zone: tzinfo | None = None  # times are written in this zone; None: the computer's


@dataclass(frozen=True)
class ExportProgress:
    written: int
    total: int
    path: Path
    status: str = "running"  # running, done, cancelled

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def fraction(self) -> float:
        return min(self.written / self.total, 1.0) if self.total else 1.0


PROGRESS_STEPS = 200
"""At most this many progress steps per export, whatever its size (the stop flag is read
every few hundred rows all the same)."""


PARALLEL_CSV_ROWS = 50_000
"""A CSV of this many rows or more is written by two processes (see csv_export_part)."""


def _never() -> bool:
    return False


# -- the service -------------------------------------------------------------------------------


class ExportService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def count(self, query: ContactQuery) -> int:
        with self._sessions() as session:
            return ContactExportReader(session).count(query)

    def run_export(
        self, request: ExportRequest, should_stop: Callable[[], bool] = _never
    ) -> Iterator[ExportProgress]:
        """Write the contacts of ``request`` to ``request.path``; yields progress, and last a
        step with status ``done`` or ``cancelled`` (nothing was saved then).

        Raises:
            UnsupportedExportFormat: the file name ends in neither .xlsx nor .csv.
            ExportNotSaved: the folder is missing or read-only, the disk is full, or the file
                is open in Excel; a file already at ``path`` is left as it was.
            CharacterNotInEncoding: a CSV in an old code page cannot hold a character.
            ExportIncomplete: the rows written differ from the count (nothing is saved).
        """
        kind = export_format(request.path)
        path = request.path
        fields = request.fields if request.fields is not None else EVERY_FIELD
        unknown = [f for f in fields if f not in FIELDS]
        if unknown or not fields:
            raise ValueError(f"unknown export fields {unknown}")
        # A CSV may be written by two processes: they must read the same data (see
        # csv_export_part), so writers wait from before this read starts.
        database = self._database_file() if kind is ExportFormat.CSV else None
        with contextlib.ExitStack() as stack:
            let_writers_in = stack.enter_context(writers_held(database)) if database else None
            session = stack.enter_context(self._sessions())  # one read: count and rows agree
            reader = ContactExportReader(session)
            total = reader.count(request.query)
            part = None
            if let_writers_in is not None:
                if total >= PARALLEL_CSV_ROWS:  # it starts while the rest is prepared
                    part = _start_part(let_writers_in)
                if part is None:
                    let_writers_in()
                else:
                    stack.callback(part.close)
            custom = reader.custom_field_keys(request.query) if request.fields is None else []
            sources = reader.source_names()
            csv_format = _csv_format(request.csv, request.labels)
            plan = RowPlan(fields, custom, request.labels, sources, request.zone)
            statements = reader.statements(request.query, plan.stored, total)
            yield ExportProgress(0, total, path)
            written, cancelled, shown = 0, False, 0
            step = max(total // PROGRESS_STEPS, 1)
            target = stack.enter_context(TargetFile(path))  # removed unless committed
            if part is None:
                everything = [(sql, ps) for sql, ps, _ in statements]
                batches = plan.rows(reader.read(everything, plan.stored))
                steps = _write(target, kind, plan.columns, batches, csv_format, request, total)
            else:
                chunks = split_statements(statements, chunk_cuts(total))
                conversions = reader.conversions(plan.stored)
                part.begin(
                    PartSpec(database, chunks, conversions, tuple(fields), custom,
                             request.labels, sources, request.zone, csv_format)
                )  # fmt: skip

                def chunk_rows(index: int) -> Iterator[list[list[Any]]]:
                    batches = reader.read(chunks[index].statements, plan.stored, ahead=False)
                    return plan.rows(batches)

                steps = _write_in_two(
                    target, plan.columns, chunks, chunk_rows, csv_format, request, part
                )
            try:
                with fewer_collections():
                    for written in steps:
                        if should_stop():
                            cancelled = True
                            break
                        if written - shown >= step:  # a bar needs no more than this
                            shown = written
                            yield ExportProgress(written, total, path)
            finally:
                steps.close()
            if not cancelled:
                if written != total:
                    raise ExportIncomplete(total, written)
                target.commit()
        if cancelled:
            log.info("Export to %s cancelled at %d of %d rows", path.name, written, total)
            yield ExportProgress(written, total, path, "cancelled")
            return
        log.info("Exported %d contacts to a %s file", written, kind.value)
        yield ExportProgress(written, total, path, "done")

    def _database_file(self) -> Path | None:
        """The database's file, when a second process may share the export's work (None: a
        database in memory, a single core, or a frozen build without worker support)."""
        if (os.cpu_count() or 1) < 2 or not workers_available():
            return None
        bind = self._sessions.kw.get("bind")
        name = bind.url.database if bind is not None else None
        return Path(name) if name and name != ":memory:" else None


def _start_part(let_writers_in: Callable[[], None]) -> PartWorker | None:
    """The second process, starting; None when none can be started."""
    try:
        return PartWorker(let_writers_in)
    except (OSError, RuntimeError) as exc:  # no process to be had: one process does it all
        log.warning("The export runs in one process: a second could not start (%s)", exc)
        return None


def _write(
    target: TargetFile,
    kind: ExportFormat,
    columns: list[Column],
    batches: Iterator[list[list[Any]]],
    csv_format: CsvFormat,
    request: ExportRequest,
    total: int,
) -> Iterator[int]:
    """Write the rows, which come in batches, into the target's temporary file; yields the
    running count.

    Raises:
        ExportNotSaved: an OS error while writing (the disk is full, the stick was pulled).
    """
    assert target.stream is not None
    labels = request.labels
    book: XlsxBook | None = None
    finished = False
    try:
        if kind is ExportFormat.XLSX:
            book = XlsxBook(target.stream, [labels.sheet_title])
            rows = chain.from_iterable(batches)
            yield from book.write_sheet(labels.sheet_title, columns, rows, expected_rows=total)
            book.close()
        else:
            sheet = CsvSheet(target.stream, csv_format)
            yield from sheet.write_batches(labels.sheet_title, columns, batches)
        finished = True
    except OSError as exc:
        raise target.write_failed(exc) from exc
    finally:
        if book is not None and not finished:
            book.abandon()  # stopped or failed: no zip directory for half a workbook


def _write_in_two(
    target: TargetFile,
    columns: list[Column],
    chunks: list[ExportSlice],
    rows: Callable[[int], Iterator[list[list[Any]]]],
    fmt: CsvFormat,
    request: ExportRequest,
    part: PartWorker,
) -> Iterator[int]:
    """A CSV written by this process and ``part``: this one writes chunks from the front
    (``rows(i)`` gives chunk i's rows in batches), then appends the chunks the other wrote,
    or writes them itself when that process failed; yields the running count of both.

    Raises:
        ExportNotSaved: an OS error while writing.
        CharacterNotInEncoding: in any chunk.
    """
    assert target.stream is not None
    title = request.labels.sheet_title
    own = 0
    try:
        steps = CsvSheet(target.stream, fmt).write_batches(title, columns, rows(0))
        while True:
            for count in steps:
                part.poll()
                yield own + count + part.written()
            own += count
            index = part.next_chunk()
            if index is None:
                break
            sheet = CsvSheet(target.stream, fmt)
            steps = sheet.write_batches(
                title, columns, rows(index), rows_before=chunks[index].first
            )
        for theirs in part.wait():
            yield own + theirs
        if not part.failed:
            yield own + part.copy_into(target.stream)
            return
        log.warning(
            "The export's second process failed; this one writes its rows: %s", part.failure
        )
        for index in part.their_chunks():
            sheet = CsvSheet(target.stream, fmt)
            for count in sheet.write_batches(
                title, columns, rows(index), rows_before=chunks[index].first
            ):
                yield own + count
            own += count
    except OSError as exc:
        raise target.write_failed(exc) from exc


def _csv_format(options: CsvOptions, labels: ExportLabels) -> CsvFormat:
    return CsvFormat(
        delimiter=options.delimiter,
        encoding=options.encoding,
        decimal_comma=options.delimiter == ";",  # the Excel that wants ';' wants 1234,50 too
        true_text=labels.yes,
        false_text=labels.no,
    )
