"""Tell what a file really is from its bytes, and refuse in plain words what we cannot import.

Reps pick the wrong file, rename files, and receive workbooks that are protected, damaged or
built to crash programs. The extension proves nothing, so the first bytes and the zip or OLE
directory decide (reliability.md §3). A workbook zip is also checked before any reader sees
it, because neither calamine nor openpyxl protects us:

- the central directory (entry count, declared sizes, ratios) is checked first, cheaply;
- every part is then inflated once, streaming, with our own counter: a part whose data is
  larger than its directory entry says (a forged size) is refused without inflating it all;
- an XML part that declares a DTD (entity expansion, external entities) is refused: no file
  saved by Excel or LibreOffice has one;
- a shared string far beyond Excel's 32,767 characters is refused: one huge string used by
  thousands of cells is how a 100 KB file makes a reader allocate gigabytes.

The whole pass costs one inflate of the workbook (about 0.15 s for a 100,000-row sheet).
"""

from __future__ import annotations

import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from prospector.errors import UserFacingError

log = logging.getLogger(__name__)


class FileKind(StrEnum):
    CSV = "csv"  # any delimited text
    XLSX = "xlsx"  # also .xlsm
    XLSB = "xlsb"
    XLS = "xls"
    ODS = "ods"


# Zip limits: far above any real list (a real Mac Excel file inflates 121:1), far below harm.
MAX_ZIP_ENTRIES = 10_000
MAX_UNCOMPRESSED = 2 * 1024**3
MAX_RATIO = 500
RATIO_FROM_SIZE = 1024 * 1024
# One shared string: Excel stops at 32,767 characters (at most ~200 KB of escaped UTF-8);
# a longer one is cut by the reader, a far longer one is refused (the shared-string bomb).
MAX_SHARED_STRING_BYTES = 256 * 1024
# An XML part's prolog (declaration, comments) must end, and its root start, this early.
MAX_PROLOG_BYTES = 64 * 1024
# Cells an .ods makes by repeating a cell that has a value ("number-rows-repeated"): real
# lists repeat a few; 10 million (1.2 GB in calamine) fit in a 1 KB file.
MAX_REPEATED_CELLS = 2_000_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD_BYTES = 4096
_CHUNK = 1024 * 1024
# Names that say "this should have been a workbook": text content behind one is suspicious.
_SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".numbers", ".xltx", ".xlt"}
_APPLE_SUFFIXES = {".numbers": "numbers", ".pages": "pages", ".key": "keynote"}


class UnsupportedFile(UserFacingError):
    """A file that is not a list we can read; ``problem`` says what it is."""

    code = "import.unsupported"

    def __init__(self, path: Path, problem: str, detail: str = "") -> None:
        super().__init__(f"{path}: {problem}" + (f" ({detail})" if detail else ""))
        self.path, self.problem, self.detail = path, problem, detail

    def __reduce__(self) -> tuple[type, tuple[Path, str, str]]:
        """Picklable, so a worker process can hand the refusal back as it is."""
        return type(self), (self.path, self.problem, self.detail)

    def user_message(self) -> str:
        return _MESSAGES.get(self.problem, _MESSAGES["unknown"]).format(
            name=self.path.name, detail=self.detail
        )


