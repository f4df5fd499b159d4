"""File ▸ Backups…: the backups with their date and contacts, Back up now, Restore, the folder.

The copies are made and put back by ``BackupService``; this dialog only asks and shows. Work
that can take seconds on a big database (reading the list, a backup, a restore) runs on a
worker while the dialog says what is happening. ``restored`` is emitted after a restore so
the window can show the restored data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStatusBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.backups import MAX_DAILY, MAX_WEEKLY
from prospector.errors import UserFacingError
from prospector.services.backups import (
    BackupFile,
    BackupMade,
    BackupReason,
    BackupService,
    Restored,
)
from prospector.ui.errors import message_for
from prospector.ui.tasks import IterTask, TaskRunner

log = logging.getLogger(__name__)

COL_WHEN, COL_WHY, COL_CONTACTS, COL_SIZE = range(4)
FILE_ROLE = Qt.ItemDataRole.UserRole + 1
_PROBLEM_STYLE = (
    "QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #f5c6c0;"
    " border-radius: 4px; padding: 6px; }"
)
_WARNING_STYLE = (
    "QLabel { background: #fff6dc; border: 1px solid #ecd9a0; border-radius: 4px; padding: 6px; }"
)
_DONE_STYLE = (
    "QLabel { background: #eef6ee; border: 1px solid #c3dfc3; border-radius: 4px; padding: 6px; }"
)
_MUTED = QColor("#8a8f98")


def when_text(moment: datetime) -> str:
    """A backup's moment in the rep's local time, e.g. "Mon 16 Mar 2026, 09:30"."""
    local = QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))
    return QLocale().toString(local, "ddd d MMM yyyy, HH:mm")


class BackupsDialog(QDialog):
    """The list of backups, and what can be done with them."""

    restored = Signal(object)  # the Restored result, after the database was put back
    listed = Signal()  # the list was (re)read

    def __init__(
        self,
        service: BackupService,
        tasks: TaskRunner,
        may_replace_data: Callable[[], bool] = lambda: True,
        parent: QWidget | None = None,
    ) -> None:
        """``may_replace_data`` is asked before a restore: the window saves what is being
        typed, or says why not now (an import is running)."""
        super().__init__(parent)
        self.setObjectName("backupsDialog")
        self._service = service
        self._tasks = tasks
        self._may_replace_data = may_replace_data
        self._task: IterTask | None = None
        self._loading: IterTask | None = None
        self.files: list[BackupFile] = []
        self.setWindowTitle(self.tr("Backups"))
        self.resize(720, 560)
        self._build_ui()
        self._connect_signals()
        self._show_folder()
        self.reload()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        intro = QLabel(
            self.tr(
                "Prospector copies your database once a day and before every import, update "
                "and restore. Pick a backup to go back to the day it was made."
            )
        )
        intro.setWordWrap(True)

        self.folder_label = QLabel()
        self.folder_label.setObjectName("backupFolder")
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton(self.tr("Open folder"))
        self.open_folder_button.setObjectName("openBackupFolder")
        self.change_folder_button = QPushButton(self.tr("Change folder…"))
        self.change_folder_button.setObjectName("changeBackupFolder")
        self.change_folder_button.setToolTip(
            self.tr("For example a OneDrive or Dropbox folder, so the backups leave this computer")
        )
        self.usual_folder_button = QPushButton(self.tr("Use the usual folder"))
        self.usual_folder_button.setObjectName("usualBackupFolder")
        self.usual_folder_button.setToolTip(self.tr("The backups folder beside your database"))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.open_folder_button)
        folder_row.addWidget(self.change_folder_button)
        folder_row.addWidget(self.usual_folder_button)
        self.folder_warning = QLabel()
        self.folder_warning.setObjectName("backupFolderWarning")
        self.folder_warning.setWordWrap(True)
        self.folder_warning.setStyleSheet(_WARNING_STYLE)
        self.folder_warning.hide()

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("backupList")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Made on"), self.tr("Why"), self.tr("Contacts"), self.tr("Size")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_WHY, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_CONTACTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SIZE, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel(self.tr("Reading the backups…"))
        self.empty_label.setObjectName("backupListEmpty")
        self.empty_label.setStyleSheet("color: #5f6b78;")

        self.days = QSpinBox()
        self.days.setObjectName("keepDays")
        self.days.setRange(1, MAX_DAILY)
        self.weeks = QSpinBox()
        self.weeks.setObjectName("keepWeeks")
        self.weeks.setRange(0, MAX_WEEKLY)
        policy = self._service.policy()
        self.days.setValue(policy.daily)
        self.weeks.setValue(policy.weekly)
        keep_row = QHBoxLayout()
        keep_row.addWidget(QLabel(self.tr("Keep one backup for each of the last")))
        keep_row.addWidget(self.days)
        keep_row.addWidget(QLabel(self.tr("days, and one for each of the last")))
        keep_row.addWidget(self.weeks)
        keep_row.addWidget(QLabel(self.tr("weeks.")))
        keep_row.addStretch(1)
        keep_hint = QLabel(
            self.tr(
                "The three newest are always kept too. Older backups are removed when the "
                "next one is made."
            )
        )
        keep_hint.setWordWrap(True)
        keep_hint.setStyleSheet("color: #5f6b78;")

        self.bar = QProgressBar()
        self.bar.setObjectName("backupProgress")
        self.bar.setRange(0, 0)  # a copy gives no steps to count: just busy
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.hide()
        self.status = QLabel()
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        self.status.hide()

        self.back_up_button = QPushButton(self.tr("Back up now"))
        self.back_up_button.setObjectName("backUpNow")
        self.restore_button = QPushButton(self.tr("Restore…"))
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setToolTip(
            self.tr("Go back to the chosen backup; what you have now is backed up first")
        )
        self.restore_button.setEnabled(False)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeBackups")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_up_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(folder_row)
        layout.addWidget(self.folder_warning)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(keep_row)
        layout.addWidget(keep_hint)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.back_up_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button.clicked.connect(self.accept)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.change_folder_button.clicked.connect(self.change_folder)
        self.usual_folder_button.clicked.connect(lambda: self._set_folder(None))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.days.valueChanged.connect(self._on_policy_changed)
        self.weeks.valueChanged.connect(self._on_policy_changed)

    # -- the folder -------------------------------------------------------------------------------

    def _show_folder(self) -> None:
        status = self._service.folder_status()
        self.folder_label.setText(
            self.tr("Backups are kept in {folder}").format(folder=status.folder)
        )
        self.open_folder_button.setEnabled(status.folder.is_dir())
        self.usual_folder_button.setVisible(status.chosen is not None)
        if status.problem is not None and status.chosen is not None:
            self.folder_warning.setText(
                self.tr(
                    "The folder you chose, {chosen}, can't be reached now (is the drive or "
                    "synced folder connected?). Backups go to the usual folder until it is back."
                ).format(chosen=status.chosen)
            )
            self.folder_warning.show()
        else:
            self.folder_warning.hide()

    def open_folder(self) -> None:
        folder = self._service.folder_status().folder
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def change_folder(self) -> None:
        current = str(self._service.folder_status().folder)
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the folder for your backups"), current
        )
        if chosen:
            self._set_folder(Path(chosen))

    def _set_folder(self, folder: Path | None) -> None:
        try:
            self._service.set_folder(folder)
        except UserFacingError as error:
            self._say(message_for(error)[1], _PROBLEM_STYLE)
            return
        self._show_folder()
        self._say(
            self.tr("From now on, backups go to {folder}.").format(
                folder=self._service.folder_status().folder
            ),
            _DONE_STYLE,
        )
        self.reload()

    def _on_policy_changed(self) -> None:
        self._service.set_policy(self.days.value(), self.weeks.value())

    # -- the list ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the folder on a worker (opening each backup to count its contacts)."""
        service = self._service

        def steps(_should_stop: Callable[[], bool]) -> Iterator[list[BackupFile]]:
            yield service.backups()

        self._loading = self._tasks.start(
            steps, on_finished=self._on_listed, on_failed=self._on_list_failed
        )

    def _on_listed(self, files: object) -> None:
        self._loading = None
        selected = self.selected()
        self.files = list(files) if isinstance(files, list) else []
        self.table.setRowCount(len(self.files))
        for row, backup in enumerate(self.files):
            self._fill_row(row, backup)
        self.empty_label.setText(self.tr("No backups yet: Back up now makes the first one."))
        self.empty_label.setVisible(not self.files)
        paths = [f.path for f in self.files]
        if selected is not None and selected.path in paths:
            self.table.selectRow(paths.index(selected.path))
        self._update_buttons()
        self.listed.emit()

    def _on_list_failed(self, error: object) -> None:
        self._loading = None
        if not isinstance(error, Exception):
            raise RuntimeError(error)
        log.warning("Backups not listed: %s", error)
        self.empty_label.setText(
            self.tr("The backups could not be read: {detail}").format(detail=error)
        )
        self.listed.emit()

    def _fill_row(self, row: int, backup: BackupFile) -> None:
        size = QLocale().formattedDataSize(
            backup.size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat
        )
        contacts = f"{backup.contacts:,}" if backup.contacts is not None else "—"
        values = (when_text(backup.made_at), self.why_text(backup), contacts, size)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(str(backup.path))
            if column in (COL_CONTACTS, COL_SIZE):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not backup.readable:
                item.setForeground(QBrush(_MUTED))
            if column == COL_WHEN:
                item.setData(FILE_ROLE, backup)
            self.table.setItem(row, column, item)

    def why_text(self, backup: BackupFile) -> str:
        """Why the backup was made, in plain words."""
        if not backup.readable:
            return self.tr("Can't be read: damaged, or not a Prospector backup")
        return {
            BackupReason.DAILY: self.tr("Daily backup"),
            BackupReason.MANUAL: self.tr("Made by you"),
            BackupReason.BEFORE_IMPORT: self.tr("Before an import"),
            BackupReason.BEFORE_MERGE: self.tr("Before a merge"),
            BackupReason.BEFORE_UPGRADE: self.tr("Before an update of Prospector"),
            BackupReason.BEFORE_RESTORE: self.tr("Before a restore"),
        }.get(backup.reason, self.tr("Copied into this folder"))

    def selected(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), COL_WHEN)
        value = item.data(FILE_ROLE) if item is not None else None
        return value if isinstance(value, BackupFile) else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self) -> None:
        idle = self._task is None
        chosen = self.selected()
        self.back_up_button.setEnabled(idle)
        self.restore_button.setEnabled(idle and chosen is not None and chosen.readable)
        self.change_folder_button.setEnabled(idle)
        self.usual_folder_button.setEnabled(idle)
        self.close_button.setEnabled(idle)

    # -- backing up and restoring -----------------------------------------------------------------

    def back_up_now(self) -> None:
        if self._task is not None:
            return
        service = self._service

        def steps(_should_stop: Callable[[], bool]) -> Iterator[BackupMade]:
            yield service.back_up(BackupReason.MANUAL)

        self._start(steps, self.tr("Backing up your database…"), self._on_backed_up)

    def _on_backed_up(self, made: object) -> None:
        self._ended()
        if not isinstance(made, BackupMade):
            return
        text = self.tr("Backed up: your database as it is now is the newest backup in the list.")
        style = _DONE_STYLE
        if made.fell_back_from is not None:
            text = self.tr(
                "Backed up, to the usual folder: the folder you chose can't be reached now."
            )
            style = _WARNING_STYLE
        self._say(text, style)
        self._show_folder()
        self.reload()

    def restore_selected(self) -> None:
        chosen = self.selected()
        if self._task is not None or chosen is None or not chosen.readable:
            return
        contacts = chosen.contacts or 0
        answer = QMessageBox.question(
            self,
            self.tr("Restore this backup?"),
            self.tr(
                "Everything in Prospector now (contacts, lists, notes, calls and follow-ups) "
                "will be replaced by this backup from {when}, which holds {n} contacts.\n\n"
                "What you have now is backed up first: you can come back to it from this "
                "list (“Before a restore”)."
            ).format(when=when_text(chosen.made_at), n=f"{contacts:,}"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes or not self._may_replace_data():
            return
        service, path = self._service, chosen.path

        def steps(_should_stop: Callable[[], bool]) -> Iterator[Restored]:
            yield service.restore(path)

        self._start(
            steps,
            self.tr(
                "Restoring the backup from {when}… With a big database this takes a minute."
            ).format(when=when_text(chosen.made_at)),
            self._on_restored,
        )

    def _on_restored(self, done: object) -> None:
        self._ended()
        if not isinstance(done, Restored):
            return
        text = self.tr(
            "Restored: Prospector now holds what it held on {when}. What you had just before "
            "is the newest backup in the list."
        ).format(when=when_text(done.backup.made_at))
        if done.upgraded_from:
            text += " " + self.tr(
                "The backup was from an older version and was brought up to date."
            )
        self._say(text, _DONE_STYLE)
        self.restored.emit(done)
        self.reload()

    def _start(
        self,
        steps: Callable[[Callable[[], bool]], Iterator[object]],
        doing: str,
        on_finished: Callable[[object], None],
    ) -> None:
        self._say(doing, "")
        self.bar.show()
        self._task = self._tasks.start(steps, on_finished=on_finished, on_failed=self._on_failed)
        self._update_buttons()

    def _on_failed(self, error: object) -> None:
        self._ended()
        if not isinstance(error, UserFacingError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        self._say(message_for(error)[1], _PROBLEM_STYLE)
        self.reload()

    def _ended(self) -> None:
        self._task = None
        self.bar.hide()
        self._update_buttons()

    def _say(self, text: str, style: str) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def busy(self) -> bool:
        return self._task is not None

    def is_loading(self) -> bool:
        return self._loading is not None

    # -- closing ----------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc waits for a running backup or restore: stopping one half-way is not possible."""
        if self._task is None:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            event.ignore()
            return
        super().closeEvent(event)


def start_daily_backup(
    service: BackupService, tasks: TaskRunner, status_bar: QStatusBar
) -> IterTask:
    """The once-a-day backup at start-up, on a worker; only trouble is shown (status bar)."""

    def steps(_should_stop: Callable[[], bool]) -> Iterator[BackupMade | None]:
        yield service.daily_backup()

    def finished(made: object) -> None:
        if isinstance(made, BackupMade) and made.fell_back_from is not None:
            status_bar.showMessage(
                QCoreApplication.translate(
                    "BackupsDialog",
                    "Your backup folder {chosen} can't be reached: today's backup went to "
                    "{folder}. See File ▸ Backups…",
                ).format(chosen=made.fell_back_from, folder=made.folder),
                30_000,
            )

    def failed(error: object) -> None:
        if not isinstance(error, UserFacingError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        status_bar.showMessage(
            QCoreApplication.translate(
                "BackupsDialog", "Today's backup could not be made: {why}"
            ).format(why=message_for(error)[1]),
            60_000,
        )

    return tasks.start(steps, on_finished=finished, on_failed=failed)
