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
