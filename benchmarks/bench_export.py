"""Benchmark exports of a big database to .xlsx and CSV.

    python benchmarks/bench_export.py --rows 100000

Fills (once, cached under bench-data/) a database with generated leads, copies it, then runs each
measurement in a fresh process and prints JSON lines {"name", "value", "unit"}:

- xlsx_export_rows_per_s, csv_export_rows_per_s: "everything" (every field of every contact, in
  the table's default order, as ``prospector export`` writes it), the service end to end;
- xlsx_view_export_rows_per_s, csv_view_export_rows_per_s: the contact table's nine columns;
- csv_17_export_rows_per_s: the first 17 fields of "everything" (a lead list's own columns,
  then stage, temperature and score): the width of the issue's reference figure for the csv
  module (~230,000 rows/s at 17 columns), beside the 25 of "everything";
- xlsx_openpyxl_write_only_rows_per_s: the same rows as the xlsx export, written by openpyxl's
  write-only mode, timing nothing else (only ``append`` and ``save``); over ``--baseline-rows``
  rows (default: all of them), since its speed does not change with the row count;
- xlsx_vs_openpyxl: the first figure over the baseline (the target is 1.5 or more);
- peak_rss_mb: the highest peak resident memory of an export's processes together (a big CSV
  is written by two at once; see TreeMemory).
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

from tree_memory import TreeMemory, peak_rss_mb  # noqa: E402 - beside this script

VIEW = ("name", "company", "any_phone", "email", "city", "stage", "temperature", "source",
        "next_follow_up")  # fmt: skip


EXPORTS = ("xlsx", "csv", "xlsx_view", "csv_view", "csv_17")


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def measure_export(db: Path, out: Path, kind: str) -> dict[str, float]:
    """In a fresh process: one export through the real service."""
    from prospector.services.export_plan import EVERY_FIELD
    from prospector.services.exports import ExportRequest
    from prospector.services.workspace import open_workspace

    fields = {"view": VIEW, "17": EVERY_FIELD[:17]}.get(kind.partition("_")[2])
    ws = open_workspace(db, backups=False)
    request = ExportRequest(out, fields=fields)
    with TreeMemory() as memory:
        started = time.perf_counter()
        last = deque(ws.exports.run_export(request), maxlen=1)[0]
        seconds = time.perf_counter() - started
    ws.close()
    return {"rows": last.written, "seconds": seconds, "peak_rss_mb": memory.peak}


def measure_openpyxl(db: Path, out: Path, limit: int) -> dict[str, float]:
    """In a fresh process: the export's own rows, handed to openpyxl's write-only mode; only
    openpyxl's calls are timed."""
    from itertools import chain, islice

    import openpyxl

    from prospector.domain.query import ContactQuery
    from prospector.services.export_plan import EVERY_FIELD, ExportLabels, RowPlan
    from prospector.services.workspace import open_workspace
    from prospector.storage.contact_export import ContactExportReader

    ws = open_workspace(db, backups=False)
    with ws.database.sessions() as session:
        reader = ContactExportReader(session)
        query = ContactQuery()
        keys = reader.custom_field_keys(query)
        plan = RowPlan(EVERY_FIELD, keys, ExportLabels(), reader.source_names(), None)
        rows = chain.from_iterable(plan.rows(reader.rows(query, plan.stored)))
        clock = time.perf_counter
        started = clock()
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Contacts")
        sheet.append([c.header for c in plan.columns])
        spent = clock() - started
        count = 0
        for row in islice(rows, limit):
            started = clock()
            sheet.append(row)
            spent += clock() - started
            count += 1
        started = clock()
        book.save(out)
        spent += clock() - started
    ws.close()
    return {"rows": count, "seconds": spent, "peak_rss_mb": peak_rss_mb()}


def _child(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(f"measurement {args[:2]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--baseline-rows", type=int, default=None)
    parser.add_argument("--child", choices=[*EXPORTS, "openpyxl"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:  # one measurement, in this fresh process
        if args.child == "openpyxl":
            result = measure_openpyxl(args.db, args.out, args.baseline_rows or args.rows)
        else:
            result = measure_export(args.db, args.out, args.child)
        print(json.dumps(result))
        return

    # Imported here, not at the top: the CSV export's second process imports this script
    # again (multiprocessing's spawn), and should not pay for the database filler.
    from fill_database import ensure_database

    cached = ensure_database(args.rows, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        db = folder / "contacts.sqlite"
        shutil.copy(cached, db)  # the cached file may be open in another benchmark
        results = {}
        for kind in (*EXPORTS, "openpyxl"):
            out = folder / f"{kind}.{'csv' if kind.startswith('csv') else 'xlsx'}"
            child = ["--child", kind, "--db", str(db), "--out", str(out), "--rows", str(args.rows)]
            if args.baseline_rows:
                child += ["--baseline-rows", str(args.baseline_rows)]
            results[kind] = _child(child)
            out.unlink(missing_ok=True)
        for kind in ("xlsx", "csv"):
            assert results[kind]["rows"] == args.rows, results[kind]
        rate = {k: r["rows"] / r["seconds"] for k, r in results.items()}
        emit("xlsx_export_rows_per_s", rate["xlsx"], "rows/s")
        emit("xlsx_openpyxl_write_only_rows_per_s", rate["openpyxl"], "rows/s")
        emit("xlsx_vs_openpyxl", rate["xlsx"] / rate["openpyxl"], "x")
        emit("csv_export_rows_per_s", rate["csv"], "rows/s")
        emit("xlsx_view_export_rows_per_s", rate["xlsx_view"], "rows/s")
        emit("csv_view_export_rows_per_s", rate["csv_view"], "rows/s")
        emit("csv_17_export_rows_per_s", rate["csv_17"], "rows/s")
        emit("peak_rss_mb", max(results[k]["peak_rss_mb"] for k in EXPORTS), "MB")
        emit("openpyxl_baseline_rows", results["openpyxl"]["rows"], "rows")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PROSPECTOR_HOME", tempfile.mkdtemp(prefix="bench-export-home-"))
    main()
