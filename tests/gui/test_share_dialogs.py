"""Share with a colleague and merge their file from the window, like a rep: File ▸ Share…,
File ▸ Merge a colleague's file… (or a share file picked in the import wizard), a preview,
a conflict decided in the table, then the merge."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt

from prospector.domain.query import ContactQuery
from prospector.domain.share import Choice
from prospector.services.sharing import ShareRequest
from prospector.ui.dialogs.share_dialogs import MergeDialog, ShareDialog
from tests.unit.test_share_merge import _fill, other  # noqa: F401  (the colleague's database)


def _share_file(ws, path: Path) -> Path:
    assert list(ws.sharing.export_share(ShareRequest(path)))[-1].status == "done"
    return path


def test_sharing_from_the_window_writes_the_file_and_says_what_to_do_next(
    qtbot, window, workspace, clock, tmp_path
):
    _fill(workspace, clock)
    window.contacts_page.refresh()
    window.share_action.trigger()
    dialog = window.findChild(ShareDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.all_choice.isChecked()
    target = tmp_path / "for Marie.xlsx"
    dialog.path_edit.setText(str(target))

    qtbot.mouseClick(dialog.share_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=10_000)

    assert target.exists()
    assert "4 contacts were written to for Marie.xlsx" in dialog.status.text()
    assert "Send this file to your colleague" in dialog.status.text()
    assert workspace.sharing.is_share_file(target)


def test_merging_shows_a_preview_then_merges_with_the_reps_choice(
    qtbot,
    window,
    workspace,
    other,  # noqa: F811  (the fixture imported above)
    clock,
    tmp_path,
):
    ids = _fill(workspace, clock)
    _merge_all(other, _share_file(workspace, tmp_path / "a1.xlsx"))
    clock.advance(hours=1)
    mine = workspace.contacts.get(ids["lefevre"])
    workspace.contacts.update(ids["lefevre"], replace(mine.fields, city="Villeurbanne"))
    theirs = other.contacts.get(other.contacts.page(ContactQuery(text="Lefèvre"), 0, 1)[0].id)
    other.contacts.update(theirs.id, replace(theirs.fields, city="Bron", title="Gérant"))
    path = _share_file(other, tmp_path / "from B.xlsx")
    before = workspace.contacts.get(ids["lefevre"])

    dialog = window.open_merge_dialog(path)
    assert isinstance(dialog, MergeDialog)
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    assert workspace.contacts.get(ids["lefevre"]) == before  # the preview changed nothing
    assert "1 updated" in dialog.heading.text()
    assert "1 conflicts" in dialog.heading.text()
    assert dialog.conflicts.rowCount() == 1
    cells = [dialog.conflicts.item(0, c).text() for c in range(4)]
    assert cells[1:] == ["City", "Villeurbanne", "Bron"]

    dialog.choose(0, Choice.THEIRS)
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=10_000)

    after = workspace.contacts.get(ids["lefevre"])
    assert (after.fields.city, after.fields.title) == ("Bron", "Gérant")
    assert "Merged from B.xlsx" in dialog.heading.text()
    texts = [e.text or "" for e in workspace.notes.timeline(ids["lefevre"]).entries]
    assert any("Villeurbanne" in t for t in texts)  # ours, kept in a note


def test_a_share_file_picked_in_the_import_wizard_is_merged_instead(
    qtbot, window, workspace, clock, tmp_path, migrated_template
):
    import shutil

    from prospector.services.workspace import open_workspace

    colleague_db = tmp_path / "colleague.sqlite"
    shutil.copy(migrated_template, colleague_db)
    colleague = open_workspace(colleague_db, clock=clock, backups=False)
    _fill(colleague, clock)
    path = _share_file(colleague, tmp_path / "share.xlsx")
    colleague.close()

    wizard = window.open_import_wizard(path)
    qtbot.waitExposed(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: window.findChild(MergeDialog) is not None, timeout=5_000)
    dialog = window.findChild(MergeDialog)
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    assert "4 new contacts" in dialog.heading.text()
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=10_000)
    assert workspace.contacts.total() == 4
    assert window.contacts_page.model.rowCount() == 4


def _merge_all(ws, path: Path) -> None:
    assert list(ws.sharing.merge(path))[-1].status == "done"
