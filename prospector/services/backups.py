"""Backups of the open database: once a day, before risky work, by hand; rotation; restore.

Backups go to the folder the rep chose (a synced OneDrive or Dropbox folder is fine: each backup
is one finished file, given its name only once complete), else to ``backups`` beside the
database. The folder and how many backups to keep are settings; a restore keeps them as they
are, since they describe this computer rather than the data.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from prospector.domain.backups import (
    BackupReason,
    RotationPolicy,
    backups_to_keep,
    made_on_day,
)
from prospector.domain.clock import Clock, system_clock
from prospector.errors import UserFacingError, ValidationError
from prospector.paths import backup_dir_for
from prospector.services.settings import SettingsService
from prospector.storage.backup import (
    BackupFailed,
    BackupFile,
    BackupTooNew,
    BackupUnreadable,
    RestoreFailed,
    backup_database,
    check_backup,
    delete_backups,
    describe_backup,
    list_backups,
    named_backups,
    restore_database,
)
from prospector.storage.database import Database
from prospector.storage.migrate import SCHEMA_HEAD

log = logging.getLogger(__name__)

__all__ = [  # the window and the command line reach these through this module
    "BackupFailed",
    "BackupFile",
    "BackupFolderUnavailable",
    "BackupMade",
    "BackupReason",
    "BackupService",
    "BackupTooNew",
    "BackupUnreadable",
    "FolderStatus",
    "RestoreFailed",
    "Restored",
    "RotationPolicy",
]


class BackupFolderUnavailable(UserFacingError):
    """The folder chosen for backups is missing, not a folder, or read-only."""

    code = "backup.folder_unavailable"

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(f"{folder}: {reason}")
        self.folder = folder
        self.reason = reason  # missing, not_a_folder or not_writable

    def user_message(self) -> str:
        why = {
            "missing": "it does not exist (is the drive or synced folder connected?)",
            "not_a_folder": "it is a file, not a folder",
        }.get(self.reason, "Prospector may not write in it")
        return f"The folder {self.folder} can't hold backups: {why}. Choose another folder."


@dataclass(frozen=True)
class BackupMade:
    path: Path
    folder: Path
    # The chosen folder was unavailable: the backup went beside the database instead.
    fell_back_from: Path | None = None
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Restored:
    backup: BackupFile
    safety_copy: Path  # the state just before the restore, as a backup
    upgraded_from: str | None  # the backup's schema revision, when it had to be upgraded


@dataclass(frozen=True)
class FolderStatus:
    folder: Path  # where the next backup goes
    default: Path  # beside the database
    chosen: Path | None
    problem: str | None  # why the chosen folder cannot be used now (then ``folder`` is default)


def folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot take backups (missing, not_a_folder, not_writable), or None.

    Writing a probe file is the only honest test: permission bits say little on Windows (ACLs),
    on a synced folder or as an administrator.
    """
    if not folder.exists():
        return "missing"
    if not folder.is_dir():
        return "not_a_folder"
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".prospector-probe-"):
            pass
    except OSError:
        return "not_writable"
    return None


