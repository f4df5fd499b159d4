"""The do-not-call register: import a file of phones and emails, flag every contact they match.

A do-not-call file comes from a national register, a vendor or a colleague: a bare column of
numbers without a header, or a sheet with Phone / Téléphone / E-mail columns among others. A
workbook is read sheet by sheet, every sheet that holds phones or emails (a register split by
region or by month must not lose its second sheet); the others are named in the preview.
The columns to read are found by their headers (the import's own guesses, in six languages)
or by their values, and every value is cleaned exactly as an import cleans a contact's phone
and email, so "01 23 45 67 89" in the file matches "+33 1 23 45 67 89" on a contact.

The import is a generator, like a list import: batches inside ONE transaction, progress after
each, a stop flag honoured. Cancel, a bad row that breaks the file or a crash writes nothing.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.backups import BackupReason
from prospector.domain.clock import Clock, system_clock
from prospector.domain.contacts import normalize_email, normalize_phone, tidy
from prospector.errors import UserFacingError
from prospector.importers.detect import FileKind
from prospector.importers.mapping import (
    ColumnMapping,
    Target,
    guess_region,
    guess_target,
    header_key,
)
from prospector.importers.rows import CellValue, RawRow, RowSource, cell_text, is_blank
from prospector.importers.sheet_rows import sheet_names
from prospector.importers.table import (
    Column,
    column_letter,
    column_samples,
    read_ahead,
    unique_names,
)
from prospector.services.imports import open_rows
from prospector.services.settings import SettingsService
from prospector.storage.do_not_call_repository import (
    EMAIL,
    PHONE,
    DoNotCallRepository,
    FlaggedContact,
    digits_of,
)

if TYPE_CHECKING:
    from prospector.services.backups import BackupService

log = logging.getLogger(__name__)

__all__ = [
    "DoNotCallColumn",
    "DoNotCallPreview",
    "DoNotCallProgress",
    "DoNotCallService",
    "FlaggedContact",
    "NoNumbersInFile",
    "UnreadableValue",
    "shown_value",
]

PREVIEW_ROWS = 5_000  # rows the preview counts; the import reads them all
SAMPLES = 5
NAMES_KEPT = 10  # flagged contacts named in the report
UNREADABLE_KEPT = 1_000
# A column without a telling header is read when this share of its values are phones/emails.
VALUE_SHARE = 0.5

_NUMBERISH = re.compile(r"^[+\d\s().\-/]+$")
_REASON_HEADERS = frozenset(
    header_key(h)
    for h in (
        "reason",
        "motif",
        "raison",
        "comment",
        "comments",
        "commentaire",
        "note",
        "notes",
        "grund",
        "bemerkung",
        "motiv",
        "razlog",
        "причина",
    )
)


class NoNumbersInFile(UserFacingError):
    """The file holds no column of phones or emails: nothing would be put on the list."""

    code = "dnc.no_values"

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: no column of phone numbers or email addresses")
        self.path = path

    def user_message(self) -> str:
        return (
            f"No phone numbers or email addresses were found in {self.path.name}. A do-not-call "
            "file needs a column of numbers or emails (with or without a header such as Phone "
            "or Email). Nothing was changed."
        )


@dataclass(frozen=True)
class DoNotCallColumn:
    """A column the import reads, with a few of its values as typed and as they will be kept."""

    index: int
    letter: str  # as Excel names it: 'A', 'B'…
    name: str  # the header, or "Column A" when the file has none
    by_header: bool  # chosen for its header (else for its values)
    headed: bool  # its table has a header row (else the column is known by its letter)
    samples: tuple[tuple[str, str | None], ...]  # (as typed, as kept; None: unreadable)
    sheet: str | None = None  # the workbook's sheet, when the file has several read


@dataclass(frozen=True)
class UnreadableValue:
    row: int  # as Excel numbers it
    column: str  # its name; "Sheet · name" when several sheets are read
    value: str


@dataclass(frozen=True)
class DoNotCallPreview:
    file_name: str
    described: str  # how the file was read ("text, cp1252, semicolon-separated")
    header_row: int | None  # None: the file starts with values, it has no header
    columns: tuple[DoNotCallColumn, ...]  # what will be read
    ignored: tuple[str, ...]  # the other columns, by name
    reason_column: str | None  # a Reason / Motif column kept with each value
    region: str  # how numbers without a country code are read
    rows_counted: int
    complete: bool  # False: the counts cover only the first PREVIEW_ROWS rows
    phones: int  # distinct values
    emails: int
    unreadable: int
    already_listed: int
    sheets: tuple[str, ...] = ()  # the sheets read, when more than one is
    other_sheets: tuple[str, ...] = ()  # sheets without phones or emails, not read


@dataclass(frozen=True)
class DoNotCallProgress:
    status: str  # 'running', then 'completed' or 'cancelled'
    file_name: str
    rows_read: int
    fraction: float | None
    phones_added: int = 0
    emails_added: int = 0
    already_listed: int = 0  # values on the register before this file
    repeated: int = 0  # values met again further down the same file
    flagged: int = 0  # contacts newly put on the do-not-call list
    flagged_names: tuple[str, ...] = ()
    unreadable_count: int = 0
    unreadable: tuple[UnreadableValue, ...] = field(default=(), repr=False)

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def added(self) -> int:
        return self.phones_added + self.emails_added


class _Cancelled(Exception):
    pass


@dataclass
class _Layout:
    header_row: int | None
    names: list[str]
    read: list[int]  # column indexes holding phones/emails
    by_header: set[int]
    reason: int | None
    body: list[RawRow]  # the rows read ahead, below the header


@dataclass
class _Part:
    """One table of the file to read: the CSV, or one sheet of a workbook."""

    sheet: str | None  # None: a CSV or a workbook of one sheet
    source: RowSource
    rows: Iterator[RawRow]  # the rows after the ones read ahead
    layout: _Layout
    named: bool = False  # its columns are named with the sheet (several sheets are read)

    def column(self, index: int) -> str:
        """A column's name as a rep finds it in the file."""
        name = self.layout.names[index]
        return f"{self.sheet} · {name}" if self.named else name


