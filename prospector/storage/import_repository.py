"""Storage side of an import: the import run record and a batch writer that finds duplicates.

Duplicates are found by normalised email, by E.164 phone and by name (the indexed name key)
with a similar company, within the file (dictionaries of what this run wrote) and against the
database (indexed IN lookups per batch). A merge only fills empty fields: a non-empty field is
never overwritten silently, and what it filled is recorded so the import can be undone.
"""

from __future__ import annotations

import uuid
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import itemgetter as _itemgetter
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from prospector.domain.contacts import CleanContact, fold_text, name_key
from prospector.storage import tables as t
from prospector.storage.search import defer_indexing_from, index_deferred

C = t.Contact.__table__.c
_FILL_COLUMNS = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "phone",
    "phone_e164",
    "mobile",
    "mobile_e164",
    "email",
    "email_normalized",
    "website",
    "address",
    "city",
    "postal_code",
    "country",
    "birthday",
    "estimated_value_cents",
)
_MERGED_COLUMNS = (*_FILL_COLUMNS, "custom_fields", "phone_digits", "name_key")
# Two companies this alike (rapidfuzz token set ratio, 0-100) under one name are one contact:
# "Crème & Fils" and "CREME ET FILS SARL" score above it, "Dupont Plomberie" and "Dupont
# Immobilier" below.
COMPANY_SIMILARITY = 85.0


@dataclass(frozen=True)
class DuplicateMatch:
    """A row of the file that looks like a contact we have (or an earlier row of the file)."""

    row: int
    reason: str  # 'email', 'phone' or 'name'
    contact_id: int  # in a dry run, ids of this file's rows do not survive the rollback
    earlier_row: int | None  # set when the match is an earlier row of the same file
    new_label: str = ""
    existing_label: str = ""


class ImportRunRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def start(
        self,
        *,
        source_id: int,
        file_name: str,
        file_hash: str,
        sheet: str | None,
        mapping: dict[str, Any],
        now: datetime,
    ) -> int:
        run = t.ImportRun(
            uuid=str(uuid.uuid4()),
            source_id=source_id,
            file_name=file_name,
            file_hash=file_hash,
            sheet=sheet,
            column_mapping=mapping,
            started_at=now,
            status="running",
        )
        self._s.add(run)
        self._s.flush()
        return run.id

    def finish(self, run_id: int, counts: dict[str, int], now: datetime) -> None:
        self._s.execute(
            update(t.ImportRun)
            .where(t.ImportRun.id == run_id)
            .values(
                finished_at=now,
                rows_read=counts["read"],
                rows_imported=counts["imported"],
                rows_merged=counts["merged"],
                rows_skipped=counts["skipped"],
                rows_rejected=counts["rejected"],
                status="completed",
            )
        )


