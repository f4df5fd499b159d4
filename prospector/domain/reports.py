"""What the reports count, and the figures worked out from the counts: rates, costs, grades.

The storage layer counts in SQL; everything here is plain arithmetic on those counts, so the
definitions live in one place and are tested with known numbers. The definitions, which the
window repeats in its tooltips:

- **Contacts**: contacts added to Prospector in the period (imported or typed), from the list.
  Lists and the funnel look at these contacts *as they stand today*.
- **Called**: contacts worked at least once: a call was logged, or a rep moved them past
  suspect by hand (a do-not-call flag from the register alone is not work).
- **Reached**: a real person on the contact's side answered at least once: the contact is a
  lead or further, or said not interested, or the last call ended in an outcome that counts as
  reached (``domain.outcomes``: talked, call back, send information, not interested, do not
  call). A voicemail, a busy tone or a receptionist is not reached.
- **Junk**: the list held a wrong entry: the contact was disqualified (not in the target
  market), or the last call found a wrong number.
- **Prospects**: qualified contacts, and customers (every customer was a prospect first).
- **Customers**: customers and repeat customers.

Rates are shares of the contacts *called*, so a list half worked through compares fairly with
one finished. Costs are in minor units (cents) in the list's currency; a list's cost is shared
evenly over its contacts, so a period holding part of a list carries that part of its cost.
A figure that cannot be worked out (no cost entered, nobody reached) is ``None``, never 0 or
infinity: the window says why instead.
"""

from __future__ import annotations

import bisect
import contextlib
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from prospector.domain.outcomes import RULES, CallOutcome
from prospector.domain.stages import Stage, Temperature

REACHED_OUTCOMES: frozenset[CallOutcome] = frozenset(o for o, r in RULES.items() if r.reached)
JUNK_OUTCOMES: frozenset[CallOutcome] = frozenset(o for o, r in RULES.items() if r.junk)
REACHED_STAGES: frozenset[Stage] = frozenset(
    {Stage.LEAD, Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEAT_CUSTOMER, Stage.NOT_INTERESTED}
)
"""Stages only a contact someone has spoken to can be in."""
WORKED_STAGES: frozenset[Stage] = REACHED_STAGES | {Stage.DISQUALIFIED}
"""Stages that mean a rep worked the contact, called or not (a do-not-call flag may come from
the register without any call)."""
JUNK_STAGES: frozenset[Stage] = frozenset({Stage.DISQUALIFIED})
PROSPECT_STAGES: frozenset[Stage] = frozenset(
    {Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEAT_CUSTOMER}
)
CUSTOMER_STAGES: frozenset[Stage] = frozenset({Stage.CUSTOMER, Stage.REPEAT_CUSTOMER})
PIPELINE_STAGES: tuple[Stage, ...] = (Stage.LEAD, Stage.PROSPECT)
"""The open pipeline: reached, not yet bought, not out."""

MIN_CALLED_FOR_GRADE = 20
"""Below this many contacts called, a list gets no grade yet: too early to tell."""
DAYS_BEFORE_WEEKS = 62
"""Calls are counted per day over at most this many days, per week beyond."""
SCORE_BUCKET = 10
"""The score chart's bars: 0–9, 10–19, …, 90–100."""


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"


# -- the filter ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    """Which contacts and calls a report looks at: local days (both included) and a list.

    ``first_day``/``last_day`` ``None`` means no limit on that side; ``source_id`` ``None``
    means every list (and contacts from no list).
    """

    first_day: date | None = None
    last_day: date | None = None
    source_id: int | None = None

    def utc_bounds(self, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC: from the first day's local midnight to the one after the last."""
        start = end = None
        if self.first_day is not None:
            start = _local_midnight(self.first_day, zone)
        if self.last_day is not None:
            end = _local_midnight(self.last_day + timedelta(days=1), zone)
        return start, end


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


class PeriodPreset(StrEnum):
    """The periods a rep picks most; ``CUSTOM`` uses the dates typed."""

    ALL_TIME = "all_time"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"
    THIS_YEAR = "this_year"
    CUSTOM = "custom"


