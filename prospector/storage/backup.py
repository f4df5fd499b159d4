"""Consistent copies of a live database through SQLite's online backup API, and back again.

Copying the file while a transaction is open can produce a corrupt copy; the backup API cannot.
The copy is written under a temporary name, checked, and only then given its real name, so a
synced folder (OneDrive, Dropbox) never uploads half a backup. A restore runs the same API the
other way, into the open database, so the app keeps its engine and its lock on the file.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from glob import escape as glob_escape
from pathlib import Path

from sqlalchemy import Engine

from prospector.domain.backups import BackupReason, reason_of
from prospector.errors import DatabaseBusy, DatabaseError, UserFacingError
from prospector.storage.engine import APPLICATION_ID, SQLITE_MAGIC, header_application_id

log = logging.getLogger(__name__)

SUFFIX = ".sqlite"
# prospector-20260316-093000-123456-daily.sqlite: the database's name, the UTC time, the label.
_NAME = re.compile(r"^(?P<prefix>.+?)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<label>.+)\.sqlite$")
_STAMP = "%Y%m%d-%H%M%S-%f"
_RESTORING = ".restoring-"  # the upgraded copy of an old backup, beside the database


class BackupFailed(UserFacingError):
    """No backup could be written; the database itself was not touched."""

    code = "backup.failed"

    def __init__(self, folder: Path, reason: str, detail: str = "", label: str = "") -> None:
        super().__init__(f"backup to {folder} failed ({reason}): {detail}")
        self.folder = folder
        self.reason = reason  # disk_full, not_writable, missing, check_failed or other
        self.detail = detail
        self.purpose = reason_of(label)

    def user_message(self) -> str:
        why = {
            "disk_full": f"the disk holding {self.folder} is full",
            "not_writable": f"Prospector may not write in {self.folder}",
            "missing": f"the folder {self.folder} is not available",
        }.get(self.reason, f"the copy failed ({self.detail or self.reason})")
        then = {
            BackupReason.BEFORE_IMPORT: "The import was not started, so nothing changed.",
            BackupReason.BEFORE_RESTORE: "The restore was not started; your data is as it was.",
        }.get(self.purpose, "Your data is as it was.")
        return f"Your database could not be backed up: {why}. {then}"


class BackupUnreadable(DatabaseError):
    """The chosen file is not a Prospector backup, or it is damaged."""

    code = "backup.unreadable"

    def user_message(self) -> str:
        return (
            f"The file {self.path.name} is not a Prospector backup, or it is damaged. "
            "Your data was not changed."
        )


class BackupTooNew(UserFacingError):
    """The backup carries a schema revision this version does not know."""

    code = "backup.too_new"

    def __init__(self, path: Path, revision: str) -> None:
        super().__init__(f"{path}: revision {revision} is unknown")
        self.path = path
        self.revision = revision

    def user_message(self) -> str:
        return (
            f"The backup {self.path.name} was made by a newer version of Prospector. "
            "Update Prospector to restore it; your data was not changed."
        )


class RestoreFailed(UserFacingError):
    """Copying the backup into the database failed part-way; SQLite rolled the copy back."""

    code = "backup.restore_failed"

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        super().__init__(f"restoring {path} failed ({reason}): {detail}")
        self.path = path
        self.reason = reason
        self.detail = detail

    def user_message(self) -> str:
        why = "the disk is full" if self.reason == "disk_full" else self.detail or self.reason
        return f"The backup could not be restored ({why}). Your data is as it was."


@dataclass(frozen=True)
class BackupFile:
    """One file of a backup folder, as the list shows it."""

    path: Path
    made_at: datetime  # aware UTC: from the file name, else the file's modification time
    label: str  # from the file name; "" for a file not named by Prospector
    size: int
    contacts: int | None  # None: the file could not be read as a Prospector database
    revision: str | None = None

    @property
    def reason(self) -> BackupReason:
        return reason_of(self.label)

    @property
    def readable(self) -> bool:
        return self.contacts is not None


# -- making a backup ------------------------------------------------------------------------------


def database_prefix(engine: Engine) -> str:
    """Backups of ``work.sqlite`` are named ``work-…``: two databases can share a folder."""
    return Path(str(engine.url.database)).stem


def backup_database(
    engine: Engine,
    backup_dir: Path,
    *,
    label: str,
    now: datetime | None = None,
    prefix: str | None = None,
) -> Path:
    """Write a checked copy of the engine's database into ``backup_dir`` and return its path.

    The copy is one self-contained file (rollback journal, not WAL), fsynced before it gets
    its name. ``now`` (aware) dates the name; ``prefix`` defaults to the database's name.

    Raises:
        BackupFailed: the folder is missing or read-only, the disk is full, or the copy failed
            its check; no partial file is left behind.
    """
    stamp_time = (now or datetime.now(UTC)).astimezone(UTC)
    name = prefix or database_prefix(engine)
    partial: Path | None = None
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(backup_dir, name, stamp_time, label)
        partial = target.with_suffix(".sqlite.partial")
        raw = engine.raw_connection()
        try:
            dest = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(dest, progress=_give_up_when_busy)  # type: ignore[union-attr]
                dest.execute("PRAGMA journal_mode = DELETE")  # one file, readable read-only
                ok = dest.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dest.close()
        finally:
            raw.close()
        if ok != "ok":
            raise BackupFailed(backup_dir, "check_failed", str(ok), label)
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        _replace(partial, target)
        _fsync_folder(backup_dir)
    except BaseException as exc:
        if partial is not None:
            _remove(partial)
        if isinstance(exc, BackupFailed):
            raise
        if isinstance(exc, OSError | sqlite3.Error | _Busy):
            raise _failure(backup_dir, label, exc) from exc
        raise
    log.info("Backed up %s to %s", engine.url.database, target)
    return target


def _free_name(folder: Path, prefix: str, when: datetime, label: str) -> Path:
    """A name whose time no other backup has (a fixed test clock, or two backups within a
    microsecond): times order the list and the rotation."""
    while True:
        stamp = when.strftime(_STAMP)
        if not any(folder.glob(f"{glob_escape(prefix)}-{stamp}-*")):
            return folder / f"{prefix}-{stamp}-{label}{SUFFIX}"
        when += timedelta(microseconds=1)


class _Busy(Exception):
    """The other side kept its lock past the connection's busy timeout."""


