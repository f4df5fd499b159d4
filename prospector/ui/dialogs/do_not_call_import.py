"""Import a do-not-call file: choose it, see what will be read, import, read the report.

The file is read and written by ``DoNotCallService``; this dialog only asks and shows. The
import runs on a worker thread with a progress bar and Cancel; Cancel leaves the database as
it was (one transaction). ``imported`` is emitted after a completed import so the window can
refresh the pages that show contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.errors import UserFacingError
from prospector.services.do_not_call import (
    DoNotCallColumn,
    DoNotCallPreview,
    DoNotCallProgress,
    DoNotCallService,
    shown_value,
)
from prospector.ui.dialogs.task_dialog import TaskDialog
from prospector.ui.errors import message_for
from prospector.ui.tasks import IterTask, TaskRunner

FILE_FILTER = "Lists (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv *.tsv *.txt);;All files (*)"
_PROBLEM_STYLE = (
    "QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #f5c6c0;"
    " border-radius: 4px; padding: 8px; }"
)
_DONE_STYLE = (
    "QLabel { background: #eef6ee; border: 1px solid #c3dfc3; border-radius: 4px; padding: 8px; }"
)


def _n(count: int) -> str:
    return f"{count:,}"


class DoNotCallImportDialog(TaskDialog):
    """Choose a do-not-call file, check what will be read, import it, read the report."""

    imported = Signal(object)  # the final DoNotCallProgress of a completed import

    def __init__(
        self,
        service: DoNotCallService,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("doNotCallImport")
        self._service = service
        self._tasks = tasks
        self._task: IterTask | None = None
        self.preview: DoNotCallPreview | None = None
        self.result: DoNotCallProgress | None = None
        self.setWindowTitle(self.tr("Import a do-not-call list"))
        self.resize(640, 560)

        intro = QLabel(
            self.tr(
                "Phone numbers and email addresses in this file go on your do-not-call list. "
                "Contacts you have with the same number or email are flagged and never offered "
                "for calls again. Numbers are matched however they are typed."
            )
        )
        intro.setWordWrap(True)

        self.path_edit = QLineEdit(str(path) if path else "")
        self.path_edit.setObjectName("dncPath")
        self.path_edit.setPlaceholderText(
            self.tr("The file with the numbers or emails not to call (Excel or CSV)")
        )
        self.path_edit.editingFinished.connect(self._on_path_typed)
        self.browse = QPushButton(self.tr("Choose file…"))
        self.browse.setObjectName("dncBrowse")
        self.browse.clicked.connect(self._on_browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse)

        self.problem = QLabel()
        self.problem.setObjectName("dncProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(_PROBLEM_STYLE)
        self.problem.hide()

        self.summary = QLabel()
        self.summary.setObjectName("dncSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.samples = QTableWidget(0, 3)
        self.samples.setObjectName("dncSamples")
        self.samples.setHorizontalHeaderLabels(
            [self.tr("Column"), self.tr("In the file"), self.tr("Will be kept as")]
        )
        self._setup_table(self.samples)

        self.reason = QLineEdit()
        self.reason.setObjectName("dncReason")
        self.reason.setPlaceholderText(self.tr("e.g. national register, March 2026"))
        self.reason_form = QWidget()
        form = QFormLayout(self.reason_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Why (optional):"), self.reason)

        self.bar = QProgressBar()
        self.bar.setObjectName("dncProgress")
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.status = QLabel()
        self.status.setObjectName("dncStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.hide()
        self.unreadable = QTableWidget(0, 3)
        self.unreadable.setObjectName("dncUnreadable")
        self.unreadable.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("Value that could not be read")]
        )
        self._setup_table(self.unreadable)
        self.unreadable.hide()

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("dncImport")
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("dncCancel")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("dncClose")
        self.close_button.hide()
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.close_button.clicked.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.problem)
        layout.addWidget(self.summary)
        layout.addWidget(self.samples, 10)
        layout.addWidget(self.reason_form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.unreadable, 10)
        layout.addStretch(1)  # takes the room when neither table shows
        layout.addWidget(self.buttons)
        self._show_preview(None)
        if path is not None:
            self.load(path)

    @staticmethod
    def _setup_table(table: QTableWidget) -> None:
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    # -- choosing and previewing -----------------------------------------------------------------

    def _on_browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a do-not-call file"), self.path_edit.text(), FILE_FILTER
        )
        if name:
            self.load(Path(name))

    def _on_path_typed(self) -> None:
        text = self.path_edit.text().strip()
        if text and (self.preview is None or Path(text).name != self.preview.file_name):
            self.load(Path(text))

    def load(self, path: Path) -> bool:
        """Read the start of ``path`` and show what an import would read; False on a problem."""
        self.path_edit.setText(str(path))
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            preview = self._service.preview(path)
        except UserFacingError as exc:
            self._show_preview(None, message_for(exc)[1])
            return False
        except OSError as exc:
            self._show_preview(
                None,
                self.tr(
                    "The file could not be opened ({detail}). Check it still exists and is not "
                    "open in another program."
                ).format(detail=exc.strerror or exc),
            )
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._show_preview(preview)
        return True

    def _show_preview(self, preview: DoNotCallPreview | None, problem: str = "") -> None:
        self.preview = preview
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.import_button.setEnabled(preview is not None)
        self.samples.setVisible(preview is not None)
        self.reason_form.setVisible(preview is not None)
        if preview is None:
            self.summary.setText(
                "" if problem else self.tr("Choose the file to see what will be read from it.")
            )
            self.summary.setVisible(not problem)
            self.samples.setRowCount(0)
            return
        self.summary.setVisible(True)
        self.summary.setText(self.preview_text(preview))
        rows = [
            (self._column_cell(c), typed, self._kept_text(kept))
            for c in preview.columns
            for typed, kept in c.samples
        ]
        self.samples.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for col, value in enumerate(values):
                self.samples.setItem(r, col, QTableWidgetItem(value))

    def _kept_text(self, kept: str | None) -> str:
        if kept is None:
            return self.tr("can't be read: skipped")
        if kept.isdigit():
            return self.tr("{digits} (digits only: no country could be read)").format(digits=kept)
        return shown_value(kept)

    def _column_cell(self, column: DoNotCallColumn) -> str:
        """The sample table's first cell: 'A · Phone', with the sheet when several are read."""
        text = f"{column.letter} · {column.name}" if column.headed else column.letter
        return f"{column.sheet} · {text}" if column.sheet else text

    def _column_words(self, column: DoNotCallColumn) -> str:
        words = (
            self.tr("column {letter} “{name}”").format(letter=column.letter, name=column.name)
            if column.headed
            else self.tr("column {letter}").format(letter=column.letter)
        )
        if column.sheet:
            words = self.tr("{column} of sheet “{sheet}”").format(column=words, sheet=column.sheet)
        return words

    def _sheets_text(self, preview: DoNotCallPreview) -> str:
        """Which sheets of a workbook are read, and which are not (they hold no numbers)."""
        quoted = ", ".join(f"“{n}”" for n in preview.sheets)
        text = (
            self.tr("Reading every sheet that holds numbers: {names}.")
            if len(preview.sheets) > 1
            else self.tr("Reading the sheet {names}.")
        ).format(names=quoted)
        if preview.other_sheets:
            text += " " + self.tr("No phone numbers or emails in {names}: not read.").format(
                names=", ".join(f"“{n}”" for n in preview.other_sheets)
            )
        return text

    def preview_text(self, preview: DoNotCallPreview) -> str:
        """Which columns are read, and what the file holds, in plain words."""
        names = ", ".join(self._column_words(c) for c in preview.columns)
        lines = [self._sheets_text(preview)] if preview.sheets else []
        lines.append(self.tr("Reading {columns}.").format(columns=names))
        if preview.header_row is None and not preview.sheets:
            lines[-1] += " " + self.tr("The file has no header row: every row is read.")
        if preview.reason_column:
            lines.append(
                self.tr("The reasons in “{name}” are kept with each number.").format(
                    name=preview.reason_column
                )
            )
        if preview.ignored:
            lines.append(
                self.tr("Not read: {names}.").format(
                    names=", ".join(f"“{n}”" for n in preview.ignored)
                )
            )
        found = self._counted(preview.phones, preview.emails)
        holds = (
            self.tr("The file holds {found}")
            if preview.complete
            else self.tr("Its first {rows} rows hold {found}")
        ).format(rows=_n(preview.rows_counted), found=found)
        if preview.already_listed:
            holds += self.tr(" ({n} already on your list)").format(n=_n(preview.already_listed))
        lines.append(holds + ".")
        if preview.unreadable == 1:
            lines.append(self.tr("1 value can't be read as a phone or email: it will be skipped."))
        elif preview.unreadable:
            lines.append(
                self.tr(
                    "{n} values can't be read as a phone or email: they will be skipped."
                ).format(n=_n(preview.unreadable))
            )
        return "\n".join(lines)

    def _counted(self, phones: int, emails: int) -> str:
        """'3 different phone numbers and 2 emails', leaving out a kind the file lacks."""
        parts = []
        if phones or not emails:
            parts.append(
                self.tr("1 phone number")
                if phones == 1
                else self.tr("{n} different phone numbers").format(n=_n(phones))
            )
        if emails:
            parts.append(
                self.tr("1 email address")
                if emails == 1
                else self.tr("{n} different email addresses").format(n=_n(emails))
            )
        return self.tr(" and ").join(parts)

    # -- importing -------------------------------------------------------------------------------

    def start_import(self) -> None:
        if self.preview is None or self._task is not None:
            return
        path = Path(self.path_edit.text().strip())
        reason = self.reason.text().strip() or None
        service = self._service

        def steps(should_stop: Callable[[], bool]) -> Iterator[DoNotCallProgress]:
            return service.import_file(path, reason=reason, should_stop=should_stop)

        self.import_button.setEnabled(False)
        self.path_edit.setEnabled(False)
        self.browse.setEnabled(False)
        self.reason.setEnabled(False)
        self.bar.setValue(0)
        self.bar.show()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Reading {name}…").format(name=path.name))
        self.status.show()
        self._task = self._tasks.start(steps)
        self._task.signals.progressed.connect(self._on_progress)
        self._task.signals.finished.connect(self._on_finished)
        self._task.signals.failed.connect(self._on_failed)

    def cancelling_text(self) -> str:
        return self.tr("Cancelling… nothing from this file will be kept.")

    def _on_progress(self, step: DoNotCallProgress) -> None:
        if step.finished:
            return
        if step.fraction is not None:
            self.bar.setValue(int(step.fraction * 1000))
        self.status.setText(
            self.tr("{rows} rows read, {added} numbers and emails added so far…").format(
                rows=_n(step.rows_read), added=_n(step.added)
            )
        )

    def _on_finished(self, result: DoNotCallProgress) -> None:
        self._task = None
        self.result = result
        self._ended()
        if result.status == "cancelled":
            self.bar.hide()
            self.status.setText(
                self.tr("The import was cancelled. Nothing from this file was saved.")
            )
            return
        self.bar.hide()
        self.status.setStyleSheet(_DONE_STYLE)
        self.status.setText(self.report_text(result))
        self._show_unreadable(result)
        if not result.unreadable:  # only the report is left: no empty half-window under it
            self.resize(self.width(), self.minimumSizeHint().height())
        self.imported.emit(result)

    def _on_failed(self, error: object) -> None:
        self._task = None
        self._ended()
        self.bar.hide()
        self.status.setStyleSheet(_PROBLEM_STYLE)
        self.status.setText(
            message_for(error)[1]
            if isinstance(error, UserFacingError)
            else self.tr(
                "The import stopped on an unexpected problem ({detail}). Nothing from this "
                "file was saved."
            ).format(detail=error)
        )

    def _ended(self) -> None:
        self.summary.hide()
        self.cancel_button.hide()
        self.import_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.samples.hide()
        self.reason_form.hide()

    def report_text(self, result: DoNotCallProgress) -> str:
        """The report in plain words: what was added, which contacts were flagged."""
        if result.added:
            added = self._added(result.phones_added, result.emails_added)
            lines = [self.tr("{added} added to the do-not-call list.").format(added=added)]
        else:
            lines = [self.tr("Nothing new was added to the do-not-call list.")]
        if result.already_listed == 1:
            lines.append(self.tr("1 was on the list already."))
        elif result.already_listed:
            lines.append(
                self.tr("{n} were on the list already.").format(n=_n(result.already_listed))
            )
        if result.flagged:
            flagged = (
                self.tr("1 contact you have was flagged and will not be offered for calls.")
                if result.flagged == 1
                else self.tr(
                    "{n} contacts you have were flagged and will not be offered for calls."
                ).format(n=_n(result.flagged))
            )
            names = ", ".join(result.flagged_names[:5])
            if result.flagged > 5:
                names += ", …"
            lines.append(f"{flagged} ({names})")
        else:
            lines.append(self.tr("None of your contacts has these numbers or emails."))
        if result.unreadable_count == 1:
            lines.append(
                self.tr(
                    "1 value could not be read as a phone or email and was skipped (below, "
                    "with its row in the file)."
                )
            )
        elif result.unreadable_count:
            lines.append(
                self.tr(
                    "{n} values could not be read as a phone or email and were skipped "
                    "(below, with their row in the file)."
                ).format(n=_n(result.unreadable_count))
            )
        return "\n".join(lines)

    def _added(self, phones: int, emails: int) -> str:
        """'312 numbers and 40 emails', leaving out a kind with none."""
        parts = []
        if phones:
            parts.append(
                self.tr("1 number") if phones == 1 else self.tr("{n} numbers").format(n=_n(phones))
            )
        if emails:
            parts.append(
                self.tr("1 email") if emails == 1 else self.tr("{n} emails").format(n=_n(emails))
            )
        return self.tr(" and ").join(parts)

    def _show_unreadable(self, result: DoNotCallProgress) -> None:
        if not result.unreadable:
            return
        shown = result.unreadable[:1000]
        self.unreadable.setRowCount(len(shown))
        for r, item in enumerate(shown):
            for col, value in enumerate((str(item.row), item.column, item.value)):
                self.unreadable.setItem(r, col, QTableWidgetItem(value))
        self.unreadable.show()
