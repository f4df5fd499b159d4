"""SQLite set up once: foreign keys, WAL, a real BEGIN, and our file identity.

Python's sqlite3 opens transactions lazily and never before DDL, so a failed migration would
stay half-applied; emitting BEGIN ourselves makes every unit of work, DDL included, atomic.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from prospector.errors import DatabaseBusy
from prospector.storage.sqlite_errors import plain_error

# 'PROS' in ASCII: written at offset 68 of the file header so we can tell our files from others.
APPLICATION_ID = 0x50524F53
SQLITE_MAGIC = b"SQLite format 3\x00"


def make_engine(db_path: Path, *, cache_mib: int = 64) -> Engine:
    """An engine for one database file with our PRAGMAs on every connection."""
    engine = create_engine(
        f"sqlite+pysqlite:///{db_path}",
        # The pool hands a connection to one unit of work at a time, so the UI thread and a worker
        # never share one at once, and each keeps its page cache warm between uses.
        connect_args={"timeout": 5},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not sqlite3, decides when to BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no corruption, ever
        cursor.execute(f"PRAGMA cache_size = -{cache_mib * 1024}")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> BaseException | None:
        # A long import holds the write lock for minutes; a save meanwhile gives up after the
        # timeout above. Say so in plain words instead of a driver error.
        original = context.original_exception
        if isinstance(original, sqlite3.OperationalError) and "locked" in str(original):
            return DatabaseBusy(db_path, str(original))
        # A full disk, a read-only file, a moved file, a damaged page: plain words too.
        return plain_error(db_path, original)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def read_header(db_path: Path) -> bytes:
    """The first 100 bytes of the file (fewer when it is shorter)."""
    with db_path.open("rb") as handle:
        return handle.read(100)


def header_application_id(header: bytes) -> int:
    return int.from_bytes(header[68:72], "big") if len(header) >= 72 else 0
