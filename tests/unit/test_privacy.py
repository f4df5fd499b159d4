"""Erasing a contact at their request: everything goes, no trace in the file, never back."""

from __future__ import annotations

import sqlite3
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.query import ContactQuery
from prospector.errors import NotFound
from prospector.services.imports import DuplicatePolicy, ImportRequest

_NOON = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
CHILD_TABLES = ("notes", "call_logs", "reminders", "qualifications", "stage_changes")


def _rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _worked_contact(workspace) -> int:
    contact = workspace.contacts.add(
        ContactFields(
            first_name="Quentin",
            last_name="Zyxwarth",
            company="Zyxwarth Frigos",
            phone="06 98 76 54 32",
            email="q.zyxwarth@frigos.fr",
        )
    ).id
    workspace.notes.add(contact, "Parle de la vitrine Kryptonor")
    logged = workspace.queue.log_outcome(contact, CallOutcome.TALKED, note="Kryptonor")
    workspace.queue.qualify(contact, {"market": "yes"}, logged=logged)
    workspace.followups.create(
        contact, _NOON, "call_back", "Kryptonor devis"
    )
    return contact


def test_erasing_removes_the_contact_and_all_it_owns(workspace, db_path):
    keep = workspace.contacts.add(ContactFields(first_name="Anne", last_name="Other")).id
    workspace.notes.add(keep, "stays")
    gone = _worked_contact(workspace)
    workspace.queue.mark_do_not_call(gone, "asked")  # numbers on the register, in clear
    assert workspace.do_not_call.count() == {"phone": 1, "email": 1}

    erased = workspace.privacy.erase(gone)

    assert erased.identities == 2
    for table in CHILD_TABLES:
        assert _rows(db_path, f"SELECT count(*) FROM {table} WHERE contact_id = {gone}") == [
            (0,)
        ], table
    assert _rows(db_path, "SELECT count(*) FROM contacts") == [(1,)]
    assert _rows(db_path, "SELECT text FROM notes") == [("stays",)]
    # The clear numbers left the register; only their hashes are kept.
    assert workspace.do_not_call.count() == {"phone": 0, "email": 0}
    assert workspace.privacy.erased_count() == 2
    hashes = [h for (h,) in _rows(db_path, "SELECT value_hash FROM erased_identities")]
    assert all(len(h) == 64 and "33698765432" not in h for h in hashes)
    # Not found by the search, by name or by what the notes said.
    for words in ("Zyxwarth", "Kryptonor", "frigos"):
        assert workspace.contacts.count(ContactQuery(text=words)) == 0
    with pytest.raises(NotFound):
        workspace.privacy.erase(gone)


def test_no_readable_trace_is_left_in_the_database_file(workspace, db_path):
    gone = _worked_contact(workspace)
    workspace.privacy.erase(gone)
    workspace.close()
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    content = b"".join(p.read_bytes() for p in files if p.exists())
    for trace in (b"Zyxwarth", b"zyxwarth", b"Kryptonor", b"kryptonor", b"33698765432"):
        assert trace not in content, trace


def test_an_erased_person_coming_back_in_a_list_arrives_flagged(workspace, tmp_path, db_path):
    gone = _worked_contact(workspace)
    workspace.privacy.erase(gone)
    path = tmp_path / "achat.csv"
    path.write_text(
        "Prénom;Nom;Téléphone;E-mail\n"
        "Q.;Zyxwarth;+33 6 98 76 54 32;\n"  # the same number, typed otherwise
        "Marie;Neuve;04 72 11 11 11;\n"
        "Quentin;Z.;;Q.Zyxwarth@frigos.fr\n",  # the same address, another case
        encoding="utf-8",
    )
    request = ImportRequest(path, "Achat", duplicates=DuplicatePolicy.IMPORT)
    result = deque(workspace.imports.run_import(request), maxlen=1)[0]
    assert result.status == "completed" and result.do_not_call == 2
    stages = dict(_rows(db_path, "SELECT first_name, stage FROM contacts"))
    assert stages == {"Q.": "do_not_call", "Marie": "suspect", "Quentin": "do_not_call"}


def test_erase_from_the_command_line(workspace, db_path, capsys):
    import json

    from prospector.cli import main

    gone = _worked_contact(workspace)
    workspace.close()
    assert main(["erase", str(gone), "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"erased": gone, "identities": 2}
    assert main(["erase", str(gone), "--db", str(db_path)]) == 1  # already gone: said plainly
    assert "no longer exists" in capsys.readouterr().err
