"""Tell what a file really is from its bytes, and refuse in plain words what we cannot import.

Reps pick the wrong file, rename files, and receive workbooks that are protected, damaged or
built to crash programs. The extension proves nothing, so the first bytes and the zip or OLE
directory decide (reliability.md §3). A workbook zip is also checked for decompression bombs
before any reader sees it: neither calamine nor openpyxl protects us.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path

from prospector.errors import UserFacingError


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

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD_BYTES = 4096


class UnsupportedFile(UserFacingError):
    """A file that is not a list we can read; ``problem`` says what it is."""

    code = "import.unsupported"

    def __init__(self, path: Path, problem: str, detail: str = "") -> None:
        super().__init__(f"{path}: {problem}" + (f" ({detail})" if detail else ""))
        self.path, self.problem, self.detail = path, problem, detail

    def user_message(self) -> str:
        return _MESSAGES.get(self.problem, _MESSAGES["unknown"]).format(
            name=self.path.name, detail=self.detail
        )


_SAVE_AS = "Open it in the program that made it, save it as Excel (.xlsx) or CSV, and import that."
_MESSAGES = {
    "missing": "The file {name} could not be found. It may have been moved or renamed.",
    "unreadable": (
        "The file {name} could not be opened ({detail}). Check that it is not open in another "
        "program and that you may read it, then try again."
    ),
    "folder": "{name} is a folder, not a file. Choose the list file inside it.",
    "empty": "The file {name} is empty: there is nothing in it to import.",
    "numbers": (
        "{name} is an Apple Numbers file. In Numbers choose File ▸ Export To ▸ Excel, "
        "then import that file."
    ),
    "pages": "{name} is an Apple Pages document, not a list. " + _SAVE_AS,
    "keynote": "{name} is an Apple Keynote presentation, not a list.",
    "word": "{name} is a Word document, not a list. " + _SAVE_AS,
    "powerpoint": "{name} is a PowerPoint presentation, not a list.",
    "writer": "{name} is a text document (OpenDocument), not a list. " + _SAVE_AS,
    "password": (
        "This workbook is protected by a password. Open it in Excel, remove the password "
        "(File ▸ Info ▸ Protect Workbook), save, and import again."
    ),
    "truncated": (
        "The file {name} is damaged (incomplete), perhaps from an interrupted download or "
        "copy. Download or copy it again, then import it."
    ),
    "zip_bomb": (
        "This file expands to far more data than a spreadsheet of its size should. It may be "
        "damaged or built to crash programs. It was not imported."
    ),
    "zip": "{name} is a zip archive, not a list. Unzip it and import the list inside.",
    "gzip": "{name} is a compressed (gzip) file. Uncompress it and import the list inside.",
    "spreadsheetml": (
        "{name} is an old 'XML Spreadsheet 2003' file. Open it in Excel and save it as "
        "'Excel Workbook (.xlsx)', then import that file."
    ),
    "html": (
        "{name} is a web page saved with a spreadsheet name. Open it in Excel and save it as "
        "'Excel Workbook (.xlsx)', then import that file."
    ),
    "pdf": (
        "{name} is a PDF document. Ask whoever sent it for the list as Excel or CSV; copying "
        "from a PDF loses the columns."
    ),
    "image": "{name} is a picture, not a list.",
    "lotus": "{name} is an old Lotus 1-2-3 spreadsheet. " + _SAVE_AS,
    "sylk": "{name} is a SYLK spreadsheet file. " + _SAVE_AS,
    "dif": "{name} is a DIF spreadsheet file. " + _SAVE_AS,
    "fods": "{name} is a flat OpenDocument spreadsheet (.fods). " + _SAVE_AS,
    "binary": "{name} is not a spreadsheet or a text list. " + _SAVE_AS,
    "unknown": "The file {name} could not be read (technical detail: {detail}).",
}


def detect_file_kind(path: Path) -> FileKind:
    """What ``path`` holds, by its content.

    Raises:
        UnsupportedFile: the file is missing, empty, protected, damaged, hostile or another
            kind of document; the message names it and says what to do.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except FileNotFoundError as exc:
        raise UnsupportedFile(path, "missing") from exc
    except IsADirectoryError as exc:
        raise UnsupportedFile(path, "folder") from exc
    except OSError as exc:
        raise UnsupportedFile(path, "unreadable", exc.strerror or str(exc)) from exc
    if not head:
        raise UnsupportedFile(path, "empty")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path)
    return _text_or_other(path, head)


