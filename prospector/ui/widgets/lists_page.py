"""The Lists page: every lead list and channel, what it cost, and the imports that filled it.

The import history sits under the lists in a splitter: a rep who has just imported the wrong
file (or the right file twice) finds it there and takes it back with "Undo this import…".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.errors import UserFacingError
from prospector.services.import_history import (
    CALLED,
    EDITED,
    HAS_NOTES,
    HAS_REMINDERS,
    QUALIFIED,
    STAGE_MOVED,
    ImportHistoryService,
    ImportRunInfo,
    UndoOutcome,
    UndoPlan,
)
from prospector.services.sources import SourceService
from prospector.ui.errors import show_error
from prospector.ui.labels import source_kind_label
from prospector.ui.tasks import TaskRunner

SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 2
RUN_UNDOABLE_ROLE = Qt.ItemDataRole.UserRole + 3
WORKED_NAMED = 10  # worked contacts named in the question; more are counted
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ListsPage(QWidget):
    """Two small snapshot tables: there are tens of lists and imports, not millions."""

    show_contacts_requested = Signal(int)  # source id
    import_requested = Signal()
    contacts_changed = Signal()  # an undo removed or put back contacts

    def __init__(
        self,
        sources: SourceService,
        history: ImportHistoryService,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._sources = sources
        self._history = history
        self._tasks = tasks
        self._build_ui()
        self.table.itemDoubleClicked.connect(lambda _item: self._on_show())
        self.show_button.clicked.connect(self._on_show)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.runs_table.itemSelectionChanged.connect(self._update_buttons)
        self.undo_button.clicked.connect(self.undo_selected_import)
        self.refresh()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        title = _title(self.tr("Lead lists and channels"), 1.3)
        hint = _hint(
            self.tr(
                "Where your contacts came from and what each list cost. "
                "Double-click a list to see its contacts."
            )
        )
        self.table = _table(
            "sourcesTable",
            [
                self.tr("List"),
                self.tr("Kind"),
                self.tr("Vendor"),
                self.tr("Contacts"),
                self.tr("Cost"),
            ],
            stretch=0,
        )
        self.empty_label = QLabel(
            self.tr(
                "No lists yet. Import a list from Excel or CSV; contacts you add by hand "
                "belong to no list."
            )
        )
        self.empty_label.setStyleSheet("color: #777; padding: 12px;")
        self.show_button = QPushButton(self.tr("Show contacts"))
        self.show_button.setObjectName("showListContacts")
        self.import_button = QPushButton(self.tr("Import a list…"))
        self.import_button.setObjectName("importList")
        self.import_button.clicked.connect(self.import_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_button)

        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 8)
        lists_layout.addWidget(title)
        lists_layout.addWidget(hint)
        lists_layout.addWidget(self.table, 1)
        lists_layout.addWidget(self.empty_label)
        lists_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("listsSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(lists)
        splitter.addWidget(self._build_imports())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(splitter)

    def _build_imports(self) -> QWidget:
        title = _title(self.tr("Imports"), 1.15)
        hint = _hint(
            self.tr(
                "Every file you imported, newest first. Imported the wrong file? Select it and "
                "undo it: the contacts it added are removed and what it filled in on contacts "
                "you already had is put back."
            )
        )
        self.runs_table = _table(
            "importsTable",
            [
                self.tr("Date"),
                self.tr("File"),
                self.tr("List"),
                self.tr("New"),
                self.tr("Merged"),
                self.tr("Skipped"),
                self.tr("Rejected"),
                self.tr("Status"),
            ],
            stretch=1,
        )
        tips = {
            3: self.tr("Contacts the import added"),
            4: self.tr("Rows that filled in a contact you already had"),
            5: self.tr("Duplicate rows left out"),
            6: self.tr("Rows that could not be imported (no name, phone or email)"),
        }
        for column, tip in tips.items():
            header_item = self.runs_table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        self.runs_empty_label = QLabel(self.tr("No imports yet."))
        self.runs_empty_label.setStyleSheet("color: #777; padding: 12px;")
        self.undo_result = QLabel()
        self.undo_result.setObjectName("undoResult")
        self.undo_result.setWordWrap(True)
        self.undo_result.setStyleSheet("color: #2e6b2e;")
        self.undo_button = QPushButton(self.tr("Undo this import…"))
        self.undo_button.setObjectName("undoImport")
        self.undo_button.setToolTip(
            self.tr("Remove the contacts this import added and put back what it filled in")
        )
        self.undo_bar = QProgressBar()
        self.undo_bar.setObjectName("undoProgress")
        self.undo_bar.setRange(0, 0)  # busy: one statement, no steps to count
        self.undo_bar.setMaximumWidth(160)
        self.undo_bar.setTextVisible(False)
        self.undo_bar.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_result, 1)
        buttons.addWidget(self.undo_bar)
        buttons.addWidget(self.undo_button)

        imports = QWidget()
        layout = QVBoxLayout(imports)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.runs_table, 1)
        layout.addWidget(self.runs_empty_label)
        layout.addLayout(buttons)
        return imports

    # -- filling ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the lists and the imports (after an import, an edit or an undo)."""
        self._refresh_sources()
        self._refresh_runs()
        self._update_buttons()

    def _refresh_sources(self) -> None:
        sources = self._sources.list()
        self.table.setRowCount(len(sources))
        for row, source in enumerate(sources):
            cost = (
                f"{source.cost_cents / 100:,.2f} {source.currency or ''}".strip()
                if source.cost_cents is not None
                else "—"
            )
            values = (
                source.name,
                source_kind_label(source.kind),
                source.vendor or "",
                f"{source.contacts:,}",
                cost,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(SOURCE_ID_ROLE, source.id)
                if column >= 3:
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(row, column, item)
        self.empty_label.setVisible(not sources)

    def _refresh_runs(self) -> None:
        selected = self.selected_run_id()
        runs = self._history.runs()
        self.runs_table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            values = (
                run.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                run.file_name,
                run.source_name or "—",
                f"{run.rows_imported:,}",
                f"{run.rows_merged:,}",
                f"{run.rows_skipped:,}",
                f"{run.rows_rejected:,}",
                self._status_words(run),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(RUN_ID_ROLE, run.id)
                item.setData(RUN_UNDOABLE_ROLE, run.undoable)
                if 3 <= column <= 6:
                    item.setTextAlignment(_RIGHT)
                if not run.undoable:
                    item.setForeground(QColor("#888"))
                if column == 2 and run.source_name is None:
                    item.setToolTip(self.tr("The list was removed when this import was undone."))
                self.runs_table.setItem(row, column, item)
            if run.id == selected:
                self.runs_table.selectRow(row)
        self.runs_empty_label.setVisible(not runs)

    def _status_words(self, run: ImportRunInfo) -> str:
        if run.undoable:
            return self.tr("Imported")
        if run.status == "undone":
            return self.tr("Undone")
        return self.tr("Not finished")

    def _update_buttons(self) -> None:
        self.show_button.setEnabled(bool(self.table.selectedItems()))
        items = self.runs_table.selectedItems()
        self.undo_button.setEnabled(
            bool(items) and bool(items[0].data(RUN_UNDOABLE_ROLE)) and not self.is_undoing()
        )

    def selected_run_id(self) -> int | None:
        items = self.runs_table.selectedItems()
        return int(items[0].data(RUN_ID_ROLE)) if items else None

    def _on_show(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.show_contacts_requested.emit(int(items[0].data(SOURCE_ID_ROLE)))

    # -- undo -------------------------------------------------------------------------------------

    def undo_selected_import(self) -> None:
        """Ask what to remove, then undo the selected import in one go (or not at all)."""
        run_id = self.selected_run_id()
        if run_id is None:
            return
        try:
            plan = self._history.undo_plan(run_id, named=WORKED_NAMED)
        except UserFacingError as error:
            show_error(self, error)
            self.refresh()
            return
        keep_worked = self._ask(plan)
        if keep_worked is None:
            return
        # A few seconds for the biggest lists: on a worker, so the window keeps painting. It is
        # one transaction (all or nothing), so there is no Cancel once it has started.
        history = self._history

        def steps(_should_stop: Callable[[], bool]) -> Iterator[object]:
            yield history.undo(run_id, keep_worked=keep_worked)

        self._set_undoing(True, plan)
        self._tasks.start(
            steps,
            on_finished=lambda outcome: self._on_undone(plan, outcome),
            on_failed=self._on_undo_failed,
        )

    def is_undoing(self) -> bool:
        return self.undo_bar.isVisible()

    def _set_undoing(self, undoing: bool, plan: UndoPlan | None = None) -> None:
        self.undo_bar.setVisible(undoing)
        self.runs_table.setEnabled(not undoing)
        if undoing:
            assert plan is not None
            self.undo_button.setEnabled(False)
            self.undo_result.setText(
                self.tr("Undoing the import of {file}…").format(file=plan.run.file_name)
            )
        else:
            self.undo_result.clear()

    def _on_undone(self, plan: UndoPlan, outcome: object) -> None:
        self._set_undoing(False)
        self.refresh()
        assert isinstance(outcome, UndoOutcome)
        self._show_outcome(plan, outcome)
        self.contacts_changed.emit()

    def _on_undo_failed(self, error: object) -> None:
        self._set_undoing(False)
        self.refresh()
        if not isinstance(error, UserFacingError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        show_error(self, error)

    def _ask(self, plan: UndoPlan) -> bool | None:
        """Keep the worked contacts (True), remove them too (False), or cancel (None)."""
        box = QMessageBox(self)
        box.setObjectName("undoImportQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Undo this import"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        text = self._what_undo_does(plan)
        remove = keep = None
        if plan.worked_count:
            text += "\n\n" + self._worked_text(plan)
            remove = box.addButton(
                self.tr("Remove them too"), QMessageBox.ButtonRole.DestructiveRole
            )
            remove.setObjectName("undoRemoveWorked")
            keep = box.addButton(self.tr("Keep the worked ones"), QMessageBox.ButtonRole.AcceptRole)
            keep.setObjectName("undoKeepWorked")
            box.setDefaultButton(keep)
        else:
            remove = box.addButton(self.tr("Undo import"), QMessageBox.ButtonRole.AcceptRole)
            remove.setObjectName("undoConfirm")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("undoCancel")
        box.setEscapeButton(cancel)
        if not plan.worked_count:
            box.setDefaultButton(cancel)
        box.setText(text)
        box.exec()
        clicked = box.clickedButton()
        if clicked is not None and clicked is keep:
            return True
        if clicked is not None and clicked is remove:
            return False
        return None

    def _what_undo_does(self, plan: UndoPlan) -> str:
        name = plan.run.file_name
        if plan.added and plan.restorable:
            return self.tr(
                "This removes the {added} this import of {file} added and puts back what it "
                "filled in on {restorable} you already had."
            ).format(
                added=self._contacts(plan.added),
                file=name,
                restorable=self._contacts(plan.restorable),
            )
        if plan.added:
            return self.tr("This removes the {added} this import of {file} added.").format(
                added=self._contacts(plan.added), file=name
            )
        if plan.restorable:
            return self.tr(
                "The contacts this import of {file} added are gone already. "
                "This puts back what it filled in on {restorable} you already had."
            ).format(file=name, restorable=self._contacts(plan.restorable))
        return self.tr(
            "Nothing from this import of {file} is left to remove; "
            "undoing it only marks it as undone."
        ).format(file=name)

    def _worked_text(self, plan: UndoPlan) -> str:
        if plan.worked_count == 1:
            lead = self.tr("1 of them was worked on since the import:")
        else:
            lead = self.tr("{count} of them were worked on since the import:").format(
                count=f"{plan.worked_count:,}"
            )
        lines = [lead]
        for contact in plan.worked:
            why = ", ".join(self._reason_words(code) for code in contact.reasons)
            lines.append(f"  •  {contact.name or self.tr('(no name)')} — {why}")
        more = plan.worked_count - len(plan.worked)
        if more:
            lines.append(self.tr("  …and {count} more.").format(count=f"{more:,}"))
        lines.append("")
        lines.append(
            self.tr("Remove them too, or keep the worked ones and remove only the others?")
        )
        return "\n".join(lines)

    def _reason_words(self, code: str) -> str:
        return {
            CALLED: self.tr("called"),
            HAS_NOTES: self.tr("has notes"),
            HAS_REMINDERS: self.tr("has a reminder"),
            QUALIFIED: self.tr("qualified"),
            STAGE_MOVED: self.tr("moved on from Suspect"),
            EDITED: self.tr("edited"),
        }.get(code, code)

    def _contacts(self, count: int) -> str:
        if count == 1:
            return self.tr("1 contact")
        return self.tr("{count} contacts").format(count=f"{count:,}")

    def _show_outcome(self, plan: UndoPlan, outcome: UndoOutcome) -> None:
        parts = [
            self.tr("Undid the import of {file}: removed {removed}.").format(
                file=plan.run.file_name, removed=self._contacts(outcome.removed)
            )
        ]
        if outcome.kept:
            parts.append(
                self.tr("Kept {kept} worked on since.").format(kept=self._contacts(outcome.kept))
            )
        if outcome.restored:
            parts.append(
                self.tr("Put back {restored} it had filled in.").format(
                    restored=self._contacts(outcome.restored)
                )
            )
        self.undo_result.setText(" ".join(parts))


def _title(text: str, scale: float) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def _table(name: str, headers: list[str], *, stretch: int) -> QTableWidget:
    """A read-only, one-row-selection table in the page's look; ``stretch`` takes the room."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)
    return table
