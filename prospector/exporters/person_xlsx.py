"""One person's data as an Excel workbook: a sheet per kind of record, every value as text or
a typed cell, nothing that runs.

Written through the streaming ``XlsxBook`` (text as inline strings, formula-looking text with
the quote prefix) into a ``TargetFile``, so a full disk or a file open in Excel never leaves
half a workbook at the name the rep chose. Each column's kind is judged from its values:
all numbers, all dates, all times or all yes/no stay typed; anything else is text (a
dictionary or list, such as questionnaire answers, as JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from prospector.errors import UserFacingError
from prospector.exporters.sheet import Column, Kind
from prospector.exporters.target_file import TargetFile
from prospector.exporters.xlsx_book import XlsxBook


class NotAWorkbookName(UserFacingError):
    """The data of a person is written as an Excel workbook only."""

    code = "export.person_format"

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: not .xlsx")
        self.path = path

    def user_message(self) -> str:
        return (
            f"Prospector cannot save “{self.path.name}”: a person's data is saved as an Excel "
            "workbook, so end the file name with .xlsx."
        )


@dataclass(frozen=True)
class PersonSheet:
    """One sheet: its title, its column headers, and rows of plain values (None: empty)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def write_person_workbook(path: Path, sheets: Sequence[PersonSheet]) -> None:
    """Write ``sheets`` to ``path`` (.xlsx) in one step.

    Raises:
        NotAWorkbookName: ``path`` does not end in .xlsx.
        ExportNotSaved: the folder is missing or read-only, the disk is full, or the file is
            open in another program; a file already at ``path`` is left as it was.
    """
    if path.suffix.lower() != ".xlsx":
        raise NotAWorkbookName(path)
    with TargetFile(path) as target:
        assert target.stream is not None
        book = XlsxBook(target.stream, [s.title for s in sheets])
        try:
            for sheet in sheets:
                kinds = [_kind_of(sheet.rows, i) for i in range(len(sheet.headers))]
                columns = [Column(h, k) for h, k in zip(sheet.headers, kinds, strict=True)]
                rows = [[_value(v, k) for v, k in zip(r, kinds, strict=True)] for r in sheet.rows]
                for _written in book.write_sheet(sheet.title, columns, rows):
                    pass
            book.close()
        except OSError as exc:
            book.abandon()
            raise target.write_failed(exc) from exc
        target.commit()


def _kind_of(rows: Sequence[Sequence[object]], index: int) -> Kind:
    values = [row[index] for row in rows if row[index] is not None]
    if not values:
        return Kind.TEXT
    if all(isinstance(v, bool) for v in values):
        return Kind.BOOLEAN
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return Kind.INTEGER
    if all(isinstance(v, datetime) for v in values):
        return Kind.DATETIME
    if all(isinstance(v, date) and not isinstance(v, datetime) for v in values):
        return Kind.DATE
    return Kind.TEXT


def _value(value: object, kind: Kind) -> object:
    if value is None or kind is not Kind.TEXT:
        return value
    return as_text(value)


def as_text(value: object) -> str:
    """A value as a person reads it in a text cell."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
