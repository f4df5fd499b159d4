"""The command line: same services as the window, plain words or JSON, non-zero on failure."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from prospector.cli import main
from prospector.domain.contacts import ContactFields
from prospector.services.workspace import open_workspace


def test_core_imports_no_qt():
    code = (
        "import sys, prospector.services.workspace, prospector.cli; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_info_and_contacts_as_json(db_path: Path, capsys):
    ws = open_workspace(db_path)
    ws.settings.set_default_country("RO")
    ws.contacts.add(ContactFields(first_name="Ştefan", last_name="Popa", phone="0721 123 456"))
    ws.contacts.add(ContactFields(first_name="Ana", last_name="Ionescu"))
    ws.close()

    assert main(["info", "--db", str(db_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["contacts"] == 2
    assert info["database"] == str(db_path)

    assert main(["contacts", "--db", str(db_path), "--search", "stefan", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["total"] == 1
    assert found["contacts"][0]["name"] == "Ştefan Popa"
    assert found["contacts"][0]["phone"] == "0721 123 456"

    assert main(["contacts", "--db", str(db_path), "--stage", "lead"]) == 0
    assert "0 of 0 contacts" in capsys.readouterr().out


def test_a_foreign_file_fails_with_one_plain_line(tmp_path: Path, capsys):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert main(["info", "--db", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("prospector: The file other.db is not a Prospector database")

    assert main(["info", "--db", str(path), "--json"]) == 1
    failure = json.loads(capsys.readouterr().out)
    assert failure["error"] == "db.foreign"


def test_the_installed_command_runs(db_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "prospector", "sample", "--db", str(db_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] >= 50


def test_export_from_the_command_line(db_path: Path, tmp_path: Path, capsys):
    ws = open_workspace(db_path)
    lyon = ws.sources.add("Lyon fair", "event")
    ws.contacts.add(ContactFields(first_name="Ana", last_name="Pop", source_id=lyon))
    ws.contacts.add(ContactFields(first_name="Ion", last_name="Rus", company="=1+1"))
    ws.close()

    out = tmp_path / "lyon.csv"
    assert main(["export", "--db", str(db_path), "--to", str(out), "--source", "lyon fair"]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote 1 contact to {out}."
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("Ana,Pop,")

    out = tmp_path / "all.csv"
    args = ["export", "--db", str(db_path), "--to", str(out), "--json", "--delimiter", ";"]
    assert main([*args, "--encoding", "cp1252"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "written": 2,
        "file": str(out),
        "format": "csv",
    }
    assert b"Ion;Rus;;'=1+1;" in out.read_bytes()  # no BOM in a code page; the formula is text

    assert main(["export", "--db", str(db_path), "--to", str(tmp_path / "x.pdf")]) == 1
    assert "end the file name with .xlsx (Excel) or .csv" in capsys.readouterr().err
    assert main(["export", "--db", str(db_path), "--to", str(out), "--source", "Paris"]) == 1
    assert "There is no list called 'Paris'" in capsys.readouterr().err


def test_backup_list_and_restore_from_the_command_line(db_path: Path, capsys):
    assert main(["sample", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["backup", "--db", str(db_path), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert Path(made["file"]).parent == db_path.parent / "backups"

    ws = open_workspace(db_path)
    ws.contacts.add(ContactFields(first_name="After", last_name="Backup"))
    total_after = ws.contacts.total()
    ws.close()

    assert main(["backups", "--db", str(db_path)]) == 0
    listed = capsys.readouterr().out
    assert "made by hand" in listed and "1 backup" in listed

    assert main(["restore", made["file"], "--db", str(db_path)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Restored {Path(made['file']).name}")
    assert "Your data as it was just before is saved in" in said

    assert main(["backups", "--db", str(db_path), "--json"]) == 0
    backups = json.loads(capsys.readouterr().out)["backups"]
    assert [b["reason"] for b in backups] == ["before-restore", "manual"]
    assert backups[0]["contacts"] == total_after
    assert backups[1]["contacts"] == total_after - 1

    ws = open_workspace(db_path)
    assert ws.contacts.total() == total_after - 1
    ws.close()


def test_restoring_a_file_that_is_no_backup_fails_plainly(db_path: Path, tmp_path: Path, capsys):
    other = tmp_path / "photo.sqlite"
    other.write_bytes(b"\xff\xd8\xff not a database")
    assert main(["restore", str(other), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "prospector: The file photo.sqlite is not a Prospector backup, or it is damaged. "
        "Your data was not changed."
    ]


def test_report_prints_the_figures_as_json_and_as_text(db_path: Path, capsys):
    from prospector.domain.outcomes import CallOutcome

    ws = open_workspace(db_path)
    bought = ws.sources.add("Fair", "event", cost_cents=5000, currency="EUR")
    ws.sources.add("Directory", "directory")
    ids = [
        ws.contacts.add(ContactFields(first_name=f"P{n}", last_name="Test", source_id=bought)).id
        for n in range(4)
    ]
    ws.queue.log_outcome(ids[0], CallOutcome.TALKED, duration_s=300)
    ws.queue.log_outcome(ids[1], CallOutcome.WRONG_NUMBER, duration_s=10)
    ws.queue.log_outcome(ids[2], CallOutcome.NO_ANSWER, duration_s=20)
    ws.close()

    assert main(["report", "--db", str(db_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["funnel"]["contacts"] == 4
    assert (data["funnel"]["called"], data["funnel"]["reached"]) == (3, 1)
    (fair,) = data["lists"]  # the directory has no contacts: not listed
    assert fair["list"] == "Fair"
    assert fair["cost_per_reached"] == {"amount": 50.0, "cents": 5000, "currency": "EUR"}
    assert fair["cost_per_prospect"] is None  # no prospect yet: null, never infinity
    assert fair["junk"] == 1 and fair["grade"] is None  # too few called to grade
    assert data["activity"]["calls"] == 3 and data["activity"]["talk_seconds"] == 330
    assert {o["outcome"] for o in data["activity"]["outcomes"]} == {
        "talked",
        "wrong_number",
        "no_answer",
    }

    assert main(["report", "--db", str(db_path), "--source", "fair", "--from", "2020-01-01"]) == 0
    text = capsys.readouterr().out
    assert "Report: 2020-01-01 to today, Fair" in text
    assert "4 contacts, 3 called" in text
    assert "50.00 EUR" in text and "too early" in text
    assert "inf" not in text and "None" not in text and "nan" not in text.lower()

    assert main(["report", "--db", str(db_path), "--source", "nope"]) == 1
    assert "There is no list called 'nope'" in capsys.readouterr().err
    assert main(["report", "--db", str(db_path), "--from", "2026-03-02", "--to", "2026-03-01"]) == 1
    assert "ends before it starts" in capsys.readouterr().err
