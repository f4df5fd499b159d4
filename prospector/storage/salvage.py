"""Copy what can still be read out of a damaged database into a new, healthy one.

Like SQLite's ``.recover``, but with what Python's sqlite3 offers everywhere: every table of
our schema is read in rowid order from a read-only connection; when a damaged page stops the
read, the damaged stretch is stepped over (probing ever further ahead, then narrowing down to
the first rowid that reads again) and reading goes on. Rows go into a database freshly built by
the migrations at the damaged file's own revision (then brought up to date), parents before
children with foreign keys on:

- a row whose list or import run was lost keeps its place with that link emptied (the schema's
  ``ON DELETE SET NULL`` links);
- a row whose contact was lost (a note, a call) cannot be kept, and is counted as refused;
- the search indexes are rebuilt by the insert triggers as the rows arrive.

The damaged file is only read. The report counts, per table, the rows saved, the rows read
but refused, and the damaged stretches stepped over.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from prospector.errors import DatabaseError
from prospector.storage.engine import APPLICATION_ID, make_engine
from prospector.storage.recovery import open_read_only

log = logging.getLogger(__name__)

_MIN_ROWID, _MAX_ROWID = -(2**63), 2**63 - 1
_BATCH = 500
# Bookkeeping the new database keeps as the migrations made it.
_NOT_COPIED = frozenset({"alembic_version", "search_sync"})


class SalvageFailed(DatabaseError):
    """Nothing could be read from the damaged file (its table of contents is unreadable)."""

    code = "db.salvage_failed"

    def user_message(self) -> str:
        return (
            f"Nothing could be read from {self.path.name}: the damage is in the part of the "
            "file that says where everything is. Restore a backup instead; the damaged file "
            "is kept as it is."
        )


@dataclass(frozen=True)
class TableSalvage:
    table: str
    saved: int
    refused: int  # read, but could not be kept (its contact was lost, or a value was garbled)
    damaged_spots: int  # damaged stretches of the table that were stepped over


@dataclass(frozen=True)
class SalvageProgress:
    table: str
    tables_done: int
    tables_total: int
    rows_saved: int  # in all tables so far
    report: tuple[TableSalvage, ...] | None = None  # on the last step

    @property
    def finished(self) -> bool:
        return self.report is not None


def salvage_database(source: Path, target: Path) -> Iterator[SalvageProgress]:
    """Build ``target`` (which must not exist) from what ``source`` still holds; yields
    progress, and last a step with the report. ``target`` is left complete or not at all.

    Raises:
        SalvageFailed: the source's schema cannot be read at all.
    """
    from prospector.storage.migrate import SCHEMA_HEAD, known_revisions, upgrade_database

    src = open_read_only(source)
    try:
        revision = _revision(src)
        if revision is None or revision not in known_revisions():
            revision = SCHEMA_HEAD
        _build_schema(target, revision)
        try:
            report: list[TableSalvage] = []
            yield from _copy_all(src, target, report)
            if revision != SCHEMA_HEAD:
                engine = make_engine(target)
                try:
                    upgrade_database(engine, target, backup_dir=None)
                finally:
                    engine.dispose()
            _finish(target)
        except BaseException:
            _remove(target)
            raise
    finally:
        src.close()
    saved = sum(t.saved for t in report)
    log.info("Salvaged %d rows from %s into %s: %s", saved, source, target, report)
    yield SalvageProgress("", len(report), len(report), saved, tuple(report))


def _revision(src: sqlite3.Connection) -> str | None:
    try:
        row = src.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _build_schema(target: Path, revision: str) -> None:
    """A new database at ``revision``, built by the migrations as a new file would be."""
    from alembic import command

    from prospector.storage.migrate import alembic_config

    engine = make_engine(target)
    try:
        config = alembic_config()
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _copy_all(
    src: sqlite3.Connection, target: Path, report: list[TableSalvage]
) -> Iterator[SalvageProgress]:
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute("PRAGMA foreign_keys = ON")
        tables = _tables_in_order(dst)
        try:
            source_columns = {name: _columns(src, name) for name in tables}
        except sqlite3.DatabaseError as exc:
            raise SalvageFailed(target, str(exc)) from exc
        if not any(source_columns.values()):
            raise SalvageFailed(target, "no table of ours could be read")
        saved = 0
        dst.execute("BEGIN")
        for done, table in enumerate(tables):
            columns = [c for c in _columns(dst, table) if c in source_columns[table]]
            result = TableSalvage(table, 0, 0, 0)
            if columns:
                for result in _copy_table(src, dst, table, columns):
                    yield SalvageProgress(table, done, len(tables), saved + result.saved)
            saved += result.saved
            report.append(result)
        dst.execute("COMMIT")
        yield SalvageProgress("", len(tables), len(tables), saved)
    finally:
        dst.close()


def _tables_in_order(dst: sqlite3.Connection) -> list[str]:
    """Our tables, parents before children (the search indexes are filled by triggers)."""
    rows = dst.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    names = sorted(
        name
        for name, _sql in rows
        if name not in _NOT_COPIED
        and name not in virtual
        and not any(name.startswith(f"{v}_") for v in virtual)
    )
    parents = {
        name: {row[2] for row in dst.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a cycle: take the rest as they come (foreign keys will sort it out)
            ready = [n for n in names if n not in ordered]
        ordered.extend(ready)
    return ordered


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _copy_table(
    src: sqlite3.Connection, dst: sqlite3.Connection, table: str, columns: Sequence[str]
) -> Iterator[TableSalvage]:
    """Copy one table; yields a running count every batch, the last one complete."""
    links = _links_to_empty(dst, table, columns)
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    saved = refused = 0
    damaged: list[int] = []
    batch: list[list[object]] = []
    for row in _readable_rows(src, table, names, damaged):
        values = list(row)
        for index, parents in links:
            if values[index] is not None and values[index] not in parents:
                values[index] = None  # the list or import run is lost; the row is not
        batch.append(values)
        if len(batch) >= _BATCH:
            kept = _insert(dst, insert, batch)
            saved, refused = saved + kept, refused + len(batch) - kept
            batch.clear()
            yield TableSalvage(table, saved, refused, len(damaged))
    kept = _insert(dst, insert, batch)
    saved, refused = saved + kept, refused + len(batch) - kept
    if damaged:
        log.info("Salvage of %s stepped over %d damaged stretches", table, len(damaged))
    yield TableSalvage(table, saved, refused, len(damaged))


def _links_to_empty(
    dst: sqlite3.Connection, table: str, columns: Sequence[str]
) -> list[tuple[int, set[object]]]:
    """(column index, ids the parent has) for each ``ON DELETE SET NULL`` link: a row whose
    parent was lost keeps its place with the link emptied."""
    links = []
    for row in dst.execute(f'PRAGMA foreign_key_list("{table}")'):
        parent, column, parent_column, on_delete = row[2], row[3], row[4], row[6]
        if on_delete.upper() == "SET NULL" and column in columns:
            key = parent_column or "rowid"
            ids = {r[0] for r in dst.execute(f'SELECT "{key}" FROM "{parent}"')}
            links.append((list(columns).index(column), ids))
    return links


def _insert(dst: sqlite3.Connection, insert: str, rows: list[list[object]]) -> int:
    """Insert ``rows``; a batch that fails is redone row by row. Returns the rows kept."""
    if not rows:
        return 0
    dst.execute("SAVEPOINT batch")
    try:
        dst.executemany(insert, rows)
    except sqlite3.DatabaseError:
        dst.execute("ROLLBACK TO batch")
    else:
        dst.execute("RELEASE batch")
        return len(rows)
    kept = 0
    for row in rows:
        try:
            dst.execute(insert, row)
        except sqlite3.DatabaseError:  # garbled value, lost contact, broken uniqueness
            continue
        kept += 1
    dst.execute("RELEASE batch")
    return kept


def _readable_rows(
    src: sqlite3.Connection, table: str, names: str, damaged: list[int]
) -> Iterator[tuple[object, ...]]:
    """Every row of ``table`` that can be read, in rowid order; each damaged stretch stepped
    over is recorded in ``damaged`` (the rowid where it begins)."""
    read = f'SELECT rowid, {names} FROM "{table}" WHERE rowid >= ? ORDER BY rowid'
    start: int | None = _MIN_ROWID
    while start is not None:
        try:
            for row in src.execute(read, (start,)):
                yield row[1:]
                if row[0] >= _MAX_ROWID:
                    return
                start = row[0] + 1
            return
        except sqlite3.DatabaseError:
            damaged.append(start)
            start = _next_readable(src, table, start)


def _next_readable(src: sqlite3.Connection, table: str, failed: int) -> int | None:
    """The smallest rowid after ``failed`` from which the table reads again (None: nothing
    after the damage reads). Probes ever further ahead, then narrows down."""

    def reads_from(rowid: int) -> bool:
        try:
            src.execute(
                f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1', (rowid,)
            ).fetchone()
        except sqlite3.DatabaseError:
            return False
        return True

    bad, step = failed, 1
    while True:
        probe = min(bad + step, _MAX_ROWID)
        if reads_from(probe):
            break
        if probe >= _MAX_ROWID:
            return None
        bad, step = probe, step * 2
    good = probe
    while good - bad > 1:  # reads_from(bad) fails, reads_from(good) works
        middle = (bad + good) // 2
        if reads_from(middle):
            good = middle
        else:
            bad = middle
    return good


def _finish(target: Path) -> None:
    """Check the new file and make it one self-contained, durable file."""
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    if ok != "ok" or problems:
        raise RuntimeError(f"the salvaged database fails its checks: {ok}, {problems[:5]}")
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())


def _remove(path: Path) -> None:
    for leftover in (path, *(Path(f"{path}{end}") for end in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
