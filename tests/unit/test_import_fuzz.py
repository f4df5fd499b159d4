"""Fuzzing the CSV and workbook imports (reliability.md F29) with hypothesis.

Whatever the file, the real import service (preview, then the import) either succeeds, leaving
a healthy database, or ends with a ``UserFacingError`` in plain words, leaving every table as
it was. Files are made from rows of awkward cells (quotes, delimiters, line breaks, NUL, BOMs,
formula-looking text, any Unicode), written as CSV in the encodings Excel writes, or as .xlsx
by our own streaming writer, then often damaged: cut short, bytes flipped or inserted, or the
sheet's XML edited inside an otherwise valid zip.

Fixed seed (``derandomize``) and a fixed number of examples: about a minute on two cores,
within the two minutes CI allows for it.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prospector.errors import UserFacingError
from prospector.exporters.sheet import Column, Kind
from prospector.exporters.xlsx_book import XlsxBook
from prospector.services.imports import ImportRequest
from prospector.services.workspace import Workspace, open_workspace


def fuzz(examples: int) -> settings:
    return settings(_FUZZ, max_examples=examples)


_FUZZ = settings(
    deadline=None,
    derandomize=True,  # the same examples on every run and every machine
    database=None,  # nothing remembered between runs: a failure is reproduced from the seed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HEADERS = ["Prénom", "Nom", "Téléphone", "E-mail", "Email", "Phone", "Société", "Company",
           "Ville", "City", "Notes", "Date de naissance", "Valeur", "", "Nom", "ID"]  # fmt: skip
AWKWARD = ['"', ",", ";", "\t", "\n", "\r", "\r\n", "\x00", "'", "=", "+", "-", "@", "\ufeff",
           "é", "€", "ß", "😀", " ", "\u00a0", "\u200b", "_x000D_", "<", "&", "]]>"]  # fmt: skip
PLAUSIBLE = ["Ana", "Pop", "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678",
             "ana@pop.fr", "ANA@POP.FR", "not@valid", "Lyon", "=1+1", "'=1+1", "1/2/2026",
             "2026-02-29", "31/12/1999", "1 234,50", "", " "]  # fmt: skip

cell_text = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.lists(
        st.one_of(st.sampled_from(AWKWARD), st.characters(codec="utf-8")), max_size=12
    ).map("".join),
)
rows_of_text = st.lists(st.lists(cell_text, max_size=9), max_size=20)
headers = st.lists(st.one_of(st.sampled_from(HEADERS), cell_text), min_size=0, max_size=9)


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")
            if not (sql or "").upper().startswith("CREATE VIRTUAL")
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return counts
    finally:
        conn.close()


@pytest.fixture
def fuzz_workspace(db_path: Path, clock) -> Iterator[Workspace]:
    """One database for every example (a backup before each import would only slow it)."""
    ws = open_workspace(db_path, clock=clock, backups=False)
    ws.settings.set_default_country("FR")
    yield ws
    ws.close()


def _import_or_plain_error(ws: Workspace, db: Path, path: Path) -> None:
    """The property: success with a healthy database, or plain words and nothing changed."""
    before = _counts(db)
    try:
        ws.imports.preview(path)
        last = deque(ws.imports.run_import(ImportRequest(path, "Fuzz")), maxlen=1)[0]
    except UserFacingError as error:
        message = error.user_message()
        assert "Traceback" not in message and len(message) > 30, message
        assert message.rstrip().endswith((".", ")")), message
        assert _counts(db) == before, f"{error.code}: the database changed"
        return
    assert last.status == "completed"
    assert last.imported + last.merged + last.skipped + last.rejected == last.rows_read
    after = _counts(db)
    assert after["contacts"] == before["contacts"] + last.imported
    assert after["import_runs"] == before["import_runs"] + 1


# -- damage ---------------------------------------------------------------------------------------


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` as it is, cut short, with bytes flipped, or with bytes slipped in."""
    how = draw(st.sampled_from(["none", "none", "cut", "flip", "insert"]))
    if how == "none" or not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    if how == "cut":
        return data[:at]
    if how == "flip":
        out = bytearray(data)
        for offset in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
            out[offset] ^= draw(st.integers(1, 255))
        return bytes(out)
    return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]


# -- CSV ------------------------------------------------------------------------------------------


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["written", "written", "written", "joined", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    table = [draw(headers), *draw(rows_of_text)]
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    if kind == "written":  # as Excel or a script would write it, quoting as needed
        buffer = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        csv.writer(buffer, delimiter=delimiter, quoting=quoting).writerows(table)
        text = buffer.getvalue()
    else:  # joined by hand, with no quoting at all: stray quotes and breaks stay raw
        newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = newline.join(delimiter.join(row) for row in table)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "cp1250", "utf-16"]))
    return draw(damaged(text.encode(encoding, errors="replace")))


