"""How fast an import could go on this machine with this schema, if nothing but the necessary
work were left: what the import target of issue 3 is weighed against.

    python benchmarks/bench_import_floor.py --rows 100000

Measured on the same list and the same database as bench_import.py (a 100,000-contact copy):

1. The real import, in this process (``import_rows_per_s``, for comparison).
2. SQLite's part alone: the rows that import stored, written again into a fresh copy the way
   the import writes them (batches of 1,000 plain tuples, the secondary indexes the import
   does not read dropped and built again, the search index filled in one statement, one
   commit). No duplicate lookups and no merges, so a lower bound of what SQLite must do.
3. Reading and cleaning alone (the product's reader and ``RowCleaner``, the phone and email
   checks included), which the cleaning worker does on the other core.

``floor_rows_per_s`` is the best case of two cores: one writing and one cleaning in perfect
overlap with no other work at all, ``rows / max(sqlite, read + clean, (sqlite + read + clean)
/ 2)``. ``floor_without_rebuilt_indexes_rows_per_s`` is the same without the indexes the table's
sorts and filters use (only those the duplicate check reads), to show what that part costs.
Prints JSON lines {"name", "value", "unit"}.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

BASE_CONTACTS = 100_000
REGION = "FR"  # as bench_import.py sets it
BATCH = 1000  # the import's batch


def real_import(db: Path, path: Path) -> tuple[float, int, int]:
    """(seconds, rows read, import run id) of the product's import."""
    from prospector.services.imports import ImportRequest
    from prospector.services.workspace import open_workspace

    ws = open_workspace(db, backups=False)
    ws.settings.set_default_country(REGION)
    started = time.perf_counter()
    last = deque(ws.imports.run_import(ImportRequest(path, "Floor")), maxlen=1)[0]
    seconds = time.perf_counter() - started
    ws.close()
    assert last.status == "completed", last
    assert last.import_run_id is not None
    return seconds, last.rows_read, last.import_run_id


def stored_rows(db: Path, run_id: int) -> tuple[list[str], list[tuple[object, ...]]]:
    """The contacts that import stored, as SQLite holds them."""
    connection = sqlite3.connect(db)
    try:
        cursor = connection.execute(
            "SELECT * FROM contacts WHERE import_run_id = ? ORDER BY id", (run_id,)
        )
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()
    finally:
        connection.close()


def copy_run(source: Path, target: Path, run_id: int) -> None:
    """The import's run and its source into ``target`` (the contacts refer to them)."""
    connection = sqlite3.connect(target)
    try:
        connection.execute("ATTACH DATABASE ? AS imported", (str(source),))
        with connection:
            connection.execute(
                "INSERT INTO sources SELECT * FROM imported.sources WHERE id = "
                "(SELECT source_id FROM imported.import_runs WHERE id = ?)",
                (run_id,),
            )
            connection.execute(
                "INSERT INTO import_runs SELECT * FROM imported.import_runs WHERE id = ?",
                (run_id,),
            )
        connection.execute("DETACH DATABASE imported")
    finally:
        connection.close()


def write_again(db: Path, names: list[str], rows: list[tuple[object, ...]]) -> dict[str, float]:
    """SQLite's part of the import alone, through the import's own steps (seconds each)."""
    from prospector.services.workspace import open_workspace
    from prospector.storage.import_repository import _drop_rebuildable_indexes
    from prospector.storage.search import defer_indexing_from, index_deferred

    ws = open_workspace(db, backups=False)
    sql = f"INSERT INTO contacts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    first_id = int(rows[0][names.index("id")])  # type: ignore[call-overload]
    times: dict[str, float] = {}
    clock = time.perf_counter
    with ws.database.sessions.begin() as session:
        connection = session.connection()
        connection.exec_driver_sql("PRAGMA temp_store = FILE")  # as the import's transaction
        started = clock()
        defer_indexing_from(session, first_id)
        paused = _drop_rebuildable_indexes(session)
        for at in range(0, len(rows), BATCH):
            connection.exec_driver_sql(sql, rows[at : at + BATCH])
        times["insert"] = clock() - started
        started = clock()
        for statement in paused:
            connection.exec_driver_sql(statement)
        times["index_build"] = clock() - started
        started = clock()
        index_deferred(session)
        times["search_index"] = clock() - started
        started = clock()
    times["commit"] = clock() - started
    ws.close()
    return times


def read_and_clean(path: Path) -> tuple[float, float, int]:
    """(read seconds, clean seconds, rows): the cleaning worker's work, in this process."""
    from prospector.importers.cleaning import RowCleaner
    from prospector.importers.mapping import guess_mapping
    from prospector.importers.table import read_table
    from prospector.services.imports import open_rows

    started = time.perf_counter()
    _kind, source = open_rows(path, region=REGION)
    table = read_table(source)
    raws = list(table.data)
    read = time.perf_counter() - started
    cleaner = RowCleaner(table.columns, guess_mapping(table.columns), REGION, source_id=1)
    started = time.perf_counter()
    for raw in raws:
        cleaner.clean(raw)
    return read, time.perf_counter() - started, len(raws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    from bench_import import emit, list_file
    from fill_database import ensure_database

    base = ensure_database(BASE_CONTACTS, seed=42)
    path = list_file(args.rows, "csv")
    with tempfile.TemporaryDirectory() as folder:
        imported = Path(folder) / "imported.sqlite"
        shutil.copy(base, imported)
        seconds, rows, run_id = real_import(imported, path)
        names, stored = stored_rows(imported, run_id)
        again = Path(folder) / "again.sqlite"
        shutil.copy(base, again)
        copy_run(imported, again, run_id)
        sqlite_parts = write_again(again, names, stored)
    read, clean, cleaned = read_and_clean(path)
    assert cleaned == rows, (cleaned, rows)

    sqlite_s = sum(sqlite_parts.values())
    worker_s = read + clean
    emit("import_rows_per_s", rows / seconds, "rows/s")
    emit("import_s", seconds, "s")
    emit("stored_rows", len(stored), "rows")
    for part, value in sqlite_parts.items():
        emit(f"floor_sqlite_{part}_s", value, "s")
    emit("floor_sqlite_s", sqlite_s, "s")
    emit("floor_read_s", read, "s")
    emit("floor_clean_s", clean, "s")
    emit("floor_rows_per_s", rows / max(sqlite_s, worker_s, (sqlite_s + worker_s) / 2), "rows/s")
    lean = sqlite_s - sqlite_parts["index_build"]
    emit(
        "floor_without_rebuilt_indexes_rows_per_s",
        rows / max(lean, worker_s, (lean + worker_s) / 2),
        "rows/s",
    )


if __name__ == "__main__":
    main()
