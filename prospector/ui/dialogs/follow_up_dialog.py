"""Adding a follow-up, and moving one to another time.

Both start from the quick picks a contact usually says ("tomorrow morning", "next week"),
because turning those into a date by hand is where follow-ups get lost; any other day and time
is one Tab away. The dialog saves through the service itself and stays open on an error, so
nothing the rep typed is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime, QTimer, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.clock import Clock
from prospector.domain.query import ContactQuery
from prospector.errors import UserFacingError
from prospector.services.contacts import ContactService
from prospector.services.followups import FollowUp, FollowUpService, QuickPick, ReminderKind
from prospector.ui.errors import show_error
from prospector.ui.labels import reminder_action_text, reminder_kind_label

MOMENT_ROLE = Qt.ItemDataRole.UserRole + 1
CONTACT_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_LIMIT = 20


def wall_clock(local: datetime) -> QDateTime:
    """A wall time as Qt holds it without a zone of its own (UTC spec, so Qt moves nothing):
    the rep's zone is the service's, which Qt's local time may not be."""
    return QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute), QTimeZone.UTC
    )


def from_wall_clock(value: QDateTime, zone: tzinfo) -> datetime:
    """The instant (UTC) a wall time means in ``zone`` (a DST gap: as the reminder rules do)."""
    day, at = value.date(), value.time()
    local = datetime(day.year(), day.month(), day.day(), at.hour(), at.minute(), tzinfo=zone)
    return local.astimezone(UTC)


def when_words(local: datetime) -> str:
    """A local time as "Tue 17 Mar 09:00", in the user's language."""
    return QLocale().toString(wall_clock(local), "ddd d MMM HH:mm")