@fuzz(900)
@given(content=csv_files())
def test_any_csv_imports_or_is_refused_in_plain_words(
    content: bytes, fuzz_workspace: Workspace, db_path: Path, tmp_path: Path
):
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    _import_or_plain_error(fuzz_workspace, db_path, path)


# -- workbooks ------------------------------------------------------------------------------------

_VALUES = {
    Kind.TEXT: cell_text,
    Kind.CODE: st.sampled_from(["06 12 34 56 78", "0612345678", "+33612345678", "69001", ""]),
    Kind.INTEGER: st.integers(-(2**53), 2**53),
    Kind.CENTS: st.integers(-(10**12), 10**12),
    Kind.DATE: st.dates(date(1890, 1, 1), date(2100, 12, 31)),
    Kind.DATETIME: st.datetimes(datetime(1890, 1, 1), datetime(2100, 12, 31)),
    Kind.BOOLEAN: st.booleans(),
}


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    names = draw(st.lists(st.one_of(st.sampled_from(HEADERS), cell_text), min_size=1, max_size=7))
    kinds = [draw(st.sampled_from(list(_VALUES))) for _ in names]
    rows = [
        [draw(st.one_of(st.none(), _VALUES[kind])) for kind in kinds]
        for _ in range(draw(st.integers(0, 15)))
    ]
    buffer = io.BytesIO()
    title = draw(st.sampled_from(["Contacts", "Feuil1", "=Sheet", "Liste [2026]"]))
    book = XlsxBook(buffer, [title])
    columns = [Column(name or "Column", kind) for name, kind in zip(names, kinds, strict=True)]
    deque(book.write_sheet(title, columns, rows), maxlen=0)
    book.close()
    data = buffer.getvalue()
    if draw(st.booleans()):
        data = _edit_sheet_xml(draw, data)
    return draw(damaged(data))


_FRAGMENTS = [
    '<c r="B2" t="s"><v>7</v></c>', '<c r="A1" t="inlineStr"><is><t>x</t></is></c>',
    '<row r="0">', "</row>", '<row r="1048577"><c r="XFE1"><v>1</v></c></row>',
    '<c r="A2" t="e"><v>#REF!</v></c>', '<c r="C3"><f>SUM(A1:A2)</f></c>',
    '<c r="D4" t="n"><v>1e400</v></c>', '<c r="E5" t="d"><v>not a date</v></c>',
    "&amp;", "&bogus;", "<![CDATA[x]]>", "\x00", "é", "<c>", "</sheetData>",
]  # fmt: skip


def _edit_sheet_xml(draw: st.DrawFn, data: bytes) -> bytes:
    """The sheet's XML edited (a fragment slipped in, or a piece cut out) in a valid zip."""
    name = "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            part = old.read(info)
            if info.filename == name:
                text = part.decode("utf-8")
                at = draw(st.integers(0, len(text)))
                if draw(st.booleans()):
                    text = text[:at] + draw(st.sampled_from(_FRAGMENTS)) + text[at:]
                else:
                    text = text[:at] + text[at + draw(st.integers(1, 40)) :]
                part = text.encode("utf-8")
            new.writestr(info.filename, part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@fuzz(800)
@given(content=workbooks())
def test_any_workbook_imports_or_is_refused_in_plain_words(
    content: bytes, fuzz_workspace: Workspace, db_path: Path, tmp_path: Path
):
    path = tmp_path / "list.xlsx"
    path.write_bytes(content)
    _import_or_plain_error(fuzz_workspace, db_path, path)


# -- what the fuzzing found -----------------------------------------------------------------------


def test_a_list_saved_as_utf8_after_one_saved_as_utf16_still_previews(
    fuzz_workspace: Workspace, db_path: Path, tmp_path: Path
):
    """Found by the CSV fuzz: an import saves its encoding as a template for those headers;
    the same headers in a file without a byte order mark were then read as UTF-16, and
    Python's UTF-16 decoder raised a bare UnicodeError (a crash, not a message)."""
    text = "Prénom,Ville\r\nAna,Lyon\r\n"
    first = tmp_path / "vendor-march.csv"
    first.write_bytes(text.encode("utf-16"))  # with a byte order mark, as Excel writes it
    deque(fuzz_workspace.imports.run_import(ImportRequest(first, "March")), maxlen=1)
    second = tmp_path / "vendor-april.csv"
    second.write_bytes(text.replace("Ana", "Ion").encode("utf-8"))
    preview = fuzz_workspace.imports.preview(second)
    assert preview.encoding == "utf_8" and [c.name for c in preview.columns] == ["Prénom", "Ville"]
    _import_or_plain_error(fuzz_workspace, db_path, second)
    # Forcing UTF-16 on it is refused in plain words, not with a traceback.
    from prospector.importers.csv_rows import CsvFileError, CsvRows

    with pytest.raises(CsvFileError) as caught:
        list(CsvRows(second, encoding="utf_16").rows())
    assert caught.value.problem == "encoding"