_SAVE_AS = "Open it in the program that made it, save it as Excel (.xlsx) or CSV, and import that."
_EXCEL_SAVE_AS = (
    "Open it in Excel or LibreOffice, save it as 'Excel Workbook (.xlsx)', then import that file."
)
_HOSTILE = (
    "It may be damaged or built to crash programs. It was not imported. Ask whoever sent it "
    "for a fresh copy of the list."
)
_MESSAGES = {
    "missing": (
        "The file {name} could not be found. It may have been moved, renamed or deleted. "
        "Choose it again."
    ),
    "unreadable": (
        "The file {name} could not be opened ({detail}). Check that it is not open in another "
        "program and that you may read it, then try again."
    ),
    "folder": "{name} is a folder, not a file. Open it and choose the list file inside.",
    "empty": (
        "The file {name} is empty (0 bytes): there is nothing in it to import. It may not have "
        "been saved or downloaded completely; save or download it again."
    ),
    "blank": (
        "The file {name} holds only blank space or zero bytes: there is nothing in it to import. "
        "It may not have been saved or downloaded completely; save or download it again."
    ),
    "numbers": (
        "{name} is an Apple Numbers file. In Numbers choose File ▸ Export To ▸ Excel, "
        "then import that file."
    ),
    "pages": (
        "{name} is an Apple Pages document, not a list. If it holds a table of contacts, choose "
        "File ▸ Export To ▸ Word in Pages, copy the table into Excel, save it as .xlsx and "
        "import that."
    ),
    "keynote": (
        "{name} is an Apple Keynote presentation, not a list. Choose the spreadsheet or CSV "
        "file that holds the contacts."
    ),
    "word": (
        "{name} is a Word document, not a list. If it holds a table of contacts, copy the table "
        "into Excel, save it as .xlsx, and import that file."
    ),
    "rtf": (
        "{name} is a formatted text document (RTF), not a list. If it holds a table of "
        "contacts, copy the table into Excel, save it as .xlsx, and import that file."
    ),
    "powerpoint": (
        "{name} is a PowerPoint presentation, not a list. Choose the spreadsheet or CSV file "
        "that holds the contacts."
    ),
    "writer": (
        "{name} is a text document (OpenDocument), not a list. If it holds a table of "
        "contacts, copy the table into LibreOffice Calc or Excel, save it as .xlsx, and "
        "import that file."
    ),
    "presentation": (
        "{name} is a presentation (OpenDocument), not a list. Choose the spreadsheet or CSV "
        "file that holds the contacts."
    ),
    "password": (
        "{name} is protected by a password. Open it in Excel, remove the password "
        "(File ▸ Info ▸ Protect Workbook ▸ Encrypt with Password, then clear it), save, and "
        "import again."
    ),
    "password_ods": (
        "{name} is protected by a password. Open it in LibreOffice Calc, choose File ▸ Save As, "
        "untick 'Save with password', save, and import again."
    ),
    "truncated": (
        "The file {name} is damaged (incomplete), perhaps from an interrupted download or "
        "copy. Download or copy it again, then import it."
    ),
    "damaged": (
        "The file {name} is damaged: part of it does not read back as it was saved. Download "
        "or copy it again; if that does not help, open it in Excel (which can often repair "
        "it), save it as .xlsx, and import that file."
    ),
    "zip_bomb": (
        "This file expands to far more data than a spreadsheet of its size should. " + _HOSTILE
    ),
    "unsafe_xml": (
        "{name} contains unsafe content: XML definitions ('DOCTYPE' entities) that Excel and "
        "LibreOffice never write, used to read other files on this computer or to exhaust "
        "its memory. " + _HOSTILE
    ),
    "huge_text": (
        "{name} holds a text meant for its cells that is many times longer than Excel's limit "
        "of 32,767 characters per cell; reading it could exhaust this computer's memory. "
        + _HOSTILE
    ),
    "zip": "{name} is a zip archive, not a list. Unzip it and import the list inside.",
    "gzip": "{name} is a compressed (gzip) file. Uncompress it and import the list inside.",
    "spreadsheetml": (
        "{name} is an old 'XML Spreadsheet 2003' file. Open it in Excel and save it as "
        "'Excel Workbook (.xlsx)', then import that file."
    ),
    "html": (
        "{name} is a web page saved with a spreadsheet name (many websites export lists this "
        "way). Open it in Excel and save it as 'Excel Workbook (.xlsx)', then import that file."
    ),
    "xml": "{name} is an XML data file, not a spreadsheet or CSV list. " + _EXCEL_SAVE_AS,
    "pdf": (
        "{name} is a PDF document. Ask whoever sent it for the list as Excel or CSV; copying "
        "from a PDF loses the columns."
    ),
    "image": (
        "{name} is a picture, not a list. Choose the spreadsheet or CSV file that holds the "
        "contacts."
    ),
    "lotus": "{name} is an old Lotus 1-2-3 spreadsheet. " + _EXCEL_SAVE_AS,
    "sylk": "{name} is a SYLK spreadsheet file. " + _EXCEL_SAVE_AS,
    "dif": "{name} is a DIF spreadsheet file. " + _EXCEL_SAVE_AS,
    "fods": "{name} is a flat OpenDocument spreadsheet (.fods). " + _EXCEL_SAVE_AS,
    "text_not_list": (
        "{name} is named like a spreadsheet but is a plain text file that begins: “{detail}”. "
        "If that is your list, rename the file to end in .csv and import it again; otherwise "
        "download the list again or ask whoever sent it for the real file."
    ),
    "binary": "{name} is not a spreadsheet or a text list. " + _SAVE_AS,
    "unknown": (
        "The file {name} could not be read. " + _EXCEL_SAVE_AS + " (Technical detail: {detail})"
    ),
}


