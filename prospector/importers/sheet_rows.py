"""Stream a workbook's sheet (.xlsx, .xlsm, .xlsb, .xls, .ods) through python-calamine.

calamine reads all these formats, about six times faster than openpyxl, and never evaluates
formulas (a formula cell gives its saved result). Row numbers must be the ones Excel shows
(reliability.md F31): python-calamine's ``iter_rows()`` yields the rows above the first used
one as empty rows (its ``to_python()`` drops them), so the n-th row it yields is row n.

Files written by scripts (openpyxl) have formulas with no saved result, which calamine gives
as empty cells. ``SheetRows.formulas_without_value`` counts them so the import can say so
(reliability.md §2 rule 4).
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, WorksheetNotFound

from prospector.errors import UserFacingError
from prospector.importers.rows import CellValue, RawRow, ReadProgress, is_blank

log = logging.getLogger(__name__)

# A run of this many blank rows ends the list: sheets often carry a stray value a million rows
# down. Seven blank rows between two blocks of a list do not end it.
BLANK_RUN_END = 1000
MAX_COLUMNS = 16_384
MAX_CELL = 32_767  # Excel's own limit per cell
MAX_NOTED = 1000  # cells or rows kept per kind of note, like the CSV reader's
_NEWLINES = re.compile(r"\r\n?")


class WorkbookError(UserFacingError):
    code = "import.workbook"

    def __init__(self, path: Path, problem: str, detail: str = "") -> None:
        super().__init__(f"{path}: {problem}: {detail}")
        self.path, self.problem, self.detail = path, problem, detail

    def __reduce__(self) -> tuple[type, tuple[Path, str, str]]:
        """Picklable, so a worker process can hand the error back as it is."""
        return type(self), (self.path, self.problem, self.detail)

    def user_message(self) -> str:
        name = self.path.name
        if self.problem == "password":
            return (
                f"{name} is protected by a password. Open it in Excel, remove the password "
                "(File ▸ Info ▸ Protect Workbook ▸ Encrypt with Password, then clear it), "
                "save, and import again."
            )
        if self.problem == "no_sheet":
            return f"{name} has no sheet called '{self.detail}'. Choose another sheet."
        if self.problem == "no_sheets":
            return (
                f"{name} is a workbook without any sheet, so there is nothing to import. Open "
                "it in Excel or LibreOffice, check that the list is there, save it as .xlsx, "
                "and import that file."
            )
        if self.problem == "too_big":
            return (
                f"{name} declares more cells than a spreadsheet can hold, so it was not "
                "read. It may be damaged or built to crash programs. Open it in Excel or "
                "LibreOffice, save it again as .xlsx, and import that file."
            )
        return (
            f"{name} could not be read; it may be damaged. Open it in Excel or LibreOffice, "
            f"save it again as .xlsx, and import that file. (Technical detail: {self.detail})"
        )


def sheet_names(path: Path) -> list[str]:
    workbook = _open(path)
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _open(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise _workbook_error(path, exc) from exc


def _workbook_error(path: Path, exc: Exception) -> WorkbookError:
    if isinstance(exc, PasswordError):
        return WorkbookError(path, "password", str(exc))
    if "cell limit" in str(exc).lower():  # calamine's guard against ODS repeat bombs
        return WorkbookError(path, "too_big", str(exc))
    return WorkbookError(path, "unreadable", str(exc))


class SheetRows:
    """Rows of one sheet (the first, unless named), numbered as Excel numbers them.

    For the import report: after ``rows()`` has run, ``cut_cells`` lists (row, column
    index) of cells cut to Excel's 32,767 characters and ``nul_rows`` the rows NUL
    characters were removed from (the first thousand of each; an .xls or an ``_x0000_`` in
    an .xlsx can hold them), and ``blank_run_stop`` is the row where a run of
    ``BLANK_RUN_END`` blank rows began if reading stopped there while the sheet went on
    below it. ``formulas_without_value`` can be read at any time.
    """

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        self.path = path
        self.sheet = sheet
        self.cut_cells: list[tuple[int, int]] = []
        self.nul_rows: list[int] = []
        self.blank_run_stop: int | None = None
        self._done = 0
        self._total: int | None = None
        self._formulas_without_value: int | None = None

    def describe(self) -> str:
        return f"workbook, sheet '{self.sheet}'" if self.sheet else "workbook, first sheet"

    def progress(self) -> ReadProgress:
        return ReadProgress(done=self._done, total=self._total)

    @property
    def formulas_without_value(self) -> int:
        """Formula cells of this sheet saved without a result (they read as empty cells).

        Available at any time, before or after ``rows()``: computed on first use by a
        streaming scan of the sheet's XML (about 0.2 s for a 100,000-row sheet), then kept.
        Only .xlsx/.xlsm can hold such cells: .xls and .xlsb always store the result, and
        an .ods without results (rare) counts 0.
        """
        if self._formulas_without_value is None:
            self._formulas_without_value = _count_in_workbook(self.path, self.sheet)
        return self._formulas_without_value

    def rows(self) -> Iterator[RawRow]:
        workbook = _open(self.path)
        try:
            try:
                if self.sheet is None:
                    if not workbook.sheet_names:
                        raise WorkbookError(self.path, "no_sheets")
                    sheet = workbook.get_sheet_by_index(0)
                    self.sheet = sheet.name
                else:
                    sheet = workbook.get_sheet_by_name(self.sheet)
            except WorksheetNotFound as exc:
                raise WorkbookError(self.path, "no_sheet", self.sheet or "") from exc
            except (CalamineError, ValueError) as exc:
                raise _workbook_error(self.path, exc) from exc
            if sheet.start is None:  # an empty sheet
                return
            # iter_rows() yields the start row's empty rows above the range, then the range.
            self._total = sheet.start[0] + sheet.height
            yield from self._read(sheet.iter_rows(), above=sheet.start[0])
        except CalamineError as exc:
            raise _workbook_error(self.path, exc) from exc
        finally:
            workbook.close()

    def _read(self, rows: Iterator[list[CellValue]], above: int = 0) -> Iterator[RawRow]:
        """``above``: the empty rows calamine yields above the sheet's first used row. They
        are not a run of blank rows after a list, so they do not count towards one (a list
        starting on row 1,500 was otherwise never read)."""
        blank_run = -above
        for offset, cells in enumerate(rows):
            number = offset + 1
            self._done = number
            row = cells[:MAX_COLUMNS] if len(cells) > MAX_COLUMNS else cells
            values = self._clean_row(row, number) if _needs_cleaning(row) else tuple(row)
            if is_blank(values):
                blank_run += 1
                if blank_run >= BLANK_RUN_END:
                    if self._total is not None and number < self._total:
                        self.blank_run_stop = number - blank_run + 1
                        log.info(
                            "Stopped reading %s at row %d after %d blank rows",
                            self.path,
                            self.blank_run_stop,
                            blank_run,
                        )
                    return
                continue
            blank_run = 0
            yield RawRow(number=number, cells=values)

    def _clean_row(self, row: list[CellValue], number: int) -> tuple[CellValue, ...]:
        """Text as the import stores it: at most 32,767 characters, LF newlines, no NUL."""
        cleaned: list[CellValue] = []
        had_nul = False
        for column, value in enumerate(row):
            if type(value) is str:
                if len(value) > MAX_CELL:
                    value = value[:MAX_CELL]
                    if len(self.cut_cells) < MAX_NOTED:
                        self.cut_cells.append((number, column))
                if "\r" in value:
                    value = _NEWLINES.sub("\n", value)
                if "\x00" in value:
                    value = value.replace("\x00", "")
                    had_nul = True
            cleaned.append(value)
        if had_nul and len(self.nul_rows) < MAX_NOTED:
            self.nul_rows.append(number)
        return tuple(cleaned)


def _needs_cleaning(row: list[CellValue]) -> bool:
    """The cheap test run on every row; the few rows that need cleaning pay for it."""
    for value in row:
        if type(value) is str and (len(value) > MAX_CELL or "\r" in value or "\x00" in value):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Formulas saved without a result (.xlsx/.xlsm)

_CHUNK = 1024 * 1024
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_MAX_CARRY = 16 * _CHUNK


def _count_in_workbook(path: Path, sheet: str | None) -> int:
    """Formula cells without a saved result in ``sheet`` (the first if None); 0 if not xlsx."""
    if not zipfile.is_zipfile(path):  # .xls: every formula record carries its result
        return 0
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return 0
            with archive.open(part) as stream:
                return count_formulas_without_value(stream)
    except (
        OSError,
        KeyError,
        ValueError,
        EOFError,
        ParseError,
        zipfile.BadZipFile,
        defusedxml.DefusedXmlException,
    ) as exc:
        # Only a count for a warning: the reader reports the file's real problems itself.
        log.info("Could not count formulas in %s: %s", path, exc)
        return 0


def _sheet_part(archive: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip path of a sheet's XML, from xl/workbook.xml and its relationships."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return None
    workbook = SafeTree.fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    relationship = None
    for element in _elements(workbook, "sheet"):
        if sheet is None or element.get("name") == sheet:
            relationship = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            break
    rels_name = "xl/_rels/workbook.xml.rels"
    if relationship is None or rels_name not in names:
        return None
    rels = SafeTree.fromstring(archive.read(rels_name), forbid_dtd=True)
    for element in _elements(rels, "Relationship"):
        if element.get("Id") == relationship:
            target = element.get("Target") or ""
            part = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
            return part if part in names else None
    return None


def _elements(root: Element, local_name: str) -> Iterator[Element]:
    for element in root.iter():
        if element.tag == local_name or element.tag.endswith("}" + local_name):
            yield element


def count_formulas_without_value(stream: BinaryIO) -> int:
    """Count ``<f>`` cells whose ``<v>`` is missing or self-closed, streaming a sheet's XML.

    openpyxl writes ``<f>2+3</f><v />``; Excel writes ``<f>…</f><v>5</v>``, and ``<v></v>``
    for a formula whose result is empty text, which is a saved result. The sheet is read in
    1 MiB chunks cut after a ``</c>`` so no cell is split; chunks without a formula are only
    searched for the marker, in C, so a 70 MB sheet costs little more than inflating it.
    """
    first = stream.read(_CHUNK)
    root = _ROOT.search(first[: 64 * 1024])
    prefix = (root.group(1) or b"") if root else b""
    tag = re.escape(prefix)
    pattern = re.compile(
        b"<"
        + tag
        + rb"f[\s>/][^<]*(?:</"
        + tag
        + rb"f>)?\s*(<"
        + tag
        + rb"v>|<"
        + tag
        + rb"v\s[^/>]*>)?"
    )
    marker = b"<" + prefix + b"f"
    cell_end = b"</" + prefix + b"c>"
    missing = 0
    buffer = first
    while True:
        chunk = stream.read(_CHUNK)
        buffer += chunk
        cut = buffer.rfind(cell_end) if chunk else -1
        if chunk and cut < 0 and len(buffer) < _MAX_CARRY:
            continue  # no cell ended yet: read on
        cut = len(buffer) if cut < 0 else cut + len(cell_end)
        if buffer.find(marker, 0, cut) >= 0:
            missing += sum(1 for value in pattern.findall(buffer, 0, cut) if not value)
        buffer = buffer[cut:]
        if not chunk:
            return missing
