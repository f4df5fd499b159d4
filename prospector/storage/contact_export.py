"""Every contact of a filter, in the contact table's order, streamed for an export.

An export reads in ONE read transaction: the count it checks against and the rows come from the
same snapshot, so an edit or an import running meanwhile can neither add nor drop a row from
the file. Rows are fetched from one cursor per statement in batches (a group sort such as
"by stage" runs one indexed statement per group, in the table's group order): no OFFSET, nothing
re-read, never all rows in memory.

Rows come through the driver, not SQLAlchemy's result objects, which cost twice the time of the
read itself at this volume; the few typed columns are converted here (dates, UTC times, JSON,
booleans) so callers get Python values, never SQLite's storage formats.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Date, Select, String, func, select, true
from sqlalchemy.orm import Session

from prospector.domain.query import ContactQuery, search_terms
from prospector.storage import tables as t
from prospector.storage.contact_repository import (
    _FTS_JOIN,
    _GROUP_SORTS,
    _NAME_KEYS,
    _PLAIN_SORTS,
    ContactRepository,
    _ordered,
    filter_conditions,
    search_conditions,
)
from prospector.storage.search import FTS, fts_match, notes_may_match
from prospector.storage.types import UTCDateTime

C = t.Contact.__table__.c
S = t.Source.__table__.c

# What an export may ask for, by name; values come back as Python types (see _CONVERTERS).
EXPORT_COLUMNS: dict[str, Any] = {
    name: C[name]
    for name in (
        "id",
        "uuid",
        "first_name",
        "last_name",
        "full_name",
        "company",
        "title",
        "phone",
        "mobile",
        "email",
        "website",
        "address",
        "city",
        "postal_code",
        "country",
        "birthday",
        "stage",
        "temperature",
        "score",
        "fit_grade",
        "estimated_value_cents",
        "do_not_call",
        "next_follow_up",
        "source_id",
        "last_called_at",
        "last_outcome",
        "call_attempts",
        "skipped_until",
        "custom_fields",
        "created_at",
        "updated_at",
    )
}
_MEMO_LIMIT = 50_000


def _utc_reader() -> Callable[[str], datetime]:
    """Naive-UTC text to an aware datetime; remembered, since an import stamps thousands of
    contacts with the same time."""
    memo: dict[str, datetime] = {}

    def read(value: str) -> datetime:
        found = memo.get(value)
        if found is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[value] = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return found

    return read


def _json(value: str) -> dict[str, str]:
    loaded = json.loads(value)
    if not isinstance(loaded, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in loaded.items()}


def _converter(name: str) -> Callable[[Any], Any] | None:
    """How a column's stored value becomes a Python value (None: it already is one)."""
    if name == "custom_fields":
        return _json
    column_type = EXPORT_COLUMNS[name].type
    if isinstance(column_type, UTCDateTime):
        return _utc_reader()
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Boolean):
        return bool
    return None


def _selected(name: str) -> Any:
    """A text column reads as '' rather than NULL: a writer joins text without checking it."""
    column = EXPORT_COLUMNS[name]
    if isinstance(column.type, String):  # Text too
        return func.coalesce(column, "").label(name)
    return column


class ContactExportReader:
    """Reads inside the caller's session; the caller keeps it open for the whole export."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def count(self, query: ContactQuery) -> int:
        return ContactRepository(self._s).count(query)

    def source_names(self) -> dict[int, str]:
        return {int(i): str(n) for i, n in self._s.execute(select(S.id, S.name)).all()}

    def custom_field_keys(self, query: ContactQuery) -> list[str]:
        """The custom field names the query's contacts use, in alphabetical order.

        One pass over the contacts that have custom fields (the JSON is opened by SQLite, not
        by Python); about a second at a million contacts that all have some.
        """
        pairs = func.json_each(C.custom_fields).table_valued("key")
        stmt = (
            select(pairs.c.key)
            .distinct()
            .select_from(t.Contact.__table__.join(pairs, true()))
            .where(C.custom_fields.is_not(None), *search_conditions(self._s, query))
        )
        keys = [str(k) for k in self._s.execute(stmt).scalars() if k is not None]
        return sorted(keys, key=lambda k: (k.casefold(), k))

    def rows(
        self, query: ContactQuery, columns: Sequence[str], batch: int = 1000
    ) -> Iterator[list[list[Any]]]:
        """Batches of rows (lists, one value per name in ``columns``) in the query's order;
        empty text is '', other empty values None. A name may be asked for twice.

        Raises:
            KeyError: a name that is not in ``EXPORT_COLUMNS``.
        """
        selected = [_selected(name) for name in columns]
        converters = [(i, f) for i, name in enumerate(columns) if (f := _converter(name))]
        connection = self._s.connection()
        driver = connection.connection.dbapi_connection
        assert driver is not None
        statements = []
        for stmt in self._statements(query, selected):
            compiled = stmt.compile(
                dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
            )
            params = compiled.params
            statements.append((str(compiled), [params[n] for n in compiled.positiontup or []]))
        for raw in _read_ahead(driver, statements, batch):
            rows = [list(r) for r in raw]
            for index, convert in converters:
                for row in rows:
                    value = row[index]
                    if value is not None:
                        row[index] = convert(value)
            yield rows

    def _statements(self, query: ContactQuery, selected: list[Any]) -> Iterator[Select[Any]]:
        """The statements whose rows, one after the other, are the table's order."""
        terms = search_terms(query.text)
        # The table's own rule: the notes are searched too when one holds a word.
        in_notes = bool(terms) and notes_may_match(self._s, terms)
        if query.match_order and terms and not in_notes:
            yield (
                select(*selected)
                .select_from(_FTS_JOIN)
                .where(fts_match(terms), *filter_conditions(query, with_search=False))
                .order_by(FTS.c.rowid.desc() if query.descending else FTS.c.rowid.asc())
            )
            return
        conditions: list[ColumnElement[bool]] = filter_conditions(query, in_notes=in_notes)
        if query.match_order and terms:  # the index's order is the contacts' id order
            order = C.id.desc() if query.descending else C.id.asc()
            yield select(*selected).where(*conditions).order_by(order)
            return
        group = _GROUP_SORTS.get(query.sort)
        if group is None:
            stmt = select(*selected).where(*conditions)
            yield _ordered(stmt, _PLAIN_SORTS[query.sort], query.descending)
            return
        sizes = ContactRepository(self._s)._group_sizes(group, conditions, query.descending)
        for value, _size in sizes:
            stmt = select(*selected).where(*conditions, group.column.is_(value))
            yield _ordered(stmt, _NAME_KEYS, query.descending)


_END = object()


def _read_ahead(
    driver: Any, statements: list[tuple[str, list[Any]]], batch: int
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
