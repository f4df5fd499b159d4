"""Reads and writes of contacts, always inside a session the service opened.

The table view never holds every row: it asks for a count and for pages of rows. Each sort is
served by an index (see tables.py) so a page deep in a million rows costs milliseconds. Sorting by
stage, temperature or source follows the pipeline's (or the source names') order, not the
alphabet: those columns have few values, so the page is found group by group.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from prospector.domain.contacts import (
    CleanContact,
    Contact,
    ContactFields,
    ContactRow,
    name_key,
)
from prospector.domain.query import ContactQuery, SortKey, search_terms
from prospector.domain.stages import ALL_STAGES, Stage, Temperature
from prospector.errors import NotFound
from prospector.storage import tables as t
from prospector.storage.search import FTS, contact_ids_matching, fts_match, notes_may_match

C = t.Contact.__table__.c
S = t.Source.__table__.c
FTS_JOIN = FTS.join(t.Contact.__table__, C.id == FTS.c.rowid)

_ROW_COLUMNS = (
    C.id,
    C.first_name,
    C.last_name,
    C.full_name,
    C.company,
    C.phone,
    C.mobile,
    C.email,
    C.city,
    C.stage,
    C.temperature,
    C.source_id,
    C.next_follow_up,
)
NAME_KEYS: tuple[Any, ...] = (C.last_name, C.first_name)
PLAIN_SORTS: dict[SortKey, tuple[Any, ...]] = {
    SortKey.NAME: NAME_KEYS,
    SortKey.COMPANY: (C.company,),
    SortKey.PHONE: (C.phone_e164,),
    SortKey.EMAIL: (C.email_normalized,),
    SortKey.CITY: (C.city,),
    SortKey.NEXT_FOLLOW_UP: (C.next_follow_up,),
    SortKey.UPDATED: (C.updated_at,),
}
_TEMPERATURE_ORDER = (Temperature.HOT, Temperature.WARM, Temperature.COLD)


@dataclass(frozen=True)
class GroupSort:
    """A sort over a column with few values, in an order that is not the alphabet's."""

    column: Any
    groups: Callable[[Session], Sequence[object]]


def _source_groups(session: Session) -> list[object]:
    ids = session.execute(select(S.id).order_by(func.lower(S.name), S.id)).scalars().all()
    return [None, *ids]


GROUP_SORTS: dict[SortKey, GroupSort] = {
    SortKey.STAGE: GroupSort(C.stage, lambda _s: [s.value for s in ALL_STAGES]),
    SortKey.TEMPERATURE: GroupSort(C.temperature, lambda _s: [x.value for x in _TEMPERATURE_ORDER]),
    SortKey.SOURCE: GroupSort(C.source_id, _source_groups),
}


