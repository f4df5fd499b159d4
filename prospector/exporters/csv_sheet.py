"""A streaming CSV writer for the same columns and rows as the xlsx writer.

UTF-8 with a byte-order mark by default: Excel reads a CSV without one in the PC's old code
page, which garbles accents and Cyrillic. For older setups the delimiter can be ``;`` (what
European Excel expects, with decimal commas) and the encoding cp1252, cp1250 or cp1251.

A character the chosen code page cannot hold is never dropped or replaced by ``?``: the export
stops with ``CharacterNotInEncoding`` naming the row, the column and the character, and the
rep chooses UTF-8 or fixes the value. Text that looks like a formula gets one leading
apostrophe (``safe_cells``). Rows end with CRLF, as RFC 4180 and Excel write them.

A CSV cannot say "this column is text": the file holds ``0612345678`` and ``01000`` with their
zeros (our importer keeps them), but Excel or LibreOffice opening it by a double click reads
them as numbers unless the column is set to Text in their import dialog. The .xlsx export keeps
them as text everywhere; the export dialog says so.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any, BinaryIO

from prospector.column_memo import Batch, column_converter
from prospector.errors import UserFacingError
from prospector.exporters.safe_cells import FORMULA_TRIGGERS, csv_protected
from prospector.exporters.sheet import Column, Kind, Row

# What a text may start with for ``csv_protected`` to look further: a formula's first character,
# or an apostrophe (ours, or one that was there: see safe_cells).
_FIRST_CHARS = "".join(FORMULA_TRIGGERS) + "'"
_FIRST = re.escape(_FIRST_CHARS)
_FIRST_TUPLE = tuple(_FIRST_CHARS)
ENCODINGS = ("utf-8-sig", "cp1252", "cp1250", "cp1251")
DELIMITERS = (",", ";")
_BATCH = 1000


@dataclass(frozen=True)
class CsvFormat:
    """How the file is laid out; the defaults suit Excel everywhere."""

    delimiter: str = ","
    encoding: str = "utf-8-sig"
    decimal_comma: bool = False  # 1234,50 instead of 1234.50 (with ';', as European Excel)
    true_text: str = "yes"
    false_text: str = "no"

    def __post_init__(self) -> None:
        if self.delimiter not in DELIMITERS:
            raise ValueError(f"unsupported delimiter {self.delimiter!r}")
        codecs.lookup(self.encoding)  # LookupError for an unknown name


class CharacterNotInEncoding(UserFacingError):
    """A value holds a character the chosen code page has no byte for."""

    code = "export.csv_encoding"

    def __init__(self, encoding: str, row: int, column: str, character: str) -> None:
        super().__init__(f"{encoding} cannot hold U+{ord(character):04X} (row {row}, {column})")
        self.encoding = encoding
        self.row = row  # the row number in the file, the header being row 1
        self.column = column
        self.character = character

    def user_message(self) -> str:
        return (
            f"Row {self.row} ({self.column}) holds the character “{self.character}”, which the "
            f"{self.encoding} encoding cannot store. Nothing was saved. Choose UTF-8, which "
            "holds every character, or change that value and export again."
        )


def _text(value: str | None) -> str:
    return csv_protected(value) if value else ""


def _cents(decimal_comma: bool) -> Callable[[int], str]:
    def text(value: int) -> str:
        sign = "-" if value < 0 else ""
        units, cents = divmod(abs(value), 100)
        return f"{sign}{units}{',' if decimal_comma else '.'}{cents:02d}"

    return text


def _date(value: date) -> str:
    return value.isoformat()


def _datetime(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="minutes")


def _converters(
    columns: Sequence[Column], fmt: CsvFormat
) -> list[tuple[int, Callable[[Batch, int], None]]]:
    """What turns each non-text column of a batch into the text written, in place, with its
    index: each distinct value is made once and then looked up (a list repeats its scores,
    amounts and import times), and an empty value is ''."""
    booleans = {True: fmt.true_text, False: fmt.false_text}
    by_kind: dict[Kind, Callable[[Any], str]] = {
        Kind.INTEGER: str,
        Kind.CENTS: _cents(fmt.decimal_comma),
        Kind.DATE: _date,
        Kind.DATETIME: _datetime,
        Kind.BOOLEAN: booleans.__getitem__,
    }
    return [
        (i, column_converter(by_kind[c.kind], empty=""))
        for i, c in enumerate(columns)
        if c.kind in by_kind
    ]


class CsvSheet:
    """One table written into ``stream`` (the caller owns the stream, e.g. a ``TargetFile``).

    Most rows need neither quotes nor an apostrophe: they are joined with the delimiter, which
    is twice as fast as the csv module. A row whose joined line holds a quote, a line break, a
    delimiter inside a value or a value starting like a formula goes through the csv module
    (``QUOTE_MINIMAL``, the same output it would give) with each text value protected.
    """

    def __init__(self, stream: BinaryIO, fmt: CsvFormat | None = None) -> None:
        self._stream = stream
        self._format = fmt or CsvFormat()
        self._written_sheet = False

    def write_sheet(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Iterable[Row],
        *,
        rows_before: int | None = None,
    ) -> Iterator[int]:
        """Write the header and ``rows``; yields the row count every thousand rows and at the
        end. ``title`` is not written: a CSV holds one table.

        With ``rows_before``, only the rows are written (no byte-order mark, no header): the
        part of a file that another writer starts, where this many data rows come first (an
        error then names the row by its number in the whole file).

        Raises:
            CharacterNotInEncoding: a value the chosen code page cannot hold.
        """
        iterator = iter(rows)
        batches = iter(lambda: [list(r) for r in islice(iterator, _BATCH)], [])
        return self.write_batches(title, columns, batches, rows_before=rows_before)

    def write_batches(
        self,
        title: str,
        columns: Sequence[Column],
        batches: Iterable[Batch],
        *,
        rows_before: int | None = None,
    ) -> Iterator[int]:
        """``write_sheet`` for rows that come in batches (lists of lists, changed in place):
        yields the row count after each batch. A batch's values are turned into text column by
        column, which costs half of doing it value by value."""
        if self._written_sheet:
            raise RuntimeError("a CSV file holds one table")
        self._written_sheet = True
        fmt = self._format
        delimiter = fmt.delimiter
        join = delimiter.join
        quoted = _QuotedLines(delimiter)
        converters = _converters(columns, fmt)
        separators = len(columns) - 1
        text_at = [i for i, c in enumerate(columns) if c.kind in (Kind.TEXT, Kind.CODE)]
        # A value that may start like a formula: one search per line finds whether to look at
        # the values one by one (a negative number matches too; only text is protected).
        # (A regex starting with the delimiter is found by a fast scan; "^...|" would not be.)
        after_delimiter = re.compile(rf"{re.escape(delimiter)}[{_FIRST}]").search
        encode = _encoder(fmt.encoding)
        if rows_before is None:
            if fmt.encoding.lower().replace("_", "-") in ("utf-8-sig", "utf8-sig"):
                self._stream.write(codecs.BOM_UTF8)
            lines = [quoted.line([_text(c.header) for c in columns])]
            line_number = 1  # in the file, of the first line in ``lines``
            rows_before = 0
        else:
            lines = []
            line_number = rows_before + 2
        written = 0
        for batch in batches:
            for index, convert in converters:
                convert(batch, index)
            for row in batch:
                try:
                    line = join(row)
                except TypeError:  # a None among the text
                    row = ["" if v is None else v for v in row]
                    line = join(row)
                if line.startswith(_FIRST_TUPLE) or after_delimiter(line):
                    for index in text_at:
                        value = row[index]
                        if value and value[0] in _FIRST_CHARS:
                            row[index] = csv_protected(value)
                    line = join(row)
                if '"' in line or "\n" in line or "\r" in line:
                    line = quoted.line(row)
                elif line.count(delimiter) != separators:  # a delimiter inside a value
                    line = join([f'"{v}"' if delimiter in v else v for v in row])  # as csv does
                lines.append(line)
            written += len(batch)
            self._flush(lines, encode, columns, line_number)
            line_number = rows_before + written + 2
            yield written
        self._flush(lines, encode, columns, line_number)
        yield written

    def _flush(
        self,
        lines: list[str],
        encode: Callable[[str], bytes],
        columns: Sequence[Column],
        line_number: int,
    ) -> None:
        """Encode the pending lines (the header among them on the first call) at once;
        ``line_number`` is the first one's in the file."""
        if not lines:
            return
        lines.append("")  # the last line ends with CRLF too
        text = "\r\n".join(lines)
        try:
            data = encode(text)
        except UnicodeEncodeError as exc:
            raise self._which_cell(columns, lines, line_number, exc) from exc
        lines.clear()
        self._stream.write(data)

    def _which_cell(
        self,
        columns: Sequence[Column],
        lines: list[str],
        first: int,
        exc: UnicodeEncodeError,
    ) -> CharacterNotInEncoding:
        """Name the row and column of the character (the header is row 1 of the file)."""
        character = exc.object[exc.start]
        for offset, line in enumerate(lines):
            if character in line:
                values = next(csv.reader([line], delimiter=self._format.delimiter), [])
                column = next(
                    (columns[i].header for i, v in enumerate(values) if character in v),
                    columns[0].header,
                )
                return CharacterNotInEncoding(
                    self._format.encoding, first + offset, column, character
                )
        return CharacterNotInEncoding(self._format.encoding, first, columns[0].header, character)


class _QuotedLines:
    """A row through the csv module: values holding the delimiter, a quote or a line break are
    quoted (``QUOTE_MINIMAL``), as RFC 4180 says."""

    def __init__(self, delimiter: str) -> None:
        self._buffer = io.StringIO()
        # The terminator tells the writer to quote values holding CR or LF; it is cut off.
        self._writer = csv.writer(self._buffer, delimiter=delimiter, lineterminator="\r\n")

    def line(self, row: Sequence[object]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerow(row)
        return buffer.getvalue()[:-2]


def _encoder(encoding: str) -> Callable[[str], bytes]:
    """Strict: a character the code page cannot hold raises instead of turning into '?'."""
    name = "utf-8" if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf8-sig") else encoding
    codec = codecs.lookup(name)
    return lambda text: codec.encode(text, "strict")[0]
