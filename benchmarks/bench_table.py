"""Benchmark the contact table over a big database.

    python benchmarks/bench_table.py --rows 1000000

Fills (once, cached under bench-data/) a database with generated leads, then measures in fresh
processes and prints JSON lines {"name", "value", "unit"}:
cold_start_ms, first_paint_ms, scroll_to_end_ms, search_p50_ms, search_p95_ms, peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def search_queries(db: Path, count: int, seed: int) -> list[str]:
    """Type-ahead prefixes (3 to 6 letters) of real names, companies and cities in the data."""
    import sqlite3

    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    total = conn.execute("SELECT max(id) FROM contacts").fetchone()[0]
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        row = conn.execute(
            "SELECT last_name, company, city FROM contacts WHERE id >= ? LIMIT 1",
            (rng.randint(1, total),),
        ).fetchone()
        word = rng.choice([w for w in row if w]) if row and any(row) else None
        if word:
            word = word.split()[0]
            if len(word) >= 3:
                queries.append(word[: rng.randint(3, min(6, len(word)))])
    conn.close()
    return queries


def measure_in_process(db: Path, queries: list[str]) -> dict[str, float]:
    """Runs in a fresh process: open the real window over the database and time it."""
    import resource

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from prospector.domain.query import ContactQuery
    from prospector.services.workspace import open_workspace
    from prospector.ui.app import make_application
    from prospector.ui.windows.main_window import MainWindow

    app = make_application()  # noqa: F841  (kept alive for the whole measurement)
    ws = open_workspace(db, backups=False)
    settings_file = Path(tempfile.mkdtemp()) / "bench.ini"
    window = MainWindow(ws, QSettings(str(settings_file), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    QApplication.processEvents()
    page = window.contacts_page
    view = page.table
    model = page.model

    def painted() -> None:
        view.viewport().repaint()
        QApplication.processEvents()

    # first paint: a fresh query set on the model until its rows are on screen
    firsts = []
    for _ in range(5):
        start = time.perf_counter()
        model.set_query(ContactQuery())
        painted()
        firsts.append((time.perf_counter() - start) * 1000)
    assert model.rowCount() > 0

    scrolls = []
    for _ in range(5):
        view.scrollToTop()
        painted()
        start = time.perf_counter()
        view.scrollToBottom()
        painted()
        scrolls.append((time.perf_counter() - start) * 1000)
    last = model.data(model.index(model.rowCount() - 1, 0))
    assert last is not None

    searches = []
    for query in queries:
        page.search.setText(query)
        start = time.perf_counter()
        page.apply_filters()  # what the debounce timer triggers
        painted()
        searches.append((time.perf_counter() - start) * 1000)
    page.search.setText("")
    page.apply_filters()

    ws.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "first_paint_ms": statistics.median(firsts),
        "scroll_to_end_ms": statistics.median(scrolls),
        "search_p50_ms": statistics.median(searches),
        "search_p95_ms": statistics.quantiles(searches, n=20)[18],
        "peak_rss_mb": peak_kib / 1024,
    }


def cold_start_ms(db: Path) -> float:
    """Process start to the first painted main window, over the database."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PROSPECTOR_EXIT_AFTER_FIRST_PAINT="1")
    env["PROSPECTOR_HOME"] = tempfile.mkdtemp()  # own settings and logs, not the user's
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "prospector", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("first-paint"):
            elapsed = (time.perf_counter() - start) * 1000
            break
    else:
        raise RuntimeError("the window never reported its first paint")
    proc.wait(timeout=60)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # the child process
        queries = json.loads(os.environ["BENCH_QUERIES"])
        print(json.dumps(measure_in_process(args.measure, queries)))
        return

    db = ensure_database(args.rows, args.seed)
    queries = search_queries(db, args.queries, args.seed)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(db)],
        capture_output=True,
        text=True,
        env=dict(os.environ, BENCH_QUERIES=json.dumps(queries), QT_QPA_PLATFORM="offscreen"),
        check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    colds = [cold_start_ms(db) for _ in range(3)]
    emit("cold_start_ms", statistics.median(colds), "ms")
    emit("first_paint_ms", figures["first_paint_ms"], "ms")
    emit("scroll_to_end_ms", figures["scroll_to_end_ms"], "ms")
    emit("search_p50_ms", figures["search_p50_ms"], "ms")
    emit("search_p95_ms", figures["search_p95_ms"], "ms")
    emit("peak_rss_mb", figures["peak_rss_mb"], "MB")


if __name__ == "__main__":
    main()
