"""Share with a colleague: write a share file, and merge one a colleague sent.

Sharing writes the contacts shown (or all) with their notes, calls, reminders and answers into
one Excel workbook, on a worker with a progress bar and Cancel. Merging first runs a preview
(nothing is changed) that says what would happen and lists the conflicts, fields both sides
changed since the last exchange; the rep picks a side for each, then the merge runs for real,
after a backup, as one transaction. Whichever side is kept, the other value is written into a
note on the contact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.query import ContactQuery
from prospector.errors import UserFacingError
from prospector.services.sharing import (
    Choice,
    Conflict,
    MergeSummary,
    ShareProgress,
    ShareRequest,
    SharingService,
)
from prospector.ui.dialogs.export_dialog import ExportView
from prospector.ui.dialogs.task_dialog import TaskDialog
from prospector.ui.errors import message_for
from prospector.ui.places import save_folder
from prospector.ui.styles import DONE_STYLE, HINT_STYLE, PROBLEM_STYLE
from prospector.ui.tasks import IterTask, TaskRunner

log = logging.getLogger(__name__)

_SETTINGS = "share"
MAX_CONFLICTS_SHOWN = 500  # more are kept on our side, with the colleague's value in a note


def _n(count: int) -> str:
    return f"{count:,}"


class _WorkDialog(TaskDialog):
    """What both dialogs share: a status line, a progress bar, Cancel while work runs."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._task: IterTask | None = None
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.hide()
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.hide()
        self.cancel_button.clicked.connect(self._on_cancel)
        self.close_button.clicked.connect(self.accept)

    def _run(
        self,
        steps: Callable[[Callable[[], bool]], Iterator[ShareProgress]],
        text: str,
        finished: Callable[[object], None],
    ) -> IterTask:
        self.bar.setValue(0)
        self.bar.show()
        self.cancel_button.setEnabled(True)
        self._say(text)
        self._task = self._tasks.start(
            steps,
            on_progress=self._on_progress,
            on_finished=lambda result: self._ended_task(finished, result),
            on_failed=self._on_failed,
        )
        return self._task

    def _ended_task(self, finished: Callable[[object], None], result: object) -> None:
        self._task = None
        self.bar.hide()
        finished(result)

    def _on_progress(self, step: object) -> None:
        if isinstance(step, ShareProgress) and not step.finished:
            self.bar.setValue(int(step.fraction * 1000))

    def _on_failed(self, error: object) -> None:
        self._task = None
        self.bar.hide()
        if isinstance(error, UserFacingError):
            text = message_for(error)[1]
        else:
            log.error("Sharing failed", exc_info=error if isinstance(error, Exception) else None)
            text = self.tr(
                "This stopped on an unexpected problem ({detail}). Nothing was changed."
            ).format(detail=error)
        self._say(text, PROBLEM_STYLE)
        self._problem_shown()

    def _problem_shown(self) -> None:
        """Subclasses let the rep try again."""

    def _say(self, text: str, style: str = "") -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)
        self.status.show()
        self.adjustSize()

    def _finish(self) -> None:
        self.cancel_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)


# -- sharing -----------------------------------------------------------------------------------