class WhenPicker(QWidget):
    """Quick picks over a date-time edit: choosing a pick fills the edit, the edit is the answer."""

    def __init__(self, followups: FollowUpService, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        self._zone = followups.zone
        self.picks = QListWidget()
        self.picks.setObjectName("followUpPicks")
        self.picks.setStyleSheet("QListWidget::item { padding: 4px; }")
        names = {
            QuickPick.LATER_TODAY: self.tr("Later today"),
            QuickPick.TOMORROW_MORNING: self.tr("Tomorrow morning"),
            QuickPick.NEXT_WEEK: self.tr("Next week"),
            QuickPick.IN_A_MONTH: self.tr("In a month"),
        }
        for pick, moment in followups.quick_picks(clock()):
            local = moment.astimezone(self._zone)
            item = QListWidgetItem(f"{names[pick]}  —  {when_words(local)}")
            item.setData(MOMENT_ROLE, moment)
            self.picks.addItem(item)
        self.picks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.picks.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        row_height = max(self.picks.sizeHintForRow(0), self.fontMetrics().height() + 12)
        self.picks.setFixedHeight(row_height * self.picks.count() + 8)
        self.picks.setMinimumWidth(self.picks.sizeHintForColumn(0) + 24)
        self.edit = QDateTimeEdit()
        self.edit.setObjectName("followUpWhen")
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.edit.setTimeZone(QTimeZone.UTC)  # holds the rep's wall time: see wall_clock()
        self.edit.setDateTime(wall_clock(clock().astimezone(self._zone)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picks)
        other = QLabel(self.tr("Or another day and time:"))
        layout.addWidget(other)
        layout.addWidget(self.edit)
        self.picks.currentItemChanged.connect(self._on_pick)

    def choose_row(self, row: int) -> None:
        self.picks.setCurrentRow(row)

    def set_when(self, moment: datetime) -> None:
        self.picks.clearSelection()
        self.edit.setDateTime(wall_clock(moment.astimezone(self._zone)))

    def when(self) -> datetime:
        """The chosen moment, aware UTC."""
        return from_wall_clock(self.edit.dateTime(), self._zone)

    def _on_pick(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.edit.setDateTime(wall_clock(item.data(MOMENT_ROLE).astimezone(self._zone)))


class FollowUpDialog(QDialog):
    """A new follow-up for a contact: what to do, when, and a note. ``created`` holds it."""

    def __init__(
        self,
        followups: FollowUpService,
        contacts: ContactService,
        clock: Clock,
        contact_id: int | None = None,
        contact_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("followUpDialog")
        self.setWindowTitle(self.tr("New follow-up"))
        self._followups = followups
        self._contacts = contacts
        self.contact_id = contact_id
        self.created: FollowUp | None = None

        form = QFormLayout()
        if contact_id is not None:
            who = QLabel(f"<b>{contact_name}</b>")
            who.setTextFormat(Qt.TextFormat.RichText)
            form.addRow(self.tr("Contact:"), who)
            self.search = None
            self.results = None
        else:
            self.search = QLineEdit()
            self.search.setObjectName("followUpContactSearch")
            self.search.setPlaceholderText(self.tr("Type a name, company or phone…"))
            self.results = QListWidget()
            self.results.setObjectName("followUpContactResults")
            self.results.setFixedHeight(120)
            box = QVBoxLayout()
            box.addWidget(self.search)
            box.addWidget(self.results)
            form.addRow(self.tr("Contact:"), box)
            self._search_timer = QTimer(self, singleShot=True, interval=150)
            self._search_timer.timeout.connect(self._find_contacts)
            self.search.textChanged.connect(lambda _t: self._search_timer.start())
            self.results.currentItemChanged.connect(self._on_contact_chosen)
        self.kind = QComboBox()
        self.kind.setObjectName("followUpKind")
        for kind in ReminderKind:
            self.kind.addItem(reminder_kind_label(kind), str(kind))
        form.addRow(self.tr("To do:"), self.kind)
        self.when = WhenPicker(followups, clock)
        form.addRow(self.tr("When:"), self.when)
        self.text = QLineEdit()
        self.text.setObjectName("followUpText")
        self.text.setPlaceholderText(self.tr("What to remember, e.g. send the price list first"))
        form.addRow(self.tr("Note:"), self.text)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Add follow-up"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.when.choose_row(min(1, self.when.picks.count() - 1))  # tomorrow morning
        if self.search is not None:
            self.search.setFocus()
            self._find_contacts()

    def _find_contacts(self) -> None:
        assert self.results is not None and self.search is not None
        self.results.clear()
        query = ContactQuery(text=self.search.text().strip())
        for row in self._contacts.page(query, 0, SEARCH_LIMIT):
            label = row.name or row.company
            if row.company and row.company != label:
                label = f"{label} — {row.company}"
            item = QListWidgetItem(label)
            item.setData(CONTACT_ROLE, row.id)
            self.results.addItem(item)

    def _on_contact_chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        self.contact_id = item.data(CONTACT_ROLE) if item is not None else None

    def set_kind(self, kind: ReminderKind) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(str(kind)), 0))

    def accept(self) -> None:
        """Save; on a problem say so and stay open with everything typed still there."""
        if self.contact_id is None:
            self.problem.setText(self.tr("Choose the contact this follow-up is about."))
            self.problem.show()
            return
        try:
            self.created = self._followups.create(
                self.contact_id, self.when.when(), self.kind.currentData(), self.text.text()
            )
        except UserFacingError as error:
            show_error(self, error)
            return
        super().accept()


class RescheduleDialog(QDialog):
    """Move one follow-up to another time; ``moved`` holds it afterwards."""

    def __init__(
        self,
        followups: FollowUpService,
        clock: Clock,
        follow_up: FollowUp,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rescheduleDialog")
        self.setWindowTitle(self.tr("Reschedule"))
        self._followups = followups
        self._follow_up = follow_up
        self.moved: FollowUp | None = None
        who = follow_up.contact_name or follow_up.company
        if follow_up.company and follow_up.company != who:
            who = f"{who} ({follow_up.company})"
        question = QLabel(
            self.tr("{action}: when?").format(action=reminder_action_text(follow_up.kind, who))
        )
        question.setWordWrap(True)
        question.setStyleSheet("font-weight: bold;")
        was = QLabel(
            self.tr("Was due {when}").format(
                when=when_words(follow_up.due_at.astimezone(followups.zone))
            )
        )
        was.setStyleSheet("color: #667;")
        self.when = WhenPicker(followups, clock)
        # The first pick chosen and shown as chosen: a list focused with nothing chosen would
        # pick its first row by itself and change the time behind the rep's back.
        self.when.choose_row(0)
        self.setMinimumWidth(380)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Move"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(was)
        layout.addWidget(self.when)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            self.moved = self._followups.reschedule(self._follow_up.id, self.when.when())
        except UserFacingError as error:
            show_error(self, error)
            return
        super().accept()
