"""The Settings window used as an office manager uses it: questions, stage names, calling."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.domain.qualification import QuestionKind
from prospector.domain.stages import Stage
from prospector.services.settings import StageName
from prospector.ui.labels import set_office_stage_names, stage_definition, stage_label
from prospector.ui.models.contact_table import COLUMNS, SortKey
from prospector.ui.widgets.call_queue_page import DIAL_SCHEME_KEY
from prospector.ui.widgets.questionnaire_editor import QuestionnaireEditor
from prospector.ui.windows.main_window import MainWindow
from prospector.ui.windows.settings_window import SettingsWindow

LEFT = Qt.MouseButton.LeftButton
_DISQUALIFIES = 2


@pytest.fixture(autouse=True)
def standard_stage_names() -> Iterator[None]:
    """The office's names live in ui/labels.py for the whole process: never leak them."""
    set_office_stage_names({})
    yield
    set_office_stage_names({})


@pytest.fixture
def contact_id(workspace) -> int:
    """A contact reached and partly qualified (a lead) before anyone edits the settings."""
    contact = workspace.contacts.add(
        ContactFields(first_name="Ana", last_name="Pop", company="Pop BTP", phone="0612345678")
    )
    result = workspace.queue.qualify(contact.id, {"market": "yes", "budget": "yes"})
    assert result.stage == Stage.LEAD
    return contact.id


def open_settings(qtbot, window: MainWindow) -> SettingsWindow:
    """As the rep does it: File → Settings…"""
    qtbot.waitUntil(lambda: window.findChild(SettingsWindow) is None)  # the last one is gone
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.findChild(SettingsWindow), SettingsWindow))
    dialog = window.findChild(SettingsWindow)
    qtbot.waitExposed(dialog)
    # The offscreen platform has no window manager to activate a dialog; do what one does.
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def select_question(editor: QuestionnaireEditor, key: str) -> None:
    row = next(i for i, d in enumerate(editor.drafts) if d.key == key)
    editor.select(row)


def tick(editor: QuestionnaireEditor, answer: str, column: int) -> None:
    """Tick an answer's box in the selected question's table, as a click on it does."""
    table = editor.answers_table
    row = next(
        r
        for r in range(table.rowCount())
        if (table.item(r, 0).data(Qt.ItemDataRole.UserRole) or table.item(r, 0).text()) == answer
    )
    table.item(row, column).setCheckState(Qt.CheckState.Checked)


def stage_cell(window: MainWindow, row: int = 0) -> str:
    model = window.contacts_page.model
    column = next(i for i, (_name, key) in enumerate(COLUMNS) if key == SortKey.STAGE)
    return model.data(model.index(row, column))


def test_the_settings_action_has_the_usual_shortcut(window):
    shortcuts = window.settings_action.shortcuts()
    assert QKeySequence("Ctrl+,") in shortcuts
    assert len(shortcuts) == len(set(s.toString() for s in shortcuts))


def test_editing_the_questions_saves_a_new_version_and_keeps_old_answers(
    qtbot, window, workspace, contact_id
):
    before = workspace.queue.qualifications(contact_id)
    first = workspace.queue.questionnaire()
    assert first.version == 1
    dialog = open_settings(qtbot, window)
    editor = dialog.questionnaire_editor
    assert "Version 1 is in use" in editor.version_label.text()
    assert not dialog.apply_button.isEnabled()  # nothing to save yet

    # Add a number question, then ask it one place earlier.
    qtbot.mouseClick(editor.add_button, LEFT)
    assert QApplication.focusWidget() is editor.prompt_edit  # ready for typing
    qtbot.keyClicks(editor.prompt_edit, "How many people work there?")
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(QuestionKind.NUMBER.value))
    assert editor.question_list.currentItem().text().startswith("7.  How many people")
    qtbot.mouseClick(editor.up_button, LEFT)
    assert editor.current_row() == 5

    # More weight on the target market; "no budget" now makes the contact junk.
    select_question(editor, "market")
    editor.weight_spin.setValue(5)
    select_question(editor, "budget")
    tick(editor, "no", _DISQUALIFIES)
    assert "junk if No" in editor.question_list.currentItem().text()
    assert dialog.apply_button.isEnabled()

    qtbot.mouseClick(dialog.apply_button, LEFT)

    active = workspace.queue.questionnaire()
    assert active.version == 2
    keys = [q.key for q in active.questions]
    assert keys[:5] == ["market", "budget", "authority", "need", "timing"]
    assert re.fullmatch(r"how_many_people_work_there_[0-9a-f]{4}", keys[5])
    assert keys[6] == "value"
    assert active.question(keys[5]).kind == QuestionKind.NUMBER
    assert active.question("market").weight == 5
    assert active.question("budget").disqualifies_if == ("no",)
    assert active.question("timing") == first.question("timing")  # untouched, key kept
    assert "Version 2 is in use" in editor.version_label.text()
    assert not dialog.is_modified()

    # What was answered before stays with version 1; new answers go to version 2 and its rules.
    assert workspace.queue.qualifications(contact_id) == before
    result = workspace.queue.qualify(contact_id, {"market": "yes", "budget": "no"})
    assert result.stage == Stage.DISQUALIFIED
    latest, older = workspace.queue.qualifications(contact_id)
    assert older == before[0]
    assert latest["questionnaire_id"] != older["questionnaire_id"]

    # The call screen asks the new questions at the next conversation.
    page = window.call_queue_page
    page.questionnaire.start(workspace.queue.questionnaire(), "Ana Pop")
    assert [r.question.key for r in page.questionnaire.rows] == keys


