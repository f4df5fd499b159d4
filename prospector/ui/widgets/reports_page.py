"""The Reports page: which lists pay off, how the calling goes, how warm the pipeline is.

One filter (a period and a list) serves the four reports. The figures are counted on a worker
(``ReportService.compute`` yields each report as it is ready), so a million contacts never
freeze the window; a report from an older filter that arrives late is dropped. The page counts
again each time it is shown, so it is never out of date after a day of calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSignalBlocker, QTimer, QTimeZone, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.clock import Clock
from prospector.domain.reminders import zone_named
from prospector.domain.reports import PeriodPreset, preset_days
from prospector.errors import UserFacingError
from prospector.services.reports import (
    Activity,
    Lists,
    Pipeline,
    ReportFilter,
    ReportPart,
    ReportService,
)
from prospector.services.sources import SourceService
from prospector.ui.errors import show_error
from prospector.ui.tasks import IterTask, TaskRunner
from prospector.ui.widgets.report_format import day_text, period_words, tr
from prospector.ui.widgets.report_views import ActivityView, FunnelView, ListsView, PipelineView

BUSY_AFTER_MS = 300
"""'Counting…' shows only when a report takes longer than this (a big database)."""


def preset_label(preset: PeriodPreset) -> str:
    return {
        PeriodPreset.ALL_TIME: tr("All time"),
        PeriodPreset.THIS_MONTH: tr("This month"),
        PeriodPreset.LAST_MONTH: tr("Last month"),
        PeriodPreset.LAST_30_DAYS: tr("Last 30 days"),
        PeriodPreset.LAST_90_DAYS: tr("Last 90 days"),
        PeriodPreset.THIS_YEAR: tr("This year"),
        PeriodPreset.CUSTOM: tr("Choose dates…"),
    }[preset]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class ReportsPage(QWidget):
    """Funnel, Lists, Activity and Pipeline, for a period and a list, with exports."""

    report_shown = Signal()  # every report of the current filter is drawn

    def __init__(
        self,
        reports: ReportService,
        sources: SourceService,
        tasks: TaskRunner,
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self._reports = reports
        self._sources = sources
        self._tasks = tasks
        self._clock = clock
        self._generation = 0
        self._task: IterTask | None = None
        self._computing = False
        self.lists: Lists | None = None
        self.activity: Activity | None = None
        self.pipeline: Pipeline | None = None
        self.shown_filter: ReportFilter | None = None
        zone_id = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
        reports.set_zone(zone_named(zone_id))
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self.busy.setVisible(self._computing))
        self._build_ui()
        self._connect_signals()
        self._update_dates()

    # -- building ----------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        title = QLabel(tr("Reports"))
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.period = QComboBox()
        self.period.setObjectName("reportPeriod")
        for preset in PeriodPreset:
            self.period.addItem(preset_label(preset), preset)
        self.first_day = QDateEdit()
        self.first_day.setObjectName("reportFirstDay")
        self.last_day = QDateEdit()
        self.last_day.setObjectName("reportLastDay")
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        self.range_label = QLabel()
        self.range_label.setObjectName("reportRange")
        self.range_label.setStyleSheet("color: #556;")
        self.list_choice = QComboBox()
        self.list_choice.setObjectName("reportList")
        self.list_choice.setMinimumContentsLength(14)
        self.list_choice.addItem(tr("All lists"), None)
        self.pdf_button = QPushButton(tr("Save as PDF…"))
        self.pdf_button.setObjectName("reportPdf")
        self.pdf_button.setToolTip(tr("The whole report, every chart and the lists table"))
        self.xlsx_button = QPushButton(tr("Save tables for Excel…"))
        self.xlsx_button.setObjectName("reportXlsx")
        self.xlsx_button.setToolTip(tr("The report's figures as an Excel workbook"))
        for button in (self.pdf_button, self.xlsx_button):
            button.setEnabled(False)
        self.busy = QLabel(tr("Counting…"))
        self.busy.setObjectName("reportBusy")
        self.busy.setStyleSheet("color: #1a3d6e; font-weight: bold;")
        self.busy.hide()

        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(16)
        header.addWidget(self.busy)
        header.addStretch(1)
        header.addWidget(self.pdf_button)
        header.addWidget(self.xlsx_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("Period:")))
        filters.addWidget(self.period)
        filters.addWidget(self.first_day)
        self.to_label = QLabel(tr("to"))
        filters.addWidget(self.to_label)
        filters.addWidget(self.last_day)
        filters.addWidget(self.range_label)
        filters.addSpacing(20)
        filters.addWidget(QLabel(tr("List:")))
        filters.addWidget(self.list_choice)
        filters.addStretch(1)
        hint = QLabel(period_words())
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #667085;")

        self.funnel_view = FunnelView()
        self.lists_view = ListsView()
        self.activity_view = ActivityView()
        self.pipeline_view = PipelineView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.funnel_view, tr("Funnel"))
        self.tabs.addTab(self.lists_view, tr("Lists"))
        self.tabs.addTab(self.activity_view, tr("Activity"))
        self.tabs.addTab(self.pipeline_view, tr("Pipeline"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(header)
        layout.addLayout(filters)
        layout.addWidget(hint)
        layout.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.period.currentIndexChanged.connect(self._on_period_changed)
        self.first_day.dateChanged.connect(self._on_dates_typed)
        self.last_day.dateChanged.connect(self._on_dates_typed)
        self.list_choice.currentIndexChanged.connect(lambda _i: self.refresh())
        self.pdf_button.clicked.connect(self._on_save_pdf)
        self.xlsx_button.clicked.connect(self._on_save_xlsx)

    # -- the filter --------------------------------------------------------------------------------

    def today(self) -> date:
        """Today in the rep's zone, on the window's clock."""
        return self._clock().astimezone(self._reports.zone).date()

    def preset(self) -> PeriodPreset:
        return PeriodPreset(self.period.currentData())

    def set_preset(self, preset: PeriodPreset) -> None:
        self.period.setCurrentIndex(self.period.findData(preset))

    def set_list(self, source_id: int | None) -> None:
        self.list_choice.setCurrentIndex(max(0, self.list_choice.findData(source_id)))

    def set_dates(self, first: date, last: date) -> None:
        """Choose the period's days (switches to "Choose dates…")."""
        with QSignalBlocker(self.first_day), QSignalBlocker(self.last_day):
            self.first_day.setDate(_qdate(first))
            self.last_day.setDate(_qdate(last))
        if self.preset() != PeriodPreset.CUSTOM:
            self.set_preset(PeriodPreset.CUSTOM)
        else:
            self._on_dates_typed()

    def current_filter(self) -> ReportFilter:
        preset = self.preset()
        if preset == PeriodPreset.CUSTOM:
            first, last = _day(self.first_day.date()), _day(self.last_day.date())
        else:
            first, last = preset_days(preset, self.today())
        return ReportFilter(
            first_day=first, last_day=last, source_id=self.list_choice.currentData()
        )

    def filter_words(self) -> str:
        """The period and the list in words, for the PDF and the workbook."""
        report_filter = self.current_filter()
        if report_filter.first_day is None or report_filter.last_day is None:
            period = tr("All time")
        else:
            period = tr("{first} to {last}").format(
                first=day_text(report_filter.first_day, with_year=True),
                last=day_text(report_filter.last_day, with_year=True),
            )
        chosen = self.list_choice.currentText() if report_filter.source_id else tr("all lists")
        return tr("{period}, {list}").format(period=period, list=chosen)

    def hint_text(self) -> str:
        return period_words()

    def _on_period_changed(self) -> None:
        self._update_dates()
        self.refresh()

    def _on_dates_typed(self) -> None:
        if self.last_day.date() < self.first_day.date():
            with QSignalBlocker(self.last_day):
                self.last_day.setDate(self.first_day.date())
        self.refresh()

    def _update_dates(self) -> None:
        custom = self.preset() == PeriodPreset.CUSTOM
        for widget in (self.first_day, self.to_label, self.last_day):
            widget.setVisible(custom)
        self.range_label.setVisible(not custom)
        first, last = preset_days(self.preset(), self.today())
        if first is not None and last is not None:
            self.range_label.setText(
                tr("{first} – {last}").format(
                    first=day_text(first, with_year=True), last=day_text(last, with_year=True)
                )
            )
            if not custom:
                with QSignalBlocker(self.first_day), QSignalBlocker(self.last_day):
                    self.first_day.setDate(_qdate(first))
                    self.last_day.setDate(_qdate(last))
        else:
            self.range_label.setText("")
            if self.first_day.date() == QDate(2000, 1, 1):  # never set: start from this month
                today = self.today()
                with QSignalBlocker(self.first_day), QSignalBlocker(self.last_day):
                    self.first_day.setDate(_qdate(today.replace(day=1)))
                    self.last_day.setDate(_qdate(today))

    def reload_lists(self) -> None:
        """The lists to choose from (a new import may have added one); the choice is kept."""
        chosen = self.list_choice.currentData()
        with QSignalBlocker(self.list_choice):
            self.list_choice.clear()
            self.list_choice.addItem(tr("All lists"), None)
            for source in self._sources.list():
                self.list_choice.addItem(source.name, source.id)
            self.list_choice.setCurrentIndex(max(0, self.list_choice.findData(chosen)))

    # -- counting ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload_lists()
        self.refresh()

    def is_computing(self) -> bool:
        return self._computing

    def refresh(self) -> None:
        """Count the reports again for the current filter, on a worker."""
        if not self.isVisible():
            return  # counted when the page is shown
        if self._task is not None:
            self._task.cancel()
        self._generation += 1
        generation = self._generation
        report_filter = self.current_filter()
        self._computing = True
        self._busy_timer.start()

        def steps(should_stop: Callable[[], bool]) -> Iterator[object]:
            yield from self._reports.compute(report_filter, should_stop)

        self._task = self._tasks.start(
            steps,
            on_progress=lambda part, g=generation: self._on_part(g, part),
            on_finished=lambda _last, g=generation, f=report_filter: self._on_done(g, f),
            on_failed=lambda error, g=generation: self._on_failed(g, error),
        )

    def _on_part(self, generation: int, part: object) -> None:
        if generation != self._generation:
            return  # an older filter's report: the rep has moved on
        kind, value = part  # type: ignore[misc]
        if kind == ReportPart.LISTS:
            self.lists = value
            self.funnel_view.set_data(value)
            self.lists_view.set_data(value)
        elif kind == ReportPart.ACTIVITY:
            self.activity = value
            self.activity_view.set_data(value)
        elif kind == ReportPart.PIPELINE:
            self.pipeline = value
            self.pipeline_view.set_data(value)

    def _on_done(self, generation: int, report_filter: ReportFilter) -> None:
        if generation != self._generation:
            return
        self._computing = False
        self._task = None
        self._busy_timer.stop()
        self.busy.hide()
        self.shown_filter = report_filter
        ready = self.lists is not None and self.activity is not None and self.pipeline is not None
        self.pdf_button.setEnabled(ready)
        self.xlsx_button.setEnabled(ready)
        self.report_shown.emit()

    def _on_failed(self, generation: int, error: object) -> None:
        if generation != self._generation:
            return
        self._computing = False
        self._task = None
        self._busy_timer.stop()
        self.busy.hide()
        if isinstance(error, UserFacingError):
            show_error(self, error)
            return
        raise error if isinstance(error, BaseException) else RuntimeError(error)

    # -- saving ------------------------------------------------------------------------------------

    def _default_name(self, suffix: str) -> str:
        return tr("Prospector report {day}").format(day=self.today().isoformat()) + suffix

    def save_pdf(self, path: Path) -> None:
        """The whole report as a PDF.

        Raises:
            OSError: the file could not be written (the previous one is left as it was).
        """
        from prospector.ui.widgets.report_pdf import write_report_pdf

        write_report_pdf(path, self)

    def save_xlsx(self, path: Path) -> None:
        """The report's tables as an Excel workbook.

        Raises:
            ReportNotSaved: with the reason, the previous file left as it was.
        """
        from prospector.ui.widgets.report_tables import report_tables

        assert self.lists is not None and self.activity is not None and self.pipeline is not None
        tables = report_tables(self.lists, self.activity, self.pipeline, self.filter_words())
        self._reports.export_xlsx(path, tables)

    def _on_save_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save the report as PDF"), self._default_name(".pdf"), tr("PDF (*.pdf)")
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            self.save_pdf(Path(path))
        except OSError:
            QMessageBox.warning(
                self,
                tr("Report not saved"),
                tr(
                    "The report could not be saved as {name}: the folder may be read-only, or "
                    "the file open in another program. Choose another place or name."
                ).format(name=Path(path).name),
            )

    def _on_save_xlsx(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("Save the report's tables for Excel"),
            self._default_name(".xlsx"),
            tr("Excel workbook (*.xlsx)"),
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            self.save_xlsx(Path(path))
        except UserFacingError as error:
            show_error(self, error)
