"""The counts behind the reports, as SQL aggregates: no row of a contact or a call reaches Python.

Everything returned is a handful of grouped counts; the domain (prospector.domain.reports) turns
them into rates, costs and grades. Query plans, at 1,000,000 contacts and 3,000,000 calls
(``benchmarks/bench_reports.py``):

- Contacts are counted per (stage, last outcome, list), a few hundred groups. No index of the
  schema covers those columns: SQLite reads the table once and sorts it (kept off the stage
  index, whose random row read per contact is three times slower). A covering index named
  ``ix_contacts_report`` (stage, last_outcome, source_id, temperature, score, created_at), when
  the schema has one, is read instead, about 15 times faster; the pipeline reads it too.
- GROUP BY sorts run with temp_store FILE: twice as fast as the engine's MEMORY at a million.
- Calls are counted per bar of the chart (local day or week) and outcome. Without an index on
  the outcome, one query per bar reads that bar's calls through the ``started_at`` index and
  groups its few thousand rows; with ``ix_call_logs_report`` (outcome, started_at, duration_s),
  one index range per outcome and bar is read without touching the table or sorting anything.
- For one list, its calls are found through its contacts' ids and grouped per UTC hour, which
  the domain folds into the rep's local days.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    inspect,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from prospector.domain.reports import PIPELINE_STAGES, Buckets, FollowUpTally
from prospector.storage import tables as t
from prospector.storage.types import UTCDateTime

C = t.Contact.__table__.c
CL = t.CallLog.__table__.c
R = t.Reminder.__table__.c
S = t.Source.__table__.c
CONTACTS = t.Contact.__table__
CALLS = t.CallLog.__table__

CONTACTS_REPORT_INDEX = "ix_contacts_report"
CALLS_REPORT_INDEX = "ix_call_logs_report"


@dataclass(frozen=True)
class SourceRow:
    """A list as the reports name and cost it."""

    id: int
    name: str
    cost_cents: int | None
    currency: str | None
    contacts: int  # all its contacts, whatever the period


@dataclass(frozen=True)
class ReportIndexes:
    """Which of the reports' covering indexes the open database has."""

    contacts: bool = False
    calls: bool = False


def report_indexes(session: Session) -> ReportIndexes:
    """Look the covering indexes up once (a service keeps the answer)."""
    inspector = inspect(session.connection())
    contacts = {i["name"] for i in inspector.get_indexes(CONTACTS.name)}
    calls = {i["name"] for i in inspector.get_indexes(CALLS.name)}
    return ReportIndexes(CONTACTS_REPORT_INDEX in contacts, CALLS_REPORT_INDEX in calls)