def _zip_kind(path: Path) -> FileKind:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise UnsupportedFile(path, "truncated", str(exc)) from exc
    with archive:
        entries = archive.infolist()
        names = {info.filename for info in entries}
        _check_bomb(path, entries)
        if "xl/workbook.xml" in names:
            kind = FileKind.XLSX
        elif "xl/workbook.bin" in names:
            kind = FileKind.XLSB
        elif "mimetype" in names:
            mimetype = archive.read("mimetype")[:100]
            if b"opendocument.spreadsheet" in mimetype:
                kind = FileKind.ODS
            elif b"opendocument.text" in mimetype:
                raise UnsupportedFile(path, "writer")
            else:
                raise UnsupportedFile(path, "zip")
        elif any(n.startswith("Index/") and n.endswith(".iwa") for n in names) or any(
            n.startswith("Index/Tables/") for n in names
        ):
            raise UnsupportedFile(path, _apple_kind(path))
        elif "word/document.xml" in names:
            raise UnsupportedFile(path, "word")
        elif "ppt/presentation.xml" in names:
            raise UnsupportedFile(path, "powerpoint")
        else:
            raise UnsupportedFile(path, "zip")
        _check_parts_inflate_honestly(path, archive, entries)
    return kind


def _apple_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".pages": "pages", ".key": "keynote"}.get(suffix, "numbers")


def _check_bomb(path: Path, entries: list[zipfile.ZipInfo]) -> None:
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


def _check_parts_inflate_honestly(
    path: Path, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]
) -> None:
    """Inflate the big parts once with a counter: a forged size fails here, not in a reader.

    ``zipfile`` stops at the declared size and then checks the CRC, so a part whose real data
    is larger than its directory entry says is caught without inflating it all.
    """
    for info in entries:
        if info.compress_size < 64 * 1024:
            continue
        seen = 0
        try:
            with archive.open(info) as part:
                while chunk := part.read(1024 * 1024):
                    seen += len(chunk)
                    if seen > info.file_size:
                        raise UnsupportedFile(path, "zip_bomb", f"{info.filename} lies")
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            problem = "zip_bomb" if "CRC" in str(exc) else "truncated"
            raise UnsupportedFile(path, problem, str(exc)) from exc
        except NotImplementedError as exc:  # an unknown compression: encrypted or exotic
            raise UnsupportedFile(path, "unknown", str(exc)) from exc


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


_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def _text_or_other(path: Path, head: bytes) -> FileKind:
    if head.startswith(b"\x1f\x8b"):
        raise UnsupportedFile(path, "gzip")
    if head.startswith(b"%PDF"):
        raise UnsupportedFile(path, "pdf")
    if any(head.startswith(magic) for magic in _IMAGES):
        raise UnsupportedFile(path, "image")
    if head.startswith(b"\x00\x00\x02\x00") and len(head) > 4:
        raise UnsupportedFile(path, "lotus")
    text = _peek_text(head)
    lowered = text.lstrip().lower()[:2048]
    if lowered.startswith("id;p"):
        raise UnsupportedFile(path, "sylk")
    if lowered.startswith("table\r\n0,1") or lowered.startswith("table\n0,1"):
        raise UnsupportedFile(path, "dif")
    if lowered.startswith("<?xml") or lowered.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            raise UnsupportedFile(path, "spreadsheetml")
        if "opendocument" in lowered and "office:document" in lowered:
            raise UnsupportedFile(path, "fods")
        if "<html" in lowered or "<!doctype html" in lowered or "<table" in lowered:
            raise UnsupportedFile(path, "html")
    if _looks_binary(head):
        raise UnsupportedFile(path, "binary")
    return FileKind.CSV


def _peek_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("latin-1")


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
