"""Benchmark importing lead lists into a database that already holds contacts.

    python benchmarks/bench_import.py --rows 100000
    python benchmarks/bench_import.py --rows 1000000 --csv-only

Each figure is measured in a fresh process, into a copy of a database holding 100,000
contacts, cleaning, duplicate checks and the search index included. peak_rss_mb is the highest
resident memory of the import's processes together (it cleans in a second process), sampled
(see tree_memory.py). Prints JSON lines {"name", "value", "unit"}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from tree_memory import TreeMemory  # noqa: E402 - beside this script, light (see child())

BASE_CONTACTS = 100_000
BENCH_DIR = ROOT / "bench-data"  # as fill_database.BENCH_DIR (imported lazily: see child())


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def list_file(rows: int, suffix: str) -> Path:
    """A generated list (seed 2024, another seed than the database's), cached."""
    import leadgen

    path = BENCH_DIR / f"leads-{rows}.{suffix}"
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        generated = leadgen.generate_leads(rows, seed=2024)
        if suffix == "xlsx":
            leadgen.write_xlsx(partial, generated)
        else:
            leadgen.write_csv(partial, generated)
        partial.rename(path)
    return path


def child(kind: str, path: Path, db: Path) -> dict[str, float]:
    """Runs in a fresh process: one measurement.

    This script is the measured process's main module, which the import's spawned cleaning
    worker imports again: so nothing heavy is imported at its top (fill_database would bring
    SQLAlchemy and the migrations into the worker, ~40 MB the import itself does not need).
    """
    if kind == "bare":
        from python_calamine import CalamineWorkbook

        start = time.perf_counter()
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        count = sum(1 for _row in (tuple(r) for r in sheet.iter_rows()))
        return {"seconds": time.perf_counter() - start, "rows": count - 1}

    from prospector.services.imports import ImportRequest
    from prospector.services.workspace import open_workspace

    ws = open_workspace(db, backups=False)
    ws.settings.set_default_country("FR")
    with TreeMemory() as memory:
        start = time.perf_counter()
        last = deque(ws.imports.run_import(ImportRequest(path, f"Bench {kind}")), maxlen=1)[0]
        seconds = time.perf_counter() - start
    ws.close()
    assert last.status == "completed", last
    return {"seconds": seconds, "rows": last.rows_read, "peak_rss_mb": memory.peak}


def measure(kind: str, path: Path, base: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite"
        if base is not None:
            shutil.copy(base, db)
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path), str(db)],
            capture_output=True,
            text=True,
            env=dict(os.environ, PROSPECTOR_HOME=folder),
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv-only", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, db = args.child
        print(json.dumps(child(kind, Path(path), Path(db))))
        return

    from fill_database import ensure_database

    base = ensure_database(BASE_CONTACTS, seed=42)
    peaks = []
    if not args.csv_only:
        xlsx = list_file(args.rows, "xlsx")
        bare = measure("bare", xlsx, None)
        imported = measure("xlsx", xlsx, base)
        peaks.append(imported["peak_rss_mb"])
        emit("xlsx_import_rows_per_s", imported["rows"] / imported["seconds"], "rows/s")
        emit("xlsx_bare_read_rows_per_s", bare["rows"] / bare["seconds"], "rows/s")
        emit("xlsx_import_over_bare_read", imported["seconds"] / bare["seconds"], "ratio")
    csv_file = list_file(args.rows, "csv")
    imported = measure("csv", csv_file, base)
    peaks.append(imported["peak_rss_mb"])
    emit("csv_import_rows_per_s", imported["rows"] / imported["seconds"], "rows/s")
    emit("peak_rss_mb", max(peaks), "MB")


if __name__ == "__main__":
    main()
