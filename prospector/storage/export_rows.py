"""Rows for an export, read straight from the SQLite driver: no SQLAlchemy in here.

A second process writing half of a big CSV export imports this module and nothing heavier:
it gets the statements already compiled (SQL text and parameters) and the name of each typed
column's conversion, opens its own connection on the export's snapshot and reads its share
(``ExportSlice``). The export's own process reads through the same functions, so both halves
are read and converted alike.

Rows come through the driver, not SQLAlchemy's result objects, which cost twice the time of the
read itself at this volume; the few typed columns are converted here (dates, UTC times, JSON,
booleans) so callers get Python values, never SQLite's storage formats.
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prospector.column_memo import Batch, column_converter

Statement = tuple[str, list[Any]]  # SQL text and its positional parameters


@dataclass(frozen=True)
class ExportSlice:
    """``rows`` rows of an export, in order, after its first ``first``: plain data a second
    process can be handed (see ``split_statements``)."""

    statements: list[Statement]
    first: int  # the export's rows before this slice's first
    rows: int


def _utc(value: str) -> datetime:
    """Naive-UTC text as an aware datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _json(value: str) -> dict[str, str]:
    loaded = json.loads(value)
    if not isinstance(loaded, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in loaded.items()}


def _each(make: Callable[[Any], Any]) -> Callable[[Batch, int], None]:
    """A column's conversion for values that seldom repeat (a contact's own custom fields):
    nothing remembered."""

    def convert(batch: Batch, index: int) -> None:
        for row in batch:
            value = row[index]
            if value is not None:
                row[index] = make(value)

    return convert


# A typed column's conversion, by name (a name travels to another process; a function may not).
# Each makes a fresh converter of one column of a batch, in place (see column_memo).
CONVERSIONS: dict[str, Callable[[], Callable[[Batch, int], None]]] = {
    "utc": lambda: column_converter(_utc),
    "date": lambda: column_converter(date.fromisoformat),
    "bool": lambda: column_converter(bool),
    "json": lambda: _each(_json),
}


def read_batches(
    driver: sqlite3.Connection,
    statements: Sequence[Statement],
    conversions: Sequence[str | None],
    batch: int = 1000,
    *,
    ahead: bool = True,
) -> Iterator[list[list[Any]]]:
    """Batches of rows (lists) of ``statements``, one after the other; the value at index i
    converted by ``conversions[i]`` unless it is None (see ``CONVERSIONS``).

    ``ahead``: SQLite reads the next batch in a helper thread meanwhile (see ``_read_ahead``);
    not worth it when another process keeps the second core busy (about 10% slower then).
    """
    converters = [(i, CONVERSIONS[name]()) for i, name in enumerate(conversions) if name]
    source = _read_ahead(driver, statements, batch) if ahead else _read(driver, statements, batch)
    for raw in source:
        rows = [list(r) for r in raw]
        for index, convert in converters:
            convert(rows, index)
        yield rows


def split_statements(
    statements: Sequence[tuple[str, list[Any], int]], cuts: Sequence[int]
) -> list[ExportSlice]:
    """The rows of ``statements`` (SQL, parameters, row count; rows in order, one statement
    after the other) as consecutive slices that end at each of ``cuts`` (ascending row
    positions), then one for the rest.

    A statement a cut falls in is read in parts, with LIMIT and OFFSET: the rows a part skips
    are walked in the statement's index but never read into Python. The statements hold no
    LIMIT of their own.
    """
    total = sum(size for _sql, _params, size in statements)
    bounds = [0, *(min(max(c, 0), total) for c in cuts), total]
    slices = []
    for low, high in zip(bounds, bounds[1:], strict=False):
        parts: list[Statement] = []
        before = 0
        for sql, params, size in statements:
            start, end = max(low - before, 0), min(high - before, size)
            if start < end:
                if (start, end) == (0, size):
                    parts.append((sql, list(params)))
                else:
                    parts.append((f"{sql} LIMIT ? OFFSET ?", [*params, end - start, start]))
            before += size
        slices.append(ExportSlice(parts, low, max(high - low, 0)))
    return slices


@contextlib.contextmanager
def writers_held(db_path: Path) -> Iterator[Callable[[], None] | None]:
    """Hold the database's write lock, if it is free right now, so that readers starting while
    it is held all see the same data; yields the function that lets writers in again (call it
    as soon as the readers have started), or None when another connection is writing.

    No data is written: the lock is taken by an empty write transaction, rolled back.
    """
    try:
        # The export's generator may be resumed from another thread than the one it began in.
        lock = sqlite3.connect(db_path, timeout=0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        yield None
        return
    try:
        try:
            lock.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # busy: an import or a save holds it
            yield None
            return
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                lock.execute("ROLLBACK")

        try:
            yield release
        finally:
            release()
    finally:
        lock.close()


def open_snapshot(db_path: Path) -> sqlite3.Connection:
    """A connection inside a read transaction that has started (its data is fixed from now
    on): what a second process reads its slice through."""
    # Read by a helper thread (see _read_ahead), one thread at a time.
    driver = sqlite3.connect(db_path, isolation_level=None, timeout=5, check_same_thread=False)
    driver.execute("BEGIN")
    driver.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
    return driver


_END = object()


def _read(
    driver: Any, statements: Sequence[Statement], batch: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The statements' rows in batches, read in the caller's thread."""
    for sql, params in statements:
        cursor = driver.cursor()
        try:
            cursor.execute(sql, params)
            while raw := cursor.fetchmany(batch):
                yield raw
        finally:
            cursor.close()


def _read_ahead(
    driver: Any, statements: Sequence[Statement], batch: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The statements' rows in batches, read by a helper thread a few batches ahead.

    SQLite does its part of a read (finding and decoding rows) without Python's lock, so while
    the caller turns one batch into a file the helper thread has SQLite read the next: about a
    third of an export's time at a million rows. The caller's session stays open and unused
    meanwhile (the driver connection is not tied to a thread); closing this generator stops the
    helper and waits for it, so the session never outlives a read in progress.
    """
    batches: queue.Queue[object] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            for sql, params in statements:
                cursor = driver.cursor()
                try:
                    cursor.execute(sql, params)
                    while not stop.is_set() and (raw := cursor.fetchmany(batch)):
                        put(raw)
                finally:
                    cursor.close()
            put(_END)
        except BaseException as exc:  # handed to the caller, raised there
            put(exc)

    helper = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    helper.start()
    try:
        while (item := batches.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        helper.join()
