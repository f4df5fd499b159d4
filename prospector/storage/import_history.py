"""Import history and undo, storage side: what each import did, and taking it back.

An import can add 100,000 contacts, so undo works on sets: the contacts a run added are found by
their indexed ``import_run_id`` and removed by one DELETE (the search index follows through the
contacts triggers, notes and calls through ON DELETE CASCADE); what a run filled in on contacts
it already had is read back from ``import_merges`` in keyset chunks. A value is put back only
where it is still the one the import set, so a rep's later edit is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    bindparam,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from prospector.domain.contacts import name_key, phone_digits
from prospector.domain.reminders import Recurrence
from prospector.storage import tables as t

C = t.Contact.__table__.c
R = t.ImportRun.__table__.c
M = t.ImportMerge.__table__.c
S = t.Source.__table__.c
REM = t.Reminder.__table__.c

COMPLETED = "completed"  # the only status that can be undone
UNDONE = "undone"

# Why a contact counts as worked since the import, most telling first.
CALLED = "called"
HAS_NOTES = "notes"
HAS_REMINDERS = "reminders"
QUALIFIED = "qualified"
STAGE_MOVED = "stage"
EDITED = "edited"

# Columns put back together or not at all: a typed phone without its E.164 form (or an email
# without its normalised form) would break search and duplicate checks.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("phone", "phone_e164"),
    ("mobile", "mobile_e164"),
    ("email", "email_normalized"),
)
# Derived from other columns: recomputed from what is put back, never restored as recorded.
_DERIVED = frozenset({"phone_digits", "name_key"})
_PHONE_COLUMNS = ("phone", "phone_e164", "mobile", "mobile_e164")
_NAME_COLUMNS = ("first_name", "last_name", "full_name")
_CHUNK = 500


@dataclass(frozen=True)
class ImportRunInfo:
    """One line of the import history."""

    id: int
    file_name: str
    source_id: int | None
    source_name: str | None  # None once the list itself was removed by an undo
    started_at: datetime
    finished_at: datetime | None
    rows_read: int
    rows_imported: int
    rows_merged: int
    rows_skipped: int
    rows_rejected: int
    status: str

    @property
    def undoable(self) -> bool:
        return self.status == COMPLETED


@dataclass(frozen=True)
class WorkedContact:
    """A contact the run added that a rep has worked on since, and how."""

    id: int
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a run would do, for the rep to confirm."""

    run: ImportRunInfo
    added: int  # contacts the run added that are still there
    worked_count: int  # of those, worked on since the import
    worked: tuple[WorkedContact, ...]  # the first of them by name (as many as asked)
    merged: int  # contacts the run filled in, as recorded
    restorable: int  # of those, contacts where at least one value can still be put back


@dataclass(frozen=True)
class UndoOutcome:
    """What an undo did."""

    run_id: int
    removed: int
    kept: int  # worked contacts left in place
    restored: int  # contacts whose filled-in values were put back
    source_removed: bool


class ImportHistoryRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- history ---------------------------------------------------------------------------------

    def runs(self) -> list[ImportRunInfo]:
        """Every import run, newest first."""
        stmt = _run_select().order_by(R.started_at.desc(), R.id.desc())
        return [_run_info(row) for row in self._s.execute(stmt)]

    def run(self, run_id: int) -> ImportRunInfo | None:
        row = self._s.execute(_run_select().where(R.id == run_id)).first()
        return _run_info(row) if row is not None else None

    # -- undo ------------------------------------------------------------------------------------

    def plan(self, run: ImportRunInfo, *, named: int | None = None) -> UndoPlan:
        """Count what undo would remove and put back; name up to ``named`` worked contacts."""
        reasons = _worked_reasons(run)
        added = _count(self._s, C.import_run_id == run.id)
        worked_count = _count(self._s, C.import_run_id == run.id, _any(reasons))
        worked: list[WorkedContact] = []
        if worked_count and named != 0:
            stmt = (
                select(
                    C.id,
                    C.first_name,
                    C.last_name,
                    C.full_name,
                    C.company,
                    C.email,
                    C.phone,
                    *(condition.label(f"r_{code}") for code, condition in reasons),
                )
                .where(C.import_run_id == run.id, _any(reasons))
                .order_by(C.last_name, C.first_name, C.id)
                .limit(named)
            )
            for row in self._s.execute(stmt):
                mapping = row._mapping
                worked.append(
                    WorkedContact(
                        id=row.id,
                        name=_display_name(mapping),
                        reasons=tuple(code for code, _c in reasons if mapping[f"r_{code}"]),
                    )
                )
        merged = _count(self._s, M.import_run_id == run.id, table=t.ImportMerge.__table__)
        restorable = sum(1 for chunk in self._restorations(run.id) for _ in chunk)
        return UndoPlan(run, added, worked_count, tuple(worked), merged, restorable)

    def undo(self, run: ImportRunInfo, *, keep_worked: bool, now: datetime) -> UndoOutcome:
        """Take a run back: put back what it filled in, remove what it added, mark it undone."""
        restored = 0
        for chunk in self._restorations(run.id):
            restored += self._put_back(chunk, now)
        condition: list[ColumnElement[bool]] = [C.import_run_id == run.id]
        if keep_worked:
            condition.append(not_(_any(_worked_reasons(run))))
        removed = self._s.execute(delete(t.Contact.__table__).where(*condition)).rowcount
        kept = _count(self._s, C.import_run_id == run.id)
        self._s.execute(delete(t.ImportMerge.__table__).where(M.import_run_id == run.id))
        self._s.execute(update(t.ImportRun.__table__).where(R.id == run.id).values(status=UNDONE))
        source_removed = self._remove_source_if_unused(run)
        return UndoOutcome(run.id, removed, kept, restored, source_removed)

    def _restorations(self, run_id: int) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        """Per chunk of the run's merges: (contact id, {column: value to put back})."""
        last_id = 0
        while True:
            merges = self._s.execute(
                select(M.id, M.contact_id, M.changes)
                .where(M.import_run_id == run_id, M.id > last_id)
                .order_by(M.id)
                .limit(_CHUNK)
            ).all()
            if not merges:
                return
            last_id = merges[-1].id
            recorded = {name for m in merges for name in m.changes if name in C}
            columns = sorted(recorded | {*_PHONE_COLUMNS, *_NAME_COLUMNS})
            current = {
                row.id: row._mapping
                for row in self._s.execute(
                    select(C.id, *(C[n] for n in columns)).where(
                        C.id.in_([m.contact_id for m in merges])
                    )
                )
            }
            chunk = []
            for merge in merges:
                row = current.get(merge.contact_id)
                if row is not None:
                    values = _values_to_put_back(merge.changes, row)
                    if values:
                        chunk.append((merge.contact_id, values))
            yield chunk

    def _put_back(self, chunk: list[tuple[int, dict[str, Any]]], now: datetime) -> int:
        """One executemany per set of columns: a chunk has only a handful of such sets."""
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for contact_id, values in chunk:
            names = tuple(sorted(values))
            params = {f"v_{n}": values[n] for n in names}
            params.update(b_id=contact_id, b_updated_at=now)
            by_columns.setdefault(names, []).append(params)
        for names, params in by_columns.items():
            stmt = (
                update(t.Contact.__table__)
                .where(C.id == bindparam("b_id"))
                .values(
                    {n: bindparam(f"v_{n}", type_=C[n].type) for n in names}
                    | {"updated_at": bindparam("b_updated_at", type_=C.updated_at.type)}
                )
            )
            self._s.execute(stmt, params)
        return len(chunk)

    def _remove_source_if_unused(self, run: ImportRunInfo) -> bool:
        """Remove the list this run created, once nothing (another run, a contact) uses it.

        The import makes the list and the run at one moment, so a list made no earlier than the
        run started is the run's; a list the rep had made beforehand stays, even empty.
        """
        if run.source_id is None:
            return False
        created_by_run = select(S.id).where(
            S.id == run.source_id,
            S.created_at >= bindparam("started", run.started_at, type_=S.created_at.type),
        )
        if self._s.execute(created_by_run).first() is None:
            return False
        other_runs = select(R.id).where(R.source_id == run.source_id, R.id != run.id).limit(1)
        contacts = select(C.id).where(C.source_id == run.source_id).limit(1)
        if self._s.execute(other_runs).first() or self._s.execute(contacts).first():
            return False
        self._s.execute(delete(t.Source.__table__).where(S.id == run.source_id))
        return True


