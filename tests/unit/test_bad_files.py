"""Every kind of bad or odd file gets a plain message, and nothing reaches the database.

The corpus is built here, in tmp_path, with no network: hostile workbooks (XML entity bombs,
external entities, zip bombs, a forged zip size, a shared-string bomb, an ODS repeat bomb),
protected ones, damaged ones, and the documents reps pick by mistake. reliability.md §3-4 and
faults F21, F22, F23, F26, F27 and F28.
"""

from __future__ import annotations

import gzip
import io
import pickle
import resource
import sqlite3
import struct
import time
import tracemalloc
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from prospector.errors import UserFacingError
from prospector.importers.csv_rows import CsvFileError, CsvRows
from prospector.importers.detect import FileKind, UnsupportedFile, detect_file_kind
from prospector.importers.sheet_rows import MAX_CELL, SheetRows, WorkbookError
from prospector.importers.table import read_table
from prospector.services.imports import ImportRequest

TABLES = ("contacts", "sources", "import_runs")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"


# ---------------------------------------------------------------------------------------------
# Helpers: the database, a run, and the files


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _info(zipped: Path | io.BytesIO, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(zipped) as archive:
        return archive.getinfo(name)


def _run(workspace, request):
    return deque(workspace.imports.run_import(request), maxlen=1)[0]


def _good_xlsx(path: Path, extra: list[list[object]] | None = None) -> Path:
    """A small, valid list written by openpyxl: the base the hostile variants are made from."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(["Prénom", "Nom", "Téléphone", "E-mail"])
    sheet.append(["Ana", "Pop", "06 12 34 56 78", "ana@pop.fr"])
    sheet.append(["Ion", "Rus", "06 98 76 54 32", "ion@rus.fr"])
    for row in extra or []:
        sheet.append(row)
    workbook.save(path)
    return path


def _rezip(src: Path, dst: Path, parts: dict[str, bytes], level: int = 6) -> Path:
    """``src`` with some parts replaced or added, deflated like Excel does."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = parts.pop(info.filename, None)
            new.writestr(
                info.filename,
                old.read(info) if data is None else data,
                zipfile.ZIP_DEFLATED,
                level,
            )
        for name, data in parts.items():
            new.writestr(name, data, zipfile.ZIP_DEFLATED, level)
    return dst


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    """A zip whose first part, if called ``mimetype``, is stored as OpenDocument requires."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, method)
    return path


def _sheet_xml(cells: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f'<worksheet xmlns="{MAIN}"><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)
XXE = '<!DOCTYPE worksheet [<!ENTITY host SYSTEM "file:///etc/hostname">]>\n'


def _xml_bomb(tmp_path: Path) -> Path:
    sheet = _sheet_xml(f'<row r="1">{_inline("A1", "&lol9;")}</row>', BILLION_LAUGHS)
    return _rezip(_good_xlsx(tmp_path / "base.xlsx"), tmp_path / "laughs.xlsx", {SHEET: sheet})


def _xxe(tmp_path: Path) -> Path:
    sheet = _sheet_xml(f'<row r="1">{_inline("A1", "Name")}{_inline("B1", "&host;")}</row>', XXE)
    return _rezip(_good_xlsx(tmp_path / "base.xlsx"), tmp_path / "xxe.xlsx", {SHEET: sheet})


def _xml_bomb_in_ods(tmp_path: Path) -> Path:
    root = b"<office:document-content"
    content = ODS_CONTENT.replace(b"ROWS", b"").replace(root, BILLION_LAUGHS.encode() + root)
    return _ods(tmp_path / "laughs.ods", content)


def _zip_bomb(tmp_path: Path) -> Path:
    """300 MB of spaces in the sheet (about 1000:1), written streaming: no 300 MB in memory."""
    path = _good_xlsx(tmp_path / "base.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != SHEET:
                new.writestr(info.filename, old.read(info))
        with new.open(SHEET, "w") as part:
            part.write(_sheet_xml("").split(b"<sheetData>")[0] + b"<sheetData>")
            block = b" " * (1024 * 1024)
            for _ in range(300):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return bomb


def _forge_size(data: bytes, name: str, declared: int) -> bytes:
    """The zip ``data`` with ``name``'s uncompressed size set to ``declared`` in both headers."""
    out = bytearray(data)
    encoded = name.encode()
    info = _info(io.BytesIO(data), name)
    struct.pack_into("<I", out, info.header_offset + 22, declared)  # local header
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        length, extra, comment = struct.unpack_from("<HHH", out, position + 28)
        if out[position + 46 : position + 46 + length] == encoded:
            struct.pack_into("<I", out, position + 24, declared)  # central directory
        position = out.find(b"PK\x01\x02", position + 46 + length + extra + comment)
    return bytes(out)


def _forged(tmp_path: Path) -> Path:
    """The sheet really holds 5 MB (1000:1) but its entries say 8 KB: a ratio of about 2:1."""
    rows = "".join(f'<row r="{r}">{_inline(f"A{r}", "Ana")}</row>' for r in range(1, 4))
    sheet = _sheet_xml(rows + " " * (5 * 1024 * 1024))
    base = _rezip(_good_xlsx(tmp_path / "base.xlsx"), tmp_path / "real.xlsx", {SHEET: sheet})
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(_forge_size(base.read_bytes(), SHEET, 8 * 1024))
    assert _info(forged, SHEET).file_size == 8 * 1024
    return forged


def _shared_string_bomb(tmp_path: Path) -> Path:
    """12,000 cells pointing at one 1 MB shared string (Apache POI's bomb): 12 GB if copied."""
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
        f'count="12000" uniqueCount="1"><si><t>{"A" * 1_000_000}</t></si></sst>'
    ).encode()
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 12_001))
    return _with_shared_strings(tmp_path, "strings.xlsx", strings, _sheet_xml(cells))


def _with_shared_strings(tmp_path: Path, name: str, strings: bytes, sheet: bytes) -> Path:
    base = _good_xlsx(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats'
        '-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return _rezip(
        base,
        tmp_path / name,
        {
            SHEET: sheet,
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
            "xl/sharedStrings.xml": strings,
        },
    )


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:'
    b'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
    b'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
    b'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
    b'"text/xml"/></manifest:manifest>'
)
ODS_CONTENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content xmlns:office="urn:oasis'
    b':names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
    b'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:'
    b'version="1.2"><office:body><office:spreadsheet><table:table table:name="Contacts">'
    b'<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p>'
    b'</table:table-cell><table:table-cell office:value-type="string"><text:p>Phone</text:p>'
    b"</table:table-cell></table:table-row>ROWS</table:table></office:spreadsheet></office:"
    b"body></office:document-content>"
)


def _ods(path: Path, content: bytes, manifest: bytes = ODS_MANIFEST) -> Path:
    return _zip(
        path,
        {"mimetype": ODS_MIMETYPE, "META-INF/manifest.xml": manifest, "content.xml": content},
    )


def _ods_repeat_bomb(tmp_path: Path) -> Path:
    """One valued cell repeated 100 columns × 100,000 rows: 10 million cells, 1.2 GB in
    calamine, from a 1 KB file (calamine's own limit is 100 million cells)."""
    row = (
        b'<table:table-row table:number-rows-repeated="100000"><table:table-cell '
        b'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        b"</table:table-cell></table:table-row>"
    )
    return _ods(tmp_path / "repeat.ods", ODS_CONTENT.replace(b"ROWS", row))


def _encrypted_ods(tmp_path: Path) -> Path:
    manifest = ODS_MANIFEST.replace(
        b'media-type="text/xml"/>',
        b'media-type="text/xml" manifest:size="900"><manifest:encryption-data manifest:'
        b'checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        b'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3'
        b'.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>'
        b"</manifest:encryption-data></manifest:file-entry>",
    )
    return _ods(tmp_path / "locked.ods", bytes(range(256)) * 4, manifest)