def _contact_scope(
    start: datetime | None, end: datetime | None, source_id: int | None, *, list_column: Any
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if start is not None:
        where.append(C.created_at >= start)
    if end is not None:
        where.append(C.created_at < end)
    if source_id is not None:
        where.append(list_column == source_id)
    return where


# -- per-bar call counts, built once: building a statement costs more than a bar's query -----------


@cache
def _bar_by_outcome() -> Select[Any]:
    """One bar's calls per outcome, through the started_at index."""
    return (
        select(CL.outcome, func.count(), func.coalesce(func.sum(CL.duration_s), 0))
        .where(CL.started_at >= bindparam("start"), CL.started_at < bindparam("end"))
        .group_by(CL.outcome)
    )


@cache
def _bar_of_outcome() -> Select[Any]:
    """One bar's calls of one outcome: an index range of ix_call_logs_report, no table read."""
    return select(func.count(), func.coalesce(func.sum(CL.duration_s), 0)).where(
        CL.outcome == bindparam("outcome"),
        CL.started_at >= bindparam("start"),
        CL.started_at < bindparam("end"),
    )


@cache
def _next_outcome() -> Select[Any]:
    return select(func.min(CL.outcome)).where(CL.outcome > bindparam("after"))


def _utc_hour(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC)


class ReportRepository:
    def __init__(self, session: Session, indexes: ReportIndexes | None = None) -> None:
        self._s = session
        self._indexes = indexes or ReportIndexes()

    @contextmanager
    def _sorting_in_files(self) -> Iterator[None]:
        """SQLite's GROUP BY sorts run about twice as fast with temp_store FILE (the engine's
        MEMORY is for the window's small sorts); the connection gets its setting back after.
        Temporary files are its own: no temporary table of ours is lost by the change."""
        connection = self._s.connection()
        before = connection.exec_driver_sql("PRAGMA temp_store").scalar()
        connection.exec_driver_sql("PRAGMA temp_store = FILE")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA temp_store = {int(before or 0)}")

    # -- lists -------------------------------------------------------------------------------------

    def sources(self, *, count: bool = True) -> list[SourceRow]:
        """Every list, with all its contacts counted (a covering index: no table read); without
        ``count`` the counts are 0 (the caller has them already)."""
        counts: dict[int, int] = {}
        if count:
            counts = dict(
                self._s.execute(
                    select(C.source_id, func.count())
                    .where(C.source_id.is_not(None))
                    .group_by(C.source_id)
                ).all()
            )
        rows = self._s.execute(
            select(S.id, S.name, S.cost_cents, S.currency).order_by(func.lower(S.name))
        )
        return [
            SourceRow(r.id, r.name, r.cost_cents, r.currency, int(counts.get(r.id, 0)))
            for r in rows
        ]

    def contact_groups(
        self, start: datetime | None, end: datetime | None, source_id: int | None
    ) -> list[tuple[str, str | None, int | None, int]]:
        """(stage, last outcome, list, contacts) for contacts added in [start, end)."""
        stage: ColumnElement[str] = C.stage
        if source_id is None and not self._indexes.contacts:
            # "|| ''" keeps SQLite off the stage index, whose random row reads cost three times
            # one pass over the table (see above).
            stage = C.stage.op("||")(literal_column("''"))
        stmt = (
            select(stage, C.last_outcome, C.source_id, func.count())
            .where(*_contact_scope(start, end, source_id, list_column=C.source_id))
            .group_by(stage, C.last_outcome, C.source_id)
        )
        with self._sorting_in_files():
            return [(r[0], r[1], r[2], int(r[3])) for r in self._s.execute(stmt)]

    # -- the pipeline ------------------------------------------------------------------------------

    def pipeline_groups(
        self, start: datetime | None, end: datetime | None, source_id: int | None
    ) -> list[tuple[str, str, int, int]]:
        """(stage, temperature, score, contacts) of leads and prospects added in [start, end)."""
        stmt = (
            select(C.stage, C.temperature, C.score, func.count())
            .where(
                C.stage.in_([s.value for s in PIPELINE_STAGES]),
                *_contact_scope(start, end, source_id, list_column=C.source_id),
            )
            .group_by(C.stage, C.temperature, C.score)
        )
        with self._sorting_in_files():
            return [(r[0], r[1], int(r[2] or 0), int(r[3])) for r in self._s.execute(stmt)]

    # -- calls -------------------------------------------------------------------------------------

    def call_span(self) -> tuple[datetime, datetime] | None:
        """The first and last call's start, or None before any call (two index seeks)."""
        first, last = (
            self._s.execute(select(type_coerce(edge(CL.started_at), UTCDateTime()))).scalar()
            # Two queries: SQLite reads min() or max() off the index only when it is alone.
            for edge in (func.min, func.max)
        )
        return (first, last) if first is not None and last is not None else None

    def calls_per_bar(self, bars: Buckets) -> list[tuple[int, str, int, int]]:
        """(bar index, outcome, calls, talk seconds) for the calls started within the bars."""
        if not bars.days:
            return []
        rows: list[tuple[int, str, int, int]] = []
        spans = list(zip(bars.bounds, bars.bounds[1:], strict=False))
        if self._indexes.calls:
            for outcome in self._outcomes():
                for index, (start, end) in enumerate(spans):
                    calls, talk = self._s.execute(
                        _bar_of_outcome(), {"outcome": outcome, "start": start, "end": end}
                    ).one()
                    if calls:
                        rows.append((index, outcome, int(calls), int(talk)))
            return rows
        with self._sorting_in_files():
            for index, (start, end) in enumerate(spans):
                for outcome, calls, talk in self._s.execute(
                    _bar_by_outcome(), {"start": start, "end": end}
                ):
                    rows.append((index, outcome, int(calls), int(talk)))
        return rows

    def _outcomes(self) -> list[str]:
        """The outcomes present, one index seek each (a newer Prospector may store others)."""
        found: list[str] = []
        after = ""
        while (outcome := self._s.execute(_next_outcome(), {"after": after}).scalar()) is not None:
            found.append(outcome)
            after = outcome
        return found

    def _list_contact_ids(self, source_id: int) -> Select[Any]:
        return select(C.id).where(C.source_id == source_id)

    def list_calls_per_hour(
        self, start: datetime | None, end: datetime | None, source_id: int
    ) -> list[tuple[datetime, str, int, int]]:
        """(UTC hour, outcome, calls, talk seconds) of one list's calls started in [start, end),
        found through its contacts; the domain folds the hours into the rep's days."""
        hour = func.substr(CL.started_at, 1, 13)  # "YYYY-MM-DD HH" of the stored UTC time
        where = [CL.contact_id.in_(select(C.id).where(C.source_id == source_id))]
        if start is not None:
            where.append(CL.started_at >= start)
        if end is not None:
            where.append(CL.started_at < end)
        stmt = (
            select(hour, CL.outcome, func.count(), func.coalesce(func.sum(CL.duration_s), 0))
            .where(*where)
            .group_by(hour, CL.outcome)
        )
        with self._sorting_in_files():
            found = self._s.execute(stmt).all()
        return [
            (_utc_hour(text), outcome, int(calls), int(talk))
            for text, outcome, calls, talk in found
        ]

    # -- follow-ups --------------------------------------------------------------------------------

    def follow_ups(
        self,
        start: datetime | None,
        end: datetime | None,
        source_id: int | None,
        now: datetime,
    ) -> FollowUpTally:
        """Follow-ups due in [start, end): done, missed (due before now, not done), to come."""
        open_ = R.done_at.is_(None)
        where: list[ColumnElement[bool]] = []
        if start is not None:
            where.append(R.due_at >= start)
        if end is not None:
            where.append(R.due_at < end)
        if source_id is not None:
            where.append(R.contact_id.in_(select(C.id).where(C.source_id == source_id)))

        def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(condition.cast(Integer)), 0)

        row = self._s.execute(
            select(
                count(R.done_at.is_not(None)),
                count(and_(open_, R.due_at < now)),
                count(and_(open_, R.due_at >= now)),
            ).where(*where)
        ).one()
        return FollowUpTally(done=int(row[0]), missed=int(row[1]), coming=int(row[2]))
