"""The fast import paths give exactly what the plain ones give, and clean up after themselves.

- the contacts INSERT through the driver stores what SQLAlchemy Core would store;
- the cleaning worker process gives the same contacts, problems, duplicates and rejected rows
  as the inline loop, and leaves nothing behind (no rows, no process) when the import is
  cancelled, fails, or is abandoned half way.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import sys
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, update

import prospector.services.imports as imports
from prospector.domain.contacts import ContactFields, phone_digits
from prospector.importers.csv_rows import CsvFileError
from prospector.services.imports import DuplicatePolicy, ImportRequest
from prospector.services.workspace import open_workspace
from prospector.storage import import_repository
from prospector.storage import tables as t

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
TABLES = ("contacts", "sources", "import_runs", "import_merges", "contacts_fts")


def _leads(rows: int, seed: int = 5) -> list[list[str]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import leadgen

    header = [*leadgen.LEAD_COLUMNS, "Value"]
    rng = random.Random(seed)
    values = ("", "", "1 200,50 €", "€1,200.50", "12,5", "test", "-5", "300")
    body = [[*row, rng.choice(values)] for row in leadgen.generate_leads(rows, seed=seed)]
    for at in range(0, rows, max(rows // 12, 1)):  # rows that identify nobody: rejected
        body.insert(at, [""] * 15 + ["note without anyone", "", ""])
    body.insert(rows // 2, ["Ana", "Pop", "", "", "", "", "", "", "", "", "", "", "", ""])
    return [header, *body]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _workspace(template: Path, folder: Path, name: str):
    import shutil

    path = folder / f"{name}.sqlite"
    shutil.copy(template, path)
    ws = open_workspace(path, clock=lambda: NOW, backups=False)
    ws.settings.set_default_country("FR")
    # Contacts the list will meet again: by email, by phone and by name with a like company.
    for index in range(40):
        ws.contacts.add(
            ContactFields(
                first_name=f"Known{index}",
                last_name="Person",
                company=f"Firm {index}",
                email=f"known{index}@example.com",
            )
        )
    return ws


def spy_on_workers(monkeypatch) -> list[object]:
    """The cleaning workers the import starts from now on (their arguments), one per start."""
    started: list[object] = []
    real_worker = imports.CleaningWorker

    def spy(*args, **kwargs):
        started.append(args)
        return real_worker(*args, **kwargs)

    monkeypatch.setattr(imports, "CleaningWorker", spy)
    return started


def _run(ws, request: ImportRequest, **kwargs):
    return deque(ws.imports.run_import(request, **kwargs), maxlen=1)[0]


def _table_rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        names = [r[1] for r in conn.execute("PRAGMA table_info(contacts)") if r[1] != "uuid"]
        typed = ", ".join(f"{n}, typeof({n})" for n in names)
        return {
            "contacts": conn.execute(f"SELECT {typed} FROM contacts ORDER BY id").fetchall(),
            "merges": conn.execute(
                "SELECT import_run_id, contact_id, changes, merged_at FROM import_merges "
                "ORDER BY id"
            ).fetchall(),
            "fts": conn.execute(
                "SELECT rowid, name, company, email, city, phones FROM contacts_fts ORDER BY rowid"
            ).fetchall(),
        }
    finally:
        conn.close()


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in TABLES}
    finally:
        conn.close()


def _no_worker_left() -> bool:
    return not multiprocessing.active_children()


def _result_view(result) -> tuple:
    return (
        result.status,
        result.rows_read,
        result.imported,
        result.merged,
        result.skipped,
        result.rejected,
        result.problems,
        result.duplicates,
        result.rejected_rows,
        result.columns,
    )


# ---------------------------------------------------------------------------------------------


def test_phone_digits_fast_path_gives_what_isdigit_gives():
    def reference(*values):
        tokens: list[str] = []
        for value in values:
            if not value:
                continue
            digits = "".join(ch for ch in value if ch.isdigit())
            if len(digits) >= 3 and digits not in tokens:
                tokens.append(digits)
        return " ".join(tokens) or None

    samples = [
        None,
        "",
        "06 12 34 56 78",
        "+33612345678",
        "(0)4-72.00.00.01 ext 2",
        "١٢٣٤٥٦٧",  # Arabic-Indic digits
        "0612²³45",  # superscripts are digits to isdigit()
        "n/a",
        "12",
    ]
    for a in samples:
        for b in samples:
            assert phone_digits(a, b, a, "+33") == reference(a, b, a, "+33")


def test_the_driver_insert_stores_what_a_core_insert_stores(
    migrated_template: Path, tmp_path: Path, monkeypatch
):
    path = _write_csv(tmp_path / "list.csv", _leads(1500))
    fast = _workspace(migrated_template, tmp_path, "fast")
    core = _workspace(migrated_template, tmp_path, "core")
    written: list[dict] = []

    def core_insert(self, new_rows):
        written.extend(dict(r) for r in new_rows)
        self._s.execute(insert(t.Contact.__table__), new_rows)

    fast_result = _run(fast, ImportRequest(path, "List"))
    monkeypatch.setattr(import_repository.ContactBatchWriter, "_insert", core_insert)
    core_result = _run(core, ImportRequest(path, "List"))
    assert _result_view(fast_result) == _result_view(core_result)
    assert fast_result.imported > 1000 and fast_result.merged > 0
    # Byte for byte (and type for type) the same rows, the search index included.
    assert _table_rows(fast.path) == _table_rows(core.path)
    # Birthdays, amounts, custom fields and times read back the same through the service.
    assert any(r["birthday"] for r in written) and any(r["estimated_value_cents"] for r in written)
    for values in written[::7]:
        a, b = fast.contacts.get(values["id"]), core.contacts.get(values["id"])
        assert (a.fields, a.phone_e164, a.mobile_e164, a.created_at, a.updated_at) == (
            b.fields,
            b.phone_e164,
            b.mobile_e164,
            b.created_at,
            b.updated_at,
        )
        assert a.fields.custom_fields == (values["custom_fields"] or {})
        assert a.created_at == NOW
    fast.close()
    core.close()


def test_the_driver_merge_update_stores_what_a_core_update_stores(
    migrated_template: Path, tmp_path: Path, monkeypatch
):
    # Rows that fill the known contacts' empty fields: phones, birthdays, a custom column; and
    # names and emails into contacts known only by their phone (their name key changes).
    header = ["First name", "Last name", "Company", "Email", "Phone", "Birthday", "Notes"]
    rows = [
        [f"Known{i}", "Person", f"Firm {i}", f"known{i}@example.com", f"06 12 34 56 {i:02d}",
         f"{i % 28 + 1}/05/1980", f"note {i}"]  # fmt: skip
        for i in range(40)
    ]
    rows += [
        ["Solo", f"Owner{i}", "Solo SARL", f"solo{i}@example.com", f"06 99 00 00 {i:02d}", "", ""]
        for i in range(10)
    ]
    path = _write_csv(tmp_path / "list.csv", [header, *rows, *_leads(600)[1:]])
    fast = _workspace(migrated_template, tmp_path, "fast")
    core = _workspace(migrated_template, tmp_path, "core")
    for ws in (fast, core):
        for i in range(10):
            ws.contacts.add(ContactFields(company="Solo SARL", phone=f"06 99 00 00 {i:02d}"))
    changed_columns: set[str] = set()
    contacts = t.Contact.__table__

    def core_update(self, updates):
        for changed, rows in updates.items():
            changed_columns.update(changed)
            stmt = (
                update(contacts)
                .where(contacts.c.id == bindparam("b_id"))
                .values(
                    {name: bindparam(f"v_{name}") for name in changed}
                    | {"updated_at": bindparam("updated_at", type_=contacts.c.updated_at.type)}
                )
            )
            self._s.execute(
                stmt,
                [
                    {"b_id": contact_id, "updated_at": self._now}
                    | {f"v_{name}": values[name] for name in changed}
                    for contact_id, values in rows
                ],
            )

    fast_result = _run(fast, ImportRequest(path, "List"))
    monkeypatch.setattr(import_repository.ContactBatchWriter, "_update", core_update)
    core_result = _run(core, ImportRequest(path, "List"))
    assert _result_view(fast_result) == _result_view(core_result)
    assert fast_result.merged > 0
    # The merges filled typed columns too (dates, JSON), not only text.
    assert {"birthday", "custom_fields", "email", "name_key"} <= changed_columns
    assert _table_rows(fast.path) == _table_rows(core.path)
    fast.close()
    core.close()


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_the_worker_gives_exactly_what_the_inline_loop_gives(
    migrated_template: Path, tmp_path: Path, monkeypatch, suffix: str, dry_run: bool
):
    rows = _leads(2500, seed=11)
    if suffix == "csv":
        path = _write_csv(tmp_path / "list.csv", rows)
    else:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import leadgen

        path = tmp_path / "list.xlsx"
        leadgen.write_xlsx(path, [tuple(r) for r in rows[1:]])  # leadgen writes its header
        rows = None
    request = ImportRequest(
        path,
        "List",
        duplicates=DuplicatePolicy.MERGE,
        decisions={40: DuplicatePolicy.IMPORT, 41: DuplicatePolicy.SKIP},
    )
    started = spy_on_workers(monkeypatch)
    results = {}
    for name, threshold in (("inline", 10**15), ("worker", 0)):
        monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", threshold)
        ws = _workspace(migrated_template, tmp_path, name)
        steps = list(ws.imports.run_import(request, batch_size=300, dry_run=dry_run))
        assert len(started) == (name == "worker")
        results[name] = (
            [(s.status, s.rows_read, s.imported, s.merged, s.skipped, s.rejected) for s in steps],
            _result_view(steps[-1]),
            _table_rows(ws.path),
        )
        ws.close()
        assert _no_worker_left()
    assert results["worker"] == results["inline"]
    steps, final, _rows = results["worker"]
    assert final[0] == ("checked" if dry_run else "completed") and len(steps) > 5
    assert final[5] > 0 and final[6] and final[7]  # rejected rows, problems, duplicates


@pytest.mark.slow
def test_cancelling_the_worker_import_leaves_nothing(migrated_template, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 0)
    path = _write_csv(tmp_path / "list.csv", _leads(3000))
    ws = _workspace(migrated_template, tmp_path, "cancel")
    before = _counts(ws.path)
    asked = {"n": 0}

    def stop() -> bool:
        asked["n"] += 1
        return asked["n"] >= 3

    steps = list(ws.imports.run_import(ImportRequest(path, "L"), should_stop=stop, batch_size=200))
    assert steps[-1].status == "cancelled" and steps[-1].rows_read < 3000
    assert _counts(ws.path) == before
    assert _no_worker_left()
    ws.close()


@pytest.mark.slow
def test_an_abandoned_worker_import_leaves_nothing(migrated_template, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 0)
    path = _write_csv(tmp_path / "list.csv", _leads(3000))
    ws = _workspace(migrated_template, tmp_path, "abandon")
    before = _counts(ws.path)
    steps = ws.imports.run_import(ImportRequest(path, "L"), batch_size=200)
    assert next(steps).status == "running"
    steps.close()  # the window was closed mid-import
    assert _counts(ws.path) == before
    assert _no_worker_left()
    ws.close()


@pytest.mark.slow
def test_a_failure_on_either_side_stops_the_worker_and_leaves_nothing(
    migrated_template, tmp_path, monkeypatch, fail_third_batch
):
    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 0)
    rows = _leads(2000)
    path = _write_csv(tmp_path / "list.csv", rows)
    # A quote that never closes, far down the file: the worker's reader fails there.
    broken = tmp_path / "broken.csv"
    text = path.read_text(encoding="utf-8")
    broken.write_text(text + 'Ana,"Pop,,,,,,,,,,,,,,,\n', encoding="utf-8")
    ws = _workspace(migrated_template, tmp_path, "fail")
    before = _counts(ws.path)

    with pytest.raises(CsvFileError) as failed:
        _run(ws, ImportRequest(broken, "L"), batch_size=200)
    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 10**15)
    with pytest.raises(CsvFileError) as inline:
        _run(ws, ImportRequest(broken, "L"), batch_size=200)
    assert failed.value.user_message() == inline.value.user_message()
    assert (failed.value.problem, failed.value.row) == (inline.value.problem, inline.value.row)
    assert _counts(ws.path) == before
    assert _no_worker_left()

    # And a failure in this process (the writer) stops the worker too.
    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 0)
    fail_third_batch()
    with pytest.raises(OSError):
        _run(ws, ImportRequest(path, "L"), batch_size=200)
    assert _counts(ws.path) == before
    assert _no_worker_left()
    ws.close()
