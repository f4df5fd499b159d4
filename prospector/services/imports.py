"""Import a lead list: preview it, then bring it in as one transaction that Cancel undoes.

The import is a generator that yields progress after each batch and honours a stop flag; the
window runs it on a worker thread, the command line runs it inline. Everything it writes (the
source, the import run, contacts, merges) is in one transaction: Cancel, a crash or a killed
process leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.contacts import CleanContact
from prospector.importers.cleaning import RowCleaner, RowProblem
from prospector.importers.csv_rows import CsvRows
from prospector.importers.detect import FileKind, detect_file_kind
from prospector.importers.mapping import ColumnMapping, Target, guess_mapping, guess_region
from prospector.importers.rows import RowSource
from prospector.importers.sheet_rows import SheetRows, sheet_names
from prospector.importers.table import Column, read_table
from prospector.services.settings import SettingsService
from prospector.storage.import_repository import ContactBatchWriter, ImportRunRepository
from prospector.storage.source_repository import SourceRepository

log = logging.getLogger(__name__)

__all__ = [
    "ColumnMapping",  # the window builds mappings through this module, never the importers
    "DuplicatePolicy",
    "ImportPreview",
    "ImportProgress",
    "ImportRequest",
    "ImportService",
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
    mapping: ColumnMapping | None = None  # None: guessed from the headers and values
    duplicates: DuplicatePolicy = DuplicatePolicy.MERGE


@dataclass(frozen=True)
class ImportProgress:
    status: str  # 'running', 'completed', 'cancelled'
    rows_read: int
    fraction: float | None
    imported: int
    merged: int
    skipped: int
    rejected: int
    rows_per_s: float
    import_run_id: int | None = None
    problems: tuple[RowProblem, ...] = field(default=(), repr=False)

    @property
    def finished(self) -> bool:
        return self.status != "running"


class _Cancelled(Exception):
    pass


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
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

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
        region = self._settings.default_country()
        kind, source = open_rows(
            path, sheet=sheet, encoding=encoding, delimiter=delimiter, region=region
        )
        table = read_table(source)
        mapping = guess_mapping(table.columns)
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
        )

    def run_import(
        self,
        request: ImportRequest,
        *,
        should_stop: Callable[[], bool] = lambda: False,
        batch_size: int = 1000,
    ) -> Iterator[ImportProgress]:
        """Import in batches inside ONE transaction, yielding progress; stop means rollback."""
        started = time.perf_counter()
        region = self._settings.default_country()
        _kind, source = open_rows(
            request.path,
            sheet=request.sheet,
            encoding=request.encoding,
            delimiter=request.delimiter,
            region=region,
        )
        table = read_table(source)
        mapping = request.mapping or guess_mapping(table.columns)
        region = self._region_for(table.columns, mapping)
        counts = {"read": 0, "imported": 0, "merged": 0, "skipped": 0, "rejected": 0}
        problems: list[RowProblem] = []
        now = self._clock()
        file_hash = _file_hash(request.path)

        def progress(status: str, run_id: int | None = None) -> ImportProgress:
            done = source.progress()
            fraction = done.done / done.total if done.total else None
            elapsed = max(time.perf_counter() - started, 1e-6)
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
                problems=tuple(problems) if status != "running" else (),
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
                cleaner = RowCleaner(table.columns, mapping, region, source_id=source_id)
                writer = ContactBatchWriter(
                    session, run_id, merge=request.duplicates.value, now=now
                )
                batch: list[tuple[int, CleanContact]] = []
                for raw in table.data:
                    counts["read"] += 1
                    cleaned = cleaner.clean(raw)
                    problems.extend(cleaned.problems)
                    if cleaned.contact is None:
                        counts["rejected"] += 1
                    else:
                        batch.append((cleaned.row, cleaned.contact))
                    if len(batch) >= batch_size:
                        writer.write(batch, counts)
                        batch.clear()
                        if should_stop():
                            raise _Cancelled
                        yield progress("running")
                if should_stop():
                    raise _Cancelled
                writer.write(batch, counts)
                writer.finish()
                runs.finish(run_id, counts, self._clock())
        except _Cancelled:
            log.info("Import of %s cancelled after %d rows", request.path, counts["read"])
            yield progress("cancelled")
            return
        log.info("Imported %s: %s", request.path, counts)
        yield progress("completed", run_id)
