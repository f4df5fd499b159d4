"""Faults while the database is in use: each ends in plain words and loses nothing saved.

reliability.md §6: F4 disk full (SQLite's own page limit, and a real file-size limit in a
subprocess), F6 read-only, F14 the file moved or deleted under the running app, and a write
that fails part-way through a unit of work. "Unchanged" means the same row count in every
table and quick_check ok.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from prospector.cli import main
from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.errors import (
    DatabaseDamaged,
    DatabaseMoved,
    DatabaseNotWritable,
    DatabaseWriteFailed,
)
from prospector.services.imports import ImportRequest
from prospector.services.workspace import open_workspace

TABLES = ("contacts", "sources", "import_runs", "notes", "call_logs", "stage_changes")


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _healthy(db: Path) -> bool:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


@contextmanager
def _disk_full(engine) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The database may not grow by a single page: SQLite's own SQLITE_FULL, as on a full disk."""

    def cap(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()  # every connection from now on is capped
    event.listen(engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()


def _listing(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "list.csv"
    lines = ["Prénom;Nom;Téléphone;Ville"]
    lines += [f"Ana{i};Pop{'x' * 40};06 12 {i // 10000 % 100:02d} {i // 100 % 100:02d} "
              f"{i % 100:02d};Lyon" for i in range(rows)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_that_fills_the_disk_saves_nothing_and_says_so(workspace, db_path, tmp_path):
    workspace.contacts.add(ContactFields(first_name="Kept", last_name="Before"))
    before = _counts(db_path)
    with _disk_full(workspace.database.engine), pytest.raises(DatabaseWriteFailed) as caught:
        deque(workspace.imports.run_import(ImportRequest(_listing(tmp_path, 3000), "Big")), 1)
    assert caught.value.reason == "disk_full"
    message = caught.value.user_message()
    assert "the disk is full" in message and "Nothing of this change was saved" in message
    assert "everything saved before is safe" in message
    assert _counts(db_path) == before and _healthy(db_path)
    # Once there is room again, the same import goes through.
    done = deque(workspace.imports.run_import(ImportRequest(_listing(tmp_path, 3000), "Big")), 1)
    assert done[0].imported == 3000


def test_a_contact_saved_on_a_full_disk_is_not_half_saved(workspace, db_path):
    kept = workspace.contacts.add(ContactFields(first_name="Kept", last_name="Before"))
    before = _counts(db_path)
    with _disk_full(workspace.database.engine):
        with pytest.raises(DatabaseWriteFailed):
            for i in range(500):  # until a page is needed
                workspace.contacts.add(ContactFields(first_name=f"N{i}", last_name="x" * 150))
        saved = workspace.contacts.total()
    assert saved >= before["contacts"]  # the adds that fitted were each committed whole
    assert workspace.contacts.get(kept.id).fields.first_name == "Kept"
    assert _healthy(db_path)


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_a_real_file_size_limit_mid_import_leaves_the_database_as_it_was(
    db_path: Path, tmp_path: Path
):
    """RLIMIT_FSIZE cuts the write-ahead log off mid-import: a genuine disk I/O error."""
    ws = open_workspace(db_path)
    ws.contacts.add(ContactFields(first_name="Kept", last_name="Before"))
    ws.close()
    before = _counts(db_path)
    listing = _listing(tmp_path, 20_000)
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from collections import deque
        from pathlib import Path
        from prospector.errors import UserFacingError
        from prospector.services.imports import ImportRequest
        from prospector.services.workspace import open_workspace
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a short write, not a killed process
        ws = open_workspace(Path({str(db_path)!r}), backups=False)
        ws.contacts.total()  # warm up: the database is open before the limit
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_000, 1_500_000))
        try:
            deque(ws.imports.run_import(ImportRequest(Path({str(listing)!r}), "Big")), 1)
        except UserFacingError as exc:
            print(exc.code, getattr(exc, "reason", ""), exc.user_message())
        else:
            print("IMPORTED")
        """
    )
    env = {**os.environ, "PROSPECTOR_HOME": str(tmp_path / "home")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.stdout.startswith("db.write_failed"), out.stdout + out.stderr
    assert "Nothing of this change was saved" in out.stdout
    assert _counts(db_path) == before and _healthy(db_path)
    open_workspace(db_path).close()  # and it opens as usual


def test_a_write_that_fails_part_way_through_a_call_leaves_no_half(workspace, db_path):
    contact = workspace.contacts.add(ContactFields(first_name="Ana", phone="06 12 34 56 78"))
    before = _counts(db_path)

    def fail_on_contact_update(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE CONTACTS"):
            raise sqlite3.OperationalError("disk I/O error")

    engine = workspace.database.engine
    event.listen(engine, "before_cursor_execute", fail_on_contact_update)
    try:
        with pytest.raises(DatabaseWriteFailed) as caught:
            workspace.queue.log_outcome(contact.id, CallOutcome.TALKED, note="went well")
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_contact_update)
    assert caught.value.reason == "io"
    assert _counts(db_path) == before  # the call row written first went with the rollback
    logged = workspace.queue.log_outcome(contact.id, CallOutcome.TALKED, note="went well")
    assert logged is not None and _counts(db_path)["call_logs"] == before["call_logs"] + 1


def test_a_database_that_turned_read_only_says_so(workspace, db_path):
    engine = workspace.database.engine
    engine.dispose()

    def read_only(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", read_only)
    try:
        with pytest.raises(DatabaseNotWritable) as caught:
            workspace.contacts.add(ContactFields(first_name="Ana"))
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()
    assert "read-only" in caught.value.user_message()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_database_in_a_read_only_folder_is_refused_untouched(db_path: Path):
    before = db_path.read_bytes()
    db_path.parent.chmod(0o555)
    try:
        with pytest.raises(DatabaseNotWritable) as caught:
            open_workspace(db_path)
    finally:
        db_path.parent.chmod(0o755)
    assert "read-only" in caught.value.user_message()
    assert db_path.read_bytes() == before


def test_a_read_only_folder_is_refused_even_for_root(db_path: Path, monkeypatch):
    """The same refusal where permission bits say nothing (root, Windows ACLs)."""
    from prospector.storage import database

    folder = db_path.parent
    real_access = os.access
    monkeypatch.setattr(
        database.os,
        "access",
        lambda path, mode: False if Path(path) == folder else real_access(path, mode),
    )
    before = db_path.read_bytes()
    with pytest.raises(DatabaseNotWritable):
        open_workspace(db_path)
    assert db_path.read_bytes() == before


@pytest.mark.allow_log_warnings
@pytest.mark.skipif(os.name == "nt", reason="Windows refuses to move an open database")
@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_a_database_moved_or_deleted_while_open_is_noticed_and_rescued(
    workspace, db_path: Path, how: str
):
    for i in range(30):
        workspace.contacts.add(ContactFields(first_name=f"Ana{i}", last_name="Pop"))
    if how == "moved":
        db_path.rename(db_path.with_name("Moved away.sqlite"))
    else:
        db_path.unlink()

    with pytest.raises(DatabaseMoved) as caught:
        workspace.contacts.add(ContactFields(first_name="Lost", last_name="Save"))
    rescued = caught.value.rescued
    assert rescued is not None and rescued.parent == db_path.parent / "backups"
    message = caught.value.user_message()
    assert "moved or deleted" in message and str(rescued) in message
    assert "this change could not be saved" in message
    conn = sqlite3.connect(rescued)
    try:  # every contact saved before, and not the change that was refused
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 30
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert workspace.contacts.total() == 30  # the window can still show what it has
    with pytest.raises(DatabaseMoved) as again:
        workspace.notes.add(1, "also refused")
    assert again.value.rescued == rescued  # one copy, not one per save
    workspace.close()
    assert not db_path.exists()  # no empty database was made in its place


def test_a_damaged_page_met_while_working_is_named(workspace, db_path: Path):
    def damaged(_conn, _cursor, statement: str, *_args: object) -> None:
        if "FROM contacts" in statement:
            raise sqlite3.DatabaseError("database disk image is malformed")

    engine = workspace.database.engine
    event.listen(engine, "before_cursor_execute", damaged)
    try:
        with pytest.raises(DatabaseDamaged) as caught:
            workspace.contacts.total()
    finally:
        event.remove(engine, "before_cursor_execute", damaged)
    assert "start it again" in caught.value.user_message()


def test_the_command_line_prints_one_plain_line_on_a_full_disk(
    db_path: Path, tmp_path: Path, capsys, monkeypatch
):
    from prospector.storage import engine as engine_module

    real = engine_module.make_engine

    def capped(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
        made = real(path, **kwargs)  # type: ignore[arg-type]

        @event.listens_for(made, "connect")
        def cap(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        return made

    from prospector.storage import database

    monkeypatch.setattr(database, "make_engine", capped)
    before = _counts(db_path)
    code = main(["import", str(_listing(tmp_path, 3000)), "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("prospector: ") and "disk is full" in err and "Traceback" not in err
    assert _counts(db_path) == before
