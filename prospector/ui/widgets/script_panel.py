"""The call script beside the contact card, filled in for the contact being called.

Read top to bottom during the call: the opening, why it matters to them, the usual objections
with their answers, and the call to action and close every presentation ends with.
"""

from __future__ import annotations

from html import escape, unescape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from prospector.services.call_queue import CallScript

_SECTION = (
    "<p style='margin:10px 0 2px 0; color:#5a6b7d; font-size:9pt; font-weight:bold;"
    " letter-spacing:1px;'>{title}</p><p style='margin:0 0 4px 0;'>{body}</p>"
)
_OBJECTION = (
    "<p style='margin:6px 0 0 0;'><i>“{said}”</i></p>"
    "<p style='margin:0 0 0 12px; color:#1d4f8a;'>→ {answer}</p>"
)


class ScriptPanel(QFrame):
    """Shows a filled script; "Edit script…" asks the page to open the editor."""

    edit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptPanel")
        self.setStyleSheet(
            "QFrame#scriptPanel { background: #fbfcfd; border: 1px solid #dde3ea;"
            " border-radius: 6px; }"
        )
        title = QLabel(self.tr("Script"))
        title.setStyleSheet("font-size: 12pt; font-weight: bold; border: none;")
        self.edit_button = QPushButton(self.tr("Edit script…"))
        self.edit_button.setObjectName("editScript")
        self.edit_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.edit_button.setToolTip(self.tr("Change this list's script; every contact uses it"))
        self.edit_button.clicked.connect(self.edit_requested)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.edit_button)

        self.text = QLabel()
        self.text.setObjectName("scriptText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("QLabel { border: none; background: transparent; }")
        self.text.setContentsMargins(2, 0, 6, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet("QScrollArea { background: transparent; border: none; }")
        scroll.viewport().setStyleSheet("background: transparent;")
        scroll.setWidget(self.text)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 8, 10)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)

    def show_script(self, script: CallScript) -> None:
        parts = [
            _SECTION.format(title=self.tr("OPENING"), body=_html(script.opening)),
            _SECTION.format(title=self.tr("WHY IT MATTERS TO THEM"), body=_html(script.value)),
        ]
        if script.objections:
            parts.append(_SECTION.format(title=self.tr("IF THEY SAY…"), body=""))
            parts += [
                _OBJECTION.format(said=_html(said), answer=_html(answer))
                for said, answer in script.objections
            ]
        parts.append(
            _SECTION.format(title=self.tr("CALL TO ACTION AND CLOSE"), body=_html(script.close))
        )
        self.text.setText("".join(parts))

    def plain_text(self) -> str:
        """The script as shown, without markup (for tests and the accessibility tree)."""
        doc = self.text.text()
        return _strip_tags(doc)


def _html(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _strip_tags(html: str) -> str:
    out, inside = [], False
    for char in html:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
            out.append(" ")
        elif not inside:
            out.append(char)
    return " ".join(unescape("".join(out)).split())
