"""The outcome buttons of the call screen, one key each, in two columns a rep reads at a glance.

Left, the calls that did not reach the contact; right, the ones that did. The key is drawn on
each button, so the keyboard is learnt by looking, and each button's tooltip says what follows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from prospector.domain.outcomes import CallOutcome
from prospector.ui.labels import outcome_definition, outcome_label
from prospector.ui.widgets.key_button import KeyButton

SKIP = "skip"

# (key, outcome) in reading order; the key is what the rep presses (D is translated).
NOT_REACHED: tuple[tuple[str, CallOutcome], ...] = (
    ("1", CallOutcome.NO_ANSWER),
    ("2", CallOutcome.BUSY),
    ("3", CallOutcome.VOICEMAIL),
    ("4", CallOutcome.WRONG_NUMBER),
    ("5", CallOutcome.GATEKEEPER),
)
REACHED: tuple[tuple[str, CallOutcome], ...] = (
    ("6", CallOutcome.CALL_BACK),
    ("7", CallOutcome.NOT_INTERESTED),
    ("8", CallOutcome.SEND_INFO),
    ("9", CallOutcome.TALKED),
    ("D", CallOutcome.DO_NOT_CALL),
)
ASKS_MORE = frozenset({CallOutcome.CALL_BACK, CallOutcome.NOT_INTERESTED, CallOutcome.DO_NOT_CALL})

_PAD_STYLE = (
    "KeyButton { background: #ffffff; border: 1px solid #c9d2dc; border-radius: 6px; }"
    "KeyButton:hover { background: #f1f5f9; border-color: #9fb0c2; }"
    "KeyButton:pressed { background: #e3eaf2; }"
    "KeyButton:disabled { background: #f6f7f8; border-color: #e1e5ea; }"
    "KeyButton#outcome_talked { background: #e9f5ec; border-color: #8cc29a; }"
    "KeyButton#outcome_talked:hover { background: #dcefe1; }"
    "KeyButton#outcome_do_not_call QLabel#keyButtonText { color: #9b2c2c; }"
)


class OutcomePad(QWidget):
    """Emits ``chosen`` with a CallOutcome value, or ``SKIP``."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomePad")
        self.setStyleSheet(_PAD_STYLE)
        self.buttons: dict[str, KeyButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        for column, (title, outcomes) in enumerate(
            ((self.tr("Did not reach them"), NOT_REACHED), (self.tr("Spoke with them"), REACHED))
        ):
            heading = QLabel(title)
            heading.setStyleSheet("color: #5a6b7d; font-weight: bold;")
            grid.addWidget(heading, 0, column)
            for row, (digit, outcome) in enumerate(outcomes, start=1):
                key = self.tr("D") if outcome == CallOutcome.DO_NOT_CALL else digit
                text = outcome_label(outcome)
                if outcome == CallOutcome.TALKED:
                    text = self.tr("Talked → questions")
                elif outcome in ASKS_MORE:
                    text += "…"
                button = self._button(key, text, outcome.value, outcome_definition(outcome))
                grid.addWidget(button, row, column)
        skip = self._button(
            self.tr("S"),
            self.tr("Skip for now…"),
            SKIP,
            self.tr("Put this contact aside for a while, with a reason. It comes back later."),
        )
        grid.addWidget(skip, len(NOT_REACHED) + 1, 0)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def _button(self, key: str, text: str, value: str, tip: str) -> KeyButton:
        button = KeyButton(key, text)
        button.setObjectName(f"outcome_{value}")
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # their keys are on them
        button.clicked.connect(lambda _checked=False, v=value: self.chosen.emit(v))
        self.buttons[value] = button
        return button

    def keys(self) -> dict[str, str]:
        """Key text -> outcome value (or SKIP), for the page's shortcuts."""
        return {button.key: value for value, button in self.buttons.items()}
