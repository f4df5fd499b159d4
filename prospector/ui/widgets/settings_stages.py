"""Settings page: the office's own names (and one-line definitions) for the pipeline stages.

Teams disagree on what counts as a lead, so an office may call each stage by its own word. The
stored values never change (``Stage``); only what the window shows does, through
``ui/labels.py``. An empty box means the standard, translated name.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.stages import ALL_STAGES, PIPELINE, Stage
from prospector.services.settings import MAX_STAGE_DEFINITION, MAX_STAGE_LABEL, StageName
from prospector.ui.labels import (
    stage_definition,
    stage_label,
    standard_stage_definition,
    standard_stage_label,
)

_HINT_STYLE = "color: #5f6b78;"
_STAGE_VALUES = frozenset(s.value for s in Stage)
_PROBLEM_STYLE = (
    "QLabel#stageNameProblems { background: #fdecea; border: 1px solid #e3a59c;"
    " border-radius: 5px; padding: 8px 10px; color: #6b1d12; }"
)


class StageNamesPage(QWidget):
    """One row per stage: its standard name, the office's name, the office's definition."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label_edits: dict[Stage, QLineEdit] = {}
        self.definition_edits: dict[Stage, QLineEdit] = {}
        self._baseline: dict[Stage, StageName] = {}
        self._build_ui()

    def _build_ui(self) -> None:
        intro = QLabel(
            self.tr(
                "Teams disagree on what counts as a lead. Give each stage the name your office "
                "uses, and say in one line what it means. Leave a box empty to keep the "
                "standard name. The names show in the contact list, its filters, the call "
                "screen and the stage legend, for everyone who opens this database."
            )
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(_HINT_STYLE)

        self.problems = QLabel()
        self.problems.setObjectName("stageNameProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(_PROBLEM_STYLE)
        self.problems.hide()

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 5)
        for column, text in enumerate(
            (self.tr("Standard name"), self.tr("Your office's name"), self.tr("What it means"))
        ):
            header = QLabel(text)
            header.setStyleSheet("font-weight: bold;")
            grid.addWidget(header, 0, column)
        row = 1
        for stage in ALL_STAGES:
            standard = QLabel(standard_stage_label(stage))
            standard.setToolTip(standard_stage_definition(stage))
            label_edit = QLineEdit()
            label_edit.setObjectName(f"stageLabel_{stage.value}")
            label_edit.setPlaceholderText(
                self.tr("Keep “{name}”").format(name=standard_stage_label(stage))
            )
            label_edit.setMaxLength(MAX_STAGE_LABEL)
            label_edit.setClearButtonEnabled(True)
            definition_edit = QLineEdit()
            definition_edit.setObjectName(f"stageDefinition_{stage.value}")
            definition_edit.setPlaceholderText(
                self.tr("Keep: {definition}").format(definition=standard_stage_definition(stage))
            )
            definition_edit.setMaxLength(MAX_STAGE_DEFINITION)
            definition_edit.setClearButtonEnabled(True)
            definition_edit.setCursorPosition(0)
            label_edit.textChanged.connect(self._on_edited)
            definition_edit.textChanged.connect(self._on_edited)
            self.label_edits[stage] = label_edit
            self.definition_edits[stage] = definition_edit
            grid.addWidget(standard, row, 0)
            grid.addWidget(label_edit, row, 1)
            grid.addWidget(definition_edit, row, 2)
            row += 1
            if stage == PIPELINE[-1]:
                exits = QLabel(self.tr("Ways out of the pipeline"))
                exits.setStyleSheet("font-weight: bold; padding-top: 8px;")
                grid.addWidget(exits, row, 0, 1, 3)
                row += 1

        rows = QWidget()
        rows_layout = QVBoxLayout(rows)
        rows_layout.setContentsMargins(0, 0, 8, 0)
        rows_layout.addLayout(grid)
        rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(rows)

        self.reset_button = QPushButton(self.tr("Reset to standard names"))
        self.reset_button.setObjectName("resetStageNames")
        self.reset_button.setToolTip(
            self.tr("Empty every box: the standard names and definitions show again")
        )
        self.reset_button.clicked.connect(self.reset_to_standard)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.problems)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    # -- values -----------------------------------------------------------------------------------

    def load(self, names: dict[Stage, StageName]) -> None:
        self._baseline = dict(names)
        for stage in ALL_STAGES:
            name = names.get(stage, StageName())
            self.label_edits[stage].setText(name.label)
            self.definition_edits[stage].setText(name.definition)
            self.definition_edits[stage].setCursorPosition(0)
        self.show_problems([])

    def names(self) -> dict[Stage, StageName]:
        """The office's names as typed (trimmed); stages left blank are absent."""
        names = {}
        for stage in ALL_STAGES:
            name = StageName(
                self.label_edits[stage].text().strip(),
                self.definition_edits[stage].text().strip(),
            )
            if name.label or name.definition:
                names[stage] = name
        return names

    def is_modified(self) -> bool:
        return self.names() != self._baseline

    def reset_to_standard(self) -> None:
        for stage in ALL_STAGES:
            self.label_edits[stage].clear()
            self.definition_edits[stage].clear()

    def _on_edited(self) -> None:
        self.changed.emit()

    # -- checking ---------------------------------------------------------------------------------

    def problems_text(self) -> list[str]:
        """Names two stages would share: a rep could not tell them apart in a filter."""
        shown: dict[str, list[Stage]] = {}
        for stage in ALL_STAGES:
            label = self.label_edits[stage].text().strip() or standard_stage_label(stage)
            shown.setdefault(label.casefold(), []).append(stage)
        problems = []
        for stages in shown.values():
            if len(stages) > 1:
                name = self.label_edits[stages[0]].text().strip() or standard_stage_label(stages[0])
                standard = [standard_stage_label(s) for s in stages]
                problems.append(
                    self.tr(
                        "The stages {stages} would all be called “{name}”. Give each stage its "
                        "own name, so nobody mixes them up."
                    ).format(
                        stages=self.tr("{first} and {last}").format(
                            first=", ".join(standard[:-1]), last=standard[-1]
                        ),
                        name=name,
                    )
                )
        return problems

    def show_problems(self, problems: list[str]) -> None:
        self.problems.setVisible(bool(problems))
        self.problems.setText("<br>".join(escape(p) for p in problems) if problems else "")


def relabel_stage_choices(root: QWidget) -> None:
    """Give the stage combo boxes under ``root`` (filters, the contact form) the new names.

    A stage combo is one whose items are all stages (an "All stages" item may hold None); the
    selection stays, since only the texts and tooltips change.
    """
    for combo in root.findChildren(QComboBox):
        values = [combo.itemData(i) for i in range(combo.count())]
        stages = [v for v in values if v is not None]
        if not stages or not all(isinstance(v, str) and v in _STAGE_VALUES for v in stages):
            continue
        for index, value in enumerate(values):
            if value is not None:
                combo.setItemText(index, stage_label(Stage(value)))
                combo.setItemData(
                    index, stage_definition(Stage(value)), Qt.ItemDataRole.ToolTipRole
                )
