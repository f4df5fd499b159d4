"""Make the corpus of broken, hostile and odd lead files in tests/data/broken/.

    python scripts/make_broken_files.py            # (re)write the files and expected.json
    python scripts/make_broken_files.py --check    # exit 1 if a file listed is missing

Each file is small and real (no network, no Office): truncated and damaged workbooks, files
of another kind under a spreadsheet's name, XML and zip bombs, protected workbooks, a huge
cell, NUL bytes, 10,000 columns… ``expected.json`` says, for each, what importing it must
give: either a refusal (the error's stable code, the detector's ``problem`` and the words the
rep must read) or an import (how many contacts, and what must hold afterwards).
``tests/unit/test_broken_corpus.py`` imports every file through the real import service.

Zip entries and workbook properties carry a fixed date, so the files only change when this
script does; password.xlsx, encrypted by msoffcrypto-tool (a dev dependency), gets a fresh
salt on every run.
reliability.md §3-4 and faults F21-F23, F26-F28 say why each file is here.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "broken"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
_FIXED = (2026, 3, 16, 9, 30, 0)  # every zip entry's date: reruns give the same bytes


# -- building blocks ------------------------------------------------------------------------------


def _entry(name: str, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED)
    info.compress_type = method
    info.external_attr = 0o644 << 16
    return info


def good_xlsx(extra: list[list[object]] | None = None) -> bytes:
    """A small valid list written by openpyxl: the base the hostile variants are made from."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = datetime(2026, 3, 16, 9, 30)
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(["Prénom", "Nom", "Téléphone", "E-mail"])
    sheet.append(["Ana", "Pop", "06 12 34 56 78", "ana@pop.fr"])
    sheet.append(["Ion", "Rus", "06 98 76 54 32", "ion@rus.fr"])
    for row in extra or []:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_dates(buffer.getvalue())


def _fixed_dates(workbook: bytes, level: int = 6) -> bytes:
    """openpyxl stamps the saving time into docProps/core.xml: put a fixed one instead."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        core = archive.read("docProps/core.xml").decode()
    core = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", r"\g<1>2026-03-16T09:30:00Z", core)
    return rezip(workbook, {"docProps/core.xml": core.encode()}, level=level)


def rezip(source: bytes, parts: dict[str, bytes], level: int = 6) -> bytes:
    """``source`` (a zip) with some parts replaced or added, deflated like Excel does."""
    parts = dict(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = parts.pop(info.filename, None)
            new.writestr(
                _entry(info.filename), old.read(info) if data is None else data,
                compresslevel=level,
            )  # fmt: skip
        for name, data in parts.items():
            new.writestr(_entry(name), data, compresslevel=level)
    return out.getvalue()


def make_zip(parts: dict[str, bytes]) -> bytes:
    """A zip whose first part, if called ``mimetype``, is stored as OpenDocument requires."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(_entry(name, method), data)
    return out.getvalue()


def sheet_xml(cells: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f'<worksheet xmlns="{MAIN}"><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def with_shared_strings(strings: bytes, sheet: bytes) -> bytes:
    base = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
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
    return rezip(
        base,
        {
            SHEET: sheet,
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
            "xl/sharedStrings.xml": strings,
        },
    )


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)
XXE = '<!DOCTYPE worksheet [<!ENTITY host SYSTEM "file:///etc/hostname">]>\n'


def xml_bomb() -> bytes:
    return rezip(good_xlsx(), {SHEET: sheet_xml(f'<row r="1">{inline("A1", "&lol9;")}</row>',
                                                BILLION_LAUGHS)})  # fmt: skip


def xxe() -> bytes:
    cells = f'<row r="1">{inline("A1", "Name")}{inline("B1", "&host;")}</row>'
    return rezip(good_xlsx(), {SHEET: sheet_xml(cells, XXE)})


