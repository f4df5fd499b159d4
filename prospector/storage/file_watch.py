"""Notice when the database file is moved or deleted while the app has it open.

On macOS and Linux a file can be renamed or deleted while it is open, and SQLite in WAL mode
keeps writing without a word: into a deleted file that vanishes when the app closes, or into a
renamed file whose log stays behind under the old name. A new connection would even create an
empty database at the old path. So:

- before a transaction commits, the file at the path must still be the one opened (same device
  and inode); if not, the transaction is rolled back and ``DatabaseMoved`` is raised;
- the first time, everything committed until then is copied with SQLite's backup API from the
  connection at hand (it still reads the moved or deleted file and its log) to
  ``<rescue folder>/<name>-rescued-<local time>.sqlite``, and the error names that copy;
- no new connection is opened on a path whose file has changed or gone.

Reads keep working from the connections already open, so the window still shows the data.
(Windows refuses to move or delete an open database, so this only ever fires elsewhere.)
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from prospector.errors import DatabaseMoved
from prospector.storage.recovery import remove_database_file, write_checked_copy

log = logging.getLogger(__name__)


def identity_of(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``; None when nothing is there. A file system that
    has no inode numbers (0: some network shares) is judged by the file being there at all."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if stat.st_ino else (0, 0)


class FileWatch:
    """Guards one engine's database file; see the module's description."""

    def __init__(self, engine: Engine, path: Path, rescue_dir: Path | None = None) -> None:
        self.path = path
        self.rescue_dir = rescue_dir or path.parent
        self.expected = identity_of(path)
        self.rescued: Path | None = None
        event.listen(engine, "do_connect", self._before_connect)
        event.listen(engine, "commit", self._before_commit, insert=True)

    def moved(self) -> bool:
        """Whether the file at the path is no longer the one that was opened."""
        return identity_of(self.path) != self.expected

    def _before_connect(self, *_args: Any) -> None:
        if self.moved():  # SQLite would create an empty database here, beside the old log
            raise DatabaseMoved(self.path, "gone before connecting", self.rescued)

    def _before_commit(self, conn: Any) -> None:
        if not self.moved():
            return
        driver = conn.connection.dbapi_connection
        driver.execute("ROLLBACK")  # nothing more goes into a file nobody will find
        if self.rescued is None:
            self.rescued = self._rescue(driver)
        log.warning("%s was moved or deleted while open; the change was not saved", self.path)
        raise DatabaseMoved(self.path, "moved while open", self.rescued)

    def _rescue(self, driver: sqlite3.Connection) -> Path | None:
        """Copy what this connection still reads (the moved file and its log) to safety."""
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
        target = self.rescue_dir / f"{self.path.stem}-rescued-{stamp}.sqlite"
        partial = target.with_name(target.name + ".partial")
        try:
            self.rescue_dir.mkdir(parents=True, exist_ok=True)
            write_checked_copy(driver, partial)
            os.replace(partial, target)
        except (OSError, sqlite3.Error):
            log.exception("Could not rescue %s to %s", self.path, target)
            remove_database_file(partial)
            return None
        log.info("Rescued %s to %s", self.path, target)
        return target
