"""Editing the qualifying questions: add, remove, reorder, and say what each answer means.

The editor works on drafts and hands back a whole new ``Questionnaire``; the service saves it as
a new version, so answers already given stay with the version they were given to. A question
keeps its key when it is edited (its history lines up across versions); a new one gets a fresh
key made from its prompt. What may not be saved is decided by ``problems_in()`` in the domain;
this module only puts those problems into words.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.qualification import (
    MAX_WEIGHT,
    UNKNOWN_ANSWER,
    YES_NO_ANSWERS,
    Criterion,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireProblem,
    new_question_key,
    possible_answers,
)
from prospector.domain.stages import Stage
from prospector.ui.labels import answer_label, stage_label

_FIT_CRITERIA = (Criterion.MARKET, Criterion.BUDGET, Criterion.AUTHORITY)
_ANSWER, _POSITIVE, _DISQUALIFIES = 0, 1, 2
_PROBLEM_STYLE = (
    "QLabel#questionnaireProblems { background: #fdecea; border: 1px solid #e3a59c;"
    " border-radius: 5px; padding: 8px 10px; color: #6b1d12; }"
)
_HINT_STYLE = "color: #5f6b78;"


@dataclass
class DraftQuestion:
    """A question being edited. ``key`` is None for a question added here (made on saving)."""

    key: str | None
    prompt: str = ""
    kind: QuestionKind = QuestionKind.YES_NO
    criterion: Criterion | None = None
    weight: int = 1
    choices: list[str] = field(default_factory=list)
    positive: list[str] = field(default_factory=lambda: ["yes"])
    disqualifies_if: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, question: Question) -> DraftQuestion:
        draft = cls(
            key=question.key,
            prompt=question.prompt,
            kind=question.kind,
            criterion=question.criterion,
            weight=question.weight,
            choices=list(question.choices),
            positive=list(question.positive),
            disqualifies_if=list(question.disqualifies_if),
        )
        draft.sort_answers()
        return draft

    def answers(self) -> tuple[str, ...]:
        """The answers the call screen offers for this question (in that order)."""
        return possible_answers(self.question(self.key or ""))

    def sort_answers(self) -> None:
        """Positive and disqualifying answers in the order they are offered (for comparing)."""
        order = {a: i for i, a in enumerate(self.answers())}
        self.positive.sort(key=lambda a: order.get(a, len(order)))
        self.disqualifies_if.sort(key=lambda a: order.get(a, len(order)))

    def change_kind(self, kind: QuestionKind) -> None:
        """Keep what still makes sense for the new kind of answer, drop what cannot apply."""
        self.kind = kind
        if kind == QuestionKind.YES_NO:
            self.positive = [a for a in self.positive if a in YES_NO_ANSWERS] or ["yes"]
        elif kind == QuestionKind.CHOICE:
            self.positive = [a for a in self.positive if a in self.choices]
        if kind in (QuestionKind.NUMBER, QuestionKind.TEXT):
            self.disqualifies_if = []
        else:
            allowed = self.answers()
            self.disqualifies_if = [a for a in self.disqualifies_if if a in allowed]

    def question(self, key: str) -> Question:
        return Question(
            key=key,
            prompt=self.prompt.strip(),
            kind=self.kind,
            criterion=self.criterion,
            weight=self.weight,
            choices=tuple(c.strip() for c in self.choices)
            if self.kind == QuestionKind.CHOICE
            else (),
            positive=tuple(self.positive),
            disqualifies_if=tuple(self.disqualifies_if),
        )


class QuestionnaireEditor(QWidget):
    """The questions in order on the left, the selected one's details on the right."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original: Questionnaire | None = None
        self._baseline: list[DraftQuestion] = []
        self.drafts: list[DraftQuestion] = []
        self._loading = False
        self._build_ui()
        self._connect_signals()
        self._show_draft(None)

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.version_label = QLabel()
        self.version_label.setObjectName("questionnaireVersion")
        self.version_label.setWordWrap(True)
        self.version_label.setStyleSheet(_HINT_STYLE)

        self.problems = QLabel()
        self.problems.setObjectName("questionnaireProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.problems.setStyleSheet(_PROBLEM_STYLE)
        self.problems.hide()

        list_title = QLabel(self.tr("Questions, in the order the rep asks them"))
        list_title.setStyleSheet("font-weight: bold;")
        self.question_list = QListWidget()
        self.question_list.setObjectName("questionList")
        self.question_list.setWordWrap(False)  # two lines each: the prompt (elided), its facts
        self.question_list.setAlternatingRowColors(True)
        self.question_list.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        self.question_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.question_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.question_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.add_button = QPushButton(self.tr("Add a question"))
        self.add_button.setObjectName("addQuestion")
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeQuestion")
        self.remove_button.setToolTip(self.tr("Remove the selected question"))
        self.up_button = QPushButton(self.tr("Move up"))
        self.up_button.setObjectName("moveQuestionUp")
        self.up_button.setToolTip(self.tr("Ask the selected question earlier"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.down_button.setObjectName("moveQuestionDown")
        self.down_button.setToolTip(self.tr("Ask the selected question later"))
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.up_button)
        list_buttons.addWidget(self.down_button)
        left = QVBoxLayout()
        left.addWidget(list_title)
        left.addWidget(self.question_list, 1)
        left.addLayout(list_buttons)

        self.details = self._build_details()
        self.nothing_selected = QLabel(
            self.tr("Select a question on the left to change it, or add a new one.")
        )
        self.nothing_selected.setWordWrap(True)
        self.nothing_selected.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing_selected.setStyleSheet(_HINT_STYLE)
        right = QVBoxLayout()
        right.addWidget(self.details, 1)
        right.addWidget(self.nothing_selected, 1)

        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addLayout(left, 4)
        columns.addLayout(right, 5)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.version_label)
        layout.addWidget(self.problems)
        layout.addLayout(columns, 1)

    def _build_details(self) -> QFrame:
        box = QFrame()
        box.setObjectName("questionDetails")
        box.setStyleSheet(
            "QFrame#questionDetails { background: #f7f9fb; border: 1px solid #dde3ea;"
            " border-radius: 6px; }"
        )
        self.details_title = QLabel()
        self.details_title.setStyleSheet("font-size: 11pt; font-weight: bold; border: none;")

        self.prompt_edit = QPlainTextEdit()
        self.prompt_edit.setObjectName("promptEdit")
        self.prompt_edit.setPlaceholderText(self.tr("For example: Do you decide on purchases?"))
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for kind, text in (
            (QuestionKind.YES_NO, self.tr("Yes / No / Don't know")),
            (QuestionKind.CHOICE, self.tr("One of a few choices")),
            (QuestionKind.NUMBER, self.tr("A number")),
            (QuestionKind.TEXT, self.tr("Free text")),
        ):
            self.kind_combo.addItem(text, kind.value)

        self.criterion_combo = QComboBox()
        self.criterion_combo.setObjectName("criterionCombo")
        self.criterion_combo.addItem(self.tr("Nothing in particular"), None)
        for criterion, text in (
            (Criterion.MARKET, self.tr("Target market: is the company one we sell to?")),
            (Criterion.BUDGET, self.tr("Budget: can they afford it?")),
            (Criterion.AUTHORITY, self.tr("Authority: can this person decide?")),
            (Criterion.NEED, self.tr("Need: do they have a problem we solve?")),
            (Criterion.TIMING, self.tr("Timing: when would they buy?")),
            (Criterion.VALUE, self.tr("Value: how much could they buy?")),
        ):
            self.criterion_combo.addItem(text, criterion.value)
        self.criterion_hint = QLabel()
        self.criterion_hint.setWordWrap(True)
        self.criterion_hint.setStyleSheet(_HINT_STYLE + " border: none;")

        self.weight_spin = QSpinBox()
        self.weight_spin.setObjectName("weightSpin")
        self.weight_spin.setRange(0, MAX_WEIGHT)
        self.weight_spin.setMinimumWidth(70)
        self.weight_hint = QLabel()
        self.weight_hint.setWordWrap(True)
        self.weight_hint.setStyleSheet(_HINT_STYLE + " border: none;")
        weight_row = QHBoxLayout()
        weight_row.addWidget(self.weight_spin)
        weight_row.addWidget(self.weight_hint, 1)

        self.answers_table = QTableWidget(0, 3)
        self.answers_table.setObjectName("answersTable")
        self.answers_table.setHorizontalHeaderLabels(
            [self.tr("Answer"), self.tr("Counts as positive"), self.tr("Disqualifies (junk)")]
        )
        self.answers_table.verticalHeader().hide()
        self.answers_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.answers_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.answers_table.horizontalHeader()
        header.setSectionResizeMode(_ANSWER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_POSITIVE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_DISQUALIFIES, QHeaderView.ResizeMode.ResizeToContents)
        self.answers_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.answers_table.setMinimumHeight(150)
        self.add_choice_button = QPushButton(self.tr("Add a choice"))
        self.add_choice_button.setObjectName("addChoice")
        self.remove_choice_button = QPushButton(self.tr("Remove the choice"))
        self.remove_choice_button.setObjectName("removeChoice")
        choice_buttons = QHBoxLayout()
        choice_buttons.addWidget(self.add_choice_button)
        choice_buttons.addWidget(self.remove_choice_button)
        choice_buttons.addStretch(1)
        self.answers_hint = QLabel()
        self.answers_hint.setObjectName("answersHint")
        self.answers_hint.setWordWrap(True)
        self.answers_hint.setStyleSheet(_HINT_STYLE + " border: none;")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(self._form_label(self.tr("Question")), self.prompt_edit)
        form.addRow(self._form_label(self.tr("Kind of answer")), self.kind_combo)
        form.addRow(self._form_label(self.tr("What it tells you")), self.criterion_combo)
        form.addRow("", self.criterion_hint)
        form.addRow(self._form_label(self.tr("Weight")), weight_row)

        answers_title = QLabel(self.tr("Answers"))
        answers_title.setStyleSheet("font-weight: bold; border: none;")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.addWidget(self.details_title)
        layout.addLayout(form)
        layout.addSpacing(4)
        layout.addWidget(answers_title)
        layout.addWidget(self.answers_hint)
        layout.addWidget(self.answers_table, 1)
        layout.addLayout(choice_buttons)
        return box

    @staticmethod
    def _form_label(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("border: none;")
        return label

    def _connect_signals(self) -> None:
        self.question_list.currentRowChanged.connect(self._on_row_changed)
        self.add_button.clicked.connect(self.add_question)
        self.remove_button.clicked.connect(self.remove_question)
        self.up_button.clicked.connect(lambda: self.move_question(-1))
        self.down_button.clicked.connect(lambda: self.move_question(1))
        self.prompt_edit.textChanged.connect(self._on_prompt_edited)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_edited)
        self.criterion_combo.currentIndexChanged.connect(self._on_criterion_edited)
        self.weight_spin.valueChanged.connect(self._on_weight_edited)
        self.answers_table.itemChanged.connect(self._on_answer_edited)
        self.add_choice_button.clicked.connect(self.add_choice)
        self.remove_choice_button.clicked.connect(self.remove_choice)

    # -- loading and reading ----------------------------------------------------------------------

    def load(self, questionnaire: Questionnaire) -> None:
        """Start editing ``questionnaire`` (the active version); earlier edits are dropped."""
        self._original = questionnaire
        self._baseline = [DraftQuestion.of(q) for q in questionnaire.questions]
        self.drafts = [DraftQuestion.of(q) for q in questionnaire.questions]
        self.version_label.setText(
            self.tr(
                "Version {version} is in use. Saving your changes makes version {next}; the "
                "answers already given stay with the version they were given to."
            ).format(version=questionnaire.version, next=questionnaire.version + 1)
        )
        self.show_problems([])
        self._fill_list(0 if self.drafts else None)

    def is_modified(self) -> bool:
        return self.drafts != self._baseline

    def questionnaire(self) -> Questionnaire:
        """The edited questionnaire; questions added here get their lasting key now."""
        assert self._original is not None
        taken = {d.key for d in self.drafts if d.key} | {d.key for d in self._baseline if d.key}
        questions = []
        for draft in self.drafts:
            if draft.key is None:
                draft.key = new_question_key(draft.prompt, taken, secrets.token_hex(2))
                taken.add(draft.key)
            questions.append(draft.question(draft.key))
        return Questionnaire(self._original.name, self._original.version, tuple(questions))

    def current_row(self) -> int:
        return self.question_list.currentRow()

    def select(self, row: int) -> None:
        self.question_list.setCurrentRow(row)

    # -- the list ---------------------------------------------------------------------------------

    def _fill_list(self, select: int | None) -> None:
        with QSignalBlocker(self.question_list):
            self.question_list.clear()
            for number, draft in enumerate(self.drafts, start=1):
                item = QListWidgetItem()
                self._set_item_text(item, number, draft)
                self.question_list.addItem(item)
        if select is not None and self.drafts:
            self.question_list.setCurrentRow(min(select, len(self.drafts) - 1))
        self._on_row_changed(self.question_list.currentRow())

    def _set_item_text(self, item: QListWidgetItem, number: int, draft: DraftQuestion) -> None:
        """The prompt, and under it what the question tells and which answers make junk."""
        prompt = draft.prompt.strip() or self.tr("(new question: type it on the right)")
        facts = [self._criterion_name(draft.criterion)]
        if draft.criterion in _FIT_CRITERIA:
            facts.append(self.tr("weight {weight}").format(weight=draft.weight))
        if draft.disqualifies_if:
            facts.append(
                self.tr("junk if {answers}").format(
                    answers=" / ".join(answer_label(a) for a in draft.disqualifies_if)
                )
            )
        item.setText(f"{number}.  {prompt}\n      {' · '.join(facts)}")
        item.setToolTip(prompt)

    def _criterion_name(self, criterion: Criterion | None) -> str:
        return {
            None: self.tr("Tells nothing in particular"),
            Criterion.MARKET: self.tr("Target market"),
            Criterion.BUDGET: self.tr("Budget"),
            Criterion.AUTHORITY: self.tr("Authority"),
            Criterion.NEED: self.tr("Need"),
            Criterion.TIMING: self.tr("Timing"),
            Criterion.VALUE: self.tr("Value"),
        }[criterion]

    def _refresh_item(self) -> None:
        item = self.question_list.currentItem()
        draft = self._draft()
        if item is not None and draft is not None:
            self._set_item_text(item, self.current_row() + 1, draft)

    def _on_row_changed(self, row: int) -> None:
        draft = self.drafts[row] if 0 <= row < len(self.drafts) else None
        self._show_draft(draft)
        self.remove_button.setEnabled(draft is not None)
        self.up_button.setEnabled(draft is not None and row > 0)
        self.down_button.setEnabled(draft is not None and row < len(self.drafts) - 1)

    def add_question(self) -> None:
        self.drafts.append(DraftQuestion(key=None))
        self._fill_list(len(self.drafts) - 1)
        self.prompt_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def remove_question(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self.drafts):
            return
        del self.drafts[row]
        self._fill_list(row)
        self.changed.emit()

    def move_question(self, step: int) -> None:
        row = self.current_row()
        target = row + step
        if not (0 <= row < len(self.drafts) and 0 <= target < len(self.drafts)):
            return
        self.drafts[row], self.drafts[target] = self.drafts[target], self.drafts[row]
        self._fill_list(target)
        self.changed.emit()

    # -- the selected question --------------------------------------------------------------------

    def _draft(self) -> DraftQuestion | None:
        row = self.current_row()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

    def _show_draft(self, draft: DraftQuestion | None) -> None:
        self.details.setVisible(draft is not None)
        self.nothing_selected.setVisible(draft is None)
        if draft is None:
            return
        self._loading = True
        try:
            self.details_title.setText(
                self.tr("Question {number}").format(number=self.current_row() + 1)
            )
            if self.prompt_edit.toPlainText() != draft.prompt:
                self.prompt_edit.setPlainText(draft.prompt)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(draft.kind.value))
            self.criterion_combo.setCurrentIndex(
                self.criterion_combo.findData(draft.criterion.value if draft.criterion else None)
            )
            self.weight_spin.setValue(draft.weight)
            self._fill_answers(draft)
        finally:
            self._loading = False
        self._update_hints(draft)

    def _update_hints(self, draft: DraftQuestion) -> None:
        prospect = stage_label(Stage.PROSPECT)
        self.criterion_hint.setText(
            self.tr(
                "A contact becomes a {prospect} once market, budget, authority and need are all "
                "answered positively."
            ).format(prospect=prospect)
        )
        counts = draft.criterion in _FIT_CRITERIA
        self.weight_spin.setEnabled(counts)
        self.weight_hint.setText(
            self.tr("How much it counts in the fit grade (A\u2013D), from 0 to 10.")
            if counts
            else self.tr("Not used: only market, budget and authority count in the fit grade.")
        )
        choice = draft.kind == QuestionKind.CHOICE
        fixed = draft.kind in (QuestionKind.YES_NO, QuestionKind.CHOICE)
        self.answers_table.setVisible(fixed)
        self.add_choice_button.setVisible(choice)
        self.remove_choice_button.setVisible(choice)
        self.remove_choice_button.setEnabled(choice and bool(draft.choices))
        if draft.kind == QuestionKind.YES_NO:
            hint = self.tr(
                "Tick the answers that count as positive, and those that make the contact junk "
                "at once (not our market, say)."
            )
        elif choice:
            hint = self.tr(
                "Type each choice the rep can pick (double-click to change one). Tick those that "
                "count as positive and those that make the contact junk at once."
            )
        elif draft.kind == QuestionKind.NUMBER:
            hint = self.tr(
                "The rep types a number. Any number above zero counts as positive; a number "
                "cannot disqualify."
            )
        else:
            hint = self.tr(
                "The rep types the answer. Any answer counts as positive; free text cannot "
                "disqualify."
            )
        self.answers_hint.setText(hint)

    def _fill_answers(self, draft: DraftQuestion) -> None:
        table = self.answers_table
        with QSignalBlocker(table):
            table.setRowCount(0)
            rows: list[tuple[str, bool]] = []  # (answer, its text can be edited)
            if draft.kind == QuestionKind.YES_NO:
                rows = [(a, False) for a in YES_NO_ANSWERS]
            elif draft.kind == QuestionKind.CHOICE:
                rows = [(c, True) for c in draft.choices] + [(UNKNOWN_ANSWER, False)]
            for answer, editable in rows:
                row = table.rowCount()
                table.insertRow(row)
                text = QTableWidgetItem(answer if editable else answer_label(answer))
                text.setData(Qt.ItemDataRole.UserRole, None if editable else answer)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if editable:
                    flags |= Qt.ItemFlag.ItemIsEditable
                else:
                    text.setForeground(QBrush(QColor("#4a5766")))
                text.setFlags(flags)
                table.setItem(row, _ANSWER, text)
                for column, ticked in (
                    (_POSITIVE, answer in draft.positive),
                    (_DISQUALIFIES, answer in draft.disqualifies_if),
                ):
                    box = QTableWidgetItem()
                    box.setFlags(
                        Qt.ItemFlag.ItemIsEnabled
                        | Qt.ItemFlag.ItemIsUserCheckable
                        | Qt.ItemFlag.ItemIsSelectable
                    )
                    box.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                    table.setItem(row, column, box)

    def _answer_at(self, row: int) -> str:
        item = self.answers_table.item(row, _ANSWER)
        fixed = item.data(Qt.ItemDataRole.UserRole)
        return str(fixed) if fixed is not None else item.text()

    def _read_answers(self, draft: DraftQuestion) -> None:
        """The table is the truth for the selected question: a renamed choice keeps its ticks."""
        table = self.answers_table
        positive, junk, choices = [], [], []
        for row in range(table.rowCount()):
            answer = self._answer_at(row)
            if table.item(row, _ANSWER).data(Qt.ItemDataRole.UserRole) is None:
                choices.append(answer)
            if table.item(row, _POSITIVE).checkState() == Qt.CheckState.Checked:
                positive.append(answer)
            if table.item(row, _DISQUALIFIES).checkState() == Qt.CheckState.Checked:
                junk.append(answer)
        if draft.kind == QuestionKind.CHOICE:
            draft.choices = choices
        draft.positive = list(dict.fromkeys(positive))
        draft.disqualifies_if = list(dict.fromkeys(junk))

    def _on_prompt_edited(self) -> None:
        draft = self._draft()
        if self._loading or draft is None:
            return
        draft.prompt = self.prompt_edit.toPlainText()
        self._refresh_item()
        self.changed.emit()

    def _on_kind_edited(self) -> None:
        draft = self._draft()
        if self._loading or draft is None:
            return
        draft.change_kind(QuestionKind(self.kind_combo.currentData()))
        self._show_draft(draft)
        self._refresh_item()
        self.changed.emit()

    def _on_criterion_edited(self) -> None:
        draft = self._draft()
        if self._loading or draft is None:
            return
        value = self.criterion_combo.currentData()
        draft.criterion = Criterion(value) if value else None
        self._update_hints(draft)
        self._refresh_item()
        self.changed.emit()

    def _on_weight_edited(self, value: int) -> None:
        draft = self._draft()
        if self._loading or draft is None:
            return
        draft.weight = value
        self._refresh_item()
        self.changed.emit()

    def _on_answer_edited(self, _item: QTableWidgetItem) -> None:
        draft = self._draft()
        if self._loading or draft is None:
            return
        self._read_answers(draft)
        self.remove_choice_button.setEnabled(bool(draft.choices))
        self._refresh_item()
        self.changed.emit()

    def add_choice(self, text: str = "") -> None:
        """A new choice row above "Don't know", open for typing."""
        draft = self._draft()
        if draft is None or draft.kind != QuestionKind.CHOICE:
            return
        draft.choices.append(text)
        self._fill_answers(draft)
        self._update_hints(draft)
        row = len(draft.choices) - 1
        self.answers_table.setCurrentCell(row, _ANSWER)
        if not text:
            self.answers_table.editItem(self.answers_table.item(row, _ANSWER))
        self.changed.emit()

    def remove_choice(self) -> None:
        draft = self._draft()
        row = self.answers_table.currentRow()
        if draft is None or not 0 <= row < len(draft.choices):
            return
        self.answers_table.removeRow(row)
        self._read_answers(draft)
        self._update_hints(draft)
        self.changed.emit()

    # -- problems ---------------------------------------------------------------------------------

    def show_problems(self, problems: list[QuestionnaireProblem]) -> None:
        """List what must be fixed above the questions, mark those questions, select the first."""
        for row in range(self.question_list.count()):
            self.question_list.item(row).setForeground(QBrush())
        if not problems:
            self.problems.hide()
            self.problems.clear()
            return
        lines = [escape(self.problem_text(p)) for p in problems]
        self.problems.setText(
            "<b>{}</b><ul style='margin: 4px 0 0 -20px;'>{}</ul>".format(
                escape(self.tr("The questions cannot be saved yet:")),
                "".join(f"<li>{line}</li>" for line in lines),
            )
        )
        self.problems.show()
        rows = sorted({p.position for p in problems if p.position is not None})
        for row in rows:
            item = self.question_list.item(row)
            if item is not None:
                item.setForeground(QBrush(QColor("#b3261e")))
        if rows:
            self.select(rows[0])

    def problem_text(self, problem: QuestionnaireProblem) -> str:
        """One problem in plain words: what is wrong and what to do about it."""
        if problem.position is None:
            return {
                "questionnaire.no_questions": self.tr(
                    "There are no questions left. Add at least one: the call screen needs "
                    "something to ask."
                ),
            }.get(problem.code, problem.code)
        draft = self.drafts[problem.position] if problem.position < len(self.drafts) else None
        prompt = (draft.prompt.strip() if draft else "") or ""
        if len(prompt) > 40:
            prompt = prompt[:38].rstrip() + "…"
        where = (
            self.tr("Question {number} (“{prompt}”)").format(
                number=problem.position + 1, prompt=prompt
            )
            if prompt
            else self.tr("Question {number}").format(number=problem.position + 1)
        )
        detail = answer_label(problem.detail)
        texts = {
            "question.no_prompt": self.tr("{where} is empty. Type the question the rep asks."),
            "question.no_choices": self.tr(
                "{where} has no choices. Add the choices the contact can pick from, or change "
                "its kind of answer."
            ),
            "question.empty_choice": self.tr("{where} has an empty choice. Type it or remove it."),
            "question.duplicate_choice": self.tr(
                "{where} has the choice “{detail}” twice. Remove one of them."
            ),
            "question.reserved_choice": self.tr(
                "{where}: “{detail}” cannot be a choice; the call screen always offers “Don't "
                "know”. Remove it."
            ),
            "question.unknown_disqualifying_answer": self.tr(
                "{where}: “{detail}” is set to disqualify, but it is not one of the answers. "
                "Add it as a choice or untick it."
            ),
            "question.unknown_positive_answer": self.tr(
                "{where}: “{detail}” is set to count as positive, but it is not one of the "
                "answers. Add it as a choice or untick it."
            ),
            "question.positive_and_disqualifying": self.tr(
                "{where}: “{detail}” cannot both count as positive and disqualify. Untick one "
                "of the two."
            ),
            "question.bad_weight": self.tr("{where}: the weight must be between 0 and 10."),
            "question.duplicate_key": self.tr(
                "{where} has the same inner name as another question. Remove it and add it again."
            ),
        }
        return texts.get(problem.code, "{where}: " + problem.code).format(
            where=where, detail=detail
        )
