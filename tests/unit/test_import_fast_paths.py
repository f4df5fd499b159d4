"""The import's bulk shortcuts leave the database as the slow way would, and find the same
duplicates.

- the search insert trigger is dropped for the import and recreated from its own SQL; a big list
  also has the secondary indexes the import does not read dropped and built again before commit:
  afterwards the schema is the same, row for row of ``sqlite_master``, and search finds the new
  contacts; a cancelled import brings everything back too;
- duplicates inside the file are found through the database (the rows are already written), and
  a contact of this run is matched as it was written, even after a later row merged into it.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from pathlib import Path

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.query import ContactQuery
from prospector.services.imports import DuplicatePolicy, ImportRequest
from prospector.storage import import_repository

HEADER = "Prénom;Nom;Société;Téléphone;E-mail;Ville\n"


def _write(tmp_path: Path, body: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _run(workspace, request: ImportRequest, **kwargs):
    return deque(workspace.imports.run_import(request, **kwargs), maxlen=1)[0]


def _schema(db: Path) -> list[tuple]:
    """Every schema object with its SQL (root pages move when an index is rebuilt)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def _fts_is_complete(db: Path) -> bool:
    """The search index holds every contact with the triggers' text (a contentless table
    answers only through MATCH, so each contact's own email is searched for)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT id, email FROM contacts WHERE email IS NOT NULL").fetchall()
        for contact_id, email in rows:
            term = '"' + email.split("@")[0].replace('"', '""') + '"'
            hits = conn.execute(
                "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?", (f"email:{term}",)
            ).fetchall()
            if (contact_id,) not in hits:
                return False
        sync = conn.execute("SELECT unindexed_from FROM search_sync").fetchone()[0]
        return sync == 0
    finally:
        conn.close()


def _people(count: int) -> str:
    return "".join(
        f"Ana{i};Pop{i};Firma {i};06 12 {i // 100 % 100:02d} {i % 100:02d} 00;"
        f"ana{i}@firma.ro;Cluj\n"
        for i in range(count)
    )


@pytest.fixture(params=["kept", "rebuilt"])
def index_mode(request, monkeypatch) -> str:
    """Run a test both ways: indexes kept up to date, and dropped then rebuilt with the big
    list's smaller page cache (any list)."""
    if request.param == "rebuilt":
        monkeypatch.setattr(import_repository, "REBUILD_MIN_ROWS", 0)
        monkeypatch.setattr(import_repository, "REBUILD_RATIO", 0.0)
        monkeypatch.setattr(import_repository, "SMALL_CACHE_FROM_ROWS", 0)
    return request.param


def test_an_import_leaves_the_schema_as_it_was_and_search_complete(
    workspace, db_path: Path, tmp_path: Path, index_mode: str
):
    workspace.contacts.add(ContactFields(first_name="Old", last_name="Timer", email="old@x.ro"))
    before = _schema(db_path)
    result = _run(workspace, ImportRequest(_write(tmp_path, _people(300)), "L"), batch_size=50)
    assert (result.status, result.imported) == ("completed", 300)
    assert _schema(db_path) == before
    assert _fts_is_complete(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert [row.name for row in workspace.contacts.page(ContactQuery(text="ana299"), 0, 5)] == [
        "Ana299 Pop299"
    ]
    # The triggers work again: a contact added, then edited, after the import is found.
    added = workspace.contacts.add(ContactFields(first_name="Zoé", last_name="Nouvelle"))
    workspace.contacts.update(added.id, ContactFields(first_name="Zoé", last_name="Renamed"))
    assert [row.id for row in workspace.contacts.page(ContactQuery(text="renamed"), 0, 5)] == [
        added.id
    ]
    assert workspace.contacts.count(ContactQuery(text="nouvelle")) == 0


def test_a_cancelled_import_brings_back_triggers_and_indexes(
    workspace, db_path: Path, tmp_path: Path, index_mode: str
):
    before = _schema(db_path)
    steps = iter([False, False, True])
    result = _run(
        workspace,
        ImportRequest(_write(tmp_path, _people(200)), "L"),
        batch_size=50,
        should_stop=lambda: next(steps, True),
    )
    assert result.status == "cancelled"
    assert _schema(db_path) == before
    assert workspace.contacts.total() == 0


def test_a_dry_run_leaves_the_schema_as_it_was(
    workspace, db_path: Path, tmp_path: Path, index_mode: str
):
    before = _schema(db_path)
    checked = deque(
        workspace.imports.check_duplicates(
            ImportRequest(_write(tmp_path, _people(120) + _people(3)), "L"), batch_size=40
        ),
        maxlen=1,
    )[0]
    assert checked.status == "checked"
    assert sorted(m.earlier_row for m in checked.duplicates) == [2, 3, 4]
    assert _schema(db_path) == before


def test_a_contact_of_this_run_written_with_a_key_wins_over_an_older_one(
    workspace, tmp_path: Path, index_mode: str
):
    older = workspace.contacts.add(ContactFields(first_name="Eva", last_name="Old", email="k@x.ro"))
    body = (
        "Bob;Lee;;;k@x.ro;\n"  # row 2: a duplicate of Eva, imported anyway (the user's choice)
        "Carl;Moe;;;k@x.ro;\n"  # row 3: the run's own contact with that email comes first
    )
    request = ImportRequest(
        _write(tmp_path, body),
        "L",
        duplicates=DuplicatePolicy.MERGE,
        decisions={2: DuplicatePolicy.IMPORT},
    )
    result = _run(workspace, request, batch_size=1)
    found = {m.row: (m.reason, m.contact_id, m.earlier_row) for m in result.duplicates}
    assert found[2] == ("email", older.id, None)
    assert found[3][0] == "email" and found[3][1] != older.id and found[3][2] == 2


def test_a_contact_of_this_run_is_matched_on_what_it_was_written_with(
    workspace, tmp_path: Path, index_mode: str
):
    body = (
        "Ana;Pop;;06 12 34 56 78;;\n"  # row 2: written without email or company
        "Ana;Pop;Acme;06 12 34 56 78;k@x.ro;\n"  # row 3: merged into it (email, company filled)
        "Bob;Lee;;;k@x.ro;\n"  # row 4: that email now points at row 2's contact; imported
        "Carl;Moe;;;k@x.ro;\n"  # row 5: row 4's contact was written with it: matched to it
        "Ana;Pop;Acme;;;\n"  # row 6: row 2's contact was written without a company: new
    )
    request = ImportRequest(_write(tmp_path, body), "L", decisions={4: DuplicatePolicy.IMPORT})
    result = _run(workspace, request, batch_size=1)
    found = {m.row: (m.reason, m.earlier_row) for m in result.duplicates}
    assert found == {3: ("phone", 2), 4: ("email", 2), 5: ("email", 4)}
    assert (result.imported, result.merged) == (3, 2)


@pytest.mark.parametrize("stop", [False, True])
def test_the_connection_and_collector_settings_come_back_after_an_import(
    workspace, tmp_path: Path, index_mode: str, stop: bool
):
    import gc

    thresholds = gc.get_threshold()
    result = _run(
        workspace,
        ImportRequest(_write(tmp_path, _people(150)), "L"),
        batch_size=50,
        should_stop=lambda: stop,
    )
    assert result.status == ("cancelled" if stop else "completed")
    assert gc.get_threshold() == thresholds
    with workspace.database.sessions() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