def preset_days(preset: PeriodPreset, today: date) -> tuple[date | None, date | None]:
    """The first and last day (both included) of a preset, seen from ``today``."""
    if preset == PeriodPreset.THIS_MONTH:
        return today.replace(day=1), today
    if preset == PeriodPreset.LAST_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if preset == PeriodPreset.LAST_30_DAYS:
        return today - timedelta(days=29), today
    if preset == PeriodPreset.LAST_90_DAYS:
        return today - timedelta(days=89), today
    if preset == PeriodPreset.THIS_YEAR:
        return today.replace(month=1, day=1), today
    return None, None  # all time (and custom, whose days the rep types)


# -- money -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """An amount in minor units (cents) of ``currency`` (None: the list did not say)."""

    cents: int
    currency: str | None

    @property
    def amount(self) -> float:
        return self.cents / 100


def divide(money: Money | None, count: int) -> Money | None:
    """``money`` shared over ``count`` (rounded to the cent), or None when there is nothing to
    share or nobody to share it over."""
    if money is None or count <= 0:
        return None
    return Money(round(money.cents / count), money.currency)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` as a fraction, or None when ``whole`` is 0 (nothing to compare with)."""
    return part / whole if whole > 0 else None


# -- lists (source quality) and the funnel ---------------------------------------------------------


@dataclass(frozen=True)
class SourceCounts:
    """What storage counted for one list (``source_id`` None: contacts from no list)."""

    source_id: int | None
    name: str | None
    contacts: int
    called: int
    reached: int
    junk: int
    prospects: int
    customers: int
    cost_cents: int | None = None  # the whole list's cost
    currency: str | None = None
    list_contacts: int = 0  # the whole list's contacts, whatever the period


@dataclass(frozen=True)
class ContactKind:
    """What one (stage, last outcome) pair counts as; see the module's definitions."""

    called: bool
    reached: bool
    junk: bool
    prospect: bool
    customer: bool


def classify(stage: str, last_outcome: str | None) -> ContactKind:
    """Which counts a contact at ``stage`` whose last call ended in ``last_outcome`` joins."""
    try:
        known_stage: Stage | None = Stage(stage)
    except ValueError:
        known_stage = None  # a stage a newer Prospector wrote: counted as contact only
    try:
        outcome: CallOutcome | None = CallOutcome(last_outcome) if last_outcome else None
    except ValueError:
        outcome = None
    return ContactKind(
        called=last_outcome is not None or known_stage in WORKED_STAGES,
        reached=known_stage in REACHED_STAGES or outcome in REACHED_OUTCOMES,
        junk=known_stage in JUNK_STAGES or outcome in JUNK_OUTCOMES,
        prospect=known_stage in PROSPECT_STAGES,
        customer=known_stage in CUSTOMER_STAGES,
    )


def count_by_source(
    rows: Iterable[tuple[str, str | None, int | None, int]],
) -> dict[int | None, SourceCounts]:
    """Fold (stage, last outcome, source id, contacts) groups into counts per list (names and
    costs are added by the caller)."""
    totals: dict[int | None, list[int]] = {}
    kinds: dict[tuple[str, str | None], ContactKind] = {}
    for stage, last_outcome, source_id, contacts in rows:
        kind = kinds.get((stage, last_outcome))
        if kind is None:
            kind = kinds[stage, last_outcome] = classify(stage, last_outcome)
        entry = totals.setdefault(source_id, [0, 0, 0, 0, 0, 0])
        entry[0] += contacts
        entry[1] += contacts * kind.called
        entry[2] += contacts * kind.reached
        entry[3] += contacts * kind.junk
        entry[4] += contacts * kind.prospect
        entry[5] += contacts * kind.customer
    return {
        source_id: SourceCounts(source_id, None, *values) for source_id, values in totals.items()
    }


@dataclass(frozen=True)
class SourceQuality:
    """One row of the lists report."""

    source_id: int | None
    name: str | None
    contacts: int
    called: int
    reached: int
    junk: int
    prospects: int
    customers: int
    cost: Money | None  # the share of the list's cost these contacts carry
    reached_rate: float | None
    junk_rate: float | None
    prospect_rate: float | None
    cost_per_reached: Money | None
    cost_per_prospect: Money | None
    cost_per_customer: Money | None
    grade: Grade | None  # None: fewer than MIN_CALLED_FOR_GRADE called yet


def cost_share(counts: SourceCounts) -> Money | None:
    """The part of the list's cost carried by the contacts counted (all of it when the period
    holds the whole list)."""
    if counts.cost_cents is None or counts.source_id is None:
        return None
    whole = max(counts.list_contacts, counts.contacts)
    if whole <= 0:
        return None
    return Money(round(counts.cost_cents * counts.contacts / whole), counts.currency)


def grade(
    called: int,
    junk: int,
    prospects: int,
    cost_per_prospect: Money | None = None,
    typical_cost_per_prospect: Money | None = None,
) -> Grade | None:
    """A list's grade, A (best) to D, from what became of the contacts called.

    - Prospects per contact called: A from 10%, B from 5%, C from 2%, else D.
    - Junk per contact called: one grade down from 25%; D from 50%.
    - Cost: one grade up when a prospect from this list costs at most half the typical cost
      (the median over the lists compared, same currency), one down when it costs at least
      twice as much.
    - No grade (None) before ``MIN_CALLED_FOR_GRADE`` contacts are called.
    """
    if called < MIN_CALLED_FOR_GRADE:
        return None
    prospect_rate = prospects / called
    junk_rate = junk / called
    if prospect_rate >= 0.10:
        points = 3
    elif prospect_rate >= 0.05:
        points = 2
    else:
        points = 1 if prospect_rate >= 0.02 else 0
    if junk_rate >= 0.5:
        return Grade.D
    if junk_rate >= 0.25:
        points -= 1
    if (
        cost_per_prospect is not None
        and typical_cost_per_prospect is not None
        and cost_per_prospect.currency == typical_cost_per_prospect.currency
        and typical_cost_per_prospect.cents > 0
    ):
        if cost_per_prospect.cents * 2 <= typical_cost_per_prospect.cents:
            points += 1
        elif cost_per_prospect.cents >= typical_cost_per_prospect.cents * 2:
            points -= 1
    return (Grade.D, Grade.C, Grade.B, Grade.A)[max(0, min(3, points))]


def typical_cost_per_prospect(costs: Iterable[Money | None]) -> dict[str | None, Money]:
    """Per currency, the median cost of a prospect over the lists that have one; only when at
    least two lists can be compared."""
    by_currency: dict[str | None, list[int]] = {}
    for money in costs:
        if money is not None:
            by_currency.setdefault(money.currency, []).append(money.cents)
    return {
        currency: Money(round(statistics.median(cents)), currency)
        for currency, cents in by_currency.items()
        if len(cents) >= 2
    }


def source_quality(rows: Sequence[SourceCounts]) -> list[SourceQuality]:
    """Each list's figures and grade; grades compare costs with the other lists given."""
    shares = [cost_share(r) for r in rows]
    per_prospect = [divide(share, r.prospects) for r, share in zip(rows, shares, strict=True)]
    typical = typical_cost_per_prospect(per_prospect)
    result = []
    for r, share, cpp in zip(rows, shares, per_prospect, strict=True):
        result.append(
            SourceQuality(
                source_id=r.source_id,
                name=r.name,
                contacts=r.contacts,
                called=r.called,
                reached=r.reached,
                junk=r.junk,
                prospects=r.prospects,
                customers=r.customers,
                cost=share,
                reached_rate=rate(r.reached, r.called),
                junk_rate=rate(r.junk, r.called),
                prospect_rate=rate(r.prospects, r.called),
                cost_per_reached=divide(share, r.reached),
                cost_per_prospect=cpp,
                cost_per_customer=divide(share, r.customers),
                grade=grade(
                    r.called,
                    r.junk,
                    r.prospects,
                    cpp,
                    typical.get(cpp.currency) if cpp is not None else None,
                ),
            )
        )
    return result


class FunnelStep(StrEnum):
    CONTACTS = "contacts"
    CALLED = "called"
    REACHED = "reached"
    PROSPECTS = "prospects"
    CUSTOMERS = "customers"


@dataclass(frozen=True)
class FunnelStage:
    step: FunnelStep
    count: int
    from_previous: float | None  # share of the step before (None for the first, or 0 before)
    of_all: float | None  # share of all contacts


@dataclass(frozen=True)
class Funnel:
    stages: tuple[FunnelStage, ...]
    junk: int

    def count(self, step: FunnelStep) -> int:
        return next(s.count for s in self.stages if s.step == step)


def funnel(rows: Iterable[SourceCounts]) -> Funnel:
    """Contacts → called → reached → prospects → customers, each with its conversion rate."""
    rows = list(rows)
    counts = [
        (FunnelStep.CONTACTS, sum(r.contacts for r in rows)),
        (FunnelStep.CALLED, sum(r.called for r in rows)),
        (FunnelStep.REACHED, sum(r.reached for r in rows)),
        (FunnelStep.PROSPECTS, sum(r.prospects for r in rows)),
        (FunnelStep.CUSTOMERS, sum(r.customers for r in rows)),
    ]
    total = counts[0][1]
    stages = []
    previous: int | None = None
    for step, count in counts:
        stages.append(
            FunnelStage(
                step,
                count,
                rate(count, previous) if previous is not None else None,
                rate(count, total),
            )
        )
        previous = count
    return Funnel(tuple(stages), junk=sum(r.junk for r in rows))


# -- activity --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str  # a CallOutcome value (a newer Prospector may store others)
    calls: int
    talk_s: int


@dataclass(frozen=True)
class PeriodCount:
    first_day: date  # the day, or the Monday of the week
    calls: int
    reached: int
    talk_s: int


@dataclass(frozen=True)
class FollowUpTally:
    """Follow-ups due in the period: done, missed (due, not done) and still to come."""

    done: int
    missed: int
    coming: int

    @property
    def total(self) -> int:
        return self.done + self.missed + self.coming


@dataclass(frozen=True)
class Activity:
    period: Period
    periods: tuple[PeriodCount, ...]
    outcomes: tuple[OutcomeCount, ...]  # most frequent first
    follow_ups: FollowUpTally

    @property
    def calls(self) -> int:
        return sum(o.calls for o in self.outcomes)

    @property
    def reached(self) -> int:
        return sum(o.calls for o in self.outcomes if is_reached_outcome(o.outcome))

    @property
    def talk_s(self) -> int:
        return sum(o.talk_s for o in self.outcomes)

    @property
    def average_talk_s(self) -> float | None:
        """Average length of a call where someone was reached."""
        reached = self.reached
        talk = sum(o.talk_s for o in self.outcomes if is_reached_outcome(o.outcome))
        return talk / reached if reached else None


def is_reached_outcome(outcome: str) -> bool:
    try:
        return CallOutcome(outcome) in REACHED_OUTCOMES
    except ValueError:
        return False


def period_for(first_day: date, last_day: date) -> Period:
    """Days for a short range, weeks beyond ``DAYS_BEFORE_WEEKS`` days."""
    return Period.DAY if (last_day - first_day).days < DAYS_BEFORE_WEEKS else Period.WEEK


@dataclass(frozen=True)
class Buckets:
    """The bars of the calls chart: local days or weeks (Monday first) covering a range.

    ``bounds`` are the UTC instants where each bar starts, plus where the last one ends, worked
    out in the rep's zone, so a day across a DST change is 23 or 25 hours long, as it was.
    """

    period: Period
    days: tuple[date, ...]
    bounds: tuple[datetime, ...]

    def index_of(self, moment: datetime) -> int | None:
        """The bar ``moment`` falls in, or None outside the range."""
        if not self.days or moment < self.bounds[0] or moment >= self.bounds[-1]:
            return None
        return bisect.bisect_right(self.bounds, moment) - 1


def buckets(first_day: date, last_day: date, zone: tzinfo) -> Buckets:
    """Every day (or week) from ``first_day`` to ``last_day``, both included."""
    if last_day < first_day:
        return Buckets(Period.DAY, (), ())
    period = period_for(first_day, last_day)
    step = timedelta(days=1 if period == Period.DAY else 7)
    day = first_day if period == Period.DAY else first_day - timedelta(days=first_day.weekday())
    days = []
    while day <= last_day:
        days.append(day)
        day += step
    bounds = [_local_midnight(d, zone) for d in days] + [_local_midnight(day, zone)]
    return Buckets(period, tuple(days), tuple(bounds))


def per_bar_from_hours(
    bars: Buckets, hours: Iterable[tuple[datetime, str, int, int]]
) -> list[tuple[int, str, int, int]]:
    """Fold (UTC hour, outcome, calls, talk seconds) rows into the bars: an hour belongs to the
    local day its start falls in (exact in every zone with whole-hour offsets, DST included)."""
    totals: dict[tuple[int, str], list[int]] = {}
    for hour, outcome, calls, talk in hours:
        index = bars.index_of(hour)
        if index is None:
            continue
        entry = totals.setdefault((index, outcome), [0, 0])
        entry[0] += calls
        entry[1] += talk
    return [(i, o, calls, talk) for (i, o), (calls, talk) in totals.items()]


def activity(
    bars: Buckets,
    per_bar: Iterable[tuple[int, str, int, int]],
    follow_ups: FollowUpTally,
) -> Activity:
    """From (bar index, outcome, calls, talk seconds) rows: the calls per bar and per outcome."""
    periods = [[0, 0, 0] for _ in bars.days]
    outcomes: dict[str, list[int]] = {}
    for index, outcome, calls, talk in per_bar:
        reached = is_reached_outcome(outcome)
        bar = periods[index]
        bar[0] += calls
        bar[1] += calls if reached else 0
        bar[2] += talk
        entry = outcomes.setdefault(outcome, [0, 0])
        entry[0] += calls
        entry[1] += talk
    return Activity(
        period=bars.period,
        periods=tuple(
            PeriodCount(d, *values) for d, values in zip(bars.days, periods, strict=True)
        ),
        outcomes=tuple(
            OutcomeCount(o, calls, talk)
            for o, (calls, talk) in sorted(outcomes.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ),
        follow_ups=follow_ups,
    )


# -- the pipeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    """Leads and prospects by temperature, and their engagement scores in bars of ten."""

    by_temperature: dict[Stage, dict[Temperature, int]]
    score_buckets: tuple[tuple[int, int], ...]  # (lowest score of the bar, contacts)
    average_score: float | None

    @property
    def total(self) -> int:
        return sum(sum(t.values()) for t in self.by_temperature.values())


def pipeline(counts: Iterable[tuple[str, str, int, int]]) -> Pipeline:
    """From (stage, temperature, score, contacts) rows of the open pipeline; a score of 100
    joins the 90–100 bar."""
    by_temperature = {stage: {t: 0 for t in Temperature} for stage in PIPELINE_STAGES}
    buckets = dict.fromkeys(range(0, 100, SCORE_BUCKET), 0)
    total = score_sum = 0
    for stage, temperature, score, contacts in counts:
        # A value a newer Prospector wrote is counted in the scores only.
        with contextlib.suppress(KeyError, ValueError):
            by_temperature[Stage(stage)][Temperature(temperature)] += contacts
        score = min(max(int(score or 0), 0), 100)
        buckets[min(score - score % SCORE_BUCKET, 100 - SCORE_BUCKET)] += contacts
        total += contacts
        score_sum += score * contacts
    return Pipeline(
        by_temperature=by_temperature,
        score_buckets=tuple(buckets.items()),
        average_score=score_sum / total if total else None,
    )
