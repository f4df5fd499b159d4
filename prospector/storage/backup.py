"""Consistent copies of a live database through SQLite's online backup API.

Copying the file while a transaction is open can produce a corrupt copy; the backup API cannot.
The copy is written under a temporary name, checked, and only then given its real name.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine


def backup_database(engine: Engine, backup_dir: Path, *, label: str) -> Path:
    """Write a checked copy of the engine's database into ``backup_dir`` and return its path."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = backup_dir / f"prospector-{stamp}-{label}.sqlite"
    partial = target.with_suffix(".sqlite.partial")
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
    finally:
        raw.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise OSError(f"the backup copy failed its check: {ok}")
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target
