"""Desktop notifications for follow-ups coming due while Prospector runs.

A rep works in other programs between calls; a call-back promised for 15:00 must reach them
there, so a timer looks for reminders that fell due since its last look and shows a system-tray
message, which opens the contact when clicked. Time comes from the clock passed in, never the
wall, so tests move it by hand. Where the system has no tray (offscreen tests, some Linux
desktops) the signals still fire and the text is kept in ``last_message``: nothing fails.

The start (``missed_since_last_run``) and closing record the check, so that at the next start
only what fell due while Prospector was closed counts as missed. The timer itself never writes:
an import may hold the database for minutes. After a crash, what was shown since the start is
shown once more as missed: shown twice rather than lost.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from prospector.domain.clock import Clock
from prospector.services.followups import FollowUp, FollowUpService
from prospector.ui.labels import reminder_action_text

log = logging.getLogger(__name__)

CHECK_MS = 20_000
"""How often to look: a reminder shows within this long of its time."""
MESSAGE_MS = 15_000


class ReminderNotifier(QObject):
    """Watches for follow-ups coming due and raises one desktop message per occurrence."""

    reminder_due = Signal(object)  # FollowUp
    open_contact_requested = Signal(int)
    checked = Signal()  # after each look: the window's badge can follow

    def __init__(
        self,
        followups: FollowUpService,
        clock: Clock,
        parent: QObject | None = None,
        icon: QIcon | None = None,
        interval_ms: int = CHECK_MS,
    ) -> None:
        super().__init__(parent)
        self._followups = followups
        self._clock = clock
        self._since: datetime | None = None
        self._shown: set[tuple[int, datetime]] = set()
        self.last_title = ""
        self.last_message = ""
        self.last_contact_id: int | None = None
        self.missed: list[FollowUp] = []
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon or _default_icon(), self)
            self.tray.setToolTip(self.tr("Prospector"))
            self.tray.messageClicked.connect(self.on_message_clicked)
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self, missed: list[FollowUp]) -> list[FollowUp]:
        """Watch from now on. ``missed`` (what fell due while closed) is found by the caller,
        off the UI thread with the start-up's other writes; returns it."""
        self.missed = missed
        self._since = self._clock()
        if self.tray is not None:
            self.tray.show()
        self.timer.start()
        return self.missed

    def stop(self, *, record: bool = True) -> None:
        """On close: what came due until now was seen, so it is not 'missed' next time
        (``record=False`` when the database must not be written, e.g. found damaged)."""
        started = self.timer.isActive()
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()
        if started and record:
            self._followups.record_check(self._clock())

    def check(self) -> list[FollowUp]:
        """Tell about each follow-up that fell due since the last look; returns them."""
        now = self._clock()
        since = self._since if self._since is not None else now
        fresh = [
            f
            for f in self._followups.came_due(since, now)
            if (f.id, f.due_at) not in self._shown
        ]
        for follow_up in fresh:
            self._shown.add((follow_up.id, follow_up.due_at))  # a snoozed one may come again
            self.reminder_due.emit(follow_up)
        if fresh:
            self._notify(fresh)
        self._since = now  # recorded in the database on close: no write here, so a long import
        self.checked.emit()  # holding the database cannot make this timer wait or fail
        return fresh

    def _notify(self, fresh: list[FollowUp]) -> None:
        first = fresh[0]
        who = first.contact_name or first.company
        if first.company and first.company != who:
            who = f"{who} ({first.company})"
        line = self.tr("{action} — now").format(action=reminder_action_text(first.kind, who))
        if len(fresh) > 1:
            line += self.tr(", and {n} more").format(n=len(fresh) - 1)
        elif first.text:
            line += f"\n{first.text}"
        self.last_title = self.tr("Follow-up due")
        self.last_message = line
        self.last_contact_id = first.contact_id
        log.info("Follow-up %s came due", first.id)
        if self.tray is not None:
            self.tray.showMessage(
                self.last_title, line, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS
            )

    def on_message_clicked(self) -> None:
        """The rep clicked the message: open the contact it named."""
        if self.last_contact_id is not None:
            self.open_contact_requested.emit(self.last_contact_id)


def _default_icon() -> QIcon:
    """The window's icon when it has one (a tray entry without an icon is not shown)."""
    app = QApplication.instance()
    icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
    if icon.isNull() and isinstance(app, QApplication):
        icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
    return icon
