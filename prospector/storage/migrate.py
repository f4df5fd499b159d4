"""Bring a database file to the schema this version expects, never losing what it held.

Alembic runs from code (the scripts ship inside the package), a copy of the file is taken
before any upgrade, and a file written by a newer Prospector is refused untouched.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from prospector.errors import DatabaseTooNew, DatabaseUpgradeFailed
from prospector.storage.backup import backup_database
from prospector.storage.engine import APPLICATION_ID

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The newest revision this version ships. Checked against Alembic by a test; it lets an
# up-to-date database open without importing Alembic at all (about 0.2 s of every start-up).
SCHEMA_HEAD = "0010_custom_fields_index"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migration"
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the file, or None for a new (empty) file."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_database(engine: Engine, db_path: Path, *, backup_dir: Path | None) -> str | None:
    """Migrate to head. Returns the path of the pre-upgrade copy, if one was made.

    Raises:
        DatabaseTooNew: the file carries a revision this version does not know.
        DatabaseUpgradeFailed: a migration failed; the file was put back as it was.
    """
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return None
    from alembic import command

    head = head_revision()
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(db_path, f"revision {current} is unknown")

    copy: Path | None = None
    if current is not None and backup_dir is not None:
        copy = backup_database(engine, backup_dir, label=f"before-upgrade-to-{head}")
        log.info("Copied %s to %s before upgrading from %s", db_path, copy, current)

    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            if current is None:
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            problems = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
            if problems:
                raise RuntimeError(f"foreign key check failed after upgrade: {problems[:5]}")
    except Exception as exc:
        log.exception("Upgrading %s from %s to %s failed", db_path, current, head)
        raise DatabaseUpgradeFailed(db_path, str(exc)) from exc
    log.info("Database %s upgraded from %s to %s", db_path, current, head)
    return str(copy) if copy else None
