"""The start-up check found the database damaged: restore a backup, save what can be read, or quit.

Shown before the main window (or after it closed itself, when a big database was checked in
the background). The work is done by ``IntegrityService`` on a worker; this dialog only explains,
asks and shows the outcome. It is accepted once the database is usable again, so the caller
opens it as usual; rejected (Quit) leaves everything as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from prospector.errors import UserFacingError
from prospector.services.backups import BackupFile
from prospector.services.integrity import (
    IntegrityService,
    Recovered,
    SalvageProgress,
    TableSalvage,
)
from prospector.ui.dialogs.backups_dialog import when_text
from prospector.ui.errors import message_for
from prospector.ui.tasks import IterTask, TaskRunner

_CARD_STYLE = (
    "QFrame#{name} {{ background: #f7f9fc; border: 1px solid #d5dde8; border-radius: 6px; }}"
)
_PROBLEM_STYLE = (
    "QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #f5c6c0;"
    " border-radius: 4px; padding: 6px; }"
)
_DONE_STYLE = (
    "QLabel { background: #eef6ee; border: 1px solid #c3dfc3; border-radius: 4px; padding: 8px; }"
)
# Tables named in the salvage summary, in the order a rep thinks of them.
_SUMMARY_TABLES = ("contacts", "notes", "call_logs", "reminders", "qualifications", "sources")


class IntegrityDialog(QDialog):
    """Three ways on from a damaged database; ``result`` holds what was done."""

    def __init__(
        self,
        service: IntegrityService,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("integrityDialog")
        self._service = service
        self._tasks = tasks or TaskRunner(parent=self)
        self._task: IterTask | None = None
        self.backup: BackupFile | None = None
        self.result: Recovered | None = None
        self.looked_for_backup = False
        self.setWindowTitle(self.tr("Your database is damaged"))
        self.setMinimumWidth(640)
        self._build_ui()
        self._look_for_backup()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        name = self._service.path.name
        heading = QLabel(self.tr("Prospector found damage in your database"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        self.intro = QLabel(
            self.tr(
                "The start-up check found that part of {name} cannot be read. A power cut, a "
                "computer that crashed or a failing disk can cause this. Prospector has not "
                "changed the file and will not write to it.\n\nWhatever you choose, the damaged "
                "file is kept as it is, beside your database, under a new name."
            ).format(name=name)
        )
        self.intro.setWordWrap(True)

        self.restore_text = QLabel(self.tr("Looking for a backup that passes its check…"))
        self.restore_button = QPushButton(self.tr("Restore this backup"))
        self.restore_button.setObjectName("restoreGoodBackup")
        self.restore_button.setEnabled(False)
        restore = self._card(
            "restoreCard", self.tr("Restore the newest good backup"), self.restore_text,
            self.restore_button,
        )  # fmt: skip

        self.salvage_text = QLabel(
            self.tr(
                "Copies every contact, note, call and follow-up that can still be read into a "
                "new database. What was in the damaged part of the file is lost; you will see "
                "how much of each was saved."
            )
        )
        self.salvage_button = QPushButton(self.tr("Save what can be read"))
        self.salvage_button.setObjectName("salvageDatabase")
        salvage = self._card(
            "salvageCard", self.tr("Save what can still be read"), self.salvage_text,
            self.salvage_button,
        )  # fmt: skip

        self.quit_text = QLabel(
            self.tr("Leave everything as it is for now, for example to ask someone for help.")
        )
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("quitRecovery")
        quit_card = self._card(
            "quitCard", self.tr("Quit Prospector"), self.quit_text, self.quit_button
        )

        self.progress = QProgressBar()
        self.progress.setObjectName("recoveryProgress")
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("recoveryStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        self.outcome = QLabel()
        self.outcome.setObjectName("recoveryOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.setStyleSheet(_DONE_STYLE)
        self.outcome.hide()
        self.open_button = QPushButton(self.tr("Open Prospector"))
        self.open_button.setObjectName("openRecovered")
        self.open_button.setDefault(True)
        self.open_button.hide()

        self._choices = QWidget()
        choices = QVBoxLayout(self._choices)
        choices.setContentsMargins(0, 0, 0, 0)
        for card in (restore, salvage, quit_card):
            choices.addWidget(card)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.intro)
        layout.addSpacing(6)
        layout.addWidget(self._choices)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.outcome)
        layout.addLayout(bottom)

        self.restore_button.clicked.connect(self.restore)
        self.salvage_button.clicked.connect(self.salvage)
        self.quit_button.clicked.connect(self.reject)
        self.open_button.clicked.connect(self.accept)

    def _card(self, name: str, title: str, text: QLabel, button: QPushButton) -> QFrame:
        card = QFrame()
        card.setObjectName(name)
        card.setStyleSheet(_CARD_STYLE.format(name=name))
        heading = QLabel(title)
        heading.setStyleSheet("font-weight: bold;")
        text.setWordWrap(True)
        text.setStyleSheet("color: #444;")
        words = QVBoxLayout()
        words.addWidget(heading)
        words.addWidget(text)
        row = QHBoxLayout(card)
        row.addLayout(words, 1)
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        button.setMinimumWidth(170)
        return card

    # -- finding a backup -------------------------------------------------------------------------

    def _look_for_backup(self) -> None:
        def steps(_should_stop: Callable[[], bool]) -> Iterator[object]:
            yield self._service.good_backup()

        self._tasks.start(steps, on_finished=self._show_backup, on_failed=self._no_backup)

    def _show_backup(self, backup: object) -> None:
        self.looked_for_backup = True
        self.backup = backup if isinstance(backup, BackupFile) else None
        if self.backup is None:
            self._no_backup(None)
            return
        contacts = self.backup.contacts or 0
        self.restore_text.setText(
            self.tr(
                "Go back to the backup made {when} ({contacts} contacts). Anything changed "
                "after that is not in it."
            ).format(when=when_text(self.backup.made_at), contacts=f"{contacts:,}")
        )
        self.restore_button.setEnabled(self._task is None)
        self.restore_button.setDefault(True)  # the way back that loses least

    def _no_backup(self, _error: object) -> None:
        self.looked_for_backup = True
        folders = ", ".join(str(f) for f in self._service.backup_folders())
        self.restore_text.setText(
            self.tr("No backup that can be restored was found (looked in {folders}).").format(
                folders=folders
            )
        )
        self.restore_button.setEnabled(False)

    # -- the two ways back ------------------------------------------------------------------------

    def restore(self) -> IterTask | None:
        if self.backup is None or self._task is not None:
            return None
        path = self.backup.path

        def steps(_should_stop: Callable[[], bool]) -> Iterator[object]:
            yield self._service.restore_backup(path)

        return self._start(steps, self.tr("Restoring the backup…"))

    def salvage(self) -> IterTask | None:
        if self._task is not None:
            return None
        self.progress.setRange(0, 0)
        return self._start(self._service.salvage, self.tr("Reading what can be read…"))

    def _start(
        self, steps: Callable[[Callable[[], bool]], Iterator[object]], doing: str
    ) -> IterTask:
        for button in (self.restore_button, self.salvage_button, self.quit_button):
            button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(doing)
        self.status.show()
        self.progress.show()
        self._task = self._tasks.start(
            steps, on_progress=self._on_progress, on_finished=self._done, on_failed=self._failed
        )
        return self._task

    def _on_progress(self, step: object) -> None:
        if isinstance(step, SalvageProgress) and step.tables_total:
            self.progress.setRange(0, step.tables_total)
            self.progress.setValue(step.tables_done)
            self.status.setText(
                self.tr("Saved {rows} records so far…").format(rows=f"{step.rows_saved:,}")
            )

    def _done(self, result: object) -> None:
        self._task = None
        self.progress.hide()
        self.status.hide()
        if not isinstance(result, Recovered):  # stopped: nothing changed
            self._enable_choices()
            return
        self.result = result
        self._choices.hide()
        self.outcome.setText(self.outcome_text(result))
        self.outcome.show()
        self.open_button.show()
        self.open_button.setFocus()
        self.adjustSize()

    def _failed(self, error: object) -> None:
        self._task = None
        self.progress.hide()
        if not isinstance(error, UserFacingError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        self.status.setText(message_for(error)[1])
        self.status.setStyleSheet(_PROBLEM_STYLE)
        self.status.show()
        self._enable_choices()

    def _enable_choices(self) -> None:
        self.restore_button.setEnabled(self.backup is not None)
        self.salvage_button.setEnabled(True)
        self.quit_button.setEnabled(True)

    def outcome_text(self, result: Recovered) -> str:
        kept = self.tr("The damaged file is kept as {name} in {folder}.").format(
            name=result.damaged_copy.name, folder=result.damaged_copy.parent
        )
        if result.backup is not None:
            contacts = result.backup.contacts or 0
            return (
                self.tr(
                    "Done. Your database is back as it was on {when} ({contacts} contacts)."
                ).format(when=when_text(result.backup.made_at), contacts=f"{contacts:,}")
                + "\n\n"
                + kept
            )
        return self.tr("Done. Saved into a new database: {saved}.").format(
            saved=self._saved_words(result.salvaged or ())
        ) + "\n\n" + (self._lost_words(result.salvaged or ()) + kept)

    def _saved_words(self, tables: tuple[TableSalvage, ...]) -> str:
        names = {
            "contacts": self.tr("{n} contacts"),
            "notes": self.tr("{n} notes"),
            "call_logs": self.tr("{n} calls"),
            "reminders": self.tr("{n} follow-ups"),
            "qualifications": self.tr("{n} questionnaire answers"),
            "sources": self.tr("{n} lists"),
        }
        by_table = {t.table: t.saved for t in tables}
        parts = [
            names[t].format(n=f"{by_table.get(t, 0):,}")
            for t in _SUMMARY_TABLES
            if t == "contacts" or by_table.get(t)
        ]
        others = sum(t.saved for t in tables if t.table not in _SUMMARY_TABLES)
        if others:
            parts.append(self.tr("{n} other records").format(n=f"{others:,}"))
        return ", ".join(parts)

    def _lost_words(self, tables: tuple[TableSalvage, ...]) -> str:
        damaged = sum(t.damaged_spots for t in tables)
        refused = sum(t.refused for t in tables)
        if not damaged and not refused:
            return self.tr("Everything that the file still held could be read.") + " "
        text = self.tr("Some records were in the damaged part of the file and are lost")
        if refused:
            text += self.tr(
                " ({n} more could be read but belonged to a lost contact)"
            ).format(n=f"{refused:,}")
        return text + self.tr(". A backup may still hold them.") + " "

    # -- closing ----------------------------------------------------------------------------------

    def is_working(self) -> bool:
        return self._task is not None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_working():
            event.ignore()  # a half-done swap is never left behind: let it finish
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.is_working():
            return
        super().keyPressEvent(event)