def _password_xlsx(tmp_path: Path) -> Path:
    """Encrypted the way Excel does it (ECMA-376 agile), with msoffcrypto-tool."""
    plain = _good_xlsx(tmp_path / "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    return locked


def _ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB version 3, 512-byte sectors) holding ``streams``.

    olefile cannot write, so we lay one out: header, one FAT sector, one directory sector,
    then each stream padded to 4 KiB (past the mini-stream cutoff, so no mini FAT is needed).
    """
    sector, end, free, nostream = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end]  # sector 0 holds the FAT, sector 1 the directory
    data, placed = b"", []
    for payload in streams.values():
        payload = payload.ljust(4096, b"\0")
        count = -(-len(payload) // sector)
        first = len(fat)
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        placed.append((first, len(payload)))
        data += payload.ljust(count * sector, b"\0")
    assert len(fat) <= sector // 4 and len(streams) <= 3
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, start: int, size: int, right: int, child: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\0\0") if name else b""
        fixed = struct.pack("<HBB3I", len(encoded), kind, 1, nostream, right, child)
        return encoded.ljust(64, b"\0") + fixed + b"\0" * 36 + struct.pack("<IQ", start, size)

    names = list(streams)
    directory = entry("Root Entry", 5, end, 0, nostream, 1)
    for index, (name, (start, size)) in enumerate(zip(names, placed, strict=True), start=1):
        directory += entry(
            name, 2, start, size, index + 1 if index < len(names) else nostream, nostream
        )
    while len(directory) < sector:
        directory += entry("", 0, 0, 0, nostream, nostream)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    return header + fat_sector + directory + data


def _biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", kind, len(body)) + body for kind, body in records)


BOF = (0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x1F6E, 1997, 0, 0x0006))


def _xls_with_filepass(tmp_path: Path, name: str, method: int) -> Path:
    """An .xls saved with a password: FILEPASS after BOF (0 = XOR obfuscation, 1 = RC4)."""
    filepass = (0x002F, struct.pack("<H", method) + b"\x01\x00" * 20)
    path = tmp_path / name
    path.write_bytes(_ole_file({"Workbook": _biff(BOF, filepass, (0x000A, b""))}))
    return path


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return build


def _truncated(tmp_path: Path) -> Path:
    whole = _good_xlsx(tmp_path / "whole.xlsx").read_bytes()
    path = tmp_path / "download.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _damaged(tmp_path: Path) -> Path:
    """Bytes flipped inside the sheet's compressed data (a bad disk or a broken copy)."""
    path = _good_xlsx(tmp_path / "damaged.xlsx")
    data = bytearray(path.read_bytes())
    info = _info(path, SHEET)
    start = info.header_offset + 30 + len(SHEET)
    for offset in range(start + 20, start + info.compress_size - 4, 7):
        data[offset] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def _iwork(name: str) -> Callable[[Path], Path]:
    return lambda tmp_path: _zip(
        tmp_path / name,
        {
            "Index/Document.iwa": b"\x00\x9a\x05\x00" + bytes(64),
            "Index/Metadata.iwa": bytes(32),
            "Metadata/Properties.plist": b"bplist00",
            "preview.jpg": b"\xff\xd8\xff\xe0",
        },
    )


def _numbers_package(tmp_path: Path) -> Path:
    """A Numbers document as a Mac keeps it: a folder, copied as is to Windows."""
    package = tmp_path / "Leads.numbers"
    (package / "Data").mkdir(parents=True)
    _zip(package / "Index.zip", {"Index/Document.iwa": bytes(16)})
    return package


def _docx(tmp_path: Path) -> Path:
    return _zip(
        tmp_path / "contacts.docx",
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        },
    )


def _odt(tmp_path: Path) -> Path:
    return _zip(
        tmp_path / "contacts.odt",
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
    )


def _zipped_csv(tmp_path: Path) -> Path:
    return _zip(tmp_path / "export.zip", {"contacts.csv": b"name,phone\nAna,0601\n"})


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "moved-away.xlsx"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Lists"
    folder.mkdir()
    return folder


