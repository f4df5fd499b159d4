"""The contact table's model: a window onto a million rows, never all of them in memory.

It holds the row count of the current query and a small cache of pages; ``data()`` only reads
the cache, fetching the page around a row on a miss (one indexed query of a few milliseconds).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from prospector.domain.contacts import ContactRow
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.services.contacts import ContactService
from prospector.ui.labels import (
    stage_definition,
    stage_label,
    temperature_definition,
    temperature_label,
)

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, SortKey], ...] = (
    ("Name", SortKey.NAME),
    ("Company", SortKey.COMPANY),
    ("Phone", SortKey.PHONE),
    ("Email", SortKey.EMAIL),
    ("City", SortKey.CITY),
    ("Stage", SortKey.STAGE),
    ("Temperature", SortKey.TEMPERATURE),
    ("Source", SortKey.SOURCE),
    ("Next follow-up", SortKey.NEXT_FOLLOW_UP),
)
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# Above this many matches, a type-ahead search is shown unsorted (see set_query).
SORTED_SEARCH_LIMIT = 5_000

_TEMPERATURE_BRUSHES = {
    Temperature.HOT: QBrush(QColor("#c0392b")),
    Temperature.WARM: QBrush(QColor("#d68910")),
    Temperature.COLD: QBrush(QColor("#5d6d7e")),
}
_MUTED_BRUSH = QBrush(QColor("#8a8a8a"))
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        CONTACT_ID_ROLE,
    }
)


class ContactTableModel(QAbstractTableModel):
    """Rows of contacts for the current ``ContactQuery``, fetched page by page."""

    query_changed = Signal(int)  # emitted with the new row count

    def __init__(self, contacts: ContactService, page_size: int = 200, pages: int = 64) -> None:
        super().__init__()
        self._contacts = contacts
        self._page_size = page_size
        self._max_pages = pages
        self._query = ContactQuery()
        self._count = 0
        self._pages: OrderedDict[int, list[ContactRow]] = OrderedDict()

    # -- what the view asks -----------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section][0])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks for a dozen roles per cell on every paint: answer the unused ones first.
        if role not in _ROLES or not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == CONTACT_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5:
                return stage_definition(row.stage)
            if column == 6:
                return temperature_definition(row.temperature)
            return None
        # ForegroundRole
        if column == 6:
            return _TEMPERATURE_BRUSHES[row.temperature]
        if column == 5 and row.stage in (Stage.DO_NOT_CALL, Stage.DISQUALIFIED):
            return _MUTED_BRUSH
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        query = replace(self._query, sort=COLUMNS[column][1], descending=descending)
        # A click on a column is an explicit wish: sort even a very broad search.
        self.set_query(replace(query, match_order=False), allow_match_order=False)

    # -- what the window asks ---------------------------------------------------------------------

    @property
    def query(self) -> ContactQuery:
        return self._query

    def set_query(self, query: ContactQuery, *, allow_match_order: bool = True) -> None:
        """Show another filter or order: one COUNT, then pages on demand.

        When a search matches more than ``SORTED_SEARCH_LIMIT`` contacts, its rows come in the
        search index's order (instant) rather than sorted (hundreds of milliseconds at that
        size), until the user types more or clicks a column.
        """
        self.beginResetModel()
        count = self._contacts.count(query)
        if query.text.strip() and allow_match_order:
            query = replace(query, match_order=count > SORTED_SEARCH_LIMIT)
        self._query = query
        self._count = count
        self._pages.clear()
        self.endResetModel()
        self.query_changed.emit(self._count)

    def refresh(self) -> None:
        """Re-read after a change (an edit can move a row, an add or delete shifts them)."""
        self.set_query(self._query)

    def row_at(self, row: int) -> ContactRow | None:
        if not 0 <= row < self._count:
            return None
        number = row // self._page_size
        page = self._pages.get(number)
        if page is None:
            page = self._contacts.page(self._query, number * self._page_size, self._page_size)
            self._pages[number] = page
            if len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row - number * self._page_size
        return page[offset] if offset < len(page) else None

    def contact_id_at(self, row: int) -> int | None:
        found = self.row_at(row)
        return found.id if found else None

    def position_of(self, contact_id: int) -> int | None:
        return self._contacts.position_of(self._query, contact_id)

    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    @staticmethod
    def _display(row: ContactRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return row.company
        if column == 2:
            return row.phone
        if column == 3:
            return row.email
        if column == 4:
            return row.city
        if column == 5:
            return stage_label(row.stage)
        if column == 6:
            return temperature_label(row.temperature)
        if column == 7:
            return row.source
        return _when(row.next_follow_up)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
