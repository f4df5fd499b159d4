"""The reports over a real database: a hand-built office whose every figure is known.

List A (100 contacts, cost 50.00 EUR): 40 reached (25 leads, 5 prospects, 10 not interested),
10 junk (6 wrong numbers, 4 disqualified by hand), 30 unanswered, 20 never called.
List B (50, no cost entered): 10 leads, 15 wrong numbers, 5 unanswered, 20 never called.
List C (30, cost 200.00): nobody called yet.
List D (40, cost 100.00): 10 added in January never called; 30 added in February of which
2 prospects and 18 unanswered.
No list: 2 contacts typed in, one of them a lead.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import insert, text

from prospector.domain.reports import FunnelStep, Grade, Money, Period, ReportFilter
from prospector.errors import ValidationError
from prospector.services.reports import (
    CellKind,
    ReportNotSaved,
    ReportService,
    SheetColumn,
    SheetTable,
)
from prospector.services.workspace import Workspace
from prospector.storage import tables as t
from prospector.storage.report_repository import CALLS_REPORT_INDEX, CONTACTS_REPORT_INDEX

PARIS = ZoneInfo("Europe/Paris")
JAN = datetime(2026, 1, 10, 9, tzinfo=UTC)
FEB = datetime(2026, 2, 20, 9, tzinfo=UTC)
MAR = datetime(2026, 3, 10, 9, tzinfo=UTC)
# The indexes benchmarks/bench_reports.py proposes (not in the schema): the same figures must
# come out with them.
REPORT_INDEXES = (CONTACTS_REPORT_INDEX, CALLS_REPORT_INDEX)  # migration 0008


@dataclass
class Office:
    ws: Workspace
    lists: dict[str, int]
    contacts: dict[str, list[int]]

    def add(
        self,
        name: str,
        source: str | None,
        count: int,
        stage: str,
        outcome: str | None = None,
        *,
        added: datetime = JAN,
        temperature: str = "cold",
        score: int = 0,
    ) -> list[int]:
        ids = []
        with self.ws.database.sessions.begin() as session:
            for _ in range(count):
                row = session.execute(
                    insert(t.Contact.__table__).values(
                        uuid=str(uuid.uuid4()),
                        first_name=name,
                        stage=stage,
                        temperature=temperature,
                        score=score,
                        do_not_call=stage == "do_not_call",
                        source_id=self.lists[source] if source else None,
                        last_outcome=outcome,
                        last_called_at=added + timedelta(days=1) if outcome else None,
                        call_attempts=0,
                        created_at=added,
                        updated_at=added,
                    )
                )
                ids.append(row.inserted_primary_key[0])
        self.contacts.setdefault(name, []).extend(ids)
        return ids


def call(ws: Workspace, contact_id: int, at: datetime, outcome: str, seconds: int) -> None:
    with ws.database.sessions.begin() as session:
        session.execute(
            insert(t.CallLog.__table__).values(
                uuid=str(uuid.uuid4()),
                contact_id=contact_id,
                started_at=at,
                duration_s=seconds,
                outcome=outcome,
            )
        )


def reminder(ws: Workspace, contact_id: int, due: datetime, done: datetime | None) -> None:
    with ws.database.sessions.begin() as session:
        session.execute(
            insert(t.Reminder.__table__).values(
                uuid=str(uuid.uuid4()),
                contact_id=contact_id,
                due_at=due,
                kind="call_back",
                done_at=done,
                created_at=due - timedelta(days=3),
            )
        )


@pytest.fixture
def office(workspace: Workspace) -> Iterator[Office]:
    workspace.reports.set_zone(PARIS)
    lists = {
        "A": workspace.sources.add("A", "purchased_list", cost_cents=5000, currency="EUR"),
        "B": workspace.sources.add("B", "directory"),
        "C": workspace.sources.add("C", "purchased_list", cost_cents=20000, currency="EUR"),
        "D": workspace.sources.add("D", "purchased_list", cost_cents=10000, currency="EUR"),
    }
    o = Office(workspace, lists, {})
    o.add("a-lead", "A", 25, "lead", "talked", temperature="warm", score=40)
    o.add("a-prospect", "A", 5, "prospect", "talked", temperature="hot", score=80)
    o.add("a-no", "A", 10, "not_interested", "not_interested")
    o.add("a-wrong", "A", 6, "suspect", "wrong_number")
    o.add("a-disq", "A", 4, "disqualified")
    o.add("a-unanswered", "A", 30, "suspect", "no_answer")
    o.add("a-new", "A", 20, "suspect")
    o.add("b-lead", "B", 10, "lead", "call_back", added=FEB, score=10)
    o.add("b-wrong", "B", 15, "suspect", "wrong_number", added=FEB)
    o.add("b-unanswered", "B", 5, "suspect", "voicemail", added=FEB)
    o.add("b-new", "B", 20, "suspect", added=FEB)
    o.add("c-new", "C", 30, "suspect", added=MAR)
    o.add("d-january", "D", 10, "suspect")
    o.add("d-prospect", "D", 2, "prospect", "talked", added=FEB, temperature="hot", score=100)
    o.add("d-unanswered", "D", 18, "suspect", "busy", added=FEB)
    o.add("d-new", "D", 10, "suspect", added=FEB)
    o.add("typed-lead", None, 1, "lead", "send_info", added=MAR)
    o.add("typed", None, 1, "suspect", added=MAR)
    yield o


def by_name(lists):
    return {s.name: s for s in lists.sources}


def test_each_lists_figures_over_all_time(office: Office):
    lists = office.ws.reports.lists(ReportFilter())
    found = by_name(lists)
    a = found["A"]
    assert (a.contacts, a.called, a.reached, a.junk, a.prospects, a.customers) == (
        100,
        80,
        40,
        10,
        5,
        0,
    )
    assert a.cost == Money(5000, "EUR")
    assert a.cost_per_prospect == Money(1000, "EUR")  # 50.00 / 5 prospects = 10.00
    assert a.cost_per_reached == Money(125, "EUR")
    assert a.cost_per_customer is None  # no customer yet
    assert (a.reached_rate, a.junk_rate, a.prospect_rate) == (0.5, 0.125, 0.0625)
    # B on its own figures; a prospect at 10.00 is at most half the median (10.00 and 50.00).
    assert a.grade == Grade.A

    b = found["B"]
    assert (b.contacts, b.called, b.reached, b.junk, b.prospects) == (50, 30, 10, 15, 0)
    assert b.cost is None and b.cost_per_reached is None and b.cost_per_prospect is None
    assert b.junk_rate == 0.5 and b.grade == Grade.D

    c = found["C"]
    assert (c.contacts, c.called, c.reached) == (30, 0, 0)
    assert c.cost == Money(20000, "EUR")
    assert c.cost_per_reached is None  # nobody reached: no figure, not infinity
    assert c.reached_rate is None and c.grade is None

    d = found["D"]
    assert (d.contacts, d.called, d.prospects) == (40, 20, 2)
    assert d.cost_per_prospect == Money(5000, "EUR")

    typed = lists.sources[-1]
    assert typed.name is None and typed.source_id is None  # no list: last
    assert (typed.contacts, typed.reached, typed.cost) == (2, 1, None)
    assert [s.name for s in lists.sources] == ["A", "B", "C", "D", None]

    counts = {s.step: s.count for s in lists.funnel.stages}
    assert counts == {
        FunnelStep.CONTACTS: 222,
        FunnelStep.CALLED: 131,
        FunnelStep.REACHED: 53,
        FunnelStep.PROSPECTS: 7,
        FunnelStep.CUSTOMERS: 0,
    }
    assert lists.funnel.junk == 25
    assert lists.funnel.stages[2].from_previous == pytest.approx(53 / 131)


def test_a_period_counts_the_contacts_added_in_it_and_their_share_of_the_cost(office: Office):
    february = ReportFilter(date(2026, 2, 1), date(2026, 2, 28))
    found = by_name(office.ws.reports.lists(february))
    assert set(found) == {"B", "D"}
    d = found["D"]
    assert (d.contacts, d.called, d.prospects) == (30, 20, 2)
    assert d.cost == Money(7500, "EUR")  # 30 of its 40 contacts: three quarters of 100.00
    assert d.cost_per_prospect == Money(3750, "EUR")
    assert office.ws.reports.lists(ReportFilter(date(2025, 1, 1), date(2025, 12, 31))).sources == ()


def test_one_list(office: Office):
    lists = office.ws.reports.lists(ReportFilter(source_id=office.lists["A"]))
    assert [s.name for s in lists.sources] == ["A"]
    assert lists.funnel.count(FunnelStep.REACHED) == 40
    pipe = office.ws.reports.pipeline(ReportFilter(source_id=office.lists["A"]))
    assert pipe.total == 30


def test_the_pipeline_counts_leads_and_prospects(office: Office):
    pipe = office.ws.reports.pipeline(ReportFilter())
    assert pipe.total == 25 + 5 + 10 + 2 + 1
    assert pipe.by_temperature["prospect"]["hot"] == 7
    assert pipe.by_temperature["lead"]["warm"] == 25
    scores = dict(pipe.score_buckets)
    assert (scores[0], scores[10], scores[40], scores[80], scores[90]) == (1, 10, 25, 5, 2)
    assert pipe.average_score == pytest.approx((25 * 40 + 5 * 80 + 10 * 10 + 2 * 100) / 43)


def test_a_period_that_ends_before_it_starts_is_refused(office: Office):
    with pytest.raises(ValidationError):
        office.ws.reports.lists(ReportFilter(date(2026, 3, 2), date(2026, 3, 1)))


@pytest.fixture
def calls(office: Office, clock) -> Office:
    """Calls in Paris's first week of March (clock: 16 March 2026, 10:30 in Paris)."""
    ws = office.ws
    lead, other = office.contacts["a-lead"][0], office.contacts["b-lead"][0]
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    call(ws, lead, monday, "no_answer", 20)
    call(ws, lead, monday + timedelta(hours=2), "talked", 300)
    call(ws, other, monday + timedelta(hours=3), "wrong_number", 10)
    call(ws, other, datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "talked", 600)  # Tue, 00:30 Paris
    call(ws, lead, datetime(2026, 3, 6, 16, tzinfo=UTC), "call_back", 120)
    call(ws, lead, datetime(2026, 1, 5, 9, tzinfo=UTC), "voicemail", 15)  # long before
    reminder(ws, lead, datetime(2026, 3, 3, 9, tzinfo=UTC), datetime(2026, 3, 3, 10, tzinfo=UTC))
    reminder(ws, lead, datetime(2026, 3, 4, 9, tzinfo=UTC), None)  # missed
    reminder(ws, other, datetime(2026, 3, 20, 9, tzinfo=UTC), None)  # still to come
    return office


