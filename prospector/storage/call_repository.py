"""Storage of the call queue: the next contact in SQL, call logs, reminders, qualifications.

The queue's order is the domain's (prospector.domain.queue): due call-backs, then never-tried
contacts in list order, then retries by attempts and age. Here each band is one indexed query
with LIMIT 1, so the next contact of a million-contact list costs about a millisecond; a test
checks the SQL and the domain order agree on generated lists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from prospector.domain.outcomes import RETRY_OUTCOMES, CallOutcome
from prospector.domain.queue import QueueBand, QueuePolicy, Waiting
from prospector.domain.stages import Stage
from prospector.storage import tables as t
from prospector.storage.types import UTCDateTime

C = t.Contact.__table__.c
R = t.Reminder.__table__.c
CL = t.CallLog.__table__.c
N = t.Note.__table__.c
_CALLABLE_STAGES = (Stage.SUSPECT.value, Stage.LEAD.value)
_NEVER_OFFERED = (Stage.DO_NOT_CALL.value, Stage.DISQUALIFIED.value)
CALL_BACK = "call_back"


@dataclass(frozen=True)
class QueueState:
    """A contact's queue fields, to put back when an outcome is undone."""

    stage: str
    temperature: str
    last_called_at: datetime | None
    last_outcome: str | None
    call_attempts: int
    skipped_until: datetime | None
    do_not_call: bool
    next_follow_up: datetime | None
    fit_grade: str | None
    score: int


@dataclass(frozen=True)
class CallEntry:
    started_at: datetime
    duration_s: int
    outcome: str
    note: str | None


@dataclass(frozen=True)
class NoteEntry:
    created_at: datetime
    text: str


def _in_scope(source_id: int | None) -> ColumnElement[bool]:
    return C.source_id == source_id if source_id is not None else C.id.is_not(None)


def _not_skipped() -> ColumnElement[bool]:
    return or_(C.skipped_until.is_(None), C.skipped_until <= bindparam("now"))


