"""Bad and odd files beyond what the corpus shows: speed and memory, readers, big fields.

The corpus of small broken files and the message each gets is tests/data/broken/ (made by
scripts/make_broken_files.py, checked file by file by tests/unit/test_broken_corpus.py). Here:
hostile files refused fast and small (a 300 MB zip bomb is built on the spot), every XML reader
safe on its own, what the readers note about NULs and long cells, fields too big for a small
file, and the two "files" that are not files. reliability.md §3-4, F21-F23, F26-F28, F31.
"""

from __future__ import annotations

import pickle
import resource
import sqlite3
import time
import tracemalloc
import zipfile
from collections import deque
from pathlib import Path

import openpyxl
import pytest

from prospector.errors import UserFacingError
from prospector.importers.csv_rows import CsvFileError, CsvRows
from prospector.importers.detect import FileKind, UnsupportedFile, detect_file_kind
from prospector.importers.sheet_rows import MAX_CELL, SheetRows, WorkbookError
from prospector.importers.table import read_table
from prospector.services.imports import ImportRequest

TABLES = ("contacts", "sources", "import_runs")
CORPUS = Path(__file__).resolve().parents[1] / "data" / "broken"
SHEET = "xl/worksheets/sheet1.xml"


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _run(workspace, request):
    return deque(workspace.imports.run_import(request), maxlen=1)[0]


def _plain(message: str) -> None:
    """Words for a person: no traceback, no bare exception, a sentence that ends."""
    assert "Traceback" not in message and "Error:" not in message and "Errno" not in message
    assert message.rstrip().endswith((".", ")")), message
    assert len(message) > 40


def _zip_bomb(tmp_path: Path) -> Path:
    """300 MB of spaces in the sheet (about 1000:1), written streaming: no 300 MB in memory."""
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(CORPUS / "good.xlsx") as old, zipfile.ZipFile(
        bomb, "w", zipfile.ZIP_DEFLATED
    ) as new:
        for info in old.infolist():
            if info.filename != SHEET:
                new.writestr(info.filename, old.read(info))
        with new.open(SHEET, "w") as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            block = b" " * (1024 * 1024)
            for _ in range(300):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return bomb


@pytest.mark.parametrize(
    ("name", "problem", "says"),
    [
        ("Lists", "folder", ("is a folder", "choose the list file inside")),
        ("moved-away.xlsx", "missing", ("could not be found", "Choose it again")),
    ],
    ids=["folder", "missing"],
)
def test_a_folder_or_a_missing_file_gets_a_plain_message(
    name: str, problem: str, says: tuple[str, ...], workspace, db_path: Path, tmp_path: Path
):
    path = tmp_path / name
    if problem == "folder":
        path.mkdir()
    before = _counts(db_path)
    with pytest.raises(UnsupportedFile) as caught:
        detect_file_kind(path)
    assert caught.value.problem == problem
    message = caught.value.user_message()
    assert all(words in message for words in says)
    _plain(message)
    assert pickle.loads(pickle.dumps(caught.value)).user_message() == message
    with pytest.raises(UserFacingError) as imported:
        _run(workspace, ImportRequest(path, "Bad list"))
    assert imported.value.user_message() == message
    assert _counts(db_path) == before