class ShareDialog(_WorkDialog):
    """Write a share file of the contacts shown, or of all."""

    shared = Signal(object)  # the final ShareProgress

    def __init__(
        self,
        service: SharingService,
        tasks: TaskRunner,
        view: ExportView,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tasks, parent)
        self.setObjectName("shareDialog")
        self.setWindowTitle(self.tr("Share with a colleague"))
        self._service = service
        self._view = view
        self._settings = settings
        self.path: Path | None = None
        total = service.count(ContactQuery())
        intro = QLabel(
            self.tr(
                "Writes one Excel file with the contacts and their notes, calls, reminders "
                "and answers. Your colleague merges it with File ▸ Merge a colleague's file…: "
                "nobody is duplicated, and their changes come back to you the same way."
            )
        )
        intro.setWordWrap(True)
        self.view_choice = QRadioButton(
            self.tr("The contacts shown now ({n})").format(n=_n(view.count))
        )
        self.view_choice.setObjectName("shareView")
        self.view_choice.setEnabled(view.count > 0)
        self.all_choice = QRadioButton(self.tr("All contacts ({n})").format(n=_n(total)))
        self.all_choice.setObjectName("shareAll")
        group = QButtonGroup(self)
        group.addButton(self.view_choice)
        group.addButton(self.all_choice)
        (self.view_choice if view.count and view.count < total else self.all_choice).setChecked(
            True
        )
        self.path_edit = QLineEdit(str(self._default_path()))
        self.path_edit.setObjectName("sharePath")
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._on_browse)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Save as:")))
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.choices = QWidget()
        choices = QVBoxLayout(self.choices)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(intro)
        choices.addSpacing(6)
        choices.addWidget(self.view_choice)
        choices.addWidget(self.all_choice)
        choices.addSpacing(6)
        choices.addLayout(row)
        self.share_button = self.buttons.addButton(
            self.tr("Share"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.share_button.setObjectName("shareStart")
        self.share_button.setDefault(True)
        self.share_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choices)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _default_path(self) -> Path:
        folder = save_folder(self._settings.value(f"{_SETTINGS}/folder", ""))
        name = self.tr("Prospector share {date}").format(date=date.today().isoformat())
        return folder / f"{name}.xlsx"

    def _on_browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Share with a colleague"),
            self.path_edit.text(),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if name:
            self.path_edit.setText(name if name.lower().endswith(".xlsx") else f"{name}.xlsx")

    def target(self) -> Path:
        path = Path(self.path_edit.text().strip()).expanduser()
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def start(self) -> IterTask | None:
        if self._task is not None or not self.path_edit.text().strip():
            return None
        path = self.target()
        if path.exists():
            answer = QMessageBox.question(
                self,
                self.tr("Replace the file?"),
                self.tr("{name} already exists. Replace it?").format(name=path.name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        self._settings.setValue(f"{_SETTINGS}/folder", str(path.parent))
        everyone = self.all_choice.isChecked()
        request = ShareRequest(
            path,
            ContactQuery() if everyone else self._view.query,
            selection=self.tr("Everyone")
            if everyone
            else self._view.query.text.strip() or self.tr("A selection"),
        )
        service = self._service
        self.path = path
        self.choices.setEnabled(False)
        self.share_button.setEnabled(False)
        return self._run(
            lambda stop: service.export_share(request, stop),
            self.tr("Writing {name}…").format(name=path.name),
            self._on_finished,
        )

    def _on_finished(self, result: object) -> None:
        if not isinstance(result, ShareProgress) or result.status != "done":
            self._say(self.tr("Cancelled. No file was saved."))
        else:
            assert self.path is not None
            self._say(
                self.tr(
                    "{n} contacts were written to {name}, in {folder}.\n"
                    "Send this file to your colleague (by email or a shared folder)."
                ).format(n=_n(result.done), name=self.path.name, folder=self.path.parent),
                DONE_STYLE,
            )
            self.shared.emit(result)
        self.choices.hide()
        self.share_button.hide()
        self._finish()

    def _problem_shown(self) -> None:
        self.choices.setEnabled(True)
        self.share_button.setEnabled(True)


# -- merging -----------------------------------------------------------------------------------


class MergeDialog(_WorkDialog):
    """Preview a colleague's share file, decide the conflicts, merge."""

    merged = Signal(object)  # the MergeSummary of a merge that changed the database

    def __init__(
        self,
        service: SharingService,
        tasks: TaskRunner,
        path: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tasks, parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle(self.tr("Merge a colleague's file"))
        self._service = service
        self.path = path
        self.preview: MergeSummary | None = None
        self.summary: MergeSummary | None = None
        self._words = self._field_words()
        self.heading = QLabel(self.tr("Reading {name}…").format(name=path.name))
        self.heading.setWordWrap(True)
        self.heading.setObjectName("mergeHeading")
        self.conflicts = QTableWidget(0, 5)
        self.conflicts.setObjectName("mergeConflicts")
        self.conflicts.verticalHeader().hide()
        header = self.conflicts.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for column in (1, 4):  # the field and the choice: as wide as their words
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.conflicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.conflicts.hide()
        self.conflict_hint = QLabel(
            self.tr(
                "You both changed these since you last exchanged files. Choose which to keep; "
                "the other is saved in a note on the contact, so nothing is lost."
            )
        )
        self.conflict_hint.setWordWrap(True)
        self.conflict_hint.setStyleSheet(HINT_STYLE)
        self.conflict_hint.hide()
        self.merge_button = self.buttons.addButton(
            self.tr("Merge"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.merge_button.setObjectName("mergeStart")
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.start_merge)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.conflict_hint)
        layout.addWidget(self.conflicts, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumSize(760, 420)

    def _field_words(self) -> dict[str, str]:
        tr = self.tr
        return {
            "first_name": tr("First name"),
            "last_name": tr("Last name"),
            "full_name": tr("Full name"),
            "company": tr("Company"),
            "title": tr("Job title"),
            "phone": tr("Phone"),
            "mobile": tr("Mobile"),
            "email": tr("Email"),
            "website": tr("Website"),
            "address": tr("Address"),
            "postal_code": tr("Postal code"),
            "city": tr("City"),
            "country": tr("Country"),
            "birthday": tr("Birthday"),
            "stage": tr("Stage"),
            "temperature": tr("Temperature"),
            "score": tr("Score"),
            "fit_grade": tr("Fit grade"),
            "estimated_value_cents": tr("Estimated value"),
            "do_not_call": tr("Do not call"),
            "source": tr("List"),
            "custom_fields": tr("Extra fields"),
            "(deleted)": tr("Deleted by your colleague"),
        }

    def start_preview(self) -> IterTask:
        service, path = self._service, self.path
        return self._run(
            lambda stop: service.merge(path, preview=True, should_stop=stop),
            self.tr("Comparing {name} with your contacts… nothing is changed yet.").format(
                name=path.name
            ),
            self._on_previewed,
        )

    def _on_previewed(self, result: object) -> None:
        if not isinstance(result, ShareProgress) or result.summary is None:
            self.reject()
            return
        self.preview = summary = result.summary
        self.heading.setText(self._summary_text(summary, preview=True))
        self.status.hide()
        if summary.conflicts:
            self._fill_conflicts(summary.conflicts)
        if not summary.changed_anything and not summary.conflicts:
            self._say(self.tr("Nothing to merge: you already have everything in this file."))
            self.merge_button.hide()
            self._finish()
            return
        self.merge_button.setEnabled(True)
        self.merge_button.setDefault(True)
        self.adjustSize()

    def _fill_conflicts(self, conflicts: list[Conflict]) -> None:
        shown = conflicts[:MAX_CONFLICTS_SHOWN]
        self.conflicts.setHorizontalHeaderLabels(
            [
                self.tr("Contact"),
                self.tr("Field"),
                self.tr("Yours"),
                self.tr("Your colleague's"),
                self.tr("Keep"),
            ]
        )
        self.conflicts.setRowCount(len(shown))
        self._choosers: list[tuple[Conflict, QComboBox]] = []
        for row, conflict in enumerate(shown):
            cells = (
                conflict.contact_name,
                self._words.get(conflict.field, conflict.field),
                self._shown(conflict, conflict.mine),
                self._shown(conflict, conflict.theirs),
            )
            for column, text in enumerate(cells):
                self.conflicts.setItem(row, column, QTableWidgetItem(text))
            chooser = QComboBox()
            chooser.addItem(self.tr("Yours"), Choice.MINE.value)
            chooser.addItem(self.tr("Your colleague's"), Choice.THEIRS.value)
            self.conflicts.setCellWidget(row, 4, chooser)
            self._choosers.append((conflict, chooser))
        self.conflicts.show()
        self.conflict_hint.show()

    def _shown(self, conflict: Conflict, value: object) -> str:
        if conflict.field == "(deleted)":
            return self.tr("deleted") if value == "deleted" else self.tr("keep it")
        if value is None or value == "":
            return self.tr("(empty)")
        if isinstance(value, bool):
            return self.tr("yes") if value else self.tr("no")
        if isinstance(value, dict):
            return ", ".join(f"{k}: {v}" for k, v in value.items())
        return str(value)

    def choices(self) -> dict[tuple[str, str], Choice]:
        return {
            conflict.key: Choice(chooser.currentData())
            for conflict, chooser in getattr(self, "_choosers", [])
        }

    def choose(self, row: int, choice: Choice) -> None:
        """Pick a side for one conflict (the table's row)."""
        _conflict, chooser = self._choosers[row]
        chooser.setCurrentIndex(chooser.findData(choice.value))

    def start_merge(self) -> IterTask | None:
        if self._task is not None or self.preview is None:
            return None
        service, path, choices = self._service, self.path, self.choices()
        self.merge_button.setEnabled(False)
        self.conflicts.setEnabled(False)
        return self._run(
            lambda stop: service.merge(path, choices, should_stop=stop),
            self.tr("Merging {name}… (a backup of your database was made first)").format(
                name=path.name
            ),
            self._on_merged,
        )

    def _on_merged(self, result: object) -> None:
        self.merge_button.hide()
        if not isinstance(result, ShareProgress) or result.summary is None:
            self._say(self.tr("Cancelled. Your contacts are exactly as they were."))
        else:
            self.summary = result.summary
            self.status.hide()
            self.conflict_hint.hide()
            self.heading.setStyleSheet(DONE_STYLE)
            self.heading.setText(self._summary_text(result.summary, preview=False))
            self.merged.emit(result.summary)
        self._finish()

    def _problem_shown(self) -> None:
        self.merge_button.setEnabled(self.preview is not None)
        self.conflicts.setEnabled(True)
        self._finish()

    def _summary_text(self, s: MergeSummary, *, preview: bool) -> str:
        lines = [
            (self.tr("{name} would bring:") if preview else self.tr("Merged {name}:")).format(
                name=self.path.name
            ),
            self.tr(
                "• {added} new contacts, {updated} updated, {unchanged} you already had"
            ).format(added=_n(s.added), updated=_n(s.updated), unchanged=_n(s.unchanged)),
            self.tr(
                "• {notes} notes, {calls} calls, {reminders} reminders, {answers} "
                "questionnaire answers"
            ).format(
                notes=_n(s.notes_added),
                calls=_n(s.calls_added),
                reminders=_n(s.reminders_added),
                answers=_n(s.qualifications_added),
            ),
        ]
        if s.deleted:
            lines.append(
                self.tr("• {n} contacts your colleague deleted are deleted here too").format(
                    n=_n(s.deleted)
                )
            )
        if s.kept_deleted:
            lines.append(
                self.tr("• {n} contacts you deleted stay deleted").format(n=_n(s.kept_deleted))
            )
        if s.conflicts and preview:
            lines.append(self.tr("• {n} conflicts (below)").format(n=_n(len(s.conflicts))))
        elif s.conflicts:
            lines.append(
                self.tr("• {n} conflicts settled as chosen below, the other side in a note").format(
                    n=_n(len(s.conflicts))
                )
            )
        if len(s.conflicts) > MAX_CONFLICTS_SHOWN:
            lines.append(
                self.tr(
                    "Only the first {shown} conflicts are listed; the others keep your side, "
                    "with your colleague's value in a note."
                ).format(shown=MAX_CONFLICTS_SHOWN)
            )
        if s.problems:
            lines.append(
                self.tr("• {n} rows could not be read and were left out, e.g. {first}").format(
                    n=_n(len(s.problems)), first=s.problems[0]
                )
            )
        return "\n".join(lines)