def dtd_in_workbook() -> bytes:
    """The DTD in the workbook part, which we parse ourselves (through defusedxml)."""
    base = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    hostile = workbook.replace("<workbook", XXE + "<workbook", 1).replace(
        'name="Contacts"', 'name="&host;"'
    )
    return rezip(base, {"xl/workbook.xml": hostile.encode()})


def small_zip_bomb() -> bytes:
    """4 MiB of spaces in the sheet at about 1000:1 (the 300 MB one is built by the test)."""
    body = sheet_xml("").replace(b"<sheetData>", b"<sheetData>" + b" " * (4 * 1024 * 1024))
    return rezip(good_xlsx(), {SHEET: body}, level=9)


def forge_size(data: bytes, name: str, declared: int) -> bytes:
    """The zip ``data`` with ``name``'s uncompressed size set to ``declared`` in both headers."""
    out = bytearray(data)
    encoded = name.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, declared)  # local header
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        length, extra, comment = struct.unpack_from("<HHH", out, position + 28)
        if out[position + 46 : position + 46 + length] == encoded:
            struct.pack_into("<I", out, position + 24, declared)  # central directory
        position = out.find(b"PK\x01\x02", position + 46 + length + extra + comment)
    return bytes(out)


def forged() -> bytes:
    """The sheet really holds 5 MB (1000:1) but its entries say 8 KB: a ratio of about 2:1."""
    rows = "".join(f'<row r="{r}">{inline(f"A{r}", "Ana")}</row>' for r in range(1, 4))
    real = rezip(good_xlsx(), {SHEET: sheet_xml(rows + " " * (5 * 1024 * 1024))})
    return forge_size(real, SHEET, 8 * 1024)


def shared_string_bomb() -> bytes:
    """12,000 cells pointing at one 1 MB shared string (Apache POI's bomb): 12 GB if copied."""
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
        f'count="12000" uniqueCount="1"><si><t>{"A" * 1_000_000}</t></si></sst>'
    ).encode()
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 12_001))
    return with_shared_strings(strings, sheet_xml(cells))


