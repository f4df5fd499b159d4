"""The Follow-ups page: what is late, what is due today, what comes in the next days.

A rep opens it first thing and between calls, so each row says when, what, who and why, the
phone is one click from the call, and the usual answers (done, snooze, move) are one key away.
The lists are small (the service caps them), so the table is a snapshot refreshed when the page
shows, after each action and on a timer; the section headings are rows of the same table so one
selection and one set of keys serve all three lists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.clock import Clock
from prospector.errors import UserFacingError
from prospector.services.contacts import ContactService
from prospector.services.followups import (
    DueFollowUps,
    FollowUp,
    FollowUpService,
    ReminderKind,
    Snooze,
)
from prospector.ui.dialogs.follow_up_dialog import FollowUpDialog, RescheduleDialog, when_words
from prospector.ui.errors import show_error
from prospector.ui.labels import reminder_kind_label
from prospector.ui.places import documents_folder

FOLLOW_UP_ROLE = Qt.ItemDataRole.UserRole + 1
REFRESH_MS = 60_000
"""The lists move on by themselves (a 'today' one becomes overdue) at least once a minute."""
OVERDUE_RED = "#b3261e"

COL_WHEN, COL_KIND, COL_WHO, COL_TEXT, COL_PHONE = range(5)


class FollowUpsPage(QWidget):
    """Overdue, today and upcoming follow-ups, with Done, Snooze, Reschedule, Open and Call."""

    open_contact_requested = Signal(int)
    call_requested = Signal(int)
    changed = Signal()  # a follow-up was added, done or moved: the badge should follow

    def __init__(
        self,
        followups: FollowUpService,
        contacts: ContactService,
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("followUpsPage")
        self._followups = followups
        self._contacts = contacts
        self._clock = clock
        self.due: DueFollowUps | None = None
        self._build_ui()
        self._connect_signals()
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        title = QLabel(self.tr("Follow-ups"))
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setObjectName("followUpsSummary")
        self.summary.setStyleSheet("color: #556; font-size: 11pt;")
        self.new_button = QPushButton(self.tr("New follow-up…"))
        self.new_button.setObjectName("newFollowUp")
        self.new_button.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_button.setToolTip(self.tr("Add a follow-up (Ctrl+Shift+N)"))
        self.calendar_button = QPushButton(self.tr("Export to calendar…"))
        self.calendar_button.setObjectName("exportCalendar")
        self.calendar_button.setToolTip(
            self.tr(
                "Save every open follow-up as a calendar file (.ics) for Outlook, Apple Calendar "
                "or Google Calendar. Exporting again updates the same events, without doubles."
            )
        )
        self.export_result = QLabel()
        self.export_result.setObjectName("exportCalendarResult")
        self.export_result.setWordWrap(True)
        self.export_result.setStyleSheet("color: #2e6b34;")
        self.export_result.hide()
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.summary, 1)
        header.addWidget(self.calendar_button)
        header.addWidget(self.new_button)

        self.missed_banner = QFrame()
        self.missed_banner.setObjectName("missedBanner")
        self.missed_banner.setStyleSheet(
            "QFrame#missedBanner { background: #fdecea; border: 1px solid #f1b0aa;"
            " border-radius: 6px; }"
        )
        self.missed_label = QLabel()
        self.missed_label.setObjectName("missedLabel")
        self.missed_label.setWordWrap(True)
        dismiss = QPushButton(self.tr("OK"))
        dismiss.setObjectName("dismissMissed")
        dismiss.clicked.connect(self.missed_banner.hide)
        banner_layout = QHBoxLayout(self.missed_banner)
        banner_layout.addWidget(self.missed_label, 1)
        banner_layout.addWidget(dismiss)
        self.missed_banner.hide()

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("followUpsTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("To do"),
                self.tr("Contact"),
                self.tr("Note"),
                self.tr("Phone"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMouseTracking(True)
        self.table.setStyleSheet("QTableWidget::item { padding: 4px 8px; }")
        head = self.table.horizontalHeader()
        head.setHighlightSections(False)
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, mode in (
            (COL_WHEN, QHeaderView.ResizeMode.ResizeToContents),
            (COL_KIND, QHeaderView.ResizeMode.ResizeToContents),
            (COL_WHO, QHeaderView.ResizeMode.Interactive),
            (COL_TEXT, QHeaderView.ResizeMode.Stretch),
            (COL_PHONE, QHeaderView.ResizeMode.ResizeToContents),
        ):
            head.setSectionResizeMode(column, mode)
        self.table.setColumnWidth(COL_WHO, 280)

        self.empty = QLabel(
            self.tr(
                "Nothing due. Follow-ups you add, and call-backs from the call queue, show here."
            )
        )
        self.empty.setObjectName("followUpsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #667; font-size: 12pt;")
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)

        self.done_button = QPushButton(self.tr("Done"))
        self.done_button.setObjectName("followUpDone")
        self.done_button.setToolTip(self.tr("Mark it done (D)"))
        self.snooze_button = QToolButton()
        self.snooze_button.setObjectName("followUpSnooze")
        self.snooze_button.setText(self.tr("Snooze"))
        self.snooze_button.setToolTip(self.tr("Bring it back later (S)"))
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.snooze_menu = QMenu(self.snooze_button)
        for snooze, words in (
            (Snooze.MINUTES_15, self.tr("In 15 minutes")),
            (Snooze.HOUR, self.tr("In 1 hour")),
            (Snooze.TOMORROW_MORNING, self.tr("Tomorrow morning")),
        ):
            action = self.snooze_menu.addAction(words)
            action.setData(str(snooze))
            action.triggered.connect(lambda _c=False, s=snooze: self.snooze_selected(s))
        self.snooze_button.setMenu(self.snooze_menu)
        self.reschedule_button = QPushButton(self.tr("Reschedule…"))
        self.reschedule_button.setObjectName("followUpReschedule")
        self.reschedule_button.setToolTip(self.tr("Move it to another day and time (R)"))
        self.open_button = QPushButton(self.tr("Open contact"))
        self.open_button.setObjectName("followUpOpen")
        self.open_button.setToolTip(self.tr("Show the contact's card (Enter)"))
        self.call_button = QPushButton(self.tr("Call"))
        self.call_button.setObjectName("followUpCall")
        self.call_button.setToolTip(self.tr("Call now from the call queue (C)"))
        self.hint = QLabel(self.tr("Keys: D done · S snooze · R reschedule · Enter open · C call"))
        self.hint.setStyleSheet("color: #778;")
        actions = QHBoxLayout()
        for widget in (
            self.done_button,
            self.snooze_button,
            self.reschedule_button,
            self.open_button,
            self.call_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.hint)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.export_result)
        layout.addWidget(self.missed_banner)
        layout.addWidget(self.body, 1)
        layout.addLayout(actions)

        def key(sequence: str, slot: object) -> None:
            shortcut = QShortcut(QKeySequence(sequence), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

        key("D", self.complete_selected)
        key("S", self._popup_snooze)
        key("R", self.reschedule_selected)
        key("C", self.call_selected)
        key("Return", self.open_selected)
        key("Enter", self.open_selected)

    def _connect_signals(self) -> None:
        self.done_button.clicked.connect(self.complete_selected)
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.call_button.clicked.connect(self.call_selected)
        self.new_button.clicked.connect(lambda: self.new_follow_up())
        self.calendar_button.clicked.connect(lambda: self.export_calendar())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.open_selected())

    # -- the lists --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_tick(self) -> None:
        if self.isVisible():  # a hidden page reads again when it is shown
            self.refresh()

    def refresh(self) -> None:
        """Read the lists again, keeping the selected follow-up selected if it is still there."""
        selected = self.selected()
        self.due = self._followups.due(self._clock())
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            sections = (
                (self.due.overdue, self.tr("Overdue"), OVERDUE_RED),
                (self.due.today, self.tr("Later today"), "#1a3d6e"),
                (self.due.upcoming, self.tr("Next 7 days"), "#445"),
            )
            for rows, heading, color in sections:
                if rows:
                    self._add_heading(f"{heading}  ({len(rows)})", color)
                    for follow_up in rows:
                        self._add_row(follow_up, overdue=color == OVERDUE_RED)
        total = len(self.due.overdue) + len(self.due.today) + len(self.due.upcoming)
        self.body.setCurrentWidget(self.table if total else self.empty)
        self.summary.setText(self._summary_text())
        if selected is None or not self.select(selected.id):
            self._select_first()
        self._update_buttons()

    def _summary_text(self) -> str:
        assert self.due is not None
        late, today = len(self.due.overdue), len(self.due.today)
        if not late and not today:
            return self.tr("Nothing left for today.")
        parts = []
        if late:
            parts.append(self.tr("%n overdue", "", late))
        if today:
            parts.append(self.tr("%n later today", "", today))
        return " · ".join(parts)

    def _add_heading(self, text: str, color: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.font())
        font.setBold(True)
        item.setFont(font)
        item.setForeground(QBrush(QColor(color)))
        item.setBackground(QBrush(QColor("#fdecea" if color == OVERDUE_RED else "#eef2f7")))
        self.table.setItem(row, 0, item)
        self.table.setSpan(row, 0, 1, self.table.columnCount())

    def _add_row(self, follow_up: FollowUp, *, overdue: bool) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        who = escape(follow_up.contact_name or follow_up.company)
        company = follow_up.company if follow_up.company != follow_up.contact_name else ""
        who_text = f"{follow_up.contact_name or follow_up.company}"
        if company:
            who_text += f"  —  {company}"
        cells = {
            COL_WHEN: self.when_text(follow_up),
            COL_KIND: reminder_kind_label(follow_up.kind),
            COL_WHO: who_text,
            COL_TEXT: follow_up.text or "",
            COL_PHONE: follow_up.phone,
        }
        for column, text in cells.items():
            item = QTableWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setData(FOLLOW_UP_ROLE, follow_up)
            if overdue and column == COL_WHEN:
                item.setForeground(QBrush(QColor(OVERDUE_RED)))
                bold = QFont(self.font())
                bold.setBold(True)
                item.setFont(bold)
            if column == COL_PHONE and text:
                item.setForeground(QBrush(QColor("#1a5fb4")))
                link = QFont(self.font())
                link.setUnderline(True)
                item.setFont(link)
                item.setToolTip(self.tr("Click to call {who}").format(who=who))
            if column == COL_TEXT and text:
                item.setToolTip(text)
            self.table.setItem(row, column, item)

    def when_text(self, follow_up: FollowUp) -> str:
        """Today as "09:00", yesterday and tomorrow in words, another day as "Tue 17 Mar 09:00"
        (the rep's local time): a rep reads "Tomorrow" faster than a date."""
        local: datetime = follow_up.due_local
        today = self._clock().astimezone(local.tzinfo).date()
        if local.date() == today:
            return f"{local:%H:%M}"
        if local.date() == today - timedelta(days=1):
            return self.tr("Yesterday {time}").format(time=f"{local:%H:%M}")
        if local.date() == today + timedelta(days=1):
            return self.tr("Tomorrow {time}").format(time=f"{local:%H:%M}")
        return when_words(local)

    # -- selection --------------------------------------------------------------------------------

    def follow_up_at(self, row: int) -> FollowUp | None:
        item = self.table.item(row, COL_WHEN)
        value = item.data(FOLLOW_UP_ROLE) if item is not None else None
        return value if isinstance(value, FollowUp) else None

    def rows(self) -> list[FollowUp]:
        """Every follow-up shown, top to bottom (for tests and the window)."""
        found = (self.follow_up_at(r) for r in range(self.table.rowCount()))
        return [f for f in found if f is not None]

    def selected(self) -> FollowUp | None:
        return self.follow_up_at(self.table.currentRow()) if self.table.selectedItems() else None

    def select(self, reminder_id: int) -> bool:
        for row in range(self.table.rowCount()):
            follow_up = self.follow_up_at(row)
            if follow_up is not None and follow_up.id == reminder_id:
                self.table.selectRow(row)
                return True
        return False

    def _select_first(self) -> None:
        for row in range(self.table.rowCount()):
            if self.follow_up_at(row) is not None:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        chosen = self.selected()
        for button in (
            self.done_button,
            self.snooze_button,
            self.reschedule_button,
            self.open_button,
            self.call_button,
        ):
            button.setEnabled(chosen is not None)

    def _on_cell_clicked(self, row: int, column: int) -> None:
        follow_up = self.follow_up_at(row)
        if follow_up is not None and column == COL_PHONE and follow_up.phone:
            self.call_requested.emit(follow_up.contact_id)

    # -- actions ----------------------------------------------------------------------------------

    def _act(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except UserFacingError as error:
            show_error(self, error)
        self.refresh()
        self.changed.emit()

    def complete_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._act(lambda: self._followups.complete(chosen.id))

    def snooze_selected(self, snooze: Snooze) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._act(lambda: self._followups.snooze(chosen.id, snooze))

    def _popup_snooze(self) -> None:
        if self.selected() is not None:
            self.snooze_button.showMenu()

    def reschedule_selected(self) -> RescheduleDialog | None:
        """Open the small dialog; the list follows when it is accepted."""
        chosen = self.selected()
        if chosen is None:
            return None
        dialog = RescheduleDialog(self._followups, self._clock, chosen, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_dialog)
        dialog.open()
        return dialog

    def new_follow_up(
        self, contact_id: int | None = None, contact_name: str = ""
    ) -> FollowUpDialog:
        """Add a follow-up: for ``contact_id``, else the selected row's contact, else one the
        rep looks up in the dialog."""
        if contact_id is None and (chosen := self.selected()) is not None:
            contact_id, contact_name = chosen.contact_id, chosen.contact_name or chosen.company
        dialog = FollowUpDialog(
            self._followups, self._contacts, self._clock, contact_id, contact_name, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_dialog)
        dialog.open()
        return dialog

    def export_calendar(self, path: Path | None = None) -> int | None:
        """Write the open follow-ups to a calendar file the rep picks; how many, or None."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export follow-ups to a calendar file"),
                str(documents_folder() / self.tr("Prospector follow-ups.ics")),
                self.tr("Calendar files (*.ics)"),
            )
            if not chosen:
                return None
            path = Path(chosen)
        if path.suffix.lower() != ".ics":
            path = path.with_name(path.name + ".ics")
        words = {kind: reminder_kind_label(kind) for kind in ReminderKind}
        try:
            written = self._followups.export_ics(
                path, kind_words=words, calendar_name=self.tr("Prospector follow-ups")
            )
        except UserFacingError as error:
            show_error(self, error)
            return None
        self.export_result.setText(
            self.tr(
                "{n} follow-ups saved to {name}. Import that file in Outlook, Apple Calendar or "
                "Google Calendar; export again later to update the same events."
            ).format(n=written, name=path.name)
        )
        self.export_result.show()
        return written

    def _after_dialog(self) -> None:
        self.refresh()
        self.changed.emit()

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_contact_requested.emit(chosen.contact_id)

    def call_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.call_requested.emit(chosen.contact_id)

    # -- missed while closed ----------------------------------------------------------------------

    def show_missed(self, missed: list[FollowUp]) -> None:
        """Say, without a dialog in the way, what fell due while Prospector was closed."""
        if not missed:
            self.missed_banner.hide()
            return
        if len(missed) == 1:
            text = self.tr("1 follow-up came due while Prospector was closed. It is under Overdue.")
        else:
            text = self.tr(
                "{n} follow-ups came due while Prospector was closed. They are under Overdue."
            ).format(n=len(missed))
        self.missed_label.setText(text)
        self.missed_banner.show()
