"""Why skip this contact? A reason is required, so skipping stays a choice and not a habit.

The queue leads the rep through every lead; a skipped contact comes back after the skip wait,
and the reason is kept as a note on the contact.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class SkipDialog(QDialog):
    """Asks a reason for skipping; OK stays disabled until one is typed."""

    def __init__(self, contact_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skipDialog")
        self.setWindowTitle(self.tr("Skip"))
        question = QLabel(self.tr("Why skip {name} for now?").format(name=contact_name))
        question.setStyleSheet("font-size: 12pt; font-weight: bold;")
        hint = QLabel(
            self.tr(
                "The contact comes back in the queue a little later. The reason is kept as a "
                "note on the contact."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #667;")
        self.reason = QLineEdit()
        self.reason.setObjectName("skipReason")
        self.reason.setPlaceholderText(self.tr("e.g. lunch time in their office"))
        self.reason.setMinimumWidth(360)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Skip"))
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))

        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(hint)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def accept(self) -> None:
        if self.reason_text():  # Enter in an empty field must not skip without a reason
            super().accept()

    def reason_text(self) -> str:
        return self.reason.text().strip()