def filter_conditions(
    query: ContactQuery, *, with_search: bool = True, in_notes: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE conditions for a query's search text and filters.

    ``in_notes`` lets the search words match the contacts' notes too; ``search_conditions``
    turns it on only when some note holds a word, so the plain search keeps its fast paths.
    """
    conditions: list[ColumnElement[bool]] = []
    terms = search_terms(query.text)
    if terms and with_search:
        conditions.append(contact_ids_matching(C.id, terms, in_notes=in_notes))
    if query.stages:
        conditions.append(C.stage.in_(sorted(str(s) for s in query.stages)))
    if query.temperatures:
        conditions.append(C.temperature.in_(sorted(str(x) for x in query.temperatures)))
    if query.source_ids:
        conditions.append(C.source_id.in_(sorted(query.source_ids)))
    return conditions


def ordered(stmt: Select[Any], keys: Sequence[Any], descending: bool) -> Select[Any]:
    """``stmt`` in the table's order for a sort's keys, the id breaking ties (the export reads
    in the same order, so these names are shared with ``contact_export``)."""
    order = [*keys, C.id]
    return stmt.order_by(*(k.desc() if descending else k.asc() for k in order))


def _sorts_before(keys: Sequence[Any], values: Sequence[Any], descending: bool) -> Any:
    """Rows that come before the row with ``values`` in ORDER BY keys, id (SQLite NULL rules)."""
    condition: Any = (C.id > values[-1]) if descending else (C.id < values[-1])
    for key, value in reversed(list(zip(keys, values[:-1], strict=True))):
        if descending:  # DESC puts NULLs last
            ahead = key.is_not(None) if value is None else key > value
        else:  # ASC puts NULLs first
            ahead = false() if value is None else or_(key.is_(None), key < value)
        condition = or_(ahead, and_(key.is_(value) if value is None else key == value, condition))
    return condition


def search_conditions(session: Session, query: ContactQuery) -> list[ColumnElement[bool]]:
    """``filter_conditions`` with the notes searched too when one holds a search word: what the
    table, and so an export of the table's view, shows."""
    return filter_conditions(query, in_notes=_notes_hit(session, query))


def _notes_hit(session: Session, query: ContactQuery) -> bool:
    terms = search_terms(query.text)
    return bool(terms) and notes_may_match(session, terms)


class ContactRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- reading pages for the table -------------------------------------------------------------

    def count(self, query: ContactQuery) -> int:
        terms = search_terms(query.text)
        if terms and not _notes_hit(self._s, query):
            # Counting from the search index's side is ten times faster than id IN (...),
            # and the contacts table is only read when another filter needs it.
            others = filter_conditions(query, with_search=False)
            source = FTS_JOIN if others else FTS
            stmt = select(func.count()).select_from(source).where(fts_match(terms), *others)
            return int(self._s.execute(stmt).scalar_one())
        stmt = select(func.count()).select_from(t.Contact.__table__)
        return int(self._s.execute(stmt.where(*search_conditions(self._s, query))).scalar_one())

    def page(self, query: ContactQuery, offset: int, limit: int) -> list[ContactRow]:
        """Rows ``offset`` .. ``offset + limit`` of the query's order."""
        terms = search_terms(query.text)
        in_notes = _notes_hit(self._s, query)
        if query.match_order and terms and not in_notes:
            stmt = (
                select(*_ROW_COLUMNS)
                .select_from(FTS_JOIN)
                .where(fts_match(terms), *filter_conditions(query, with_search=False))
                .order_by(FTS.c.rowid.desc() if query.descending else FTS.c.rowid.asc())
            )
            return self._rows(stmt.offset(offset).limit(limit))
        conditions = filter_conditions(query, in_notes=in_notes)
        if query.match_order and terms:  # the index's order is the contacts' id order
            stmt = select(*_ROW_COLUMNS).where(*conditions)
            stmt = stmt.order_by(C.id.desc() if query.descending else C.id.asc())
            return self._rows(stmt.offset(offset).limit(limit))
        group = GROUP_SORTS.get(query.sort)
        if group is None:
            stmt = select(*_ROW_COLUMNS).where(*conditions)
            stmt = ordered(stmt, PLAIN_SORTS[query.sort], query.descending)
            return self._rows(stmt.offset(offset).limit(limit))
        rows: list[ContactRow] = []
        for value, size in self.group_sizes(group, conditions, query.descending):
            if offset >= size:
                offset -= size
                continue
            stmt = select(*_ROW_COLUMNS).where(*conditions, group.column.is_(value))
            stmt = ordered(stmt, NAME_KEYS, query.descending)
            rows += self._rows(stmt.offset(offset).limit(limit - len(rows)))
            offset = 0
            if len(rows) >= limit:
                break
        return rows

    def position_of(self, query: ContactQuery, contact_id: int) -> int | None:
        """The row number of a contact under ``query``, or None when the filter hides it."""
        in_notes = _notes_hit(self._s, query)
        conditions = filter_conditions(query, in_notes=in_notes)
        visible = select(C.id).where(C.id == contact_id, *conditions)
        if self._s.execute(visible).first() is None:
            return None
        terms = search_terms(query.text)
        if query.match_order and terms and in_notes:
            ahead = C.id > contact_id if query.descending else C.id < contact_id
            stmt = select(func.count()).select_from(t.Contact.__table__).where(ahead, *conditions)
            return int(self._s.execute(stmt).scalar_one())
        if query.match_order and terms:
            ahead = FTS.c.rowid > contact_id if query.descending else FTS.c.rowid < contact_id
            stmt = (
                select(func.count())
                .select_from(FTS_JOIN)
                .where(fts_match(terms), ahead, *filter_conditions(query, with_search=False))
            )
            return int(self._s.execute(stmt).scalar_one())
        group = GROUP_SORTS.get(query.sort)
        keys = NAME_KEYS if group is not None else PLAIN_SORTS[query.sort]
        values = self._s.execute(select(*keys, C.id).where(C.id == contact_id)).one()
        before = 0
        if group is not None:
            own = self._s.execute(select(group.column).where(C.id == contact_id)).scalar()
            for value, size in self.group_sizes(group, conditions, query.descending):
                if value == own:
                    break
                before += size
            conditions = [*conditions, group.column.is_(own)]
        stmt = (
            select(func.count())
            .select_from(t.Contact.__table__)
            .where(*conditions, _sorts_before(keys, tuple(values), query.descending))
        )
        return before + int(self._s.execute(stmt).scalar_one())

    def group_sizes(
        self, group: GroupSort, conditions: list[ColumnElement[bool]], descending: bool
    ) -> list[tuple[object, int]]:
        """Each group's value and row count, in the table's group order (one indexed
        statement per group reads a group sort)."""
        stmt = select(group.column, func.count()).where(*conditions).group_by(group.column)
        sizes = {value: int(n) for value, n in self._s.execute(stmt)}
        order = list(group.groups(self._s))
        order += [v for v in sizes if v not in order]  # values no rule knows go last
        if descending:
            order.reverse()
        return [(value, sizes[value]) for value in order if sizes.get(value)]

    def _rows(self, stmt: Select[Any]) -> list[ContactRow]:
        result = self._s.execute(stmt).all()
        source_ids = {r.source_id for r in result if r.source_id is not None}
        names: dict[int, str] = {}
        if source_ids:
            names = dict(self._s.execute(select(S.id, S.name).where(S.id.in_(source_ids))).all())
        return [
            ContactRow(
                id=r.id,
                name=" ".join(p for p in (r.first_name, r.last_name) if p) or r.full_name or "",
                company=r.company or "",
                phone=r.phone or r.mobile or "",
                email=r.email or "",
                city=r.city or "",
                stage=Stage(r.stage),
                temperature=Temperature(r.temperature),
                source=names.get(r.source_id, "") if r.source_id is not None else "",
                next_follow_up=r.next_follow_up,
            )
            for r in result
        ]

    # -- one contact -----------------------------------------------------------------------------

    def get(self, contact_id: int) -> Contact:
        row = self._s.get(t.Contact, contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id}")
        return _to_contact(row)

    def add(self, clean: CleanContact, now: datetime, *, import_run_id: int | None = None) -> int:
        row = t.Contact(
            uuid=str(uuid_module.uuid4()),
            **_columns(clean),
            score=0,
            import_run_id=import_run_id,
            created_at=now,
            updated_at=now,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def update(self, contact_id: int, clean: CleanContact, now: datetime) -> None:
        stmt = (
            update(t.Contact)
            .where(t.Contact.id == contact_id)
            .values(**_columns(clean), updated_at=now)
        )
        if self._s.execute(stmt).rowcount == 0:
            raise NotFound(f"contact {contact_id}")

    def delete(self, contact_id: int) -> None:
        if self._s.execute(delete(t.Contact).where(t.Contact.id == contact_id)).rowcount == 0:
            raise NotFound(f"contact {contact_id}")

    def total(self) -> int:
        return int(self._s.execute(select(func.count()).select_from(t.Contact)).scalar_one())


def _columns(clean: CleanContact) -> dict[str, Any]:
    f = clean.fields
    return {
        "first_name": f.first_name,
        "last_name": f.last_name,
        "full_name": f.full_name,
        "company": f.company,
        "title": f.title,
        "phone": f.phone,
        "phone_e164": clean.phone_e164,
        "mobile": f.mobile,
        "mobile_e164": clean.mobile_e164,
        "phone_digits": clean.phone_digits,
        "email": f.email,
        "email_normalized": clean.email_normalized,
        "website": f.website,
        "address": f.address,
        "city": f.city,
        "postal_code": f.postal_code,
        "country": f.country,
        "birthday": f.birthday,
        "stage": f.stage.value,
        "temperature": f.temperature.value,
        "estimated_value_cents": f.estimated_value_cents,
        "do_not_call": f.do_not_call,
        "source_id": f.source_id,
        "custom_fields": dict(f.custom_fields) or None,
        "name_key": name_key(f.first_name, f.last_name, f.full_name),
    }


def _to_contact(row: t.Contact) -> Contact:
    fields = ContactFields(
        first_name=row.first_name,
        last_name=row.last_name,
        full_name=row.full_name,
        company=row.company,
        title=row.title,
        phone=row.phone,
        mobile=row.mobile,
        email=row.email,
        website=row.website,
        address=row.address,
        city=row.city,
        postal_code=row.postal_code,
        country=row.country,
        birthday=row.birthday,
        stage=Stage(row.stage),
        temperature=Temperature(row.temperature),
        estimated_value_cents=row.estimated_value_cents,
        do_not_call=row.do_not_call,
        source_id=row.source_id,
        custom_fields={str(k): str(v) for k, v in (row.custom_fields or {}).items()},
    )
    return Contact(
        id=row.id,
        uuid=uuid_module.UUID(row.uuid),
        fields=fields,
        phone_e164=row.phone_e164,
        mobile_e164=row.mobile_e164,
        score=row.score,
        fit_grade=row.fit_grade,
        next_follow_up=row.next_follow_up,
        import_run_id=row.import_run_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