class ContactBatchWriter:
    """Writes cleaned contacts, finding duplicates in the file and in the database."""

    def __init__(
        self,
        session: Session,
        run_id: int,
        *,
        policy: str,
        now: datetime,
        decisions: Mapping[int, str] | None = None,
    ) -> None:
        """``policy`` says what a duplicate does: 'skip', 'merge' (fill gaps) or 'import';
        ``decisions`` overrides it for single rows (the file's row numbers)."""
        self._s = session
        self._run_id = run_id
        self._policy = policy
        self._decisions = decisions or {}
        self._now = now
        self._seen: dict[str, int] = {}  # email/phone key -> contact id written by this run
        self._names: dict[str, list[tuple[int, str, str]]] = {}  # name key -> (id, co, city)
        self._row_of = _RowsOfRun()  # contact id written by this run -> its row
        self._next_id: int | None = None  # ids are given here (see write)
        self._merged: dict[int, dict[str, list[Any]]] = {}  # contact id -> column changes
        self.matches: list[DuplicateMatch] = []
        self._serialise: _Serialiser | None = None

    def write(
        self,
        batch: Sequence[tuple[int, CleanContact] | tuple[int, CleanContact, str | None]],
        counts: dict[str, int],
    ) -> None:
        """Write a batch of (row, contact) or (row, contact, its name key, when known)."""
        if not batch:
            return
        prepared = [
            (item[0], item[1], _keys(item[1]), item[2] if len(item) > 2 else _name_key_of(item[1]))
            for item in batch
        ]
        keys = {k for _row, _c, contact_keys, _n in prepared for k in contact_keys}
        existing = self._existing(keys - self._seen.keys())
        # Only rows no email or phone identifies need the name lookup (most duplicates have one).
        names = {
            n
            for _row, _c, contact_keys, n in prepared
            if n and not any(k in self._seen or k in existing for k in contact_keys)
        }
        existing_names = self._existing_names(names)
        new_rows: list[dict[str, Any]] = []
        new_numbers: list[int] = []
        pending: dict[str, int] = {}  # key -> index in new_rows (duplicates inside the batch)
        pending_names: dict[str, list[int]] = {}
        merges: dict[int, list[CleanContact]] = {}
        for row, contact, contact_keys, key_of_name in prepared:
            found = self._find(
                contact, contact_keys, key_of_name, existing, existing_names, pending
            )
            if found is None and key_of_name:
                found = _find_waiting_name(contact, pending_names.get(key_of_name, []), new_rows)
            if found is not None:
                reason, known, waiting = found
                if waiting is not None:
                    contact_id = new_rows[waiting]["id_hint"]
                    earlier = new_numbers[waiting]
                else:
                    assert known is not None
                    contact_id, earlier = known, self._row_of.get(known)
                f = contact.fields
                label = _label(
                    f.first_name, f.last_name, f.full_name, f.company, f.email or f.phone
                )
                self.matches.append(DuplicateMatch(row, reason, contact_id, earlier, label))
                decision = self._decisions.get(row, self._policy)
                if decision == "skip":
                    counts["skipped"] += 1
                    continue
                if decision == "merge":
                    if waiting is not None:
                        _fill(new_rows[waiting], _row_values(contact))
                    else:
                        merges.setdefault(contact_id, []).append(contact)
                    counts["merged"] += 1
                    continue
            index = len(new_rows)
            for key in contact_keys:
                pending.setdefault(key, index)
            if key_of_name:
                pending_names.setdefault(key_of_name, []).append(index)
            values = self._insert_values(contact, key_of_name)
            values["id_hint"] = self._id_for(index)
            new_rows.append(values)
            new_numbers.append(row)
        if new_rows:
            for values in new_rows:
                values["id"] = values.pop("id_hint")
            assert self._next_id is not None
            self._next_id += len(new_rows)
            self._insert(new_rows)
            for key, index in pending.items():
                self._seen.setdefault(key, new_rows[index]["id"])
            for values, row in zip(new_rows, new_numbers, strict=True):
                self._row_of.add(values["id"], row)
                if values["name_key"]:
                    self._names.setdefault(values["name_key"], []).append(
                        (values["id"], _fold(values["company"]), _fold(values["city"]))
                    )
            counts["imported"] += len(new_rows)
        if merges:
            self._merge(merges)

    def _insert(self, new_rows: list[dict[str, Any]]) -> None:
        """One executemany of plain tuples, serialised as SQLAlchemy Core would serialise them.

        Core's per-row bind processing cost ~25 µs a row; here the constant columns are
        serialised once and only the few typed columns (dates, booleans, JSON) go through the
        column types' own bind processors, so what is stored is byte for byte the same (a test
        compares both ways).
        """
        connection = self._s.connection()
        if self._serialise is None:
            self._serialise = _Serialiser(connection.dialect, self._now, set(new_rows[0]))
        connection.exec_driver_sql(self._serialise.sql, self._serialise.rows(new_rows))

    def _id_for(self, index: int) -> int:
        """Ids are given here, not read back: we are the only writer inside this transaction,
        and SQLite's RETURNING would force one INSERT per row."""
        if self._next_id is None:
            self._next_id = (self._s.execute(select(func.max(C.id))).scalar() or 0) + 1
            defer_indexing_from(self._s, self._next_id)
        return self._next_id + index

    def _find(
        self,
        contact: CleanContact,
        contact_keys: list[str],
        key_of_name: str | None,
        existing: dict[str, int],
        existing_names: dict[str, list[tuple[int, str, str]]],
        pending: dict[str, int],
    ) -> tuple[str, int | None, int | None] | None:
        """(reason, contact id, index of a row waiting in this batch), or None."""
        for key in contact_keys:
            reason = "email" if key.startswith("e:") else "phone"
            if key in self._seen:
                return reason, self._seen[key], None
            if key in existing:
                return reason, existing[key], None
            if key in pending:
                return reason, None, pending[key]
        if key_of_name:
            company, city = _fold(contact.fields.company), _fold(contact.fields.city)
            for candidates in (
                self._names.get(key_of_name, ()),
                existing_names.get(key_of_name, ()),
            ):
                for contact_id, other_company, other_city in candidates:
                    if _same_business(company, city, other_company, other_city):
                        return "name", contact_id, None
        return None

    def finish(self) -> None:
        """Index this import's new contacts for search and record its merges, before commit."""
        if self._next_id is not None:
            index_deferred(self._s)
        if self._merged:
            self._s.execute(
                insert(t.ImportMerge.__table__),
                [
                    {
                        "import_run_id": self._run_id,
                        "contact_id": contact_id,
                        "changes": changes,
                        "merged_at": self._now,
                    }
                    for contact_id, changes in self._merged.items()
                ],
            )

    def label_matches(self) -> list[DuplicateMatch]:
        """The matches with both sides named, for the user to decide on (one query a chunk)."""
        ids = sorted({m.contact_id for m in self.matches})
        labels: dict[int, str] = {}
        for chunk in _chunks(ids):
            stmt = select(
                C.id, C.first_name, C.last_name, C.full_name, C.company, C.email, C.phone
            ).where(C.id.in_(chunk))
            for row in self._s.execute(stmt):
                labels[row.id] = _label(
                    row.first_name,
                    row.last_name,
                    row.full_name,
                    row.company,
                    row.email or row.phone,
                )
        return [
            DuplicateMatch(
                m.row,
                m.reason,
                m.contact_id,
                m.earlier_row,
                m.new_label,
                labels.get(m.contact_id, ""),
            )
            for m in self.matches
        ]

    def _existing(self, keys: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        emails = [k[2:] for k in keys if k.startswith("e:")]
        phones = [k[2:] for k in keys if k.startswith("p:")]
        for chunk in _chunks(emails):
            for email, contact_id in self._lookup(("email_normalized", "id"), chunk):
                found.setdefault(f"e:{email}", contact_id)
        for chunk in _chunks(phones):
            for column in ("phone_e164", "mobile_e164"):
                for phone, contact_id in self._lookup((column, "id"), chunk):
                    found.setdefault(f"p:{phone}", contact_id)
        return found

    def _existing_names(self, keys: set[str]) -> dict[str, list[tuple[int, str, str]]]:
        found: dict[str, list[tuple[int, str, str]]] = {}
        for chunk in _chunks(sorted(keys)):
            rows = self._lookup(("id", "name_key", "company", "city"), chunk, "name_key")
            for contact_id, key, company, city in rows:
                if contact_id not in self._row_of:
                    found.setdefault(key, []).append((contact_id, _fold(company), _fold(city)))
        return found

    def _lookup(
        self, columns: tuple[str, ...], values: list[str], where: str | None = None
    ) -> list[Any]:
        """``SELECT columns FROM contacts WHERE where IN (values)`` (``where`` defaults to the
        first column) straight to the driver: the SQL SQLAlchemy renders for these lookups
        (same plan, same row order), without its per-row result processing (none needed)."""
        where = where or columns[0]
        sql = (
            f"SELECT {', '.join(f'contacts.{c}' for c in columns)} \n"
            f"FROM contacts \nWHERE contacts.{where} IN ({', '.join('?' * len(values))})"
        )
        return self._s.connection().exec_driver_sql(sql, tuple(values)).all()

    def _insert_values(self, contact: CleanContact, key_of_name: str | None) -> dict[str, Any]:
        values = _row_values(contact, key_of_name)
        f = contact.fields
        values.update(
            uuid=str(uuid.uuid4()),
            phone_digits=contact.phone_digits,
            stage=f.stage.value,
            temperature=f.temperature.value,
            score=0,
            fit_grade=None,
            do_not_call=f.do_not_call,
            next_follow_up=None,
            source_id=f.source_id,
            import_run_id=self._run_id,
            custom_fields=dict(f.custom_fields) or None,
            created_at=self._now,
            updated_at=self._now,
        )
        return values

    def _merge(self, merges: dict[int, list[CleanContact]]) -> None:
        """Fill existing contacts' empty fields; a non-empty field is never overwritten."""
        columns = [getattr(C, name) for name in _MERGED_COLUMNS]
        rows = self._s.execute(select(C.id, *columns).where(C.id.in_(list(merges)))).all()
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            current = dict(zip(_MERGED_COLUMNS, row[1:], strict=True))
            before = dict(current)
            for contact in merges[row.id]:
                _fill(current, _row_values(contact))
                extra = dict(contact.fields.custom_fields)
                if extra:
                    custom = dict(current["custom_fields"] or {})
                    for key, value in extra.items():
                        custom.setdefault(key, value)
                    current["custom_fields"] = custom
                current["phone_digits"] = current["phone_digits"] or contact.phone_digits
            current["name_key"] = name_key(
                current["first_name"], current["last_name"], current["full_name"]
            )
            if current != before:
                # Only the columns that change: the others would be written back unchanged,
                # at the cost of their index entries (and the search trigger's re-indexing).
                changed = tuple(n for n in _MERGED_COLUMNS if current[n] != before[n])
                updates.setdefault(changed, []).append(
                    {"b_id": row.id, "updated_at": self._now}
                    | {f"v_{name}": current[name] for name in changed}
                )
                if row.id not in self._row_of:  # a contact of this run needs no undo record
                    self._record_merge(row.id, before, current)
        for changed, params in updates.items():
            stmt = (
                update(t.Contact.__table__)
                .where(C.id == bindparam("b_id"))
                .values(
                    {name: bindparam(f"v_{name}") for name in changed}
                    | {"updated_at": bindparam("updated_at", type_=C.updated_at.type)}
                )
            )
            self._s.execute(stmt, params)

    def _record_merge(self, contact_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Keep the value before the run's first change and after its last, per column."""
        changes = self._merged.setdefault(contact_id, {})
        for name, value in after.items():
            if value != before[name]:
                first = changes[name][0] if name in changes else before[name]
                changes[name] = [_jsonable(first), _jsonable(value)]


class _RowsOfRun:
    """contact id -> file row for the contacts this run wrote: their ids are consecutive, so an
    array (8 bytes a contact) does what a dict (~100 bytes) would, a million rows long."""

    def __init__(self) -> None:
        self._first: int | None = None
        self._rows = array("q")

    def add(self, contact_id: int, row: int) -> None:
        if self._first is None:
            self._first = contact_id
        if contact_id != self._first + len(self._rows):
            raise ValueError("ids of one run are given in order")
        self._rows.append(row)

    def get(self, contact_id: int) -> int | None:
        if self._first is None:
            return None
        at = contact_id - self._first
        return self._rows[at] if 0 <= at < len(self._rows) else None

    def __contains__(self, contact_id: object) -> bool:
        return isinstance(contact_id, int) and self.get(contact_id) is not None


_CONSTANT_TIMES = ("created_at", "updated_at")  # the import's ``now`` on every new row


class _Serialiser:
    """Turns the writer's row dicts into DBAPI tuples, the way a Core insert of them would.

    The INSERT names the columns a Core insert of these dicts names (the dicts' keys, plus
    columns with a constant Python default, which gets that value); other columns are left to
    the database (NULL or its server default). Only typed columns (dates, booleans, JSON) go
    through their bind processors; the import's ``now`` is serialised once.
    """

    def __init__(self, dialect: Any, now: datetime, given: set[str]) -> None:
        given_names: list[str] = []
        default_names: list[str] = []
        defaults: list[Any] = []
        self._processors: list[tuple[int, Any, dict[Any, Any]]] = []
        self._constants: list[tuple[int, Any]] = []
        for column in t.Contact.__table__.columns:
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if column.name in given:
                position = len(given_names)
                given_names.append(column.name)
                if column.name in _CONSTANT_TIMES:
                    self._constants.append((position, processor(now) if processor else now))
                elif processor is not None:
                    self._processors.append((position, processor, {}))
                continue
            default = column.default
            if default is None:
                continue  # NULL or the server default, as Core leaves it
            if not getattr(default, "is_scalar", False):
                raise ValueError(f"no fast insert for {column.name}'s default")
            default_names.append(column.name)
            defaults.append(processor(default.arg) if processor else default.arg)
        self._getter = _itemgetter(*given_names)
        self._defaults = tuple(defaults)
        names = given_names + default_names  # the order of a column list does not matter
        self.sql = (
            f"INSERT INTO contacts ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        )

    def rows(self, new_rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        out = []
        getter, defaults = self._getter, self._defaults
        constants, processors = self._constants, self._processors
        for values in new_rows:
            row = list(getter(values))
            for position, value in constants:
                row[position] = value
            for position, processor, memo in processors:
                value = row[position]
                if value.__class__ is dict:
                    row[position] = processor(value)
                elif value in memo:  # None, False, a date seen before: serialised once
                    row[position] = memo[value]
                else:
                    row[position] = memo[value] = processor(value)
            row.extend(defaults)
            out.append(tuple(row))
        return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@lru_cache(maxsize=65_536)
def _fold(value: str | None) -> str:
    """Cached: companies and cities repeat down a list and across the database."""
    return fold_text(value).strip() if value else ""


def _same_business(company: str, city: str, other_company: str, other_city: str) -> bool:
    """Same name: the same contact when the companies are alike, or when neither names one and
    the cities do not disagree."""
    if company and other_company:
        return fuzz.token_set_ratio(company, other_company) >= COMPANY_SIMILARITY
    if company or other_company:
        return False
    return not city or not other_city or city == other_city


def _find_waiting_name(
    contact: CleanContact, indexes: list[int], new_rows: list[dict[str, Any]]
) -> tuple[str, int | None, int | None] | None:
    """A row of this batch, not yet written, with the same name and a like company."""
    company, city = _fold(contact.fields.company), _fold(contact.fields.city)
    for index in indexes:
        other = new_rows[index]
        if _same_business(company, city, _fold(other["company"]), _fold(other["city"])):
            return "name", None, index
    return None


def _name_key_of(contact: CleanContact) -> str | None:
    f = contact.fields
    return name_key(f.first_name, f.last_name, f.full_name)


def _label(
    first: str | None, last: str | None, full: str | None, company: str | None, extra: str | None
) -> str:
    name = " ".join(p for p in (first, last) if p) or full or ""
    parts = [p for p in (name, company, extra) if p]
    return ", ".join(dict.fromkeys(parts))


def _row_values(contact: CleanContact, key_of_name: str | None = None) -> dict[str, Any]:
    f = contact.fields
    given = f.__dict__
    values: dict[str, Any] = {name: given.get(name) for name in _FILL_COLUMNS}
    values.update(
        phone_e164=contact.phone_e164,
        mobile_e164=contact.mobile_e164,
        email_normalized=contact.email_normalized,
        estimated_value_cents=f.estimated_value_cents,
        name_key=key_of_name or name_key(f.first_name, f.last_name, f.full_name),
    )
    return values


def _fill(target: dict[str, Any], values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is not None and target.get(name) in (None, ""):
            target[name] = value


def _keys(contact: CleanContact) -> list[str]:
    keys = []
    if contact.email_normalized:
        keys.append(f"e:{contact.email_normalized}")
    for phone in (contact.phone_e164, contact.mobile_e164):
        if phone:
            keys.append(f"p:{phone}")
    return keys


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
