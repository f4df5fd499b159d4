"""Storage side of an import: the import run record and a batch writer that finds duplicates.

Duplicates are found by normalised email, by E.164 phone and by name (the indexed name key)
with a similar company, within the file and against the database alike: indexed IN lookups per
batch, the file's earlier rows being already written in this transaction. A merge only fills
empty fields: a non-empty field is never overwritten silently, and what it filled is recorded
so the import can be undone.

A big list is written the bulk way: the search insert trigger is paused (see ``search.py``)
and the secondary indexes the import does not read are dropped and built again before
commit, all inside the import's one transaction, so a rollback undoes that too.
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
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from prospector.domain.contacts import FIELD_NAMES, CleanContact, fold_text, name_key
from prospector.domain.ids import uuid7_text
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
# The columns the import itself looks contacts up by while it writes: their indexes are kept up to
# date throughout. A list at least REBUILD_RATIO times the size of the table (and of at least
# REBUILD_MIN_ROWS rows) has the other secondary indexes dropped at its first insert and built
# again once, sorted, before commit: CREATE INDEX costs ~1 µs a row and index here, keeping an
# index up to date row by row ~2.7 µs (more once the indexes outgrow the page cache: at a
# million rows it was most of the import).
_LOOKUP_COLUMNS = frozenset({"email_normalized", "phone_e164", "mobile_e164", "name_key"})
REBUILD_RATIO = 0.5
REBUILD_MIN_ROWS = 20_000
SORT_CACHE_KIB = 16 * 1024  # the page cache while indexes are rebuilt (see _rebuild_indexes)
# A list of SMALL_CACHE_FROM_ROWS rows or more is written with a page cache of SMALL_CACHE_KIB
# instead of the engine's 64 MiB: what the import keeps for its report (problems, duplicates)
# grows ~100 bytes a row, and at a million rows the smaller cache kept the import ~50 MB lower
# (main process 304 -> 255 MB) for ~7% more time; smaller lists keep the faster cache.
SMALL_CACHE_FROM_ROWS = 400_000
SMALL_CACHE_KIB = 16 * 1024


# slots: a big list has tens of thousands of these, all kept for the report.
@dataclass(frozen=True, slots=True)
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
        # This run's own contacts are found again through the database (the rows are in, in
        # this transaction, under the lookup indexes), not through dictionaries of their keys,
        # which held ~350 MB at a million rows (with the collector's time). Only the few
        # contacts of this run that changed after they were written (a later row merged into
        # them) keep here what they were written with, which is what they are matched on.
        self._altered: dict[int, _Written] = {}  # contact id -> as written
        self._altered_names: dict[str, list[int]] = {}  # name key as written -> contact ids
        self._merged_names: set[str] = set()  # name keys merges made (see write's hints)
        self._row_of = _RowsOfRun()  # contact id written by this run -> its row
        self._first_id: int | None = None  # this run's first contact id
        self._next_id: int | None = None  # ids are given here (see write)
        self._merged: dict[int, dict[str, list[Any]]] = {}  # contact id -> column changes
        self.matches: list[DuplicateMatch] = []
        self._serialise: _Serialiser | None = None
        self._updates: _Updates | None = None
        self._expected_rows: int | None = None
        self._paused_indexes: list[str] = []  # CREATE INDEX statements to run in finish()
        self._temp_store: int | None = None  # the connection's own setting, while ours holds
        self._cache_size: int | None = None  # likewise

    def expect_rows(self, rows: int | None) -> None:
        """The list's estimated length (rows), known after its first batch: a list big beside
        the table gets its secondary indexes rebuilt once instead of updated row by row. Call
        before the first ``write``; later calls are ignored."""
        if self._next_id is None and rows:
            self._expected_rows = rows

    def write(
        self,
        batch: Sequence[
            tuple[int, CleanContact]
            | tuple[int, CleanContact, str | None]
            | tuple[int, CleanContact, str | None, bool | None]
        ],
        counts: dict[str, int],
    ) -> None:
        """Write a batch of (row, contact), optionally with its name key (when known) and a
        hint: False when the row can match no contact (see ``importers/duplicate_hints.py``),
        so it is not looked up; True or None, it is."""
        if not batch:
            return
        merged_names = self._merged_names
        prepared = []
        for item in batch:
            key_of_name = item[2] if len(item) > 2 else _name_key_of(item[1])
            hint = item[3] if len(item) > 3 else None
            # A merge can give a contact a name key no row of the list had (its first name
            # and the row's last name): those are looked up whatever the hint says.
            may_match = hint is not False or (
                key_of_name is not None and key_of_name in merged_names
            )
            prepared.append((item[0], item[1], _keys(item[1]), key_of_name, may_match))
        keys = {k for _r, _c, contact_keys, _n, may in prepared if may for k in contact_keys}
        seen, existing = self._known_keys(keys)
        # Only rows no email or phone identifies need the name lookup (most duplicates have one).
        names = {
            n
            for _row, _c, contact_keys, n, may in prepared
            if may and n and not any(k in seen or k in existing for k in contact_keys)
        }
        written_names, existing_names = self._known_names(names)
        new_rows: list[dict[str, Any]] = []
        new_numbers: list[int] = []
        new_keys: list[list[str]] = []  # each new row's keys, before a later row filled it
        filled: set[int] = set()  # new rows a later row of the batch merged into
        pending: dict[str, int] = {}  # key -> index in new_rows (duplicates inside the batch)
        pending_names: dict[str, list[int]] = {}
        merges: dict[int, list[CleanContact]] = {}
        for row, contact, contact_keys, key_of_name, may_match in prepared:
            found = None
            if may_match:
                found = _find(
                    contact,
                    contact_keys,
                    key_of_name,
                    seen,
                    existing,
                    written_names,
                    existing_names,
                    pending,
                )
                if found is None and key_of_name:
                    found = _find_waiting_name(
                        contact, pending_names.get(key_of_name, []), new_rows
                    )
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
                        filled.add(waiting)
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
            new_keys.append(contact_keys)
        if new_rows:
            for values in new_rows:
                values["id"] = values.pop("id_hint")
            assert self._next_id is not None
            self._next_id += len(new_rows)
            self._insert(new_rows)
            for values, row in zip(new_rows, new_numbers, strict=True):
                self._row_of.add(values["id"], row)
            for index in filled:  # matched on the keys it came with, not those filled in
                values = new_rows[index]
                if sorted(_value_keys(values)) != sorted(new_keys[index]):
                    self._remember_written(values["id"], values, new_keys[index])
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
            self._first_id = self._next_id
            defer_indexing_from(self._s, self._next_id)
            self._use_import_settings()
            expected = self._expected_rows or 0
            if expected >= REBUILD_MIN_ROWS and expected >= REBUILD_RATIO * (self._next_id - 1):
                self._paused_indexes = _drop_rebuildable_indexes(self._s)
        return self._next_id + index

    def _use_import_settings(self) -> None:
        """Connection settings for the import's transaction, put back by ``close()``.

        SQLite's temporary data (statement journals, index sorts) goes to temporary files
        rather than memory (the engine's temp_store is MEMORY, for the window's sorts):
        dropping and building indexes and filling the search index of a million rows held
        ~70 MB more in memory. A big list also gets a smaller page cache (SMALL_CACHE_KIB).
        Both can change inside a transaction: we hold no temporary tables.
        """
        connection = self._s.connection()
        self._temp_store = connection.exec_driver_sql("PRAGMA temp_store").scalar()
        connection.exec_driver_sql("PRAGMA temp_store = FILE")
        if (self._expected_rows or 0) >= SMALL_CACHE_FROM_ROWS:
            self._cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            connection.exec_driver_sql(f"PRAGMA cache_size = {-SMALL_CACHE_KIB}")

    def _rebuild_indexes(self) -> None:
        """Build the dropped indexes again, each in one sorted pass, with a small page cache:
        SQLite gives an index sort as much memory as the page cache on top of it (64 MiB more
        at a million rows), and the sort, reading the table in order, runs as fast without."""
        connection = self._s.connection()
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = {-SORT_CACHE_KIB}")
        try:
            for sql in self._paused_indexes:
                connection.exec_driver_sql(sql)
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
        self._paused_indexes = []

    def close(self) -> None:
        """Give the connection back as it was; safe to call at any point, and twice."""
        if self._temp_store is not None:
            connection = self._s.connection()
            connection.exec_driver_sql(f"PRAGMA temp_store = {int(self._temp_store)}")
            self._temp_store = None
        if self._cache_size is not None:
            connection = self._s.connection()
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None

    def finish(self) -> None:
        """Index this import's new contacts for search and record its merges, before commit."""
        if self._paused_indexes:
            self._rebuild_indexes()
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

    def _known_keys(self, keys: set[str]) -> tuple[dict[str, int], dict[str, int]]:
        """(seen, existing): for each key, the first contact of this run written with it, else
        the first contact holding it (by email; by phone, then by mobile), both by id."""
        seen: dict[str, int] = {}
        existing: dict[str, int] = {}
        first = self._first_id
        emails = [k[2:] for k in keys if k.startswith("e:")]
        phones = [k[2:] for k in keys if k.startswith("p:")]
        found: list[tuple[str, int]] = []
        for chunk in _chunks(emails):
            found.extend(
                (f"e:{email}", i) for email, i in self._lookup(("email_normalized", "id"), chunk)
            )
        for chunk in _chunks(phones):
            for column in ("phone_e164", "mobile_e164"):
                found.extend((f"p:{phone}", i) for phone, i in self._lookup((column, "id"), chunk))
        altered = self._altered
        for key, contact_id in found:
            if (
                first is not None
                and contact_id >= first
                and (contact_id not in altered or key in altered[contact_id].keys)
            ):
                if key not in seen or contact_id < seen[key]:
                    seen[key] = contact_id
            elif key not in existing:
                existing[key] = contact_id
        for key in seen:
            existing.pop(key, None)
        return seen, existing

    def _known_names(
        self, keys: set[str]
    ) -> tuple[dict[str, list[tuple[int, str, str]]], dict[str, list[tuple[int, str, str]]]]:
        """(this run's, the others') contacts by name key, each as (id, company, city) folded,
        by id; this run's as they were written."""
        written: dict[str, list[tuple[int, str, str]]] = {}
        existing: dict[str, list[tuple[int, str, str]]] = {}
        first = self._first_id
        altered = self._altered
        for chunk in _chunks(sorted(keys)):
            rows = self._lookup(("id", "name_key", "company", "city"), chunk, "name_key")
            for contact_id, key, company, city in rows:
                if first is None or contact_id < first:
                    existing.setdefault(key, []).append((contact_id, _fold(company), _fold(city)))
                elif contact_id not in altered:
                    written.setdefault(key, []).append((contact_id, _fold(company), _fold(city)))
        for key in keys & self._altered_names.keys():
            for contact_id in self._altered_names[key]:
                was = altered[contact_id]
                written.setdefault(key, []).append((contact_id, was.company, was.city))
        for candidates in written.values():
            candidates.sort()
        return written, existing

    def _remember_written(
        self, contact_id: int, values: Mapping[str, Any], keys: Sequence[str]
    ) -> None:
        """Keep what a contact of this run was written with, before it changes."""
        if contact_id in self._altered:
            return
        name = values["name_key"]
        self._altered[contact_id] = _Written(
            tuple(keys), name, _fold(values["company"]), _fold(values["city"])
        )
        if name:
            self._altered_names.setdefault(name, []).append(contact_id)

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
            uuid=uuid7_text(),  # time-ordered: the import's rows go to the end of the index
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
        updates: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
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
            if current["name_key"] and current["name_key"] != before["name_key"]:
                self._merged_names.add(current["name_key"])
            if current != before:
                # Only the columns that change: the others would be written back unchanged,
                # at the cost of their index entries (and the search trigger's re-indexing).
                changed = tuple(n for n in _MERGED_COLUMNS if current[n] != before[n])
                updates.setdefault(changed, []).append((row.id, current))
                if row.id not in self._row_of:  # a contact of this run needs no undo record
                    self._record_merge(row.id, before, current)
                else:
                    self._remember_written(row.id, before, _value_keys(before))
        if updates:
            self._update(updates)

    def _update(self, updates: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]]) -> None:
        """One executemany per set of changed columns, straight to the driver: a batch has a
        score of such sets, and building and running a Core UPDATE for each cost more than
        SQLite's own work (about 1 s of a 100,000-row import with 15% duplicates). Values
        are serialised by the columns' own bind processors, as Core would."""
        connection = self._s.connection()
        if self._updates is None:
            self._updates = _Updates(connection.dialect, self._now)
        for changed, rows in updates.items():
            sql, params = self._updates.statement(changed, rows)
            connection.exec_driver_sql(sql, params)

    def _record_merge(self, contact_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Keep the value before the run's first change and after its last, per column."""
        changes = self._merged.setdefault(contact_id, {})
        for name, value in after.items():
            if value != before[name]:
                first = changes[name][0] if name in changes else before[name]
                changes[name] = [_jsonable(first), _jsonable(value)]


def _drop_rebuildable_indexes(session: Session) -> list[str]:
    """Drop the contacts' secondary indexes the import does not read (not unique, not on a
    lookup column) and return their exact SQL from ``sqlite_master``, in its order, for
    ``finish()`` to run again. DDL is transactional here: a rollback brings them back.

    An index led by the id stays: the import's new ids only ever come last in it, which costs
    less than reading the whole table again to rebuild it."""
    connection = session.connection()
    keep = set()
    for _seq, name, unique, origin, _partial in connection.exec_driver_sql(
        "PRAGMA index_list(contacts)"
    ):
        first = connection.exec_driver_sql(f'PRAGMA index_info("{name}")').fetchone()
        if unique or origin != "c" or first is None or first[2] in (*_LOOKUP_COLUMNS, "id"):
            keep.add(name)
    dropped = [
        (name, sql)
        for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL ORDER BY rowid"
        )
        if name not in keep
    ]
    for name, _sql in dropped:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in dropped]


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


