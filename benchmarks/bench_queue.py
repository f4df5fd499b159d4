"""Benchmark the call queue over a big database: outcome logged -> next card painted.

    python benchmarks/bench_queue.py --rows 1000000

Uses the cached generated database (bench-data/, made by fill_database.py), copied so the
calls logged here never change it. In a fresh process the real window works one list and then
"All contacts": each step logs an outcome through the page (as the outcome key does), which
moves the queue on, and the time runs until the next contact's name is painted (the event
loop runs as in the app: pending layouts, then one paint of whatever changed). Some steps
are call-backs whose time has come, so all three bands of the queue are exercised.
Prints JSON lines {"name", "value", "unit"}: next_contact_p50_ms, next_contact_p95_ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from fill_database import ensure_database  # noqa: E402

OUTCOMES = ("no_answer", "busy", "voicemail", "talked", "wrong_number", "send_info")


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def measure_in_process(db: Path, steps: int) -> dict[str, list[float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QSettings
    from PySide6.QtWidgets import QApplication

    from prospector.domain.outcomes import CallOutcome
    from prospector.services.workspace import open_workspace
    from prospector.ui.app import make_application
    from prospector.ui.windows.main_window import MainWindow

    class PaintWatch(QObject):
        """Truthy once the watched widget (the contact's name) has been painted."""

        def __init__(self, widget: QObject) -> None:
            super().__init__(widget)
            self.seen = False
            widget.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.seen = True
            return False

        def clear(self) -> None:
            self.seen = False

        def __bool__(self) -> bool:
            return self.seen

    app = make_application()  # noqa: F841  (kept alive for the whole measurement)
    ws = open_workspace(db, backups=False)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ws, settings)
    window.resize(1280, 800)
    window.show()
    window.show_page("queue")
    QApplication.processEvents()
    page = window.call_queue_page
    combo = page.chooser.combo
    painted = PaintWatch(page.card.name)
    timings: dict[str, list[float]] = {}
    for label in ("List 07", "All contacts"):
        combo.setCurrentIndex(combo.findText(label))
        QApplication.processEvents()
        page.start()
        QApplication.processEvents()
        times = timings.setdefault(label, [])
        for step in range(steps + 5):
            outcome = CallOutcome(OUTCOMES[step % len(OUTCOMES)])
            painted.clear()
            shown = page.card.name.text()
            start = time.perf_counter()
            page.log(outcome)
            if page.card.name.text() == shown:  # a namesake: nothing new to paint, no sample
                QApplication.processEvents()
                continue
            while not painted:  # as the event loop runs it: layout, then one paint of what changed
                QApplication.processEvents()
            if step >= 5:  # the first few warm caches up
                times.append((time.perf_counter() - start) * 1000)
            assert page.card_data is not None, "the queue ran dry"
    ws.close()
    return timings


def add_due_call_backs(db: Path, count: int) -> None:
    """Call-backs already due for contacts of one list, so the first band is measured too."""
    import sqlite3
    import uuid

    conn = sqlite3.connect(db)
    with conn:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT c.id FROM contacts c JOIN sources s ON s.id = c.source_id"
                " WHERE s.name = 'List 07' AND c.stage IN ('suspect', 'lead')"
                " AND c.do_not_call = 0 ORDER BY c.id DESC LIMIT ?",
                (count,),
            )
        ]
        conn.executemany(
            "INSERT INTO reminders (uuid, contact_id, due_at, kind, text, created_at)"
            " VALUES (?, ?, '2026-01-01 09:00:00.000000', 'call_back', 'Call back',"
            " '2026-01-01 08:00:00.000000')",
            [(str(uuid.uuid4()), contact_id) for contact_id in ids],
        )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_in_process(args.measure, args.steps)))
        return
    base = ensure_database(args.rows, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "queue.sqlite"
        shutil.copy(base, db)
        add_due_call_backs(db, count=20)
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(db), "--steps", str(args.steps)],
            capture_output=True,
            text=True,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PROSPECTOR_HOME=folder),
            check=False,
        )
        if child.returncode != 0:
            raise SystemExit(child.stderr)
    timings = json.loads(child.stdout.strip().splitlines()[-1])
    every = [t for times in timings.values() for t in times]
    emit("next_contact_p50_ms", statistics.median(every), "ms")
    emit("next_contact_p95_ms", statistics.quantiles(every, n=20)[18], "ms")


if __name__ == "__main__":
    main()
