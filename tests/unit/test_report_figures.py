"""The reports' arithmetic, without a database: rates, costs, grades, funnel, bars, pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from prospector.domain.reports import (
    Buckets,
    FollowUpTally,
    FunnelStep,
    Grade,
    Money,
    Period,
    PeriodPreset,
    ReportFilter,
    SourceCounts,
    activity,
    buckets,
    classify,
    count_by_source,
    divide,
    funnel,
    grade,
    per_bar_from_hours,
    pipeline,
    preset_days,
    rate,
    source_quality,
)
from prospector.domain.stages import Stage, Temperature

PARIS = ZoneInfo("Europe/Paris")


def counts(**kwargs: object) -> SourceCounts:
    values: dict[str, object] = {
        "source_id": 1,
        "name": "A",
        "contacts": 100,
        "called": 80,
        "reached": 40,
        "junk": 10,
        "prospects": 5,
        "customers": 0,
        "cost_cents": 5000,
        "currency": "EUR",
        "list_contacts": 100,
    }
    values.update(kwargs)
    return SourceCounts(**values)  # type: ignore[arg-type]


def test_the_issues_example_list_costs_ten_per_prospect():
    (a,) = source_quality([counts()])
    assert a.cost == Money(5000, "EUR")
    assert a.cost_per_prospect == Money(1000, "EUR")  # 50.00 / 5 = 10.00
    assert a.cost_per_prospect.amount == 10.0
    assert a.cost_per_reached == Money(125, "EUR")  # 50.00 / 40
    assert a.cost_per_customer is None  # no customer: nothing to divide by, never infinity
    assert a.reached_rate == 0.5  # 40 of the 80 called
    assert a.junk_rate == 0.125
    assert a.prospect_rate == 0.0625
    assert a.grade == Grade.B  # 6.25 prospects in 100 called, little junk, nothing to compare


def test_no_cost_and_nobody_reached_give_no_figure_rather_than_zero_or_infinity():
    no_cost, untouched = source_quality(
        [
            counts(source_id=2, name="B", cost_cents=None, currency=None),
            counts(
                source_id=3, name="C", called=0, reached=0, junk=0, prospects=0, cost_cents=20000
            ),
        ]
    )
    assert no_cost.cost is None
    assert (no_cost.cost_per_reached, no_cost.cost_per_prospect) == (None, None)
    assert no_cost.reached_rate == 0.5  # rates do not need a cost
    assert untouched.cost == Money(20000, "EUR")
    assert untouched.cost_per_reached is None
    assert untouched.reached_rate is None and untouched.junk_rate is None
    assert untouched.prospect_rate is None
    assert untouched.grade is None  # nobody called: too early to tell
    assert divide(None, 3) is None and divide(Money(100, "EUR"), 0) is None
    assert rate(3, 0) is None and rate(0, 4) == 0.0


def test_a_period_holding_part_of_a_list_carries_that_part_of_its_cost():
    (part,) = source_quality([counts(contacts=30, list_contacts=40, cost_cents=10000, prospects=2)])
    assert part.cost == Money(7500, "EUR")
    assert part.cost_per_prospect == Money(3750, "EUR")


@pytest.mark.parametrize(
    ("called", "junk", "prospects", "expected"),
    [
        (100, 5, 10, Grade.A),
        (100, 5, 9, Grade.B),
        (100, 5, 5, Grade.B),
        (100, 5, 2, Grade.C),
        (100, 5, 1, Grade.D),
        (100, 25, 10, Grade.B),  # a quarter junk: one grade down
        (100, 50, 30, Grade.D),  # half junk: D whatever else
        (19, 0, 19, None),  # too early
        (20, 0, 0, Grade.D),
    ],
)
def test_grades_from_prospects_and_junk(called, junk, prospects, expected):
    assert grade(called, junk, prospects) == expected


def test_cost_moves_a_grade_against_the_typical_cost_of_a_prospect():
    typical = Money(3000, "EUR")
    assert grade(100, 5, 6, Money(1500, "EUR"), typical) == Grade.A  # half the usual: up
    assert grade(100, 5, 6, Money(1600, "EUR"), typical) == Grade.B
    assert grade(100, 5, 6, Money(6000, "EUR"), typical) == Grade.C  # twice the usual: down
    assert grade(100, 5, 6, Money(500, "USD"), typical) == Grade.B  # not comparable


def test_lists_are_compared_with_the_median_cost_per_prospect_of_the_others():
    cheap, dear, alone = source_quality(
        [
            counts(source_id=1, prospects=5, cost_cents=5000),  # 10.00 a prospect
            counts(source_id=2, prospects=2, called=20, junk=1, cost_cents=10000),  # 50.00 each
            counts(source_id=3, prospects=5, cost_cents=5000, currency="USD"),
        ]
    )
    # Median of 10.00 and 50.00 is 30.00: the cheap list (B on its figures) goes up to A.
    assert cheap.grade == Grade.A
    assert dear.grade == Grade.A  # 10 prospects in 100 called; 50.00 is not twice 30.00
    assert alone.grade == Grade.B  # the only USD list: nothing to compare it with


def test_what_each_contact_counts_as():
    lead = classify("lead", "talked")
    assert (lead.called, lead.reached, lead.junk, lead.prospect) == (True, True, False, False)
    wrong = classify("suspect", "wrong_number")
    assert (wrong.called, wrong.reached, wrong.junk) == (True, False, True)
    assert classify("suspect", "voicemail").reached is False
    assert classify("suspect", None).called is False
    by_hand = classify("disqualified", None)  # disqualified without a call
    assert (by_hand.called, by_hand.reached, by_hand.junk) == (True, False, True)
    after_talk = classify("disqualified", "talked")
    assert after_talk.reached and after_talk.junk
    register = classify("do_not_call", None)  # flagged from the register: not worked
    assert not register.called and not register.reached
    asked = classify("do_not_call", "do_not_call")  # said so on the phone
    assert asked.called and asked.reached
    customer = classify("repeat_customer", "talked")
    assert customer.prospect and customer.customer
    future = classify("won_back", "future_outcome")  # written by a newer Prospector
    assert future.called  # a call was logged, whatever its outcome
    assert not (future.reached or future.junk or future.prospect)


def test_groups_fold_into_counts_per_list():
    folded = count_by_source(
        [
            ("lead", "talked", 1, 25),
            ("prospect", "talked", 1, 5),
            ("suspect", "wrong_number", 1, 6),
            ("suspect", None, 1, 20),
            ("lead", "call_back", None, 1),
        ]
    )
    a = folded[1]
    assert (a.contacts, a.called, a.reached, a.junk, a.prospects) == (56, 36, 30, 6, 5)
    assert folded[None].reached == 1


def test_the_funnel_and_its_conversion_rates():
    result = funnel(
        [counts(), counts(source_id=2, contacts=50, called=20, reached=10, junk=2, prospects=5)]
    )
    assert [s.count for s in result.stages] == [150, 100, 50, 10, 0]
    assert [s.step for s in result.stages] == list(FunnelStep)
    assert result.stages[0].from_previous is None
    assert result.stages[1].from_previous == pytest.approx(100 / 150)
    assert result.stages[2].from_previous == 0.5
    assert result.stages[3].from_previous == 0.2
    assert result.stages[4].from_previous == 0.0
    assert result.junk == 12
    empty = funnel([])
    assert [s.count for s in empty.stages] == [0, 0, 0, 0, 0]
    assert all(s.from_previous is None and s.of_all is None for s in empty.stages)


def test_bars_are_local_days_or_weeks_and_follow_summer_time():
    days = buckets(date(2026, 3, 28), date(2026, 3, 30), PARIS)
    assert days.period == Period.DAY
    assert days.days == (date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30))
    # 29 March 2026 is 23 hours long in Paris (clocks go forward).
    assert days.bounds[2] - days.bounds[1] == datetime(2026, 3, 29, 22, tzinfo=UTC) - datetime(
        2026, 3, 28, 23, tzinfo=UTC
    )
    assert days.index_of(datetime(2026, 3, 28, 22, 59, tzinfo=UTC)) == 0  # 23:59 in Paris
    assert days.index_of(datetime(2026, 3, 28, 23, 0, tzinfo=UTC)) == 1
    assert days.index_of(datetime(2026, 3, 30, 22, 0, tzinfo=UTC)) is None  # after the range
    weeks = buckets(date(2026, 1, 1), date(2026, 3, 16), PARIS)
    assert weeks.period == Period.WEEK
    assert weeks.days[0] == date(2025, 12, 29)  # the Monday of the first week
    assert weeks.days[-1] == date(2026, 3, 16)
    assert buckets(date(2026, 3, 2), date(2026, 3, 1), PARIS).days == ()


def test_activity_adds_calls_per_bar_and_outcome():
    bars = buckets(date(2026, 3, 2), date(2026, 3, 3), PARIS)
    hours = [
        (datetime(2026, 3, 2, 8, tzinfo=UTC), "talked", 2, 600),
        (datetime(2026, 3, 2, 22, tzinfo=UTC), "no_answer", 1, 20),  # 23:00 in Paris: day 1
        (datetime(2026, 3, 2, 23, tzinfo=UTC), "no_answer", 3, 45),  # midnight: day 2
        (datetime(2026, 3, 9, 8, tzinfo=UTC), "talked", 9, 999),  # outside
    ]
    result = activity(bars, per_bar_from_hours(bars, hours), FollowUpTally(2, 1, 0))
    assert [(p.calls, p.reached, p.talk_s) for p in result.periods] == [(3, 2, 620), (3, 0, 45)]
    assert [(o.outcome, o.calls) for o in result.outcomes] == [("no_answer", 4), ("talked", 2)]
    assert (result.calls, result.reached, result.talk_s) == (6, 2, 665)
    assert result.average_talk_s == 300
    empty = activity(Buckets(Period.DAY, (), ()), [], FollowUpTally(0, 0, 0))
    assert (empty.calls, empty.average_talk_s, empty.periods) == (0, None, ())


def test_the_pipeline_by_temperature_and_score():
    result = pipeline(
        [
            ("lead", "hot", 95, 2),
            ("lead", "cold", 0, 5),
            ("prospect", "warm", 100, 1),
            ("prospect", "warm", 42, 2),
        ]
    )
    assert result.by_temperature[Stage.LEAD] == {
        Temperature.HOT: 2,
        Temperature.WARM: 0,
        Temperature.COLD: 5,
    }
    assert result.by_temperature[Stage.PROSPECT][Temperature.WARM] == 3
    buckets_ = dict(result.score_buckets)
    assert (buckets_[0], buckets_[40], buckets_[90]) == (5, 2, 3)  # 100 joins 90–100
    assert result.total == 10
    assert result.average_score == pytest.approx((190 + 0 + 100 + 84) / 10)
    assert pipeline([]).average_score is None


def test_period_presets_and_local_bounds():
    today = date(2026, 3, 16)
    assert preset_days(PeriodPreset.THIS_MONTH, today) == (date(2026, 3, 1), today)
    assert preset_days(PeriodPreset.LAST_MONTH, today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert preset_days(PeriodPreset.LAST_30_DAYS, today) == (date(2026, 2, 15), today)
    assert preset_days(PeriodPreset.THIS_YEAR, today) == (date(2026, 1, 1), today)
    assert preset_days(PeriodPreset.ALL_TIME, today) == (None, None)
    start, end = ReportFilter(date(2026, 3, 1), date(2026, 3, 31)).utc_bounds(PARIS)
    assert start == datetime(2026, 2, 28, 23, tzinfo=UTC)  # midnight in Paris, winter
    assert end == datetime(2026, 3, 31, 22, tzinfo=UTC)  # midnight on 1 April, summer
    assert ReportFilter().utc_bounds(PARIS) == (None, None)
