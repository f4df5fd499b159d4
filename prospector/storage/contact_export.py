"""Every contact of a filter, in the contact table's order, streamed for an export.

An export reads in ONE read transaction: the count it checks against and the rows come from the
same snapshot, so an edit or an import running meanwhile can neither add nor drop a row from
the file. Rows are fetched from one cursor per statement in batches (a group sort such as
"by stage" runs one indexed statement per group, in the table's group order): nothing re-read,
never all rows in memory.

The statements are compiled here and read through ``export_rows`` (the driver, no SQLAlchemy),
so a second process can be handed a slice of them and read it alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Date, Select, String, func, select, true
from sqlalchemy.orm import Session

from prospector.domain.query import ContactQuery, search_terms
from prospector.storage import tables as t
from prospector.storage.contact_repository import (
    FTS_JOIN,
    GROUP_SORTS,
    NAME_KEYS,
    PLAIN_SORTS,
    ContactRepository,
    filter_conditions,
    ordered,
    search_conditions,
)
from prospector.storage.export_rows import Statement, read_batches
from prospector.storage.search import FTS, fts_match, notes_may_match
from prospector.storage.types import UTCDateTime

C = t.Contact.__table__.c
S = t.Source.__table__.c

# What an export may ask for, by name; values come back as Python types (see _conversion).
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


def _conversion(name: str) -> str | None:
    """How a column's stored value becomes a Python value (a name in ``CONVERSIONS``; None:
    it already is one)."""
    if name == "custom_fields":
        return "json"
    column_type = EXPORT_COLUMNS[name].type
    if isinstance(column_type, UTCDateTime):
        return "utc"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "bool"
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

        One pass over the contacts that have custom fields, found by their own index (the
        JSON is opened by SQLite, not by Python): none read when no contact has any, about a
        second at a million contacts that all have some.
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
        statements = [(sql, params) for sql, params, _ in self.statements(query, columns, 0)]
        return self.read(statements, columns, batch)

    def read(
        self,
        statements: Sequence[Statement],
        columns: Sequence[str],
        batch: int = 1000,
        *,
        ahead: bool = True,
    ) -> Iterator[list[list[Any]]]:
        """The rows of ``statements`` (from ``statements()``, or a slice of them) in batches
        (``ahead``: see ``read_batches``)."""
        driver = self._s.connection().connection.dbapi_connection
        assert driver is not None
        conversions = self.conversions(columns)
        return read_batches(driver, statements, conversions, batch, ahead=ahead)  # type: ignore[arg-type]

    @staticmethod
    def conversions(columns: Sequence[str]) -> list[str | None]:
        """Each column's conversion by name, for ``read_batches``."""
        return [_conversion(name) for name in columns]

    def statements(
        self, query: ContactQuery, columns: Sequence[str], total: int
    ) -> list[tuple[str, list[Any], int]]:
        """The compiled statements (SQL, parameters, row count) whose rows, one after the
        other, are the query's rows in the table's order; ``total`` is the query's count (the
        rows of a lone statement).

        Raises:
            KeyError: a name that is not in ``EXPORT_COLUMNS``.
        """
        selected = [_selected(name) for name in columns]
        dialect = self._s.connection().dialect
        compiled_statements = []
        for stmt, size in self._statements(query, selected):
            compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
            params = compiled.params
            positional = [params[n] for n in compiled.positiontup or []]
            compiled_statements.append((str(compiled), positional, total if size is None else size))
        return compiled_statements

    def _statements(
        self, query: ContactQuery, selected: list[Any]
    ) -> Iterator[tuple[Select[Any], int | None]]:
        """The statements whose rows, one after the other, are the table's order, each with
        its row count (None: a lone statement, holding every row)."""
        terms = search_terms(query.text)
        # The table's own rule: the notes are searched too when one holds a word.
        in_notes = bool(terms) and notes_may_match(self._s, terms)
        if query.match_order and terms and not in_notes:
            stmt = (
                select(*selected)
                .select_from(FTS_JOIN)
                .where(fts_match(terms), *filter_conditions(query, with_search=False))
                .order_by(FTS.c.rowid.desc() if query.descending else FTS.c.rowid.asc())
            )
            yield stmt, None
            return
        conditions: list[ColumnElement[bool]] = filter_conditions(query, in_notes=in_notes)
        if query.match_order and terms:  # the index's order is the contacts' id order
            order = C.id.desc() if query.descending else C.id.asc()
            yield select(*selected).where(*conditions).order_by(order), None
            return
        group = GROUP_SORTS.get(query.sort)
        if group is None:
            stmt = select(*selected).where(*conditions)
            yield ordered(stmt, PLAIN_SORTS[query.sort], query.descending), None
            return
        sizes = ContactRepository(self._s).group_sizes(group, conditions, query.descending)
        for value, size in sizes:
            stmt = select(*selected).where(*conditions, group.column.is_(value))
            yield ordered(stmt, NAME_KEYS, query.descending), size
