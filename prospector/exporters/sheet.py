"""What every spreadsheet writer takes: typed columns and rows of plain values.

A writer (``xlsx_book``, ``csv_sheet``) gets a list of ``Column``s and an iterable of rows, one
value per column, and streams them out: nothing holds all the rows. The share file writes several
sheets of the same shape through the same writers.

Values by kind (``None`` is an empty cell in every kind):

- ``TEXT``: ``str``. Never evaluated as a formula (see ``safe_cells``).
- ``CODE``: ``str`` that looks like a number but is not one (phones, postal codes): always
  text, so Excel keeps leading zeros and '+'.
- ``INTEGER``: ``int``.
- ``CENTS``: ``int`` minor units (money), shown with two decimals; never a float on the way.
- ``DATE``: ``datetime.date``.
- ``DATETIME``: naive ``datetime`` already in the reader's local time (spreadsheets have no
  time zones; the service converts).
- ``BOOLEAN``: ``bool``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

CellValue = str | int | bool | date | datetime | None
Row = Sequence[CellValue]


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"
    INTEGER = "integer"
    CENTS = "cents"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    """One column: its header, its kind and, if known, its width in characters."""

    header: str
    kind: Kind = Kind.TEXT
    width: float | None = None  # None: measured from the header and the first rows


class SheetWriter(Protocol):
    """A file that takes sheets of rows; ``write_sheet`` yields the running row count."""

    def write_sheet(
        self, title: str, columns: Sequence[Column], rows: Iterable[Row]
    ) -> Iterator[int]: ...


# Widths in characters, as Excel counts them: wide enough for the usual value, never a wall.
MIN_WIDTH = 6.0
MAX_WIDTH = 50.0
_FIXED_WIDTHS = {Kind.DATE: 12.0, Kind.DATETIME: 17.0, Kind.BOOLEAN: 9.0}
WIDTH_SAMPLE_ROWS = 200


def column_widths(columns: Sequence[Column], sample: Sequence[Row]) -> list[float]:
    """Widths from the header and the longest value among the first rows (a sample: a million
    rows are never measured), kept between ``MIN_WIDTH`` and ``MAX_WIDTH``."""
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = len(column.header) + 3  # room for the autofilter's arrow
        fixed = _FIXED_WIDTHS.get(column.kind)
        if fixed is not None:
            longest = max(longest, int(fixed))
        else:
            for row in sample:
                value = row[index] if index < len(row) else None
                if value is not None:
                    text = value if isinstance(value, str) else str(value)
                    # A multi-line value is as wide as its longest line.
                    size = max(map(len, text.split("\n"))) if "\n" in text else len(text)
                    longest = max(longest, size + 2)
        widths.append(min(max(float(longest), MIN_WIDTH), MAX_WIDTH))
    return widths
