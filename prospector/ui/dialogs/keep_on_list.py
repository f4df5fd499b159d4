"""'May we keep you on the list?': the question a rep asks before hanging up on a no.

A contact who says "not now" may say yes in three months; one who says "never call me again"
must never be called again. The rep asks, and the answer decides which.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.clock import Clock

NURTURE_DEFAULT = timedelta(days=91)  # about three months
TRY_AGAIN_AT = time(9, 0)


class KeepOnListDialog(QDialog):
    """Yes (the default): try again on a date. No: the contact goes on the do-not-call list."""

    def __init__(self, contact_name: str, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keepOnListDialog")
        self.setWindowTitle(self.tr("Not interested"))
        self._build_ui(contact_name, clock())
        self.until.dateChanged.connect(lambda _d: self.keep.setChecked(True))

    def _build_ui(self, contact_name: str, now: datetime) -> None:
        question = QLabel(
            self.tr("Ask {name}: “May we keep you on our list?”").format(name=contact_name)
        )
        question.setWordWrap(True)
        question.setStyleSheet("font-size: 12pt; font-weight: bold;")
        hint = QLabel(self.tr("Up and Down arrows to choose, Enter to confirm."))
        hint.setStyleSheet("color: #667;")

        self.keep = QRadioButton(self.tr("Yes — try again from"))
        self.keep.setObjectName("keepYes")
        self.until = QDateEdit()
        self.until.setObjectName("keepUntil")
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("ddd d MMM yyyy")
        local = now.astimezone()
        self.until.setMinimumDate(QDate(local.year, local.month, local.day).addDays(1))
        later = local + NURTURE_DEFAULT
        self.until.setDate(QDate(later.year, later.month, later.day))
        self.never = QRadioButton(self.tr("No — never call again (do-not-call list)"))
        self.never.setObjectName("keepNo")
        group = QButtonGroup(self)
        group.addButton(self.keep)
        group.addButton(self.never)
        self.keep.setChecked(True)

        choices = QGridLayout()
        choices.addWidget(self.keep, 0, 0)
        choices.addWidget(self.until, 0, 1)
        choices.addWidget(self.never, 1, 0, 1, 2)
        choices.setColumnStretch(2, 1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(hint)
        layout.addSpacing(6)
        layout.addLayout(choices)
        layout.addWidget(buttons)
        self.keep.setFocus()

    def keep_on_list(self) -> bool:
        return self.keep.isChecked()

    def nurture_until(self) -> datetime | None:
        """The morning to try again (aware, UTC), or None when the contact said never."""
        if not self.keep_on_list():
            return None
        day = self.until.date().toPython()
        local = datetime.combine(day, TRY_AGAIN_AT).astimezone()
        return local.astimezone(UTC)