class BackupService:
    def __init__(
        self,
        database: Database,
        settings: SettingsService,
        clock: Clock = system_clock,
        zone: tzinfo | None = None,
    ) -> None:
        """``zone`` decides what "today" is for the daily backup; None is the computer's."""
        self._db = database
        self._settings = settings
        self._clock = clock
        self._zone = zone
        self._prefix = database.path.stem
        self._lock = threading.Lock()  # one backup or restore at a time, whichever thread asks
        self._read_cache: dict[object, BackupFile] = {}

    # -- the folder and the numbers ----------------------------------------------------------

    def default_folder(self) -> Path:
        return backup_dir_for(self._db.path)

    def folder_status(self) -> FolderStatus:
        default = self.default_folder()
        stored = self._settings.backup_folder()
        chosen = Path(stored) if stored else None
        problem = folder_problem(chosen) if chosen is not None else None
        usable = chosen if chosen is not None and problem is None else default
        return FolderStatus(usable, default, chosen, problem)

    def set_folder(self, folder: Path | None) -> None:
        """Send future backups to ``folder`` (None: beside the database again).

        Raises:
            BackupFolderUnavailable: the folder is missing, a file, or read-only.
        """
        if folder is None or folder.resolve() == self.default_folder().resolve():
            self._settings.set_backup_folder(None)
            return
        folder = folder.expanduser().resolve()
        problem = folder_problem(folder)
        if problem is not None:
            raise BackupFolderUnavailable(folder, problem)
        self._settings.set_backup_folder(str(folder))
        log.info("Backups now go to %s", folder)

    def policy(self) -> RotationPolicy:
        stored = self._settings.backup_keep()
        if stored is None:
            return RotationPolicy()
        policy = RotationPolicy(daily=stored[0], weekly=stored[1])
        return RotationPolicy() if policy.problems() else policy

    def set_policy(self, days: int, weeks: int) -> None:
        """Keep one backup for each of the last ``days`` days and ``weeks`` weeks.

        Older backups go at the next backup, not now: changing a number never deletes at once.

        Raises:
            ValidationError: a number out of range (days 1-365, weeks 0-260).
        """
        problems = RotationPolicy(daily=days, weekly=weeks).problems()
        if problems:
            raise ValidationError({code: code for code in problems})
        self._settings.set_backup_keep((days, weeks))

    # -- making backups ----------------------------------------------------------------------

    def back_up(self, reason: BackupReason = BackupReason.MANUAL) -> BackupMade:
        """Copy the database now (safe while it is in use), then drop backups the policy
        no longer keeps.

        Raises:
            BackupFailed: nothing could be written (disk full, folder read-only…).
        """
        with self._lock:
            return self._back_up(reason, protect=())

    def daily_backup(self) -> BackupMade | None:
        """The once-a-day backup: made unless one (of any kind) was made today already."""
        with self._lock:
            status = self.folder_status()
            today = self._clock().astimezone(self._zone).date()
            made = named_backups(status.folder, self._prefix).values()
            if any(made_on_day(when, today, self._zone) for when in made):
                return None
            return self._back_up(BackupReason.DAILY, protect=())

    def _back_up(self, reason: BackupReason, protect: tuple[Path, ...]) -> BackupMade:
        status = self.folder_status()
        if status.problem is not None:
            log.warning(
                "Backup folder %s unavailable (%s): backing up to %s",
                status.chosen,
                status.problem,
                status.folder,
            )
        now = self._clock()
        path = backup_database(
            self._db.engine, status.folder, label=reason.value, now=now, prefix=self._prefix
        )
        made = named_backups(status.folder, self._prefix)
        keep = backups_to_keep(made, now, self.policy(), self._zone) | {path, *protect}
        removed = delete_backups(p for p in made if p not in keep)
        return BackupMade(
            path=path,
            folder=status.folder,
            fell_back_from=status.chosen if status.problem is not None else None,
            removed=tuple(removed),
        )

    # -- listing and restoring ---------------------------------------------------------------

    def backups(self) -> list[BackupFile]:
        """The backups to offer, newest first: the folder in use, and the one beside the
        database too when they differ (copies made before an update always go there)."""
        status = self.folder_status()
        folders = [status.folder]
        if status.default.resolve() != status.folder.resolve():
            folders.append(status.default)
        found: dict[Path, BackupFile] = {}
        for folder in folders:
            for entry in list_backups(
                folder, self._prefix, exclude=(self._db.path,), cache=self._read_cache
            ):
                found.setdefault(entry.path.resolve(), entry)
        return sorted(found.values(), key=lambda f: f.made_at, reverse=True)

    def restore(self, path: Path) -> Restored:
        """Put the database back as ``path`` holds it, after backing up the current state.

        Raises:
            BackupUnreadable: not a Prospector backup, or damaged; nothing changed.
            BackupTooNew: made by a newer Prospector; nothing changed.
            BackupFailed: the current state could not be backed up first; nothing changed.
            DatabaseBusy, RestoreFailed: the copy could not be made; nothing changed.
        """
        with self._lock:
            checked = check_backup(path)
            info = describe_backup(path)
            folder, keep = self._settings.backup_folder(), self._settings.backup_keep()
            safety = self._back_up(BackupReason.BEFORE_RESTORE, protect=(path,))
            restore_database(self._db.engine, checked)
            # Where backups go and how many are kept belong to this computer, not to the data.
            if self._settings.backup_folder() != folder:
                self._settings.set_backup_folder(folder)
            if self._settings.backup_keep() != keep:
                self._settings.set_backup_keep(keep)
            self._settings.forget_cached()
        log.info("Restored %s; the state before is in %s", path, safety.path)
        return Restored(
            backup=info,
            safety_copy=safety.path,
            upgraded_from=None if checked.revision == SCHEMA_HEAD else checked.revision,
        )
