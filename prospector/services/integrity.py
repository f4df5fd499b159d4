"""A damaged database, and a database in a risky place: what the rep can do about it.

When the start-up check (``PRAGMA quick_check``) finds damage, nothing is open on the file and
nothing may write to it. ``IntegrityService`` then offers the two ways back (the window asks
the rep which, ``ui/dialogs/integrity_dialog.py``):

- **restore the newest good backup**: the newest backup of this database that passes its own
  check is copied beside the database, then takes its name;
- **salvage**: everything that can still be read is copied into a new database
  (``storage/salvage.py``), which then takes the name, with a count per table.

Either way the damaged file is moved aside as ``<name>.damaged-YYYY-MM-DD-HHMM.sqlite`` and
kept; the database is then opened again as usual. ``network_place`` tells whether a database
sits on a network share or in a synced folder, where SQLite can be damaged.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prospector.domain.clock import Clock, system_clock
from prospector.errors import UserFacingError
from prospector.paths import backup_dir_for
from prospector.services.settings import BACKUP_FOLDER_KEY
from prospector.storage.backup import (
    BackupFile,
    BackupTooNew,
    BackupUnreadable,
    check_backup,
    list_backups,
)
from prospector.storage.instance_lock import InstanceLock
from prospector.storage.network_paths import NetworkPlace, network_place
from prospector.storage.recovery import (
    chosen_backup_folder,
    copy_backup,
    remove_database_file,
    replacement_path,
    swap_in,
)
from prospector.storage.salvage import (
    SalvageFailed,
    SalvageProgress,
    TableSalvage,
    salvage_database,
)

log = logging.getLogger(__name__)

__all__ = [  # the window reaches these through this module
    "IntegrityService",
    "NetworkPlace",
    "NoGoodBackup",
    "Recovered",
    "RecoveryFailed",
    "SalvageFailed",
    "SalvageProgress",
    "TableSalvage",
    "network_place",
]


class NoGoodBackup(UserFacingError):
    """No backup of this database passes its check."""

    code = "db.no_good_backup"

    def __init__(self, path: Path, folders: list[Path]) -> None:
        super().__init__(f"no good backup of {path} in {folders}")
        self.path = path
        self.folders = folders

    def user_message(self) -> str:
        where = " or ".join(str(f) for f in self.folders)
        return (
            f"No backup of {self.path.name} that can be restored was found in {where}. "
            "Save what can still be read instead; the damaged file is kept as it is."
        )


class RecoveryFailed(UserFacingError):
    """The replacement could not be written or put in place; nothing was changed."""

    code = "db.recovery_failed"

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        super().__init__(f"{path}: {reason} {detail}".rstrip())
        self.path = path
        self.reason = reason  # disk_full, not_allowed or other
        self.detail = detail

    def user_message(self) -> str:
        why = {
            "disk_full": "the disk is full",
            "not_allowed": f"Prospector may not change files in {self.path.parent}",
        }.get(self.reason, f"the copy failed ({self.detail or self.reason})")
        return (
            f"{self.path.name} could not be replaced: {why}. Nothing was changed; the damaged "
            "file is where it was. Free some space or fix the folder, then try again."
        )


@dataclass(frozen=True)
class Recovered:
    """The database is usable again: restored from ``backup`` or salvaged (``salvaged``)."""

    path: Path
    damaged_copy: Path  # where the damaged file was kept
    backup: BackupFile | None = None
    salvaged: tuple[TableSalvage, ...] | None = None

    def saved(self, table: str) -> int:
        """Rows of ``table`` the salvage kept."""
        return next((t.saved for t in self.salvaged or () if t.table == table), 0)


class IntegrityService:
    """Recovery for the database at ``path``, which the caller has closed (or never opened)."""

    def __init__(self, path: Path, clock: Clock = system_clock) -> None:
        self.path = path.expanduser().resolve()
        self._clock = clock
        self._checked: dict[Path, bool] = {}

    def backup_folders(self) -> list[Path]:
        """Where backups of this database may be: the folder the rep chose (if the damaged
        file still says which), and the usual one beside the database."""
        folders = [backup_dir_for(self.path)]
        chosen = chosen_backup_folder(self.path, BACKUP_FOLDER_KEY)
        if chosen is not None and chosen.resolve() != folders[0].resolve():
            folders.insert(0, chosen)
        return folders

    def good_backup(self) -> BackupFile | None:
        """The newest backup that passes its own check (quick_check, ours, a known schema)."""
        found: dict[Path, BackupFile] = {}
        for folder in self.backup_folders():
            for entry in list_backups(folder, self.path.stem, exclude=(self.path,)):
                found.setdefault(entry.path.resolve(), entry)
        for entry in sorted(found.values(), key=lambda f: f.made_at, reverse=True):
            if entry.readable and self._passes(entry.path):
                return entry
        return None

    def _passes(self, path: Path) -> bool:
        if path not in self._checked:
            try:
                check_backup(path)
                self._checked[path] = True
            except (BackupUnreadable, BackupTooNew) as exc:
                log.info("Backup %s not offered: %s", path, exc)
                self._checked[path] = False
        return self._checked[path]

    def restore_backup(self, backup: Path | None = None) -> Recovered:
        """Put the newest good backup (or ``backup``) in place of the damaged database.

        Raises:
            NoGoodBackup: no backup passes its check.
            BackupUnreadable, BackupTooNew: ``backup`` cannot be restored.
            DatabaseInUse: another Prospector opened the database meanwhile.
            RecoveryFailed: the copy could not be written or put in place; nothing changed.
        """
        if backup is None:
            chosen = self.good_backup()
            if chosen is None:
                raise NoGoodBackup(self.path, self.backup_folders())
        else:
            from prospector.storage.backup import describe_backup

            chosen = describe_backup(backup)
        checked = check_backup(chosen.path)
        with _Locked(self.path):
            replacement = replacement_path(self.path, "restoring")
            try:
                copy_backup(checked, replacement)
                aside = self._swap(replacement)
            except (OSError, sqlite3.Error) as exc:
                remove_database_file(replacement)
                raise _failure(self.path, exc) from exc
        log.info("Restored %s from %s; the damaged file is %s", self.path, chosen.path, aside)
        return Recovered(self.path, aside, backup=chosen)

    def salvage(
        self, should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[SalvageProgress | Recovered]:
        """Copy what can be read into a new database that takes the damaged one's place;
        yields progress, and last the ``Recovered`` result. Stopping leaves everything as
        it was.

        Raises:
            SalvageFailed: nothing could be read.
            DatabaseInUse: another Prospector opened the database meanwhile.
            RecoveryFailed: the new database could not be written or put in place.
        """
        with _Locked(self.path):
            replacement = replacement_path(self.path, "salvaging")
            report: tuple[TableSalvage, ...] | None = None
            steps = salvage_database(self.path, replacement)
            try:
                for step in steps:
                    if step.report is not None:
                        report = step.report
                    else:
                        yield step
                    if should_stop():
                        steps.close()  # removes the half-built database
                        return
                assert report is not None
                aside = self._swap(replacement)
            except (OSError, sqlite3.Error) as exc:
                steps.close()
                remove_database_file(replacement)
                raise _failure(self.path, exc) from exc
        yield Recovered(self.path, aside, salvaged=report)

    def _swap(self, replacement: Path) -> Path:
        return swap_in(self.path, replacement, self._clock().astimezone())


class _Locked:
    """Hold the database's one-process lock while its file is replaced."""

    def __init__(self, path: Path) -> None:
        self._lock = InstanceLock(path)

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()


def _failure(path: Path, exc: BaseException) -> RecoveryFailed:
    reason = "other"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            reason = "disk_full"
        elif isinstance(exc, PermissionError):
            reason = "not_allowed"
    elif "full" in str(exc):
        reason = "disk_full"
    log.info("Recovery of %s failed: %s", path, exc)
    return RecoveryFailed(path, reason, str(exc))
