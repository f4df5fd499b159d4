"""Undoing an import: what it added goes, what it filled in comes back, worked contacts are asked
about, and every table's row count returns to what it was before the import."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from prospector.cli import main
from prospector.domain.contacts import ContactFields
from prospector.domain.query import ContactQuery
from prospector.domain.stages import Stage
from prospector.services.import_history import (
    CALLED,
    EDITED,
    HAS_NOTES,
    HAS_REMINDERS,
    STAGE_MOVED,
    ImportAlreadyUndone,
    ImportRunGone,
)
from prospector.services.imports import ImportRequest
from prospector.services.workspace import open_workspace
from prospector.storage import tables as t
from prospector.storage.import_history import ImportHistoryRepository

LIST = (
    "Prénom;Nom;Société;Téléphone;E-mail;Ville;Secteur\n"
    # Marie is in the database already (same phone): the import fills her empty fields.
    "Marie;Martin;Lyon Bureautique;04 72 00 00 01;marie@lyon-bureau.fr;Lyon;Office\n"
    "Jean;Dupont;Dupont Plomberie;06 11 22 33 44;jean@dupont-plomberie.fr;Paris;Trades\n"
    "Sophie;Bernard;Bernard Conseil;06 55 44 33 22;;Nantes;Consulting\n"
    "Luc;Petit;;07 12 12 12 12;luc.petit@example.fr;Lille;\n"
    ";;;;;;note without anyone\n"  # rejected
)


def _write(tmp_path: Path, text: str = LIST) -> Path:
    path = tmp_path / "annuaire.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    return path


def _import(workspace, path: Path, source: str = "Annuaire Ouest"):
    return deque(workspace.imports.run_import(ImportRequest(path, source)), maxlen=1)[0]


def _table_counts(db: Path) -> dict[str, int]:
    """Rows of every table of ours, the search index included (not its FTS5 shadow tables)."""
    conn = sqlite3.connect(db)
    try:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'contacts_fts_%' "
                "AND name != 'alembic_version'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def _found(workspace, text: str) -> list[str]:
    return [r.name for r in workspace.contacts.page(ContactQuery(text=text), 0, 50)]


def _id_of(workspace, text: str) -> int:
    (row,) = workspace.contacts.page(ContactQuery(text=text), 0, 2)
    return row.id


def _add_note(workspace, contact_id: int, when: datetime) -> None:
    with workspace.database.sessions.begin() as session:
        session.execute(
            insert(t.Note),
            {
                "uuid": str(uuid.uuid4()),
                "contact_id": contact_id,
                "text": "Call back after the holidays",
                "created_at": when,
            },
        )


def _add_call(workspace, contact_id: int, when: datetime) -> None:
    with workspace.database.sessions.begin() as session:
        session.execute(
            insert(t.CallLog),
            {
                "uuid": str(uuid.uuid4()),
                "contact_id": contact_id,
                "started_at": when,
                "outcome": "no_answer",
            },
        )


@pytest.fixture
def marie(workspace):
    """A contact the rep had before the import, with only a phone number."""
    return workspace.contacts.add(
        ContactFields(first_name="Marie", last_name="Martin", phone="+33 4 72 00 00 01")
    )


def test_undo_restores_the_count_of_every_table(workspace, db_path, marie, tmp_path, clock):
    workspace.contacts.add(ContactFields(first_name="Paul", last_name="Durand", company="Durand"))
    before = _table_counts(db_path)

    result = _import(workspace, _write(tmp_path))
    assert (result.imported, result.merged, result.rejected) == (3, 1, 1)
    during = _table_counts(db_path)
    assert during["contacts"] == before["contacts"] + 3
    assert during["import_merges"] == 1 and during["sources"] == before["sources"] + 1
    assert _found(workspace, "dupont") == ["Jean Dupont"]

    (run,) = workspace.history.runs()
    assert (run.file_name, run.source_name, run.status) == (
        "annuaire.csv",
        "Annuaire Ouest",
        "completed",
    )
    assert (run.rows_read, run.rows_imported, run.rows_merged, run.rows_rejected) == (5, 3, 1, 1)
    plan = workspace.history.undo_plan(run.id)
    assert (plan.added, plan.worked_count, plan.merged, plan.restorable) == (3, 0, 1, 1)

    clock.advance(minutes=5)
    outcome = workspace.history.undo(run.id, keep_worked=False)
    assert (outcome.removed, outcome.kept, outcome.restored) == (3, 0, 1)
    assert outcome.source_removed

    after = _table_counts(db_path)
    # The run stays in the history as "undone"; the column matching the rep chose is kept
    # for the next file on purpose (settings); every other table is back to where it was.
    assert after["import_runs"] == before["import_runs"] + 1
    assert after["settings"] == during["settings"]
    # The removed contacts' UUIDs are remembered, so a share file cannot bring them back.
    assert after["tombstones"] == before["tombstones"] + 3
    unchanged = set(before) - {"import_runs", "settings", "tombstones"}
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}
    assert "contacts_fts" in unchanged and "import_merges" in unchanged
    assert workspace.contacts.total() == 2
    # Search follows: the removed contacts and the values put back are no longer found.
    assert _found(workspace, "dupont") == []
    assert _found(workspace, "petit") == []
    assert _found(workspace, "bureautique") == []
    assert _found(workspace, "marie") == ["Marie Martin"]
    assert [r.status for r in workspace.history.runs()] == ["undone"]


def test_values_filled_in_are_put_back_but_a_reps_edit_is_kept(workspace, marie, tmp_path, clock):
    _import(workspace, _write(tmp_path))
    filled = workspace.contacts.get(marie.id)
    assert filled.fields.company == "Lyon Bureautique"
    assert filled.fields.email == "marie@lyon-bureau.fr"
    assert filled.fields.custom_fields == {"Secteur": "Office"}

    clock.advance(hours=2)  # the rep corrects the email the list got wrong
    workspace.contacts.update(marie.id, replace(filled.fields, email="marie@lb.fr"))
    clock.advance(days=1)
    (run,) = workspace.history.runs()
    workspace.history.undo(run.id, keep_worked=False)

    back = workspace.contacts.get(marie.id)
    assert back.fields.company is None
    assert back.fields.city is None
    assert back.fields.custom_fields == {}
    assert back.fields.email == "marie@lb.fr"  # the rep's value, never the recorded one
    assert back.fields.phone == "+33 4 72 00 00 01"
    assert back.updated_at == clock()
    assert _found(workspace, "lb") == ["Marie Martin"]
    assert _found(workspace, "lyon") == []


def test_phones_put_back_leave_search_right(workspace, tmp_path, clock):
    had = workspace.contacts.add(ContactFields(first_name="Anne", last_name="Roux"))
    text = "Prénom;Nom;Téléphone;Portable\nAnne;Roux;04 72 11 11 11;06 22 22 22 22\n"
    _import(workspace, _write(tmp_path, text))
    assert _found(workspace, "0472111111") == ["Anne Roux"]
    clock.advance(hours=1)
    current = workspace.contacts.get(had.id).fields
    workspace.contacts.update(had.id, replace(current, mobile=None))
    (run,) = workspace.history.runs()
    workspace.history.undo(run.id, keep_worked=False)

    back = workspace.contacts.get(had.id)
    assert back.fields.phone is None and back.phone_e164 is None
    assert back.fields.mobile is None
    assert _found(workspace, "0472111111") == []


def _import_and_work(workspace, tmp_path, clock) -> int:
    """Import the list, then call Jean, write a note on Sophie and move Luc on to Lead."""
    _import(workspace, _write(tmp_path))
    clock.advance(days=1)
    _add_call(workspace, _id_of(workspace, "dupont"), clock())
    _add_note(workspace, _id_of(workspace, "sophie"), clock())
    luc = workspace.contacts.get(_id_of(workspace, "petit"))
    workspace.contacts.update(luc.id, replace(luc.fields, stage=Stage.LEAD))
    (run,) = workspace.history.runs()
    return run.id


def test_worked_contacts_are_named_and_kept_when_asked(workspace, marie, tmp_path, clock):
    run_id = _import_and_work(workspace, tmp_path, clock)
    plan = workspace.history.undo_plan(run_id)
    assert (plan.added, plan.worked_count) == (3, 3)
    reasons = {c.name: c.reasons for c in plan.worked}
    assert reasons == {
        "Sophie Bernard": (HAS_NOTES,),
        "Jean Dupont": (CALLED,),
        "Luc Petit": (STAGE_MOVED, EDITED),
    }
    assert [c.name for c in workspace.history.undo_plan(run_id, named=1).worked] == [
        "Sophie Bernard"
    ]

    outcome = workspace.history.undo(run_id, keep_worked=True)
    assert (outcome.removed, outcome.kept, outcome.restored) == (0, 3, 1)
    assert not outcome.source_removed  # its contacts are still on the list
    assert sorted(_found(workspace, "")) == [
        "Jean Dupont",
        "Luc Petit",
        "Marie Martin",
        "Sophie Bernard",
    ]
    assert workspace.contacts.get(marie.id).fields.company is None


def test_a_birthday_card_reminder_is_not_work_but_a_call_back_is(workspace, tmp_path, clock):
    text = "Prénom;Nom;Téléphone;Anniversaire\nJean;Dupont;06 11 22 33 44;29/02/1988\n"
    text += "Luc;Petit;07 12 12 12 12;14/07/1990\n"
    run = _import(workspace, _write(tmp_path, text))
    jean, luc = _id_of(workspace, "dupont"), _id_of(workspace, "petit")
    assert workspace.contacts.get(jean).fields.birthday is not None
    clock.advance(hours=1)
    assert workspace.followups.ensure_birthday_reminders().added == 2  # made by the app
    workspace.followups.create(luc, clock() + timedelta(days=1), "call_back", "Call back")
    plan = workspace.history.undo_plan(run.import_run_id)
    assert [(c.name, c.reasons) for c in plan.worked] == [("Luc Petit", (HAS_REMINDERS,))]


def test_worked_contacts_go_too_when_the_rep_says_so(workspace, db_path, marie, tmp_path, clock):
    run_id = _import_and_work(workspace, tmp_path, clock)
    outcome = workspace.history.undo(run_id, keep_worked=False)
    assert (outcome.removed, outcome.kept) == (3, 0)
    assert _found(workspace, "") == ["Marie Martin"]
    counts = _table_counts(db_path)
    assert (counts["notes"], counts["call_logs"], counts["sources"]) == (0, 0, 0)


def test_only_unworked_contacts_go_when_some_were_worked(workspace, tmp_path, clock):
    text = LIST + "".join(f"P{i};Extra;;06 90 00 00 {i:02d};;;\n" for i in range(20))
    _import(workspace, _write(tmp_path, text))
    clock.advance(hours=1)
    _add_note(workspace, _id_of(workspace, "dupont"), clock())
    (run,) = workspace.history.runs()
    outcome = workspace.history.undo(run.id, keep_worked=True)
    assert (outcome.removed, outcome.kept) == (23, 1)
    assert _found(workspace, "") == ["Jean Dupont"]


def test_undoing_twice_or_an_unknown_import_says_so_plainly(workspace, tmp_path):
    _import(workspace, _write(tmp_path))
    (run,) = workspace.history.runs()
    workspace.history.undo(run.id, keep_worked=False)
    with pytest.raises(ImportAlreadyUndone) as undone:
        workspace.history.undo(run.id, keep_worked=False)
    assert undone.value.user_message() == (
        "The import of annuaire.csv was already undone; there is nothing to remove."
    )
    with pytest.raises(ImportAlreadyUndone):
        workspace.history.undo_plan(run.id)
    with pytest.raises(ImportRunGone) as gone:
        workspace.history.undo(run.id + 1, keep_worked=False)
    assert "no import number" in gone.value.user_message()


def test_a_failed_undo_leaves_everything_as_it_was(
    workspace, db_path, marie, tmp_path, monkeypatch
):
    _import(workspace, _write(tmp_path))
    during = _table_counts(db_path)

    def crash(self, run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ImportHistoryRepository, "_remove_source_if_unused", crash)
    (run,) = workspace.history.runs()
    with pytest.raises(RuntimeError):
        workspace.history.undo(run.id, keep_worked=False)
    assert _table_counts(db_path) == during
    assert workspace.contacts.get(marie.id).fields.company == "Lyon Bureautique"
    assert workspace.history.runs()[0].status == "completed"


def test_a_list_that_existed_before_the_import_stays(workspace, tmp_path, clock):
    workspace.sources.add("Annuaire Ouest", "purchased_list")
    clock.advance(minutes=1)
    _import(workspace, _write(tmp_path), source="Annuaire Ouest")
    (run,) = workspace.history.runs()
    assert not workspace.history.undo(run.id, keep_worked=False).source_removed
    assert [s.name for s in workspace.sources.list()] == ["Annuaire Ouest"]


def test_the_history_is_newest_first(workspace, tmp_path, clock):
    _import(workspace, _write(tmp_path), source="First")
    clock.advance(hours=1)
    _import(workspace, _write(tmp_path, "Nom;Téléphone\nLeroy;06 01 01 01 01\n"), source="Second")
    assert [r.source_name for r in workspace.history.runs()] == ["Second", "First"]


def test_the_command_line_lists_and_undoes_imports(db_path, tmp_path, capsys):
    path = _write(tmp_path)
    assert main(["import", str(path), "--db", str(db_path), "--source", "Ouest"]) == 0
    capsys.readouterr()

    assert main(["imports", "--db", str(db_path), "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)["imports"]
    assert (run["file"], run["list"], run["imported"], run["status"]) == (
        "annuaire.csv",
        "Ouest",
        4,
        "completed",
    )
    assert main(["imports", "--db", str(db_path)]) == 0
    assert "annuaire.csv" in capsys.readouterr().out

    ws = open_workspace(db_path, backups=False)
    try:
        _add_note(ws, _id_of(ws, "dupont"), datetime.now(UTC))
    finally:
        ws.close()

    assert main(["undo-import", str(run["id"]), "--db", str(db_path)]) == 1
    refusal = capsys.readouterr().err.strip()
    assert len(refusal.splitlines()) == 1
    assert "Jean Dupont" in refusal and "--keep-worked" in refusal and "--yes" in refusal

    args = ["undo-import", str(run["id"]), "--db", str(db_path), "--json"]
    assert main([*args, "--keep-worked"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["removed"], report["kept"], report["restored"]) == (3, 1, 0)
    assert report["worked"][0]["name"] == "Jean Dupont"
    assert report["worked"][0]["reasons"] == ["notes"]

    assert main([*args, "--yes"]) == 1
    error = json.loads(capsys.readouterr().out)
    assert error["error"] == "import.already_undone"
    assert main(["imports", "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imports"][0]["status"] == "undone"
