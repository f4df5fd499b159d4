"""What a rep sees when a save meets a fault: plain words, and nothing typed is thrown away.

Each fault is the error SQLite itself gives (a full disk, a failing disk, a read-only file, a
write lock held by an import) raised on the contact's own INSERT, or the real thing (the file
moved away under the running window).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import event

from prospector.domain.contacts import ContactFields


@pytest.fixture
def warnings_shown(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a, **k: shown.append(text))
    )
    return shown


def _fail_inserts(engine, message: str):  # type: ignore[no-untyped-def]
    def fail(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT INTO CONTACTS", "INSERT INTO NOTES")):
            raise sqlite3.OperationalError(message)

    event.listen(engine, "before_cursor_execute", fail)
    return lambda: event.remove(engine, "before_cursor_execute", fail)


@pytest.mark.parametrize(
    ("sqlite_says", "rep_reads"),
    [
        ("database or disk is full", "the disk is full"),
        ("disk I/O error", "could not be written to"),
        ("attempt to write a readonly database", "read-only"),
        ("database is locked", "still saving something else"),
    ],
    ids=["disk-full", "io-error", "read-only", "busy"],
)
def test_a_new_contact_that_cannot_be_saved_keeps_what_was_typed(
    qtbot, window, workspace, warnings_shown, sqlite_says: str, rep_reads: str
):
    page, form = window.contacts_page, window.contacts_page.form
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.edits["first_name"], "Ana")
    qtbot.keyClicks(form.edits["phone"], "06 12 34 56 78")
    undo = _fail_inserts(workspace.database.engine, sqlite_says)
    try:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    finally:
        undo()
    assert len(warnings_shown) == 1 and rep_reads in warnings_shown[0]
    assert "Traceback" not in warnings_shown[0]
    assert workspace.contacts.total() == 0
    assert form.edits["first_name"].text() == "Ana" and form.is_dirty()  # still there
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)  # the fault is gone
    assert workspace.contacts.total() == 1 and not form.is_dirty()


def test_a_note_that_cannot_be_saved_says_why_beside_it(qtbot, window, workspace):
    contact = workspace.contacts.add(ContactFields(first_name="Ana", last_name="Pop"))
    window.contacts_page.refresh()
    window.contacts_page.show_contact(contact.id)
    timeline = window.contacts_page.timeline
    timeline.editor.insertPlainText("Call back after the trade fair")
    undo = _fail_inserts(workspace.database.engine, "database or disk is full")
    try:
        assert not timeline.save_now()
    finally:
        undo()
    assert "Not saved" in timeline.status.text() and "disk is full" in timeline.status.text()
    assert timeline.editor.toPlainText() == "Call back after the trade fair"
    assert timeline.save_now()  # and it goes through once there is room


@pytest.mark.allow_log_warnings
def test_a_save_after_the_database_was_moved_names_the_rescued_copy(
    qtbot, window, workspace, db_path: Path, warnings_shown
):
    contact = workspace.contacts.add(ContactFields(first_name="Ana", last_name="Pop"))
    window.contacts_page.refresh()
    window.contacts_page.show_contact(contact.id)
    db_path.rename(db_path.with_name("elsewhere.sqlite"))
    form = window.contacts_page.form
    form.edits["city"].setText("Lyon")
    form.edits["city"].textEdited.emit("Lyon")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert len(warnings_shown) == 1
    message = warnings_shown[0]
    assert "moved or deleted" in message and "rescued" in message
    assert "start Prospector again" in message
    assert form.edits["city"].text() == "Lyon"
    assert window.isVisible()  # no crash: the window still shows what it has
    window._closing_without_saving = True  # the rep was told; closing asks nothing more


def _faults(db: Path) -> list[tuple[object, tuple[str, ...]]]:
    from prospector.errors import (
        DatabaseBusy,
        DatabaseDamaged,
        DatabaseInUse,
        DatabaseMoved,
        DatabaseNotWritable,
        DatabaseWriteFailed,
    )
    from prospector.services.integrity import NoGoodBackup, RecoveryFailed, SalvageFailed

    rescued = db.parent / "backups" / "prospector-rescued-2026-03-16-093000.sqlite"
    return [
        (DatabaseInUse(db, "PC-ANNA", "10:42"), ("already open", "since 10:42 on PC-ANNA")),
        (DatabaseWriteFailed(db, "disk_full"), ("disk is full", "everything saved before")),
        (DatabaseWriteFailed(db, "io"), ("could not be written", "Nothing of this change")),
        (DatabaseMoved(db, "", rescued), ("moved or deleted", str(rescued))),
        (DatabaseMoved(db), ("moved or deleted", "put the database back")),
        (DatabaseDamaged(db, "malformed"), ("found damage", "start it again")),
        (DatabaseNotWritable(db, "readonly"), ("read-only", "Documents")),
        (DatabaseBusy(db, "locked"), ("still saving", "Nothing was lost")),
        (NoGoodBackup(db, [db.parent / "backups"]), ("No backup", "Save what can")),
        (RecoveryFailed(db, "disk_full"), ("disk is full", "Nothing was changed")),
        (SalvageFailed(db, "malformed"), ("Nothing could be read", "Restore a backup")),
    ]


def test_every_database_fault_reads_as_plain_words(qapp, db_path: Path):
    from prospector.ui.errors import message_for

    for error, words in _faults(db_path):
        title, text = message_for(error)  # type: ignore[arg-type]
        assert title and "Traceback" not in text and "sqlite" not in text.lower().replace(
            ".sqlite", ""
        ), text
        for word in words:
            assert word in text, (error, word, text)
