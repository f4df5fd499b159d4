"""The schema is built by migrations only, and the migrated schema is exactly the model."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from prospector.errors import DatabaseTooNew
from prospector.storage import migrate
from prospector.storage.engine import APPLICATION_ID, make_engine
from prospector.storage.schema_filter import include_name, include_object
from prospector.storage.tables import Base


def _diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": include_object,
                "include_name": include_name,
            },
        )
        return compare_metadata(context, Base.metadata)


def test_every_revision_in_turn_gives_exactly_the_model(tmp_path: Path):
    engine = make_engine(tmp_path / "stepwise.sqlite")
    cfg = migrate.alembic_config()
    revisions = list(reversed(list(ScriptDirectory.from_config(cfg).walk_revisions())))
    assert revisions, "no migration ships with the package"
    for script in revisions:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, script.revision)
        assert migrate.current_revision(engine) == script.revision
    assert _diff(engine) == []
    engine.dispose()


def test_new_database_is_stamped_as_ours_and_searchable(tmp_path: Path):
    path = tmp_path / "new.sqlite"
    engine = make_engine(path)
    assert migrate.upgrade_database(engine, path, backup_dir=tmp_path / "b") is None
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA application_id")).scalar() == APPLICATION_ID
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert {"contacts", "contacts_fts", "contacts_fts_insert", "alembic_version"} <= names
    assert not (tmp_path / "b").exists()  # nothing to back up for a new file
    engine.dispose()


def test_an_older_database_is_copied_before_the_upgrade(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.sqlite"
    engine = make_engine(path)
    migrate.upgrade_database(engine, path, backup_dir=None)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings(key, value) VALUES ('marker', '{\"v\": 1}')"))
    # Pretend the file is one revision behind a newer head the package now ships.
    today = migrate.SCHEMA_HEAD
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9999_future")
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999_future")
    monkeypatch.setattr(migrate, "known_revisions", lambda: {today, "9999_future"})
    monkeypatch.setattr(command, "upgrade", lambda cfg, rev: None)
    copy = migrate.upgrade_database(engine, path, backup_dir=tmp_path / "backups")
    assert copy is not None and Path(copy).is_file()
    assert "before-upgrade-to-9999_future" in Path(copy).name
    copy_engine = make_engine(Path(copy))
    with copy_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settings")).scalar() == 1
    copy_engine.dispose()
    engine.dispose()


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "future.sqlite"
    engine = make_engine(path)
    migrate.upgrade_database(engine, path, backup_dir=None)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    before = path.read_bytes()
    engine = make_engine(path)
    with pytest.raises(DatabaseTooNew) as caught:
        migrate.upgrade_database(engine, path, backup_dir=tmp_path / "b")
    engine.dispose()
    assert "newer version of Prospector" in caught.value.user_message()
    assert path.read_bytes() == before


def test_the_schema_head_constant_is_alembics_head():
    assert migrate.head_revision() == migrate.SCHEMA_HEAD


def test_migration_scripts_do_not_import_the_orm_model():
    for script in migrate.MIGRATIONS_DIR.glob("versions/*.py"):
        source = script.read_text(encoding="utf-8")
        assert "prospector.storage.tables" not in source, script.name
        assert "prospector." not in source, script.name


def test_the_name_key_backfill_follows_the_domain_rule():
    import importlib.util

    from prospector.domain.contacts import name_key

    script = migrate.MIGRATIONS_DIR / "versions" / "0003_duplicates_and_undo.py"
    spec = importlib.util.spec_from_file_location("m0003", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases = [
        ("Jean", "Dupont", None),
        ("FRANÇOIS", "LEFÈVRE", "x"),
        (None, None, "Петар Петровски"),
        (None, "O'Neil-Smith", None),
        (None, None, None),
        ("  ", None, ""),
    ]
    for case in cases:
        assert module._name_key(*case) == name_key(*case), case
    assert name_key("DUPONT", "Jean", None) == name_key("Jean", "Dupont", None) == "dupont jean"


def test_an_upgrade_fills_the_name_key_of_existing_contacts(tmp_path: Path):
    import shutil
    import sqlite3

    saved = Path(__file__).parents[1] / "data" / "db" / "0002_bulk_search_indexing.sqlite"
    path = tmp_path / "old.sqlite"
    shutil.copy(saved, path)
    engine = make_engine(path)
    migrate.upgrade_database(engine, path, backup_dir=tmp_path / "backups")
    engine.dispose()
    conn = sqlite3.connect(path)
    keys = dict(conn.execute("SELECT id, name_key FROM contacts"))
    conn.close()
    assert keys == {1: "francois lefevre", 2: "петар петровски"}


def test_an_upgrade_fills_the_queue_state_from_the_call_logs(tmp_path: Path):
    import shutil
    import sqlite3

    saved = Path(__file__).parents[1] / "data" / "db" / "0003_duplicates_and_undo.sqlite"
    path = tmp_path / "old.sqlite"
    shutil.copy(saved, path)
    conn = sqlite3.connect(path)
    with conn:  # two unanswered calls after the conversation: two attempts to reach again
        for n, outcome in ((2, "no_answer"), (3, "busy")):
            conn.execute(
                "INSERT INTO call_logs (id, uuid, contact_id, started_at, duration_s, outcome)"
                f" VALUES ({n}, 'u{n}', 1, '2026-02-0{n + 1} 09:00:00.000000', 0, '{outcome}')"
            )
    conn.close()
    engine = make_engine(path)
    migrate.upgrade_database(engine, path, backup_dir=tmp_path / "backups")
    engine.dispose()
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, last_called_at, last_outcome, call_attempts FROM contacts ORDER BY id"
    ).fetchall()
    conn.close()
    assert rows == [
        (1, "2026-02-04 09:00:00.000000", "busy", 2),
        (2, None, None, 0),
    ]
