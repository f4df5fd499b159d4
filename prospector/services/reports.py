"""Reports: the funnel, the lists' quality and cost, the calling activity and the pipeline.

Storage counts in SQL (``storage/report_repository.py``), the domain turns counts into figures
(``domain/reports.py``, where the definitions are); this service picks the period's bounds in
the rep's time zone and hands back plain dataclasses. The window computes a report on a worker
(``compute()`` yields each part as it is ready) and the command line prints the same figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.reminders import system_zone
from prospector.domain.reports import (
    SCORE_BUCKET,
    Activity,
    Buckets,
    Funnel,
    FunnelStep,
    Grade,
    Money,
    Period,
    Pipeline,
    ReportFilter,
    SourceCounts,
    SourceQuality,
    activity,
    buckets,
    count_by_source,
    funnel,
    per_bar_from_hours,
    pipeline,
    source_quality,
)
from prospector.errors import ValidationError
from prospector.exporters.report_xlsx import (
    CellKind,
    ReportNotSaved,
    SheetColumn,
    SheetTable,
    write_report_workbook,
)
from prospector.storage.report_repository import (
    ReportIndexes,
    ReportRepository,
    report_indexes,
)

log = logging.getLogger(__name__)

__all__ = [
    "Activity",
    "CellKind",
    "Funnel",
    "FunnelStep",
    "Grade",
    "Lists",
    "Money",
    "Period",
    "Pipeline",
    "Report",
    "ReportFilter",
    "ReportNotSaved",
    "ReportPart",
    "ReportService",
    "SheetColumn",
    "SheetTable",
    "SourceQuality",
]


class ReportPart(StrEnum):
    """The reports, each computed (and drawn) on its own."""

    LISTS = "lists"  # the funnel and the lists' quality: one count of the contacts
    ACTIVITY = "activity"
    PIPELINE = "pipeline"


@dataclass(frozen=True)
class Lists:
    """The funnel and each list's quality, from the same contacts."""

    funnel: Funnel
    sources: tuple[SourceQuality, ...]


@dataclass(frozen=True)
class Report:
    filter: ReportFilter
    lists: Lists
    activity: Activity
    pipeline: Pipeline
    computed_at: datetime


class ReportService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock = system_clock,
        zone: tzinfo | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._zone = zone
        self._indexes: ReportIndexes | None = None

    @property
    def zone(self) -> tzinfo:
        """The rep's time zone: periods are the rep's local days."""
        if self._zone is None:
            self._zone = system_zone()
        return self._zone

    def set_zone(self, zone: tzinfo | None) -> None:
        self._zone = zone

    def _repository(self, session: Session) -> ReportRepository:
        if self._indexes is None:
            self._indexes = report_indexes(session)
        return ReportRepository(session, self._indexes)

    @staticmethod
    def _check(report_filter: ReportFilter) -> None:
        first, last = report_filter.first_day, report_filter.last_day
        if first is not None and last is not None and last < first:
            raise ValidationError({"period": "The period ends before it starts."})

    # -- the parts ---------------------------------------------------------------------------------

    def lists(self, report_filter: ReportFilter) -> Lists:
        """The funnel and the lists' quality for contacts added in the period.

        Raises:
            ValidationError: the period ends before it starts.
        """
        self._check(report_filter)
        start, end = report_filter.utc_bounds(self.zone)
        with self._sessions() as session:
            repo = self._repository(session)
            groups = repo.contact_groups(start, end, report_filter.source_id)
            # A period cuts lists in part: their whole size then shares out their cost.
            whole = start is not None or end is not None
            sources = {s.id: s for s in repo.sources(count=whole)}
        counted = count_by_source(groups)
        rows: list[SourceCounts] = []
        for source_id, counts in counted.items():
            info = sources.get(source_id) if source_id is not None else None
            rows.append(
                SourceCounts(
                    source_id=source_id,
                    name=info.name if info else None,
                    contacts=counts.contacts,
                    called=counts.called,
                    reached=counts.reached,
                    junk=counts.junk,
                    prospects=counts.prospects,
                    customers=counts.customers,
                    cost_cents=info.cost_cents if info else None,
                    currency=info.currency if info else None,
                    list_contacts=info.contacts if info and whole else counts.contacts,
                )
            )
        # Lists by name, contacts from no list last.
        rows.sort(key=lambda r: (r.source_id is None, (r.name or "").casefold()))
        return Lists(funnel=funnel(rows), sources=tuple(source_quality(rows)))

    def activity(self, report_filter: ReportFilter) -> Activity:
        """Calls made in the period per day or week and per outcome, and the follow-ups due.

        With an open side the chart runs from the first call, or up to today (or the last call,
        if later).

        Raises:
            ValidationError: the period ends before it starts.
        """
        self._check(report_filter)
        zone = self.zone
        now = self._clock()
        start, end = report_filter.utc_bounds(zone)
        source_id = report_filter.source_id
        with self._sessions() as session:
            repo = self._repository(session)
            if source_id is None:
                bars = self._bars(report_filter, repo.call_span(), now)
                per_bar = repo.calls_per_bar(bars)
            else:
                hours = repo.list_calls_per_hour(start, end, source_id)
                span = (min(h[0] for h in hours), max(h[0] for h in hours)) if hours else None
                bars = self._bars(report_filter, span, now)
                per_bar = per_bar_from_hours(bars, hours)
            follow_ups = repo.follow_ups(start, end, source_id, now)
        return activity(bars, per_bar, follow_ups)

    def _bars(
        self,
        report_filter: ReportFilter,
        span: tuple[datetime, datetime] | None,
        now: datetime,
    ) -> Buckets:
        """The chart's days or weeks over the period; an open side ends at the first call, or
        at today (the last call, if later)."""
        zone = self.zone
        first, last = report_filter.first_day, report_filter.last_day
        today = now.astimezone(zone).date()
        if span is None:
            if first is None and last is None:
                return Buckets(Period.DAY, (), ())  # no call yet: no bars
            first = first or last
            assert first is not None
            last = last or max(first, today)
        else:
            first = first or span[0].astimezone(zone).date()
            last = last or max(today, span[1].astimezone(zone).date())
        return buckets(first, last, zone)

    def pipeline(self, report_filter: ReportFilter) -> Pipeline:
        """Leads and prospects (added in the period) by temperature and engagement score.

        Raises:
            ValidationError: the period ends before it starts.
        """
        self._check(report_filter)
        start, end = report_filter.utc_bounds(self.zone)
        with self._sessions() as session:
            groups = self._repository(session).pipeline_groups(start, end, report_filter.source_id)
        return pipeline(groups)

    def report(self, report_filter: ReportFilter) -> Report:
        """Every part at once (the command line, the PDF)."""
        return Report(
            filter=report_filter,
            lists=self.lists(report_filter),
            activity=self.activity(report_filter),
            pipeline=self.pipeline(report_filter),
            computed_at=self._clock(),
        )

    def compute(
        self, report_filter: ReportFilter, should_stop: Callable[[], bool]
    ) -> Iterator[tuple[ReportPart, object]]:
        """The parts one by one, for a worker: the window draws each as soon as it arrives."""
        steps: tuple[tuple[ReportPart, Callable[[ReportFilter], object]], ...] = (
            (ReportPart.LISTS, self.lists),
            (ReportPart.ACTIVITY, self.activity),
            (ReportPart.PIPELINE, self.pipeline),
        )
        for part, make in steps:
            if should_stop():
                return
            yield part, make(report_filter)

    # -- export ------------------------------------------------------------------------------------

    def export_xlsx(self, path: Path, tables: Sequence[SheetTable]) -> None:
        """Write the report's tables (worded by the caller) to an Excel workbook.

        Raises:
            ReportNotSaved: with the reason, the previous file left as it was.
        """
        write_report_workbook(path, tables)
        log.info("Report tables saved to %s", path.name)


