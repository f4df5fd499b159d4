"""Find the header row of a list and name its columns, whatever the file put above it.

Vendor files often start with a title, a date or a logo row; headers can be blank or repeated.
The header is the first row whose cells are all text and that is about as wide as the rows
below it; blank headers become "Column C", repeated ones "Phone (2)".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain

from prospector.importers.rows import CellValue, RawRow, RowSource, cell_text, is_blank

LOOKAHEAD = 30
SAMPLES_PER_COLUMN = 6


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB', as Excel names columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Column:
    index: int
    name: str  # unique, shown in the mapping screen and used for custom fields
    samples: tuple[str, ...] = ()


@dataclass
class Table:
    """A list's header and a stream of its data rows (blank rows skipped)."""

    header_row: int
    columns: list[Column]
    data: Iterator[RawRow]
    preview: list[RawRow] = field(default_factory=list)


def _width(cells: tuple[CellValue, ...]) -> int:
    return sum(1 for c in cells if cell_text(c).strip())


def _looks_like_header(row: RawRow, below: list[RawRow]) -> bool:
    filled = [c for c in row.cells if cell_text(c).strip()]
    if len(filled) < 2 or not all(isinstance(c, str) for c in filled):
        return False
    if not below:
        return True
    typical = sorted(_width(r.cells) for r in below)[len(below) // 2]
    return len(filled) >= max(2, typical * 0.6)


def unique_names(cells: tuple[CellValue, ...], width: int) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for index in range(width):
        text = cell_text(cells[index]).strip() if index < len(cells) else ""
        name = " ".join(text.split()) or f"Column {column_letter(index)}"
        key = name.casefold()
        seen[key] = seen.get(key, 0) + 1
        names.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return names


def read_ahead(rows: Iterator[RawRow], limit: int = LOOKAHEAD) -> list[RawRow]:
    """The first ``limit`` non-blank rows, taken from ``rows`` (which go on after them)."""
    ahead: list[RawRow] = []
    for row in rows:
        if not is_blank(row.cells):
            ahead.append(row)
            if len(ahead) >= limit:
                break
    return ahead


def read_table(source: RowSource) -> Table:
    """Read ahead a little to find the header, then stream the rest."""
    rows = source.rows()
    ahead = read_ahead(rows)
    if not ahead:
        return Table(header_row=0, columns=[], data=iter(()))
    header_at = next(
        (i for i, row in enumerate(ahead) if _looks_like_header(row, ahead[i + 1 : i + 8])), 0
    )
    header = ahead[header_at]
    body = ahead[header_at + 1 :]
    width = max([len(header.cells)] + [len(r.cells) for r in body])
    names = unique_names(header.cells, width)
    columns = [
        Column(index=i, name=name, samples=column_samples(body, i)) for i, name in enumerate(names)
    ]
    data = (r for r in chain(body, rows) if not is_blank(r.cells))
    return Table(header_row=header.number, columns=columns, data=data, preview=list(body))


def column_samples(
    rows: list[RawRow], index: int, limit: int = SAMPLES_PER_COLUMN
) -> tuple[str, ...]:
    """A few different non-empty values of a column: the first row alone is often half empty."""
    values: list[str] = []
    for row in rows:
        if index < len(row.cells):
            text = cell_text(row.cells[index]).strip()
            if text and text not in values:
                values.append(text)
        if len(values) >= limit:
            break
    return tuple(values)
