"""Click through the contact table and the detail pane like a rep would."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.domain.stages import Stage


def _table_rows(page) -> list[list[str]]:
    model = page.model
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _type(qtbot, widget, text: str) -> None:
    """Type like a keyboard would, accented letters included (QTest only knows ASCII keys)."""
    widget.clear()
    widget.setFocus()
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char)
                QApplication.sendEvent(widget, event)


def _search(qtbot, page, text: str) -> None:
    _type(qtbot, page.search, text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)


def test_add_edit_search_filter_and_delete_a_contact(qtbot, window, workspace, answer_dialogs):
    page = window.contacts_page
    form = page.form
    workspace.contacts.add(ContactFields(first_name="Ana", last_name="Popescu", city="Cluj"))
    page.refresh()
    assert page.count_label.text() == "1 contact"

    # Add
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, form.edits["first_name"], "François")
    _type(qtbot, form.edits["last_name"], "Lefèvre")
    _type(qtbot, form.edits["company"], "Crème & Fils")
    _type(qtbot, form.edits["phone"], "06 12 34 56 78")
    _type(qtbot, form.edits["email"], "f.lefevre@creme.fr")
    _type(qtbot, form.edits["city"], "Lyon")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.problems.isVisible()
    rows = _table_rows(page)
    assert [r[0] for r in rows] == ["François Lefèvre", "Ana Popescu"]
    assert rows[0][1:5] == ["Crème & Fils", "06 12 34 56 78", "f.lefevre@creme.fr", "Lyon"]
    assert rows[0][5] == "Suspect"
    assert page.table.selectionModel().currentIndex().row() == 0  # the new contact is selected

    # Edit
    _type(qtbot, form.edits["city"], "Marseille")
    index = form.stage.findData(Stage.LEAD)
    form.stage.setCurrentIndex(index)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    rows = _table_rows(page)
    assert rows[0][4] == "Marseille"
    assert rows[0][5] == "Lead"

    # Search finds it (accents not needed), and only it
    _search(qtbot, page, "lefevre")
    assert [r[0] for r in _table_rows(page)] == ["François Lefèvre"]
    _search(qtbot, page, "0612 34")
    assert [r[0] for r in _table_rows(page)] == ["François Lefèvre"]
    _search(qtbot, page, "")
    assert len(_table_rows(page)) == 2

    # A filter hides it
    page.stage_filter.setCurrentIndex(page.stage_filter.findData(Stage.SUSPECT))
    assert [r[0] for r in _table_rows(page)] == ["Ana Popescu"]
    page.stage_filter.setCurrentIndex(page.stage_filter.findData(Stage.LEAD))
    assert [r[0] for r in _table_rows(page)] == ["François Lefèvre"]

    # Delete it (after saying yes)
    page.select_contact(form.contact_id)
    asked = answer_dialogs(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(form.delete_button, Qt.MouseButton.LeftButton)
    assert "François Lefèvre" in asked[0]
    assert _table_rows(page) == []
    assert page.empty_label.isVisible()
    assert "No contact matches" in page.empty_label.text()
    page.stage_filter.setCurrentIndex(0)
    assert [r[0] for r in _table_rows(page)] == ["Ana Popescu"]
    assert workspace.contacts.total() == 1


def test_search_waits_for_the_typist_then_filters(qtbot, window, workspace):
    page = window.contacts_page
    for last in ("Martin", "Marchand", "Dubois"):
        workspace.contacts.add(ContactFields(last_name=last))
    page.refresh()
    qtbot.keyClicks(page.search, "mar")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=2000)
    assert sorted(r[0] for r in _table_rows(page)) == ["Marchand", "Martin"]


def test_a_bad_email_is_explained_and_nothing_is_saved(qtbot, window, workspace):
    page = window.contacts_page
    form = page.form
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, form.edits["last_name"], "Horvat")
    _type(qtbot, form.edits["email"], "ivana@")
    _type(qtbot, form.edits["phone"], "12")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.problems.isVisible()
    assert "'ivana@' is not a valid email address" in form.problems.text()
    assert "'12' is not a valid phone number" in form.problems.text()
    assert workspace.contacts.total() == 0
    # What was typed is still there to fix.
    assert form.edits["email"].text() == "ivana@"
    _type(qtbot, form.edits["email"], "ivana@tvrtka.hr")
    _type(qtbot, form.edits["phone"], "+385 91 234 5678")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.problems.isVisible()
    assert workspace.contacts.total() == 1


def test_unsaved_edits_are_not_dropped_silently(qtbot, window, workspace, answer_dialogs):
    page = window.contacts_page
    first = workspace.contacts.add(ContactFields(last_name="Aaron"))
    workspace.contacts.add(ContactFields(last_name="Zoran"))
    page.refresh()
    page.select_contact(first.id)
    _type(qtbot, page.form.edits["city"], "Zagreb")
    asked = answer_dialogs(QMessageBox.StandardButton.Save)
    page.table.selectRow(1)
    assert asked, "switching contacts with unsaved edits must ask"
    assert workspace.contacts.get(first.id).fields.city == "Zagreb"


def test_sorting_by_a_column_header(qtbot, window, workspace):
    page = window.contacts_page
    for last, city in (("Petrović", "Zagreb"), ("Albu", "Iași"), ("Müller", "Berlin")):
        workspace.contacts.add(ContactFields(last_name=last, city=city))
    page.refresh()
    header = page.table.horizontalHeader()
    header.setSortIndicator(4, Qt.SortOrder.AscendingOrder)  # what a header click does
    assert [r[4] for r in _table_rows(page)] == ["Berlin", "Iași", "Zagreb"]
    header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert [r[0] for r in _table_rows(page)] == ["Petrović", "Müller", "Albu"]


def test_window_and_columns_remember_their_layout(qtbot, make_window, settings):
    first = make_window()
    first.resize(1200, 700)
    header = first.contacts_page.table.horizontalHeader()
    header.resizeSection(1, 333)
    first.close()
    second = make_window()
    assert second.contacts_page.table.horizontalHeader().sectionSize(1) == 333
    # The offscreen screen is 800 px wide, so Qt narrows a restored window to fit; the height
    # (default 780) shows the saved geometry was used.
    assert second.size().height() == 700


def test_about_names_the_version_and_the_database_file(window, workspace):
    from prospector import __version__

    text = window.about_text()
    assert __version__ in text
    assert str(workspace.path) in text


def test_an_empty_database_offers_the_sample_list(qtbot, window, workspace):
    assert window.welcome.isVisible()
    qtbot.mouseClick(window.load_sample_button, Qt.MouseButton.LeftButton)
    assert not window.welcome.isVisible()
    page = window.contacts_page
    assert page.model.rowCount() == workspace.contacts.total() >= 50
    assert page.source_filter.findText("Sample list") > 0
    window.show_page("lists")
    assert window.lists_page.table.item(0, 0).text() == "Sample list"


def test_declining_the_sample_list_is_remembered(qtbot, make_window):
    first = make_window()
    qtbot.mouseClick(first.decline_sample_button, Qt.MouseButton.LeftButton)
    assert not first.welcome.isVisible()
    first.close()
    assert not make_window().welcome.isVisible()


def test_lists_page_shows_a_lists_contacts(qtbot, window, workspace):
    directory = workspace.sources.add("Chamber of commerce", "directory")
    workspace.contacts.add(ContactFields(last_name="Listed", source_id=directory))
    workspace.contacts.add(ContactFields(last_name="Unlisted"))
    window.lists_page.refresh()
    window.contacts_page.refresh()
    window.show_page("lists")
    window.lists_page.table.selectRow(0)
    qtbot.mouseClick(window.lists_page.show_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.contacts_page
    assert [r[0] for r in _table_rows(window.contacts_page)] == ["Listed"]


def test_a_big_database_is_checked_after_the_window_shows(qtbot, db_path, settings, monkeypatch):
    from prospector.services.workspace import open_workspace
    from prospector.storage import database
    from prospector.ui.windows.main_window import MainWindow

    ws = open_workspace(db_path)
    for i in range(400):
        ws.contacts.add(ContactFields(first_name=f"Ana{i}", last_name="Pop" * 20, city="Cluj"))
    ws.close()
    data = bytearray(db_path.read_bytes())
    data[20 * 1024 : 24 * 1024] = b"\xa5" * 4096  # damage that only quick_check notices
    db_path.write_bytes(bytes(data))

    monkeypatch.setattr(database, "QUICK_CHECK_AT_OPEN_BELOW", 0)  # treat it as big
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a, **k: shown.append(text))
    )
    ws = open_workspace(db_path, defer_integrity_check=True)
    assert not ws.database.integrity_checked
    window = MainWindow(ws, settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.integrity_failed, timeout=10_000):
        window.show()
    # No message here: once the window is closed the app offers to restore or salvage
    # (tests/gui/test_integrity_dialog.py).
    assert shown == [] and "is damaged" in window.damage_found.user_message()
    assert not window.isVisible()
    before = db_path.read_bytes()
    ws.close()
    assert db_path.read_bytes() == before  # nothing written on the way out


def test_a_healthy_big_database_is_checked_quietly(qtbot, workspace, settings, monkeypatch):
    from prospector.ui.windows.main_window import MainWindow

    workspace.database.integrity_checked = False  # as if opening had deferred the check
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: workspace.database.integrity_checked, timeout=10_000)
    assert window.isVisible()


def test_a_very_broad_search_is_shown_unsorted_until_a_column_is_clicked(
    qtbot, window, workspace, monkeypatch
):
    from prospector.ui.models import contact_table

    monkeypatch.setattr(contact_table, "SORTED_SEARCH_LIMIT", 2)
    page = window.contacts_page
    for last in ("Marin", "Martin", "Marchand", "Dubois"):
        workspace.contacts.add(ContactFields(last_name=last, city="Lyon"))
    page.refresh()
    _search(qtbot, page, "mar")
    assert page.model.query.match_order
    assert [r[0] for r in _table_rows(page)] == ["Marin", "Martin", "Marchand"]  # as added
    assert "type more to narrow" in page.count_label.text()
    assert not page.table.horizontalHeader().isSortIndicatorShown()

    header = page.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(0) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert not page.model.query.match_order
    names = [r[0] for r in _table_rows(page)]
    assert names in (["Marchand", "Marin", "Martin"], ["Martin", "Marin", "Marchand"])
    assert page.table.horizontalHeader().isSortIndicatorShown()

    _search(qtbot, page, "mart")  # narrow enough to sort again
    assert not page.model.query.match_order
    assert [r[0] for r in _table_rows(page)] == ["Martin"]


def test_closing_the_window_with_unsaved_typing_asks_first(
    qtbot, window, workspace, answer_dialogs
):
    contact = workspace.contacts.add(ContactFields(last_name="Novak"))
    page = window.contacts_page
    page.refresh()
    page.select_contact(contact.id)
    _type(qtbot, page.form.edits["title"], "Owner")
    asked = answer_dialogs(QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked and window.isVisible()  # Cancel keeps the window and the typing
    assert page.form.edits["title"].text() == "Owner"
    answer_dialogs(QMessageBox.StandardButton.Save)
    window.close()
    assert not window.isVisible()
    assert workspace.contacts.get(contact.id).fields.title == "Owner"


def _hold_erasing(workspace, monkeypatch) -> threading.Event:
    """Erasing waits, on its worker, until the returned event is set."""
    go_on = threading.Event()
    erase = workspace.privacy.erase

    def held(contact_id: int):  # type: ignore[no-untyped-def]
        assert go_on.wait(10)
        return erase(contact_id)

    monkeypatch.setattr(workspace.privacy, "erase", held)
    return go_on


def test_a_contact_who_asked_to_be_erased_is_erased_for_good(
    qtbot, window, workspace, answer_dialogs, db_path, monkeypatch
):
    import sqlite3

    contact = workspace.contacts.add(
        ContactFields(first_name="Quentin", last_name="Zyx", phone="06 98 76 54 32")
    ).id
    workspace.notes.add(contact, "a note")
    page = window.contacts_page
    page.refresh()
    assert page.show_contact(contact)
    page.form.delete_question(workspace.contacts.get(contact))
    assert page.form.erase_box is not None
    assert not page.form.erase_box.isChecked()  # plain deleting is the default
    # Erasing rewrites the search indexes (seconds at a million contacts): it runs on a worker,
    # held here until the card has been looked at.
    go_on = _hold_erasing(workspace, monkeypatch)
    asked = answer_dialogs(QMessageBox.StandardButton.Yes, tick=True)
    qtbot.mouseClick(page.form.delete_button, Qt.MouseButton.LeftButton)

    assert "Quentin Zyx" in asked[0]
    assert page.form.erasing == contact
    assert not page.form.delete_button.isEnabled() and not page.form.edits["city"].isEnabled()
    assert page.form.heading.text().startswith("Erasing Quentin Zyx…")
    qtbot.wait(50)
    assert page.table.isEnabled()  # the window answers meanwhile
    go_on.set()
    qtbot.waitUntil(lambda: page.form.erasing is None)
    assert workspace.contacts.total() == 0
    assert workspace.privacy.erased_count() == 1  # the phone, kept as a hash
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    finally:
        conn.close()
    assert page.form.contact_id is None


@pytest.mark.parametrize("erase", [False, True], ids=["delete", "erase"])
def test_a_delete_refused_by_a_busy_database_says_so_and_keeps_the_contact(
    qtbot, window, workspace, answer_dialogs, monkeypatch, erase
):
    from prospector.errors import DatabaseBusy

    contact = workspace.contacts.add(ContactFields(first_name="Anne", last_name="Busy")).id
    page = window.contacts_page
    page.refresh()
    assert page.show_contact(contact)

    def busy(_contact_id: int) -> None:
        raise DatabaseBusy(workspace.path, "database is locked")

    shown: list[str] = []
    if erase:  # at the person's request: on a worker, the card greyed meanwhile
        monkeypatch.setattr(workspace.privacy, "erase", busy)
    else:
        monkeypatch.setattr(workspace.contacts, "delete", busy)
    monkeypatch.setattr(
        "prospector.ui.widgets.contact_form.show_error",
        lambda _parent, error: shown.append(error.code),
    )
    answer_dialogs(QMessageBox.StandardButton.Yes, tick=erase)
    qtbot.mouseClick(page.form.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.form.erasing is None)
    assert shown == ["db.busy"]
    assert page.form.contact_id == contact  # still on screen, nothing deleted
    assert page.form.heading.text() == "Anne Busy"
    assert page.form.delete_button.isEnabled() and page.form.edits["city"].isEnabled()
    assert not page.form.save_button.isEnabled()  # as before: nothing was typed
    assert workspace.contacts.total() == 1


def test_closing_the_window_waits_for_an_erase_under_way(
    qtbot, window, workspace, answer_dialogs, monkeypatch
):
    contact = workspace.contacts.add(ContactFields(first_name="Quentin", last_name="Zyx")).id
    page = window.contacts_page
    page.refresh()
    assert page.show_contact(contact)
    go_on = _hold_erasing(workspace, monkeypatch)
    answer_dialogs(QMessageBox.StandardButton.Yes, tick=True)
    qtbot.mouseClick(page.form.delete_button, Qt.MouseButton.LeftButton)
    assert page.form.erasing == contact
    threading.Timer(0.3, go_on.set).start()  # a slow erase, still running as the rep quits
    stop_all = window._tasks.stop_all  # waits 3 s for other work: longer than this erase
    monkeypatch.setattr(window._tasks, "stop_all", lambda msecs=3_000: stop_all(50))

    window.close()

    assert workspace.contacts.total() == 0  # erased before the window went, as asked
    assert workspace.privacy.erased_count() == 0  # no phone or email to keep as a hash
