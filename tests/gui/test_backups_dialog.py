"""File ▸ Backups…: the list, Back up now, Restore (the window shows the restored data), the
folder, the numbers kept; and the daily backup the window makes after its start-up check."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from prospector.domain.backups import BackupReason, RotationPolicy
from prospector.domain.contacts import ContactFields
from prospector.services.backups import BackupFailed
from prospector.ui.dialogs.backups_dialog import (
    COL_CONTACTS,
    COL_WHY,
    BackupsDialog,
)
from prospector.ui.errors import message_for


def _daily_backup_made(qtbot, workspace) -> None:
    qtbot.waitUntil(
        lambda: any(b.reason is BackupReason.DAILY for b in workspace.backups.backups()),
        timeout=20_000,
    )


def _open(qtbot, window) -> BackupsDialog:
    window.backups_action.trigger()
    dialog = window.findChild(BackupsDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_loading(), timeout=20_000)
    return dialog


def _reload(qtbot, dialog: BackupsDialog) -> None:
    with qtbot.waitSignal(dialog.listed, timeout=20_000):
        dialog.reload()


def _cell(dialog: BackupsDialog, row: int, column: int) -> str:
    return dialog.table.item(row, column).text()


def test_the_window_backs_up_once_a_day_after_its_start_up_check(qtbot, make_window, workspace):
    window = make_window()
    _daily_backup_made(qtbot, workspace)
    (daily,) = workspace.backups.backups()
    window.close()
    window = make_window()  # started again the same day: no second daily backup
    qtbot.wait(50)
    window._tasks.wait_for_all()
    qtbot.wait(10)
    assert [b.path for b in workspace.backups.backups()] == [daily.path]


def test_list_back_up_and_restore(qtbot, window, workspace, answer_dialogs, tmp_path: Path):
    _daily_backup_made(qtbot, workspace)
    window.load_sample_list()
    sample_total = workspace.contacts.total()
    dialog = _open(qtbot, window)
    assert dialog.table.rowCount() == 1
    assert _cell(dialog, 0, COL_WHY) == "Daily backup"
    assert _cell(dialog, 0, COL_CONTACTS) == "0"
    assert not dialog.restore_button.isEnabled()  # nothing chosen yet

    with qtbot.waitSignal(dialog.listed, timeout=20_000):
        qtbot.mouseClick(dialog.back_up_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2
    assert _cell(dialog, 0, COL_WHY) == "Made by you"
    assert _cell(dialog, 0, COL_CONTACTS) == f"{sample_total:,}"
    assert dialog.status.text().startswith("Backed up:")

    # Work goes on after the backup, then the rep goes back to it.
    workspace.contacts.add(ContactFields(first_name="Added", last_name="Later"))
    window.contacts_page.refresh()
    assert window.contacts_page.model.rowCount() == sample_total + 1
    asked = answer_dialogs(QMessageBox.StandardButton.Yes)
    dialog.select_row(0)
    assert dialog.restore_button.isEnabled()
    dialog.grab().save(str(tmp_path / "backups-dialog.png"))
    with qtbot.waitSignal(dialog.restored, timeout=20_000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert "will be replaced by this backup" in asked[0]
    assert f"holds {sample_total:,} contacts" in asked[0]
    assert "What you have now is backed up first" in asked[0]

    # The window shows the restored data at once.
    assert workspace.contacts.total() == sample_total
    assert window.contacts_page.model.rowCount() == sample_total
    assert dialog.status.text().startswith("Restored:")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3)
    assert _cell(dialog, 0, COL_WHY) == "Before a restore"
    assert _cell(dialog, 0, COL_CONTACTS) == f"{sample_total + 1:,}"
    dialog.grab().save(str(tmp_path / "backups-dialog-restored.png"))


def test_a_restore_is_not_started_when_the_rep_says_no(qtbot, window, workspace, answer_dialogs):
    _daily_backup_made(qtbot, workspace)
    workspace.contacts.add(ContactFields(first_name="Stays", last_name="Here"))
    dialog = _open(qtbot, window)
    answer_dialogs(QMessageBox.StandardButton.Cancel)
    dialog.select_row(0)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert not dialog.busy()
    assert workspace.contacts.total() == 1
    assert len(workspace.backups.backups()) == 1  # no before-restore backup either


def test_an_unreadable_file_is_listed_but_cannot_be_restored(qtbot, window, workspace):
    _daily_backup_made(qtbot, workspace)
    folder = workspace.backups.folder_status().folder
    (folder / "prospector-20260101-080000-000000-daily.sqlite").write_bytes(b"\0" * 300)
    dialog = _open(qtbot, window)
    _reload(qtbot, dialog)
    assert dialog.table.rowCount() == 2
    row = [_cell(dialog, r, COL_WHY) for r in range(2)].index(
        "Can't be read: damaged, or not a Prospector backup"
    )
    assert _cell(dialog, row, COL_CONTACTS) == "—"
    dialog.select_row(row)
    assert not dialog.restore_button.isEnabled()
    dialog.select_row(1 - row)
    assert dialog.restore_button.isEnabled()


def test_the_folder_and_the_numbers_kept(qtbot, window, workspace, monkeypatch, tmp_path: Path):
    _daily_backup_made(qtbot, workspace)
    dialog = _open(qtbot, window)
    assert str(workspace.backups.default_folder()) in dialog.folder_label.text()
    assert dialog.usual_folder_button.isHidden()

    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()))
    )
    qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(workspace.backups.default_folder())]

    synced = tmp_path / "OneDrive" / "Prospector backups"
    synced.mkdir(parents=True)
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(synced))
    )
    with qtbot.waitSignal(dialog.listed, timeout=20_000):
        qtbot.mouseClick(dialog.change_folder_button, Qt.MouseButton.LeftButton)
    assert str(synced) in dialog.folder_label.text()
    assert "From now on, backups go to" in dialog.status.text()
    assert dialog.usual_folder_button.isVisibleTo(dialog)
    assert dialog.table.rowCount() == 1  # the daily backup beside the database is still offered
    with qtbot.waitSignal(dialog.listed, timeout=20_000):
        dialog.back_up_now()
    assert len(list(synced.glob("*-manual.sqlite"))) == 1

    missing = tmp_path / "unplugged"
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(missing))
    )
    qtbot.mouseClick(dialog.change_folder_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in dialog.status.text()
    assert str(synced) in dialog.folder_label.text()  # unchanged

    dialog.days.setValue(14)
    dialog.weeks.setValue(8)
    assert workspace.backups.policy() == RotationPolicy(daily=14, weekly=8)


@pytest.mark.allow_log_warnings
def test_a_missing_chosen_folder_is_explained(qtbot, window, workspace, tmp_path: Path):
    _daily_backup_made(qtbot, workspace)
    synced = tmp_path / "Dropbox"
    synced.mkdir()
    workspace.backups.set_folder(synced)
    synced.rmdir()
    dialog = _open(qtbot, window)
    assert dialog.folder_warning.isVisibleTo(dialog)
    assert "can't be reached now" in dialog.folder_warning.text()
    with qtbot.waitSignal(dialog.listed, timeout=20_000):
        dialog.back_up_now()
    assert "to the usual folder" in dialog.status.text()
    dialog.grab().save(str(tmp_path / "backups-dialog-missing-folder.png"))


def test_a_failed_backup_before_an_import_is_said_in_plain_words(tmp_path: Path, qapp):
    error = BackupFailed(
        tmp_path / "backups", "disk_full", "database or disk is full", "before-import"
    )
    title, text = message_for(error)
    assert title == "Backup not made"
    assert text.startswith("The disk holding the backup folder")
    assert "The import was not started, so nothing changed." in text


def test_no_daily_backup_of_a_database_that_fails_its_start_up_check(
    qtbot, db_path: Path, settings, monkeypatch
):
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
    monkeypatch.setattr(database, "QUICK_CHECK_AT_OPEN_BELOW", 0)  # checked after the window
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: None))
    ws = open_workspace(db_path, defer_integrity_check=True)
    window = MainWindow(ws, settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.integrity_failed, timeout=10_000):
        window.show()
    window._tasks.wait_for_all()
    qtbot.wait(10)
    assert not (db_path.parent / "backups").exists()
    ws.close()


def test_the_daily_backup_follows_a_deferred_check(qtbot, workspace, settings):
    from prospector.ui.windows.main_window import MainWindow

    workspace.database.integrity_checked = False  # as if opening had deferred the check
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.show()
    _daily_backup_made(qtbot, workspace)
    assert workspace.database.integrity_checked


def test_a_window_closed_at_once_starts_no_check_or_backup_after_it(
    qtbot, workspace, settings, monkeypatch
):
    """The first paint queues the integrity check or the daily backup; a window closed before
    it runs must not start it (the app may be closing the database meanwhile)."""
    from PySide6.QtCore import QTimer

    from prospector.ui.windows.main_window import MainWindow

    started: list[str] = []
    monkeypatch.setattr(workspace.backups, "daily_backup", lambda: started.append("backup"))
    monkeypatch.setattr(workspace.database, "verify_integrity", lambda: started.append("check"))
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    # Closed by a timer posted just before the one the first paint posts for the work.
    window.first_painted.connect(lambda: QTimer.singleShot(0, window.close))
    window.show()
    qtbot.waitUntil(lambda: window._painted and not window.isVisible())
    qtbot.wait(200)
    assert started == []