def test_activity_per_day_outcome_and_follow_up(calls: Office):
    week = ReportFilter(date(2026, 3, 2), date(2026, 3, 8))
    activity = calls.ws.reports.activity(week)
    assert activity.period == Period.DAY
    assert [p.first_day.day for p in activity.periods] == [2, 3, 4, 5, 6, 7, 8]
    assert [p.calls for p in activity.periods] == [3, 1, 0, 0, 1, 0, 0]
    assert [p.reached for p in activity.periods] == [1, 1, 0, 0, 1, 0, 0]
    assert {o.outcome: o.calls for o in activity.outcomes} == {
        "talked": 2,
        "no_answer": 1,
        "wrong_number": 1,
        "call_back": 1,
    }
    assert activity.outcomes[0].outcome == "talked"  # most frequent first
    assert activity.talk_s == 20 + 300 + 10 + 600 + 120
    assert activity.average_talk_s == (300 + 600 + 120) / 3
    assert (activity.follow_ups.done, activity.follow_ups.missed) == (1, 1)
    assert activity.follow_ups.coming == 0  # the 20 March one is after this week

    march = calls.ws.reports.activity(ReportFilter(date(2026, 3, 1), date(2026, 3, 31)))
    assert march.follow_ups.coming == 1
    one_list = calls.ws.reports.activity(ReportFilter(source_id=calls.lists["B"]))
    assert one_list.calls == 2
    assert [p.calls for p in one_list.periods if p.calls] == [1, 1]  # Monday, and Tuesday


