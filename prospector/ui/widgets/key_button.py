"""A button that shows its keyboard key as a small key cap, so the key is learnt by looking.

The call queue is worked with the keyboard for hours; a rep who sees "1" on the No answer
button every time stops reaching for the mouse within a few calls.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

KEY_CAP_STYLE = (
    "QLabel#keyCap { background: #ffffff; color: #44505e; border: 1px solid #b8c2cc;"
    " border-bottom-width: 2px; border-radius: 4px; padding: 0px 5px; font-weight: bold; }"
)


def key_cap(key: str) -> QLabel:
    """A small label drawn like a key on a keyboard."""
    cap = QLabel(key)
    cap.setObjectName("keyCap")
    cap.setStyleSheet(KEY_CAP_STYLE)
    cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
    cap.setMinimumWidth(cap.fontMetrics().horizontalAdvance("MM") + 4)
    cap.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return cap


class KeyButton(QPushButton):
    """A push button laid out as [key cap] text, left-aligned, with room for a long label.

    The button keeps its own text empty (the labels draw it) but sets the accessible name, so
    screen readers and tests still find it by its words.
    """

    def __init__(self, key: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.cap = key_cap(key)
        self.label = QLabel(text)
        self.label.setObjectName("keyButtonText")
        self.label.setStyleSheet("background: transparent;")
        for child in (self.cap, self.label):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(8)
        layout.addWidget(self.cap)
        layout.addWidget(self.label, 1)
        self.setAccessibleName(text)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)

    def text(self) -> str:
        return self.label.text()

    def sizeHint(self) -> QSize:
        inner = self.layout().sizeHint()
        return QSize(inner.width() + 4, max(inner.height() + 6, 34))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()
