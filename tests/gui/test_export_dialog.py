"""Export from the window like a rep: Ctrl+E or the Export… button, this view or everything,
a progress bar with Cancel, then how many rows were written and the folder one click away."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.domain.stages import Stage
from prospector.services.exports import ExportProgress
from prospector.ui.dialogs.export_dialog import ExportDialog


@pytest.fixture
def people(workspace):
    for first, last, city, stage in (
        ("Ana", "Popescu", "Cluj", Stage.LEAD),
        ("Ion", "Rusu", "Cluj", Stage.SUSPECT),
        ("Ştefan", "Pop", "Iaşi", Stage.DO_NOT_CALL),
        ("Marie", "Martin", "Lyon", Stage.PROSPECT),
    ):
        workspace.contacts.add(
            ContactFields(
                first_name=first,
                last_name=last,
                city=city,
                company="=1+1" if first == "Ana" else "Acme",
                phone="0612345678",
                stage=stage,
                do_not_call=stage is Stage.DO_NOT_CALL,
            )
        )


def _open(qtbot, window) -> ExportDialog:
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _export(qtbot, dialog: ExportDialog) -> ExportProgress:
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_export_the_view_with_ctrl_e(qtbot, window, workspace, people, tmp_path, monkeypatch):
    page = window.contacts_page
    page.refresh()
    page.search.setText("cluj")
    page.apply_filters()
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    dialog = _open(qtbot, window)
    assert dialog.view_choice.isChecked()
    assert dialog.view_choice.text() == "The contacts shown now (2)"
    assert dialog.all_choice.text() == "All contacts (4)"
    assert not dialog.delimiter_combo.isVisible()  # CSV choices only for a CSV

    path = tmp_path / "cluj.xlsx"
    dialog.path_edit.setText(str(path))
    result = _export(qtbot, dialog)
    assert result.written == 2
    assert dialog.status.text().startswith("2 contacts were written to cluj.xlsx.")
    assert dialog.open_folder_button.isVisible() and dialog.close_button.isVisible()
    dialog.grab().save(str(tmp_path / "export-done.png"))

    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "Company", "Phone")  # the table's own titles and order
    assert [r[0] for r in rows[1:]] == ["Ana Popescu", "Ion Rusu"]
    assert rows[1][1] == "=1+1" and sheet["B2"].data_type == "s"  # text, never a formula

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda u: opened.append(u)))
    qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in opened] == [str(tmp_path)]
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)


def test_everything_as_csv_for_old_excel_and_back_to_utf8(
    qtbot, window, workspace, people, tmp_path, settings
):
    qtbot.mouseClick(window.contacts_page.export_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    dialog.all_choice.setChecked(True)
    dialog.path_edit.setText(str(tmp_path / "all"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".csv"))
    assert dialog.path_edit.text() == str(tmp_path / "all.csv")  # the name follows the type
    assert dialog.delimiter_combo.isVisible()
    dialog.delimiter_combo.setCurrentIndex(dialog.delimiter_combo.findData(";"))
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("cp1252"))

    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.utf8_button.isVisible(), timeout=20_000)
    assert "“Ş”" in dialog.status.text() and "Nothing was saved" in dialog.status.text()
    assert not (tmp_path / "all.csv").exists()
    dialog.grab().save(str(tmp_path / "export-encoding.png"))

    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        qtbot.mouseClick(dialog.utf8_button, Qt.MouseButton.LeftButton)
    text = (tmp_path / "all.csv").read_bytes().decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(records) == 5
    flag = records[0].index("Do not call")
    assert {r[0]: r[flag] for r in records[1:]}["Ştefan"] == "yes"
    assert settings.value("export/csv_delimiter") == ";"  # remembered for the next export
    assert settings.value("export/csv_encoding") == "utf-8-sig"
    assert settings.value("export/format") == ".csv"


def test_replacing_a_file_asks_first(qtbot, window, people, tmp_path, answer_dialogs):
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(b"keep me")
    dialog = _open(qtbot, window)
    dialog.path_edit.setText(str(path))
    asked = answer_dialogs(QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked == ["contacts.xlsx already exists. Replace it with this export?"]
    assert path.read_bytes() == b"keep me" and dialog.export_button.isEnabled()
    answer_dialogs(QMessageBox.StandardButton.Yes)
    assert _export(qtbot, dialog).written == 4
    assert openpyxl.load_workbook(path).active.max_row == 5


def test_cancel_saves_nothing(qtbot, window, workspace, people, tmp_path, monkeypatch):
    """The service is stood in for by one that runs until stopped, so Cancel is the only way
    out; the real service's cancel is tested in tests/unit/test_exports.py."""

    def endless(request, should_stop) -> Iterator[ExportProgress]:
        n = 0
        while not should_stop():
            n += 1
            yield ExportProgress(min(n, 99), 100, request.path)
            time.sleep(0.02)  # as a real export: a few steps a second, not a flood of signals
        yield ExportProgress(n, 100, request.path, "cancelled")

    monkeypatch.setattr(workspace.exports, "run_export", endless)
    dialog = _open(qtbot, window)
    dialog.path_edit.setText(str(tmp_path / "never.xlsx"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "contacts written" in dialog.status.text(), timeout=20_000)
    assert not dialog.choices.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=20_000)
    assert dialog.status.text() == "The export was cancelled. No file was saved."
    assert not dialog.open_folder_button.isVisible()
    assert not (tmp_path / "never.xlsx").exists()


def test_a_big_csv_from_the_window_is_written_by_two_processes(
    qtbot, window, workspace, people, tmp_path, monkeypatch
):
    """The export runs on the dialog's thread and starts its worker process from there."""
    from tests.unit.test_export_in_two_processes import worker_takes_the_rest

    for n in range(40):
        workspace.contacts.add(ContactFields(first_name="Léa", last_name=f"Roux {n:02d}"))
    started = worker_takes_the_rest(monkeypatch)  # any size counts as big
    dialog = _open(qtbot, window)
    dialog.all_choice.setChecked(True)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".csv"))
    path = tmp_path / "everyone.csv"
    dialog.path_edit.setText(str(path))
    result = _export(qtbot, dialog)
    assert result.written == 44 and result.status == "done"
    (worker,) = started
    assert worker.their_chunks() and not worker.failed  # it wrote all but the first chunk
    records = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert len(records) == 45
    names = [r[1] for r in records[1:]]
    assert names == sorted(names, key=str.casefold)  # the table's order, across both parts
    assert dialog.status.text().startswith("44 contacts were written to everyone.csv.")