def detect_file_kind(path: Path) -> FileKind:
    """What ``path`` holds, by its content.

    Raises:
        UnsupportedFile: the file is missing, empty, protected, damaged, hostile or another
            kind of document; the message names it and says what to do.
    """
    try:
        return _detect(path)
    except UnsupportedFile:
        raise
    except MemoryError as exc:
        raise UnsupportedFile(path, "zip_bomb", "out of memory while checking") from exc
    except Exception as exc:  # a bug or a library surprise: a plain message, never a traceback
        log.warning("Could not tell what %s is", path, exc_info=True)
        raise UnsupportedFile(path, "unknown", f"{type(exc).__name__}: {exc}") from exc


def _detect(path: Path) -> FileKind:
    if path.is_dir():  # Windows raises PermissionError, not IsADirectoryError, on open()
        apple = _APPLE_SUFFIXES.get(path.suffix.lower())
        if apple or (path / "Index.zip").is_file():  # an iWork package copied off a Mac
            raise UnsupportedFile(path, apple or "numbers")
        raise UnsupportedFile(path, "folder")
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if head and not head.strip(b"\x00 \t\r\n") and _rest_is_blank(handle):
                raise UnsupportedFile(path, "blank")
    except FileNotFoundError as exc:
        raise UnsupportedFile(path, "missing") from exc
    except IsADirectoryError as exc:
        raise UnsupportedFile(path, "folder") from exc
    except OSError as exc:
        raise UnsupportedFile(path, "unreadable", exc.strerror or str(exc)) from exc
    if not head:
        raise UnsupportedFile(path, "empty")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(path)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path)
    return _text_or_other(path, head)


def _rest_is_blank(handle: BinaryIO) -> bool:
    """Whether the file is nothing but NULs and spaces (a download that never arrived)."""
    for _ in range(64):  # up to 64 MiB; a larger blank file is read as text and found empty
        chunk = handle.read(_CHUNK)
        if not chunk:
            return True
        if chunk.strip(b"\x00 \t\r\n"):
            return False
    return False


# ---------------------------------------------------------------------------------------------
# Zip containers: xlsx, xlsb, ods, and the documents that look like them


def _zip_kind(path: Path) -> FileKind:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise UnsupportedFile(path, "truncated", str(exc)) from exc
    except (OSError, ValueError, NotImplementedError, zipfile.LargeZipFile) as exc:
        raise UnsupportedFile(path, "damaged", str(exc)) from exc
    with archive:
        entries = archive.infolist()
        _check_declared_sizes(path, entries)
        kind = _zip_content_kind(path, archive, {info.filename for info in entries})
        with path.open("rb") as handle:
            for info in entries:
                _inspect_part(path, handle, info, ods=kind == FileKind.ODS)
    return kind


