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
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.orm import Session, sessionmaker

from prospector.errors import DatabaseCorrupt, DatabaseNotWritable, NotAProspectorDatabase
from prospector.storage.engine import (
    APPLICATION_ID,
    SQLITE_MAGIC,
    header_application_id,
    make_engine,
    read_header,
)
from prospector.storage.file_watch import FileWatch
from prospector.storage.instance_lock import InstanceLock
from prospector.storage.migrate import SCHEMA_HEAD, current_revision, upgrade_database

log = logging.getLogger(__name__)


@dataclass
class Database:
    """An open database: the engine, a session factory, and the lock that keeps it ours."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    upgrade_backup: str | None = None
    integrity_checked: bool = True
    damaged: bool = False
    _lock: InstanceLock | None = field(default=None, repr=False)
    # Moved or deleted while open (see file_watch.py)
    watch: FileWatch | None = field(default=None, repr=False)

    def verify_integrity(self) -> None:
        """Run the quick_check that opening deferred; safe to call from a worker thread.

        Raises:
            DatabaseCorrupt: the file is damaged.
        """
        try:
            quick_check(self.path)
        except DatabaseCorrupt:
            self.damaged = True
            raise
        self.integrity_checked = True

    def close(self) -> None:
        moved = self.watch is not None and self.watch.moved()
        if not self.damaged and not moved:  # nothing more to a damaged or moved file
            self._optimize()
        self.engine.dispose()
        self._release()

    def _optimize(self) -> None:
        try:
            with self.engine.connect() as conn:
                # Keeps the query planner's statistics fresh; the limit keeps it to milliseconds.
                conn.exec_driver_sql("PRAGMA analysis_limit = 400")
                conn.exec_driver_sql("PRAGMA optimize")
        except Exception:  # a failed tune-up must never stop the file from closing
            log.warning("PRAGMA optimize failed on %s", self.path, exc_info=True)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


# Below this size quick_check takes well under 0.1 s here and runs before the file is used;
# a bigger file (about 1 s at a million contacts) may be checked after the window is up.
QUICK_CHECK_AT_OPEN_BELOW = 64 * 1024 * 1024


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_existing_file(path: Path, *, integrity: bool = True) -> None:
    """Refuse a file that is not a healthy Prospector database, without writing to it.

    Raises:
        NotAProspectorDatabase: empty, not SQLite, or another program's SQLite file.
        DatabaseCorrupt: SQLite's quick_check reports damage (when ``integrity`` is asked).
    """
    header = read_header(path)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotAProspectorDatabase(path, "no SQLite header")
    app_id = header_application_id(header)
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        raise NotAProspectorDatabase(path, str(exc)) from exc
    try:
        if app_id != APPLICATION_ID:
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if app_id != 0 or tables:
                raise NotAProspectorDatabase(path, f"application_id {app_id:#x}, {tables} tables")
    except sqlite3.DatabaseError as exc:
        # "file is not a database", "database disk image is malformed" and the like
        raise DatabaseCorrupt(path, str(exc)) from exc
    finally:
        conn.close()
    if integrity:
        quick_check(path)


def quick_check(path: Path) -> None:
    """Run SQLite's quick_check on a read-only connection (safe beside a writer, thanks to WAL).

    Raises:
        DatabaseCorrupt: the check reports damage or cannot read the file.
    """
    try:
        conn = _read_only(path)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(path, str(exc)) from exc
    if result != "ok":
        raise DatabaseCorrupt(path, str(result))


def open_database(
    path: Path, *, backup_dir: Path | None = None, defer_integrity_check: bool = False
) -> Database:
    """Open (creating if missing) the database at ``path``, migrated to the current schema.

    Args:
        path: the database file; its folder is created if missing.
        backup_dir: where a copy goes before a schema upgrade; None skips the copy (tests).
        defer_integrity_check: for a big file, leave quick_check to the caller
            (``Database.verify_integrity``), e.g. after the window is painted. A file that
            needs a schema upgrade is always checked first.

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
    deferred = False
    try:
        if path.exists():
            deferred = defer_integrity_check and path.stat().st_size >= QUICK_CHECK_AT_OPEN_BELOW
            check_existing_file(path, integrity=not deferred)
            if not os.access(path, os.W_OK):
                raise DatabaseNotWritable(path, "file is read-only")
        if not os.access(path.parent, os.W_OK):
            raise DatabaseNotWritable(path, "folder is read-only")
        engine = make_engine(path)
        try:
            if deferred and current_revision(engine) != SCHEMA_HEAD:
                quick_check(path)  # never migrate a damaged file
                deferred = False
            copy = upgrade_database(engine, path, backup_dir=backup_dir)
            # Not the connections that migrated: Alembic's reflection opened their temporary
            # database, after which SQLite refuses an import's "PRAGMA temp_store" inside its
            # transaction (the first import after creating or upgrading a file failed).
            engine.dispose()
        except SQLAlchemyDatabaseError as exc:  # a damaged page met before quick_check ran
            engine.dispose()
            raise DatabaseCorrupt(path, str(exc)) from exc
        except Exception:
            engine.dispose()
            raise
    except BaseException:
        lock.release()
        raise
    log.info("Opened %s", path)
    watch = FileWatch(engine, path, backup_dir)
    return Database(
        path=path,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        upgrade_backup=copy,
        integrity_checked=not deferred,
        _lock=lock,
        watch=watch,
    )
