"""Render the Reports page offscreen over a made-up office's year, for screenshots and a look.

python scripts/report_screenshots.py [--out FOLDER] [--pdf] [--empty]

Writes one picture per tab (reports-funnel.png …), one per chart (chart-*.png), and with
--pdf the whole report as report.pdf plus its pages as PNG (needs pdftoppm, from poppler-utils).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PROSPECTOR_HOME"] = tempfile.mkdtemp()

from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from prospector.services.workspace import open_workspace  # noqa: E402
from prospector.ui.app import make_application  # noqa: E402
from prospector.ui.windows.main_window import MainWindow  # noqa: E402

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
FIRST = ("Marie", "Paul", "Zoé", "Luc", "Anna", "Hugo", "Léa", "Jean", "Emma", "Louis")
LAST = ("Martin", "Durand", "Petit", "Bernard", "Moreau", "Laurent", "Simon", "Michel")
# name, kind, cost (EUR cents or None), contacts, days ago bought, quality 0..1, junk share
LISTS = (
    ("Chamber of Commerce 2026", "purchased_list", 45_000, 300, 80, 0.55, 0.06),
    ("Yellow pages scrape", "directory", None, 420, 110, 0.25, 0.38),
    ("Trade fair Lyon", "event", 120_000, 90, 50, 0.8, 0.03),
    ("BizData premium", "purchased_list", 90_000, 260, 70, 0.45, 0.12),
    ("Website form", "web_form", None, 45, 40, 0.7, 0.05),
)
UNANSWERED = ("no_answer", "no_answer", "busy", "voicemail", "gatekeeper")


def fill(db: Path, seed: int = 7) -> None:
    """Lists, contacts at every stage, calls over the lists' weeks, follow-ups; all before NOW."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    naive_now = NOW.replace(tzinfo=None)

    def stamp(moment: datetime) -> str:
        return moment.isoformat(sep=" ", timespec="microseconds")

    with conn:
        for name, kind, cost, size, days_ago, quality, junk in LISTS:
            bought = naive_now - timedelta(days=days_ago)
            source_id = conn.execute(
                "INSERT INTO sources (uuid, name, kind, cost_cents, currency, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), name, kind, cost, "EUR" if cost else None, stamp(bought)),
            ).lastrowid
            for _ in range(size):
                added = bought + timedelta(hours=rng.randint(0, 4))
                called = rng.random() < 0.8
                stage, outcome = "suspect", None
                tries = 0
                if called:
                    tries = rng.randint(1, 4)
                    roll = rng.random()
                    if roll < junk:
                        stage, outcome = (
                            ("disqualified", "talked")
                            if rng.random() < 0.4
                            else ("suspect", "wrong_number")
                        )
                    elif roll < junk + quality * 0.6:
                        stage = rng.choices(
                            ("lead", "prospect", "customer", "not_interested", "do_not_call"),
                            weights=(40, 25 * quality, 12 * quality, 18, 3),
                        )[0]
                        outcome = {
                            "lead": rng.choice(("talked", "call_back", "send_info")),
                            "not_interested": "not_interested",
                            "do_not_call": "do_not_call",
                        }.get(stage, "talked")
                    else:
                        outcome = rng.choice(UNANSWERED)
                temperature = (
                    rng.choices(("hot", "warm", "cold"), weights=(2, 4, 5))[0]
                    if stage in ("lead", "prospect")
                    else "cold"
                )
                score = rng.randint(5, 95) if stage in ("lead", "prospect", "customer") else 0
                times = sorted(
                    added + timedelta(days=rng.uniform(0.5, days_ago - 1), hours=rng.randint(0, 8))
                    for _ in range(tries)
                )
                times = [t.replace(hour=8 + rng.randint(0, 9)) for t in times]
                contact_id = conn.execute(
                    "INSERT INTO contacts (uuid, first_name, last_name, company, stage,"
                    " temperature, score, do_not_call, source_id, last_called_at, last_outcome,"
                    " call_attempts, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        str(uuid.uuid4()),
                        rng.choice(FIRST),
                        rng.choice(LAST),
                        f"{rng.choice(LAST)} SARL",
                        stage,
                        temperature,
                        score,
                        int(stage == "do_not_call"),
                        source_id,
                        stamp(times[-1]) if times else None,
                        outcome,
                        0,
                        stamp(added),
                        stamp(added),
                    ),
                ).lastrowid
                for n, when in enumerate(times):
                    last = n == len(times) - 1
                    what = outcome if last else rng.choice(UNANSWERED)
                    reached = what in ("talked", "call_back", "send_info", "not_interested")
                    conn.execute(
                        "INSERT INTO call_logs (uuid, contact_id, started_at, duration_s, outcome)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (
                            str(uuid.uuid4()),
                            contact_id,
                            stamp(when),
                            rng.randint(90, 720) if reached else rng.randint(8, 40),
                            what,
                        ),
                    )
                if outcome in ("call_back", "send_info") and times:
                    due = times[-1] + timedelta(days=rng.randint(1, 20))
                    done = (
                        due + timedelta(hours=2) if due < naive_now and rng.random() < 0.7 else None
                    )
                    conn.execute(
                        "INSERT INTO reminders"
                        " (uuid, contact_id, due_at, kind, done_at, created_at)"
                        " VALUES (?, ?, ?, 'call_back', ?, ?)",
                        (
                            str(uuid.uuid4()),
                            contact_id,
                            stamp(due),
                            done and stamp(done),
                            stamp(times[-1]),
                        ),
                    )
    conn.close()


def settle() -> None:
    for _ in range(5):
        QThreadPool.globalInstance().waitForDone(30_000)
        QApplication.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "reports")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--empty", action="store_true", help="a new database: the empty states")
    parser.add_argument("--width", type=int, default=1360)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    make_application()
    folder = Path(tempfile.mkdtemp())
    db = folder / "Prospector.sqlite"
    open_workspace(db).close()
    if not args.empty:
        fill(db)
    ws = open_workspace(db, clock=lambda: NOW)
    window = MainWindow(
        ws, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), lambda: NOW
    )
    window.resize(args.width, args.height)
    window.show()
    window.show_page("reports")
    settle()
    page = window.reports_page
    for index, name in enumerate(("funnel", "lists", "activity", "pipeline")):
        page.tabs.setCurrentIndex(index)
        settle()
        window.grab().save(str(args.out / f"reports-{name}.png"))
    charts = {
        "funnel": page.funnel_view.frame,
        "lists": page.lists_view.frame,
        "calls": page.activity_view.calls_frame,
        "outcomes": page.activity_view.outcomes_frame,
        "followups": page.activity_view.followups_frame,
        "temperature": page.pipeline_view.temperature_frame,
        "scores": page.pipeline_view.score_frame,
    }
    for name, frame in charts.items():
        frame.save_png(args.out / f"chart-{name}.png")
    if args.pdf:
        pdf = args.out / "report.pdf"
        page.save_pdf(pdf)
        xlsx = args.out / "report.xlsx"
        page.save_xlsx(xlsx)
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", str(pdf), str(args.out / "report-page")],
                check=True,
            )
    print(f"wrote {args.out}")
    window.close()
    ws.close()


if __name__ == "__main__":
    main()