def _give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
    # Python's backup() retries a busy step forever; the busy timeout has already waited.
    if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        raise _Busy("database is locked")


def _failure(folder: Path, label: str, exc: BaseException) -> BackupFailed:
    text = str(exc)
    reason = "other"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            reason = "disk_full"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = "not_writable"
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EEXIST):
            reason = "missing"
    elif "full" in text:
        reason = "disk_full"
    elif "readonly" in text or "unable to open" in text:
        reason = "not_writable"
    log.info("Backup to %s failed: %s", folder, exc)
    return BackupFailed(folder, reason, text, label)


def _replace(source: Path, target: Path, attempts: int = 5) -> None:
    """os.replace, retried a little: on Windows an antivirus or a sync client may hold the
    fresh file for a moment (reliability.md F30)."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


def _fsync_folder(folder: Path) -> None:
    """Make the new name durable too (POSIX; Windows has no directory handles for this)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for leftover in (path, *(Path(f"{path}{end}") for end in ("-journal", "-wal", "-shm"))):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            log.info("Could not remove %s", leftover, exc_info=True)


# -- listing and rotation -------------------------------------------------------------------------


def named_backups(folder: Path, prefix: str) -> dict[Path, datetime]:
    """This database's backups in ``folder`` by their names alone (nothing is opened)."""
    found: dict[Path, datetime] = {}
    try:
        entries = list(folder.iterdir())
    except OSError:
        return found
    for path in entries:
        parsed = _parse_name(path.name)
        if parsed is not None and parsed[0] == prefix:
            found[path] = parsed[1]
    return found


