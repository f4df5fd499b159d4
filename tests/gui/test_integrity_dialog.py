"""The dialog a rep sees when the start-up check finds the database damaged (F8).

Clicked as a rep would: restore the newest good backup, or save what can be read; either way
the damaged file is kept aside and Prospector opens the repaired database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.services.integrity import IntegrityService
from prospector.services.workspace import open_workspace
from prospector.ui import app as app_module
from prospector.ui.dialogs.integrity_dialog import IntegrityDialog


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _damaged_database(db_path: Path, clock, *, backup: bool = True) -> tuple[str, int]:
    """400 contacts and a backup of 300 of them; then bytes overwritten mid-file."""
    ws = open_workspace(db_path, clock=clock)
    for i in range(400):
        if i == 300 and backup:
            ws.backups.back_up()
            clock.advance(hours=2)
        ws.contacts.add(ContactFields(first_name=f"Ana{i}", last_name="Pop" * 20, city="Cluj"))
    ws.close()
    data = bytearray(db_path.read_bytes())
    data[20 * 1024 : 24 * 1024] = b"\xa5" * 4096  # damage that only quick_check notices
    db_path.write_bytes(bytes(data))
    return _digest(db_path), 300


def _dialog(qtbot, db_path: Path, clock) -> IntegrityDialog:
    dialog = IntegrityDialog(IntegrityService(db_path, clock))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.looked_for_backup, timeout=10_000)
    return dialog


def test_restoring_the_newest_good_backup_from_the_dialog(qtbot, db_path: Path, clock, tmp_path):
    damaged, in_backup = _damaged_database(db_path, clock)
    dialog = _dialog(qtbot, db_path, clock)
    assert dialog.restore_button.isEnabled()
    assert "300 contacts" in dialog.restore_text.text()
    dialog.grab().save(str(tmp_path / "integrity-dialog.png"))

    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.open_button.isVisible(), timeout=20_000)
    assert "back as it was" in dialog.outcome.text()
    assert "prospector.damaged-" in dialog.outcome.text()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)

    assert dialog.result is not None and _digest(dialog.result.damaged_copy) == damaged
    ws = open_workspace(db_path)
    try:
        assert ws.contacts.total() == in_backup
    finally:
        ws.close()


def test_saving_what_can_be_read_from_the_dialog(qtbot, db_path: Path, clock, tmp_path):
    damaged, _ = _damaged_database(db_path, clock, backup=False)
    dialog = _dialog(qtbot, db_path, clock)
    assert not dialog.restore_button.isEnabled()  # nothing to restore: said so
    assert "No backup that can be restored" in dialog.restore_text.text()

    qtbot.mouseClick(dialog.salvage_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.open_button.isVisible(), timeout=20_000)
    text = dialog.outcome.text()
    assert dialog.result is not None
    saved = dialog.result.saved("contacts")
    assert f"{saved:,} contacts" in text and 300 < saved <= 400
    assert "prospector.damaged-" in text
    dialog.grab().save(str(tmp_path / "integrity-salvaged.png"))
    assert _digest(dialog.result.damaged_copy) == damaged
    ws = open_workspace(db_path)
    try:
        assert ws.contacts.total() == saved
    finally:
        ws.close()


def test_quit_leaves_the_damaged_file_where_it_was(qtbot, db_path: Path, clock):
    damaged, _ = _damaged_database(db_path, clock)
    dialog = _dialog(qtbot, db_path, clock)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.result is None
    assert _digest(db_path) == damaged
    assert not [p for p in db_path.parent.iterdir() if "damaged" in p.name]


def _when_modal(qtbot, act) -> None:  # type: ignore[no-untyped-def]
    """Run ``act(dialog)`` once the integrity dialog is up (it runs its own event loop)."""

    def find() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, IntegrityDialog):
            QTimer.singleShot(20, find)
            return
        act(dialog)

    QTimer.singleShot(0, find)


def test_opening_a_damaged_database_offers_the_dialog_then_opens_it(
    qtbot, db_path: Path, clock, monkeypatch: pytest.MonkeyPatch
):
    """The start-up path: open, refused as damaged, restored from the dialog, opened."""
    _damaged_database(db_path, clock)
    monkeypatch.setattr(app_module, "network_place", lambda _path: None)

    def restore(dialog: IntegrityDialog) -> None:
        qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=10_000)
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: dialog.open_button.isVisible(), timeout=20_000)
        dialog.open_button.click()

    _when_modal(qtbot, restore)
    ws = app_module._open_with_dialogs(db_path)
    assert ws is not None
    try:
        assert ws.contacts.total() == 300
    finally:
        ws.close()


def test_a_database_on_a_network_share_is_opened_only_after_a_warning(
    qtbot, db_path: Path, monkeypatch: pytest.MonkeyPatch, answer_dialogs
):
    from prospector.services.integrity import NetworkPlace

    monkeypatch.setattr(app_module, "network_place", lambda _p: NetworkPlace("unc", r"\\nas\team"))
    monkeypatch.setattr(app_module, "QSettings", lambda: _MemorySettings())
    asked = answer_dialogs(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda _box: None)  # Quit
    assert app_module._open_with_dialogs(db_path) is None
    assert "network drive" in asked[0] and r"\\nas\team" in asked[0]
    assert "share files" in asked[0]


class _MemorySettings:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def value(self, key: str, default: object = None, type: object = None) -> object:  # noqa: A002
        return self.values.get(key, default)

    def setValue(self, key: str, value: object) -> None:
        self.values[key] = value


def test_closing_the_dialog_during_a_restore_waits_for_it(qtbot, db_path: Path, clock):
    """Closing the window mid-restore is ignored: a half-done swap is never left behind."""
    _damaged_database(db_path, clock)
    dialog = _dialog(qtbot, db_path, clock)
    dialog.restore()
    assert dialog.is_working()
    dialog.close()
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_working(), timeout=20_000)
    assert dialog.result is not None