@pytest.mark.parametrize(
    "name",
    [
        "xml-bomb.xlsx",
        "xxe.xlsx",
        "zip-bomb-300-mb",
        "forged-size.xlsx",
        "shared-string-bomb.xlsx",
        "repeat-bomb.ods",
    ],
)
def test_hostile_files_are_refused_fast_and_small(name: str, workspace, tmp_path: Path):
    """F21-F23: under a second and well under 100 MB, before any reader parses the file."""
    path = _zip_bomb(tmp_path) if name == "zip-bomb-300-mb" else CORPUS / name
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UnsupportedFile):
        workspace.imports.preview(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 20 * 1024 * 1024  # Python's own allocations while checking
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kib < 100 * 1024  # and the process as a whole (ru_maxrss is in KiB on Linux)


def test_no_reader_expands_or_fetches_entities():
    """Behind the refusal, every XML reader is safe on its own (reliability.md §3).

    calamine (quick-xml) does not expand DTD entities: it fails instead of reading the file
    the entity names. The XML we parse ourselves goes through defusedxml, which refuses a
    DTD; openpyxl, which writes exports, uses defusedxml too.
    """
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    with pytest.raises(WorkbookError) as caught:
        list(SheetRows(CORPUS / "xxe.xlsx").rows())
    assert "entity" in caught.value.detail
    assert not hostname or hostname not in caught.value.user_message().replace("xxe.xlsx", "")

    path = CORPUS / "dtd-in-workbook.xlsx"
    with pytest.raises(UnsupportedFile) as refused:
        detect_file_kind(path)
    assert refused.value.problem == "unsafe_xml"
    assert SheetRows(path).formulas_without_value == 0  # defusedxml said no; nothing read
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_genuine_workbook_at_121_to_1_still_imports(workspace):
    """A Mac Excel file seen in the wild inflates 121:1: the 500:1 rule must let it in."""
    path = CORPUS / "mac-excel-121-to-1.xlsx"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    assert info.file_size > 1024 * 1024 and 100 < info.file_size / info.compress_size < 200
    assert detect_file_kind(path) == FileKind.XLSX
    result = _run(workspace, ImportRequest(path, "Mac list"))
    assert result.status == "completed" and result.imported == 999


@pytest.mark.parametrize("name", ["garbage-records.xls", "no-sheets.xls"])
def test_a_workbook_the_reader_fails_on_passes_detection(name: str):
    """What detection lets through (it looks like an .xls) can still be broken inside: the
    reader's own error is put in plain words (tests/unit/test_broken_corpus.py)."""
    assert detect_file_kind(CORPUS / name) == FileKind.XLS


def test_a_logo_with_a_doctype_does_not_make_a_workbook_unsafe():
    """SVG pictures from Illustrator declare a DTD; no reader parses them, so they pass."""
    assert detect_file_kind(CORPUS / "logo-with-doctype.xlsx") == FileKind.XLSX


def test_an_odd_but_good_csv_reads_with_a_text_editors_row_numbers(workspace, tmp_path: Path):
    """Title and blank lines above the header, blank and repeated headers, a quoted newline,
    ragged and blank rows: all read, and problems name the line a text editor shows (F31)."""
    path = tmp_path / "salon.csv"
    path.write_bytes(
        "Salon Lyon 2026 — visiteurs;;;;\r\n"
        "\r\n"
        "Prénom;Nom;Téléphone;E-mail;;E-mail\r\n"
        'Ana;Pop;06 12 34 56 78;ana@pop.fr;"stand 4\r\nallée B";ana@autre.fr\r\n'
        "Ion;Rus;06 98 76 54 32;ion@\r\n"
        ";;;;;\r\n"
        "Élise;Guillet;04 72 00 00 01;elise@guillet.fr;;;extra\r\n".encode()
    )
    preview = workspace.imports.preview(path)
    assert preview.header_row == 3
    assert [c.name for c in preview.columns][:6] == [
        "Prénom", "Nom", "Téléphone", "E-mail", "Column E", "E-mail (2)",
    ]  # fmt: skip
    result = _run(workspace, ImportRequest(path, "Salon CSV"))
    assert result.status == "completed" and result.imported == 3
    assert (6, "email.invalid") in {(p.row, p.code) for p in result.problems}


def test_a_csv_renamed_xlsx_is_read_as_csv(workspace):
    """Content decides, not the name (the reverse of the 68-byte note named .xls)."""
    path = CORPUS / "csv-named.xlsx"
    assert detect_file_kind(path) == FileKind.CSV
    preview = workspace.imports.preview(path)
    assert preview.kind == FileKind.CSV and preview.delimiter == ";"
    assert [c.name for c in preview.columns] == ["Prénom", "Nom", "Téléphone"]
    assert _run(workspace, ImportRequest(path, "Renamed")).imported == 1


@pytest.mark.parametrize(
    "text",
    [
        "ID;Prénom;Nom\n1;Ana;Pop\n2;Ion;Rus\n",  # Excel itself calls this a SYLK file
        "BMW;Paris;06 12 34 56 78\nAudi;Lyon;06 98 76 54 32\n",  # "BM" starts a bitmap
        "GIF8;Ana\nGIF9;Ion\n",
    ],
    ids=["id-not-sylk", "bm-not-bitmap", "gif-not-picture"],
)
def test_lists_starting_like_another_format_are_still_lists(tmp_path: Path, text: str):
    """A magic number alone is not enough when it is also how a list can begin."""
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    assert detect_file_kind(path) == FileKind.CSV


def test_an_html_file_with_a_bom_is_still_named():
    path = CORPUS / "web-page.xls"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnsupportedFile) as caught:
        detect_file_kind(path)
    assert caught.value.problem == "html"


