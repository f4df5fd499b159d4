"""The import wizard's report says what reading the file changed: nothing is fixed silently."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

BLANK_ROWS = 1000  # sheet_rows.BLANK_RUN_END: the window reaches the importers through services


def _gap_workbook(path: Path) -> Path:
    """Five contacts: row 3 with a 40,000-character note, row 4 with a NUL (as Excel writes
    it, ``_x0000_``); then 1,005 blank rows, then Bob, who is not read."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Notes"])
    for index in range(5):
        note = "LONG-NOTE" if index == 1 else "Called in March"
        name = "Ana_x0000_ Pop" if index == 2 else f"Ana Pop{index}"
        sheet.append([name, f"06 12 34 56 {index:02d}", note])
    sheet.cell(7 + BLANK_ROWS + 5, 1, "Bob Martin")
    sheet.cell(7 + BLANK_ROWS + 5, 2, "06 98 76 54 32")
    book.save(path)
    # openpyxl cuts text to Excel's limit itself: put the long note in as LibreOffice would.
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"LONG-NOTE", b"y" * 40_000)
            archive.writestr(info, data)
    return path


def _next(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_the_report_says_what_reading_the_file_changed(qtbot, window, workspace, tmp_path):
    path = _gap_workbook(tmp_path / "salon leads.xlsx")
    wizard = window.open_import_wizard(path)
    qtbot.waitExposed(wizard)
    for _ in range(3):  # file -> how it reads -> mapping -> the list
        _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.list_page
    _next(qtbot, wizard)  # -> duplicates: the whole file is checked
    qtbot.waitUntil(lambda: wizard.duplicates_page.checked is not None, timeout=20_000)
    with qtbot.waitSignal(wizard.import_finished, timeout=20_000) as finished:
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton
        )
    assert (finished.args[0].status, finished.args[0].imported) == ("completed", 5)
    run = wizard.run_page
    assert run.notes.isVisible()
    assert run.notes.text().split("\n\n") == [
        "Reading stopped at row 7, where 1,000 blank rows in a row begin: nothing below them "
        "was read. If your list goes on below them, delete the blank rows and import again.",
        "1 cell was longer than a spreadsheet cell can hold (32,767 characters) and was cut: "
        "row 3 (Notes).",
        "Invisible NUL characters were removed from row 4.",
    ]
    # And each one among the rows' problems, in the table below.
    table = run.problems
    rows = [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]
    assert rows[0][0] == "—" and rows[0][1].startswith("Reading stopped") and rows[0][2] == "row 7"
    assert rows[1] == (
        "3",
        "Text longer than a spreadsheet cell can hold (32,767 characters): cut",
        "column Notes",
    )
    assert rows[2] == ("4", "Invisible NUL characters removed", "")
    assert workspace.contacts.total() == 5  # Bob, below the blank rows, was not imported
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
