"""A streaming .xlsx writer: rows go straight into the zip, so memory stays flat at a million rows.

Why not openpyxl or XlsxWriter: both stream too (write-only / constant-memory), but spend most of
their time on per-cell objects; writing the sheet XML ourselves is about twice as fast, and the
format we need is small (text, numbers, dates, booleans, four styles). What it writes:

- text as inline strings (``t="inlineStr"``), never formulas; text that starts like a formula
  also gets the quote-prefix style (``safe_cells``); phones and postal codes (``Kind.CODE``)
  use the Text number format, so Excel keeps their leading zeros and '+' even after an edit;
- numbers, money (two decimals), dates and date-times as typed cells with ISO formats
  (``2026-03-16``, ``2026-03-16 09:30``), readable the same way in every country;
- a bold, frozen header row, an autofilter over the whole table, widths from the header and
  the first rows;
- characters XML 1.0 cannot hold (control characters, and CR, which XML parsers turn into LF)
  as ``_xHHHH_``, the way Excel writes them; a literal ``_x0041_`` in a value is escaped as
  ``_x005F_x0041_`` so it reads back as typed.

Excel, LibreOffice, calamine (our importer) and openpyxl read these files.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain, islice
from typing import BinaryIO
from xml.sax.saxutils import escape as _sax_escape
from xml.sax.saxutils import quoteattr

from prospector.exporters.safe_cells import FORMULA_TRIGGERS
from prospector.exporters.sheet import WIDTH_SAMPLE_ROWS, Column, Kind, Row, column_widths

# Styles (the cellXfs of styles.xml, in this order).
_HEADER, _HEADER_QUOTED, _QUOTED, _CODE, _CODE_QUOTED, _DATE, _DATETIME, _CENTS = range(1, 9)
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_FIRST_SAFE_SERIAL = 61  # 1900-03-01: Excel counts a 29 February 1900 that never was
_BATCH = 500
# Above this many bytes of sheet XML (guessed from rows x columns) the zip entry needs ZIP64.
_ZIP64_GUESS_BYTES_PER_CELL = 80
_ZIP64_FROM = 1 << 31
MAX_SHEET_TITLE = 31

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Characters that need more than the plain text: markup, characters XML cannot hold (CR
# included: a parser would read it back as LF), and text that looks like Excel's own escape.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_UNSAFE_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def xml_text(value: str) -> str:
    """``value`` as the text of a ``<t>`` element, read back exactly by Excel and calamine."""
    if _SPECIAL.search(value) is None:
        return value
    escaped = _sax_escape(value)
    return _UNSAFE_CHAR.sub(lambda m: f"_x{ord(m.group()):04X}_", escaped)


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of ``[]:*?/\\``, not blank."""
    cleaned = _BAD_TITLE.sub(" ", title).strip().strip("'")[:MAX_SHEET_TITLE]
    return cleaned or "Sheet"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text_cell(ref: str, quoted_style: int, plain_style: int) -> Callable[[str, str], str]:
    plain = f' s="{plain_style}"' if plain_style else ""
    quoted = f' s="{quoted_style}"'
    open_ = f'<c r="{ref}'

    def cell(row: str, value: str) -> str:
        if not value:
            return ""
        style = quoted if value.startswith(FORMULA_TRIGGERS) else plain
        text = xml_text(value)
        # Excel trims unmarked spaces at either end of a text.
        t = "<t>" if value[0] > " " and value[-1] > " " else '<t xml:space="preserve">'
        return f'{open_}{row}" t="inlineStr"{style}><is>{t}{text}</t></is></c>'

    return cell


def _number_cell(
    ref: str, style: int, to_text: Callable[[object], str]
) -> Callable[[str, object], str]:
    attribute = f' s="{style}"' if style else ""
    open_ = f'<c r="{ref}'

    def cell(row: str, value: object) -> str:
        if value is None:
            return ""
        return f'{open_}{row}"{attribute}><v>{to_text(value)}</v></c>'

    return cell


