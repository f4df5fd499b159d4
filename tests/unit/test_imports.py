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
    workspace, tmp_path: Path, fail_third_batch
):
    rows = "".join(f"Ana;Pop{i};Firma;;ana{i}@firma.ro;Cluj;\n" for i in range(50))
    path = _write(tmp_path, LIST.splitlines(keepends=True)[0] + rows, "utf-8")
    before = _counts(workspace.path)
    fail_third_batch()
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


def test_a_person_is_found_by_name_and_a_like_company(workspace, tmp_path: Path):
    had = workspace.contacts.add(
        ContactFields(first_name="Jean", last_name="Dupont", company="Crème & Fils SARL")
    )
    text = (
        "Nom;Prénom;Société;Ville\n"
        "DUPONT;Jean;CREME ET FILS;Lyon\n"  # same man, same business, typed otherwise
        "Dupont;Jean;Dupont Immobilier;Paris\n"  # same name, another business: a new contact
        "Dupont;Jean;Dupont Immobilier;Paris\n"  # ... and that one again, inside the file
    )
    result = _run(workspace, ImportRequest(_write(tmp_path, text), "Annuaire"))
    assert (result.imported, result.merged) == (1, 2)
    reasons = {(m.row, m.reason, m.earlier_row) for m in result.duplicates}
    assert reasons == {(2, "name", None), (4, "name", 3)}
    assert workspace.contacts.get(had.id).fields.city == "Lyon"  # the gap was filled


def test_the_user_decides_per_duplicate_row(workspace, tmp_path: Path):
    path = _write(tmp_path)
    _run(workspace, ImportRequest(path, "Annuaire"))
    before = workspace.contacts.total()
    # Check first (a dry run), then decide: row 2 imported anyway, every other one skipped.
    checked = _run(workspace, ImportRequest(path, "Annuaire"), dry_run=True)
    assert checked.status == "checked"
    assert workspace.contacts.total() == before
    rows = sorted(m.row for m in checked.duplicates)
    assert rows == [2, 3, 4, 5]
    labels = {m.row: (m.new_label, m.existing_label) for m in checked.duplicates}
    assert labels[2][0].startswith("François Lefèvre") and labels[2][1].startswith("François")
    decided = ImportRequest(
        path,
        "Annuaire",
        duplicates=DuplicatePolicy.SKIP,
        decisions={2: DuplicatePolicy.IMPORT},
    )
    result = _run(workspace, decided)
    assert (result.imported, result.skipped) == (1, 3)
    assert workspace.contacts.total() == before + 1


def test_a_merge_is_recorded_for_undo(workspace, tmp_path: Path, db_path: Path):
    had = workspace.contacts.add(
        ContactFields(first_name="Marie", last_name="Martin", phone="04 72 00 00 01")
    )
    text = "Prénom;Nom;Société;Ville;Téléphone\nMarie;Martin;Lyon Bureautique;;04 72 00 00 01\n"
    result = _run(workspace, ImportRequest(_write(tmp_path, text), "Annuaire"))
    assert result.merged == 1
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT import_run_id, contact_id, changes FROM import_merges").fetchall()
    conn.close()
    assert len(rows) == 1 and rows[0][:2] == (result.import_run_id, had.id)
    changes = json.loads(rows[0][2])
    assert changes == {"company": [None, "Lyon Bureautique"]}


def test_the_mapping_is_remembered_for_the_next_file_of_the_vendor(workspace, tmp_path: Path):
    from prospector.services.imports import ColumnMapping, Target

    text = "Col1;Col2;Col3\nAna;Pop;0721 123 456\n"
    first = tmp_path / "march.csv"
    first.write_bytes(text.encode("cp1250"))
    mapping = ColumnMapping(
        fields={"Col1": Target.FIRST_NAME, "Col2": Target.LAST_NAME, "Col3": Target.PHONE}
    )
    request = ImportRequest(first, "Leads SRL march", vendor="Leads SRL", mapping=mapping)
    assert _run(workspace, request).imported == 1

    second = tmp_path / "april.csv"
    second.write_bytes("Col1;Col2;Col3\nIon;Ionescu;0722 000 111\n".encode("cp1250"))
    preview = workspace.imports.preview(second)
    assert preview.template == "Leads SRL"
    assert preview.mapping.fields == mapping.fields
    assert workspace.imports.templates.by_name("leads srl").mapping.fields == mapping.fields


def test_rejected_rows_are_saved_with_their_reason(workspace, tmp_path: Path):
    from prospector.importers.csv_rows import CsvRows

    result = _run(workspace, ImportRequest(_write(tmp_path), "Annuaire"))
    out = tmp_path / "to fix.csv"
    written = workspace.imports.save_rejected_rows(
        result, out, {"row.no_identity": "No name, company, email or phone"}
    )
    assert written == 1
    rows = [r.cells for r in CsvRows(out).rows()]
    assert rows[0][-1] == "Problem" and rows[0][0] == "Prénom"
    assert rows[1][-2:] == ("note without anyone", "No name, company, email or phone")
    assert not list(tmp_path.glob(".to fix-*"))  # no temporary file left behind


def test_a_value_column_is_read_as_an_amount_and_words_are_a_problem(workspace, tmp_path: Path):
    text = "Nom;Société;Valeur\nMartin;Alpha;1 200,50 €\nDurand;Beta;test\n"
    result = _run(workspace, ImportRequest(_write(tmp_path, text), "Annuaire"))
    assert result.imported == 2
    assert [(p.row, p.code, p.detail) for p in result.problems] == [
        (3, "number.invalid", "test")
    ]
    values = {
        workspace.contacts.get(r.id).fields.company: workspace.contacts.get(
            r.id
        ).fields.estimated_value_cents
        for r in workspace.contacts.page(ContactQuery(), 0, 10)
    }
    assert values == {"Alpha": 120050, "Beta": None}


def test_the_command_line_uses_a_saved_matching_and_saves_rejected_rows(
    db_path: Path, tmp_path: Path, capsys
):
    path = _write(tmp_path)
    assert main(["import", str(path), "--db", str(db_path), "--vendor", "PagesPro"]) == 0
    capsys.readouterr()
    out = tmp_path / "rejected.csv"
    args = ["import", str(path), "--db", str(db_path), "--mapping", "pagespro", "--json"]
    assert main([*args, "--save-rejected", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 0 and report["rejected_saved_to"] == str(out)
    assert "note without anyone" in out.read_text(encoding="utf-8-sig")
    assert main([*args[:-3], "--mapping", "nobody"]) == 1
    error = capsys.readouterr().err
    assert "no saved column matching called 'nobody'" in error and "PagesPro" in error
