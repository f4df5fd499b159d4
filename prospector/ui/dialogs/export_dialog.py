"""Export contacts: the table as shown or everything, to an Excel workbook or a CSV file.

The file is written by ``ExportService`` on a worker thread with a progress bar and Cancel;
nothing is saved until the last row is written (a temporary file is moved into place), so
Cancel or an error leaves any earlier file as it was. The format follows the file name, and the
CSV choices (separator, characters) are remembered for this computer's Excel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import ALL_STAGES, Temperature
from prospector.errors import UserFacingError
from prospector.services.exports import (
    CsvOptions,
    ExportLabels,
    ExportProgress,
    ExportRequest,
    ExportService,
    view_fields,
)
from prospector.ui.dialogs.task_dialog import TaskDialog
from prospector.ui.errors import message_for
from prospector.ui.labels import stage_label, temperature_label
from prospector.ui.places import save_folder
from prospector.ui.styles import DONE_STYLE, HINT_STYLE, PROBLEM_STYLE
from prospector.ui.tasks import IterTask, TaskRunner

log = logging.getLogger(__name__)

_SETTINGS = "export"


@dataclass(frozen=True)
class ExportView:
    """What the contact table shows: its query, its row count and its visible columns."""

    query: ContactQuery
    count: int
    columns: tuple[SortKey, ...]
    headers: tuple[str, ...]  # the columns' titles as the table shows them


def _n(count: int) -> str:
    return f"{count:,}"


class ExportDialog(TaskDialog):
    """Choose what and where, export with a progress bar, then say how many rows were written."""

    exported = Signal(object)  # the final ExportProgress of a saved file

    def __init__(
        self,
        service: ExportService,
        tasks: TaskRunner,
        view: ExportView,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self._service = service
        self._tasks = tasks
        self._view = view
        self._settings = settings
        self._task: IterTask | None = None
        self._confirmed: Path | None = None  # a path whose replacement the rep already agreed to
        self.result: ExportProgress | None = None
        self.total = service.count(ContactQuery())
        self.setWindowTitle(self.tr("Export contacts"))
        self._build_ui()
        self._connect_signals()
        self._restore_choices()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        view, total = self._view, self.total
        self.view_choice = QRadioButton(
            self.tr("The contacts shown now ({n})").format(n=_n(view.count))
            if view.count != 1
            else self.tr("The contact shown now (1)")
        )
        self.view_choice.setObjectName("exportView")
        filtered = view.query.text.strip() or view.query.stages or view.query.temperatures
        filtered = filtered or view.query.source_ids
        view_hint = QLabel(
            (
                self.tr(
                    "Only those matching your search and filters, with the {n} columns on "
                    "screen, in the table's order."
                )
                if filtered
                else self.tr("With the {n} columns on screen, in the table's order.")
            ).format(n=len(view.columns))
        )
        self.all_choice = QRadioButton(
            self.tr("All contacts ({n})").format(n=_n(total))
            if total != 1
            else self.tr("All contacts (1)")
        )
        self.all_choice.setObjectName("exportAll")
        all_hint = QLabel(
            self.tr(
                "Every field, with the do-not-call flag and the extra columns of your imports: "
                "for a backup or another program."
            )
        )
        for hint in (view_hint, all_hint):
            hint.setWordWrap(True)
            hint.setStyleSheet(HINT_STYLE)
            hint.setContentsMargins(22, 0, 0, 4)
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.view_choice)
        self.scope.addButton(self.all_choice)
        self.view_choice.setChecked(True)
        self.view_choice.setEnabled(view.count > 0)

        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("exportPath")
        self.browse = QPushButton(self.tr("Choose…"))
        self.browse.setObjectName("exportBrowse")
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse)

        self.format_combo = QComboBox()
        self.format_combo.setObjectName("exportFormat")
        self.format_combo.addItem(self.tr("Excel workbook (.xlsx)"), ".xlsx")
        self.format_combo.addItem(self.tr("CSV text file (.csv)"), ".csv")

        self.delimiter_combo = QComboBox()
        self.delimiter_combo.setObjectName("exportDelimiter")
        self.delimiter_combo.addItem(self.tr("Comma ( , ): most programs"), ",")
        self.delimiter_combo.addItem(self.tr("Semicolon ( ; ): Excel in most of Europe"), ";")
        self.encoding_combo = QComboBox()
        self.encoding_combo.setObjectName("exportEncoding")
        for text, value in (
            (self.tr("UTF-8: every language (recommended)"), "utf-8-sig"),
            (self.tr("Western European (Windows-1252), for older Excel"), "cp1252"),
            (self.tr("Central European (Windows-1250), for older Excel"), "cp1250"),
            (self.tr("Cyrillic (Windows-1251), for older Excel"), "cp1251"),
        ):
            self.encoding_combo.addItem(text, value)

        self.form = QFormLayout()
        self.form.addRow(self.tr("Save as:"), file_row)
        self.form.addRow(self.tr("File type:"), self.format_combo)
        self.form.addRow(self.tr("Separator:"), self.delimiter_combo)  # CSV only
        self.form.addRow(self.tr("Characters:"), self.encoding_combo)  # CSV only
        self.csv_hint = QLabel(
            self.tr(
                "Tip: Excel opening a CSV turns phone numbers and postal codes into numbers and "
                "drops their leading zeros. An Excel workbook (.xlsx) keeps them as typed."
            )
        )
        self.csv_hint.setObjectName("exportCsvHint")
        self.csv_hint.setWordWrap(True)
        self.csv_hint.setStyleSheet(HINT_STYLE)
        self.form.addRow("", self.csv_hint)  # CSV only

        self.bar = QProgressBar()
        self.bar.setObjectName("exportProgress")
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.hide()

        self.buttons = QDialogButtonBox()
        self.open_folder_button = self.buttons.addButton(
            self.tr("Open folder"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_folder_button.setObjectName("exportOpenFolder")
        self.open_folder_button.hide()
        self.utf8_button = self.buttons.addButton(
            self.tr("Use UTF-8 and export again"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.utf8_button.setObjectName("exportUseUtf8")
        self.utf8_button.hide()
        self.export_button = self.buttons.addButton(
            self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("exportStart")
        self.export_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("exportCancel")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("exportClose")
        self.close_button.hide()

        self.choices = QWidget()
        choices = QVBoxLayout(self.choices)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.setSpacing(2)
        choices.addWidget(self.view_choice)
        choices.addWidget(view_hint)
        choices.addWidget(self.all_choice)
        choices.addWidget(all_hint)
        choices.addSpacing(8)
        choices.addLayout(self.form)

        layout = QVBoxLayout(self)
        layout.addWidget(self.choices)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _connect_signals(self) -> None:
        self.browse.clicked.connect(self._on_browse)
        self.format_combo.currentIndexChanged.connect(self._on_format_chosen)
        self.path_edit.textEdited.connect(self._on_path_typed)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.close_button.clicked.connect(self.accept)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.utf8_button.clicked.connect(self._on_use_utf8)

    # -- choices ----------------------------------------------------------------------------------

    def _restore_choices(self) -> None:
        settings = self._settings
        folder = save_folder(settings.value(f"{_SETTINGS}/folder", ""))
        suffix = str(settings.value(f"{_SETTINGS}/format", ".xlsx"))
        name = self.tr("Contacts {date}").format(date=date.today().isoformat())
        self.path_edit.setText(str(folder / f"{name}{suffix}"))
        self._select(self.format_combo, suffix)
        self._select(self.delimiter_combo, str(settings.value(f"{_SETTINGS}/csv_delimiter", ",")))
        self._select(
            self.encoding_combo, str(settings.value(f"{_SETTINGS}/csv_encoding", "utf-8-sig"))
        )
        if self._view.count == 0:
            self.all_choice.setChecked(True)
        self._show_format()

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _remember_choices(self, path: Path) -> None:
        settings = self._settings
        settings.setValue(f"{_SETTINGS}/folder", str(path.parent))
        settings.setValue(f"{_SETTINGS}/format", self.format_combo.currentData())
        settings.setValue(f"{_SETTINGS}/csv_delimiter", self.delimiter_combo.currentData())
        settings.setValue(f"{_SETTINGS}/csv_encoding", self.encoding_combo.currentData())

    def path(self) -> Path:
        """The file to write: the typed name, with the chosen type's ending when it has none."""
        text = self.path_edit.text().strip()
        path = Path(text).expanduser()
        suffix = str(self.format_combo.currentData())
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + suffix)
        return path

    def _on_browse(self) -> None:
        xlsx = self.tr("Excel workbook (*.xlsx)")
        csv = self.tr("CSV text file (*.csv)")
        is_csv = self.format_combo.currentData() == ".csv"
        name, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export contacts"),
            str(self.path()),
            f"{xlsx};;{csv}",
            csv if is_csv else xlsx,
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + (".csv" if chosen == csv else ".xlsx"))
        self.path_edit.setText(str(path))
        self._confirmed = path  # the file dialog asked about replacing it
        self._on_path_typed(str(path))

    def _on_path_typed(self, text: str) -> None:
        suffix = Path(text.strip()).suffix.lower()
        if suffix in (".xlsx", ".csv") and suffix != self.format_combo.currentData():
            self.format_combo.blockSignals(True)
            self._select(self.format_combo, suffix)
            self.format_combo.blockSignals(False)
        self._show_format()

    def _on_format_chosen(self) -> None:
        """A new type changes the file name's ending, so name and type never disagree."""
        text = self.path_edit.text().strip()
        if text:
            path = Path(text)
            suffix = str(self.format_combo.currentData())
            if path.suffix.lower() in (".xlsx", ".csv"):
                path = path.with_suffix(suffix)
            else:
                path = path.with_name(path.name + suffix)
            self.path_edit.setText(str(path))
        self._show_format()

    def _show_format(self) -> None:
        is_csv = self.format_combo.currentData() == ".csv"
        self.form.setRowVisible(self.delimiter_combo, is_csv)
        self.form.setRowVisible(self.encoding_combo, is_csv)
        self.form.setRowVisible(self.csv_hint, is_csv)
        self.adjustSize()

    # -- the request ------------------------------------------------------------------------------

    def request(self) -> ExportRequest:
        """What the rep chose, with the window's words for headers, stages and temperatures."""
        everything = self.all_choice.isChecked()
        query = ContactQuery() if everything else self._view.query
        fields = None if everything else view_fields(self._view.columns)
        headers = self.field_headers()
        if fields is not None:  # the table's own titles, as the rep sees them
            headers.update(zip(fields, self._view.headers, strict=True))
        labels = ExportLabels(
            headers=headers,
            stages={s: stage_label(s) for s in ALL_STAGES},
            temperatures={t: temperature_label(t) for t in Temperature},
            yes=self.tr("yes"),
            no=self.tr("no"),
            sheet_title=self.tr("Contacts"),
        )
        return ExportRequest(
            path=self.path(),
            query=query,
            fields=fields,
            csv=CsvOptions(
                delimiter=str(self.delimiter_combo.currentData()),
                encoding=str(self.encoding_combo.currentData()),
            ),
            labels=labels,
        )

    def field_headers(self) -> dict[str, str]:
        """Column titles of an export, in the rep's language."""
        return {
            "name": self.tr("Name"),
            "first_name": self.tr("First name"),
            "last_name": self.tr("Last name"),
            "full_name": self.tr("Full name"),
            "company": self.tr("Company"),
            "title": self.tr("Job title"),
            "phone": self.tr("Phone"),
            "mobile": self.tr("Mobile"),
            "any_phone": self.tr("Phone"),
            "email": self.tr("Email"),
            "website": self.tr("Website"),
            "address": self.tr("Address"),
            "postal_code": self.tr("Postal code"),
            "city": self.tr("City"),
            "country": self.tr("Country"),
            "birthday": self.tr("Birthday"),
            "stage": self.tr("Stage"),
            "temperature": self.tr("Temperature"),
            "score": self.tr("Score"),
            "fit_grade": self.tr("Fit grade"),
            "estimated_value": self.tr("Estimated value"),
            "do_not_call": self.tr("Do not call"),
            "next_follow_up": self.tr("Next follow-up"),
            "last_called": self.tr("Last call"),
            "source": self.tr("List"),
            "created": self.tr("Added"),
            "updated": self.tr("Last changed"),
        }

    # -- exporting --------------------------------------------------------------------------------

    def start_export(self) -> IterTask | None:
        if self._task is not None:
            return None
        if not self.path_edit.text().strip():
            self._show_problem(self.tr("Choose where to save the file."))
            return None
        request = self.request()
        path = request.path
        if path.exists() and path != self._confirmed and not self._may_replace(path):
            return None
        self._remember_choices(path)
        service = self._service

        def steps(should_stop: Callable[[], bool]) -> Iterator[ExportProgress]:
            return service.run_export(request, should_stop)

        self.choices.setEnabled(False)
        self.export_button.setEnabled(False)
        self.utf8_button.hide()
        self.bar.setValue(0)
        self.bar.show()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Writing {name}…").format(name=path.name))
        self.status.show()
        self.adjustSize()
        self._task = self._tasks.start(
            steps,
            on_progress=self._on_progress,
            on_finished=self._on_finished,
            on_failed=self._on_failed,
        )
        return self._task

    def _may_replace(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Replace the file?"),
            self.tr("{name} already exists. Replace it with this export?").format(name=path.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_progress(self, step: object) -> None:
        if not isinstance(step, ExportProgress) or step.finished:
            return
        self.bar.setValue(int(step.fraction * 1000))
        self.status.setText(
            self.tr("{written} of {total} contacts written…").format(
                written=_n(step.written), total=_n(step.total)
            )
        )

    def _on_finished(self, result: object) -> None:
        self._task = None
        self.bar.hide()
        if not isinstance(result, ExportProgress) or result.status == "cancelled":
            self.status.setText(self.tr("The export was cancelled. No file was saved."))
            self._ended(saved=False)
            return
        self.result = result
        self.status.setStyleSheet(DONE_STYLE)
        self.status.setText(self.done_text(result))
        self._ended(saved=True)
        self.exported.emit(result)

    def done_text(self, result: ExportProgress) -> str:
        rows = (
            self.tr("1 contact was written to {name}.")
            if result.written == 1
            else self.tr("{n} contacts were written to {name}.")
        ).format(n=_n(result.written), name=result.path.name)
        return rows + "\n" + self.tr("It is in {folder}.").format(folder=result.path.parent)

    def _on_failed(self, error: object) -> None:
        self._task = None
        self.bar.hide()
        if isinstance(error, UserFacingError):
            text = message_for(error)[1]
            if error.code == "export.csv_encoding":
                self.utf8_button.show()
        else:
            log.error("Export failed", exc_info=error if isinstance(error, Exception) else None)
            text = self.tr(
                "The export stopped on an unexpected problem ({detail}). No file was saved."
            ).format(detail=error)
        self._show_problem(text)
        self.choices.setEnabled(True)
        self.export_button.setEnabled(True)

    def _show_problem(self, text: str) -> None:
        self.status.setStyleSheet(PROBLEM_STYLE)
        self.status.setText(text)
        self.status.show()
        self.adjustSize()  # room for the message: the choices above keep their size

    def _ended(self, *, saved: bool) -> None:
        self.cancel_button.hide()
        self.export_button.hide()
        self.choices.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.open_folder_button.setVisible(saved)
        self.adjustSize()

    def _on_use_utf8(self) -> None:
        self._select(self.encoding_combo, "utf-8-sig")
        self.utf8_button.hide()
        self.start_export()

    def cancelling_text(self) -> str:
        return self.tr("Cancelling… no file will be saved.")

    def open_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.path.parent)))


def view_of(query: ContactQuery, count: int, columns: Sequence[tuple[SortKey, str]]) -> ExportView:
    """An ``ExportView`` from the table's query, row count and (sort key, title) columns."""
    return ExportView(
        query=query,
        count=count,
        columns=tuple(key for key, _ in columns),
        headers=tuple(title for _, title in columns),
    )
