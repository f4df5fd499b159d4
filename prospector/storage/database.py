"""Open a database file safely: ours, healthy, not in use, and at the current schema.

Every check that can refuse a file runs before anything writes to it, so a wrong or damaged file
is left byte for byte as it was.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from prospector.errors import DatabaseCorrupt, DatabaseNotWritable, NotAProspectorDatabase
from prospector.storage.engine import (
    APPLICATION_ID,
    SQLITE_MAGIC,
    header_application_id,
    make_engine,
    read_header,
)
from prospector.storage.instance_lock import InstanceLock
from prospector.storage.migrate import upgrade_database

log = logging.getLogger(__name__)


@dataclass
class Database:
    """An open database: the engine, a session factory, and the lock that keeps it ours."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    upgrade_backup: str | None = None
    _lock: InstanceLock | None = field(default=None, repr=False)

    def close(self) -> None:
        try:
            with self.engine.connect() as conn:
                # Keeps the query planner's statistics fresh; the limit keeps it to milliseconds.
                conn.exec_driver_sql("PRAGMA analysis_limit = 400")
                conn.exec_driver_sql("PRAGMA optimize")
        except Exception:  # a failed tune-up must never stop the file from closing
            log.warning("PRAGMA optimize failed on %s", self.path, exc_info=True)
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def check_existing_file(path: Path) -> None:
    """Refuse a file that is not a healthy Prospector database, without writing to it.

    Raises:
        NotAProspectorDatabase: empty, not SQLite, or another program's SQLite file.
        DatabaseCorrupt: SQLite's quick_check reports damage.
    """
    header = read_header(path)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotAProspectorDatabase(path, "no SQLite header")
    app_id = header_application_id(header)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise NotAProspectorDatabase(path, str(exc)) from exc
    try:
        if app_id != APPLICATION_ID:
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if app_id != 0 or tables:
                raise NotAProspectorDatabase(path, f"application_id {app_id:#x}, {tables} tables")
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        # "file is not a database", "database disk image is malformed" and the like
        raise DatabaseCorrupt(path, str(exc)) from exc
    finally:
        conn.close()
    if result != "ok":
        raise DatabaseCorrupt(path, str(result))


def open_database(path: Path, *, backup_dir: Path | None = None) -> Database:
    """Open (creating if missing) the database at ``path``, migrated to the current schema.

    Args:
        path: the database file; its folder is created if missing.
        backup_dir: where a copy goes before a schema upgrade; None skips the copy (tests).

    Raises:
        UserFacingError: a subclass naming what is wrong; the file is unchanged.
    """
    path = path.expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseNotWritable(path, str(exc)) from exc
    lock = InstanceLock(path)
    lock.acquire()
    try:
        if path.exists():
            check_existing_file(path)
            if not os.access(path, os.W_OK):
                raise DatabaseNotWritable(path, "file is read-only")
        if not os.access(path.parent, os.W_OK):
            raise DatabaseNotWritable(path, "folder is read-only")
        engine = make_engine(path)
        try:
            copy = upgrade_database(engine, path, backup_dir=backup_dir)
        except Exception:
            engine.dispose()
            raise
    except BaseException:
        lock.release()
        raise
    log.info("Opened %s", path)
    return Database(
        path=path,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        upgrade_backup=copy,
        _lock=lock,
    )