def _money(money: Money | None) -> dict[str, object] | None:
    if money is None:
        return None
    return {"amount": money.amount, "cents": money.cents, "currency": money.currency}


def report_data(report: Report, list_name: str | None = None) -> dict[str, object]:
    """The report as plain data (numbers, no words), as ``prospector report --json`` prints it.

    A figure that cannot be worked out (no cost entered, nobody reached) is ``null``.
    """
    flt = report.filter
    funnel_ = report.lists.funnel
    stages = {s.step.value: s for s in funnel_.stages}
    activity_ = report.activity
    pipeline_ = report.pipeline
    return {
        "filter": {
            "from": flt.first_day.isoformat() if flt.first_day else None,
            "to": flt.last_day.isoformat() if flt.last_day else None,
            "list": list_name,
        },
        "funnel": {
            **{step: stage.count for step, stage in stages.items()},
            "junk": funnel_.junk,
            "conversion": {
                step: stage.from_previous for step, stage in stages.items() if step != "contacts"
            },
        },
        "lists": [
            {
                "list": s.name,
                "contacts": s.contacts,
                "called": s.called,
                "reached": s.reached,
                "junk": s.junk,
                "prospects": s.prospects,
                "customers": s.customers,
                "reached_rate": s.reached_rate,
                "junk_rate": s.junk_rate,
                "prospect_rate": s.prospect_rate,
                "cost": _money(s.cost),
                "cost_per_reached": _money(s.cost_per_reached),
                "cost_per_prospect": _money(s.cost_per_prospect),
                "cost_per_customer": _money(s.cost_per_customer),
                "grade": s.grade.value if s.grade else None,
            }
            for s in report.lists.sources
        ],
        "activity": {
            "calls": activity_.calls,
            "reached": activity_.reached,
            "talk_seconds": activity_.talk_s,
            "average_conversation_seconds": activity_.average_talk_s,
            "period": activity_.period.value,
            "per_period": [
                {
                    "from": p.first_day.isoformat(),
                    "calls": p.calls,
                    "reached": p.reached,
                    "talk_seconds": p.talk_s,
                }
                for p in activity_.periods
            ],
            "outcomes": [
                {"outcome": o.outcome, "calls": o.calls, "talk_seconds": o.talk_s}
                for o in activity_.outcomes
            ],
            "follow_ups": {
                "done": activity_.follow_ups.done,
                "missed": activity_.follow_ups.missed,
                "coming": activity_.follow_ups.coming,
            },
        },
        "pipeline": {
            "by_temperature": {
                stage.value: {t.value: n for t, n in temps.items()}
                for stage, temps in pipeline_.by_temperature.items()
            },
            "scores": [
                {
                    "from": low,
                    "to": 100 if low + SCORE_BUCKET >= 100 else low + SCORE_BUCKET - 1,
                    "contacts": n,
                }
                for low, n in pipeline_.score_buckets
            ],
            "average_score": pipeline_.average_score,
        },
    }
