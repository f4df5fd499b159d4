"""The import history on the Lists page, and "Undo this import…" clicked by a rep."""

from __future__ import annotations

import uuid
from collections import deque
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import insert

from prospector.domain.contacts import ContactFields
from prospector.domain.query import ContactQuery
from prospector.services.imports import ImportRequest
from prospector.storage import tables as t

LIST = (
    "First name;Last name;Company;Phone\n"
    "Anne;Bernard;BTP Sud;06 11 11 11 11\n"
    "Luc;Petit;Maçons Réunis;06 22 22 22 22\n"
    "Jean;Dupont;Dupont Plomberie;06 33 33 33 33\n"
)
STATUS = 7  # the Imports table's status column


def _import(workspace, window, tmp_path: Path) -> None:
    path = tmp_path / "salon btp.csv"
    path.write_text(LIST, encoding="utf-8")
    result = deque(workspace.imports.run_import(ImportRequest(path, "Salon BTP")), maxlen=1)[0]
    assert result.imported == 3
    window.contacts_page.refresh()  # what the wizard's "finished" does
    window.lists_page.refresh()


def _answer_with(monkeypatch, button: str) -> list[str]:
    """Answer the undo question by clicking ``button`` (by object name); record the question."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box.text())
        box.findChild(QPushButton, button).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def _select_first_run(qtbot, window):
    window.show_page("lists")
    page = window.lists_page
    qtbot.waitUntil(page.isVisible)
    assert not page.undo_button.isEnabled()
    page.runs_table.selectRow(0)
    assert page.undo_button.isEnabled()
    return page


def test_undo_an_import_from_the_lists_page(qtbot, window, workspace, tmp_path, monkeypatch):
    workspace.contacts.add(ContactFields(first_name="Marie", last_name="Martin"))
    _import(workspace, window, tmp_path)
    contacts = window.contacts_page
    qtbot.waitUntil(lambda: contacts.model.rowCount() == 4)

    page = _select_first_run(qtbot, window)
    runs = page.runs_table
    assert [runs.item(0, c).text() for c in (1, 2, 3, 4, 5, 6, STATUS)] == [
        "salon btp.csv",
        "Salon BTP",
        "3",
        "0",
        "0",
        "0",
        "Imported",
    ]
    asked = _answer_with(monkeypatch, "undoConfirm")
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.is_undoing()  # on a worker, with a busy bar; the button cannot fire twice
    assert not page.undo_button.isEnabled()
    assert page.undo_result.text() == "Undoing the import of salon btp.csv…"
    qtbot.waitUntil(lambda: not page.is_undoing())

    assert asked == ["This removes the 3 contacts this import of salon btp.csv added."]
    assert runs.item(0, STATUS).text() == "Undone"
    assert not page.undo_button.isEnabled()
    assert "removed 3 contacts" in page.undo_result.text()
    assert page.table.rowCount() == 0  # the list the import made is gone with it
    qtbot.waitUntil(lambda: contacts.model.rowCount() == 1)
    assert contacts.count_label.text() == "1 contact"


def test_worked_contacts_are_named_and_can_be_kept(
    qtbot, window, workspace, tmp_path, monkeypatch, clock
):
    _import(workspace, window, tmp_path)
    (jean,) = workspace.contacts.page(ContactQuery(text="dupont"), 0, 1)
    with workspace.database.sessions.begin() as session:
        session.execute(
            insert(t.Note),
            {
                "uuid": str(uuid.uuid4()),
                "contact_id": jean.id,
                "text": "Quote sent",
                "created_at": clock(),
            },
        )
    page = _select_first_run(qtbot, window)

    asked = _answer_with(monkeypatch, "undoCancel")
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert "1 of them was worked on since the import:" in asked[0]
    assert "Jean Dupont — has notes" in asked[0]
    assert page.runs_table.item(0, STATUS).text() == "Imported"
    assert workspace.contacts.total() == 3

    _answer_with(monkeypatch, "undoKeepWorked")
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_undoing())
    assert page.runs_table.item(0, STATUS).text() == "Undone"
    contacts = window.contacts_page
    qtbot.waitUntil(lambda: contacts.model.rowCount() == 1)
    assert [r.name for r in workspace.contacts.page(ContactQuery(), 0, 10)] == ["Jean Dupont"]
    assert "Kept 1 contact worked on since." in page.undo_result.text()
    assert page.table.item(0, 3).text() == "1"  # the list stays, with Jean on it


def test_an_import_undone_meanwhile_is_explained(qtbot, window, workspace, tmp_path, monkeypatch):
    _import(workspace, window, tmp_path)
    page = _select_first_run(qtbot, window)
    workspace.history.undo(workspace.history.runs()[0].id, keep_worked=False)
    warned: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _parent, _title, text: warned.append(text))
    )
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert warned == ["The import of salon btp.csv was already undone; there is nothing to remove."]
    assert page.runs_table.item(0, STATUS).text() == "Undone"