SPREADSHEETML = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:'
    'schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:'
    'spreadsheet"><Worksheet ss:Name="Contacts"><Table><Row><Cell><Data ss:Type="String">Name'
    "</Data></Cell></Row></Table></Worksheet></Workbook>\n"
)
FODS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:'
    'tc:opendocument:xmlns:office:1.0" office:version="1.3" office:mimetype="application/vnd.'
    'oasis.opendocument.spreadsheet"><office:body><office:spreadsheet/></office:body>'
    "</office:document>\n"
)
EXCEL_HTML = (
    '\ufeff<html xmlns:o="urn:schemas-microsoft-com:office:office"\nxmlns:x="urn:schemas-'
    'microsoft-com:office:excel"\nxmlns="http://www.w3.org/TR/REC-html40">\n<head><meta '
    "name=ProgId content=Excel.Sheet></head><body><table><tr><td>Name</td><td>Phone</td></tr>"
    "</table></body></html>\n"
)
MHTML = (
    "MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; "
    'boundary="----=_NextPart_01DA"\r\n\r\n------=_NextPart_01DA\r\n'
)
SYLK = 'ID;PWXL;N;E\r\nP;PGeneral\r\nC;Y1;X1;K"Name"\r\nC;X2;K"Phone"\r\nE\r\n'
DIF = 'TABLE\r\n0,1\r\n"EXCEL"\r\nVECTORS\r\n0,2\r\n""\r\nTUPLES\r\n0,1\r\n""\r\n'
WK1 = b"\x00\x00\x02\x00\x06\x04" + b"\x06\x00\x08\x00" + bytes(8) + b"\x01\x00\x00\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
RTF = r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Calibri;}}Name\tab Phone\par Ana\tab 0601\par}"
NOTE_68 = "Your download link has expired. Please ask us for a new export link."

assert len(NOTE_68.encode()) == 68


@dataclass(frozen=True)
class Bad:
    name: str
    build: Callable[[Path], Path]
    problem: str
    says: tuple[str, ...]  # what the file is, and what to do


CASES = [
    # F21: hostile XML inside an otherwise valid workbook
    Bad("xml-bomb", _xml_bomb, "unsafe_xml", ("unsafe content", "Ask whoever sent it")),
    Bad("xxe", _xxe, "unsafe_xml", ("unsafe content", "not imported")),
    Bad("xml-bomb-ods", _xml_bomb_in_ods, "unsafe_xml", ("unsafe content",)),
    # F22 and F23: zips and strings that expand too far
    Bad("zip-bomb", _zip_bomb, "zip_bomb", ("expands to far more data", "fresh copy")),
    Bad("forged-size", _forged, "zip_bomb", ("expands to far more data", "not imported")),
    Bad("shared-strings", _shared_string_bomb, "huge_text", ("32,767 characters", "fresh copy")),
    Bad("ods-repeats", _ods_repeat_bomb, "zip_bomb", ("expands to far more data",)),
    # F27: protected
    Bad("password-xlsx", _password_xlsx, "password", ("protected by a password", "remove")),
    Bad("xor-xls", lambda p: _xls_with_filepass(p, "old.xls", 0), "password", ("password",)),
    Bad("rc4-xls", lambda p: _xls_with_filepass(p, "rc4.xls", 1), "password", ("password",)),
    Bad("password-ods", _encrypted_ods, "password_ods", ("password", "Save with password")),
    # F28: another kind of file
    Bad("numbers", _iwork("Leads.numbers"), "numbers", ("Apple Numbers", "Export To ▸ Excel")),
    Bad("numbers-folder", _numbers_package, "numbers", ("Apple Numbers", "Export To")),
    Bad("pages", _iwork("Leads.pages"), "pages", ("Apple Pages", "Excel")),
    Bad("docx", _docx, "word", ("Word document", "copy the table into Excel")),
    Bad(
        "doc",
        _write("contacts.doc", _ole_file({"WordDocument": b"\xec\xa5", "1Table": b""})),
        "word",
        ("Word document", "save it as .xlsx"),
    ),
    Bad("odt", _odt, "writer", ("text document", "save it as .xlsx")),
    Bad("pdf", _write("leads.pdf", PDF), "pdf", ("PDF document", "as Excel or CSV")),
    Bad("png", _write("leads.png", PNG), "image", ("picture", "Choose the spreadsheet")),
    Bad("gzip", _write("leads.csv.gz", gzip.compress(b"a,b\n")), "gzip", ("gzip", "Uncompress")),
    Bad("zip", _zipped_csv, "zip", ("zip archive", "Unzip it")),
    Bad("spreadsheetml", _write("old.xml", SPREADSHEETML), "spreadsheetml", ("XML Spreadsheet",)),
    Bad("spreadsheetml-xls", _write("old.xls", SPREADSHEETML), "spreadsheetml", (".xlsx",)),
    Bad("fods", _write("flat.fods", FODS), "fods", ("flat OpenDocument", ".xlsx")),
    Bad("html-xls", _write("export.xls", EXCEL_HTML), "html", ("web page", "Excel Workbook")),
    Bad("mhtml-xls", _write("export.xls", MHTML), "html", ("web page", "Excel Workbook")),
    Bad("sylk", _write("export.slk", SYLK), "sylk", ("SYLK", "save it as 'Excel Workbook")),
    Bad("dif", _write("export.dif", DIF), "dif", ("DIF", "Excel Workbook")),
    Bad("wk1", _write("budget.wk1", WK1), "lotus", ("Lotus 1-2-3", "Excel Workbook")),
    Bad("rtf", _write("contacts.rtf", RTF), "rtf", ("RTF", "copy the table into Excel")),
    Bad("xml", _write("feed.xml", '<?xml version="1.0"?><feed/>'), "xml", ("XML data file",)),
    Bad(
        "ole-other",
        _write("mail.msg", _ole_file({"__properties_version1.0": b"x"})),
        "binary",
        ("not a spreadsheet", "save it as Excel"),
    ),
    Bad("binary", _write("leads.dat", bytes(range(256)) * 8), "binary", ("not a spreadsheet",)),
    # F28: empty, damaged, misnamed, missing
    Bad("empty", _write("leads.csv", b""), "empty", ("is empty", "download it again")),
    Bad("nul-file", _write("leads.xlsx", bytes(70_000)), "blank", ("zero bytes", "download")),
    Bad("truncated", _truncated, "truncated", ("incomplete", "Download or copy it again")),
    Bad("damaged", _damaged, "damaged", ("damaged", "open it in Excel")),
    Bad("note-68b", _write("leads.xls", NOTE_68), "text_not_list", ("download link has exp",)),
    Bad("folder", _folder, "folder", ("is a folder", "choose the list file inside")),
    Bad("missing", _missing, "missing", ("could not be found", "Choose it again")),
]


