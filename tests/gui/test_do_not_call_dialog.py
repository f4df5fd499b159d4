"""Import a do-not-call file through its dialog: preview, import on a worker, plain report."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog

from prospector.domain.contacts import ContactFields
from prospector.ui.dialogs.do_not_call_import import DoNotCallImportDialog
from prospector.ui.tasks import TaskRunner

FILE = (
    "Liste d'opposition;;\r\n"
    "Nom;Téléphone;E-mail\r\n"
    "Lefèvre;01 98 76 54 32;F.Lefevre@Creme.FR\r\n"
    "Crème;+33 6 11 22 33 44;\r\n"
    "Inconnu;pas de numéro;\r\n"
)


@pytest.fixture
def tasks(qtbot):
    pool = QThreadPool()
    pool.setMaxThreadCount(1)  # database writes are serialised, as in the window
    runner = TaskRunner(pool)
    yield runner
    runner.wait_for_all()


def _dialog(qtbot, workspace, tasks, path: Path | None = None) -> DoNotCallImportDialog:
    dialog = DoNotCallImportDialog(workspace.do_not_call, tasks, None, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_import_a_file_through_the_dialog(
    qtbot, workspace, db_path: Path, tasks, tmp_path: Path, monkeypatch
):
    workspace.contacts.add(
        ContactFields(first_name="Paul", last_name="Lefèvre", phone="+33198765432")
    )
    workspace.contacts.add(
        ContactFields(first_name="Marie", last_name="Martin", phone="0472000000")
    )
    path = tmp_path / "opposition.csv"
    path.write_bytes(FILE.encode("cp1252"))
    dialog = _dialog(qtbot, workspace, tasks)
    assert not dialog.import_button.isEnabled()  # nothing chosen yet

    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    summary = dialog.summary.text()
    assert "column B “Téléphone”, column C “E-mail”" in summary
    assert "Not read: “Nom”" in summary
    assert "2 different phone numbers and 1 email address" in summary
    assert "1 value can't be read" in summary
    assert dialog.samples.item(0, 1).text() == "01 98 76 54 32"
    assert dialog.samples.item(0, 2).text() == "+33 1 98 76 54 32"
    assert dialog.import_button.isEnabled()
    dialog.grab().save(str(tmp_path / "dnc-dialog-before.png"))

    dialog.reason.setText("Bloctel")
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert (report.phones_added, report.emails_added, report.flagged) == (2, 1, 1)
    text = dialog.status.text()
    assert "2 numbers and 1 email added to the do-not-call list." in text
    assert (
        "1 contact you have was flagged and will not be offered for calls. (Paul Lefèvre)" in text
    )
    assert "1 value could not be read" in text
    assert dialog.unreadable.isVisible()
    assert [dialog.unreadable.item(0, c).text() for c in range(3)] == [
        "5",
        "Téléphone",
        "pas de numéro",
    ]
    assert dialog.close_button.isVisible() and not dialog.cancel_button.isVisible()
    qtbot.wait(20)
    dialog.grab().save(str(tmp_path / "dnc-dialog-after.png"))

    assert _rows(db_path, "SELECT last_name, stage FROM contacts ORDER BY last_name") == [
        ("Lefèvre", "do_not_call"),
        ("Martin", "suspect"),
    ]
    assert {r[0] for r in _rows(db_path, "SELECT reason FROM do_not_call_entries")} == {"Bloctel"}
    assert workspace.queue.next_card(None).contact.fields.last_name == "Martin"


def test_a_workbook_of_several_sheets_says_which_are_read(
    qtbot, workspace, db_path: Path, tasks, tmp_path: Path
):
    workspace.contacts.add(ContactFields(first_name="Zoé", last_name="Morel", email="zoe@morel.fr"))
    book = openpyxl.Workbook()
    book.active.title = "Paris"
    book.active.append(["Nom", "Téléphone"])
    book.active.append(["Martin", "01 98 76 54 32"])
    book.create_sheet("Lisez-moi").append(["Mise à jour chaque mois."])
    book.create_sheet("Lyon").append(["zoe@morel.fr"])
    path = tmp_path / "opposition.xlsx"
    book.save(path)

    dialog = _dialog(qtbot, workspace, tasks, path)

    summary = dialog.summary.text()
    assert "Reading every sheet that holds numbers: “Paris”, “Lyon”." in summary
    assert "No phone numbers or emails in “Lisez-moi”: not read." in summary
    assert "column B “Téléphone” of sheet “Paris”, column A of sheet “Lyon”" in summary
    assert [dialog.samples.item(r, 0).text() for r in range(2)] == [
        "Paris · B · Téléphone",
        "Lyon · A",
    ]
    dialog.grab().save(str(tmp_path / "dnc-dialog-sheets.png"))
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert (done.args[0].phones_added, done.args[0].emails_added) == (1, 1)
    assert _rows(db_path, "SELECT stage FROM contacts") == [("do_not_call",)]


def test_a_bad_file_shows_a_plain_message_and_cannot_be_imported(
    qtbot, workspace, db_path: Path, tasks, tmp_path: Path
):
    path = tmp_path / "villes.csv"
    path.write_text("Ville,Pays\r\nLyon,France\r\nCluj,Romania\r\n", encoding="utf-8")
    dialog = _dialog(qtbot, workspace, tasks, path)
    assert dialog.problem.isVisible()
    assert "No phone numbers or email addresses were found in villes.csv" in dialog.problem.text()
    assert not dialog.import_button.isEnabled()
    assert not dialog.samples.isVisible()

    good = tmp_path / "ok.csv"
    good.write_text("0123456789\r\n", encoding="utf-8")
    dialog.path_edit.setText(str(good))
    dialog.path_edit.editingFinished.emit()
    assert not dialog.problem.isVisible() and dialog.import_button.isEnabled()
    assert _rows(db_path, "SELECT count(*) FROM do_not_call_entries") == [(0,)]


def test_cancel_in_the_dialog_keeps_nothing(qtbot, workspace, db_path: Path, tasks, tmp_path):
    workspace.contacts.add(ContactFields(first_name="Jean", last_name="Paris", phone="0600000011"))
    numbers = [f"06 {n // 10000:02d} {n // 100 % 100:02d} {n % 100:02d} 11" for n in range(5000)]
    path = tmp_path / "big.csv"
    path.write_text("\r\n".join(["Phone", *numbers]), encoding="utf-8")
    dialog = _dialog(qtbot, workspace, tasks, path)
    service = workspace.do_not_call
    original = service.import_file
    first_batch_written, clicked = threading.Event(), threading.Event()

    def paused_after_the_first_batch(path, **kwargs):  # type: ignore[no-untyped-def]
        for step in original(path, **kwargs):
            yield step
            if step.status == "running" and not clicked.is_set():
                first_batch_written.set()
                clicked.wait(10)  # the rep clicks Cancel while the import is under way

    service.import_file = paused_after_the_first_batch  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(first_batch_written.is_set, timeout=20_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert "Cancelling" in dialog.status.text()
    clicked.set()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert dialog.result.status == "cancelled"
    assert "Nothing from this file was saved" in dialog.status.text()
    assert dialog.close_button.isVisible()
    assert _rows(db_path, "SELECT count(*) FROM do_not_call_entries") == [(0,)]
    assert _rows(db_path, "SELECT stage FROM contacts") == [("suspect",)]