def _parse_name(name: str) -> tuple[str, datetime, str] | None:
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        when = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return match["prefix"], when, match["label"]


def list_backups(
    folder: Path, prefix: str, *, exclude: Iterable[Path] = (), cache: dict | None = None
) -> list[BackupFile]:
    """Every backup of this database in ``folder``, newest first, and any other ``.sqlite``
    file there (a copy put in by hand); a damaged or foreign file is listed as unreadable.

    Backups named for another database (``work-….sqlite`` beside ``prospector-….sqlite``) are
    left out. ``cache`` (any dict kept by the caller) spares reopening unchanged files.
    """
    skipped = {p.resolve() for p in exclude}
    files: list[BackupFile] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return files
    for path in entries:
        if path.suffix != SUFFIX or _RESTORING in path.name or path.resolve() in skipped:
            continue
        parsed = _parse_name(path.name)
        if parsed is not None and parsed[0] != prefix:
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        if not path.is_file():
            continue
        key = (path, stat.st_size, stat.st_mtime_ns)
        if cache is not None and key in cache:
            files.append(cache[key])
            continue
        when = parsed[1] if parsed else datetime.fromtimestamp(stat.st_mtime, UTC)
        found = read_backup(path, when, parsed[2] if parsed else "", stat.st_size)
        if cache is not None:
            cache[key] = found
        files.append(found)
    files.sort(key=lambda f: f.made_at, reverse=True)
    return files


def describe_backup(path: Path) -> BackupFile:
    """One file as the list shows it (its name dates it, else its modification time).

    Raises:
        OSError: the file cannot be found.
    """
    stat = path.stat()
    parsed = _parse_name(path.name)
    when = parsed[1] if parsed else datetime.fromtimestamp(stat.st_mtime, UTC)
    return read_backup(path, when, parsed[2] if parsed else "", stat.st_size)


def read_backup(path: Path, made_at: datetime, label: str, size: int) -> BackupFile:
    """What a backup holds (schema revision, contacts), or an unreadable entry; never raises."""
    try:
        _check_header(path)
        conn = _open_read_only(path)
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        finally:
            conn.close()
    except (OSError, sqlite3.Error, BackupUnreadable, TypeError) as exc:
        log.info("Backup %s is unreadable: %s", path, exc)
        return BackupFile(path, made_at, label, size, None)
    return BackupFile(path, made_at, label, size, int(contacts), str(revision))


def delete_backups(paths: Iterable[Path]) -> list[Path]:
    """Delete rotated-out backups; one that cannot go (held by a sync client) stays till next
    time. Returns those deleted."""
    deleted = []
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.info("Old backup %s not removed: %s", path, exc)
            continue
        deleted.append(path)
    if deleted:
        log.info("Removed %d old backups", len(deleted))
    return deleted


# -- restoring ------------------------------------------------------------------------------------


def _check_header(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise BackupUnreadable(path, "no SQLite header")
    if header_application_id(header) != APPLICATION_ID:
        raise BackupUnreadable(path, f"application_id {header_application_id(header):#x}")


def _open_read_only(path: Path) -> sqlite3.Connection:
    # immutable: no lock, no -wal or -shm beside the file (a synced or read-only folder).
    return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)


@dataclass(frozen=True)
class CheckedBackup:
    """A backup that passed ``check_backup``: only such a file is restored."""

    path: Path
    revision: str