def _run_select() -> Any:
    return select(
        R.id,
        R.file_name,
        R.source_id,
        S.name.label("source_name"),
        R.started_at,
        R.finished_at,
        R.rows_read,
        R.rows_imported,
        R.rows_merged,
        R.rows_skipped,
        R.rows_rejected,
        R.status,
    ).select_from(t.ImportRun.__table__.outerjoin(t.Source.__table__, S.id == R.source_id))


def _run_info(row: Any) -> ImportRunInfo:
    return ImportRunInfo(**row._mapping)


def _worked_reasons(run: ImportRunInfo) -> list[tuple[str, ColumnElement[bool]]]:
    """Conditions on a contact, each a reason it was worked on after ``run`` finished."""
    finished = run.finished_at or run.started_at

    def has(table: Any) -> ColumnElement[bool]:
        return exists().where(table.c.contact_id == C.id)

    return [
        (CALLED, has(t.CallLog.__table__)),
        (HAS_NOTES, has(t.Note.__table__)),
        (QUALIFIED, has(t.Qualification.__table__)),
        # A birthday card reminder is made by the app for every contact with a birthday: not work.
        (
            HAS_REMINDERS,
            exists().where(
                REM.contact_id == C.id,
                or_(
                    REM.recurrence.is_(None),
                    ~REM.recurrence.startswith(f"{Recurrence.BIRTHDAY.value}:"),
                ),
            ),
        ),
        # An imported contact found on the do-not-call register arrives flagged: not work.
        (STAGE_MOVED, C.stage.not_in(("suspect", "do_not_call"))),
        (EDITED, C.updated_at > bindparam("finished", finished, type_=C.updated_at.type)),
    ]


def _any(reasons: list[tuple[str, ColumnElement[bool]]]) -> ColumnElement[bool]:
    return or_(*(condition for _code, condition in reasons))


def _count(session: Session, *where: ColumnElement[bool], table: Any = None) -> int:
    stmt = (
        select(func.count())
        .select_from(table if table is not None else t.Contact.__table__)
        .where(*where)
    )
    return int(session.execute(stmt).scalar_one())


def _values_to_put_back(changes: dict[str, list[Any]], row: Any) -> dict[str, Any]:
    """The recorded values before the import, for columns still holding what it set."""
    changes = {n: v for n, v in changes.items() if n in row}  # columns we know of
    grouped = {name for group in _GROUPS for name in group}
    units = [g for g in _GROUPS if any(n in changes for n in g)]
    units += [(n,) for n in changes if n not in grouped and n not in _DERIVED]
    values: dict[str, Any] = {}
    for unit in units:
        recorded = [n for n in unit if n in changes]
        if all(_jsonable(row[n]) == changes[n][1] for n in recorded):
            values.update({n: _stored(n, changes[n][0]) for n in recorded})
    if not values:
        return values
    merged = {**dict(row), **values}
    if any(n in values for n in _PHONE_COLUMNS):
        values["phone_digits"] = phone_digits(*(merged[n] for n in _PHONE_COLUMNS))
    if any(n in values for n in _NAME_COLUMNS):
        values["name_key"] = name_key(*(merged[n] for n in _NAME_COLUMNS))
    return values


def _jsonable(value: Any) -> Any:
    """The form the import recorded a value in (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _stored(column: str, value: Any) -> Any:
    if value is not None and isinstance(C[column].type, Date) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _display_name(row: Any) -> str:
    name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    return name or row["full_name"] or row["company"] or row["email"] or row["phone"] or ""
