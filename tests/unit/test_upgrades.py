"""Every released schema revision opens, upgrades to head and keeps every row it held."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from prospector.services.workspace import open_workspace
from prospector.storage.migrate import current_revision, head_revision, known_revisions

SAVED = sorted((Path(__file__).parents[1] / "data" / "db").glob("*.sqlite"))


def test_there_is_a_saved_database_for_every_revision():
    assert {p.stem for p in SAVED} == known_revisions()


@pytest.mark.parametrize("saved", SAVED, ids=[p.stem for p in SAVED])
def test_a_saved_database_upgrades_with_every_row_intact(saved: Path, tmp_path: Path):
    path = tmp_path / "prospector.sqlite"
    shutil.copy(saved, path)
    manifest = json.loads(saved.with_suffix(".json").read_text(encoding="utf-8"))

    ws = open_workspace(path)
    assert current_revision(ws.database.engine) == head_revision()
    # The services read what the old file held.
    contact = ws.contacts.get(1)
    assert contact.fields.last_name == "Lefèvre"
    assert contact.fields.custom_fields == {"Effectif": "12"}
    assert ws.settings.default_country() == "FR"
    ws.close()

    conn = sqlite3.connect(path)
    try:
        for table, content in manifest.items():
            columns = ", ".join(content["columns"])
            rows = [list(r) for r in conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1")]
            assert rows == content["rows"], table
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
