"""One Prospector process per database file.

SQLite's own locks would let a second process in and fail later with "database is locked" in the
middle of a rep's work. A lock file taken at open turns that into a clear message up front, with
who holds it and since when.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from prospector.errors import DatabaseInUse, DatabaseNotWritable

log = logging.getLogger(__name__)


class InstanceLock:
    """Holds ``<db>.lock`` for as long as the database is open in this process."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.lock_path = db_path.with_name(db_path.name + ".lock")
        self.owner_path = db_path.with_name(db_path.name + ".owner")
        self._lock = FileLock(self.lock_path, timeout=0, is_singleton=False)

    def acquire(self) -> None:
        """Take the lock or explain who has it.

        Raises:
            DatabaseInUse: another process holds the lock.
            DatabaseNotWritable: the lock file cannot be created (read-only folder).
        """
        try:
            self._lock.acquire()
        except Timeout:
            host, since = self._read_owner()
            raise DatabaseInUse(self.db_path, host, since) from None
        except PermissionError as exc:
            raise DatabaseNotWritable(self.db_path, str(exc)) from exc
        owner = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now().strftime("%H:%M"),
        }
        try:
            self.owner_path.write_text(json.dumps(owner), encoding="utf-8")
        except OSError:
            log.warning("Could not write %s; the in-use message will say less", self.owner_path)

    def release(self) -> None:
        if not self._lock.is_locked:
            return
        self.owner_path.unlink(missing_ok=True)
        self._lock.release()

    def _read_owner(self) -> tuple[str, str]:
        try:
            owner = json.loads(self.owner_path.read_text(encoding="utf-8"))
            return str(owner.get("host", "")), str(owner.get("since", ""))
        except (OSError, ValueError):
            return "", ""
