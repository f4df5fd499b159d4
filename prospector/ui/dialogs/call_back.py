"""When to call back: a handful of quick picks chosen with the arrow keys, or any date and time.

The contact usually says "tomorrow morning" or "next week"; turning that into a date by hand is
where call-backs get lost, so the usual answers are one key away and Enter takes the one
already chosen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import Enum

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.clock import Clock

MORNING = time(9, 0)
LATER_TODAY_IN = timedelta(hours=2)
PICK_ROLE = Qt.ItemDataRole.UserRole + 1


class QuickPick(Enum):
    LATER_TODAY = "later_today"
    TOMORROW_MORNING = "tomorrow_morning"
    NEXT_WEEK = "next_week"
    IN_A_MONTH = "in_a_month"
    OTHER = "other"


def _morning_of(day: date) -> datetime:
    """9:00 on that day in the rep's time zone, with that day's offset (summer time too)."""
    return datetime.combine(day, MORNING).astimezone()


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):  # 31 January -> the last day of February
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def quick_picks(now: datetime) -> list[tuple[QuickPick, datetime]]:
    """The usual call-back times from ``now``, in the rep's own time zone.

    "Later today" is two hours on, rounded up to the quarter hour, and left out when that is
    already tomorrow; mornings are at 9:00; "next week" is next Monday morning.
    """
    today = now.astimezone().date()
    later = (now + LATER_TODAY_IN).astimezone()
    later += timedelta(minutes=(-later.minute) % 15)
    later = later.replace(second=0, microsecond=0)
    picks: list[tuple[QuickPick, datetime]] = []
    if later.date() == today:
        picks.append((QuickPick.LATER_TODAY, later))
    picks.append((QuickPick.TOMORROW_MORNING, _morning_of(today + timedelta(days=1))))
    monday = today + timedelta(days=7 - today.weekday())
    picks.append((QuickPick.NEXT_WEEK, _morning_of(monday)))
    picks.append((QuickPick.IN_A_MONTH, _morning_of(_add_month(today))))
    return picks


def to_qdatetime(moment: datetime) -> QDateTime:
    """A Qt date-time showing ``moment`` in the local time zone."""
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))


def from_qdatetime(value: QDateTime) -> datetime:
    """An aware UTC datetime from a Qt date-time (which the edit shows in local time)."""
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


class CallBackDialog(QDialog):
    """Asks when to call a contact back; ``when()`` is the chosen moment, in UTC."""

    def __init__(self, contact_name: str, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callBackDialog")
        self.setWindowTitle(self.tr("Call back"))
        self._now = clock()
        self._moments: dict[str, datetime] = {}
        self._build_ui(contact_name)
        self.other.dateTimeChanged.connect(self._on_other_edited)
        # Not itemActivated: Enter already reaches the OK button, and accepting twice logs twice.
        self.picks.itemDoubleClicked.connect(lambda _item: self.accept())

    def _build_ui(self, contact_name: str) -> None:
        question = QLabel(self.tr("When should you call {name} back?").format(name=contact_name))
        question.setWordWrap(True)
        question.setStyleSheet("font-size: 12pt; font-weight: bold;")
        hint = QLabel(
            self.tr("Arrow keys to choose, Enter to confirm. Tab reaches another day and time.")
        )
        hint.setStyleSheet("color: #667;")

        self.picks = QListWidget()
        self.picks.setObjectName("callBackPicks")
        self.picks.setStyleSheet("QListWidget::item { padding: 6px; }")
        names = {
            QuickPick.LATER_TODAY: self.tr("Later today"),
            QuickPick.TOMORROW_MORNING: self.tr("Tomorrow morning"),
            QuickPick.NEXT_WEEK: self.tr("Next week"),
            QuickPick.IN_A_MONTH: self.tr("In a month"),
        }
        for pick, moment in quick_picks(self._now):
            item = QListWidgetItem(f"{names[pick]}  —  {_when_words(moment)}")
            item.setData(PICK_ROLE, pick.value)
            self._moments[pick.value] = moment
            self.picks.addItem(item)
        other = QListWidgetItem(self.tr("Another day and time (below)"))
        other.setData(PICK_ROLE, QuickPick.OTHER.value)
        self.picks.addItem(other)
        self.picks.setMinimumWidth(self.picks.sizeHintForColumn(0) + 40)
        self.picks.setFixedHeight(self.picks.sizeHintForRow(0) * self.picks.count() + 8)

        self.other = QDateTimeEdit()
        self.other.setObjectName("callBackOther")
        self.other.setCalendarPopup(True)
        self.other.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.other.setMinimumDateTime(to_qdatetime(self._now))
        self.other.setDateTime(to_qdatetime(quick_picks(self._now)[-1][1]))

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Set call-back"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(hint)
        layout.addWidget(self.picks)
        layout.addWidget(self.other)
        layout.addWidget(buttons)
        self.picks.setCurrentRow(self._row_of(QuickPick.TOMORROW_MORNING))
        self.picks.setFocus()

    def _row_of(self, pick: QuickPick) -> int:
        for row in range(self.picks.count()):
            if self.picks.item(row).data(PICK_ROLE) == pick.value:
                return row
        return 0

    def _on_other_edited(self, _value: QDateTime) -> None:
        if self.other.hasFocus():
            self.picks.setCurrentRow(self._row_of(QuickPick.OTHER))

    def when(self) -> datetime:
        """The chosen call-back moment (aware, UTC)."""
        item = self.picks.currentItem()
        if item is not None and item.data(PICK_ROLE) in self._moments:
            return self._moments[item.data(PICK_ROLE)].astimezone(UTC)
        return from_qdatetime(self.other.dateTime())


def _when_words(moment: datetime) -> str:
    """'Tue 17 Mar, 09:00' in the rep's locale (day and month names come from Qt)."""
    return QLocale().toString(to_qdatetime(moment), "ddd d MMM, HH:mm")