def test_nul_bytes_in_a_csv_are_dropped_and_noted(workspace):
    """F26: Python 3.11 accepts NUL in fields; we strip it and say which rows had it."""
    path = CORPUS / "nul-bytes.csv"
    assert detect_file_kind(path) == FileKind.CSV
    source = CsvRows(path)
    rows = list(source.rows())
    assert rows[1].cells == ("Ana", "0601") and rows[2].cells == ("Bob", "0602")
    assert source.nul_rows == [2, 3]
    result = _run(workspace, ImportRequest(path, "NUL list"))
    assert result.status == "completed" and result.imported == 3


def test_a_200_kb_field_is_cut_to_excels_limit(workspace, tmp_path: Path):
    """F26: past the csv module's 128 KiB default; kept to 32,767 characters, rest imported."""
    path = tmp_path / "long.csv"
    path.write_text(
        f"name,phone,notes\nAna,0601,{'x' * 200_000}\nBob,0602,short\n", encoding="utf-8"
    )
    source = CsvRows(path)
    rows = list(source.rows())
    assert len(rows[1].cells[2]) == MAX_CELL and rows[2].cells[2] == "short"
    assert source.cut_cells == [(2, 2)]
    result = _run(workspace, ImportRequest(path, "Long list"))
    assert result.status == "completed" and result.imported == 2


def test_a_field_over_a_mebibyte_refuses_the_file(workspace, db_path: Path, tmp_path: Path):
    path = tmp_path / "huge.csv"
    path.write_text(f"name,notes\nAna,ok\nBob,{'x' * 1_100_000}\n", encoding="utf-8")
    before = _counts(db_path)
    with pytest.raises(CsvFileError) as caught:
        _run(workspace, ImportRequest(path, "Huge"))
    assert caught.value.problem == "field_too_long" and caught.value.row == 3
    assert "Row 3 has a value longer than a million characters" in caught.value.user_message()
    assert _counts(db_path) == before


def test_a_40000_character_cell_is_cut_and_noted():
    """F23: Excel's limit is 32,767 characters per cell; LibreOffice and scripts go past it.

    The long text is a shared string, as Excel and LibreOffice store text (openpyxl would
    cut it itself): far below the shared-string bomb's bound, so it is read, then cut.
    """
    path = CORPUS / "huge-cell.xlsx"
    assert detect_file_kind(path) == FileKind.XLSX
    source = SheetRows(path)
    table = read_table(source)
    assert [c.name for c in table.columns] == ["Prénom", "Nom", "Téléphone", "Notes"]
    data = list(table.data)
    assert len(data[1].cells[3]) == MAX_CELL and data[1].cells[3] == "é" * MAX_CELL
    assert source.cut_cells == [(3, 3)]


def test_a_million_declared_rows_are_not_believed():
    """F23: the <dimension> says A1:XFD1048576; only the real rows are read, at once."""
    path = CORPUS / "declared-million-rows.xlsx"
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:XFD1048576" />' in archive.read(SHEET)
    started = time.perf_counter()
    rows = list(SheetRows(path).rows())
    assert [r.number for r in rows] == [1, 2, 3]
    assert time.perf_counter() - started < 1
