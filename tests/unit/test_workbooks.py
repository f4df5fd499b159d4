"""Real workbooks read right: the shapes Excel and LibreOffice write, in every format we take.

Row numbers must be the ones Excel shows (reliability.md F31), dates stay dates, formula cells
give their saved result, and a formula saved without one is counted for the import report
(§2 rule 4). The .xlsx and .ods files are built here; the .xls and .xlsb are shipped in
tests/data/files (see its README: no writer for them is a dependency).
"""

from __future__ import annotations

import datetime
import io
import re
import time
import zipfile
from collections import deque
from pathlib import Path

import openpyxl
import pytest

from prospector.domain.query import ContactQuery
from prospector.importers.detect import FileKind, detect_file_kind
from prospector.importers.sheet_rows import (
    BLANK_RUN_END,
    SheetRows,
    WorkbookError,
    count_formulas_without_value,
    sheet_names,
)
from prospector.importers.table import read_table
from prospector.services.imports import ImportRequest

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["Prénom", "Nom", "Société", "Téléphone", "E-mail", "Date de naissance", "Effectif"]


def _info(zipped: Path | io.BytesIO, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(zipped) as archive:
        return archive.getinfo(name)


def _run(workspace, request):
    return deque(workspace.imports.run_import(request), maxlen=1)[0]


def _names(workspace) -> list[str]:
    return [r.name for r in workspace.contacts.page(ContactQuery(), 0, 100)]


def _patch_part(path: Path, part: str, change) -> None:
    """Rewrite one part of a zip in place, keeping every other part as it was."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, change(data) if info.filename == part else data)


# ---------------------------------------------------------------------------------------------
# An "Excel-written" xlsx

# Cached results as Excel saves them next to each formula (openpyxl cannot write them).
CACHED = {
    "J4": ("n", "24"),
    "K4": ("str", "François Lefèvre"),
    "J5": ("n", "6"),
    "K5": ("str", "Ольга Петрова"),
    "J6": ("n", "80"),
    "K6": ("str", ""),  # a formula whose result is empty text: a saved result all the same
}


def _excel_written(path: Path) -> Path:
    """A vendor list as Excel saves it.

    Row 1 holds merged group headings ("Contact" over A:B, "Entreprise" over C:D) and a
    title, row 2 is blank, the header is on row 3. Dates are real dates, numbers are numbers,
    two columns are formulas whose results are saved in the file, names are Cyrillic and
    accented, row 7 is blank and row 8 has a bad e-mail.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet["A1"] = "Contact"
    sheet.merge_cells("A1:B1")
    sheet["C1"] = "Entreprise"
    sheet.merge_cells("C1:D1")
    sheet["F1"] = "Salon Lyon 2026 — visiteurs"
    header = [*HEADER[:3], "Ville", *HEADER[3:], "CA (k€)", "Double effectif", "Étiquette"]
    # fmt: off
    rows = [
        ["François", "Lefèvre", "Crème & Fils", "Lyon", "06 12 34 56 78", "f.lefevre@creme.fr",
         datetime.date(1970, 7, 30), 12, 1250.5],
        ["Ольга", "Петрова", "Сибирь ООО", "Новосибирск", "+7 383 123 45 67", "olga@sibir.ru",
         datetime.date(1985, 5, 5), 3, 80.25],
        ["Zoë", "Ñúñez", "Açaí Ltda", "São Paulo", "+55 11 91234 5678", "zoe@acai.br",
         datetime.date(1990, 12, 31), 40, 0.5],
    ]
    # fmt: on
    for col, name in enumerate(header, start=1):
        sheet.cell(3, col, name)
    for r, values in enumerate(rows, start=4):
        for col, value in enumerate(values, start=1):
            sheet.cell(r, col, value).number_format = (
                "DD/MM/YYYY" if isinstance(value, datetime.date) else "General"
            )
        sheet.cell(r, 10, f"=H{r}*2")
        sheet.cell(r, 11, f'=IF(A{r}="Zoë","",A{r}&" "&B{r})')
    for col, value in enumerate(["Jean", "Dupont", "", "Paris", "06 00 00 00 01", "jean@"], 1):
        sheet.cell(8, col, value or None)
    workbook.save(path)
    _patch_part(path, SHEET, _add_cached_values)
    return path


def _add_cached_values(sheet: bytes) -> bytes:
    """Give each formula cell its saved result, as Excel writes it (``t="str"`` for text)."""

    def cached(match: re.Match[bytes]) -> bytes:
        ref = match.group(1).decode()
        kind, value = CACHED[ref]
        typed = ' t="str"' if kind == "str" else ""
        escaped = value.replace("&", "&amp;").encode()
        return b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (
            ref.encode(),
            typed.encode(),
            match.group(2),
            escaped,
        )

    patched, count = re.subn(rb'<c r="([A-Z]+\d+)"><f>([^<]*)</f><v\s*/></c>', cached, sheet)
    assert count == len(CACHED)
    return patched


def test_an_excel_written_workbook_reads_as_excel_shows_it(tmp_path: Path):
    path = _excel_written(tmp_path / "salon.xlsx")
    assert detect_file_kind(path) == FileKind.XLSX
    source = SheetRows(path)
    table = read_table(source)
    assert table.header_row == 3  # the title row and the merged headings are skipped
    assert [c.name for c in table.columns] == [
        "Prénom", "Nom", "Société", "Ville", "Téléphone", "E-mail", "Date de naissance",
        "Effectif", "CA (k€)", "Double effectif", "Étiquette",
    ]  # fmt: skip
    data = list(table.data)
    assert [r.number for r in data] == [4, 5, 6, 8]  # as Excel numbers them, row 7 blank
    first, second, third, fourth = (r.cells for r in data)
    assert first[:2] == ("François", "Lefèvre") and second[:2] == ("Ольга", "Петрова")
    assert third[3] == "São Paulo"
    assert first[6] == datetime.date(1970, 7, 30) and type(first[6]) is datetime.date
    assert (first[7], first[8], second[8]) == (12, 1250.5, 80.25)
    assert (first[9], second[9], third[9]) == (24, 6, 80)  # the saved results
    assert (first[10], second[10], third[10]) == ("François Lefèvre", "Ольга Петрова", "")
    assert fourth[5] == "jean@"
    assert source.formulas_without_value == 0
    assert table.columns[0].samples[:3] == ("François", "Ольга", "Zoë")


def test_an_excel_written_workbook_imports_with_excels_row_numbers(workspace, tmp_path: Path):
    path = _excel_written(tmp_path / "salon.xlsx")
    preview = workspace.imports.preview(path)
    assert (preview.kind, preview.header_row, preview.sheets) == ("xlsx", 3, ["Contacts"])
    result = _run(workspace, ImportRequest(path, "Salon Lyon"))
    assert result.status == "completed" and result.imported == 4
    assert (8, "email.invalid") in {(p.row, p.code) for p in result.problems}
    assert not [p for p in result.problems if p.row == 0]  # every formula had its result
    found = workspace.contacts.page(ContactQuery(text="Петрова"), 0, 10)
    assert [r.name for r in found] == ["Ольга Петрова"]
    olga = workspace.contacts.get(found[0].id)
    assert olga.fields.birthday == datetime.date(1985, 5, 5)
    assert olga.fields.custom_fields["Double effectif"] == "6"
    assert olga.fields.custom_fields["Étiquette"] == "Ольга Петрова"
    assert "Zoë Ñúñez" in _names(workspace)


def test_rows_above_and_columns_left_of_the_list_keep_excels_numbers(workspace, tmp_path):
    """F31: python-calamine starts its range at the first used cell; Excel does not.

    The list starts at C4 with rows 1-3 and columns A-B wholly empty; a problem on the
    sixth row of the sheet must be reported as row 6.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, values in enumerate(
        [
            ["Prénom", "Nom", "Téléphone", "E-mail"],
            ["Ana", "Pop", "06 12 34 56 78", "ana@pop.fr"],
            ["Ion", "Rus", "06 98 76 54 32", "ion@"],
        ],
        start=4,
    ):
        for col, value in enumerate(values, start=3):
            sheet.cell(r, col, value)
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    table = read_table(SheetRows(path))
    assert table.header_row == 4
    assert [r.number for r in table.data] == [5, 6]
    result = _run(workspace, ImportRequest(path, "Offset"))
    assert (6, "email.invalid") in {(p.row, p.code) for p in result.problems}


def test_carriage_returns_in_cells_become_newlines(tmp_path: Path):
    """XlsxWriter and Excel store CR as ``_x000D_``; calamine decodes it, we keep only LF
    (reliability.md §2 rule 3), so no stored value can start with a CR."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Address"])
    workbook.active.append(["Ana", "CRLF-HERE"])
    path = tmp_path / "newlines.xlsx"
    workbook.save(path)
    _patch_part(
        path, SHEET, lambda xml: xml.replace(b"CRLF-HERE", b"stand 4_x000D_\nall\xc3\xa9e B")
    )
    rows = list(SheetRows(path).rows())
    assert rows[1].cells == ("Ana", "stand 4\nallée B")


