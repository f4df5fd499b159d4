"""Click through the import wizard and find the list's contacts in the table."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWizard

from prospector.domain.contacts import ContactFields
from prospector.services.imports import DuplicatePolicy

LIST = (
    "Prénom;Nom;Société;Téléphone;E-mail;Effectif\r\n"
    "François;Lefèvre;Crème & Fils;06 12 34 56 78;f.lefevre@creme.fr;12\r\n"
    "Ştefan;Popescu;Băneasa SRL;+40 721 123 456;stefan@baneasa.ro;40\r\n"
    "Jean;Dupont;;n/a;;3\r\n"
)


def _next(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _checked(qtbot, wizard):
    """Go on to the duplicates page and wait until the file has been checked."""
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.duplicates_page
    qtbot.waitUntil(lambda: wizard.duplicates_page.checked is not None, timeout=20_000)
    return wizard.duplicates_page


def test_import_a_csv_through_the_wizard(qtbot, window, workspace, tmp_path: Path):
    path = tmp_path / "annuaire lyon.csv"
    path.write_bytes(LIST.encode("utf-8-sig"))
    workspace.contacts.add(ContactFields(first_name="Marie", last_name="Martin"))
    window.contacts_page.refresh()

    wizard = window.open_import_wizard(path)
    qtbot.waitExposed(wizard)
    _next(qtbot, wizard)  # file -> how it reads
    assert wizard.currentPage() is wizard.read_page
    assert "Unicode (UTF-8 with BOM)" in wizard.read_page.described.text()
    assert "semicolon" in wizard.read_page.described.text()
    assert wizard.read_page.table.item(0, 1).text() == "Lefèvre"

    _next(qtbot, wizard)  # -> mapping
    combos = wizard.mapping_page.combos
    assert combos["Société"].currentData() == "company"
    assert combos["Téléphone"].currentData() == "phone"
    assert combos["Effectif"].currentData() == "__extra__"

    _next(qtbot, wizard)  # -> the list
    page = wizard.list_page
    assert page.name.text() == "annuaire lyon"
    page.cost.setValue(150)
    duplicates = _checked(qtbot, wizard)
    assert not duplicates.table.isVisible()
    assert "No duplicates" in duplicates.status.text()
    assert workspace.contacts.total() == 1  # checking wrote nothing
    with qtbot.waitSignal(wizard.import_finished, timeout=20_000) as finished:
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton
        )
    result = finished.args[0]
    assert (result.status, result.imported) == ("completed", 3)
    run = wizard.run_page
    assert "3 new" in run.status.text()
    assert run.problems.isVisible()
    assert run.problems.item(0, 0).text() == "4"  # Jean's row, as the file numbers it
    assert "Phone number not valid" in run.problems.item(0, 1).text()

    table = window.contacts_page.model
    names = [table.data(table.index(r, 0)) for r in range(table.rowCount())]
    assert names == ["Jean Dupont", "François Lefèvre", "Marie Martin", "Ştefan Popescu"]
    window.show_page("lists")
    assert window.lists_page.table.item(0, 0).text() == "annuaire lyon"
    assert window.lists_page.table.item(0, 4).text().startswith("150.00")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)


def test_a_file_that_is_not_a_list_is_explained_on_the_first_page(qtbot, window, tmp_path: Path):
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"")
    wizard = window.open_import_wizard(path)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.file_page
    assert wizard.file_page.problem.isVisible()
    assert "empty" in wizard.file_page.problem.text()


def test_the_sheet_can_be_chosen_and_a_title_row_is_skipped(qtbot, window, tmp_path: Path):
    path = tmp_path / "vendor.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Nothing to import here"])
    sheet = book.create_sheet("Leads")
    sheet.append(["Liste Annuaire 2026"])
    sheet.append(["Nume", "Prenume", "Telefon"])
    sheet.append(["Popescu", "Ana", "0721 123 456"])
    book.save(path)
    wizard = window.open_import_wizard(path)
    _next(qtbot, wizard)
    read = wizard.read_page
    read.sheet.setCurrentText("Leads")
    read.sheet.activated.emit(read.sheet.currentIndex())
    assert wizard.preview.header_row == 2
    assert [c.name for c in wizard.preview.columns] == ["Nume", "Prenume", "Telefon"]
    _next(qtbot, wizard)
    assert wizard.mapping_page.combos["Prenume"].currentData() == "first_name"
    wizard.reject()


def _slow_list(tmp_path: Path, monkeypatch, first: int = 0) -> Path:
    """A list imported in small, slow batches: time for the rep to press Cancel or close."""
    from prospector.services import imports

    numbers = range(first, first + 300)
    rows = "".join(f"Ana;Pop{i};Firma;;ana{i}@firma.ro;1\r\n" for i in numbers)
    path = tmp_path / f"big {first}.csv"
    path.write_text(LIST.splitlines()[0] + "\r\n" + rows, encoding="utf-8")
    original = imports.ImportService.run_import

    def slow_batches(self, request, *, should_stop, batch_size=1000, dry_run=False):
        for step in original(
            self, request, should_stop=should_stop, batch_size=10, dry_run=dry_run
        ):
            if not dry_run:
                time.sleep(0.05)
            yield step

    monkeypatch.setattr(imports.ImportService, "run_import", slow_batches)
    return path


def _start_import(qtbot, window, path: Path):
    wizard = window.open_import_wizard(path)
    for _ in range(3):
        _next(qtbot, wizard)
    _checked(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    return wizard


def test_cancel_keeps_nothing(qtbot, window, workspace, tmp_path: Path, monkeypatch):
    wizard = _start_import(qtbot, window, _slow_list(tmp_path, monkeypatch))
    with qtbot.waitSignal(wizard.import_finished, timeout=20_000) as finished:
        qtbot.mouseClick(wizard.run_page.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].status == "cancelled"
    assert "Nothing from this file was saved" in wizard.run_page.status.text()
    assert workspace.contacts.total() == 0
    assert workspace.sources.list() == []


def test_closing_during_an_import_asks_first(
    qtbot, window, workspace, tmp_path: Path, monkeypatch
):
    asked: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(_parent, title, *_args):
        asked.append(title)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    wizard = _start_import(qtbot, window, _slow_list(tmp_path, monkeypatch))
    assert wizard.is_importing()
    window.close()  # "No": the app stays open and the import goes on to the end
    assert asked == ["Stop the import?"]
    assert window.isVisible() and wizard.isVisible()
    with qtbot.waitSignal(wizard.import_finished, timeout=20_000) as finished:
        pass
    assert finished.args[0].status == "completed"
    assert workspace.contacts.total() == 300

    wizard = _start_import(qtbot, window, _slow_list(tmp_path, monkeypatch, first=300))
    answer = QMessageBox.StandardButton.Yes
    assert wizard.is_importing()
    wizard.reject()  # the window's close button: "Yes" stops it and keeps nothing
    assert asked[-1] == "Stop the import?" and not wizard.isVisible()
    qtbot.waitUntil(lambda: window._tasks.running() == 0, timeout=20_000)
    assert workspace.contacts.total() == 300


def test_duplicates_are_shown_and_decided_row_by_row(qtbot, window, workspace, tmp_path: Path):
    path = tmp_path / "again.csv"
    path.write_bytes(LIST.encode("utf-8-sig"))
    workspace.contacts.add(
        ContactFields(first_name="François", last_name="Lefèvre", email="f.lefevre@creme.fr")
    )
    workspace.contacts.add(
        ContactFields(first_name="Ştefan", last_name="Popescu", phone="+40 721 123 456")
    )
    window.contacts_page.refresh()
    wizard = window.open_import_wizard(path)
    for _ in range(3):
        _next(qtbot, wizard)
    page = _checked(qtbot, wizard)
    assert page.table.isVisible() and page.table.rowCount() == 2
    assert "2 rows look like contacts you already have" in page.status.text()
    row_of = {page.table.item(r, 0).text(): r for r in range(2)}
    assert page.table.item(row_of["2"], 1).text().startswith("François Lefèvre")
    assert page.table.item(row_of["2"], 3).text() == "email"
    assert page.table.item(row_of["3"], 3).text() == "phone"
    qtbot.mouseClick(page.all_buttons[DuplicatePolicy.SKIP], Qt.MouseButton.LeftButton)
    combo = page.table.cellWidget(row_of["3"], 4)
    combo.setCurrentIndex(combo.findData("import"))  # this one is another Ştefan
    with qtbot.waitSignal(wizard.import_finished, timeout=20_000) as finished:
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton
        )
    result = finished.args[0]
    assert (result.imported, result.skipped, result.merged) == (2, 1, 0)
    table = window.contacts_page.model
    names = sorted(table.data(table.index(r, 0)) for r in range(table.rowCount()))
    assert names == ["François Lefèvre", "Jean Dupont", "Ştefan Popescu", "Ştefan Popescu"]