def test_mistakes_are_explained_and_nothing_is_saved(qtbot, window, workspace):
    dialog = open_settings(qtbot, window)
    editor = dialog.questionnaire_editor
    qtbot.mouseClick(editor.add_button, LEFT)  # left empty
    qtbot.mouseClick(editor.add_button, LEFT)
    qtbot.keyClicks(editor.prompt_edit, "Which sector?")
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(QuestionKind.CHOICE.value))
    editor.add_choice("Retail")
    editor.add_choice("retail")
    dialog.show_page("stages")
    qtbot.keyClicks(dialog.stage_names.label_edits[Stage.LEAD], "Prospect")

    qtbot.mouseClick(dialog.ok_button, LEFT)

    assert dialog.isVisible()
    assert dialog.stack.currentWidget().isAncestorOf(editor)  # back on the questions
    text = editor.problems.text()
    assert editor.problems.isVisible()
    assert "Question 7 is empty. Type the question the rep asks." in text
    assert "the choice “Retail” twice. Remove one of them." in text
    assert editor.current_row() == 6  # the first question to fix is selected
    assert workspace.queue.questionnaire().version == 1
    assert workspace.settings.stage_names() == {}

    # Fixed questions: the stage names are checked next (two stages may not share a name).
    editor.select(6)
    qtbot.mouseClick(editor.remove_button, LEFT)
    editor.select(6)
    editor.answers_table.setCurrentCell(1, 0)
    qtbot.mouseClick(editor.remove_choice_button, LEFT)
    qtbot.mouseClick(dialog.apply_button, LEFT)
    assert not editor.problems.isVisible()
    assert dialog.stage_names.problems.isVisible()
    assert (
        "The stages Lead and Prospect would all be called “Prospect”."
        in dialog.stage_names.problems.text()
    )
    assert workspace.queue.questionnaire().version == 1  # one page's mistake saves nothing
    assert workspace.settings.stage_names() == {}

    dialog.stage_names.label_edits[Stage.LEAD].clear()
    qtbot.mouseClick(dialog.apply_button, LEFT)
    active = workspace.queue.questionnaire()
    assert active.version == 2
    assert active.questions[-1].choices == ("Retail",)


def test_renamed_stages_show_everywhere_at_once(qtbot, window, workspace, contact_id):
    window.contacts_page.refresh()
    assert stage_cell(window) == "Lead"
    dialog = open_settings(qtbot, window)
    dialog.page_list.setCurrentRow(1)
    page = dialog.stage_names
    qtbot.keyClicks(page.label_edits[Stage.LEAD], "Contacted")
    qtbot.keyClicks(page.definition_edits[Stage.LEAD], "We talked, nothing qualified yet.")

    qtbot.mouseClick(dialog.ok_button, LEFT)

    qtbot.waitUntil(lambda: window.findChild(SettingsWindow) is None)
    assert workspace.settings.stage_names() == {
        Stage.LEAD: StageName("Contacted", "We talked, nothing qualified yet.")
    }
    assert stage_label(Stage.LEAD) == "Contacted"
    assert stage_definition(Stage.LEAD) == "We talked, nothing qualified yet."
    assert stage_cell(window) == "Contacted"
    stage_filter = window.contacts_page.stage_filter
    index = stage_filter.findData(Stage.LEAD.value)
    assert stage_filter.itemText(index) == "Contacted"
    assert stage_filter.itemData(index, Qt.ItemDataRole.ToolTipRole) == (
        "We talked, nothing qualified yet."
    )
    assert "Contacted" in window.call_queue_page.intro.legend.text()
    assert "Contacted" in window.call_queue_page.legend.text()

    # Back to the standard names with one button.
    dialog = open_settings(qtbot, window)
    assert dialog.stage_names.label_edits[Stage.LEAD].text() == "Contacted"
    qtbot.mouseClick(dialog.stage_names.reset_button, LEFT)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert workspace.settings.stage_names() == {}
    assert stage_label(Stage.LEAD) == "Lead"
    assert stage_cell(window) == "Lead"


