"""The spreadsheet writers: typed cells, text that never turns into a formula, exact read-back,
the CSV fast path equal to the csv module, code pages that refuse instead of dropping."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prospector.exporters.csv_sheet import CharacterNotInEncoding, CsvFormat, CsvSheet
from prospector.exporters.safe_cells import (
    csv_protected,
    csv_unprotected,
    looks_like_formula,
)
from prospector.exporters.sheet import Column, Kind
from prospector.exporters.xlsx_book import XlsxBook, column_letter, sheet_title, xml_text
from prospector.importers import csv_rows
from prospector.importers.csv_rows import CsvRows
from prospector.importers.sheet_rows import SheetRows

# reliability.md §2's list, and more that bit other exporters.
TRICKY = [
    "=1+1",
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "''+2",
    '=HYPERLINK("http://127.0.0.1/x","click")',
    "-",
    "+33 1 23 45 67 89",
    "{=1+1}",
    "'t is",
    "_x0041_ is not A",
    "a & b < c > d",
    "  spaces kept  ",
    "two\nlines",
    "bell\x07and nul-free control",
    "Ştefan Popa, Băneasa",
    "Лещнйдбт",
    'say "hi", then go',
]
COLUMNS = [
    Column("Text"),
    Column("Phone", Kind.CODE),
    Column("Score", Kind.INTEGER),
    Column("Value", Kind.CENTS),
    Column("Birthday", Kind.DATE),
    Column("Next call", Kind.DATETIME),
    Column("Do not call", Kind.BOOLEAN),
]


def _rows() -> list[list[object]]:
    """Fresh rows each time: a writer may change the rows it is given in place."""
    rows: list[list[object]] = [
        [
            text,
            "0612345678",
            n,
            123_456 - n * 1000,
            date(1985, 3, 2),
            datetime(2026, 3, 16, 9, 30),
            n % 2 == 0,
        ]
        for n, text in enumerate(TRICKY)
    ]
    rows.append(["", "", None, None, None, None, None])
    rows.append(["leading zeros", "00123", -5, -5, date(1899, 12, 31), datetime(2026, 1, 1), False])
    return rows


def _xlsx(path: Path, columns=COLUMNS, rows=None, title="Contacts") -> list[int]:
    with path.open("wb") as out:
        book = XlsxBook(out, [title])
        counts = list(book.write_sheet(title, columns, rows if rows is not None else _rows()))
        book.close()
    return counts


def _csv(rows, fmt: CsvFormat | None = None, columns=COLUMNS) -> bytes:
    out = io.BytesIO()
    list(CsvSheet(out, fmt).write_sheet("Contacts", columns, rows))
    return out.getvalue()


# -- the formula rule ----------------------------------------------------------------------------


def test_the_formula_rule_is_the_documented_one():
    assert all(looks_like_formula(t) for t in ("=1", "+1", "-1", "@a", "\tx", "\rx"))
    assert not looks_like_formula("'=1") and not looks_like_formula("a=1")
    assert csv_protected("=1+1") == "'=1+1"
    assert csv_protected("'=1+1") == "''=1+1"  # a real apostrophe survives the round trip
    assert csv_protected("'t is") == "'t is"  # no trigger after it: untouched both ways
    assert csv_protected("+33 6 12") == "'+33 6 12"
    assert csv_protected("Dupont") == "Dupont"
    assert csv_unprotected("'t is") == "'t is"


@settings(max_examples=400, derandomize=True)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab ,\"\n"), max_size=8))
def test_csv_protection_is_undone_exactly_by_our_importer(text: str):
    assert csv_unprotected(csv_protected(text)) == text
    # The importer has its own copy of the rule (importers may not import exporters); it also
    # turns CR into LF, as it does for every cell (reliability.md §2 rule 3).
    assert csv_rows._clean_cell(csv_protected(text)) == text.replace("\r\n", "\n").replace(
        "\r", "\n"
    )
    protected = csv_protected(text)
    if protected != text:  # what a spreadsheet sees first is the apostrophe, never a trigger
        assert protected.startswith("'") and not looks_like_formula(protected)


# -- xlsx ----------------------------------------------------------------------------------------


def test_xlsx_reads_back_exactly_through_our_importer(tmp_path: Path):
    path = tmp_path / "out.xlsx"
    counts = _xlsx(path)
    assert counts[-1] == len(_rows())
    read = {r.number: r.cells for r in SheetRows(path).rows()}
    assert read[1] == tuple(c.header for c in COLUMNS)
    for number, source in enumerate(_rows(), start=2):
        got = read.get(number, ("",) * len(COLUMNS))
        text = source[0] if source[0] else ""
        # The importer's one documented change: CR becomes LF (reliability.md §2 rule 3).
        assert got[0] == text.replace("\r", "\n"), number
    last = read[len(_rows()) + 1]
    assert last[1] == "00123"  # a code keeps its zeros
    assert last[2] == -5 and last[3] == -0.05
    assert last[4] == "1899-12-31"  # before Excel's leap-year bug: kept exact as text


def test_xlsx_cells_are_typed_and_text_is_never_a_formula(tmp_path: Path):
    path = tmp_path / "out.xlsx"
    _xlsx(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Contacts"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:G{len(_rows()) + 1}"
    assert sheet["A1"].font.b
    for row in sheet.iter_rows(min_row=2, max_row=len(TRICKY) + 1):
        text, phone, score, value, birthday, when, flag = row
        assert text.data_type == "s", text.value  # never "f"
        source = TRICKY[text.row - 2]
        if source == xml_text(source):  # openpyxl keeps Excel's _xHHHH_ escapes as they are;
            assert text.value == source  # calamine, our reader, decodes them (test above)
        assert text.quotePrefix == looks_like_formula(TRICKY[text.row - 2])
        assert phone.data_type == "s" and phone.number_format == "@"
        assert isinstance(score.value, int)
        assert value.number_format == "#,##0.00"
        assert birthday.value == datetime(1985, 3, 2) and birthday.number_format == "yyyy\\-mm\\-dd"
        assert when.value == datetime(2026, 3, 16, 9, 30)
        assert flag.data_type == "b"
    widths = [sheet.column_dimensions[column_letter(i)].width for i in range(len(COLUMNS))]
    assert widths[0] == max(map(len, TRICKY)) + 2  # the longest sampled text
    assert all(6 <= w <= 50 for w in widths)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert names[0] == "[Content_Types].xml"
    assert "<f>" not in sheet_xml  # not one formula in the whole sheet
    assert "_x000D_=1+1" in sheet_xml and "_x005F_x0041_" in sheet_xml


def test_xml_text_escapes_what_xml_cannot_hold():
    assert xml_text("plain") == "plain"
    assert xml_text("a<b&c") == "a&lt;b&amp;c"
    assert xml_text("\r\x01") == "_x000D__x0001_"
    assert xml_text("_x00e9_ stays") == "_x005F_x00e9_ stays"
    assert xml_text("tab\tand\nline") == "tab\tand\nline"
    assert sheet_title("Leads: [Lyon]/2026?") == "Leads   Lyon  2026"
    assert len(sheet_title("x" * 40)) == 31
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_xlsx_with_no_rows_and_several_sheets(tmp_path: Path):
    path = tmp_path / "two.xlsx"
    with path.open("wb") as out:
        book = XlsxBook(out, ["Contacts", "Notes"])
        assert list(book.write_sheet("Contacts", COLUMNS, [])) == [0]
        list(book.write_sheet("Notes", [Column("Text")], [["a note"]]))
        with pytest.raises(ValueError):
            list(book.write_sheet("Calls", [Column("Text")], []))
        book.close()
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Contacts", "Notes"]
    assert workbook["Contacts"].max_row == 1
    assert workbook["Notes"]["A2"].value == "a note"


# -- CSV -----------------------------------------------------------------------------------------


def test_csv_layout_types_and_protection():
    data = _csv(_rows())
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads accents right
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == [c.header for c in COLUMNS]
    for source, record in zip(_rows(), records[1:], strict=True):
        assert record[0] == (csv_protected(source[0]) if source[0] else "")
    first = records[1]
    assert first[1:] == ["0612345678", "0", "1234.56", "1985-03-02", "2026-03-16 09:30", "yes"]
    assert records[-1][1:] == ["00123", "-5", "-0.05", "1899-12-31", "2026-01-01 00:00", "no"]
    assert records[-2] == ["", "", "", "", "", "", ""]


def test_csv_semicolon_and_decimal_comma():
    fmt = CsvFormat(delimiter=";", decimal_comma=True, true_text="oui", false_text="non")
    text = _csv([["Crème; brûlée", "+33 1", 3, 123456, None, None, True]], fmt)[3:].decode()
    assert text.splitlines()[1] == '"Crème; brûlée";\'+33 1;3;1234,56;;;oui'


def _reference_csv(rows, fmt: CsvFormat, columns=COLUMNS) -> bytes:
    """The same file through the csv module alone (what the fast path must equal)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=fmt.delimiter, lineterminator="\r\n")
    writer.writerow([csv_protected(c.header) for c in columns])
    for row in rows:
        values = []
        for column, value in zip(columns, row, strict=True):
            if column.kind in (Kind.TEXT, Kind.CODE):
                values.append(csv_protected(value) if value else "")
            elif column.kind is Kind.INTEGER:
                values.append("" if value is None else str(value))
            else:
                values.append(value)
        writer.writerow(values)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