def _cents_text(value: object) -> str:
    assert isinstance(value, int)
    return repr(value / 100)


def _date_cell(ref: str) -> Callable[[str, object], str]:
    as_number = _number_cell(ref, _DATE, str)
    as_text = _text_cell(ref, _QUOTED, 0)

    def cell(row: str, value: object) -> str:
        if value is None:
            return ""
        assert isinstance(value, date)
        serial = value.toordinal() - _EXCEL_EPOCH
        if serial < _FIRST_SAFE_SERIAL:  # Excel's 1900 leap-year bug: keep it exact as text
            return as_text(row, value.isoformat())
        return as_number(row, serial)

    return cell


def _datetime_cell(ref: str) -> Callable[[str, object], str]:
    as_number = _number_cell(ref, _DATETIME, repr)
    as_text = _text_cell(ref, _QUOTED, 0)

    def cell(row: str, value: object) -> str:
        if value is None:
            return ""
        assert isinstance(value, datetime)
        day = value.toordinal() - _EXCEL_EPOCH
        if day < _FIRST_SAFE_SERIAL:
            return as_text(row, value.isoformat(sep=" ", timespec="minutes"))
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return as_number(row, day + seconds / 86400 if seconds else day)

    return cell


def _boolean_cell(ref: str) -> Callable[[str, object], str]:
    open_ = f'<c r="{ref}'

    def cell(row: str, value: object) -> str:
        if value is None:
            return ""
        return f'{open_}{row}" t="b"><v>{1 if value else 0}</v></c>'

    return cell


def _cell_writer(kind: Kind, ref: str) -> Callable[[str, object], str]:
    if kind is Kind.TEXT:
        return _text_cell(ref, _QUOTED, 0)  # type: ignore[return-value]
    if kind is Kind.CODE:
        return _text_cell(ref, _CODE_QUOTED, _CODE)  # type: ignore[return-value]
    if kind is Kind.INTEGER:
        return _number_cell(ref, 0, str)
    if kind is Kind.CENTS:
        return _number_cell(ref, _CENTS, _cents_text)
    if kind is Kind.DATE:
        return _date_cell(ref)
    if kind is Kind.DATETIME:
        return _datetime_cell(ref)
    return _boolean_cell(ref)


