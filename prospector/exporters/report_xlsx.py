"""The report's tables as an Excel workbook: one sheet per table, typed cells, nothing to run.

The tables are small (a row per list, day or outcome), so openpyxl's write-only mode is plenty.
Numbers stay numbers (rates as percentages, money with its currency, seconds as a time) so a
rep can sort and sum in Excel; text is always written as text, and text that starts like a
formula (a list called ``=cheap``) also gets the quote prefix, so Excel never runs it
(reliability.md §2). A figure that cannot be worked out (no cost entered) is an empty cell.

The workbook is written beside its final name and moved over it in one step, so a full disk or
a file open in Excel never leaves half a workbook where the last good one was.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from prospector.exporters.target_file import ExportNotSaved, write_bytes

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MAX_TITLE = 31


class CellKind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"  # a fraction: 0.25 shows as 25.0%
    MONEY = "money"  # a (cents, currency) pair
    DATE = "date"
    DURATION = "duration"  # seconds, shown as hours:minutes:seconds


@dataclass(frozen=True)
class SheetColumn:
    header: str
    kind: CellKind = CellKind.TEXT
    width: int | None = None  # characters; default from the header


@dataclass(frozen=True)
class SheetTable:
    """One sheet: a title, its columns and rows of plain values (None: an empty cell)."""

    title: str
    columns: Sequence[SheetColumn]
    rows: Sequence[Sequence[object]]


class ReportNotSaved(ExportNotSaved):
    """The workbook could not be written where the rep asked; the old file is as it was."""

    code = "export.report_not_saved"
    subject = "The report {name}"
    in_use_by = "probably Excel"


def write_report_workbook(path: Path, tables: Sequence[SheetTable]) -> None:
    """Write ``tables`` to ``path`` (.xlsx) atomically.

    Raises:
        ReportNotSaved: the folder is missing or read-only, the disk is full, ``path`` is a
            folder or is held open by another program; any previous file is left as it was.
    """
    buffer = io.BytesIO()  # a few kilobytes: built whole before the disk is touched
    _workbook(tables).save(buffer)
    try:
        write_bytes(path, buffer.getvalue())
    except ExportNotSaved as exc:
        raise ReportNotSaved(path, exc.reason) from exc


def _workbook(tables: Sequence[SheetTable]):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook  # ~0.2 s to import: only when a workbook is written
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_unique_title(table.title, used))
        for index, column in enumerate(table.columns):
            letter = get_column_letter(index + 1)
            sheet.column_dimensions[letter].width = column.width or max(12, len(column.header) + 2)
        sheet.freeze_panes = "A2"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append(
                [
                    _cell(sheet, column.kind, value, WriteOnlyCell)
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )
    return workbook


def _cell(sheet, kind: CellKind, value: object, make):  # type: ignore[no-untyped-def]
    if value is None:
        return make(sheet, value=None)
    if kind == CellKind.MONEY:
        cents, currency = value  # type: ignore[misc]
        cell = make(sheet, value=cents / 100)
        suffix = f' "{currency}"' if currency and currency.isalnum() else ""
        cell.number_format = f"#,##0.00{suffix}"
        return cell
    if kind == CellKind.PERCENT:
        cell = make(sheet, value=float(value))  # type: ignore[arg-type]
        cell.number_format = "0.0%"
        return cell
    if kind == CellKind.COUNT:
        cell = make(sheet, value=int(value))  # type: ignore[call-overload]
        cell.number_format = "#,##0"
        return cell
    if kind == CellKind.DURATION:
        cell = make(sheet, value=int(value) / 86_400)  # type: ignore[call-overload]
        cell.number_format = "[h]:mm:ss"
        return cell
    if kind == CellKind.DATE and isinstance(value, date):
        cell = make(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = str(value)
    cell = make(sheet, value=text)
    cell.data_type = "s"  # text, never a formula
    if text.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _unique_title(title: str, used: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:_MAX_TITLE]
    cleaned = cleaned or "Sheet"
    candidate, n = cleaned, 2
    while candidate.casefold() in used:
        candidate = f"{cleaned[: _MAX_TITLE - 4]} ({n})"
        n += 1
    used.add(candidate.casefold())
    return candidate
