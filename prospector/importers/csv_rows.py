"""Stream a CSV/TSV/TXT list: detected encoding and delimiter, strict quotes, bounded fields.

The default csv reader silently swallows the rest of a file after an unterminated quote; with
``strict=True`` it fails instead, and we say which row opened the quote. Values stay text:
leading zeros and '+' are kept, nothing is turned into a number here. A field may be up to
1 MiB long (the csv module's own default, 128 KiB, refuses real files); cells are cut to
Excel's 32,767 characters like workbook cells, so a file reads the same saved either way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from prospector.errors import UserFacingError
from prospector.importers.rows import RawRow, ReadProgress
from prospector.importers.text_decoding import SAMPLE_BYTES, guess_text

MAX_FIELD = 1024 * 1024
MAX_CELL = 32_767  # Excel's own limit per cell; workbooks are cut the same way
MAX_NOTED = 1000  # rows kept per kind of note; the count of a bad file would be endless
csv.field_size_limit(MAX_FIELD)

# A text cell we exported with a protective apostrophe ("'=SUM(…)"): give back the exact text.
_PROTECTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")
_NEWLINES = re.compile(r"\r\n?")


class CsvFileError(UserFacingError):
    """A text file that cannot be read as a list as a whole (nothing is imported)."""

    code = "import.csv"

    def __init__(self, path: Path, problem: str, row: int = 0, detail: str = "") -> None:
        super().__init__(f"{path}: {problem} at row {row}: {detail}")
        self.path, self.problem, self.row, self.detail = path, problem, row, detail

    def __reduce__(self) -> tuple[type, tuple[Path, str, int, str]]:
        """Picklable, so a worker process can hand the error back as it is."""
        return type(self), (self.path, self.problem, self.row, self.detail)

    def user_message(self) -> str:
        if self.problem == "open_quote":
            return (
                f'Row {self.row} opens a quote (") that never closes, so the rest of the file '
                "cannot be read safely. Nothing was imported. Fix that row in a text editor "
                "or in Excel, save, and import again."
            )
        if self.problem == "field_too_long":
            return (
                f"Row {self.row} has a value longer than a million characters, which no list "
                'holds: the file is probably not a list, or a quote (") in it never closes. '
                "Nothing was imported. Check the file in a text editor or in Excel."
            )
        if self.problem == "encoding":
            return (
                "This file's characters could not be read with the chosen encoding. Choose "
                "another encoding in the preview (e.g. Windows-1252 or UTF-8) and try again."
            )
        return (
            f"Row {self.row} of this file could not be read ({self.detail}). Nothing was imported."
        )


class CsvRows:
    """Rows of a delimited text file; the encoding and delimiter are guessed unless given.

    After ``rows()`` has run, ``cut_cells`` lists (row, column index) of cells cut to 32,767
    characters and ``nul_rows`` the rows NUL characters were removed from (the first thousand
    of each), so the import report can name them.
    """

    def __init__(
        self,
        path: Path,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        region: str | None = None,
    ) -> None:
        self.path = path
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
        guess = guess_text(sample, encoding, region)
        self.encoding = encoding or guess.encoding
        self.delimiter = delimiter or guess.delimiter
        self.reason = "your choice" if encoding else guess.reason
        self._size = path.stat().st_size
        self._raw: io.BufferedReader | None = None
        self.cut_cells: list[tuple[int, int]] = []
        self.nul_rows: list[int] = []

    def describe(self) -> str:
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
        return f"text, {self.encoding}, {names.get(self.delimiter, self.delimiter)}-separated"

    def progress(self) -> ReadProgress:
        done = self._raw.tell() if self._raw is not None and not self._raw.closed else 0
        return ReadProgress(done=done, total=self._size)

    def close(self) -> None:
        """Close the file now when reading stopped half-way (an error while the rows were
        used): an abandoned ``rows()`` would otherwise hold it until garbage collection, and
        on Windows the rep could not move or delete the list meanwhile."""
        if self._raw is not None:
            self._raw.close()

    def rows(self) -> Iterator[RawRow]:
        """Every record with the line it starts on; raises CsvFileError on a broken quote."""
        with self.path.open("rb") as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="", errors="strict")
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            start = 1
            try:
                for record in reader:
                    cells = tuple(map(_clean_cell, record))
                    if any(len(c) > MAX_CELL or "\x00" in c for c in record):
                        cells = self._note(start, record, cells)
                    yield RawRow(number=start, cells=cells)
                    start = reader.line_num + 1
            except csv.Error as exc:
                text = str(exc)
                if "end of data" in text or "EOF" in text:
                    problem = "open_quote"
                elif "field larger than field limit" in text:
                    problem = "field_too_long"
                else:
                    problem = "row"
                raise CsvFileError(self.path, problem, start, text) from exc
            except UnicodeError as exc:  # UTF-16 without a BOM is a bare UnicodeError
                raise CsvFileError(self.path, "encoding", start, str(exc)) from exc

    def _note(self, number: int, record: list[str], cells: tuple[str, ...]) -> tuple[str, ...]:
        """Cut over-long cells and remember what was changed in this (rare) row."""
        if any("\x00" in value for value in record) and len(self.nul_rows) < MAX_NOTED:
            self.nul_rows.append(number)
        cut = []
        for index, value in enumerate(cells):
            if len(value) > MAX_CELL:
                value = value[:MAX_CELL]
                if len(self.cut_cells) < MAX_NOTED:
                    self.cut_cells.append((number, index))
            cut.append(value)
        return tuple(cut)


def _clean_cell(value: str) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    # Before line endings are normalised: our export protects a value starting with CR too.
    if value.startswith("'") and _PROTECTED_FORMULA.match(value):
        value = value[1:]
    if "\r" in value:
        value = _NEWLINES.sub("\n", value)
    return value
