"""The Contacts page: search, filters, the windowed table and the detail pane side by side."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import ALL_STAGES, Stage, Temperature
from prospector.services.contacts import ContactService
from prospector.services.notes import NoteService
from prospector.services.privacy import PrivacyService
from prospector.services.sources import SourceService
from prospector.ui.models.contact_table import COLUMNS, ContactTableModel
from prospector.ui.tasks import TaskRunner
from prospector.ui.widgets.choices import add_stage_items, add_temperature_items
from prospector.ui.widgets.contact_form import ContactForm
from prospector.ui.widgets.contact_timeline import ContactTimeline

SEARCH_DELAY_MS = 150
_SETTINGS_PREFIX = "contacts_page"


class ContactsPage(QWidget):
    """Everything about browsing and editing contacts."""

    contacts_changed = Signal()  # something was added, edited or deleted
    export_requested = Signal()  # the Export… button: the window opens the export dialog

    def __init__(
        self,
        contacts: ContactService,
        sources: SourceService,
        notes: NoteService,
        privacy: PrivacyService | None = None,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._contacts = contacts
        self._sources = sources
        self._notes = notes
        self._privacy = privacy
        self._tasks = tasks
        self._build_ui()
        self._connect_signals()
        self.reload_sources()
        self._on_count_changed(self.model.rowCount())  # the first sort already counted the rows

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("contactSearch")
        self.search.setPlaceholderText(
            self.tr("Search name, company, email, phone, city or notes…")
        )
        self.search.setClearButtonEnabled(True)

        self.stage_filter = QComboBox()
        self.stage_filter.setObjectName("stageFilter")
        self.stage_filter.addItem(self.tr("All stages"), None)
        add_stage_items(self.stage_filter, ALL_STAGES)

        self.temperature_filter = QComboBox()
        self.temperature_filter.setObjectName("temperatureFilter")
        self.temperature_filter.addItem(self.tr("Any temperature"), None)
        add_temperature_items(
            self.temperature_filter, (Temperature.HOT, Temperature.WARM, Temperature.COLD)
        )

        self.source_filter = QComboBox()
        self.source_filter.setObjectName("sourceFilter")
        for combo in (self.stage_filter, self.temperature_filter, self.source_filter):
            # Shrink with the window (laptop screens) instead of forcing a wide minimum.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(13)

        self.new_button = QPushButton(self.tr("New contact"))
        self.new_button.setObjectName("newContact")
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("exportContacts")
        self.export_button.setToolTip(
            self.tr("Save these contacts as an Excel or CSV file (Ctrl+E)")
        )

        self.count_label = QLabel()
        self.count_label.setObjectName("contactCount")
        self.count_label.setStyleSheet("color: #555;")

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.export_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Show:")))
        filters.addWidget(self.stage_filter)
        filters.addWidget(self.temperature_filter)
        filters.addWidget(self.source_filter)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.model = ContactTableModel(self._contacts)
        self.table = QTableView()
        self.table.setObjectName("contactTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view never measures a million rows.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        for column, width in enumerate((160, 160, 125, 190, 105, 85, 85, 110, 120)):
            header.resizeSection(column, width)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyTable")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(
            "QLabel { color: #666; font-size: 12pt; padding: 24px; background: white;"
            " border: 1px solid #d0d0d0; }"
        )
        self.empty_label.hide()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty_label, 1)

        self.form = ContactForm(self._contacts, self._sources, self._privacy, tasks=self._tasks)
        self.form.setObjectName("contactForm")
        self.timeline = ContactTimeline(self._notes)
        self.timeline.setObjectName("contactTimeline")
        # The card and its story side by side would squeeze the table: two tabs, one pane.
        self.detail_tabs = QTabWidget()
        self.detail_tabs.setObjectName("contactTabs")
        self.detail_tabs.setMinimumWidth(300)
        self.detail_tabs.setDocumentMode(True)
        self.detail_tabs.addTab(self.form, self.tr("Details"))
        self.detail_tabs.addTab(self.timeline, self.tr("Notes and history"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([1000, 340])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.splitter)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.returnPressed.connect(self.apply_filters)
        for combo in (self.stage_filter, self.temperature_filter, self.source_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.new_button.clicked.connect(self._on_new)
        self.export_button.clicked.connect(self.export_requested)
        self.model.query_changed.connect(self._on_count_changed)
        self.model.modelReset.connect(self._reselect)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.form.contact_saved.connect(self._on_contact_saved)
        self.form.contact_deleted.connect(self._on_contact_deleted)

    # -- filters ----------------------------------------------------------------------------------

    def visible_columns(self) -> list[tuple[SortKey, str]]:
        """The table's shown columns in the order on screen, with their titles (for exports)."""
        header = self.table.horizontalHeader()
        logical = (header.logicalIndex(v) for v in range(header.count()))
        return [
            (COLUMNS[i][1], str(self.model.headerData(i, Qt.Orientation.Horizontal)))
            for i in logical
            if not header.isSectionHidden(i)
        ]

    def current_query(self) -> ContactQuery:
        stage = self.stage_filter.currentData()
        temperature = self.temperature_filter.currentData()
        source = self.source_filter.currentData()
        return replace(
            self.model.query,
            match_order=False,
            text=self.search.text(),
            # Qt hands item data back as plain str: turn it into the domain's enums here.
            stages=frozenset({Stage(stage)}) if stage else frozenset(),
            temperatures=frozenset({Temperature(temperature)}) if temperature else frozenset(),
            source_ids=frozenset({source}) if source is not None else frozenset(),
        )

    def apply_filters(self) -> None:
        """Show the rows the search box and filters ask for (kept selected if still there)."""
        self._search_timer.stop()
        query = self.current_query()
        if query != self.model.query:
            # New results start at their top (also spares a deep page fetch for rows off screen).
            self.table.scrollToTop()
            self.model.set_query(query)

    def show_source(self, source_id: int) -> None:
        """Filter the table to one list (used by the Lists page)."""
        self.search.clear()
        self.stage_filter.setCurrentIndex(0)
        self.temperature_filter.setCurrentIndex(0)
        self.source_filter.setCurrentIndex(max(self.source_filter.findData(source_id), 0))
        self.apply_filters()

    def reload_sources(self) -> None:
        current = self.source_filter.currentData()
        self.source_filter.blockSignals(True)
        self.source_filter.clear()
        self.source_filter.addItem(self.tr("All lists"), None)
        for source in self._sources.list():
            self.source_filter.addItem(source.name, source.id)
        self.source_filter.setCurrentIndex(max(self.source_filter.findData(current), 0))
        self.source_filter.blockSignals(False)

    def refresh(self) -> None:
        self.reload_sources()
        self.model.refresh()

    # -- selection and the detail pane ------------------------------------------------------------

    def select_contact(self, contact_id: int) -> bool:
        """Select and scroll to a contact if the current filter shows it."""
        row = self.model.position_of(contact_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def show_contact(self, contact_id: int) -> bool:
        """Show one contact's card from elsewhere (a follow-up, a notification): the filters
        are cleared first when they hide it. False when it is gone or unsaved edits stay."""
        if self.select_contact(contact_id):
            return self.form.contact_id == contact_id
        self.search.clear()
        self.stage_filter.setCurrentIndex(0)
        self.temperature_filter.setCurrentIndex(0)
        self.source_filter.setCurrentIndex(0)
        self.apply_filters()
        return self.select_contact(contact_id) and self.form.contact_id == contact_id

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        contact_id = self.model.contact_id_at(current.row())
        if contact_id is not None and contact_id != self.form.contact_id:
            if not self.may_leave():
                return
            self.form.show_contact(contact_id)
            self.timeline.set_contact(self.form.contact_id)

    def may_leave(self) -> bool:
        """Ask before unsaved edits are dropped: nothing a rep typed is lost silently."""
        if not self.form.is_dirty():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("Save your changes to this contact first?"),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.form.save()
        return answer == QMessageBox.StandardButton.Discard

    def _reselect(self) -> None:
        contact_id = self.form.contact_id
        if contact_id is not None:
            self.table.selectionModel().blockSignals(True)
            self.select_contact(contact_id)
            self.table.selectionModel().blockSignals(False)

    def _on_new(self) -> None:
        if not self.may_leave():
            return
        self.table.clearSelection()
        self.form.start_new()
        self.timeline.set_contact(None)
        self.detail_tabs.setCurrentWidget(self.form)

    def _on_contact_saved(self, contact_id: int) -> None:
        if self.timeline.contact_id() != contact_id:  # a new contact: its story starts now
            self.timeline.set_contact(contact_id)
        else:
            self.timeline.refresh()  # a stage change shows at once
        self.model.refresh()
        if not self.select_contact(contact_id):
            # Saved but hidden by the current filter: say so rather than let it "vanish".
            self.count_label.setText(
                self.count_label.text()
                + "  "
                + self.tr("(the contact you saved is hidden by the current search or filters)")
            )
        self.contacts_changed.emit()

    def _on_contact_deleted(self, _contact_id: int) -> None:
        self.timeline.set_contact(None)
        self.model.refresh()
        self.contacts_changed.emit()

    def _on_count_changed(self, count: int) -> None:
        unsorted = self.model.query.match_order
        self.table.horizontalHeader().setSortIndicatorShown(not unsorted)
        if unsorted:
            self.count_label.setText(
                self.tr(
                    "{n} contacts match; type more to narrow, or click a column to sort"
                ).format(n=f"{count:,}")
            )
        else:
            self.count_label.setText(
                self.tr("1 contact")
                if count == 1
                else self.tr("{n} contacts").format(n=f"{count:,}")
            )
        if count == 0:
            filtered = self.model.query != ContactQuery(
                sort=self.model.query.sort, descending=self.model.query.descending
            )
            self.empty_label.setText(
                self.tr("No contact matches this search or these filters.")
                if filtered
                else self.tr("No contacts yet. Click New contact, or load the sample list.")
            )
        # An empty grid looks broken; a sentence says why it is empty and what to do.
        self.empty_label.setVisible(count == 0)
        self.table.setVisible(count > 0)

    # -- layout memory ----------------------------------------------------------------------------

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue(f"{_SETTINGS_PREFIX}/header", self.table.horizontalHeader().saveState())
        settings.setValue(f"{_SETTINGS_PREFIX}/splitter", self.splitter.saveState())
        settings.setValue(f"{_SETTINGS_PREFIX}/tab", self.detail_tabs.currentIndex())

    def restore_layout(self, settings: QSettings) -> None:
        header = settings.value(f"{_SETTINGS_PREFIX}/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        splitter = settings.value(f"{_SETTINGS_PREFIX}/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.detail_tabs.setCurrentIndex(int(settings.value(f"{_SETTINGS_PREFIX}/tab", 0)))
