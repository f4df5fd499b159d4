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
    DatabaseInUse,
    DatabaseNotWritable,
    DatabaseTooNew,
    DatabaseUpgradeFailed,
    NotAProspectorDatabase,
    UserFacingError,
)
from prospector.paths import log_dir

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
    if error.code == "dnc.no_values":  # services.do_not_call.NoNumbersInFile
        return _tr("No numbers found"), _tr(
            "No phone numbers or email addresses were found in {name}. A do-not-call file needs "
            "a column of numbers or emails (with or without a header such as Phone or Email). "
            "Nothing was changed."
        ).format(name=Path(getattr(error, "path", "")).name)
    return _tr("Prospector"), error.user_message()


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
