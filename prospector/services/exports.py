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

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.errors import UserFacingError
from prospector.exporters.csv_sheet import CsvFormat, CsvSheet
from prospector.exporters.sheet import Column, Kind
from prospector.exporters.target_file import TargetFile
from prospector.exporters.xlsx_book import XlsxBook
from prospector.storage.contact_export import ContactExportReader

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


# -- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportField:
    """A column an export can hold: its English header, its kind and the stored columns it
    is made from."""

    header: str
    kind: Kind
    needs: tuple[str, ...]


FIELDS: dict[str, ExportField] = {
    "name": ExportField("Name", Kind.TEXT, ("first_name", "last_name", "full_name")),
    "first_name": ExportField("First name", Kind.TEXT, ("first_name",)),
    "last_name": ExportField("Last name", Kind.TEXT, ("last_name",)),
    "full_name": ExportField("Full name", Kind.TEXT, ("full_name",)),
    "company": ExportField("Company", Kind.TEXT, ("company",)),
    "title": ExportField("Job title", Kind.TEXT, ("title",)),
    "phone": ExportField("Phone", Kind.CODE, ("phone",)),
    "mobile": ExportField("Mobile", Kind.CODE, ("mobile",)),
    "any_phone": ExportField("Phone", Kind.CODE, ("phone", "mobile")),
    "email": ExportField("Email", Kind.TEXT, ("email",)),
    "website": ExportField("Website", Kind.TEXT, ("website",)),
    "address": ExportField("Address", Kind.TEXT, ("address",)),
    "postal_code": ExportField("Postal code", Kind.CODE, ("postal_code",)),
    "city": ExportField("City", Kind.TEXT, ("city",)),
    "country": ExportField("Country", Kind.TEXT, ("country",)),
    "birthday": ExportField("Birthday", Kind.DATE, ("birthday",)),
    "stage": ExportField("Stage", Kind.TEXT, ("stage",)),
    "temperature": ExportField("Temperature", Kind.TEXT, ("temperature",)),
    "score": ExportField("Score", Kind.INTEGER, ("score",)),
    "fit_grade": ExportField("Fit grade", Kind.TEXT, ("fit_grade",)),
    "estimated_value": ExportField("Estimated value", Kind.CENTS, ("estimated_value_cents",)),
    "do_not_call": ExportField("Do not call", Kind.BOOLEAN, ("do_not_call",)),
    "next_follow_up": ExportField("Next follow-up", Kind.DATETIME, ("next_follow_up",)),
    "last_called": ExportField("Last call", Kind.DATETIME, ("last_called_at",)),
    "source": ExportField("List", Kind.TEXT, ("source_id",)),
    "created": ExportField("Added", Kind.DATETIME, ("created_at",)),
    "updated": ExportField("Last changed", Kind.DATETIME, ("updated_at",)),
}

EVERY_FIELD: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "phone",
    "mobile",
    "email",
    "website",
    "address",
    "postal_code",
    "city",
    "country",
    "birthday",
    "stage",
    "temperature",
    "score",
    "fit_grade",
    "estimated_value",
    "do_not_call",
    "next_follow_up",
    "last_called",
    "source",
    "created",
    "updated",
)
"""What "everything" writes, in this order, before the custom fields."""

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


STAGE_WORDS: Mapping[Stage, str] = {
    Stage.SUSPECT: "Suspect",
    Stage.LEAD: "Lead",
    Stage.PROSPECT: "Prospect",
    Stage.CUSTOMER: "Customer",
    Stage.REPEAT_CUSTOMER: "Repeat customer",
    Stage.DISQUALIFIED: "Disqualified",
    Stage.NOT_INTERESTED: "Not interested",
    Stage.DO_NOT_CALL: "Do not call",
}
TEMPERATURE_WORDS: Mapping[Temperature, str] = {
    Temperature.HOT: "Hot",
    Temperature.WARM: "Warm",
    Temperature.COLD: "Cold",
}


@dataclass(frozen=True)
class ExportLabels:
    """The words the file shows; the command line's English unless the window passes its own."""

    headers: Mapping[str, str] = field(default_factory=dict)  # field key -> header
    stages: Mapping[Stage, str] = field(default_factory=lambda: dict(STAGE_WORDS))
    temperatures: Mapping[Temperature, str] = field(default_factory=lambda: dict(TEMPERATURE_WORDS))
    yes: str = "yes"
    no: str = "no"
    sheet_title: str = "Contacts"

    def header(self, key: str) -> str:
        return self.headers.get(key) or FIELDS[key].header


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


def _never() -> bool:
    return False


# -- turning stored rows into export rows ------------------------------------------------------


class _RowPlan:
    """Which stored columns to read, and how a stored row becomes the export row.

    Each field's first stored column sits at the field's own position, so a stored row becomes
    the export row in place: most fields are the stored value as it is, a few are fixed up
    (stage words, list names, local times, a name made of three columns). Columns a field needs
    besides its first, and the custom fields, come after and are cut off.
    """

    def __init__(
        self,
        fields: Sequence[str],
        custom_keys: Sequence[str],
        labels: ExportLabels,
        sources: Mapping[int, str],
        zone: tzinfo | None,
    ) -> None:
        self.stored = [FIELDS[key].needs[0] for key in fields]
        extra: dict[str, int] = {}
        for key in fields:
            for name in FIELDS[key].needs[1:]:
                extra.setdefault(name, len(self.stored) + len(extra))
        self.stored += list(extra)
        self._width = len(fields)
        self._custom_at: int | None = None
        if custom_keys:
            self._custom_at = len(self.stored)
            self.stored.append("custom_fields")
        local = _local_time(zone)
        self._fixes = [
            fix
            for i, key in enumerate(fields)
            if (fix := self._fix(key, i, extra, labels, sources, local)) is not None
        ]
        self._custom_keys = list(custom_keys)
        headers = [labels.header(key) for key in fields]
        self.columns = [Column(h, FIELDS[k].kind) for h, k in zip(headers, fields, strict=True)]
        self.columns += [Column(h, Kind.TEXT) for h in _unique(custom_keys, taken=headers)]

    @staticmethod
    def _fix(
        key: str,
        i: int,
        extra: Mapping[str, int],
        labels: ExportLabels,
        sources: Mapping[int, str],
        local: Callable[[datetime], datetime],
    ) -> Callable[[list[list[Any]]], None] | None:
        """What turns a batch's stored values at ``i`` into the field's (None: nothing to do)."""
        if key == "name":  # as the table shows it: first and last name, else the full name
            last, full = extra["last_name"], extra["full_name"]

            def name(batch: list[list[Any]]) -> None:
                for row in batch:
                    first = row[i]
                    if first and row[last]:
                        row[i] = f"{first} {row[last]}"
                    elif not first:
                        row[i] = row[last] or row[full]

            return name
        if key == "any_phone":  # the table's Phone column: the phone, else the mobile
            mobile = extra["mobile"]

            def any_phone(batch: list[list[Any]]) -> None:
                for row in batch:
                    if not row[i]:
                        row[i] = row[mobile]

            return any_phone
        words: dict[Any, str] | None = None
        if key == "stage":
            words = {s.value: w for s, w in labels.stages.items()}
        elif key == "temperature":
            words = {x.value: w for x, w in labels.temperatures.items()}
        elif key == "source":
            words = {**sources, None: ""}
        if words is not None:
            lookup = words.get

            def word(batch: list[list[Any]]) -> None:
                for row in batch:
                    value = row[i]
                    row[i] = lookup(value, value)

            return word
        if FIELDS[key].kind is Kind.DATETIME:

            def when(batch: list[list[Any]]) -> None:
                for row in batch:
                    if row[i] is not None:
                        row[i] = local(row[i])

            return when
        return None

    def rows(self, batches: Iterator[list[list[Any]]]) -> Iterator[list[list[Any]]]:
        """The export rows, batch by batch (the stored rows, changed in place)."""
        fixes, width = self._fixes, self._width
        keys, custom_at = self._custom_keys, self._custom_at
        blanks = [""] * len(keys)
        trim = len(self.stored) > width
        for batch in batches:
            for fix in fixes:
                fix(batch)
            if custom_at is not None:
                for row in batch:
                    custom = row[custom_at]
                    del row[width:]
                    row += [custom.get(k, "") for k in keys] if custom else blanks
            elif trim:
                for row in batch:
                    del row[width:]
            yield batch


def _local_time(zone: tzinfo | None) -> Callable[[datetime], datetime]:
    """Aware UTC -> naive wall time in ``zone`` (spreadsheets have no zones), remembered:
    an import stamps thousands of contacts with the same moment."""
    memo: dict[datetime, datetime] = {}

    def local(moment: datetime) -> datetime:
        found = memo.get(moment)
        if found is None:
            if len(memo) >= 50_000:
                memo.clear()
            found = memo[moment] = moment.astimezone(zone).replace(tzinfo=None)
        return found

    return local


def _unique(names: Sequence[str], taken: Sequence[str]) -> list[str]:
    """Custom field names as headers, made distinct from the standard ones ("City (2)")."""
    seen = {n.casefold() for n in taken}
    unique = []
    for name in names:
        candidate, n = name, 2
        while candidate.casefold() in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate.casefold())
        unique.append(candidate)
    return unique


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
        with self._sessions() as session:  # one read transaction: count and rows agree
            reader = ContactExportReader(session)
            total = reader.count(request.query)
            custom = reader.custom_field_keys(request.query) if request.fields is None else []
            plan = _RowPlan(fields, custom, request.labels, reader.source_names(), request.zone)
            yield ExportProgress(0, total, path)
            rows = chain.from_iterable(plan.rows(reader.rows(request.query, plan.stored)))
            written, cancelled, shown = 0, False, 0
            step = max(total // PROGRESS_STEPS, 1)
            with TargetFile(path) as target:  # removed unless committed
                steps = _write(target, kind, plan.columns, rows, request, total)
                try:
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


def _write(
    target: TargetFile,
    kind: ExportFormat,
    columns: list[Column],
    rows: Iterator[list[Any]],
    request: ExportRequest,
    total: int,
) -> Iterator[int]:
    """Write the rows into the target's temporary file; yields the running count.

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
            yield from book.write_sheet(labels.sheet_title, columns, rows, expected_rows=total)
            book.close()
        else:
            sheet = CsvSheet(target.stream, _csv_format(request.csv, labels))
            yield from sheet.write_sheet(labels.sheet_title, columns, rows)
        finished = True
    except OSError as exc:
        raise target.write_failed(exc) from exc
    finally:
        if book is not None and not finished:
            book.abandon()  # stopped or failed: no zip directory for half a workbook


def _csv_format(options: CsvOptions, labels: ExportLabels) -> CsvFormat:
    return CsvFormat(
        delimiter=options.delimiter,
        encoding=options.encoding,
        decimal_comma=options.delimiter == ";",  # the Excel that wants ';' wants 1234,50 too
        true_text=labels.yes,
        false_text=labels.no,
    )
