"""Read a share file back: its About sheet, then each sheet's rows as typed Python values.

The file may have been opened and saved by a person in Excel or LibreOffice in between, so
columns are found by their header (not their position), a sheet or column that is missing is
simply empty, and every cell is read whatever type the program saved it as: a number saved as
text, an integer as 3.0, a yes/no as TRUE. A cell that cannot be read makes its row a problem
(named with the sheet and row number a person sees), never a wrong value.

The file goes through the same checks as any imported workbook first (``detect``: zip bombs,
hostile XML), then calamine reads it.
"""

from __future__ import annotations

import json
import uuid as uuid_module
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prospector.domain.share import (
    ABOUT_FORMAT,
    ABOUT_VERSION,
    COLUMNS,
    FORMAT_NAME,
    FORMAT_VERSION,
    CellKind,
    Sheet,
)
from prospector.errors import UserFacingError
from prospector.importers.detect import FileKind, detect_file_kind
from prospector.importers.rows import CellValue, cell_text
from prospector.importers.sheet_rows import SheetRows, sheet_names


class NotAShareFile(UserFacingError):
    code = "share.not_share"

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: not a Prospector share file")
        self.path = path

    def user_message(self) -> str:
        return (
            f"{self.path.name} is not a Prospector share file (it has no About sheet saying "
            "so). To bring in a lead list, use File ▸ Import instead."
        )


class ShareTooNew(UserFacingError):
    code = "share.too_new"

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(f"{path}: share format {version} is newer than {FORMAT_VERSION}")
        self.path = path
        self.version = version

    def user_message(self) -> str:
        return (
            f"{self.path.name} was made by a newer Prospector. Update Prospector, then merge "
            "it again; nothing was changed."
        )


class BadCell(ValueError):
    """A cell whose value cannot be what its column holds."""


@dataclass(frozen=True)
class ShareRow:
    sheet: Sheet
    number: int  # the row number Excel shows
    values: dict[str, Any]

    def where(self) -> str:
        return f"{self.sheet.value} sheet, row {self.number}"


@dataclass(frozen=True)
class RowProblem:
    sheet: Sheet
    number: int
    message: str

    def __str__(self) -> str:
        return f"{self.sheet.value} sheet, row {self.number}: {self.message}"


def looks_like_share_file(path: Path) -> bool:
    """True when ``path`` is an .xlsx whose sheets are a share file's (cheap: the sheet list)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not zipfile.is_zipfile(path):
        return False
    try:
        names = set(sheet_names(path))
    except UserFacingError:
        return False
    return {Sheet.ABOUT.value, Sheet.CONTACTS.value} <= names


class ShareReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._sheets: set[str] = set()

    def open(self) -> dict[str, str]:
        """Check the file and return its About sheet (key -> value).

        Raises:
            UnsupportedFile: not a workbook at all, or a dangerous one (see ``detect``).
            WorkbookError: a damaged or password-protected workbook.
            NotAShareFile: a workbook, but not a share file.
            ShareTooNew: written by a newer Prospector.
        """
        if detect_file_kind(self.path) is not FileKind.XLSX:
            raise NotAShareFile(self.path)
        self._sheets = set(sheet_names(self.path))
        if Sheet.ABOUT.value not in self._sheets or Sheet.CONTACTS.value not in self._sheets:
            raise NotAShareFile(self.path)
        about: dict[str, str] = {}
        for raw in SheetRows(self.path, Sheet.ABOUT.value).rows():
            if len(raw.cells) >= 2 and raw.number > 1:
                about[cell_text(raw.cells[0]).strip()] = cell_text(raw.cells[1]).strip()
        if about.get(ABOUT_FORMAT) != FORMAT_NAME:
            raise NotAShareFile(self.path)
        try:
            version = int(float(about.get(ABOUT_VERSION, "0")))
        except ValueError as exc:
            raise NotAShareFile(self.path) from exc
        if version > FORMAT_VERSION:
            raise ShareTooNew(self.path, version)
        return about

    def rows(self, sheet: Sheet, problems: list[RowProblem]) -> Iterator[ShareRow]:
        """The sheet's rows with values by column key; a row with a bad cell goes to
        ``problems`` instead. A missing sheet has no rows."""
        if sheet.value not in self._sheets:
            return
        columns = {c.header.casefold(): c for c in COLUMNS[sheet]}
        positions: list[tuple[int, str, CellKind]] | None = None
        for raw in SheetRows(self.path, sheet.value).rows():
            if positions is None:
                positions = [
                    (i, c.key, c.kind)
                    for i, cell in enumerate(raw.cells)
                    if (c := columns.get(cell_text(cell).strip().casefold())) is not None
                ]
                continue
            values: dict[str, Any] = {}
            try:
                for index, key, kind in positions:
                    cell = raw.cells[index] if index < len(raw.cells) else None
                    values[key] = read_cell(cell, kind)
            except BadCell as exc:
                problems.append(RowProblem(sheet, raw.number, str(exc)))
                continue
            yield ShareRow(sheet, raw.number, values)


def read_cell(cell: CellValue, kind: CellKind) -> Any:
    """A cell as the Python value its column holds, or None when blank.

    Raises:
        BadCell: the cell cannot hold such a value.
    """
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if kind in (CellKind.TEXT, CellKind.CODE):
        return cell_text(cell)
    if kind is CellKind.INTEGER:
        return _integer(cell)
    if kind is CellKind.CENTS:
        return _cents(cell)
    if kind is CellKind.BOOLEAN:
        return _boolean(cell)
    if kind is CellKind.DATE:
        return _date(cell)
    if kind is CellKind.MOMENT:
        return _moment(cell)
    if kind is CellKind.UUID:
        return _uuid(cell)
    text = cell_text(cell)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadCell(f"'{text[:40]}' is not readable data (JSON)") from exc


def _uuid(cell: CellValue) -> str:
    text = cell_text(cell).strip()
    try:
        return str(uuid_module.UUID(text))
    except ValueError as exc:
        raise BadCell(f"'{text[:40]}' is not an ID written by Prospector") from exc


def _integer(cell: CellValue) -> int:
    if isinstance(cell, bool):
        return int(cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    try:
        return int(cell_text(cell).strip())
    except ValueError as exc:
        raise BadCell(f"'{cell_text(cell)}' is not a whole number") from exc


def _cents(cell: CellValue) -> int:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return round(cell * 100)
    text = cell_text(cell).strip().replace(" ", "").replace("\u00a0", "")
    try:
        return round(float(text.replace(",", ".")) * 100)
    except ValueError as exc:
        raise BadCell(f"'{text}' is not an amount") from exc


_TRUE = {"true", "yes", "1", "1.0", "x", "vrai", "wahr", "da", "oui"}
_FALSE = {"false", "no", "0", "0.0", "faux", "falsch", "nu", "ne", "non"}


def _boolean(cell: CellValue) -> bool:
    if isinstance(cell, bool):
        return cell
    text = cell_text(cell).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadCell(f"'{cell_text(cell)}' is neither yes nor no")


def _date(cell: CellValue) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = cell_text(cell).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise BadCell(f"'{text}' is not a date (year-month-day)") from exc


def _moment(cell: CellValue) -> datetime:
    if isinstance(cell, datetime):  # re-saved as a date cell: the wall time was UTC
        return cell.replace(tzinfo=UTC) if cell.tzinfo is None else cell.astimezone(UTC)
    text = cell_text(cell).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadCell(f"'{text}' is not a date and time") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
