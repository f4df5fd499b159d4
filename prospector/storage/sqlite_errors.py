"""SQLite's own errors turned into the plain ones a rep can act on.

SQLite names what went wrong (``sqlite_errorname`` since Python 3.11: SQLITE_FULL,
SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…). A failed statement ends the unit of work that
ran it, which rolls its transaction back, so each of these means "nothing of this change was
saved; what was saved before is intact". The engine's ``handle_error`` hook
(``storage/engine.py``) raises these in place of the driver's error.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from prospector.errors import (
    DatabaseDamaged,
    DatabaseMoved,
    DatabaseNotWritable,
    DatabaseWriteFailed,
    UserFacingError,
)


def plain_error(db_path: Path, exc: BaseException) -> UserFacingError | None:
    """The plain error for a driver error met on ``db_path``, or None for any other error
    (a bug, or "database is locked", which the engine maps itself)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name == "SQLITE_READONLY_DBMOVED":
        return DatabaseMoved(db_path, text)
    if name.startswith("SQLITE_FULL") or "database or disk is full" in text:
        # RLIMIT_FSIZE and quotas end a write with an I/O error instead (reliability.md §5)
        return DatabaseWriteFailed(db_path, "disk_full", text)
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return DatabaseWriteFailed(db_path, "io", text)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return DatabaseNotWritable(db_path, text)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return DatabaseDamaged(db_path, text)
    return None
