"""What every reader hands on: rows of cells with the row number a person would see.

Row numbers are the ones Excel or a text editor shows (1-based, counting title and blank rows),
so a problem report saying "row 7" points at row 7 of the rep's own file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

CellValue = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class RawRow:
    number: int
    cells: tuple[CellValue, ...]


@dataclass(frozen=True)
class ReadProgress:
    """How far a reader got, for progress bars: a fraction when the size is known."""

    done: int
    total: int | None


class RowSource(Protocol):
    """A file's rows, streamed; ``describe()`` says how it was read (shown in the preview)."""

    def rows(self) -> Iterator[RawRow]: ...

    def progress(self) -> ReadProgress: ...

    def describe(self) -> str: ...


def cell_text(value: CellValue) -> str:
    """A cell as text, the way the user saw it: 25.0 -> '25', dates as ISO, blanks as ''."""
    if type(value) is str:  # nearly every cell: skip the checks below
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_blank(cells: tuple[CellValue, ...]) -> bool:
    return all(cell_text(c).strip() == "" for c in cells)
