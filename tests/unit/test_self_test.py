"""``prospector --self-test``: passes on a working install, fails (non-zero, naming the step)
when a step breaks, and never touches the user's own files."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest

from prospector.services.call_queue import CallQueueService
from prospector.services.exports import ExportService
from prospector.services.imports import ImportRequest
from prospector.services.workspace import open_workspace
from prospector.ui import self_test

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("window", "sample list", "call queue", "export", "import")


@pytest.mark.slow
def test_the_self_test_passes_in_a_fresh_process_and_leaves_nothing_behind(tmp_path):
    user_home = tmp_path / "user"  # where the user's own database and logs would be
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.update(PROSPECTOR_HOME=str(user_home), TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
    result = subprocess.run(
        [sys.executable, "-m", "prospector", "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Prospector ") and "self-test" in lines[0]
    for step in STEPS:
        assert any(line.startswith(f"ok    {step}: ") for line in lines), result.stdout
    assert "(offscreen)" in result.stdout  # no display was given: Qt ran offscreen
    assert "read by a worker process" in result.stdout
    assert lines[-1].startswith("self-test passed: 5 steps")
    assert not user_home.exists()  # the user's folder was never created, let alone written
    assert list(temp.iterdir()) == []  # the temporary database and logs are gone


@pytest.mark.allow_log_warnings
@pytest.mark.parametrize(
    ("step", "break_it", "reason"),
    [
        (
            "call queue",
            lambda mp: mp.setattr(CallQueueService, "next_card", lambda self, source: None),
            "Start showed no contact to call",
        ),
        (
            "export",
            lambda mp: mp.setattr(
                ExportService,
                "run_export",
                lambda self, request: (_ for _ in ()).throw(OSError("No space left on device")),
            ),
            "OSError: No space left on device",
        ),
        (
            "import",  # a built app whose entry point forgot multiprocessing.freeze_support()
            lambda mp: mp.setattr("prospector.services.imports.workers_available", lambda: False),
            "no worker process read the list",
        ),
    ],
)
def test_a_broken_step_fails_the_self_test_and_says_which(
    qapp, monkeypatch, tmp_path, step, break_it, reason
):
    monkeypatch.chdir(tmp_path)
    break_it(monkeypatch)
    out = io.StringIO()
    home_before = os.environ.get("PROSPECTOR_HOME")

    code = self_test.run_self_test(out, timeout_s=None)

    text = out.getvalue()
    assert code == self_test.EXIT_FAILED != 0
    assert f"FAILED {step}: " in text and reason in text, text
    assert text.splitlines()[-1] == f'self-test FAILED at step "{step}"'
    earlier = STEPS[: STEPS.index(step)]
    assert all(f"ok    {s}: " in text for s in earlier)
    assert not any(f"ok    {s}: " in text for s in STEPS[STEPS.index(step) :])
    assert os.environ.get("PROSPECTOR_HOME") == home_before  # put back for the other tests


def test_without_stdout_the_report_goes_to_a_file(tmp_path, monkeypatch):
    """A Windows app built without a console has no stdout: the build reads this file."""
    monkeypatch.chdir(tmp_path)
    report = self_test._Report(None)
    report.line("ok    window: painted")
    report.close()
    assert (tmp_path / self_test.REPORT_FILE).read_text(encoding="utf-8") == (
        "ok    window: painted\n"
    )


def test_an_import_right_after_creating_the_database_works(tmp_path):
    """Found by the self-test: the connections that ran the migrations had opened SQLite's
    temporary database, and the first import on one of them failed ("temporary storage
    cannot be changed from within a transaction")."""
    source = tmp_path / "list.csv"
    source.write_text("First name,Last name,Email\nAnna,Smith,anna@example.com\n", "utf-8")
    ws = open_workspace(tmp_path / "new.sqlite", backups=False)
    try:
        request = ImportRequest(path=source, source_name="First list")
        last = deque(ws.imports.run_import(request), maxlen=1)[0]
    finally:
        ws.close()
    assert (last.status, last.imported) == ("completed", 1)


def test_the_cp1252_list_holds_its_accents_and_is_big_enough(tmp_path):
    path = tmp_path / "list.csv"
    rows, accented = self_test._write_cp1252_list(path, 200_000)
    assert path.stat().st_size >= 200_000
    assert not accented.isascii()
    with path.open(encoding="cp1252", newline="") as handle:  # fails if it is not cp1252
        table = list(csv.DictReader(handle, delimiter=";"))
    assert len(table) == rows
    assert any(row["Company"] == accented for row in table)
    emails = [row["Email"] for row in table if row["Email"]]
    assert len(set(emails)) == len(emails)  # each row its own contact
