"""A file that is not ours, damaged, or in use is refused in plain words and never written."""

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from prospector.errors import (
    DatabaseCorrupt,
    DatabaseInUse,
    NotAProspectorDatabase,
)
from prospector.services.workspace import open_workspace


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_file_is_created_in_a_new_folder(tmp_path: Path):
    path = tmp_path / "deep" / "folder" / "mine.sqlite"
    ws = open_workspace(path)
    assert ws.contacts.total() == 0
    ws.close()
    assert path.is_file()


def test_another_programs_database_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places(url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(NotAProspectorDatabase) as caught:
        open_workspace(path)
    assert "is not a Prospector database" in caught.value.user_message()
    assert _digest(path) == before


@pytest.mark.parametrize(
    "content",
    [b"", b"name,phone\nAna,0601\n", b"\x00" * 4096, b"SQLite format 3\x00" + b"\x00" * 20],
    ids=["empty", "csv", "zeros", "truncated-header"],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path, content: bytes):
    path = tmp_path / "leads.sqlite"
    path.write_bytes(content)
    with pytest.raises(NotAProspectorDatabase):
        open_workspace(path)
    assert path.read_bytes() == content
    assert not path.with_name("leads.sqlite-wal").exists()


def test_a_damaged_database_is_refused_untouched(db_path: Path):
    ws = open_workspace(db_path)
    from prospector.domain.contacts import ContactFields

    for i in range(400):
        ws.contacts.add(ContactFields(first_name=f"Ana{i}", last_name="Pop" * 20, city="Cluj"))
    ws.close()
    data = bytearray(db_path.read_bytes())
    assert len(data) > 64 * 1024
    data[20 * 1024 : 24 * 1024] = b"\xa5" * 4096  # bytes overwritten mid-file
    db_path.write_bytes(bytes(data))
    before = _digest(db_path)
    with pytest.raises((DatabaseCorrupt, NotAProspectorDatabase)) as caught:
        open_workspace(db_path)
    assert "damaged" in caught.value.user_message()
    assert _digest(db_path) == before


def test_a_second_process_gets_a_clear_in_use_message(db_path: Path, tmp_path: Path):
    ws = open_workspace(db_path)
    try:
        script = textwrap.dedent(
            f"""
            from pathlib import Path
            from prospector.errors import DatabaseInUse
            from prospector.services.workspace import open_workspace
            try:
                open_workspace(Path({str(db_path)!r}))
            except DatabaseInUse as exc:
                print(exc.user_message())
            else:
                print("OPENED")
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        assert "already open with this database" in out
        assert "OPENED" not in out
    finally:
        ws.close()
    # Once the first one closes, the file can be opened again.
    open_workspace(db_path).close()


def test_the_same_process_cannot_open_one_file_twice(db_path: Path):
    ws = open_workspace(db_path)
    try:
        with pytest.raises(DatabaseInUse):
            open_workspace(db_path)
    finally:
        ws.close()