def test_all_time_runs_from_the_first_call_to_today_in_weeks(calls: Office):
    activity = calls.ws.reports.activity(ReportFilter())
    assert activity.period == Period.WEEK
    assert activity.periods[0].first_day == date(2026, 1, 5)
    assert activity.periods[-1].first_day == date(2026, 3, 16)  # the week of today
    assert sum(p.calls for p in activity.periods) == activity.calls == 6


def test_no_calls_yet(office: Office):
    activity = office.ws.reports.activity(ReportFilter())
    assert activity.periods == () and activity.calls == 0 and activity.average_talk_s is None
    week = office.ws.reports.activity(ReportFilter(date(2026, 3, 2), date(2026, 3, 8)))
    assert [p.calls for p in week.periods] == [0] * 7


def test_the_report_indexes_give_the_same_figures_as_the_table_scans(calls: Office, clock):
    filters = [
        ReportFilter(),
        ReportFilter(date(2026, 2, 1), date(2026, 2, 28)),
        ReportFilter(date(2026, 3, 2), date(2026, 3, 8)),
        ReportFilter(source_id=calls.lists["A"]),
    ]
    indexed = [calls.ws.reports.report(f) for f in filters]
    with calls.ws.database.sessions.begin() as session:
        for name in REPORT_INDEXES:
            session.execute(text(f"DROP INDEX {name}"))
    scanning = ReportService(calls.ws.database.sessions, clock, PARIS)  # looks the indexes up
    scanned = [scanning.report(f) for f in filters]
    assert [(r.lists, r.activity, r.pipeline) for r in scanned] == [
        (r.lists, r.activity, r.pipeline) for r in indexed
    ]