class XlsxBook:
    """A workbook written into ``stream``, sheet after sheet, in the order of ``titles``.

    Call ``write_sheet`` once per title, then ``close()``; the stream is left open (the caller
    owns it, e.g. a ``TargetFile``).
    """

    def __init__(self, stream: BinaryIO, titles: Sequence[str], *, compresslevel: int = 1) -> None:
        if not titles:
            raise ValueError("a workbook needs at least one sheet")
        self._announced = list(titles)
        self._titles = _unique_titles([sheet_title(t) for t in titles])
        self._zip = zipfile.ZipFile(
            stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._filters: list[str] = []  # each written sheet's autofilter range
        self._write_package_parts()

    @property
    def titles(self) -> list[str]:
        return list(self._titles)

    def write_sheet(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Iterable[Row],
        *,
        expected_rows: int | None = None,
    ) -> Iterator[int]:
        """Stream ``rows`` into the next sheet; yields the number of rows written so far after
        every few hundred rows and once at the end. Closing the generator early leaves the book
        unusable (the caller discards the file)."""
        number = len(self._filters)
        if number >= len(self._announced) or title != self._announced[number]:
            raise ValueError(f"sheet {title!r} was not announced in this order")
        if not columns:
            raise ValueError("a sheet needs at least one column")
        rows = iter(rows)
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
        widths = column_widths(columns, sample)
        cells = [_cell_writer(c.kind, column_letter(i)) for i, c in enumerate(columns)]
        last_column = column_letter(len(columns) - 1)
        big = (expected_rows or 0) * len(columns) * _ZIP64_GUESS_BYTES_PER_CELL >= _ZIP64_FROM
        name = f"xl/worksheets/sheet{number + 1}.xml"
        written = 0
        with self._zip.open(name, "w", force_zip64=big) as out:
            out.write(self._sheet_start(number, columns, widths).encode("utf-8"))
            batch: list[str] = []
            for values in chain(sample, rows):
                written += 1
                row = str(written + 1)
                parts = [f'<row r="{row}">']
                parts += [cell(row, value) for cell, value in zip(cells, values, strict=False)]
                parts.append("</row>")
                batch.append("".join(parts))
                if len(batch) >= _BATCH:
                    out.write("".join(batch).encode("utf-8"))
                    batch.clear()
                    yield written
            if batch:
                out.write("".join(batch).encode("utf-8"))
            reference = f"A1:{last_column}{written + 1}"
            out.write(f'</sheetData><autoFilter ref="{reference}"/></worksheet>'.encode())
        self._filters.append(f"$A$1:${last_column}${written + 1}")
        yield written

    def close(self) -> None:
        """Write the workbook part (it names each sheet's filter range) and end the zip."""
        if len(self._filters) != len(self._titles):
            raise RuntimeError("close() before every announced sheet was written")
        self._zip.writestr("xl/workbook.xml", self._workbook_xml())
        self._zip.close()

    def abandon(self) -> None:
        """Stop without finishing the zip (the caller discards the file)."""
        # ZipFile.close() would write a central directory for half a workbook: skip it.
        self._zip.fp = None

    # -- parts ------------------------------------------------------------------------------------

    def _sheet_start(self, number: int, columns: Sequence[Column], widths: list[float]) -> str:
        selected = ' tabSelected="1"' if number == 0 else ""
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        header_cells = []
        for index, column in enumerate(columns):
            style = _HEADER_QUOTED if column.header.startswith(FORMULA_TRIGGERS) else _HEADER
            header_cells.append(
                f'<c r="{column_letter(index)}1" t="inlineStr" s="{style}">'
                f"<is><t>{xml_text(column.header)}</t></is></c>"
            )
        return (
            f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>"
            f'<row r="1">{"".join(header_cells)}</row>'
        )

    def _write_package_parts(self) -> None:
        sheets = range(1, len(self._titles) + 1)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in sheets
        )
        self._zip.writestr(
            "[Content_Types].xml",
            f"{_XML_DECL}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        sheet_rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in sheets
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">{sheet_rels}'
            f'<Relationship Id="rId{len(self._titles) + 1}" Type="{_REL_NS}/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        self._zip.writestr("xl/styles.xml", _STYLES)

    def _workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, title in enumerate(self._titles, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{_sax_escape(_quoted_title(title))}!{reference}</definedName>"
            for n, (title, reference) in enumerate(zip(self._titles, self._filters, strict=True))
        )
        return (
            f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets><definedNames>{names}</definedNames></workbook>"
        )


def _quoted_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _unique_titles(titles: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for title in titles:
        candidate, n = title, 2
        while candidate.lower() in seen:
            suffix = f" ({n})"
            candidate = title[: MAX_SHEET_TITLE - len(suffix)] + suffix
            n += 1
        seen.add(candidate.lower())
        unique.append(candidate)
    return unique


_STYLES = (
    f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3">'
    '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF6"/><bgColor indexed="64"/>'
    "</patternFill></fill>"
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left/><right/><top/><bottom style="thin"><color rgb="FFA6B4C8"/></bottom>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="9">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    # 1 header, 2 header starting like a formula
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1"'
    ' applyBorder="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1"'
    ' applyBorder="1" quotePrefix="1"/>'
    # 3 text starting like a formula, 4 code (Text format), 5 code starting like a formula
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'
    ' quotePrefix="1"/>'
    # 6 date, 7 date and time, 8 money
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
