"""The qualifying questions, answered during the conversation without leaving the call screen.

One question per row. The row with the focus takes single keys — Y, N, U for yes / no / don't
know, digits for choices — and moves on by itself, so a rep answers while listening. Each row
has a free note (Tab reaches it; typing there never answers anything). What the contact *did*
is ticked below, because the engagement score reads behaviour, not impressions.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.qualification import (
    Criterion,
    Engagement,
    QualificationResult,
    Question,
    QuestionKind,
    Questionnaire,
)
from prospector.domain.stages import Stage
from prospector.ui.labels import (
    answer_label,
    criterion_label,
    engagement_label,
    stage_definition,
    stage_label,
    temperature_definition,
    temperature_label,
)
from prospector.ui.widgets.key_button import KeyButton

UNKNOWN = "unknown"
_ROW_STYLE = (
    "QFrame#questionRow { background: #ffffff; border: 1px solid #e1e6ec; border-radius: 6px; }"
    'QFrame#questionRow[current="true"] { background: #f0f6fd; border: 1px solid #8fb3de; }'
)
_ANSWER_STYLE = (
    "KeyButton { background: #ffffff; border: 1px solid #c9d2dc; border-radius: 5px; }"
    "KeyButton:hover { background: #f3f6f9; }"
    'KeyButton[answer="yes"]:checked { background: #dff1e2; border-color: #6fae7b; }'
    'KeyButton[answer="no"]:checked { background: #fbe4e1; border-color: #d08a80; }'
    'KeyButton[answer="unknown"]:checked { background: #eceff2; border-color: #9aa5b1; }'
    'KeyButton[answer="choice"]:checked { background: #dde9f7; border-color: #6d97c9; }'
)


class QuestionRow(QFrame):
    """One question: its answer buttons, its note, and the keys that answer it."""

    advanced = Signal()  # answered (or Enter): the panel moves to the next row
    moved = Signal(int)  # -1 or +1: the arrow keys

    def __init__(self, number: int, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.setObjectName("questionRow")
        self.setProperty("current", False)
        self.setStyleSheet(_ROW_STYLE + _ANSWER_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._answer: object = None
        self.buttons: dict[str, KeyButton] = {}
        self._keys: dict[str, str] = {}  # key text -> answer
        self.value_edit: QLineEdit | None = None

        prompt = QLabel(f"{number}.  {question.prompt}")
        prompt.setObjectName("questionPrompt")
        prompt.setWordWrap(True)
        prompt.setStyleSheet("border: none; background: transparent; font-weight: bold;")
        self.note = QLineEdit()
        self.note.setObjectName(f"note_{question.key}")
        self.note.setPlaceholderText(
            self.tr("Who decides? Name and role (Tab)")
            if question.criterion == Criterion.AUTHORITY
            else self.tr("Note (Tab)")
        )
        self.note.returnPressed.connect(self.advanced)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(prompt)
        if question.kind in (QuestionKind.YES_NO, QuestionKind.CHOICE):
            layout.addLayout(self._build_buttons())
        else:
            self.value_edit = QLineEdit()
            self.value_edit.setObjectName(f"value_{question.key}")
            self.value_edit.setPlaceholderText(
                self.tr("A number") if question.kind == QuestionKind.NUMBER else self.tr("Answer")
            )
            self.value_edit.returnPressed.connect(self.advanced)
            self.setFocusProxy(self.value_edit)
            layout.addWidget(self.value_edit)
        layout.addWidget(self.note)

    def _build_buttons(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        if self.question.kind == QuestionKind.YES_NO:
            answers = [
                ("yes", self.tr("Y"), self.tr("Yes"), "yes"),
                ("no", self.tr("N"), self.tr("No"), "no"),
                (UNKNOWN, self.tr("U"), self.tr("Don't know"), UNKNOWN),
            ]
            columns = 3
        else:
            answers = [
                (choice, str(i + 1), choice, "choice")
                for i, choice in enumerate(self.question.choices[:9])
            ]
            answers.append((UNKNOWN, self.tr("U"), self.tr("Don't know"), UNKNOWN))
            # Short choices side by side; long ones one per line, so none is cut off.
            columns = 2 if max((len(c) for c in self.question.choices), default=0) <= 16 else 1
        for i, (value, key, text, style) in enumerate(answers):
            button = KeyButton(key, text)
            button.setObjectName(f"answer_{self.question.key}_{value}")
            button.setCheckable(True)
            button.setProperty("answer", style)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, v=value: self._on_clicked(v))
            self.buttons[value] = button
            self._keys[key.upper()] = value
            grid.addWidget(button, i // columns, i % columns)
        grid.setColumnStretch(columns, 1)
        return grid

    # -- the answer ---------------------------------------------------------------------------

    def answer(self) -> object:
        """The answer as the qualification rules read it, or None when not answered."""
        if self.value_edit is not None:
            text = self.value_edit.text().strip()
            if not text:
                return None
            return _number(text) if self.question.kind == QuestionKind.NUMBER else text
        return self._answer

    def set_answer(self, value: object) -> None:
        self._answer = value
        for key, button in self.buttons.items():
            button.setChecked(key == value)

    def _on_clicked(self, value: str) -> None:
        self.setFocus()
        self.set_answer(None if self._answer == value else value)

    # -- keys -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Up:
            self.moved.emit(-1)
        elif key == Qt.Key.Key_Down:
            self.moved.emit(1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.advanced.emit()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.buttons:
            self.set_answer(None)
        elif (
            self.buttons
            and event.text().upper() in self._keys
            and not (event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier)
        ):
            self.set_answer(self._keys[event.text().upper()])
            self.advanced.emit()
        else:
            super().keyPressEvent(event)

    def set_current(self, current: bool) -> None:
        if self.property("current") != current:
            self.setProperty("current", current)
            self.style().unpolish(self)
            self.style().polish(self)


class QuestionnairePanel(QFrame):
    """The questions for the contact on the line; Save (Ctrl+Enter) hands them to the page."""

    save_requested = Signal()
    dismiss_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionnairePanel")
        self.setStyleSheet(
            "QFrame#questionnairePanel { background: #f7f9fb; border: 1px solid #cfdbe8;"
            " border-radius: 6px; }"
        )
        self.rows: list[QuestionRow] = []
        self.questionnaire: Questionnaire | None = None
        self._build_ui()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def _build_ui(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("questionnaireTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold; border: none;")
        hint = QLabel(
            self.tr(
                "Keys answer the highlighted question: Y yes, N no, U don't know, digits for "
                "choices. ↑ ↓ move, Tab reaches its note."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6b78; border: none;")

        self.rows_box = QWidget()
        self.rows_box.setObjectName("questionRows")
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 4, 0)
        self.rows_layout.setSpacing(6)
        self.rows_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setStyleSheet("QScrollArea { background: transparent; border: none; }")
        self.scroll.viewport().setStyleSheet("background: transparent;")
        self.rows_box.setStyleSheet("QWidget#questionRows { background: transparent; }")
        self.scroll.setWidget(self.rows_box)

        did = QLabel(self.tr("What did they do?"))
        did.setStyleSheet("font-weight: bold; border: none;")
        did.setToolTip(
            self.tr("The engagement score counts what the contact did, not how they sounded.")
        )
        self.engagement_boxes: dict[Engagement, QCheckBox] = {}
        checks = QGridLayout()
        checks.setHorizontalSpacing(16)
        for i, engagement in enumerate(Engagement):
            box = QCheckBox(engagement_label(engagement))
            box.setObjectName(f"engagement_{engagement.value}")
            self.engagement_boxes[engagement] = box
            checks.addWidget(box, i // 2, i % 2)

        self.dismiss_button = QPushButton(self.tr("Close without answers"))
        self.dismiss_button.setObjectName("dismissQuestionnaire")
        self.dismiss_button.setToolTip(
            self.tr("Log the conversation without qualifying the contact now")
        )
        self.dismiss_button.clicked.connect(self.dismiss_requested)
        self.save_button = QPushButton(self.tr("Save  (Ctrl+Enter)"))
        self.save_button.setObjectName("saveQuestionnaire")
        self.save_button.setStyleSheet(
            "QPushButton { background: #2f6db5; color: white; font-weight: bold;"
            " padding: 7px 16px; border-radius: 5px; border: none; }"
            "QPushButton:hover { background: #285f9e; }"
        )
        self.save_button.clicked.connect(self.save_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dismiss_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addWidget(hint)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(did)
        layout.addLayout(checks)
        layout.addSpacing(4)
        layout.addLayout(buttons)

        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save_requested)

    # -- filling ----------------------------------------------------------------------------------

    def start(self, questionnaire: Questionnaire, contact_name: str) -> None:
        """Fresh rows for a new conversation; 'answered' is ticked, they did pick up."""
        self.questionnaire = questionnaire
        self.title.setText(self.tr("Questions for {name}").format(name=contact_name))
        for row in self.rows:
            self.rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for number, question in enumerate(questionnaire.questions, start=1):
            row = QuestionRow(number, question)
            row.advanced.connect(lambda r=row: self._move_from(r, 1))
            row.moved.connect(lambda step, r=row: self._move_from(r, step))
            self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
            self.rows.append(row)
        for engagement, box in self.engagement_boxes.items():
            box.setChecked(engagement == Engagement.ANSWERED)
        self._fix_tab_order()

    def _fix_tab_order(self) -> None:
        """Row, its answer field, its note, the next row…, then the checkboxes and buttons."""
        chain: list[QWidget] = []
        for row in self.rows:
            chain.append(row.value_edit or row)
            chain.append(row.note)
        chain += list(self.engagement_boxes.values())
        chain += [self.dismiss_button, self.save_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def focus_first(self) -> None:
        if self.rows:
            self.rows[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _move_from(self, row: QuestionRow, step: int) -> None:
        index = self.rows.index(row) + step
        if index < 0:
            return
        if index >= len(self.rows):
            next(iter(self.engagement_boxes.values())).setFocus(Qt.FocusReason.TabFocusReason)
            return
        self.rows[index].setFocus(Qt.FocusReason.TabFocusReason)

    def _on_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        for row in self.rows:
            current = now is not None and (now is row or row.isAncestorOf(now))
            row.set_current(current)
            if current:
                self.scroll.ensureWidgetVisible(row, 0, 8)

    # -- reading ----------------------------------------------------------------------------------

    def answers(self) -> dict[str, object]:
        return {row.question.key: a for row in self.rows if (a := row.answer()) is not None}

    def notes(self) -> dict[str, str]:
        return {row.question.key: n for row in self.rows if (n := row.note.text().strip())}

    def engagement(self) -> list[Engagement]:
        return [e for e, box in self.engagement_boxes.items() if box.isChecked()]

    def row(self, key: str) -> QuestionRow:
        return next(r for r in self.rows if r.question.key == key)

    # -- the result -------------------------------------------------------------------------------

    def summary_html(self, result: QualificationResult, name: str) -> str:
        """Two lines for the status: the stage and why, then fit, engagement and temperature."""
        first = self.tr("Saved: {name} — {stage}.").format(
            name=escape(name), stage=f"<b>{escape(stage_label(result.stage))}</b>"
        )
        if result.stage == Stage.LEAD and result.missing:
            first += " " + self.tr("Still to learn: {what}.").format(
                what=escape(", ".join(criterion_label(c) for c in result.missing))
            )
        elif result.stage == Stage.DISQUALIFIED:
            first += " " + self.tr("Why: {answers}.").format(
                answers=escape("; ".join(self._answer_words(key) for key in result.reasons))
            )
        second = self.tr("Fit {grade} · engagement {score}/100 · {temperature}.").format(
            grade=result.fit_grade,
            score=result.engagement,
            temperature=escape(temperature_label(result.temperature)),
        )
        return f"{first}<br>{second}"

    def _answer_words(self, key: str) -> str:
        """'“No” to “Is the company in our target market…?”' for a question's given answer."""
        prompt = self.questionnaire.question(key).prompt if self.questionnaire else key
        answer = str(self.answers().get(key, ""))
        return self.tr("“{answer}” to “{question}”").format(
            answer=answer_label(answer), question=prompt
        )

    @staticmethod
    def summary_tip(result: QualificationResult) -> str:
        """The stage's and the temperature's definitions, as the summary's tooltip."""
        return (
            f"{stage_label(result.stage)}: {stage_definition(result.stage)}\n"
            f"{temperature_label(result.temperature)}: "
            f"{temperature_definition(result.temperature)}"
        )


def _number(text: str) -> int | float | None:
    """A typed number ('12', '1 500', '2,5'); None when it is not one: it counts as unanswered."""
    compact = text.replace(" ", "").replace("\u00a0", "")
    try:
        return int(compact)
    except ValueError:
        pass
    try:
        return float(compact.replace(",", "."))
    except ValueError:
        return None
