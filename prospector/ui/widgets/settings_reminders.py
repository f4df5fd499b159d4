"""Settings page: whether Prospector keeps running in the system tray to bring reminders.

A rep who closes the window still wants the 14:00 call-back to pop up. This is the computer's
business, not the office's, so it lives in QSettings rather than in the database.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QSystemTrayIcon, QVBoxLayout, QWidget

KEEP_IN_TRAY_KEY = "reminders/keep_in_tray"
_HINT_STYLE = "color: #5f6b78;"


def keeps_running_in_tray(settings: QSettings) -> bool:
    """The rep asked for it, and this desktop has a tray to keep it in."""
    wanted = str(settings.value(KEEP_IN_TRAY_KEY, "false")).lower() == "true"
    return wanted and QSystemTrayIcon.isSystemTrayAvailable()


class RemindersPage(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._baseline = False
        self.keep_in_tray = QCheckBox(
            self.tr("Keep Prospector running in the system tray when I close or minimise it")
        )
        self.keep_in_tray.setObjectName("keepInTray")
        hint = QLabel(
            self.tr(
                "Follow-up reminders then still pop up while the window is closed. Click the "
                "tray icon to bring the window back; to stop Prospector, choose Quit in the "
                "File menu or in the tray icon's menu."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(_HINT_STYLE)
        self.no_tray = QLabel(
            self.tr(
                "This desktop has no system tray, so Prospector stops when its window is closed."
            )
        )
        self.no_tray.setObjectName("noTray")
        self.no_tray.setWordWrap(True)
        self.no_tray.setStyleSheet("color: #8a5a00;")
        available = QSystemTrayIcon.isSystemTrayAvailable()
        self.keep_in_tray.setEnabled(available)
        self.no_tray.setVisible(not available)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(self.keep_in_tray)
        layout.addWidget(hint)
        layout.addWidget(self.no_tray)
        layout.addStretch(1)
        self.keep_in_tray.toggled.connect(lambda _on: self.changed.emit())

    def load(self, settings: QSettings) -> None:
        self._baseline = str(settings.value(KEEP_IN_TRAY_KEY, "false")).lower() == "true"
        self.keep_in_tray.setChecked(self._baseline)

    def is_modified(self) -> bool:
        return self.keep_in_tray.isChecked() != self._baseline

    def save(self, settings: QSettings) -> None:
        settings.setValue(KEEP_IN_TRAY_KEY, "true" if self.keep_in_tray.isChecked() else "false")
        self._baseline = self.keep_in_tray.isChecked()