@dataclass
class _Reading:
    parts: list[_Part]
    region: str
    other_sheets: list[str]  # sheets of the workbook with no phones or emails


def read_value(raw: CellValue, region: str) -> tuple[str, str] | None | str:
    """One cell: (kind, value) when it is a phone or email, '' when blank, None when unreadable.

    The same cleaning as a list import (``normalize_phone`` / ``normalize_email``); a number
    that cannot be read in E.164 but has 6 to 15 digits is kept as its digits.
    """
    typed = tidy(cell_text(raw))
    if not typed:
        return ""
    if "@" in typed:
        email = normalize_email(typed)
        return (EMAIL, email) if email else None
    e164 = normalize_phone(typed, region)
    if e164:
        return PHONE, e164
    if _NUMBERISH.match(typed):
        digits = digits_of(typed)
        if digits:
            return PHONE, digits
    return None


def shown_value(value: str) -> str:
    """A kept value as a rep reads it: '+33 1 23 45 67 89' for '+33123456789'."""
    if not value.startswith("+"):
        return value
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class DoNotCallService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: SettingsService,
        clock: Clock = system_clock,
        *,
        backups: BackupService | None = None,
    ) -> None:
        """With ``backups``, a do-not-call file is imported only after a copy of the database."""
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._backups = backups

    # -- the register ----------------------------------------------------------------------------

    def count(self) -> dict[str, int]:
        """How many phones and emails are on the register: {'phone': n, 'email': m}."""
        with self._sessions() as session:
            return DoNotCallRepository(session).count()

    def is_listed(self, *, phone: str | None = None, email: str | None = None) -> bool:
        """Whether a phone (as typed, read with the office's country) or an email is listed."""
        with self._sessions() as session:
            repo = DoNotCallRepository(session)
            if phone:
                e164 = normalize_phone(phone.strip(), self._settings.default_country())
                value = e164 or digits_of(phone)
                if value and repo.is_listed(PHONE, value):
                    return True
            if email:
                normalized = normalize_email(email)
                if normalized and repo.is_listed(EMAIL, normalized):
                    return True
        return False

    # -- reading a file --------------------------------------------------------------------------

    def _open(self, path: Path) -> _Reading:
        """What to read in the file: each table holding phones or emails (a CSV, or each such
        sheet of a workbook, in the workbook's order), with its columns, and the region.

        Raises:
            UserFacingError: the file cannot be read, or holds no phones or emails.
        """
        default = self._settings.default_country()
        kind, first = open_rows(path, region=default)
        names = [] if kind == FileKind.CSV else sheet_names(path)
        tables: list[tuple[str | None, RowSource]] = [(None, first)]
        if len(names) > 1:  # read one by one, by name (the first opened above, so unnamed)
            tables = [(name, open_rows(path, sheet=name)[1]) for name in names]
        found: list[tuple[str | None, RowSource, Iterator[RawRow], list[RawRow]]] = []
        for sheet, source in tables:
            rows = source.rows()
            found.append((sheet, source, rows, read_ahead(rows)))
        region = self._settings.chosen_default_country() or default
        if self._settings.chosen_default_country() is None:  # as a list import reads numbers
            for _sheet, _source, _rows, ahead in found:
                layout = _find_layout(ahead, default)
                if layout is not None:  # the first table with numbers tells the country
                    columns = [
                        Column(i, layout.names[i], column_samples(layout.body, i, 10))
                        for i in layout.read
                    ]
                    mapping = ColumnMapping(fields={c.name: Target.PHONE for c in columns})
                    region = guess_region(columns, mapping) or default
                    break
        parts: list[_Part] = []
        other_sheets: list[str] = []
        for sheet, source, rows, ahead in found:
            layout = _find_layout(ahead, region) or _find_layout(ahead, default)
            if layout is None:
                if sheet is not None:
                    other_sheets.append(sheet)
                continue
            parts.append(_Part(sheet, source, rows, layout))
        if not parts:
            raise NoNumbersInFile(path)
        for part in parts:
            part.named = len(parts) > 1
        return _Reading(parts, region, other_sheets)

    def preview(self, path: Path) -> DoNotCallPreview:
        """What an import of this file would read: columns, samples, and counts.

        Counts cover the first ``PREVIEW_ROWS`` rows (``complete`` says if that was all).

        Raises:
            UserFacingError: the file cannot be read, or holds no phones or emails.
        """
        reading = self._open(path)
        region = reading.region
        values: dict[str, set[str]] = {PHONE: set(), EMAIL: set()}
        unreadable = counted = 0
        complete = True
        for part in reading.parts:
            layout = part.layout
            for row in chain(layout.body, part.rows):
                if is_blank(row.cells):
                    continue
                if counted >= PREVIEW_ROWS:
                    complete = False
                    break
                counted += 1
                for index in layout.read:
                    got = read_value(row.cells[index] if index < len(row.cells) else None, region)
                    if got is None:
                        unreadable += 1
                    elif got:
                        values[got[0]].add(got[1])
        with self._sessions() as session:
            repo = DoNotCallRepository(session)
            listed = sum(len(repo.already_listed(kind, vals)) for kind, vals in values.items())
        parts = reading.parts
        first = parts[0].layout
        columns = tuple(
            DoNotCallColumn(
                index=i,
                letter=column_letter(i),
                name=part.layout.names[i],
                by_header=i in part.layout.by_header,
                headed=part.layout.header_row is not None,
                samples=tuple(
                    (s, _kept(read_value(s, region)))
                    for s in column_samples(part.layout.body, i, SAMPLES)
                ),
                sheet=part.sheet if part.named else None,
            )
            for part in parts
            for i in part.layout.read
        )
        return DoNotCallPreview(
            file_name=path.name,
            described=parts[0].source.describe(),
            header_row=first.header_row,
            columns=columns,
            ignored=tuple(
                part.column(i)
                for part in parts
                for i in range(len(part.layout.names))
                if i not in part.layout.read and i != part.layout.reason
            ),
            reason_column=next(
                (part.column(p.reason) for part in parts if (p := part.layout).reason is not None),
                None,
            ),
            region=region,
            rows_counted=counted,
            complete=complete,
            phones=len(values[PHONE]),
            emails=len(values[EMAIL]),
            unreadable=unreadable,
            already_listed=listed,
            sheets=tuple(p.sheet for p in parts if p.sheet is not None),
            other_sheets=tuple(reading.other_sheets),
        )

    # -- importing a file ------------------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        *,
        reason: str | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        batch_size: int = 1000,
    ) -> Iterator[DoNotCallProgress]:
        """Put every phone and email of a file on the register and flag the contacts they match.

        One transaction: progress after each batch of rows; stop (or any error) rolls it all
        back. The last step is the report ('completed' or 'cancelled').

        Raises:
            UserFacingError: the file cannot be read, or holds no phones or emails.
        """
        reading = self._open(path)
        region = reading.region
        if self._backups is not None:  # it flags contacts: a copy first, as for any import
            self._backups.back_up(BackupReason.BEFORE_IMPORT)
        started = time.perf_counter()
        now = self._clock()
        origin = path.name[:500]
        why = f"listed in {path.name}"
        counts = {"read": 0, PHONE: 0, EMAIL: 0, "listed": 0, "repeated": 0, "unreadable": 0}
        unreadable: list[UnreadableValue] = []
        flagged: list[FlaggedContact] = []
        seen: set[str] = set()

        part_index = 0  # the table being read; each counts for an equal share of the bar

        def progress(status: str) -> DoNotCallProgress:
            done = reading.parts[part_index].source.progress()
            fraction = None
            if done.total:
                fraction = (part_index + done.done / done.total) / len(reading.parts)
            if status == "completed":
                fraction = 1.0
            final = status != "running"
            return DoNotCallProgress(
                status=status,
                file_name=path.name,
                rows_read=counts["read"],
                fraction=min(fraction, 1.0) if fraction is not None else None,
                phones_added=counts[PHONE],
                emails_added=counts[EMAIL],
                already_listed=counts["listed"],
                repeated=counts["repeated"],
                flagged=len(flagged),
                flagged_names=tuple(f.name for f in flagged[:NAMES_KEPT]) if final else (),
                unreadable_count=counts["unreadable"],
                unreadable=tuple(unreadable) if final else (),
            )

        try:
            with self._sessions.begin() as session:
                repo = DoNotCallRepository(session)
                batch: dict[str, dict[str, str | None]] = {PHONE: {}, EMAIL: {}}

                def write() -> None:
                    for kind, values in batch.items():
                        if not values:
                            continue
                        added = repo.add(kind, values, origin, now)
                        counts[kind] += len(added)
                        counts["listed"] += len(values) - len(added)
                    flagged.extend(
                        repo.flag_matching(
                            now, why, phones=batch[PHONE].keys(), emails=batch[EMAIL].keys()
                        )
                    )
                    batch[PHONE].clear()
                    batch[EMAIL].clear()

                started_at = 0
                for number, part in enumerate(reading.parts):
                    part_index = number  # what progress() reports
                    layout = part.layout
                    for row in chain(layout.body, part.rows):
                        if is_blank(row.cells):
                            continue
                        counts["read"] += 1
                        cells = row.cells
                        row_reason = reason
                        if layout.reason is not None and layout.reason < len(cells):
                            row_reason = tidy(cell_text(cells[layout.reason])) or reason
                        for index in layout.read:
                            got = read_value(cells[index] if index < len(cells) else None, region)
                            if got is None:
                                counts["unreadable"] += 1
                                if len(unreadable) < UNREADABLE_KEPT:
                                    shown = cell_text(cells[index]).strip()
                                    unreadable.append(
                                        UnreadableValue(row.number, part.column(index), shown)
                                    )
                            elif got:
                                kind, value = got
                                key = kind[0] + value
                                if key in seen:
                                    counts["repeated"] += 1
                                    continue
                                seen.add(key)
                                batch[kind][value] = row_reason
                        if counts["read"] - started_at >= batch_size:
                            started_at = counts["read"]
                            write()
                            if should_stop():
                                raise _Cancelled
                            yield progress("running")
                if should_stop():
                    raise _Cancelled
                write()
        except _Cancelled:
            log.info("Do-not-call import of %s cancelled after %d rows", path, counts["read"])
            yield progress("cancelled")
            return
        log.info(
            "Do-not-call import of %s: %s, %d contacts flagged in %.1f s",
            path,
            counts,
            len(flagged),
            time.perf_counter() - started,
        )
        yield progress("completed")


