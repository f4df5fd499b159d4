"""Edit a list's call script: opening, value statement, objections with answers, close.

Plain boxes, no formatting: a script is read aloud, and the placeholders are filled in for
each contact by the service (CallScript.filled).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from prospector.services.call_queue import CallScript


def _text_box(name: str, text: str, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setObjectName(name)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other form
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class ScriptEditorDialog(QDialog):
    """Shows a script for editing; ``script()`` is what the rep typed."""

    def __init__(self, script: CallScript, list_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptEditor")
        self.setWindowTitle(self.tr("Call script for {name}").format(name=list_name))
        self.resize(720, 640)
        hint = QLabel(
            self.tr(
                "{first_name}, {name} and {company} are filled in for each contact. "
                "End with a call to action and a close: ask for the meeting."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #667;")
        self.opening = _text_box("scriptOpening", script.opening, 3)
        self.value = _text_box("scriptValue", script.value, 3)
        self.close_text = _text_box("scriptClose", script.close, 3)

        self.objections = QTableWidget(0, 2)
        self.objections.setObjectName("scriptObjections")
        self.objections.setHorizontalHeaderLabels([self.tr("They say…"), self.tr("You answer…")])
        self.objections.verticalHeader().setVisible(False)
        self.objections.setWordWrap(True)
        self.objections.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.objections.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 220)
        header.setStretchLastSection(True)
        for said, answer in script.objections:
            self._add_row(said, answer)
        add = QPushButton(self.tr("Add an objection"))
        add.setObjectName("addObjection")
        add.clicked.connect(lambda: self._add_row("", "", edit=True))
        remove = QPushButton(self.tr("Remove the selected one"))
        remove.setObjectName("removeObjection")
        remove.clicked.connect(self._remove_row)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(add)
        row_buttons.addWidget(remove)
        row_buttons.addStretch(1)

        form = QFormLayout()
        form.addRow(self.tr("Opening"), self.opening)
        form.addRow(self.tr("Why it matters to them"), self.value)
        form.addRow(self.tr("Objections"), self.objections)
        form.addRow("", row_buttons)
        form.addRow(self.tr("Call to action and close"), self.close_text)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form, 1)
        layout.addWidget(buttons)

    def _add_row(self, said: str, answer: str, *, edit: bool = False) -> None:
        row = self.objections.rowCount()
        self.objections.insertRow(row)
        self.objections.setItem(row, 0, QTableWidgetItem(said))
        self.objections.setItem(row, 1, QTableWidgetItem(answer))
        if edit:
            self.objections.setCurrentCell(row, 0)
            self.objections.editItem(self.objections.item(row, 0))

    def _remove_row(self) -> None:
        row = self.objections.currentRow()
        if row >= 0:
            self.objections.removeRow(row)

    def script(self) -> CallScript:
        pairs = []
        for row in range(self.objections.rowCount()):
            said, answer = (self.objections.item(row, c) for c in (0, 1))
            pair = (said.text().strip() if said else "", answer.text().strip() if answer else "")
            if any(pair):
                pairs.append(pair)
        return CallScript(
            opening=self.opening.toPlainText().strip(),
            value=self.value.toPlainText().strip(),
            objections=tuple(pairs),
            close=self.close_text.toPlainText().strip(),
        )
