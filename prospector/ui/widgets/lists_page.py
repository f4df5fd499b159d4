"""The Lists page: every lead list and channel, how many contacts it brought, what it cost."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.services.sources import SourceService
from prospector.ui.labels import source_kind_label

SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ListsPage(QWidget):
    """A small snapshot table: there are tens of lists, not millions."""

    show_contacts_requested = Signal(int)  # source id
    import_requested = Signal()

    def __init__(self, sources: SourceService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sources = sources
        self._build_ui()
        self.table.itemDoubleClicked.connect(lambda _item: self._on_show())
        self.show_button.clicked.connect(self._on_show)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def _build_ui(self) -> None:
        title = QLabel(self.tr("Lead lists and channels"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        hint = QLabel(
            self.tr(
                "Where your contacts came from and what each list cost. "
                "Double-click a list to see its contacts."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("sourcesTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("List"),
                self.tr("Kind"),
                self.tr("Vendor"),
                self.tr("Contacts"),
                self.tr("Cost"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)

    def refresh(self) -> None:
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
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.empty_label.setVisible(not sources)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.show_button.setEnabled(bool(self.table.selectedItems()))

    def _on_show(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.show_contacts_requested.emit(int(items[0].data(SOURCE_ID_ROLE)))
