"""Getting a rep back to work when the start-up check finds the database damaged.

The damaged file cannot be restored into (``restore_database`` writes into the open file,
and nothing may write to a damaged one), so recovery works on closed files:

1. the replacement is made first, beside the database: a copy of a backup that passed its
   own check, or a salvaged database (``salvage.py``);
2. the damaged file (with its ``-wal`` and ``-shm``, which belong to it) is moved aside as
   ``<name>.damaged-YYYY-MM-DD-HHMM.sqlite``: kept, never deleted;
3. the replacement takes the database's name.

If step 3 fails, the damaged file is put back, so the rep is never left with neither.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

from prospector.storage.backup import CheckedBackup

log = logging.getLogger(__name__)

_COMPANIONS = ("-wal", "-shm", "-journal")


def damaged_name(path: Path, when: datetime) -> Path:
    """Where the damaged file goes: ``prospector.damaged-2026-11-23-1405.sqlite`` beside it
    (``when`` in the rep's local time; a number is added if that name is taken)."""
    stem = f"{path.stem}.damaged-{when:%Y-%m-%d-%H%M}"
    candidate, n = path.with_name(f"{stem}{path.suffix}"), 2
    while any(Path(f"{candidate}{end}").exists() for end in ("", *_COMPANIONS)):
        candidate, n = path.with_name(f"{stem}-{n}{path.suffix}"), n + 1
    return candidate


def replacement_path(path: Path, purpose: str) -> Path:
    """A fresh name beside ``path`` to build its replacement under (same disk: one rename)."""
    return path.with_name(f".{path.name}.{purpose}-{uuid.uuid4().hex[:8]}")


def swap_in(path: Path, replacement: Path, when: datetime) -> Path:
    """Move the damaged database aside and put ``replacement`` in its place.

    Returns where the damaged file now is.

    Raises:
        OSError: the damaged file could not be moved (it is as it was), or the replacement
            could not take its name (the damaged file is put back; the replacement removed).
    """
    aside = damaged_name(path, when)
    moved: list[tuple[Path, Path]] = []
    try:
        for end in ("", *_COMPANIONS):
            source = Path(f"{path}{end}")
            if source.exists():
                target = Path(f"{aside}{end}")
                os.replace(source, target)
                moved.append((source, target))
        os.replace(replacement, path)
    except OSError:
        for source, target in reversed(moved):
            try:
                os.replace(target, source)
            except OSError:
                log.exception("Could not put %s back as %s", target, source)
        raise
    # Not fsynced: after a power cut the folder shows the swap done or not done, and either
    # way nothing is lost (the check at start finds the damaged file again).
    log.info("Moved the damaged %s aside as %s and put %s in its place", path, aside, replacement)
    return aside


def copy_backup(checked: CheckedBackup, target: Path) -> None:
    """Write a copy of a checked backup at ``target`` with SQLite's backup API, checked and
    fsynced; an older schema is brought up to date when the database is next opened.

    Raises:
        OSError, sqlite3.Error: the copy could not be made (``target`` is removed).
    """
    source = sqlite3.connect(f"{checked.path.resolve().as_uri()}?immutable=1", uri=True)
    try:
        write_checked_copy(source, target)
    finally:
        source.close()


def write_checked_copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy what ``source`` reads into a new file at ``target`` with SQLite's backup API: one
    self-contained file (no log beside it), quick-checked and fsynced.

    Raises:
        OSError, sqlite3.Error: the copy failed or fails its check (``target`` is removed).
    """
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            ok = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
        if ok != "ok":
            raise sqlite3.DatabaseError(f"the copy at {target} fails its check: {ok}")
        with target.open("rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        remove_database_file(target)
        raise


def remove_database_file(path: Path) -> None:
    """Remove a half-built replacement and its companions (never the rep's database)."""
    for end in ("", *_COMPANIONS):
        try:
            Path(f"{path}{end}").unlink(missing_ok=True)
        except OSError:
            log.info("Could not remove %s%s", path, end, exc_info=True)


def chosen_backup_folder(path: Path, key: str) -> Path | None:
    """The backup folder the rep chose, read from the damaged file if that part still
    reads (settings table, ``key``); None when it cannot be read or was never chosen."""
    try:
        conn = open_read_only(path)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
        stored = json.loads(row[0]) if row and row[0] else None
        value = stored.get("v") if isinstance(stored, dict) else None  # as SettingsRepository
    except (sqlite3.Error, ValueError, TypeError, OSError):
        return None
    return Path(value) if isinstance(value, str) and value else None


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change ``path``: with its write-ahead log when it has one
    (committed work may still be only there), else without even the lock files."""
    uri = path.resolve().as_uri()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True)
    return sqlite3.connect(f"{uri}?immutable=1", uri=True)

