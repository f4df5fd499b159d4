"""Storage of follow-ups (the ``reminders`` table), always inside a session the service opened.

Open reminders are read by time window (``due_at``), bounded by a LIMIT, so the Today view
costs the same with ten years of done reminders behind it. A recurring reminder is ONE row:
completing it moves ``due_at`` to the next occurrence and keeps its ``uuid`` (the calendar
export's UID), so a calendar updates the event instead of collecting copies.

Every change keeps ``contacts.next_follow_up`` equal to the contact's earliest open reminder,
with the query the call queue uses (``CallRepository.next_open_reminder``). It does not touch
``contacts.updated_at``: a follow-up is not an edit of the contact (and the automatic birthday
reminders must not make every imported contact look edited to undo-import).
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from prospector.domain.reminders import Recurrence, ReminderKind
from prospector.errors import NotFound
from prospector.storage import tables as t
from prospector.storage.call_repository import CallRepository

R = t.Reminder.__table__.c
C = t.Contact.__table__.c
BIRTHDAY_PREFIX = f"{Recurrence.BIRTHDAY.value}:"
_CHUNK = 500  # ids per IN (...): well under SQLite's variable limit


@dataclass(frozen=True)
class ReminderRecord:
    """One stored reminder, as the rules need it."""

    id: int
    uuid: str
    contact_id: int
    due_at: datetime
    kind: str
    text: str | None
    done_at: datetime | None
    recurrence: str | None
    created_at: datetime


@dataclass(frozen=True)
class FollowUpRow:
    """An open reminder with what a rep needs to act on it: who, which company, which phone."""

    id: int
    uuid: str
    contact_id: int
    due_at: datetime
    kind: str
    text: str | None
    recurrence: str | None
    contact_name: str
    company: str
    phone: str
    email: str


_RECORD_COLUMNS = (
    R.id,
    R.uuid,
    R.contact_id,
    R.due_at,
    R.kind,
    R.text,
    R.done_at,
    R.recurrence,
    R.created_at,
)
_ROW_COLUMNS = (
    R.id,
    R.uuid,
    R.contact_id,
    R.due_at,
    R.kind,
    R.text,
    R.recurrence,
    C.first_name,
    C.last_name,
    C.full_name,
    C.company,
    C.phone,
    C.mobile,
    C.email,
)
_OPEN = R.done_at.is_(None)
_IS_BIRTHDAY = and_(
    R.kind == ReminderKind.SEND_CARD.value,  # lets SQLite seek the open reminders' index
    R.recurrence.startswith(BIRTHDAY_PREFIX, autoescape=True),
)
# Past-bounded reads (overdue, the badge) must go through the partial index of OPEN reminders:
# the plain due_at index would also walk every reminder ever done, since those all lie in the
# past (0.3 s behind 300,000 done ones, against 6 ms). SQLite's documented way to keep it off
# an index is a unary "+" on the column (a no-op on the value); other databases get the column.
_DUE_NOT_INDEXED = UnaryExpression(R.due_at, operator=custom_op("+"), type_=R.due_at.type)


def _row(r: Any) -> FollowUpRow:
    name = " ".join(p for p in (r.first_name, r.last_name) if p) or r.full_name or r.company
    return FollowUpRow(
        id=r.id,
        uuid=r.uuid,
        contact_id=r.contact_id,
        due_at=r.due_at,
        kind=r.kind,
        text=r.text,
        recurrence=r.recurrence,
        contact_name=name or "",
        company=r.company or "",
        phone=r.phone or r.mobile or "",
        email=r.email or "",
    )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _due(self, *, past_only: bool) -> Any:
        """``due_at`` as a WHERE should read it: off the plain index when the range reaches into
        the past, where the done reminders are."""
        if past_only and self._s.get_bind().dialect.name == "sqlite":
            return _DUE_NOT_INDEXED
        return R.due_at

    # -- one reminder ----------------------------------------------------------------------------

    def add(
        self,
        contact_id: int,
        due_at: datetime,
        kind: ReminderKind | str,
        text: str | None,
        now: datetime,
        recurrence: str | None = None,
    ) -> int:
        """Insert a reminder and bring the contact's next follow-up in step.

        Raises:
            NotFound: the contact was deleted meanwhile.
        """
        if self._s.get(t.Contact, contact_id) is None:
            raise NotFound(f"contact {contact_id}")
        reminder = t.Reminder(
            uuid=str(uuid_module.uuid4()),
            contact_id=contact_id,
            due_at=due_at,
            kind=str(kind),
            text=text,
            recurrence=recurrence,
            created_at=now,
        )
        self._s.add(reminder)
        self._s.flush()
        self.sync_next_follow_up([contact_id])
        return reminder.id

    def get(self, reminder_id: int) -> ReminderRecord:
        """Raises: NotFound when it was deleted meanwhile."""
        row = self._s.execute(select(*_RECORD_COLUMNS).where(R.id == reminder_id)).one_or_none()
        if row is None:
            raise NotFound(f"reminder {reminder_id}")
        return ReminderRecord(*row)

    def set_due(self, reminder_id: int, due_at: datetime, *, reopen: bool = False) -> None:
        """Move a reminder (snooze, reschedule, a recurring one rolled on)."""
        record = self.get(reminder_id)
        values: dict[str, Any] = {"due_at": due_at}
        if reopen:
            values["done_at"] = None
        self._s.execute(update(t.Reminder).where(R.id == reminder_id).values(**values))
        self.sync_next_follow_up([record.contact_id])

    def mark_done(self, reminder_id: int, now: datetime) -> None:
        record = self.get(reminder_id)
        self._s.execute(update(t.Reminder).where(R.id == reminder_id).values(done_at=now))
        self.sync_next_follow_up([record.contact_id])

    def delete(self, reminder_id: int) -> None:
        record = self.get(reminder_id)
        self._s.execute(delete(t.Reminder).where(R.id == reminder_id))
        self.sync_next_follow_up([record.contact_id])

    # -- the Today view --------------------------------------------------------------------------

    def row(self, reminder_id: int) -> FollowUpRow:
        """One reminder with its contact, open or done.

        Raises:
            NotFound: it was deleted meanwhile.
        """
        stmt = (
            select(*_ROW_COLUMNS)
            .join(t.Contact.__table__, C.id == R.contact_id)
            .where(R.id == reminder_id)
        )
        found = self._s.execute(stmt).one_or_none()
        if found is None:
            raise NotFound(f"reminder {reminder_id}")
        return _row(found)

    def open_rows_between(
        self,
        lower: datetime | None,
        upper: datetime | None,
        *,
        limit: int,
        lower_inclusive: bool = True,
        upper_inclusive: bool = False,
    ) -> list[FollowUpRow]:
        """Open reminders due between ``lower`` and ``upper`` (``None``: no bound), soonest
        first, at most ``limit``: one range over ``due_at``."""
        due = self._due(past_only=lower is None)
        stmt = select(*_ROW_COLUMNS).join(t.Contact.__table__, C.id == R.contact_id).where(_OPEN)
        if lower is not None:
            stmt = stmt.where(due >= lower if lower_inclusive else due > lower)
        if upper is not None:
            stmt = stmt.where(due <= upper if upper_inclusive else due < upper)
        stmt = stmt.order_by(due, R.id).limit(limit)
        return [_row(r) for r in self._s.execute(stmt)]

    def count_due(self, now: datetime, tomorrow_start: datetime) -> tuple[int, int]:
        """(overdue, due later today) in one COUNT over the open reminders' partial index."""
        due = self._due(past_only=True)
        overdue = func.coalesce(func.sum(case((due <= now, 1), else_=0)), 0)
        stmt = select(overdue, func.count()).where(_OPEN, due < tomorrow_start)
        late, total = self._s.execute(stmt).one()
        return int(late), int(total) - int(late)

    def open_rows(self, limit: int | None = None) -> list[FollowUpRow]:
        """Every open reminder, soonest first (the calendar export)."""
        stmt = (
            select(*_ROW_COLUMNS)
            .join(t.Contact.__table__, C.id == R.contact_id)
            .where(_OPEN)
            .order_by(R.due_at, R.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_row(r) for r in self._s.execute(stmt)]

    # -- birthdays -------------------------------------------------------------------------------

    def birthday_signature(self) -> list[Any]:
        """A few cheap aggregates that change whenever a birthday reminder may need work: a
        contact added, deleted or edited (birthday included), a birthday reminder added or
        stopped. ``sync_birthdays`` is skipped while it stays the same."""
        contacts = self._s.execute(
            select(func.count(), func.max(C.id), func.max(C.updated_at))
        ).one()
        cards = self._s.execute(
            select(func.count(), func.max(R.id)).where(_OPEN, R.kind == ReminderKind.SEND_CARD)
        ).one()
        last_id = self._s.execute(select(func.max(R.id))).scalar()
        stamp = contacts[2].isoformat() if contacts[2] is not None else None
        return [contacts[0], contacts[1], stamp, cards[0], cards[1], last_id]

    def sync_birthdays(
        self, now: datetime, first_due: Callable[[date], tuple[datetime, str]]
    ) -> tuple[int, int, int]:
        """Give each contact with a birthday one open birthday reminder; (added, moved, removed).

        ``first_due(birthday)`` gives the first due time and the stored rule. A contact whose
        rep stopped its birthday reminder (done, kept as a marker) gets no new one; open ones
        of contacts whose birthday was removed go, and those whose birthday changed move.
        Set-based: a handful of statements whatever the number of contacts.
        """
        open_ones = self._s.execute(
            select(R.id, R.contact_id, R.recurrence, C.birthday)
            .join(t.Contact.__table__, C.id == R.contact_id)
            .where(_OPEN, _IS_BIRTHDAY)
            .order_by(R.id)
        ).all()
        seen: set[int] = set()
        gone: list[Any] = []
        stale: list[Any] = []
        for r in open_ones:
            if r.contact_id in seen or r.birthday is None:
                gone.append(r)  # a second one (two windows at once), or no birthday any more
            elif r.recurrence != f"{BIRTHDAY_PREFIX}{r.birthday:%m-%d}":
                stale.append(r)  # the birthday was changed
            seen.add(r.contact_id)
        for ids in _chunks([r.id for r in gone]):
            self._s.execute(delete(t.Reminder).where(R.id.in_(ids)))
        if stale:
            moves = []
            for r in stale:
                due_at, rule = first_due(r.birthday)
                moves.append({"b_id": r.id, "b_due_at": due_at, "b_recurrence": rule})
            self._s.execute(
                update(t.Reminder.__table__)  # Core: one executemany, not the ORM's per-row path
                .where(R.id == bindparam("b_id", type_=Integer))
                .values(
                    due_at=bindparam("b_due_at", type_=R.due_at.type),
                    recurrence=bindparam("b_recurrence", type_=R.recurrence.type),
                ),
                moves,
            )

        # No birthday reminder at all (open, or stopped by the rep).
        has_one = exists().where(R.contact_id == C.id, _IS_BIRTHDAY)
        missing = self._s.execute(
            select(C.id, C.birthday).where(C.birthday.is_not(None), ~has_one)
        ).all()
        if missing:
            by_day: dict[tuple[int, int], tuple[datetime, str]] = {}
            rows = []
            for contact_id, birthday in missing:
                key = (birthday.month, birthday.day)
                if key not in by_day:  # 366 days at most: the zone rules run once per day
                    by_day[key] = first_due(birthday)
                due_at, rule = by_day[key]
                rows.append(
                    {
                        "uuid": str(uuid_module.uuid4()),
                        "contact_id": contact_id,
                        "due_at": due_at,
                        "kind": ReminderKind.SEND_CARD.value,
                        "text": "Birthday",
                        "recurrence": rule,
                        "created_at": now,
                    }
                )
            self._s.execute(insert(t.Reminder), rows)
        touched = {r.contact_id for r in (*gone, *stale)} | {c for c, _ in missing}
        self.sync_next_follow_up(sorted(touched))
        return len(missing), len(stale), len(gone)

    # -- the contact's next follow-up --------------------------------------------------------------

    def sync_next_follow_up(self, contact_ids: Sequence[int]) -> None:
        """Set each contact's ``next_follow_up`` to its earliest open reminder."""
        if len(contact_ids) == 1:
            calls = CallRepository(self._s)  # the queue's own query for one contact
            self._s.execute(
                update(t.Contact)
                .where(C.id == contact_ids[0])
                .values(next_follow_up=calls.next_open_reminder(contact_ids[0]))
            )
            return
        earliest = select(func.min(R.due_at)).where(R.contact_id == C.id, _OPEN).scalar_subquery()
        for ids in _chunks(list(contact_ids)):
            self._s.execute(
                update(t.Contact)
                .where(C.id.in_(ids))
                .values(next_follow_up=earliest)
                .execution_options(synchronize_session=False)
            )


__all__ = ["BIRTHDAY_PREFIX", "FollowUpRow", "ReminderRecord", "ReminderRepository"]