# ---------------------------------------------------------------------------------------------
# Formulas saved without a result


def test_formulas_written_by_a_script_are_counted(tmp_path: Path):
    """openpyxl writes ``<f>…</f><v />``: calamine reads an empty cell, and we say so."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Phone", "Score"])
    sheet.append(["Ana", "0601", "=1+1"])
    sheet.append(["Ion", "0602", "=2+3"])
    workbook.create_sheet("Other").append(["x", "=1+1"])
    path = tmp_path / "script.xlsx"
    workbook.save(path)
    source = SheetRows(path)
    assert source.formulas_without_value == 2  # available before rows(): this sheet only
    rows = list(source.rows())
    assert rows[1].cells == ("Ana", "0601", "")
    assert SheetRows(path, "Other").formulas_without_value == 1


def test_formula_counting_reads_every_shape_excel_writes():
    """Shared formulas, empty-text results, a namespace prefix, cells across chunk borders."""
    cells = (
        '<c r="A1"><f>1+1</f><v>2</v></c>'  # a result
        '<c r="A2"><f t="shared" ref="A2:A3" si="0">B2*2</f><v>4</v></c>'
        '<c r="A3"><f t="shared" si="0"/><v>6</v></c>'  # a shared formula's other cells
        '<c r="A4" t="str"><f>""</f><v></v></c>'  # empty text: saved
        '<c r="A5"><f>1+1</f><v /></c>'  # openpyxl: no result
        '<c r="A6"><f>1+1</f></c>'  # no <v> at all
        '<c r="A7"><f t="shared" si="0"/></c>'
        '<c r="A8" t="s"><v>0</v></c>'  # not a formula
    )
    xml = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'
    assert count_formulas_without_value(io.BytesIO(xml.encode())) == 3
    prefixed = re.sub(r"<(/?)([a-z]+)([ >/])", r"<\1x:\2\3", xml).replace("xmlns=", "xmlns:x=")
    assert "<x:f>" in prefixed and "<x:v />" in prefixed
    assert count_formulas_without_value(io.BytesIO(prefixed.encode())) == 3
    many = "".join(f'<c r="A{n}"><f>B{n}*2</f><v /></c>' for n in range(60_000))
    big = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{many}</row></sheetData></worksheet>'
    assert len(big) > 2 * 1024 * 1024  # three chunks of 1 MiB
    assert count_formulas_without_value(io.BytesIO(big.encode())) == 60_000


def _hundred_thousand_rows(path: Path) -> Path:
    """A 100,000-row list of about 70 MB of sheet XML, formulas with results in column H."""

    def rows():
        yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
        for r in range(1, 100_001):
            yield (
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Prénom{r}</t></is></c>'
                f'<c r="B{r}" t="inlineStr"><is><t>Nom de famille {r}</t></is></c>'
                f'<c r="C{r}" t="inlineStr"><is><t>Société numéro {r % 977}</t></is></c>'
                f'<c r="D{r}" t="inlineStr"><is><t>06 {r:08d}</t></is></c>'
                f'<c r="E{r}" t="inlineStr"><is><t>contact{r}@example.com</t></is></c>'
                f'<c r="F{r}" t="inlineStr"><is><t>{r % 90} rue de la République</t></is></c>'
                f'<c r="G{r}" s="1"><v>{25000 + r % 9000}</v></c>'
                f'<c r="H{r}"><f>G{r}*2</f><v>{2 * (25000 + r % 9000)}</v></c>'
                f'<c r="I{r}" t="inlineStr"><is><t>Remarque sur le contact {r}</t></is></c>'
                f'<c r="J{r}" t="inlineStr"><is><t>Villeurbanne {r % 9}</t></is></c>'
                f'<c r="K{r}" t="inlineStr"><is><t>https://example.com/{r}</t></is></c></row>'
            ).encode()
        yield b"</sheetData></worksheet>"

    base = openpyxl.Workbook()
    base.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = [(i.filename, archive.read(i)) for i in archive.infolist() if i.filename != SHEET]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in parts:
            archive.writestr(name, data)
        with archive.open(SHEET, "w") as part:
            for chunk in rows():
                part.write(chunk)
    return path


def test_checks_stay_cheap_on_a_hundred_thousand_rows(tmp_path: Path):
    """Detection (one inflate of every part) and the formula count add well under a second."""
    path = _hundred_thousand_rows(tmp_path / "big.xlsx")
    assert _info(path, SHEET).file_size > 68_000_000
    started = time.perf_counter()
    assert detect_file_kind(path) == FileKind.XLSX
    detecting = time.perf_counter() - started
    started = time.perf_counter()
    assert SheetRows(path).formulas_without_value == 0
    counting = time.perf_counter() - started
    assert detecting < 0.5 and counting < 0.75, (detecting, counting)


# ---------------------------------------------------------------------------------------------
# The other formats: .ods (built here), .xls and .xlsb (shipped)

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)


def _ods_cell(value: object, formula: str = "") -> str:
    if value is None:
        return "<table:table-cell/>"
    attributes = f' table:formula="{formula}"' if formula else ""
    if isinstance(value, datetime.date):
        return (
            f'<table:table-cell{attributes} office:value-type="date" office:date-value='
            f'"{value.isoformat()}" calcext:value-type="date"><text:p>'
            f"{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{attributes} office:value-type="float" office:value="{value}" '
            f'calcext:value-type="float"><text:p>{value}</text:p></table:table-cell>'
        )
    return (
        f'<table:table-cell{attributes} office:value-type="string" calcext:value-type="string">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def _ods(path: Path) -> Path:
    """A LibreOffice-like .ods: mimetype stored first, two sheets, the blank tail LO writes."""
    rows = [
        [_ods_cell("Salon Sofia 2026 — exposants")],
        [],
        [_ods_cell(name) for name in [*HEADER, "Double effectif"]],
        [
            *map(_ods_cell, ["Петър", "Иванов", "Балкан ООД", "+359 2 123 4567"]),
            *map(_ods_cell, ["p.ivanov@balkan.bg", datetime.date(1970, 7, 30), 12]),
            _ods_cell(24, "of:=[.G4]*2"),
        ],
        [
            *map(_ods_cell, ["Zoë", "Ñúñez", "Crème &amp; Fils", "06 12 34 56 78"]),
            *map(_ods_cell, ["zoe@creme.fr", datetime.date(1985, 1, 2), 3.5]),
            _ods_cell(7, "of:=[.G5]*2"),
        ],
    ]
    body = "".join(
        "<table:table-row>"
        + ("".join(cells) or '<table:table-cell table:number-columns-repeated="8"/>')
        + "</table:table-row>"
        for cells in rows
    )
    tail = (
        '<table:table-row table:number-rows-repeated="1048571"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODS_NS} '
        'office:version="1.3"><office:body><office:spreadsheet>'
        f'<table:table table:name="Contacts">{body}{tail}</table:table>'
        '<table:table table:name="Autre"><table:table-row>'
        f"{_ods_cell('rien')}</table:table-row></table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-'
        'type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _sofia_ods(tmp_path: Path) -> Path:
    return _ods(tmp_path / "sofia.ods")


def _shipped(name: str):
    return lambda tmp_path: FILES / name


@pytest.mark.parametrize(
    ("build", "kind"),
    [(_sofia_ods, FileKind.ODS), (_shipped("sofia.xls"), FileKind.XLS),
     (_shipped("sofia.xlsb"), FileKind.XLSB)],
    ids=["ods", "xls", "xlsb"],
)  # fmt: skip
def test_ods_xls_and_xlsb_read_like_xlsx(build, kind: FileKind, workspace, tmp_path: Path):
    path = build(tmp_path)
    assert detect_file_kind(path) == kind
    assert sheet_names(path) == ["Contacts", "Autre"]
    table = read_table(SheetRows(path, "Contacts"))
    assert table.header_row == 3
    assert [c.name for c in table.columns][: len(HEADER)] == HEADER
    data = list(table.data)
    assert [r.number for r in data][:2] == [4, 5]
    first, second = data[0].cells, data[1].cells
    assert first[:2] == ("Петър", "Иванов") and second[:3] == ("Zoë", "Ñúñez", "Crème & Fils")
    assert first[5] == datetime.date(1970, 7, 30)
    assert (first[6], second[6]) == (12, 3.5)
    assert [r.cells[0] for r in SheetRows(path, "Autre").rows()] == ["rien"]
    result = _run(workspace, ImportRequest(path, f"Sofia {kind}", sheet="Contacts"))
    assert result.status == "completed" and result.imported == len(data)
    assert "Петър Иванов" in _names(workspace)


def test_an_ods_formula_gives_its_saved_result(tmp_path: Path):
    data = list(read_table(SheetRows(_sofia_ods(tmp_path))).data)
    assert (data[0].cells[7], data[1].cells[7]) == (24, 7)


# ---------------------------------------------------------------------------------------------
# Sheets and blank runs


def test_a_sheet_is_chosen_by_name(workspace, tmp_path: Path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Nothing", "here"])
    prospects = workbook.create_sheet("Prospects 2026")
    prospects.append(["Prénom", "Nom", "Téléphone"])
    prospects.append(["Ana", "Pop", "06 12 34 56 78"])
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    preview = workspace.imports.preview(path, sheet="Prospects 2026")
    assert preview.sheets == ["Notes", "Prospects 2026"]
    assert [c.name for c in preview.columns] == ["Prénom", "Nom", "Téléphone"]
    result = _run(workspace, ImportRequest(path, "Prospects", sheet="Prospects 2026"))
    assert result.imported == 1
    with pytest.raises(WorkbookError) as caught:
        list(SheetRows(path, "Prospects 2025").rows())
    assert caught.value.user_message() == (
        "two.xlsx has no sheet called 'Prospects 2025'. Choose another sheet."
    )


def test_seven_blank_rows_do_not_end_the_list(tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Phone"])
    sheet.append(["Ana", "0601"])
    sheet["A10"], sheet["B10"] = "Ion", "0602"  # rows 3-9 blank
    path = tmp_path / "gap.xlsx"
    workbook.save(path)
    source = SheetRows(path)
    assert [r.number for r in source.rows()] == [1, 2, 10]
    assert source.blank_run_stop is None


def test_a_long_blank_run_ends_the_list_and_says_where(tmp_path: Path):
    """A stray value a thousand rows down (a space, an old total) is not part of the list.

    Reading stops after BLANK_RUN_END wholly blank rows; ``blank_run_stop`` names the first
    of them so the import report can tell the rep where reading stopped.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Phone"])
    sheet.append(["Ana", "0601"])
    sheet.cell(3 + BLANK_RUN_END + 200, 1, "Total: 1")
    path = tmp_path / "stray.xlsx"
    workbook.save(path)
    source = SheetRows(path)
    assert [r.number for r in source.rows()] == [1, 2]
    assert source.blank_run_stop == 3