def huge_cell() -> bytes:
    """A 40,000-character cell (Excel stops at 32,767) as a shared string, as Excel stores it."""
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
        f'count="2" uniqueCount="2"><si><t>Notes</t></si><si><t>{"é" * 40_000}</t></si></sst>'
    ).encode()
    rows = [["Prénom", "Nom", "Téléphone"], ["Ana", "Pop", "06 12 34 56 78"]]
    rows.append(["Ion", "Rus", "06 98 76 54 32"])
    cells = "".join(
        f'<row r="{r}">'
        + "".join(inline(f"{'ABC'[c]}{r}", value) for c, value in enumerate(row))
        + (f'<c r="D{r}" t="s"><v>{0 if r == 1 else 1}</v></c>' if r != 2 else "")
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return with_shared_strings(strings, sheet_xml(cells))


def wide() -> bytes:
    """10,000 columns and three contacts, written by openpyxl."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    workbook.properties.created = workbook.properties.modified = datetime(2026, 3, 16, 9, 30)
    sheet = workbook.create_sheet("Wide")
    sheet.append(["Prénom", "Nom", "Téléphone"] + [f"Col {i}" for i in range(3, 10_000)])
    for n in range(3):
        sheet.append([f"Ana{n}", "Pop", f"06 12 34 56 7{n}"] + [n] * 9_997)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_dates(buffer.getvalue(), level=9)


def declared_million_rows() -> bytes:
    """The <dimension> says A1:XFD1048576; only the two real contacts may be read."""
    base = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        sheet = archive.read(SHEET)
    assert b'<dimension ref="A1:D3" />' in sheet
    sheet = sheet.replace(b'<dimension ref="A1:D3" />', b'<dimension ref="A1:XFD1048576" />')
    return rezip(base, {SHEET: sheet})


def mac_excel_121_to_1() -> bytes:
    """A genuine workbook inflates this much (a Mac Excel 2011 file): the zip rule lets it in."""
    padding = '<c s="1"/>' * 290  # formatted empty cells, as Excel writes for styled columns
    rows = "".join(
        f'<row r="{r}">{inline(f"A{r}", "Prénom" if r == 1 else f"Ana{r}")}'
        f"{inline(f'B{r}', 'Téléphone' if r == 1 else f'06{r:08d}')}{padding}</row>"
        for r in range(1, 1001)
    )
    return rezip(good_xlsx(), {SHEET: sheet_xml(rows)})


def logo_with_doctype() -> bytes:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3'
        b'.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    return rezip(good_xlsx(), {"xl/media/image1.svg": svg})


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


def ods(content: bytes, manifest: bytes = ODS_MANIFEST) -> bytes:
    return make_zip(
        {"mimetype": ODS_MIMETYPE, "META-INF/manifest.xml": manifest, "content.xml": content}
    )


def xml_bomb_in_ods() -> bytes:
    root = b"<office:document-content"
    return ods(ODS_CONTENT.replace(b"ROWS", b"").replace(root, BILLION_LAUGHS.encode() + root))


def ods_repeat_bomb() -> bytes:
    """One valued cell repeated 100 columns × 100,000 rows: 10 million cells, 1.2 GB in
    calamine, from a 1 KB file (calamine's own limit is 100 million cells)."""
    row = (
        b'<table:table-row table:number-rows-repeated="100000"><table:table-cell '
        b'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        b"</table:table-cell></table:table-row>"
    )
    return ods(ODS_CONTENT.replace(b"ROWS", row))


def encrypted_ods() -> bytes:
    manifest = ODS_MANIFEST.replace(
        b'media-type="text/xml"/>',
        b'media-type="text/xml" manifest:size="900"><manifest:encryption-data manifest:'
        b'checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        b'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3'
        b'.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>'
        b"</manifest:encryption-data></manifest:file-entry>",
    )
    return ods(bytes(range(256)) * 4, manifest)


def password_xlsx() -> bytes:
    """Encrypted the way Excel does it (ECMA-376 agile, an OLE container), with msoffcrypto."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good_xlsx())).encrypt("secret", out)
    return out.getvalue()


def ole_file(streams: dict[str, bytes]) -> bytes:
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


def biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", kind, len(body)) + body for kind, body in records)


BOF = (0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x1F6E, 1997, 0, 0x0006))


def xls_with_filepass(method: int) -> bytes:
    """An .xls saved with a password: FILEPASS after BOF (0 = XOR obfuscation, 1 = RC4)."""
    filepass = (0x002F, struct.pack("<H", method) + b"\x01\x00" * 20)
    return ole_file({"Workbook": biff(BOF, filepass, (0x000A, b""))})


def truncated() -> bytes:
    whole = good_xlsx()
    return whole[: len(whole) // 2]


def damaged() -> bytes:
    """Bytes flipped inside the sheet's compressed data (a bad disk or a broken copy)."""
    data = bytearray(good_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
    start = info.header_offset + 30 + len(SHEET)
    for offset in range(start + 20, start + info.compress_size - 4, 7):
        data[offset] ^= 0x55
    return bytes(data)


def iwork() -> bytes:
    return make_zip(
        {
            "Index/Document.iwa": b"\x00\x9a\x05\x00" + bytes(64),
            "Index/Metadata.iwa": bytes(32),
            "Metadata/Properties.plist": b"bplist00",
            "preview.jpg": b"\xff\xd8\xff\xe0",
        }
    )


def docx() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


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


# -- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One file and what importing it must give."""

    file: str  # a path inside tests/data/broken (a folder for a Numbers package)
    build: Callable[[], bytes] | None  # None: ``folder`` is built instead
    why: str
    error: str | None = None  # the UserFacingError code of a refusal
    problem: str | None = None  # UnsupportedFile.problem / CsvFileError.problem
    says: tuple[str, ...] = ()  # words the rep must read
    imported: int | None = None  # contacts an accepted file brings in
    checks: dict[str, object] = field(default_factory=dict)
    folder: dict[str, Callable[[], bytes]] | None = None


def _text(data: str | bytes) -> Callable[[], bytes]:
    return lambda: data.encode("utf-8") if isinstance(data, str) else data


_UNSUPPORTED = "import.unsupported"

CASES = [
    # F21: hostile XML inside an otherwise valid workbook
    Case("xml-bomb.xlsx", xml_bomb, "billion laughs: nested entities in the sheet",
         _UNSUPPORTED, "unsafe_xml", ("unsafe content", "Ask whoever sent it")),
    Case("xxe.xlsx", xxe, "an external entity naming a file of this computer",
         _UNSUPPORTED, "unsafe_xml", ("unsafe content", "not imported")),
    Case("dtd-in-workbook.xlsx", dtd_in_workbook, "an external entity in the workbook part",
         _UNSUPPORTED, "unsafe_xml", ("unsafe content",)),
    Case("xml-bomb.ods", xml_bomb_in_ods, "billion laughs in an OpenDocument sheet",
         _UNSUPPORTED, "unsafe_xml", ("unsafe content",)),
    # F22 and F23: zips and strings that expand too far
    Case("zip-bomb.xlsx", small_zip_bomb, "4 MiB of spaces at 1000:1 (the test builds 300 MB)",
         _UNSUPPORTED, "zip_bomb", ("expands to far more data", "fresh copy")),
    Case("forged-size.xlsx", forged, "5 MB of sheet declared as 8 KB in the zip directory",
         _UNSUPPORTED, "zip_bomb", ("expands to far more data", "not imported")),
    Case("shared-string-bomb.xlsx", shared_string_bomb, "12,000 cells share one 1 MB string",
         _UNSUPPORTED, "huge_text", ("32,767 characters", "fresh copy")),
    Case("repeat-bomb.ods", ods_repeat_bomb, "one cell repeated into 10 million",
         _UNSUPPORTED, "zip_bomb", ("expands to far more data",)),
    # F27: protected
    Case("password.xlsx", password_xlsx, "an Excel password: an OLE container, not a zip",
         _UNSUPPORTED, "password", ("protected by a password", "remove")),
    Case("password-xor.xls", lambda: xls_with_filepass(0), "an old .xls with XOR obfuscation",
         _UNSUPPORTED, "password", ("password",)),
    Case("password-rc4.xls", lambda: xls_with_filepass(1), "an .xls encrypted with RC4",
         _UNSUPPORTED, "password", ("password",)),
    Case("password.ods", encrypted_ods, "a LibreOffice sheet saved with a password",
         _UNSUPPORTED, "password_ods", ("password", "Save with password")),
    # F28: another kind of file, whatever its name
    Case("Leads.numbers", iwork, "Apple Numbers", _UNSUPPORTED, "numbers",
         ("Apple Numbers", "Export To ▸ Excel")),
    Case("Leads-package.numbers", None, "a Numbers document as a Mac keeps it: a folder",
         _UNSUPPORTED, "numbers", ("Apple Numbers", "Export To"),
         folder={"Index.zip": lambda: make_zip({"Index/Document.iwa": bytes(16)}),
                 "Data/.keep": lambda: b""}),
    Case("Leads.pages", iwork, "Apple Pages", _UNSUPPORTED, "pages", ("Apple Pages", "Excel")),
    Case("contacts.docx", docx, "a Word document", _UNSUPPORTED, "word",
         ("Word document", "copy the table into Excel")),
    Case("contacts.doc", lambda: ole_file({"WordDocument": b"\xec\xa5", "1Table": b""}),
         "an old Word document", _UNSUPPORTED, "word", ("Word document", "save it as .xlsx")),
    Case("contacts.odt",
         lambda: make_zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                           "content.xml": b"<x/>"}),
         "a LibreOffice text document", _UNSUPPORTED, "writer", ("text document", ".xlsx")),
    Case("pdf-named.xlsx", _text(PDF), "a PDF renamed .xlsx", _UNSUPPORTED, "pdf",
         ("PDF document", "as Excel or CSV")),
    Case("png-named.xlsx", _text(PNG), "a picture renamed .xlsx", _UNSUPPORTED, "image",
         ("picture", "Choose the spreadsheet")),
    Case("binary-named.csv", _text(bytes(range(256)) * 8), "binary data named .csv",
         _UNSUPPORTED, "binary", ("not a spreadsheet",)),
    Case("leads.csv.gz", _text(gzip.compress(b"a,b\n", mtime=0)), "a gzip file",
         _UNSUPPORTED, "gzip", ("gzip", "Uncompress")),
    Case("export.zip", lambda: make_zip({"contacts.csv": b"name,phone\nAna,0601\n"}),
         "a zip holding a CSV", _UNSUPPORTED, "zip", ("zip archive", "Unzip it")),
    Case("spreadsheetml.xml", _text(SPREADSHEETML), "Excel 2003 XML", _UNSUPPORTED,
         "spreadsheetml", ("XML Spreadsheet",)),
    Case("spreadsheetml-named.xls", _text(SPREADSHEETML), "Excel 2003 XML named .xls",
         _UNSUPPORTED, "spreadsheetml", (".xlsx",)),
    Case("flat.fods", _text(FODS), "flat OpenDocument", _UNSUPPORTED, "fods",
         ("flat OpenDocument", ".xlsx")),
    Case("web-page.xls", _text(EXCEL_HTML), "an Excel web page named .xls (with a BOM)",
         _UNSUPPORTED, "html", ("web page", "Excel Workbook")),
    Case("mhtml.xls", _text(MHTML), "a single-file web page named .xls", _UNSUPPORTED,
         "html", ("web page", "Excel Workbook")),
    Case("export.slk", _text(SYLK), "SYLK", _UNSUPPORTED, "sylk",
         ("SYLK", "save it as 'Excel Workbook")),
    Case("export.dif", _text(DIF), "DIF", _UNSUPPORTED, "dif", ("DIF", "Excel Workbook")),
    Case("budget.wk1", _text(WK1), "Lotus 1-2-3", _UNSUPPORTED, "lotus",
         ("Lotus 1-2-3", "Excel Workbook")),
    Case("contacts.rtf", _text(RTF), "RTF", _UNSUPPORTED, "rtf",
         ("RTF", "copy the table into Excel")),
    Case("feed.xml", _text('<?xml version="1.0"?><feed/>'), "an XML data file",
         _UNSUPPORTED, "xml", ("XML data file",)),
    Case("mail.msg", lambda: ole_file({"__properties_version1.0": b"x"}), "an Outlook message",
         _UNSUPPORTED, "binary", ("not a spreadsheet", "save it as Excel")),
    # F28: empty, damaged, not what it says
    Case("empty.csv", _text(b""), "zero bytes", _UNSUPPORTED, "empty",
         ("is empty", "download it again")),
    Case("empty.xlsx", _text(b""), "zero bytes named .xlsx", _UNSUPPORTED, "empty",
         ("is empty",)),
    Case("zeros.xlsx", _text(bytes(4096)), "a download that never arrived: only zero bytes",
         _UNSUPPORTED, "blank", ("zero bytes", "download")),
    Case("truncated.xlsx", truncated, "the first half of a workbook", _UNSUPPORTED,
         "truncated", ("incomplete", "Download or copy it again")),
    Case("damaged.xlsx", damaged, "bytes flipped in the sheet's compressed data",
         _UNSUPPORTED, "damaged", ("damaged", "open it in Excel")),
    Case("note-68-bytes.xls", _text(NOTE_68), "a 68-byte text note named .xls",
         _UNSUPPORTED, "text_not_list", ("download link has exp",)),
    # What detection lets through (it looks like an .xls) can still be broken inside.
    Case("garbage-records.xls", lambda: ole_file({"Workbook": biff(BOF) + bytes(range(256)) * 8}),
         "an .xls whose records are garbage", "import.workbook", None,
         ("could not be read; it may be damaged", "save it")),
    Case("no-sheets.xls", lambda: ole_file({"Workbook": biff(BOF, (0x000A, b""))}),
         "an .xls without a sheet", "import.workbook", None,
         ("a workbook without any sheet", "save it")),
    # F26: text files
    Case("open-quote.csv", _text('name,phone\n"Ana,0601\nBob,0602\nCid,0603\n'),
         "a quote that never closes", "import.csv", "open_quote",
         ("Row 2 opens a quote", "Nothing was imported")),
    Case("nul-bytes.csv", _text(b"name,phone\r\nAna\x00,0601\r\nBob,06\x0002\r\nCid,0603\r\n"),
         "NUL characters inside fields: removed", imported=3,
         checks={"names": ["Ana", "Bob", "Cid"], "no_nul": True}),
    Case("csv-named.xlsx", _text("Prénom;Nom;Téléphone\r\nAna;Pop;06 12 34 56 78\r\n"
                                 .encode("cp1252")),
         "a CSV named .xlsx: content decides", imported=1, checks={"names": ["Ana"]}),
    # F23: big shapes, read in bounded time
    Case("huge-cell.xlsx", huge_cell, "a 40,000-character cell: cut to Excel's 32,767",
         imported=2, checks={"longest_text": 32_767}),
    Case("wide-10000-columns.xlsx", wide, "10,000 columns", imported=3,
         checks={"columns": 10_000, "seconds": 10}),
    Case("declared-million-rows.xlsx", declared_million_rows,
         "a <dimension> of 1,048,576 rows around 2 real ones", imported=2,
         checks={"seconds": 2}),
    Case("mac-excel-121-to-1.xlsx", mac_excel_121_to_1,
         "a real workbook that inflates 121:1 (the zip rule must let it in)", imported=999),
    Case("logo-with-doctype.xlsx", logo_with_doctype,
         "an SVG logo declaring a DTD: no reader parses it", imported=2),
    Case("good.xlsx", good_xlsx, "a plain good list, the base of the others", imported=2),
]  # fmt: skip


def manifest() -> dict[str, object]:
    entries = []
    for case in CASES:
        entry: dict[str, object] = {"file": case.file, "why": case.why}
        if case.imported is None:
            entry["outcome"] = "refused"
            entry["error"] = case.error
            if case.problem is not None:
                entry["problem"] = case.problem
            entry["says"] = list(case.says)
        else:
            entry["outcome"] = "imported"
            entry["imported"] = case.imported
            entry.update(case.checks)
        entries.append(entry)
    return {
        "about": "Made by scripts/make_broken_files.py; read by tests/unit/test_broken_corpus.py."
        " 'refused': the import must fail with this error code (and problem) and these words,"
        " and leave every table as it was. 'imported': it must bring in this many contacts.",
        "files": entries,
    }


def write(folder: Path = CORPUS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in CASES:
        target = folder / case.file
        if case.folder is not None:
            shutil.rmtree(target, ignore_errors=True)
            for name, build in case.folder.items():
                part = target / name
                part.parent.mkdir(parents=True, exist_ok=True)
                part.write_bytes(build())
        else:
            assert case.build is not None
            target.write_bytes(case.build())
        written.append(target)
    (folder / "expected.json").write_text(
        json.dumps(manifest(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the files are there")
    parser.add_argument("--to", type=Path, default=CORPUS, help="the folder to write")
    args = parser.parse_args(argv)
    if args.check:
        missing = [c.file for c in CASES if not (args.to / c.file).exists()]
        for name in missing:
            print(f"missing: {name}")
        return 1 if missing else 0
    for path in write(args.to):
        size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else (
            path.stat().st_size
        )
        print(f"{size:>8,}  {path.relative_to(args.to)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
