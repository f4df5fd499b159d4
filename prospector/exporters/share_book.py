"""Write a share file: the sheets of ``domain.share`` through the streaming xlsx writer.

Values arrive as Python values in the order of ``COLUMNS[sheet]``; here each becomes a cell a
person can read and ``importers/share_reader.py`` reads back exactly: an instant as ISO text in
UTC (a date cell would lose the microseconds and the zone), answers and extra fields as JSON
text, money with two decimals, phones and postal codes as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

from prospector.domain.share import COLUMNS, CellKind, Sheet
from prospector.exporters.sheet import Column, Kind
from prospector.exporters.xlsx_book import XlsxBook

_KINDS = {
    CellKind.TEXT: Kind.TEXT,
    CellKind.CODE: Kind.CODE,
    CellKind.INTEGER: Kind.INTEGER,
    CellKind.CENTS: Kind.CENTS,
    CellKind.DATE: Kind.DATE,
    CellKind.MOMENT: Kind.TEXT,
    CellKind.BOOLEAN: Kind.BOOLEAN,
    CellKind.JSON: Kind.TEXT,
    CellKind.UUID: Kind.TEXT,
}
_WIDTHS = {CellKind.MOMENT: 27.0}


def moment_text(value: datetime) -> str:
    """An aware instant as the share file writes it: '2026-03-16 09:30:00.250000+00:00'."""
    return value.astimezone(UTC).isoformat(sep=" ")


def _json_text(value: Any) -> str | None:
    if value is None or value == {}:
        return None
    return json.dumps(value, ensure_ascii=False)


def _converters(sheet: Sheet) -> list[tuple[int, Callable[[Any], Any]]]:
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(COLUMNS[sheet]):
        if column.kind is CellKind.MOMENT:
            found.append((index, moment_text))
        elif column.kind is CellKind.JSON:
            found.append((index, _json_text))
    return found


def _cells(sheet: Sheet, batches: Iterable[Sequence[list[Any]]]) -> Iterator[list[Any]]:
    converters = _converters(sheet)
    for batch in batches:
        for row in batch:
            for index, convert in converters:
                if row[index] is not None:
                    row[index] = convert(row[index])
            yield row


class ShareBook:
    """Sheets are written in ``Sheet`` order; each sheet's rows come in batches of lists."""

    def __init__(self, stream: BinaryIO) -> None:
        self._book = XlsxBook(stream, [s.value for s in Sheet])

    def write(self, sheet: Sheet, batches: Iterable[Sequence[list[Any]]]) -> Iterator[int]:
        """Stream the sheet; yields the running row count."""
        columns = [Column(c.header, _KINDS[c.kind], _WIDTHS.get(c.kind)) for c in COLUMNS[sheet]]
        yield from self._book.write_sheet(sheet.value, columns, _cells(sheet, batches))

    def close(self) -> None:
        self._book.close()

    def abandon(self) -> None:
        self._book.abandon()