def _plain(message: str) -> None:
    """Words for a person: no traceback, no bare exception, a sentence that ends."""
    assert "Traceback" not in message and "Error:" not in message and "Errno" not in message
    assert message.rstrip().endswith((".", ")")), message
    assert len(message) > 40


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_file_gets_a_plain_message_and_changes_nothing(
    case: Bad, workspace, db_path: Path, tmp_path: Path
):
    path = case.build(tmp_path)
    before = _counts(db_path)
    with pytest.raises(UnsupportedFile) as caught:
        detect_file_kind(path)
    assert caught.value.problem == case.problem
    message = caught.value.user_message()
    for fragment in case.says:
        assert fragment in message
    _plain(message)
    # A worker process (parallel import) hands errors back pickled: they must survive it.
    assert pickle.loads(pickle.dumps(caught.value)).user_message() == message

    with pytest.raises(UserFacingError) as previewed:
        workspace.imports.preview(path)
    assert previewed.value.user_message() == message
    with pytest.raises(UserFacingError) as imported:
        _run(workspace, ImportRequest(path, "Bad list"))
    assert imported.value.user_message() == message
    assert _counts(db_path) == before


@pytest.mark.parametrize(
    "build",
    [_xml_bomb, _xxe, _zip_bomb, _forged, _shared_string_bomb, _ods_repeat_bomb],
    ids=["xml-bomb", "xxe", "zip-bomb", "forged-size", "shared-strings", "ods-repeats"],
)
def test_hostile_files_are_refused_fast_and_small(build, workspace, tmp_path: Path):
    """F21-F23: under a second and well under 100 MB, before any reader parses the file."""
    path = build(tmp_path)
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


