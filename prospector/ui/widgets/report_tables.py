"""The report's tables for Excel, worded in the rep's language; the service writes the file."""

from __future__ import annotations

from prospector.domain.stages import Stage, Temperature
from prospector.services.reports import (
    Activity,
    CellKind,
    Lists,
    Money,
    Pipeline,
    SheetColumn,
    SheetTable,
)
from prospector.ui.labels import stage_label, temperature_label
from prospector.ui.widgets.report_format import grade_text, tr
from prospector.ui.widgets.report_views import (
    funnel_definition,
    funnel_label,
    list_name,
    lists_columns,
    outcome_words,
)


def _money(money: Money | None) -> tuple[int, str | None] | None:
    return (money.cents, money.currency) if money is not None else None


def report_tables(
    lists: Lists, activity: Activity, pipeline: Pipeline, period: str
) -> list[SheetTable]:
    """One sheet per table: lists, funnel, calls per day or week, outcomes, pipeline."""
    headers = [header for header, _ in lists_columns()]
    kinds = [
        CellKind.TEXT,
        CellKind.COUNT,
        CellKind.COUNT,
        CellKind.PERCENT,
        CellKind.PERCENT,
        CellKind.PERCENT,
        CellKind.COUNT,
        CellKind.MONEY,
        CellKind.MONEY,
        CellKind.MONEY,
        CellKind.MONEY,
        CellKind.TEXT,
    ]
    sources = SheetTable(
        tr("Lists"),
        [
            SheetColumn(h, k, 28 if i == 0 else None)
            for i, (h, k) in enumerate(zip(headers, kinds, strict=True))
        ],
        [
            [
                list_name(s),
                s.contacts,
                s.called,
                s.reached_rate,
                s.junk_rate,
                s.prospect_rate,
                s.customers,
                _money(s.cost),
                _money(s.cost_per_reached),
                _money(s.cost_per_prospect),
                _money(s.cost_per_customer),
                grade_text(s.grade),
            ]
            for s in lists.sources
        ],
    )
    funnel = SheetTable(
        tr("Funnel"),
        [
            SheetColumn(tr("Step"), CellKind.TEXT, 16),
            SheetColumn(tr("Contacts"), CellKind.COUNT),
            SheetColumn(tr("Of the step before"), CellKind.PERCENT, 20),
            SheetColumn(tr("Of the list"), CellKind.PERCENT),
            SheetColumn(tr("What it counts"), CellKind.TEXT, 70),
        ],
        [
            [
                funnel_label(stage.step),
                stage.count,
                stage.from_previous,
                stage.of_all,
                funnel_definition(stage.step),
            ]
            for stage in lists.funnel.stages
        ],
    )
    week = activity.period.value == "week"
    calls = SheetTable(
        tr("Calls per week") if week else tr("Calls per day"),
        [
            SheetColumn(tr("Week of") if week else tr("Day"), CellKind.DATE),
            SheetColumn(tr("Calls"), CellKind.COUNT),
            SheetColumn(tr("Someone answered"), CellKind.COUNT, 18),
            SheetColumn(tr("Time on the phone"), CellKind.DURATION, 18),
        ],
        [[p.first_day, p.calls, p.reached, p.talk_s] for p in activity.periods],
    )
    outcomes = SheetTable(
        tr("Call outcomes"),
        [
            SheetColumn(tr("Outcome"), CellKind.TEXT, 22),
            SheetColumn(tr("Calls"), CellKind.COUNT),
            SheetColumn(tr("Share of the calls"), CellKind.PERCENT, 18),
            SheetColumn(tr("Time on the phone"), CellKind.DURATION, 18),
        ],
        [
            [
                outcome_words(o.outcome),
                o.calls,
                o.calls / activity.calls if activity.calls else None,
                o.talk_s,
            ]
            for o in activity.outcomes
        ]
        + [
            [tr("Follow-ups done"), activity.follow_ups.done, None, None],
            [tr("Follow-ups missed"), activity.follow_ups.missed, None, None],
            [tr("Follow-ups still to come"), activity.follow_ups.coming, None, None],
        ],
    )
    temperatures = (Temperature.HOT, Temperature.WARM, Temperature.COLD)
    pipe = SheetTable(
        tr("Pipeline"),
        [
            SheetColumn(tr("Stage"), CellKind.TEXT, 16),
            *(SheetColumn(temperature_label(t), CellKind.COUNT) for t in temperatures),
            SheetColumn(tr("Total"), CellKind.COUNT),
        ],
        [
            [
                stage_label(stage),
                *(pipeline.by_temperature[stage][t] for t in temperatures),
                sum(pipeline.by_temperature[stage].values()),
            ]
            for stage in (Stage.LEAD, Stage.PROSPECT)
        ],
    )
    scores = SheetTable(
        tr("Engagement scores"),
        [
            SheetColumn(tr("Score"), CellKind.TEXT),
            SheetColumn(tr("Leads and prospects"), CellKind.COUNT, 20),
        ],
        [
            [f"{low}–{low + 9}" if low < 90 else "90–100", count]
            for low, count in pipeline.score_buckets
        ],
    )
    about = SheetTable(
        tr("About"),
        [SheetColumn(tr("Report"), CellKind.TEXT, 30), SheetColumn("", CellKind.TEXT, 90)],
        [[tr("Period"), period]],
    )
    return [sources, funnel, calls, outcomes, pipe, scores, about]