class _Updates:
    """``UPDATE contacts SET <changed> = ?, updated_at = ? WHERE id = ?`` as DBAPI rows."""

    def __init__(self, dialect: Any, now: datetime) -> None:
        self._processors = {
            name: C[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in _MERGED_COLUMNS
        }
        stamp = C.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._now = stamp(now) if stamp else now
        self._sql: dict[tuple[str, ...], str] = {}

    def statement(
        self, changed: tuple[str, ...], rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[str, list[tuple[Any, ...]]]:
        sql = self._sql.get(changed)
        if sql is None:
            sets = ", ".join(f"{name} = ?" for name in changed)
            sql = self._sql[changed] = f"UPDATE contacts SET {sets}, updated_at = ? WHERE id = ?"
        processors = [(name, self._processors[name]) for name in changed]
        params = [
            (
                *(values[name] if p is None else p(values[name]) for name, p in processors),
                self._now,
                contact_id,
            )
            for contact_id, values in rows
        ]
        return sql, params


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@lru_cache(maxsize=16_384)
def _fold(value: str | None) -> str:
    """Cached: companies and cities repeat down a list and across the database. (Full, 65k
    entries of company names held ~15 MB of a million-row import's memory; 16k hold ~4 MB.)"""
    return fold_text(value).strip() if value else ""


def same_business(company: str, city: str, other_company: str, other_city: str) -> bool:
    """Same name: the same contact when the companies are alike, or when neither names one and
    the cities do not disagree."""
    if company and other_company:
        return fuzz.token_set_ratio(company, other_company) >= COMPANY_SIMILARITY
    if company or other_company:
        return False
    return not city or not other_city or city == other_city


@dataclass(frozen=True, slots=True)
class _Written:
    """What a contact of this run was written with (keys, name key, folded company and city)."""

    keys: tuple[str, ...]
    name_key: str | None
    company: str
    city: str


def _find(
    contact: CleanContact,
    contact_keys: list[str],
    key_of_name: str | None,
    seen: dict[str, int],
    existing: dict[str, int],
    written_names: dict[str, list[tuple[int, str, str]]],
    existing_names: dict[str, list[tuple[int, str, str]]],
    pending: dict[str, int],
) -> tuple[str, int | None, int | None] | None:
    """(reason, contact id, index of a row waiting in this batch), or None.

    Each key in turn: a contact of this run, else one of the database, else a row of this
    batch; then the name with a like company: this run's contacts first.
    """
    for key in contact_keys:
        reason = "email" if key.startswith("e:") else "phone"
        if key in seen:
            return reason, seen[key], None
        if key in existing:
            return reason, existing[key], None
        if key in pending:
            return reason, None, pending[key]
    if key_of_name:
        company, city = _fold(contact.fields.company), _fold(contact.fields.city)
        for candidates in (written_names.get(key_of_name, ()), existing_names.get(key_of_name, ())):
            for contact_id, other_company, other_city in candidates:
                if same_business(company, city, other_company, other_city):
                    return "name", contact_id, None
    return None


def _find_waiting_name(
    contact: CleanContact, indexes: list[int], new_rows: list[dict[str, Any]]
) -> tuple[str, int | None, int | None] | None:
    """A row of this batch, not yet written, with the same name and a like company."""
    company, city = _fold(contact.fields.company), _fold(contact.fields.city)
    for index in indexes:
        other = new_rows[index]
        if same_business(company, city, _fold(other["company"]), _fold(other["city"])):
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


# The fill columns a ContactFields holds itself (the others are derived: E.164, normalised email),
# read in one itemgetter call: the dict comprehension of .get() calls it replaces was the
# writer's dearest line of Python (run for every new row and every merge).
_GIVEN_FILL = tuple(n for n in _FILL_COLUMNS if n in FIELD_NAMES)
_given_fill = _itemgetter(*_GIVEN_FILL)


def _row_values(contact: CleanContact, key_of_name: str | None = None) -> dict[str, Any]:
    f = contact.fields
    values: dict[str, Any] = dict(zip(_GIVEN_FILL, _given_fill(f.__dict__), strict=True))
    values.update(
        phone_e164=contact.phone_e164,
        mobile_e164=contact.mobile_e164,
        email_normalized=contact.email_normalized,
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


def _value_keys(values: Mapping[str, Any]) -> list[str]:
    """The keys of a row as stored (what a lookup in the database finds it by)."""
    keys = []
    if values["email_normalized"]:
        keys.append(f"e:{values['email_normalized']}")
    for phone in (values["phone_e164"], values["mobile_e164"]):
        if phone:
            keys.append(f"p:{phone}")
    return keys


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
