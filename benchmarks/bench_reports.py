"""Benchmark the reports over a big database: each report counted and drawn.

    python benchmarks/bench_reports.py --rows 1000000 [--proposed-indexes] [--plans]

Uses the cached generated database with call history (bench-data/, made by fill_database.py:
``rows`` contacts in 24 lists, 3 calls a contact on average over a year, their follow-ups),
copied so nothing here changes it. In a fresh process the real Reports page is built
offscreen at window size; each report is counted by the service and drawn (its view filled and
every chart of it painted), as the page does when the report arrives from its worker:

- funnel and lists: one count of the contacts, then the funnel, or the lists' chart and table;
- activity: calls per day or week and per outcome, follow-ups; its three charts;
- pipeline: leads and prospects by temperature and score; its two charts.

Each is measured once cold (the first time the page opens) and then three times; the median
counts. ``--proposed-indexes`` first adds the two covering indexes the storage layer uses when
present (see storage/report_repository.py); ``--plans`` prints SQLite's query plans to stderr.
Prints JSON lines {"name", "value", "unit"}: report_<name>_ms for the default filter (all time,
every list), report_slowest_ms (the slowest of those), report_first_open_ms (everything, cold),
and report_slowest_one_list_ms and report_slowest_last_30_days_ms for the other filters.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_contacts_report ON contacts "
    "(stage, last_outcome, source_id, temperature, score, created_at)",
    "CREATE INDEX IF NOT EXISTS ix_call_logs_report ON call_logs (outcome, started_at, duration_s)",
)
REPEATS = 3
_APP: object = None


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def measure_in_process(db: Path, show_plans: bool) -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from datetime import UTC, datetime

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event

    from prospector.domain.reports import ReportFilter
    from prospector.services.workspace import open_workspace
    from prospector.ui.app import make_application
    from prospector.ui.tasks import TaskRunner
    from prospector.ui.widgets.reports_page import ReportsPage

    global _APP
    _APP = make_application()  # outlives every widget: Qt objects must go before it
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)  # the generated data's "today"
    ws = open_workspace(db, backups=False, clock=lambda: now)
    statements: dict[str, tuple[object, ...]] = {}
    if show_plans:

        @event.listens_for(ws.database.engine, "before_cursor_execute")
        def _seen(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
            statements.setdefault(statement, parameters)

    page = ReportsPage(ws.reports, ws.sources, TaskRunner(), lambda: now)
    page.refresh = lambda: None  # type: ignore[method-assign]  # no worker counting meanwhile
    page.resize(1360, 860)
    page.show()
    QApplication.processEvents()
    reports = ws.reports
    views = {
        "funnel": (page.funnel_view, reports.lists, [page.funnel_view.chart]),
        "lists": (page.lists_view, reports.lists, [page.lists_view.chart, page.lists_view.table]),
        "activity": (
            page.activity_view,
            reports.activity,
            [
                page.activity_view.calls_chart,
                page.activity_view.outcomes_chart,
                page.activity_view.followups_chart,
            ],
        ),
        "pipeline": (
            page.pipeline_view,
            reports.pipeline,
            [page.pipeline_view.temperature_chart, page.pipeline_view.score_chart],
        ),
    }

    def one(name: str, report_filter: ReportFilter) -> float:
        view, compute, widgets = views[name]
        page.tabs.setCurrentWidget(view)
        QApplication.processEvents()
        start = time.perf_counter()
        view.set_data(compute(report_filter))
        for widget in widgets:
            widget.repaint()  # painted now, as the event loop would right after
        return (time.perf_counter() - start) * 1000

    everything = ReportFilter()
    start = time.perf_counter()
    for name in views:
        one(name, everything)
    first_open = (time.perf_counter() - start) * 1000
    results: dict[str, object] = {"first_open": first_open}
    today = now.date()
    filters = {
        "all": everything,
        "one_list": ReportFilter(source_id=ws.sources.find("List 07").id),
        "last_30_days": ReportFilter(today - timedelta(days=29), today),
    }
    for label, report_filter in filters.items():
        results[label] = {
            name: statistics.median(one(name, report_filter) for _ in range(REPEATS))
            for name in views
        }
    if show_plans:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        for sql, params in statements.items():
            if not sql.lstrip().upper().startswith("SELECT") or "sqlite_master" in sql:
                continue
            plan = conn.execute("EXPLAIN QUERY PLAN " + sql, params or ()).fetchall()
            print(" ".join(sql.split())[:160], file=sys.stderr)
            for row in plan:
                print("    " + row[-1], file=sys.stderr)
        conn.close()
    page.close()
    page.deleteLater()
    QApplication.processEvents()
    ws.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--calls", type=int, help="call logs (default: 3 a contact)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--proposed-indexes", action="store_true")
    parser.add_argument("--plans", action="store_true", help="print query plans to stderr")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_in_process(args.measure, args.plans)))
        return
    from fill_database import ensure_activity_database

    base = ensure_activity_database(args.rows, args.seed, args.calls)
    with tempfile.TemporaryDirectory(dir=base.parent) as folder:
        db = Path(folder) / "reports.sqlite"
        shutil.copy(base, db)
        if args.proposed_indexes:
            conn = sqlite3.connect(db)
            for ddl in PROPOSED_INDEXES:
                conn.execute(ddl)
            conn.commit()
            conn.close()
        command = [sys.executable, __file__, "--measure", str(db)]
        child = subprocess.run(
            [*command, *(["--plans"] if args.plans else [])],
            capture_output=True,
            text=True,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PROSPECTOR_HOME=folder),
            check=False,
        )
        if child.returncode != 0:
            raise SystemExit(child.stderr)
        if args.plans:
            print(child.stderr, file=sys.stderr)
    results = json.loads(child.stdout.strip().splitlines()[-1])
    for name, value in results["all"].items():
        emit(f"report_{name}_ms", value, "ms")
    emit("report_slowest_ms", max(results["all"].values()), "ms")
    emit("report_first_open_ms", results["first_open"], "ms")
    emit("report_slowest_one_list_ms", max(results["one_list"].values()), "ms")
    emit("report_slowest_last_30_days_ms", max(results["last_30_days"].values()), "ms")


if __name__ == "__main__":
    main()