def test_closing_with_unsaved_changes_asks_first(qtbot, window, workspace, answer_dialogs):
    dialog = open_settings(qtbot, window)
    qtbot.mouseClick(dialog.questionnaire_editor.add_button, LEFT)
    qtbot.keyClicks(dialog.questionnaire_editor.prompt_edit, "Do they export?")

    asked = answer_dialogs(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert asked and dialog.isVisible()  # kept open, the question is still there
    assert dialog.questionnaire_editor.drafts[-1].prompt == "Do they export?"

    asked = answer_dialogs(QMessageBox.StandardButton.Discard)
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(SettingsWindow) is None)
    assert workspace.queue.questionnaire().version == 1

    dialog = open_settings(qtbot, window)
    qtbot.mouseClick(dialog.questionnaire_editor.add_button, LEFT)
    qtbot.keyClicks(dialog.questionnaire_editor.prompt_edit, "Do they export?")
    answer_dialogs(QMessageBox.StandardButton.Save)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(SettingsWindow) is None)
    assert workspace.queue.questionnaire().questions[-1].prompt == "Do they export?"


def test_calling_settings_are_saved_where_they_belong(qtbot, window, workspace, settings):
    dialog = open_settings(qtbot, window)
    dialog.show_page("calling")
    calling = dialog.calling
    assert calling.retry_spin.value() == 4.0
    calling.retry_spin.setValue(2.5)
    calling.attempts_spin.setValue(3)
    calling.dial_combo.setCurrentIndex(calling.dial_combo.findData("callto"))
    calling.country_combo.setCurrentIndex(calling.country_combo.findData("RO"))
    assert calling.country_combo.currentText() == "Romania (RO)"

    qtbot.mouseClick(dialog.ok_button, LEFT)

    policy = workspace.queue.policy()
    assert policy.retry_wait.total_seconds() == 2.5 * 3600
    assert policy.max_attempts == 3
    assert settings.value(DIAL_SCHEME_KEY) == "callto"  # this computer's choice
    assert window.call_queue_page.dial_scheme() == "callto"
    assert workspace.settings.chosen_default_country() == "RO"
    assert workspace.queue.questionnaire().version == 1  # untouched pages save nothing


def test_the_call_screen_takes_new_settings_without_losing_a_conversation(
    qtbot, window, workspace, contact_id, answer_dialogs
):
    answer_dialogs(QMessageBox.StandardButton.Discard)  # the window closes mid-conversation
    window.show_page("queue")
    page = window.call_queue_page
    qtbot.waitUntil(page.chooser.idle)
    page.start()
    assert page.card_data is not None and page.card_data.contact.id == contact_id
    assert "Lead" in page.card.stage.text()

    # Before the call starts, the card on screen takes the new name.
    dialog = open_settings(qtbot, window)
    dialog.show_page("stages")
    qtbot.keyClicks(dialog.stage_names.label_edits[Stage.LEAD], "Contacted")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert "Contacted" in page.card.stage.text()

    # In a conversation, the questions on screen and their answers stay as they are.
    page.open_questionnaire()
    rows = list(page.questionnaire.rows)
    page.questionnaire.row("market").set_answer("yes")
    dialog = open_settings(qtbot, window)
    qtbot.mouseClick(dialog.questionnaire_editor.add_button, LEFT)
    qtbot.keyClicks(dialog.questionnaire_editor.prompt_edit, "Do they export?")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert workspace.queue.questionnaire().version == 2
    assert page.questionnaire.rows == rows
    assert page.questionnaire.answers() == {"market": "yes"}
    assert "next conversation" in page.status.text()
    qtbot.waitUntil(page.chooser.idle)
