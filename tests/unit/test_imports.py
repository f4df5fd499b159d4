"""Importing a list end to end: one transaction, duplicates found, Cancel and kill leave nothing."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections import deque
from pathlib import Path

import pytest

from prospector.cli import main
from prospector.domain.contacts import ContactFields
from prospector.domain.query import ContactQuery
from prospector.services.imports import DuplicatePolicy, ImportRequest

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("contacts", "sources", "import_runs", "notes", "call_logs", "reminders")

LIST = (
    "Prénom;Nom;Société;Téléphone;E-mail;Ville;Secteur\n"
    "François;Lefèvre;Crème & Fils;06 12 34 56 78;f.lefevre@creme.fr;Lyon;Food\n"
    "Marie;Martin;Lyon Bureautique;04 72 00 00 01;;Lyon;Office\n"
    "FRANCOIS;LEFEVRE;;+33 6 12 34 56 78;;;\n"  # the same person again, typed otherwise
    "Jean;Dupont;;n/a;jean@;Paris;\n"
    ";;;;;;\n"
    ";;;;;;note without anyone\n"
)


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _write(tmp_path: Path, text: str = LIST, encoding: str = "cp1252") -> Path:
    path = tmp_path / "annuaire.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def _run(workspace, request, **kwargs):
    return deque(workspace.imports.run_import(request, **kwargs), maxlen=1)[0]


def test_a_list_is_imported_cleaned_and_deduplicated(workspace, tmp_path: Path):
    existing = workspace.contacts.add(
        ContactFields(first_name="Marie", last_name="Martin", phone="+33 4 72 00 00 01")
    )
    path = _write(tmp_path)
    preview = workspace.imports.preview(path)
    assert preview.encoding == "cp1252" and preview.delimiter == ";"
    assert preview.columns[0].samples[:2] == ("François", "Marie")

    result = _run(workspace, ImportRequest(path, "Annuaire Lyon", cost_cents=12_000))
    assert result.status == "completed"
    assert (result.rows_read, result.imported, result.merged, result.rejected) == (5, 2, 2, 1)
    codes = {(p.row, p.code) for p in result.problems}
    assert {(5, "phone.invalid"), (5, "email.invalid"), (7, "row.no_identity")} <= codes

    # Marie existed: her empty fields were filled, nothing was overwritten.
    marie = workspace.contacts.get(existing.id)
    assert marie.fields.company == "Lyon Bureautique"
    assert marie.fields.first_name == "Marie"
    assert marie.fields.custom_fields == {"Secteur": "Office"}
    # François came twice: one contact, imported as a suspect of the new source.
    found = workspace.contacts.page(ContactQuery(text="lefevre"), 0, 10)
    assert [r.name for r in found] == ["François Lefèvre"]
    assert found[0].source == "Annuaire Lyon"
    assert found[0].stage.value == "suspect"
    source = next(s for s in workspace.sources.list() if s.name == "Annuaire Lyon")
    assert source.cost_cents == 12_000


@pytest.mark.parametrize(
    ("policy", "imported", "merged", "skipped"),
    [(DuplicatePolicy.SKIP, 3, 0, 1), (DuplicatePolicy.IMPORT, 4, 0, 0)],
)
def test_duplicate_policies(workspace, tmp_path: Path, policy, imported, merged, skipped):
    result = _run(workspace, ImportRequest(_write(tmp_path), "Annuaire", duplicates=policy))
    assert (result.imported, result.merged, result.skipped) == (imported, merged, skipped)


def test_importing_the_same_file_twice_adds_nobody(workspace, tmp_path: Path):
    path = _write(tmp_path)
    _run(workspace, ImportRequest(path, "Annuaire"))
    total = workspace.contacts.total()
    again = _run(workspace, ImportRequest(path, "Annuaire"))
    assert again.imported == 0 and workspace.contacts.total() == total


def test_cancel_leaves_the_database_exactly_as_before(workspace, tmp_path: Path):
    rows = "".join(f"Ana;Pop{i};Firma;;ana{i}@firma.ro;Cluj;\n" for i in range(50))
    path = _write(tmp_path, LIST.splitlines(keepends=True)[0] + rows, "utf-8")
    before = _counts(workspace.path)
    steps = list(
        workspace.imports.run_import(
            ImportRequest(path, "Big list"), should_stop=lambda: True, batch_size=10
        )
    )
    assert steps[-1].status == "cancelled"
    assert _counts(workspace.path) == before


def test_a_failure_midway_leaves_the_database_exactly_as_before(
    workspace, tmp_path: Path, monkeypatch
):
    from prospector.storage import import_repository

    rows = "".join(f"Ana;Pop{i};Firma;;ana{i}@firma.ro;Cluj;\n" for i in range(50))
    path = _write(tmp_path, LIST.splitlines(keepends=True)[0] + rows, "utf-8")
    before = _counts(workspace.path)
    calls = {"n": 0}
    original = import_repository.ContactBatchWriter.write

    def failing(self, batch, counts):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk I/O error")
        return original(self, batch, counts)

    monkeypatch.setattr(import_repository.ContactBatchWriter, "write", failing)
    with pytest.raises(OSError):
        list(workspace.imports.run_import(ImportRequest(path, "Big list"), batch_size=10))
    assert _counts(workspace.path) == before


@pytest.mark.slow
def test_a_killed_import_leaves_the_database_exactly_as_before(db_path: Path, tmp_path: Path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import leadgen

    big = tmp_path / "big.csv"
    leadgen.write_csv(big, leadgen.generate_leads(20_000, seed=9))
    before = _counts(db_path)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from prospector.services.imports import ImportRequest
        from prospector.services.workspace import open_workspace
        ws = open_workspace(Path({str(db_path)!r}))
        for step in ws.imports.run_import(ImportRequest(Path({str(big)!r}), "Big"),
                                          batch_size=500):
            print("progress", step.rows_read, flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("progress") and int(line.split()[1]) >= 3000:
            proc.send_signal(signal.SIGKILL)  # mid-import, inside the transaction
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert _counts(db_path) == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_import_from_the_command_line(db_path: Path, tmp_path: Path, capsys):
    path = _write(tmp_path)
    assert main(["import", str(path), "--db", str(db_path), "--source", "Lyon", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "completed"
    assert (report["imported"], report["merged"], report["rejected"]) == (3, 1, 1)
    assert {"row": 5, "problem": "phone.invalid", "value": "n/a"} in report["problems"]

    assert main(["import", str(tmp_path / "missing.xlsx"), "--db", str(db_path)]) == 1
    assert "prospector:" in capsys.readouterr().err