def _zip_content_kind(path: Path, archive: zipfile.ZipFile, names: set[str]) -> FileKind:
    if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
        raise UnsupportedFile(path, _apple_kind(path, names))
    if "xl/workbook.xml" in names:
        return FileKind.XLSX
    if "xl/workbook.bin" in names:
        return FileKind.XLSB
    if "mimetype" in names:
        mimetype = _read_small(path, archive, "mimetype", 200)
        if b"opendocument.spreadsheet" in mimetype:
            manifest = "META-INF/manifest.xml"
            if manifest in names and b"encryption-data" in _read_small(
                path, archive, manifest, _CHUNK
            ):
                raise UnsupportedFile(path, "password_ods")
            return FileKind.ODS
        if b"opendocument.text" in mimetype:
            raise UnsupportedFile(path, "writer")
        if b"opendocument.presentation" in mimetype:
            raise UnsupportedFile(path, "presentation")
    if "word/document.xml" in names:
        raise UnsupportedFile(path, "word")
    if "ppt/presentation.xml" in names:
        raise UnsupportedFile(path, "powerpoint")
    raise UnsupportedFile(path, "zip")


def _read_small(path: Path, archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The start of a small part (``mimetype``, the manifest), never more than ``limit``."""
    try:
        with archive.open(name) as part:
            return part.read(limit)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, zlib.error) as exc:
        raise UnsupportedFile(path, "damaged", f"{name}: {exc}") from exc


def _apple_kind(path: Path, names: set[str]) -> str:
    """Numbers, Pages or Keynote: the name says it best; slides give Keynote away."""
    by_name = _APPLE_SUFFIXES.get(path.suffix.lower())
    if by_name:
        return by_name
    if any(n.startswith(("Index/Slide", "Index/MasterSlide")) for n in names):
        return "keynote"
    return "numbers"


def _check_declared_sizes(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnsupportedFile(path, "zip_bomb", f"{len(entries)} entries")
    total = sum(info.file_size for info in entries)
    if total > MAX_UNCOMPRESSED:
        raise UnsupportedFile(path, "zip_bomb", f"{total} bytes uncompressed")
    for info in entries:
        if info.file_size > RATIO_FROM_SIZE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsupportedFile(path, "zip_bomb", f"{info.filename} inflates too much")


def _inspect_part(path: Path, handle: BinaryIO, info: zipfile.ZipInfo, *, ods: bool) -> None:
    """Inflate one part with our own counter and look at what the readers will parse.

    Every part is inflated (a lie in any of them is refused), but only the XML the readers
    parse (``.xml``, ``.rels``) must be free of a DTD: a picture such as an SVG logo saved by
    Illustrator often declares one, and no reader opens it.
    """
    if info.is_dir():
        return
    lowered = info.filename.lower()
    shared_strings = lowered.endswith("sharedstrings.xml")
    meter: _SharedStringMeter | None = None
    repeats = _OdsRepeats() if ods and info.filename == "content.xml" else None
    prolog = b""
    checked = not lowered.endswith((".xml", ".rels"))
    for chunk in _inflate(path, handle, info):
        if not checked:
            prolog += chunk[: MAX_PROLOG_BYTES - len(prolog)]
            if len(prolog) >= MAX_PROLOG_BYTES:
                checked = True
                if _declares_dtd(prolog, complete=False):
                    raise UnsupportedFile(path, "unsafe_xml", info.filename)
        if shared_strings:
            meter = meter or _SharedStringMeter(chunk)
            if meter.too_long(chunk):
                raise UnsupportedFile(path, "huge_text", info.filename)
        if repeats is not None and repeats.feed(chunk) > MAX_REPEATED_CELLS:
            raise UnsupportedFile(path, "zip_bomb", "repeated cells")
    if repeats is not None and repeats.feed(b"", final=True) > MAX_REPEATED_CELLS:
        raise UnsupportedFile(path, "zip_bomb", "repeated cells")
    if not checked and _declares_dtd(prolog, complete=True):
        raise UnsupportedFile(path, "unsafe_xml", info.filename)


def _inflate(path: Path, handle: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks of up to 1 MiB, proved against its directory entry.

    We read the raw data ourselves (not through ``ZipFile.open``) so that "more data than
    declared" is told apart from a damaged part: the first is refused as a bomb as soon as
    the counter passes the declared size, without inflating the rest.
    """
    if info.flag_bits & 0x1:
        raise UnsupportedFile(path, "damaged", f"{info.filename} is encrypted inside the zip")
    handle.seek(info.header_offset)
    fixed = handle.read(30)
    if len(fixed) < 30 or fixed[:4] != b"PK\x03\x04":
        raise UnsupportedFile(path, "damaged", f"no local header for {info.filename}")
    name_length, extra_length = struct.unpack("<HH", fixed[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        chunks = _stored_chunks(path, handle, info)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _deflated_chunks(path, handle, info)
    else:
        raise UnsupportedFile(
            path, "damaged", f"{info.filename} uses compression {info.compress_type}"
        )
    produced = 0
    crc = 0
    for chunk in chunks:
        produced += len(chunk)
        if produced > info.file_size:
            raise UnsupportedFile(path, "zip_bomb", f"{info.filename} is larger than declared")
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise UnsupportedFile(path, "damaged", f"{info.filename} fails its check")


def _stored_chunks(path: Path, handle: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    remaining = info.compress_size
    while remaining:
        chunk = handle.read(min(_CHUNK, remaining))
        if not chunk:
            raise UnsupportedFile(path, "truncated", f"{info.filename} is cut short")
        remaining -= len(chunk)
        yield chunk


def _deflated_chunks(path: Path, handle: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    remaining = info.compress_size
    try:
        while not inflater.eof:
            pending = inflater.unconsumed_tail
            if not pending:
                if not remaining:
                    raise UnsupportedFile(path, "truncated", f"{info.filename} is cut short")
                pending = handle.read(min(64 * 1024, remaining))
                if not pending:
                    raise UnsupportedFile(path, "truncated", f"{info.filename} is cut short")
                remaining -= len(pending)
            chunk = inflater.decompress(pending, _CHUNK)  # bounded: a bomb never lands whole
            if chunk:
                yield chunk
    except zlib.error as exc:
        raise UnsupportedFile(path, "damaged", f"{info.filename}: {exc}") from exc


class _SharedStringMeter:
    """Whether any stretch between two ``<si`` openings is longer than the limit.

    Fed chunk by chunk, it jumps from one opening to the last opening within the limit's
    reach (``bytes.rfind`` in C), so a million short strings cost a few hundred jumps, not a
    million. The unfinished stretch is carried into the next chunk, so a string split across
    two chunks is measured whole; ``<`` cannot stand unescaped in text, so a string cannot
    hide the marker inside itself.
    """

    def __init__(self, first_chunk: bytes, limit: int = MAX_SHARED_STRING_BYTES) -> None:
        root = re.search(rb"<([A-Za-z_][\w.-]*:)?sst[\s>]", first_chunk[:MAX_PROLOG_BYTES])
        prefix = (root.group(1) or b"") if root else b""
        self._marker = b"<" + prefix + b"si"
        self._limit = limit
        self._carry = b""

    def too_long(self, chunk: bytes) -> bool:
        buffer = self._carry + chunk
        last = 0
        while len(buffer) - last > self._limit:
            reach = last + self._limit + len(self._marker)
            found = buffer.rfind(self._marker, last + 1, reach)
            if found < 0:
                return True
            last = found
        self._carry = buffer[last:]
        return False


class _OdsRepeats:
    """Cells with a value that ``number-rows/columns-repeated`` would make, as content streams.

    A repeated row counts its valued cells once per repeat; a repeated valued cell counts
    its columns once per repeat of its row. Real files repeat empty cells (the blank area
    after the list, which calamine skips) and few valued ones. Chunks are cut after a row's
    end tag so no row is split; the search is for the repeat attribute itself (a literal,
    found in C), and only the tags that carry one are looked at.
    """

    _REPEAT = re.compile(rb'table:number-(rows|columns)-repeated="(\d+)"')
    _ROW_END = b"</table:table-row>"
    _VALUED = b"office:value-type="

    def __init__(self) -> None:
        self._carry = b""
        self.cells = 0

    def feed(self, chunk: bytes, *, final: bool = False) -> int:
        buffer = self._carry + chunk
        cut = len(buffer) if final else buffer.rfind(self._ROW_END)
        if cut < 0:
            if len(buffer) < 16 * _CHUNK:
                self._carry = buffer
                return self.cells
            cut = len(buffer)
        elif not final:
            cut += len(self._ROW_END)
        for match in self._REPEAT.finditer(buffer, 0, cut):
            count = int(match.group(2))
            if count < 2:
                continue
            if match.group(1) == b"rows":
                end = buffer.find(self._ROW_END, match.end(), cut)
                valued = buffer.count(self._VALUED, match.end(), end if end >= 0 else cut)
                self.cells += count * valued
                continue
            tag_start = buffer.rfind(b"<", 0, match.start())
            if buffer.find(self._VALUED, tag_start, buffer.find(b">", match.end())) >= 0:
                self.cells += count * self._row_repeat(buffer, tag_start)
        self._carry = buffer[cut:]
        return self.cells

    @staticmethod
    def _row_repeat(buffer: bytes, position: int) -> int:
        start = buffer.rfind(b"<table:table-row", 0, position)
        if start < 0:
            return 1
        tag = buffer[start : buffer.find(b">", start) + 1]
        found = re.search(rb'table:number-rows-repeated="(\d+)"', tag)
        return int(found.group(1)) if found else 1


def _declares_dtd(prolog: bytes, *, complete: bool) -> bool:
    """Whether an XML part has a DOCTYPE (or any ``<!`` declaration) before its root element.

    ``prolog`` is the part's first ``MAX_PROLOG_BYTES`` (``complete``: the whole part).
    Entities can only be declared before the root, so a part without a declaration cannot
    expand or fetch anything. Binary parts (pictures, xlsb records) are not XML and pass. A
    prolog that runs past what we look at is treated as hostile: real ones are one line long.
    """
    text = prolog
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = text.decode("utf-16", errors="ignore").encode("utf-8")
    elif text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    position = 0
    while True:
        while position < len(text) and text[position] in b" \t\r\n":
            position += 1
        if position >= len(text):
            return not complete  # nothing but prolog in 64 KiB: no workbook part is like that
        if text.startswith(b"<?", position):
            end = text.find(b"?>", position)
        elif text.startswith(b"<!--", position):
            end = text.find(b"-->", position)
        else:
            # "<!": a DOCTYPE or another declaration; anything else: the root, or not XML.
            return text.startswith(b"<!", position)
        if end < 0:
            return not complete
        position = end + 2


# ---------------------------------------------------------------------------------------------
# OLE compound files: xls, password-protected OOXML, Word and PowerPoint 97


def _ole_kind(path: Path) -> FileKind:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True)}
            if "encryptioninfo" in streams or "encryptedpackage" in streams:
                raise UnsupportedFile(path, "password")
            if "workbook" in streams or "book" in streams:
                name = "workbook" if "workbook" in streams else "book"
                if _biff_has_filepass(ole.openstream(name).read(64 * 1024)):
                    raise UnsupportedFile(path, "password")
                return FileKind.XLS
            if "worddocument" in streams:
                raise UnsupportedFile(path, "word")
            if "powerpoint document" in streams:
                raise UnsupportedFile(path, "powerpoint")
    except UnsupportedFile:
        raise
    except Exception as exc:  # olefile raises OSError and others on a damaged directory
        raise UnsupportedFile(path, "truncated", str(exc)) from exc
    raise UnsupportedFile(path, "binary", "OLE file without a workbook")


def _biff_has_filepass(stream: bytes) -> bool:
    """A FILEPASS record (0x002F) in the workbook globals means the xls is encrypted.

    calamine reports these with a misleading codepage error, so we look ourselves. Records
    are (type: u16, length: u16, data); FILEPASS follows BOF before the first BOUNDSHEET.
    """
    offset = 0
    while offset + 4 <= len(stream):
        kind = int.from_bytes(stream[offset : offset + 2], "little")
        size = int.from_bytes(stream[offset + 2 : offset + 4], "little")
        if kind == 0x002F:
            return True
        if kind in (0x0085, 0x000A):  # BOUNDSHEET or EOF: past the point FILEPASS may stand
            return False
        offset += 4 + size
    return False


# ---------------------------------------------------------------------------------------------
# Everything else: text lists, and the text or binary formats that are not lists

_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
# Lotus 1-2-3 BOF records: WK1 (type 0, length 2), WK3/WK4/123 (type 0, length 26).
_LOTUS = (b"\x00\x00\x02\x00", b"\x00\x00\x1a\x00")
_SYLK_CELL = re.compile(r"^[CF];(?:[YX]\d+;)*[YXK]", re.MULTILINE)
_DELIMITERS = (",", ";", "\t", "|")


def _text_or_other(path: Path, head: bytes) -> FileKind:
    if head.startswith(b"\x1f\x8b"):
        raise UnsupportedFile(path, "gzip")
    if head.startswith(b"%PDF"):
        raise UnsupportedFile(path, "pdf")
    # A BMP's "BM" is followed by its size and four zero bytes ("BMW;Paris" is a CSV).
    bitmap = head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00"
    if bitmap or any(head.startswith(magic) for magic in _IMAGES):
        raise UnsupportedFile(path, "image")
    if head.startswith(_LOTUS) and len(head) > 6:
        raise UnsupportedFile(path, "lotus")
    text = _peek_text(head)
    stripped = text.lstrip()
    lowered = stripped[:4096].lower()
    if lowered.startswith("{\\rtf"):
        raise UnsupportedFile(path, "rtf")
    # "ID;P" alone is not enough: a French CSV may start "ID;Prénom;…" (Excel's own SYLK trap).
    if lowered.startswith("id;p") and _SYLK_CELL.search(stripped):
        raise UnsupportedFile(path, "sylk")
    if re.match(r"table\r?\n0,1\r?\n", lowered):
        raise UnsupportedFile(path, "dif")
    if lowered.startswith("mime-version:") and "multipart/related" in lowered:
        raise UnsupportedFile(path, "html")  # Excel's "Single File Web Page" (.mht)
    if lowered.startswith("<"):
        _refuse_markup(path, lowered)
    if _looks_binary(head):
        raise UnsupportedFile(path, "binary")
    if path.suffix.lower() in _SHEET_SUFFIXES and not _looks_like_a_list(stripped):
        first = stripped.splitlines()[0].strip() if stripped.strip() else ""
        shown = first[:80] + ("…" if len(first) > 80 else "")
        raise UnsupportedFile(path, "text_not_list", shown)
    return FileKind.CSV


def _refuse_markup(path: Path, lowered: str) -> None:
    """HTML and XML files: say which; any text that starts with '<' is no CSV list."""
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        raise UnsupportedFile(path, "spreadsheetml")
    if "<office:document" in lowered and "opendocument" in lowered:
        raise UnsupportedFile(path, "writer" if "opendocument.text" in lowered else "fods")
    if any(tag in lowered for tag in ("<html", "<!doctype html", "<table", "<body", "<head")):
        raise UnsupportedFile(path, "html")
    if lowered.startswith("<?xml"):
        raise UnsupportedFile(path, "xml")


def _looks_like_a_list(text: str) -> bool:
    """At least two lines and a delimiter in the first: what a CSV renamed .xlsx looks like."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    return len(lines) >= 2 and any(d in lines[0] for d in _DELIMITERS)


def _peek_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", errors="replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the 4 KB window
            return head[: exc.start].decode("utf-8")
        return head.decode("cp1252", errors="replace")


def _looks_binary(head: bytes) -> bool:
    """Control bytes that no list has, unless the text is UTF-16 (every other byte NUL)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    sample = head[:1024]
    nul = sample.count(0)
    if nul and nul * 3 >= len(sample):
        # UTF-16 without a BOM: NULs at every other position of plain Latin text.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        return not (even > 0.4 * len(sample) / 2 or odd > 0.4 * len(sample) / 2)
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return controls > max(len(sample) // 20, 4)
