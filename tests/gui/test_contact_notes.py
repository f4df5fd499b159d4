"""Notes in the window: saved as typed, never lost on close, switch or crash; edited; searched."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.domain.timeline import EntryKind
from prospector.services.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[2]


def _add(workspace, first: str, last: str = "Dupont") -> int:
    return workspace.contacts.add(ContactFields(first_name=first, last_name=last)).id


def _notes_in_db(db_path: Path) -> list[tuple[int, str, object]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT contact_id, text, edited_at FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()


def _open_notes(window, contact_id: int):
    page = window.contacts_page
    page.refresh()  # contacts added by the test after the window opened
    assert page.show_contact(contact_id)
    page.detail_tabs.setCurrentWidget(page.timeline)
    return page.timeline


def test_a_note_typed_then_the_window_closed_is_there_on_reopening(
    qtbot, workspace, make_window, db_path
):
    jean = _add(workspace, "Jean")
    window = make_window()
    timeline = _open_notes(window, jean)
    qtbot.keyClicks(timeline.editor, "Rappeler jeudi, ")
    timeline.editor.insertPlainText("préfère le matin")  # as an input method types accents
    window.close()  # before the pause that would save it: closing saves it

    assert _notes_in_db(db_path) == [(jean, "Rappeler jeudi, préfère le matin", None)]
    again = _open_notes(make_window(), jean)
    assert "Rappeler jeudi, préfère le matin" in again.history.toPlainText()
    assert again.editor.toPlainText() == ""  # a fresh note, the old one is in the history


def test_a_pause_in_typing_saves_and_switching_contact_keeps_each_note(
    qtbot, workspace, window, db_path
):
    jean, marie = _add(workspace, "Jean"), _add(workspace, "Marie", "Martin")
    timeline = _open_notes(window, jean)
    qtbot.keyClicks(timeline.editor, "Devis envoy")
    timeline.editor.insertPlainText("é")
    qtbot.waitUntil(timeline.is_saved, timeout=3000)  # nobody pressed anything
    assert "Saved" in timeline.status.text()
    assert "Devis envoyé" in timeline.history.toPlainText()
    qtbot.keyClicks(timeline.editor, " le 3 mars")
    window.contacts_page.show_contact(marie)  # switched mid-sentence
    assert timeline.contact_id() == marie
    assert timeline.editor.toPlainText() == ""
    assert _notes_in_db(db_path) == [(jean, "Devis envoyé le 3 mars", None)]


def test_a_note_is_changed_from_the_history_and_keeps_the_time_of_the_change(
    qtbot, workspace, window, db_path, clock
):
    jean = _add(workspace, "Jean")
    note_id = workspace.notes.add(jean, "Budget en mai")
    clock.advance(days=2)
    timeline = _open_notes(window, jean)
    timeline.history.anchorClicked.emit(QUrl(f"edit:{note_id}"))
    assert timeline.editor.toPlainText() == "Budget en mai"
    assert timeline.done_button.text() == "Done"
    timeline.editor.moveCursor(timeline.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(timeline.editor, " (confirm")
    timeline.editor.insertPlainText("é)")
    qtbot.mouseClick(timeline.done_button, Qt.MouseButton.LeftButton)

    [(contact, text, edited_at)] = _notes_in_db(db_path)
    assert (contact, text) == (jean, "Budget en mai (confirmé)")
    assert edited_at is not None
    assert "changed" in timeline.history.toPlainText()
    assert timeline.editor.toPlainText() == "" and timeline.done_button.text() == "New note"


def test_a_note_is_deleted_only_when_the_rep_confirms(
    qtbot, workspace, window, db_path, answer_dialogs
):
    jean = _add(workspace, "Jean")
    note_id = workspace.notes.add(jean, "À supprimer")
    timeline = _open_notes(window, jean)
    answer_dialogs(QMessageBox.StandardButton.No)
    timeline.history.anchorClicked.emit(QUrl(f"delete:{note_id}"))
    assert len(_notes_in_db(db_path)) == 1
    asked = answer_dialogs(QMessageBox.StandardButton.Yes)
    timeline.history.anchorClicked.emit(QUrl(f"delete:{note_id}"))
    assert asked and _notes_in_db(db_path) == []
    assert "À supprimer" not in timeline.history.toPlainText()


def test_the_search_box_finds_a_contact_by_its_note(qtbot, workspace, window):
    jean = _add(workspace, "Jean")
    _add(workspace, "Marie", "Martin")
    timeline = _open_notes(window, jean)
    qtbot.keyClicks(timeline.editor, "vitrine refrigeree")
    qtbot.waitUntil(timeline.is_saved, timeout=3000)
    page = window.contacts_page
    page.search.setText("vitrine")
    page.apply_filters()
    assert page.model.rowCount() == 1
    assert page.model.contact_id_at(0) == jean


def test_the_history_shows_calls_and_stage_changes(qtbot, workspace, window):
    from prospector.domain.outcomes import CallOutcome

    jean = _add(workspace, "Jean")
    workspace.queue.log_outcome(jean, CallOutcome.TALKED, duration_s=75, note="Sympa")
    timeline = _open_notes(window, jean)
    text = timeline.history.toPlainText()
    assert "Call: Talked (1:15)" in text
    assert "Sympa" in text
    assert "Stage: Suspect → Lead" in text
    kinds = [e.kind for e in workspace.notes.timeline(jean).entries]
    assert kinds == [EntryKind.STAGE, EntryKind.CALL, EntryKind.ADDED]


@pytest.mark.slow
def test_a_note_typed_and_autosaved_survives_the_app_being_killed(tmp_path: Path, db_path):
    ws = open_workspace(db_path)
    jean = _add(ws, "Jean")
    ws.close()
    script = textwrap.dedent(
        f"""
        import os, sys, time
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from pathlib import Path
        from PySide6.QtCore import QSettings
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication
        from prospector.services.workspace import open_workspace
        from prospector.ui.windows.main_window import MainWindow
        app = QApplication([])
        ws = open_workspace(Path({str(db_path)!r}))
        window = MainWindow(ws, QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat))
        window.show()
        page = window.contacts_page
        page.show_contact({jean})
        page.detail_tabs.setCurrentWidget(page.timeline)
        QTest.keyClicks(page.timeline.editor, "Ne pas perdre: commande de 40 unit")
        page.timeline.editor.insertPlainText("és")
        while not page.timeline.is_saved():
            app.processEvents()
            time.sleep(0.02)
        print("saved", flush=True)
        QTest.keyClicks(page.timeline.editor, " (typed later)")  # not yet saved when killed
        print("typing", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "typing":
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert _notes_in_db(db_path) == [(jean, "Ne pas perdre: commande de 40 unités", None)]