TEXT_COLUMNS = [Column("A"), Column("B", Kind.CODE), Column("C", Kind.INTEGER), Column("D")]


@settings(max_examples=300, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.sampled_from("ab ,;'\"=+-@\t\r\n"), max_size=6),
            st.text(alphabet=st.sampled_from("0+ -'="), max_size=5),
            st.none() | st.integers(-50, 50),
            st.text(alphabet=st.sampled_from("x,;-'"), max_size=3),
        ),
        max_size=6,
    ),
    st.sampled_from([",", ";"]),
)
def test_the_csv_fast_path_writes_what_the_csv_module_writes(rows, delimiter):
    fmt = CsvFormat(delimiter=delimiter)
    rows = [list(r) for r in rows]
    expected = _reference_csv([list(r) for r in rows], fmt, TEXT_COLUMNS)
    assert _csv(rows, fmt, TEXT_COLUMNS) == expected


def test_csv_reads_back_exactly_through_our_importer(tmp_path: Path):
    path = tmp_path / "out.csv"
    path.write_bytes(_csv(_rows()))
    read = [r.cells for r in CsvRows(path).rows()]
    assert read[0] == tuple(c.header for c in COLUMNS)
    for source, got in zip(_rows(), read[1:], strict=True):
        assert got[0] == (source[0] or "").replace("\r", "\n")
        assert got[1] == source[1]


def test_a_character_the_code_page_lacks_is_named_not_dropped():
    def rows() -> list[list[object]]:
        made = [["Dupont", "1", 1, None, None, None, None] for _ in range(1500)]
        made[1203][0] = "Ştefan"
        return made

    with pytest.raises(CharacterNotInEncoding) as caught:
        _csv(rows(), CsvFormat(encoding="cp1252"))
    error = caught.value
    assert (error.row, error.column, error.character) == (1205, "Text", "Ş")
    assert "Row 1205 (Text)" in error.user_message() and "UTF-8" in error.user_message()
    # The code page made for it holds it, byte for byte.
    data = _csv(rows(), CsvFormat(encoding="cp1250"))
    assert "Ştefan".encode("cp1250") in data and not data.startswith(b"\xef\xbb\xbf")


def test_a_header_the_code_page_lacks_is_row_one():
    with pytest.raises(CharacterNotInEncoding) as caught:
        _csv([["a"]], CsvFormat(encoding="cp1251"), columns=[Column("Société")])
    assert (caught.value.row, caught.value.column) == (1, "Société")