def test_no_reader_expands_or_fetches_entities(tmp_path: Path):
    """Behind the refusal, every XML reader is safe on its own (reliability.md §3).

    calamine (quick-xml) does not expand DTD entities: it fails instead of reading the file
    the entity names. The XML we parse ourselves goes through defusedxml, which refuses a
    DTD; openpyxl, which writes exports, uses defusedxml too.
    """
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    with pytest.raises(WorkbookError) as caught:
        list(SheetRows(_xxe(tmp_path)).rows())
    assert "entity" in caught.value.detail
    assert not hostname or hostname not in caught.value.user_message().replace("xxe.xlsx", "")

    base = _good_xlsx(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    hostile = workbook.replace("<workbook", XXE + "<workbook", 1).replace(
        'name="Contacts"', 'name="&host;"'
    )
    path = _rezip(base, tmp_path / "dtd-workbook.xlsx", {"xl/workbook.xml": hostile.encode()})
    with pytest.raises(UnsupportedFile) as refused:
        detect_file_kind(path)
    assert refused.value.problem == "unsafe_xml"
    assert SheetRows(path).formulas_without_value == 0  # defusedxml said no; nothing read
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_genuine_workbook_at_121_to_1_still_imports(workspace, tmp_path: Path):
    """A Mac Excel file seen in the wild inflates 121:1: the 500:1 rule must let it in."""
    padding = '<c s="1"/>' * 290  # formatted empty cells, as Excel writes for styled columns
    rows = "".join(
        f'<row r="{r}">{_inline(f"A{r}", "Prénom" if r == 1 else f"Ana{r}")}'
        f"{_inline(f'B{r}', 'Téléphone' if r == 1 else f'06{r:08d}')}{padding}</row>"
        for r in range(1, 1001)
    )
    base = _good_xlsx(tmp_path / "base.xlsx")
    path = _rezip(base, tmp_path / "mac-excel.xlsx", {SHEET: _sheet_xml(rows)})
    info = _info(path, SHEET)
    assert info.file_size > 1024 * 1024 and 100 < info.file_size / info.compress_size < 200
    assert detect_file_kind(path) == FileKind.XLSX
    result = _run(workspace, ImportRequest(path, "Mac list"))
    assert result.status == "completed" and result.imported == 999


@pytest.mark.parametrize(
    ("stream", "says"),
    [
        (_biff(BOF) + bytes(range(256)) * 8, "could not be read; it may be damaged"),
        (_biff(BOF, (0x000A, b"")), "a workbook without any sheet"),
    ],
    ids=["garbage-records", "no-sheets"],
)
def test_a_workbook_the_reader_fails_on_gets_a_plain_message(
    stream: bytes, says: str, workspace, db_path: Path, tmp_path: Path
):
    """What detection lets through (it looks like an .xls) can still be broken inside."""
    path = tmp_path / "broken.xls"
    path.write_bytes(_ole_file({"Workbook": stream}))
    assert detect_file_kind(path) == FileKind.XLS
    before = _counts(db_path)
    with pytest.raises(WorkbookError) as caught:
        workspace.imports.preview(path)
    message = caught.value.user_message()
    assert says in message and "save it" in message
    _plain(message)
    with pytest.raises(WorkbookError):
        _run(workspace, ImportRequest(path, "Broken"))
    assert _counts(db_path) == before


def test_a_logo_with_a_doctype_does_not_make_a_workbook_unsafe(tmp_path: Path):
    """SVG pictures from Illustrator declare a DTD; no reader parses them, so they pass."""
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3'
        b'.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    base = _good_xlsx(tmp_path / "base.xlsx")
    path = _rezip(base, tmp_path / "logo.xlsx", {"xl/media/image1.svg": svg})
    assert detect_file_kind(path) == FileKind.XLSX


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


def test_a_csv_renamed_xlsx_is_read_as_csv(workspace, tmp_path: Path):
    """Content decides, not the name (the reverse of the 68-byte note named .xls)."""
    path = tmp_path / "leads.xlsx"
    path.write_bytes("Prénom;Nom;Téléphone\r\nAna;Pop;06 12 34 56 78\r\n".encode("cp1252"))
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


def test_an_html_file_with_a_bom_is_still_named(tmp_path: Path):
    path = tmp_path / "report.xls"
    path.write_bytes(EXCEL_HTML.encode("utf-8"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnsupportedFile) as caught:
        detect_file_kind(path)
    assert caught.value.problem == "html"


def test_an_unterminated_quote_is_refused_with_its_row(workspace, db_path: Path, tmp_path: Path):
    """F26: the default csv reader would swallow the rest of the file into one field."""
    path = tmp_path / "broken.csv"
    path.write_text('name,phone\n"Ana,0601\nBob,0602\nCid,0603\n', encoding="utf-8")
    before = _counts(db_path)
    with pytest.raises(CsvFileError) as caught:
        workspace.imports.preview(path)
    assert "Row 2 opens a quote" in caught.value.user_message()
    with pytest.raises(CsvFileError) as again:
        _run(workspace, ImportRequest(path, "Broken"))
    assert "Nothing was imported" in again.value.user_message()
    assert _counts(db_path) == before


def test_nul_bytes_in_a_csv_are_dropped_and_noted(workspace, tmp_path: Path):
    """F26: Python 3.11 accepts NUL in fields; we strip it and say which rows had it."""
    path = tmp_path / "nul.csv"
    path.write_bytes(b"name,phone\r\nAna\x00,0601\r\nBob,06\x0002\r\nCid,0603\r\n")
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


def test_a_40000_character_cell_is_cut_and_noted(workspace, tmp_path: Path):
    """F23: Excel's limit is 32,767 characters per cell; LibreOffice and scripts go past it.

    The long text is a shared string, as Excel and LibreOffice store text (openpyxl would
    cut it itself): far below the shared-string bomb's bound, so it is read, then cut.
    """
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
        f'count="2" uniqueCount="2"><si><t>Notes</t></si><si><t>{"é" * 40_000}</t></si></sst>'
    ).encode()
    rows = [["Prénom", "Nom", "Téléphone"], ["Ana", "Pop", "06 12 34 56 78"]]
    rows.append(["Ion", "Rus", "06 98 76 54 32"])
    cells = "".join(
        f'<row r="{r}">'
        + "".join(_inline(f"{'ABC'[c]}{r}", value) for c, value in enumerate(row))
        + (f'<c r="D{r}" t="s"><v>{0 if r == 1 else 1}</v></c>' if r != 2 else "")
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    path = _with_shared_strings(tmp_path, "long.xlsx", strings, _sheet_xml(cells))
    assert detect_file_kind(path) == FileKind.XLSX
    source = SheetRows(path)
    table = read_table(source)
    assert [c.name for c in table.columns] == ["Prénom", "Nom", "Téléphone", "Notes"]
    data = list(table.data)
    assert len(data[1].cells[3]) == MAX_CELL and data[1].cells[3] == "é" * MAX_CELL
    assert source.cut_cells == [(3, 3)]
    result = _run(workspace, ImportRequest(path, "Long cells"))
    assert result.status == "completed" and result.imported == 2


def test_ten_thousand_columns_read_in_bounded_time(workspace, tmp_path: Path):
    """F23: a sheet as wide as 10,000 columns is read, mapped and imported, not refused."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Wide")
    sheet.append(["Prénom", "Nom", "Téléphone"] + [f"Col {i}" for i in range(3, 10_000)])
    for n in range(3):
        sheet.append([f"Ana{n}", "Pop", f"06 12 34 56 7{n}"] + [n] * 9_997)
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    started = time.perf_counter()
    preview = workspace.imports.preview(path)
    assert len(preview.columns) == 10_000
    result = _run(workspace, ImportRequest(path, "Wide"))
    assert result.imported == 3
    assert time.perf_counter() - started < 10


def test_a_million_declared_rows_are_not_believed(tmp_path: Path):
    """F23: the <dimension> says A1:XFD1048576; only the real rows are read, at once."""
    path = _good_xlsx(tmp_path / "declared.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read(SHEET)
    assert b'<dimension ref="A1:D3" />' in sheet
    sheet = sheet.replace(b'<dimension ref="A1:D3" />', b'<dimension ref="A1:XFD1048576" />')
    path = _rezip(path, tmp_path / "huge-dimension.xlsx", {SHEET: sheet})
    started = time.perf_counter()
    rows = list(SheetRows(path).rows())
    assert [r.number for r in rows] == [1, 2, 3]
    assert time.perf_counter() - started < 1