def test_the_tables_go_to_excel_as_numbers_and_safe_text(workspace: Workspace, tmp_path: Path):
    path = tmp_path / "report.xlsx"
    tables = [
        SheetTable(
            "Lists",
            [
                SheetColumn("List"),
                SheetColumn("Contacts", CellKind.COUNT),
                SheetColumn("Reached", CellKind.PERCENT),
                SheetColumn("Cost", CellKind.MONEY),
                SheetColumn("Talk", CellKind.DURATION),
                SheetColumn("Day", CellKind.DATE),
            ],
            [
                ['=HYPERLINK("http://x","cheap")', 100, 0.5, (5000, "EUR"), 3600, date(2026, 3, 2)],
                ["No cost", 3, None, None, 0, None],
            ],
        ),
        SheetTable("Lists", [SheetColumn("Again")], [["same title"]]),
    ]
    workspace.reports.export_xlsx(path, tables)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lists", "Lists (2)"]
    sheet = book["Lists"]
    assert [c.value for c in sheet[1]] == ["List", "Contacts", "Reached", "Cost", "Talk", "Day"]
    name, contacts, reached, cost, talk, day = sheet[2]
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK")  # text, not a formula
    assert name.quotePrefix
    assert (contacts.value, reached.value, cost.value) == (100, 0.5, 50.0)
    assert reached.number_format == "0.0%" and '"EUR"' in cost.number_format
    assert talk.value == timedelta(hours=1) and talk.number_format == "[h]:mm:ss"
    assert day.value.date() == date(2026, 3, 2)
    assert [c.value for c in sheet[3]][2:4] == [None, None]  # nothing to show: empty, not 0


def test_a_workbook_that_cannot_be_written_says_why_and_leaves_the_old_file(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "out"
    folder.mkdir()
    table = [SheetTable("T", [SheetColumn("x")], [["1"]])]
    with pytest.raises(ReportNotSaved) as missing:
        workspace.reports.export_xlsx(folder / "no such folder" / "r.xlsx", table)
    assert missing.value.reason == "folder_missing"
    assert "folder does not exist" in missing.value.user_message()
    (folder / "taken").mkdir()
    with pytest.raises(ReportNotSaved) as taken:
        workspace.reports.export_xlsx(folder / "taken", table)
    assert taken.value.reason == "is_folder"

    old = folder / "report.xlsx"
    workspace.reports.export_xlsx(old, table)
    before = old.read_bytes()

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ReportNotSaved) as full:
        workspace.reports.export_xlsx(old, table)
    assert full.value.reason == "disk_full"
    assert old.read_bytes() == before  # the last good workbook is still there
    assert sorted(p.name for p in folder.iterdir()) == ["report.xlsx", "taken"]  # no leftovers
