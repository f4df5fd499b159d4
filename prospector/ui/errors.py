"""Turn errors into plain-words dialogs: known problems say what to do, bugs point to the log."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from prospector.errors import (
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseMoved,
    DatabaseNotWritable,
    DatabaseTooNew,
    DatabaseUpgradeFailed,
    DatabaseWriteFailed,
    NotAProspectorDatabase,
    UserFacingError,
)
from prospector.paths import log_dir
from prospector.services.integrity import NetworkPlace

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def message_for(error: UserFacingError) -> tuple[str, str]:
    """A title and a plain-words message for a known problem."""
    if isinstance(error, DatabaseInUse):
        since = ""
        if error.owner_since:
            since = _tr(" (since {since} on {host})").format(
                since=error.owner_since, host=error.owner_host or _tr("this computer")
            )
        return _tr("Prospector is already open"), _tr(
            "Prospector is already open with this database{since}. "
            "Switch to that window, or close it and start Prospector again."
        ).format(since=since)
    if isinstance(error, DatabaseWriteFailed | DatabaseMoved | DatabaseDamaged):
        return _database_fault_message(error)
    if isinstance(error, NotAProspectorDatabase):
        return _tr("Not a Prospector database"), _tr(
            "The file {name} is not a Prospector database, or it is badly damaged. "
            "It was left exactly as it was. Choose another file, or start a new database."
        ).format(name=error.path.name)
    if isinstance(error, DatabaseCorrupt):
        return _tr("Database damaged"), _tr(
            "The database {name} is damaged and could not be opened safely. "
            "It was left exactly as it was. Restore a backup, or start a new database."
        ).format(name=error.path.name)
    if isinstance(error, DatabaseTooNew):
        return _tr("Newer database"), _tr(
            "The database {name} was made by a newer version of Prospector. "
            "Update Prospector to open it; the file was not changed."
        ).format(name=error.path.name)
    if isinstance(error, DatabaseUpgradeFailed):
        return _tr("Update failed"), _tr(
            "The update of your database failed; your data is as it was. "
            "Details are saved in the log in {folder}."
        ).format(folder=log_dir())
    if isinstance(error, DatabaseNotWritable):
        return _tr("Database is read-only"), _tr(
            "The database {name} can't be changed here: the file or its folder is read-only. "
            "Move it to a folder you can write to, such as Documents."
        ).format(name=error.path.name)
    if isinstance(error, DatabaseBusy):
        return _tr("Still saving"), _tr(
            "Prospector is still saving something else (an import, for example), so this "
            "change could not be saved yet. Nothing was lost: wait until it has finished and "
            "try again."
        )
    if error.code == "export.calendar_not_saved":  # exporters.ics.CalendarNotSaved
        return _tr("Calendar file not saved"), error.user_message()
    if error.code in _EXPORT_CODES:
        return _export_message(error)
    if error.code == "dnc.no_values":  # services.do_not_call.NoNumbersInFile
        return _tr("No numbers found"), _tr(
            "No phone numbers or email addresses were found in {name}. A do-not-call file needs "
            "a column of numbers or emails (with or without a header such as Phone or Email). "
            "Nothing was changed."
        ).format(name=Path(getattr(error, "path", "")).name)
    if error.code.startswith("backup."):
        return _backup_message(error)
    if error.code in _RECOVERY_CODES:
        return _recovery_message(error)
    return _tr("Prospector"), error.user_message()


def _database_fault_message(error: UserFacingError) -> tuple[str, str]:
    """Faults met while the database is in use (disk full, moved, damaged): what happened to
    this change, that what was saved before is safe, and what to do."""
    path = Path(getattr(error, "path", "") or "")
    if isinstance(error, DatabaseWriteFailed):
        why = (
            _tr("the disk is full")
            if error.reason == "disk_full"
            else _tr("the disk could not be written to (it may be full, failing or unplugged)")
        )
        return _tr("Not saved: disk problem"), _tr(
            "Prospector could not save to {name}: {why}. Nothing of this change was saved, "
            "and everything saved before is safe. Free some space on the disk (empty the "
            "Recycle Bin or Trash, delete large files you no longer need), then try again."
        ).format(name=path.name, why=why)
    if isinstance(error, DatabaseMoved):
        text = _tr(
            "The database file {name} was moved or deleted while Prospector was using it, so "
            "this change could not be saved."
        ).format(name=path.name)
        if error.rescued is not None:
            text += " " + _tr("Everything saved until now is safe in a copy: {copy}.").format(
                copy=error.rescued
            )
        return _tr("Database moved or deleted"), text + "\n\n" + _tr(
            "Quit Prospector, put the database back in {folder} (or copy the saved copy there "
            "and name it {name}), then start Prospector again."
        ).format(folder=path.parent, name=path.name)
    return _tr("Database damaged"), _tr(
        "Prospector found damage in the database {name} while reading it. Quit Prospector "
        "and start it again: it will check the file and offer to restore your newest backup "
        "or to save what can still be read."
    ).format(name=path.name)


_RECOVERY_CODES = frozenset({"db.no_good_backup", "db.recovery_failed", "db.salvage_failed"})


def _recovery_message(error: UserFacingError) -> tuple[str, str]:
    """Restoring or salvaging a damaged database (services.integrity)."""
    name = Path(getattr(error, "path", "") or "").name
    if error.code == "db.no_good_backup":
        folders = ", ".join(str(f) for f in getattr(error, "folders", ()))
        return _tr("No backup to restore"), _tr(
            "No backup of {name} that can be restored was found in {folders}. Save what can "
            "still be read instead; the damaged file is kept as it is."
        ).format(name=name, folders=folders)
    if error.code == "db.salvage_failed":
        return _tr("Nothing could be read"), _tr(
            "Nothing could be read from {name}: the damage is in the part of the file that "
            "says where everything is. Restore a backup instead; the damaged file is kept as "
            "it is."
        ).format(name=name)
    reason = getattr(error, "reason", "")
    why = {
        "disk_full": _tr("the disk is full"),
        "not_allowed": _tr("Prospector may not change files in that folder"),
    }.get(reason, _tr("the copy failed"))
    return _tr("Not replaced"), _tr(
        "{name} could not be replaced: {why}. Nothing was changed; the damaged file is where "
        "it was. Free some space or fix the folder, then try again."
    ).format(name=name, why=why)


def network_warning(path: Path, place: NetworkPlace) -> tuple[str, str]:
    """The warning before opening a database on a network share or in a synced folder."""
    if place.synced:
        return _tr("Database in a synced folder"), _tr(
            "{name} is in {folder}, a folder a sync program keeps copying. It can copy the "
            "database while Prospector writes to it, or bring back an older copy, which can "
            "damage it or lose your latest work.\n\nKeep your database outside synced "
            "folders, for example in Documents on this computer. Your backups may go to a "
            "synced folder (File ▸ Backups…), and colleagues can exchange share files."
        ).format(name=path.name, folder=place.detail)
    return _tr("Database on a network drive"), _tr(
        "{name} is on a network drive ({where}). A database used over a network can be "
        "damaged: a dropped connection, or two computers writing at once, can corrupt it.\n\n"
        "Keep your database on this computer, for example in Documents, and exchange share "
        "files with colleagues instead (File ▸ Share with a colleague…)."
    ).format(name=path.name, where=place.detail)


_EXPORT_CODES = frozenset(
    {"export.not_saved", "export.csv_encoding", "export.format", "export.incomplete"}
    | {"export.report_not_saved"}  # exporters.report_xlsx.ReportNotSaved: same reasons
)


def _export_message(error: UserFacingError) -> tuple[str, str]:
    """Contacts exports (services.exports, exporters.target_file, exporters.csv_sheet)."""
    name = Path(getattr(error, "path", "") or "").name
    if error.code == "export.csv_encoding":
        return _tr("A character does not fit"), _tr(
            "Row {row} ({column}) holds the character “{character}”, which the chosen "
            "character set cannot store. Nothing was saved. Choose UTF-8, which holds every "
            "character, or change that value and export again."
        ).format(
            row=getattr(error, "row", "?"),
            column=getattr(error, "column", ""),
            character=getattr(error, "character", ""),
        )
    if error.code == "export.format":
        return _tr("Not a file type Prospector writes"), _tr(
            "Prospector cannot save “{name}”: end the file name with .xlsx (Excel) or .csv."
        ).format(name=name)
    if error.code == "export.incomplete":
        return _tr("Export stopped short"), _tr(
            "The export read {written} contacts where {expected} were expected, so the file "
            "was not saved. Try again; if it happens again, please send the log file in "
            "{folder} to support."
        ).format(
            written=f"{getattr(error, 'written', 0):,}",
            expected=f"{getattr(error, 'expected', 0):,}",
            folder=log_dir(),
        )
    reason = getattr(error, "reason", "")
    if reason == "in_use":
        return _tr("File is open elsewhere"), _tr(
            "{name} could not be replaced because it is open in another program, probably "
            "Excel. Close it there and try again, or choose another name. Nothing was changed."
        ).format(name=name)
    why = {
        "folder_missing": _tr("that folder does not exist"),
        "not_allowed": _tr("you are not allowed to save files in that folder"),
        "disk_full": _tr("the disk is full (or the file is too big for it)"),
        "is_folder": _tr("a folder already has that name"),
    }.get(reason, _tr("the file could not be written"))
    return _tr("File not saved"), _tr(
        "{name} was not saved: {why}. Choose another place, such as your Documents folder."
    ).format(name=name, why=why)


def _backup_message(error: UserFacingError) -> tuple[str, str]:
    """Backups and restores (services.backups, storage.backup)."""
    folder = str(getattr(error, "folder", "") or "")
    name = Path(getattr(error, "path", "") or "").name
    reason = getattr(error, "reason", "")
    if error.code == "backup.failed":
        why = {
            "disk_full": _tr("The disk holding the backup folder {folder} is full."),
            "not_writable": _tr("Prospector may not write in the backup folder {folder}."),
            "missing": _tr("The backup folder {folder} is not available."),
        }.get(reason, _tr("The copy could not be written to {folder} ({detail})."))
        then = {
            "before-import": _tr("The import was not started, so nothing changed."),
            "before-restore": _tr("The restore was not started; your data is as it was."),
        }.get(str(getattr(error, "purpose", "")), _tr("Your data is as it was."))
        return _tr("Backup not made"), " ".join(
            (
                why.format(folder=folder, detail=getattr(error, "detail", "")),
                then,
                _tr("Free some space, or choose another folder in File ▸ Backups…"),
            )
        )
    if error.code == "backup.folder_unavailable":
        why = {
            "missing": _tr(
                "The folder {folder} does not exist. If it is on a USB drive or in a synced "
                "folder, connect it and try again."
            ),
            "not_a_folder": _tr("{folder} is a file, not a folder."),
        }.get(reason, _tr("Prospector may not write in the folder {folder}."))
        return _tr("Folder can't hold backups"), why.format(folder=folder) + " " + _tr(
            "Choose another folder for your backups."
        )
    if error.code == "backup.too_new":
        return _tr("Backup from a newer version"), _tr(
            "The backup {name} was made by a newer version of Prospector. Update Prospector to "
            "restore it. Your data was not changed."
        ).format(name=name)
    if error.code == "backup.unreadable":
        return _tr("Not a backup"), _tr(
            "The file {name} is not a Prospector backup, or it is damaged. Your data was not "
            "changed. Choose another backup."
        ).format(name=name)
    if error.code == "backup.restore_failed":
        why = (
            _tr("the disk is full")
            if reason == "disk_full"
            else str(getattr(error, "detail", "") or reason)
        )
        return _tr("Restore failed"), _tr(
            "The backup could not be restored ({why}). Your data is as it was."
        ).format(why=why)
    return _tr("Backups"), error.user_message()


def show_error(parent: QWidget | None, error: UserFacingError) -> None:
    title, text = message_for(error)
    QMessageBox.warning(parent, title, text)


def install_crash_handler() -> None:
    """A bug shows a calm dialog naming the log file instead of vanishing or a traceback."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, UserFacingError):
            show_error(None, value)
            return
        log.critical("Unexpected error", exc_info=(kind, value, tb))
        details = "".join(traceback.format_exception(kind, value, tb))
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            _tr("Something went wrong"),
            _tr(
                "Prospector ran into a problem it did not expect. Your saved data is safe. "
                "Please send the log file in {folder} to support."
            ).format(folder=log_dir()),
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook
