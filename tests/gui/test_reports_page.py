"""The Reports page: the charts show the service's figures, follow the filter, and export.

The office: list "Fair" (cost 60.00 EUR) with 6 contacts, list "Directory" (no cost) with 4;
calls logged through the call queue on 2 and 3 March 2026 (the test clock says 16 March).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.reports import PeriodPreset
from prospector.domain.stages import Stage, Temperature
from prospector.ui.widgets.reports_page import ReportsPage
from prospector.ui.windows.main_window import MainWindow

MONDAY = datetime(2026, 3, 2, 10, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 14, tzinfo=UTC)


@pytest.fixture
def office(workspace) -> dict[str, int]:
    ws = workspace
    fair = ws.sources.add("Fair", "event", cost_cents=6000, currency="EUR")
    directory = ws.sources.add("Directory", "directory")

    def add(name: str, source: int, **fields: object) -> int:
        return ws.contacts.add(
            ContactFields(first_name=name, last_name="X", source_id=source, **fields)
        ).id  # type: ignore[arg-type]

    fair_ids = [add(f"F{n}", fair) for n in range(4)]
    add("F-prospect", fair, stage=Stage.PROSPECT, temperature=Temperature.HOT)
    add("F-customer", fair, stage=Stage.CUSTOMER)
    dir_ids = [add(f"D{n}", directory) for n in range(4)]
    log = ws.queue.log_outcome
    log(fair_ids[0], CallOutcome.TALKED, started_at=MONDAY, duration_s=300)
    log(fair_ids[1], CallOutcome.TALKED, started_at=MONDAY, duration_s=200)
    log(fair_ids[2], CallOutcome.NO_ANSWER, started_at=TUESDAY, duration_s=20)
    log(dir_ids[0], CallOutcome.WRONG_NUMBER, started_at=TUESDAY, duration_s=15)
    log(dir_ids[1], CallOutcome.WRONG_NUMBER, started_at=TUESDAY, duration_s=15)
    log(dir_ids[2], CallOutcome.TALKED, started_at=TUESDAY, duration_s=400)
    return {"fair": fair, "directory": directory}


@pytest.fixture
def open_reports(qtbot, workspace, settings, clock) -> Iterator[Callable[[], ReportsPage]]:
    def make() -> ReportsPage:
        window = MainWindow(workspace, settings, clock=clock)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        page = window.reports_page
        workspace.reports.set_zone(ZoneInfo("Europe/Paris"))
        with qtbot.waitSignal(page.report_shown, timeout=15_000):
            window.show_page("reports")
        return page

    yield make


def values(chart) -> list[list[float]]:
    return [list(s.values) for s in chart.series()]


def wait_for_report(qtbot, page: ReportsPage, change: Callable[[], object]) -> None:
    with qtbot.waitSignal(page.report_shown, timeout=15_000):
        change()


def test_the_charts_show_the_figures_and_follow_the_filter(qtbot, open_reports, office):
    page = open_reports()
    window = page.window()
    assert window.sidebar.item(window.sidebar.count() - 1).text() == "Reports"
    assert page.preset() == PeriodPreset.ALL_TIME

    funnel = page.funnel_view.chart
    assert funnel.categories() == ("On the list", "Called", "Reached", "Prospect", "Customer")
    # 10 contacts; 6 called (queue) ... the prospect and customer count as worked; 3 reached by
    # phone plus the prospect and the customer; prospects include the customer.
    assert values(funnel) == [[10.0, 8.0, 5.0, 2.0, 1.0]]
    assert "of those called" in funnel.rows()[2].note

    lists = page.lists_view
    assert lists.chart.categories() == ("Fair", "Directory")  # prospect rate, best first
    assert values(lists.chart) == [[pytest.approx(2 / 5), 0.0]]
    rows = {r[0]: r for r in lists.table_rows()}
    assert rows["Fair"][1:4] == ["6", "5", "80%"]
    assert rows["Fair"][7] == "60.00 EUR"
    assert rows["Fair"][9] == "30.00 EUR"  # 60.00 over 2 prospects
    assert rows["Directory"][7] == "not entered"
    assert rows["Directory"][9] == "no cost"
    assert rows["Directory"][4] == "67%"  # 2 wrong numbers of 3 called
    assert all(r[11] == "too early" for r in rows.values())  # fewer than 20 called
    lists.set_metric("cost_per_prospect")
    assert lists.chart.categories() == ("Fair",)
    assert values(lists.chart) == [[30.0]]

    activity = page.activity_view
    calls = activity.calls_chart
    assert calls.title() == "Calls per day"  # 2 to 16 March: short enough for days
    assert calls.categories()[:2] == ("2 Mar", "3 Mar")
    answered, not_reached = values(calls)
    assert (answered[:2], not_reached[:2]) == ([2.0, 1.0], [0.0, 3.0])
    assert sum(answered) + sum(not_reached) == 6
    outcomes = dict(
        zip(
            activity.outcomes_chart.categories(),
            map(sum, zip(*values(activity.outcomes_chart), strict=True)),
            strict=True,
        )
    )
    assert outcomes == {"Talked": 3.0, "Wrong number": 2.0, "No answer": 1.0}
    assert activity.calls_tile.value.text() == "6"
    assert activity.talk_tile.value.text() == "15 min 50 s"

    temperature = page.pipeline_view.temperature_chart
    assert temperature.categories() == ("Lead", "Prospect")
    assert values(temperature) == [[0.0, 1.0], [0.0, 0.0], [3.0, 0.0]]  # hot, warm, cold

    wait_for_report(qtbot, page, lambda: page.set_list(office["directory"]))
    assert values(funnel) == [[4.0, 3.0, 1.0, 0.0, 0.0]]
    assert lists.chart.categories() == ()  # no cost for the directory: nothing to compare
    assert "No list has a cost entered" in lists.chart.empty_text
    assert sum(map(sum, values(calls))) == 3

    wait_for_report(qtbot, page, lambda: page.set_dates(date(2026, 3, 3), date(2026, 3, 9)))
    assert page.preset() == PeriodPreset.CUSTOM
    assert values(funnel) == [[0.0, 0.0, 0.0, 0.0, 0.0]]  # every contact was added on the 16th
    assert not funnel.has_data() and "No contacts were added" in funnel.empty_text
    assert calls.categories()[0] == "3 Mar" and len(calls.categories()) == 7
    assert sum(map(sum, values(calls))) == 3  # the directory's Tuesday calls

    wait_for_report(qtbot, page, lambda: page.set_list(None))
    assert sum(map(sum, values(calls))) == 4


def test_saving_a_chart_the_report_and_its_tables(
    qtbot, open_reports, office, tmp_path, monkeypatch
):
    page = open_reports()
    frame = page.activity_view.calls_frame
    page.tabs.setCurrentWidget(page.activity_view)
    picture = tmp_path / "calls"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(picture), ""))
    )
    frame.save_button.click()
    image = QImage(str(picture) + ".png")  # the extension is added
    assert not image.isNull()
    assert image.width() == 2 * frame.chart.width()  # twice the pixels: sharp when printed

    pdf = tmp_path / "report.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(pdf), ""))
    )
    assert page.pdf_button.isEnabled()
    page.pdf_button.click()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file

    workbook = tmp_path / "report.xlsx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(workbook), ""))
    )
    page.xlsx_button.click()
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[:3] == ["Lists", "Funnel", "Calls per day"]
    sheet = book["Lists"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["List", "Contacts", "Called", "Reached"]
    fair = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}["Fair"]
    assert fair[1:4] == (6, 5, 0.8)
    assert fair[header.index("Per prospect")] == 30.0
    directory = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}["Directory"]
    assert directory[header.index("List cost")] is None  # an empty cell, not 0


def test_an_empty_database_says_what_to_do(qtbot, open_reports):
    page = open_reports()
    assert not page.funnel_view.chart.has_data()
    assert "import a list" in page.funnel_view.chart.empty_text
    assert "All time" in page.funnel_view.chart.empty_text
    assert page.lists_view.table.rowCount() == 0
    activity = page.activity_view
    assert not activity.calls_chart.has_data()
    assert "No calls in this period yet" in activity.calls_chart.empty_text
    assert activity.calls_tile.value.text() == "0"
    assert activity.talk_tile.value.text() == "no calls yet"
    assert activity.average_tile.value.text() == "nobody reached yet"
    assert activity.followups_tile.value.text() == "none due yet"
    assert page.pipeline_view.score_tile.value.text() == "no leads yet"
    shown = [
        tile.value.text() + tile.note.text()
        for tile in page.findChildren(type(activity.calls_tile))
    ]
    assert not [t for t in shown if re.search(r"None|nan|inf", t)]
