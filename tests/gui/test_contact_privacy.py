"""On the contact card: "Export all about this contact…", and an erased person typed in again."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.domain.stages import Stage


def test_export_all_about_a_contact_from_the_card(
    qtbot, window, workspace, tmp_path: Path, monkeypatch, answer_dialogs
):
    contact = workspace.contacts.add(
        ContactFields(first_name="Ana", last_name="Pop", custom_fields={"Stand": "B12"})
    )
    workspace.notes.add(contact.id, "Met at the Lyon fair")
    window.contacts_page.refresh()
    window.contacts_page.show_contact(contact.id)
    form = window.contacts_page.form
    assert form.export_person_button.isVisible()
    offered: list[str] = []

    def save_as(_parent, _title, suggested, _filter, *args, **kwargs):  # type: ignore[no-untyped-def]
        offered.append(suggested)
        return str(tmp_path / "ana"), "Excel workbook (*.xlsx)"  # the rep left out .xlsx

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    told = answer_dialogs(QMessageBox.StandardButton.Ok)
    qtbot.mouseClick(form.export_person_button, Qt.MouseButton.LeftButton)

    assert offered[0].endswith("Ana Pop - data held.xlsx")
    saved = tmp_path / "ana.xlsx"
    assert "Everything Prospector holds about Ana Pop" in told[0] and str(saved) in told[0]
    book = openpyxl.load_workbook(saved, read_only=True)
    try:
        notes = [v for row in book["Notes"].iter_rows(values_only=True) for v in row]
        fields = [v for row in book["Contact"].iter_rows(values_only=True) for v in row]
    finally:
        book.close()
    assert "Met at the Lyon fair" in notes and "B12" in fields


def test_no_export_button_on_a_blank_card(qtbot, window):
    qtbot.mouseClick(window.contacts_page.new_button, Qt.MouseButton.LeftButton)
    assert not window.contacts_page.form.export_person_button.isVisible()


def test_an_erased_person_typed_in_again_is_saved_do_not_call_and_the_rep_told_why(
    qtbot, window, workspace, answer_dialogs, tmp_path: Path
):
    gone = workspace.contacts.add(ContactFields(first_name="Ana", phone="06 12 34 56 78"))
    workspace.privacy.erase(gone.id)
    page, form = window.contacts_page, window.contacts_page.form
    page.refresh()
    told = answer_dialogs(QMessageBox.StandardButton.Ok)

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.edits["first_name"], "Anna")
    qtbot.keyClicks(form.edits["phone"], "+33 6 12 34 56 78")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert len(told) == 1
    assert "Anna was saved, but marked" in told[0] and "phone number" in told[0]
    assert "asked to be erased" in told[0] and "never offer" in told[0]
    assert form.do_not_call.isChecked() and not form.do_not_call.isEnabled()
    saved = workspace.contacts.get(form.contact_id)
    assert saved.fields.do_not_call and saved.fields.stage == Stage.DO_NOT_CALL

    # Someone else is saved as usual, without a word.
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.edits["first_name"], "Bob")
    qtbot.keyClicks(form.edits["phone"], "06 98 76 54 32")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert len(told) == 1 and not form.do_not_call.isChecked()