@cache
def _queue_statements(scoped: bool) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The three bands' queries, built once: building a statement costs more than running it.

    Parameters: ``now``, ``retry_before``, ``max_attempts`` and, when ``scoped``, ``source_id``.
    """
    open_call_back = (
        select(R.id).where(R.contact_id == C.id, R.kind == CALL_BACK, R.done_at.is_(None)).exists()
    )
    # Driven from the few open reminders (due_at index), never from the list's contacts:
    # "+ 0" keeps SQLite from starting at the contacts' source index instead.
    in_list = (C.source_id + 0) == bindparam("source_id") if scoped else C.id.is_not(None)
    due = (
        select(R.contact_id)
        .join(t.Contact.__table__, C.id == R.contact_id)
        .where(
            R.kind == CALL_BACK,
            R.done_at.is_(None),
            R.due_at <= bindparam("now"),
            in_list,
            C.do_not_call.is_(False),
            C.stage.not_in(_NEVER_OFFERED),
            _not_skipped(),
        )
        .order_by(R.due_at, R.contact_id)
        .limit(1)
    )
    # "|| ''" keeps the planner off the stage index, which would sort a whole stage.
    common = (
        C.source_id == bindparam("source_id") if scoped else C.id.is_not(None),
        (C.stage + "").in_(_CALLABLE_STAGES),
        C.do_not_call.is_(False),
        _not_skipped(),
        ~open_call_back,
    )
    in_list_order = (C.source_id, C.last_called_at, C.id) if scoped else (C.id,)
    untried = (
        select(C.id).where(C.last_called_at.is_(None), *common).order_by(*in_list_order).limit(1)
    )
    retry_order = (C.call_attempts, C.last_called_at, C.id)
    retry = (
        select(C.id)
        .where(
            C.last_called_at.is_not(None),
            C.last_called_at <= bindparam("retry_before"),
            C.last_outcome.in_([o.value for o in RETRY_OUTCOMES]),
            C.call_attempts < bindparam("max_attempts"),
            *common,
        )
        .order_by(*((C.source_id, *retry_order) if scoped else retry_order))
        .limit(1)
    )
    return due, untried, retry


_STATE = select(
    C.stage,
    C.temperature,
    C.last_called_at,
    C.last_outcome,
    C.call_attempts,
    C.skipped_until,
    C.do_not_call,
    C.next_follow_up,
    C.fit_grade,
    C.score,
).where(C.id == bindparam("contact_id"))
_RECENT_CALLS = (
    select(CL.started_at, CL.duration_s, CL.outcome, CL.note)
    .where(CL.contact_id == bindparam("contact_id"))
    .order_by(CL.started_at.desc(), CL.id.desc())
    .limit(bindparam("limit"))
)
_LAST_STAGE_CHANGE = select(func.max(t.StageChange.id)).where(
    t.StageChange.contact_id == bindparam("contact_id")
)
_RECENT_NOTES = (
    select(N.created_at, N.text)
    .where(N.contact_id == bindparam("contact_id"))
    .order_by(N.created_at.desc(), N.id.desc())
    .limit(bindparam("limit"))
)
_DUE_CALL_BACKS = select(R.id).where(
    R.contact_id == bindparam("contact_id"),
    R.kind == CALL_BACK,
    R.done_at.is_(None),
    R.due_at <= bindparam("now"),
)
_NEXT_OPEN_REMINDER = select(func.min(R.due_at)).where(
    R.contact_id == bindparam("contact_id"), R.done_at.is_(None)
)
_SOURCE_NAME = select(t.Source.__table__.c.name).where(
    t.Source.__table__.c.id == bindparam("source_id")
)


class CallRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- the queue ---------------------------------------------------------------------------

    def next_in_queue(
        self, source_id: int | None, now: datetime, policy: QueuePolicy
    ) -> tuple[int, QueueBand] | None:
        """(contact id, band) of the contact the queue offers now, or None when done."""
        due, untried, retry = _queue_statements(source_id is not None)
        params: dict[str, Any] = {"now": now}
        if source_id is not None:
            params["source_id"] = source_id
        found = self._s.execute(due, params).scalar()
        if found is not None:
            return found, QueueBand.CALL_BACK_DUE
        found = self._s.execute(untried, params).scalar()
        if found is not None:
            return found, QueueBand.NEVER_TRIED
        params["retry_before"] = now - policy.retry_wait
        params["max_attempts"] = policy.max_attempts
        found = self._s.execute(retry, params).scalar()
        return (found, QueueBand.RETRY) if found is not None else None

    def progress(
        self, source_id: int | None, now: datetime, policy: QueuePolicy
    ) -> tuple[int, int, int, Waiting]:
        """(reached, total, never tried, what comes back later) for a list: one pass over it."""
        reached_stages = (
            Stage.LEAD.value,
            Stage.PROSPECT.value,
            Stage.CUSTOMER.value,
            Stage.REPEAT_CUSTOMER.value,
            Stage.NOT_INTERESTED.value,
        )
        callable_ = and_(C.do_not_call.is_(False), C.stage.in_(_CALLABLE_STAGES))
        retry_waits = and_(
            callable_,
            C.last_outcome.in_([o.value for o in RETRY_OUTCOMES]),
            C.call_attempts < policy.max_attempts,
            C.last_called_at > now - policy.retry_wait,
        )
        skipped = and_(callable_, C.skipped_until > now)

        def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(condition.cast(Integer)), 0)

        def first(condition: ColumnElement[bool], column: Any) -> ColumnElement[datetime]:
            return type_coerce(func.min(case((condition, column))), UTCDateTime())

        row = self._s.execute(
            select(
                count(
                    or_(
                        C.stage.in_(reached_stages),
                        and_(C.stage.in_(_NEVER_OFFERED), C.last_called_at.is_not(None)),
                    )
                ),
                func.count(),
                count(and_(C.last_called_at.is_(None), C.stage.in_(_CALLABLE_STAGES))),
                count(retry_waits),
                first(retry_waits, C.last_called_at),
                count(skipped),
                first(skipped, C.skipped_until),
            ).where(_in_scope(source_id))
        ).one()
        in_list = (C.source_id + 0) == source_id if source_id is not None else C.id.is_not(None)
        call_backs = self._s.execute(
            select(func.count(), type_coerce(func.min(R.due_at), UTCDateTime()))
            .select_from(t.Reminder.__table__)
            .join(t.Contact.__table__, C.id == R.contact_id)
            .where(
                R.kind == CALL_BACK,
                R.done_at.is_(None),
                R.due_at > now,
                in_list,
                C.do_not_call.is_(False),
                C.stage.not_in(_NEVER_OFFERED),  # as the due band: a nurtured contact comes back
            )
        ).one()
        waiting = Waiting(
            call_backs=int(call_backs[0]),
            next_call_back=call_backs[1],
            retries=int(row[3]),
            next_retry=row[4] + policy.retry_wait if row[4] is not None else None,
            skipped=int(row[5]),
            next_back_from_skip=row[6],
        )
        return int(row[0]), int(row[1]), int(row[2]), waiting

    # -- one contact's queue state -------------------------------------------------------------

    def state(self, contact_id: int) -> QueueState:
        row = self._s.execute(_STATE, {"contact_id": contact_id}).one()
        return QueueState(
            stage=row.stage,
            temperature=row.temperature,
            last_called_at=row.last_called_at,
            last_outcome=row.last_outcome,
            call_attempts=row.call_attempts,
            skipped_until=row.skipped_until,
            do_not_call=bool(row.do_not_call),
            next_follow_up=row.next_follow_up,
            fit_grade=row.fit_grade,
            score=row.score,
        )

    def attempts(self, contact_id: int) -> int:
        """Unanswered calls in a row; free when the contact was just loaded in this session."""
        contact = self._s.get(t.Contact, contact_id)
        return contact.call_attempts if contact is not None else 0

    def set_state(self, contact_id: int, now: datetime, **values: Any) -> None:
        self._s.execute(
            update(t.Contact).where(t.Contact.id == contact_id).values(**values, updated_at=now)
        )

    def restore_state(self, contact_id: int, state: QueueState, now: datetime) -> None:
        self.set_state(
            contact_id,
            now,
            stage=state.stage,
            temperature=state.temperature,
            last_called_at=state.last_called_at,
            last_outcome=state.last_outcome,
            call_attempts=state.call_attempts,
            skipped_until=state.skipped_until,
            do_not_call=state.do_not_call,
            next_follow_up=state.next_follow_up,
            fit_grade=state.fit_grade,
            score=state.score,
        )

    def last_stage_change(self, contact_id: int) -> int:
        """The id of the contact's latest stage change (0: none yet)."""
        return int(self._s.execute(_LAST_STAGE_CHANGE, {"contact_id": contact_id}).scalar() or 0)

    def forget_stage_changes(self, contact_id: int, *, after: int) -> None:
        self._s.execute(
            delete(t.StageChange).where(
                t.StageChange.contact_id == contact_id, t.StageChange.id > after
            )
        )

    # -- calls, notes, reminders ------------------------------------------------------------------

    def add_call(
        self,
        contact_id: int,
        started_at: datetime,
        duration_s: int,
        outcome: CallOutcome,
        note: str | None,
    ) -> int:
        call = t.CallLog(
            uuid=str(uuid.uuid4()),
            contact_id=contact_id,
            started_at=started_at,
            duration_s=duration_s,
            outcome=outcome.value,
            note=note,
        )
        self._s.add(call)
        self._s.flush()
        return call.id

    def delete_qualification(self, qualification_id: int) -> None:
        self._s.execute(delete(t.Qualification).where(t.Qualification.id == qualification_id))

    def delete_call(self, call_id: int) -> None:
        self._s.execute(delete(t.CallLog).where(t.CallLog.id == call_id))

    def recent_calls(self, contact_id: int, limit: int = 5) -> list[CallEntry]:
        rows = self._s.execute(_RECENT_CALLS, {"contact_id": contact_id, "limit": limit})
        return [CallEntry(*row) for row in rows]

    def add_note(self, contact_id: int, text: str, now: datetime) -> int:
        note = t.Note(uuid=str(uuid.uuid4()), contact_id=contact_id, text=text, created_at=now)
        self._s.add(note)
        self._s.flush()
        return note.id

    def delete_note(self, note_id: int) -> None:
        self._s.execute(delete(t.Note).where(t.Note.id == note_id))

    def recent_notes(self, contact_id: int, limit: int = 5) -> list[NoteEntry]:
        rows = self._s.execute(_RECENT_NOTES, {"contact_id": contact_id, "limit": limit})
        return [NoteEntry(*row) for row in rows]

    def add_reminder(
        self, contact_id: int, due_at: datetime, kind: str, text: str | None, now: datetime
    ) -> int:
        reminder = t.Reminder(
            uuid=str(uuid.uuid4()),
            contact_id=contact_id,
            due_at=due_at,
            kind=kind,
            text=text,
            created_at=now,
        )
        self._s.add(reminder)
        self._s.flush()
        return reminder.id

    def delete_reminders(self, ids: list[int]) -> None:
        if ids:
            self._s.execute(delete(t.Reminder).where(t.Reminder.id.in_(ids)))

    def complete_due_call_backs(self, contact_id: int, now: datetime) -> list[int]:
        """Mark the contact's due call-backs done (the call was made); returns their ids."""
        params = {"contact_id": contact_id, "now": now}
        ids = list(self._s.execute(_DUE_CALL_BACKS, params).scalars())
        if ids:
            self._s.execute(update(t.Reminder).where(t.Reminder.id.in_(ids)).values(done_at=now))
        return ids

    def reopen_reminders(self, ids: list[int]) -> None:
        if ids:
            self._s.execute(update(t.Reminder).where(t.Reminder.id.in_(ids)).values(done_at=None))

    def next_open_reminder(self, contact_id: int) -> datetime | None:
        return self._s.execute(_NEXT_OPEN_REMINDER, {"contact_id": contact_id}).scalar()

    def source_name(self, source_id: int | None) -> str | None:
        if source_id is None:
            return None
        return self._s.execute(_SOURCE_NAME, {"source_id": source_id}).scalar()