def check_backup(path: Path) -> CheckedBackup:
    """Check a backup before it replaces anything: ours, readable, undamaged, a known schema.

    SQLite's quick_check, as at start-up: integrity_check also compares every index with its
    table, which takes 36 s instead of 1.3 s at a million contacts.

    Raises:
        BackupUnreadable: not a Prospector database, or SQLite's quick_check finds damage.
        BackupTooNew: made by a newer Prospector (a revision this version does not know).
    """
    from prospector.storage.migrate import SCHEMA_HEAD, known_revisions  # migrate imports us

    try:
        _check_header(path)
        conn = _open_read_only(path)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            conn.close()
    except (OSError, sqlite3.Error, TypeError) as exc:
        raise BackupUnreadable(path, str(exc)) from exc
    if result != "ok":
        raise BackupUnreadable(path, str(result))
    if revision != SCHEMA_HEAD and revision not in known_revisions():
        raise BackupTooNew(path, str(revision))
    return CheckedBackup(path, str(revision))


def restore_database(engine: Engine, checked: CheckedBackup) -> None:
    """Replace everything the engine's database holds with what ``backup`` holds.

    The backup API copies the pages into the open file inside one write transaction, so other
    connections of the pool see either the old database or the restored one, and a failure
    leaves the old one. A backup of an older schema is first copied beside the database and
    upgraded there, so the live file only ever receives a current, checked database.

    Raises:
        DatabaseBusy: another connection kept writing past the busy timeout.
        RestoreFailed: the copy failed (a full disk); SQLite rolled it back.
    """
    backup, revision = checked.path, checked.revision
    db_path = Path(str(engine.url.database))
    try:
        with _ready_source(backup, revision, db_path, engine) as source:
            raw = engine.raw_connection()
            try:
                live = raw.driver_connection
                source.backup(live, progress=_give_up_when_busy)  # type: ignore[arg-type]
                # The whole database went through the WAL: fold it back now, on this thread,
                # not in the rep's next save (SQLite's automatic checkpoint would).
                live.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
    except _Busy as exc:
        raise DatabaseBusy(db_path, str(exc)) from exc
    except sqlite3.Error as exc:
        reason = "disk_full" if "full" in str(exc) else "other"
        raise RestoreFailed(backup, reason, str(exc)) from exc
    # Pooled connections would re-read the schema anyway (the copy bumps its cookie); closing
    # them also drops their caches of the old pages and statements.
    engine.dispose()
    log.info("Restored %s from %s (revision %s)", db_path, backup, revision)


@contextmanager
def _ready_source(
    backup: Path, revision: str, db_path: Path, engine: Engine
) -> Iterator[sqlite3.Connection]:
    """A connection to copy from: the backup itself, or an upgraded copy of it."""
    from prospector.storage.migrate import SCHEMA_HEAD

    live_page_size = _page_size(engine)
    source = _open_read_only(backup)
    work: Path | None = None
    try:
        if revision == SCHEMA_HEAD and _page_size_of(source) == live_page_size:
            yield source
            return
        work = db_path.with_name(f"{db_path.stem}{_RESTORING}{uuid.uuid4().hex[:8]}{SUFFIX}")
        _prepare_copy(source, work, revision, live_page_size)
        prepared = sqlite3.connect(work)
        try:
            yield prepared
        finally:
            prepared.close()
    finally:
        source.close()
        if work is not None:
            _remove(work)


def _prepare_copy(source: sqlite3.Connection, work: Path, revision: str, page_size: int) -> None:
    """Copy the backup to ``work``, give it the live page size (WAL needs them equal) and
    bring it to the current schema with the migrations."""
    from prospector.storage.engine import make_engine
    from prospector.storage.migrate import SCHEMA_HEAD, upgrade_database

    copy = sqlite3.connect(work)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        if _page_size_of(copy) != page_size:
            copy.execute(f"PRAGMA page_size = {int(page_size)}")
            copy.execute("VACUUM")
    finally:
        copy.close()
    if revision != SCHEMA_HEAD:
        engine = make_engine(work)
        try:
            upgrade_database(engine, work, backup_dir=None)
        finally:
            engine.dispose()
        log.info("Upgraded the restored copy from %s to %s", revision, SCHEMA_HEAD)


def _page_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())


def _page_size_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_size").fetchone()[0])