def _kept(got: tuple[str, str] | None | str) -> str | None:
    return got[1] if isinstance(got, tuple) else None


def _find_layout(ahead: list[RawRow], region: str) -> _Layout | None:
    """Where the values start, what the header (if any) calls each column, which to read.

    The header is the row just above the first row holding a phone or an email, when that row
    holds none itself; rows above it are titles. A column is read when its header says phone,
    mobile or email, or when at least half its values are phones or emails.
    """
    first = next(
        (
            i
            for i, row in enumerate(ahead)
            if any(isinstance(read_value(c, region), tuple) for c in row.cells)
        ),
        None,
    )
    if first is None:
        return None
    header = ahead[first - 1] if first > 0 else None
    body = ahead[first:]
    width = max(len(r.cells) for r in (*body, *([header] if header else [])))
    names = (
        unique_names(header.cells, width)
        if header is not None
        else [f"Column {column_letter(i)}" for i in range(width)]
    )
    read: list[int] = []
    by_header: set[int] = set()
    reason: int | None = None
    for index, name in enumerate(names):
        target = guess_target(Column(index, name)) if header is not None else None
        if target in (Target.PHONE, Target.MOBILE, Target.EMAIL):
            read.append(index)
            by_header.add(index)
            continue
        if header is not None and header_key(name) in _REASON_HEADERS:
            reason = index
            continue
        values = [r.cells[index] for r in body if index < len(r.cells)]
        got = [read_value(v, region) for v in values]
        filled = [g for g in got if g != ""]
        strict = [g for g in filled if isinstance(g, tuple) and not g[1].isdigit()]
        if filled and len(strict) >= VALUE_SHARE * len(filled):
            read.append(index)
    if not read:
        return None
    return _Layout(
        header_row=header.number if header is not None else None,
        names=names,
        read=read,
        by_header=by_header,
        reason=reason,
        body=body,
    )
