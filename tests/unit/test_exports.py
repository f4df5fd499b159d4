"""Exporting contacts end to end: the table's rows in the table's order, every field when asked,
a file that reads back into Prospector unchanged, and never a partial file."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import deque
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import event

from prospector.domain.contacts import ContactFields
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.exporters.csv_sheet import CharacterNotInEncoding
from prospector.exporters.target_file import ExportNotSaved
from prospector.services.exports import (
    EVERY_FIELD,
    CsvOptions,
    ExportIncomplete,
    ExportRequest,
    UnsupportedExportFormat,
    view_fields,
)
from prospector.services.imports import DuplicatePolicy, ImportRequest
from prospector.services.workspace import open_workspace
from prospector.storage import contact_export

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
TABLE_COLUMNS = (
    SortKey.NAME,
    SortKey.COMPANY,
    SortKey.PHONE,
    SortKey.EMAIL,
    SortKey.CITY,
    SortKey.STAGE,
    SortKey.TEMPERATURE,
    SortKey.SOURCE,
    SortKey.NEXT_FOLLOW_UP,
)
# Values a formula-injection test list holds; each must come back exactly.
TRICKY = ["=1+1", "+1+2", "-1+2", "@SUM(1,2)", '=HYPERLINK("http://x","click")', "'=1+1", "-"]


def _export(workspace, path: Path, **kwargs) -> object:
    return deque(workspace.exports.run_export(ExportRequest(path, **kwargs)), maxlen=1)[0]


def _csv_records(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def people(workspace):
    """Twenty-odd contacts over stages, temperatures, two lists and blank names."""
    lyon = workspace.sources.add("Lyon fair", "event")
    web = workspace.sources.add("Web form", "web_form")
    stages = [Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.DO_NOT_CALL, Stage.CUSTOMER]
    temperatures = [Temperature.COLD, Temperature.HOT, Temperature.WARM]
    names = [
        ("Émile", "Zola"),
        ("Anne", "Martin"),
        ("Bob", "Martin"),
        (None, "Martin"),
        ("Zoé", None),
        ("Ion", "Popescu"),
        ("Ana", "Ionescu"),
        ("Marie", "Curie"),
        ("Jean", "Dupont"),
        ("Luc", "dupont"),
    ]
    ids = []
    for n in range(22):
        first, last = names[n % len(names)]
        ids.append(
            workspace.contacts.add(
                ContactFields(
                    first_name=first,
                    last_name=last,
                    full_name=None if first or last else f"Contact {n}",
                    company=TRICKY[n % len(TRICKY)] if n % 3 == 0 else f"Company {n % 7}",
                    phone=f"04 72 00 {n:02d} 01" if n % 4 else None,
                    mobile=f"+33 6 12 34 56 {n:02d}",
                    email=f"person{n}@example.fr" if n % 5 else None,
                    city=["Lyon", "Paris", None][n % 3],
                    postal_code="01000" if n % 2 else None,
                    stage=stages[n % len(stages)],
                    temperature=temperatures[n % len(temperatures)],
                    do_not_call=stages[n % len(stages)] is Stage.DO_NOT_CALL,
                    source_id=[lyon, web, None][n % 3],
                )
            ).id
        )
    return ids


# -- the view ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", TABLE_COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
def test_the_view_comes_out_in_the_tables_order(
    workspace, people, tmp_path: Path, sort: SortKey, descending: bool
):
    query = ContactQuery(sort=sort, descending=descending)
    path = tmp_path / "view.csv"
    last = _export(workspace, path, query=query, fields=view_fields(TABLE_COLUMNS))
    shown = workspace.contacts.page(query, 0, 1000)
    records = _csv_records(path)
    assert last.status == "done" and last.written == len(shown) == len(people)
    assert records[0] == [
        "Name",
        "Company",
        "Phone",
        "Email",
        "City",
        "Stage",
        "Temperature",
        "List",
        "Next follow-up",
    ]
    table = [
        [r.name, r.company, r.phone, r.email, r.city, r.source] for r in shown
    ]  # what the table shows, in its order
    exported = [[r[0], r[1], r[2], r[3], r[4], r[7]] for r in records[1:]]
    unprotect = [[v[1:] if v.startswith("'") else v for v in row] for row in exported]
    assert unprotect == table


def test_the_view_keeps_the_search_and_filters(workspace, people, tmp_path: Path):
    for query in (
        ContactQuery(text="martin"),
        ContactQuery(text="martin", match_order=True, descending=True),
        ContactQuery(stages=frozenset({Stage.LEAD, Stage.DO_NOT_CALL})),
        ContactQuery(temperatures=frozenset({Temperature.HOT}), sort=SortKey.STAGE),
    ):
        path = tmp_path / "view.xlsx"
        last = _export(workspace, path, query=query, fields=view_fields(TABLE_COLUMNS))
        sheet = openpyxl.load_workbook(path).active
        names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        shown = workspace.contacts.page(query, 0, 1000)
        assert names == [r.name for r in shown], query
        assert last.written == workspace.contacts.count(query) == len(shown) > 0


# -- everything ----------------------------------------------------------------------------------


def test_everything_holds_every_field_the_flag_and_the_custom_fields(workspace, tmp_path: Path):
    listed = tmp_path / "salon.csv"
    listed.write_text(
        "Prénom;Nom;Téléphone;Code postal;Secteur;Effectif\n"
        "Paul;Lefèvre;+33 4 72 00 00 09;01000;Food;12\n"
        "Léa;Roux;;69001;;\n",
        encoding="utf-8",
    )
    deque(workspace.imports.run_import(ImportRequest(listed, "Salon")), maxlen=1)
    workspace.contacts.add(
        ContactFields(
            first_name="Ann",
            last_name="Blocked",
            phone="0612345678",
            birthday=date(1985, 3, 2),
            estimated_value_cents=123_456,
            stage=Stage.DO_NOT_CALL,
            do_not_call=True,
        )
    )
    path = tmp_path / "all.xlsx"
    last = _export(workspace, path, zone=PARIS)
    assert last.written == 3
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[: len(EVERY_FIELD)] == [
        "First name",
        "Last name",
        "Full name",
        "Company",
        "Job title",
        "Phone",
        "Mobile",
        "Email",
        "Website",
        "Address",
        "Postal code",
        "City",
        "Country",
        "Birthday",
        "Stage",
        "Temperature",
        "Score",
        "Fit grade",
        "Estimated value",
        "Do not call",
        "Next follow-up",
        "Last call",
        "List",
        "Added",
        "Last changed",
    ]
    assert header[len(EVERY_FIELD) :] == ["Effectif", "Secteur"]  # the import's extra columns
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    blocked = by_name["Blocked"]
    assert blocked["Do not call"] is True and blocked["Stage"] == "Do not call"
    assert blocked["Birthday"] == datetime(1985, 3, 2)
    assert blocked["Estimated value"] == 1234.56
    assert blocked["Added"] == datetime(2026, 3, 16, 10, 30)  # 09:30 UTC, in Paris
    assert blocked["Effectif"] is None
    paul = by_name["Lefèvre"]
    assert paul["Do not call"] is False
    assert paul["Postal code"] == "01000"  # text: the zero stays
    assert paul["Phone"] == "+33 4 72 00 00 09"
    assert (paul["Secteur"], paul["Effectif"]) == ("Food", "12")
    assert paul["List"] == "Salon"
    paul_row = next(c.row for c in sheet["B"] if c.value == "Lefèvre")
    assert sheet[f"K{paul_row}"].number_format == "@"  # postal codes as Text, even when edited


def test_which_custom_fields_there_are_is_read_from_the_contacts_having_some(
    workspace, db_path: Path
):
    """An export of everything first asks which custom fields exist: SQLite answers from the
    contacts holding some (their own index), not by reading every contact."""
    for n in range(6):
        custom = {"Secteur": "Food", f"Extra {n % 2}": "x"} if n % 3 == 0 else {}
        workspace.contacts.add(ContactFields(last_name=f"Roux{n}", custom_fields=custom))
    asked: list[tuple[str, tuple]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if "json_each" in statement:
            asked.append((statement, parameters))

    engine = workspace.database.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        with workspace.database.sessions() as session:
            keys = contact_export.ContactExportReader(session).custom_field_keys(ContactQuery())
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert keys == ["Extra 0", "Extra 1", "Secteur"]
    [(statement, parameters)] = asked
    with sqlite3.connect(db_path) as db:
        plan = db.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    assert any("USING INDEX ix_contacts_custom_fields" in step[-1] for step in plan), plan


def test_custom_field_names_never_clash_with_the_standard_ones(workspace, tmp_path: Path):
    listed = tmp_path / "odd.csv"
    listed.write_text("Name;City;Stage\nAna Pop;Cluj;hot lead\n", encoding="utf-8")
    deque(workspace.imports.run_import(ImportRequest(listed, "Odd")), maxlen=1)
    path = tmp_path / "all.csv"
    _export(workspace, path)
    header = _csv_records(path)[0]
    assert header[-1] == "Stage (2)"  # an unmapped 'Stage' column, beside the real Stage
    assert len(header) == len(set(header))


# -- round trip ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imports_back_unchanged(
    workspace, people, tmp_path: Path, migrated_template: Path, suffix: str
):
    path = tmp_path / f"all{suffix}"
    _export(workspace, path)
    other_db = tmp_path / "colleague.sqlite"
    shutil.copy(migrated_template, other_db)
    other = open_workspace(other_db)
    try:
        other.settings.set_default_country("FR")
        request = ImportRequest(path, "Colleague", duplicates=DuplicatePolicy.IMPORT)
        result = deque(other.imports.run_import(request), maxlen=1)  # the fixture has namesakes
        assert result[0].imported == len(people) and result[0].rejected == 0
        mine = {_key(workspace.contacts.get(i).fields): workspace.contacts.get(i) for i in people}
        theirs = [other.contacts.get(r.id) for r in other.contacts.page(ContactQuery(), 0, 100)]
        for contact in theirs:
            original = mine[_key(contact.fields)].fields
            for name in ("full_name", "company", "phone", "mobile"):
                assert getattr(contact.fields, name) == getattr(original, name), name
            for name in ("email", "city", "postal_code"):
                assert getattr(contact.fields, name) == getattr(original, name), name
        companies = {c.fields.company for c in theirs}
        assert set(TRICKY) <= companies  # formula-looking text came back as the same text
    finally:
        other.close()


def _key(fields: ContactFields) -> tuple[object, ...]:
    """Names fold case: the import capitalises a name typed all in lower case ('dupont')."""
    first, last = (n.casefold() if n else n for n in (fields.first_name, fields.last_name))
    return (first, last, fields.full_name, fields.mobile)


# -- never a partial or short file ---------------------------------------------------------------


def test_cancel_keeps_the_old_file_and_leaves_nothing(workspace, people, tmp_path: Path):
    path = tmp_path / "all.csv"
    path.write_bytes(b"yesterday's export")
    steps = workspace.exports.run_export(ExportRequest(path), should_stop=lambda: True)
    last = deque(steps, maxlen=1)[0]
    assert last.status == "cancelled"
    assert path.read_bytes() == b"yesterday's export"
    assert _leftovers(tmp_path) == []


def test_closing_the_export_midway_leaves_nothing(workspace, people, tmp_path: Path):
    path = tmp_path / "all.xlsx"
    steps = workspace.exports.run_export(ExportRequest(path))
    next(steps)  # started: the temporary file exists only after this
    steps.close()  # the window went away
    assert not path.exists() and _leftovers(tmp_path) == []


def test_a_short_read_is_an_error_never_a_short_file(
    workspace, people, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real_read = contact_export.ContactExportReader.read

    def one_row_lost(self, statements, columns, batch=1000):  # type: ignore[no-untyped-def]
        for rows in real_read(self, statements, columns, batch):
            yield rows[:-1]

    monkeypatch.setattr(contact_export.ContactExportReader, "read", one_row_lost)
    path = tmp_path / "all.csv"
    with pytest.raises(ExportIncomplete) as caught:
        _export(workspace, path)
    assert (caught.value.expected, caught.value.written) == (len(people), len(people) - 1)
    assert not path.exists() and _leftovers(tmp_path) == []


def test_a_code_page_that_cannot_hold_a_name_saves_nothing(workspace, tmp_path: Path):
    workspace.contacts.add(ContactFields(first_name="Ana", last_name="Ionescu"))
    workspace.contacts.add(ContactFields(first_name="Ştefan", last_name="Popa"))
    path = tmp_path / "old-excel.csv"
    with pytest.raises(CharacterNotInEncoding) as caught:
        _export(workspace, path, csv=CsvOptions(";", "cp1252"))
    assert (caught.value.row, caught.value.column) == (3, "First name")
    assert not path.exists() and _leftovers(tmp_path) == []
    _export(workspace, path, csv=CsvOptions(";", "cp1250"))  # the Romanian code page holds it
    assert "Ştefan;Popa".encode("cp1250") in path.read_bytes()


def test_plain_refusals(workspace, tmp_path: Path):
    with pytest.raises(UnsupportedExportFormat) as caught:
        _export(workspace, tmp_path / "contacts.xls")
    assert ".xlsx" in caught.value.user_message()
    with pytest.raises(ExportNotSaved) as not_saved:
        _export(workspace, tmp_path / "missing folder" / "contacts.csv")
    assert not_saved.value.reason == "folder_missing"


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_leaves_the_old_file_and_no_temporary_one(db_path: Path, tmp_path: Path):
    """reliability.md F4: the file-size limit makes the write fail as a full disk would."""
    ws = open_workspace(db_path)
    listed = tmp_path / "big.csv"
    listed.write_text(
        "First name;Last name;Company;Email\n"
        + "".join(f"Jean{n};Dupont{n};Company {n};jean{n}@example.fr\n" for n in range(3000)),
        encoding="utf-8",
    )
    deque(ws.imports.run_import(ImportRequest(listed, "Big")), maxlen=1)
    ws.close()
    out = tmp_path / "exports"
    out.mkdir()
    target = out / "all.csv"
    target.write_bytes(b"the last good export")
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))\n"
        "from prospector.cli import main\n"
        f"sys.exit(main(['export', '--db', {str(db_path)!r}, '--to', {str(target)!r}]))\n"
    )
    env = dict(os.environ, PROSPECTOR_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 1, done.stderr
    assert "all.csv was not saved: the disk is full" in done.stderr
    assert target.read_bytes() == b"the last good export"
    assert _leftovers(out) == []


def test_progress_is_a_few_steps_and_stop_is_read_between_them(
    workspace, people, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A million rows must not mean thousands of progress signals: the bar gets at most
    PROGRESS_STEPS; the stop flag is still read every few rows."""
    from prospector.services import exports

    real_read = contact_export.ContactExportReader.read

    def in_fives(self, statements, columns, batch=1000, **how):  # type: ignore[no-untyped-def]
        return real_read(self, statements, columns, 5, **how)

    monkeypatch.setattr(contact_export.ContactExportReader, "read", in_fives)  # 5 rows a batch
    monkeypatch.setattr(exports, "PROGRESS_STEPS", 2)
    steps = list(workspace.exports.run_export(ExportRequest(tmp_path / "a.csv")))
    assert [(s.written, s.status) for s in steps] == [(0, "running"), (15, "running"), (22, "done")]

    asked = {"n": 0}

    def stop_on_third_look() -> bool:
        asked["n"] += 1
        return asked["n"] == 3

    steps = list(
        workspace.exports.run_export(ExportRequest(tmp_path / "b.csv"), stop_on_third_look)
    )
    assert [(s.written, s.status) for s in steps][-1] == (15, "cancelled")
    assert not (tmp_path / "b.csv").exists()


@pytest.mark.parametrize("stop", [False, True])
def test_the_collector_runs_less_often_during_an_export_and_as_before_after(
    workspace, people, tmp_path: Path, stop: bool
):
    import gc

    from prospector.services.bulk_work import BULK_GC_THRESHOLDS

    before = gc.get_threshold()
    seen = []

    def look() -> bool:
        seen.append(gc.get_threshold())
        return stop

    steps = list(workspace.exports.run_export(ExportRequest(tmp_path / "a.csv"), look))
    assert steps[-1].status == ("cancelled" if stop else "done")
    assert seen and set(seen) == {BULK_GC_THRESHOLDS} != {before}
    assert gc.get_threshold() == before


def test_a_search_that_matches_a_note_exports_what_the_table_shows(workspace, tmp_path):
    """The table finds contacts by their notes; the export of that view has the same rows."""
    from prospector.domain.contacts import ContactFields as Fields
    from prospector.domain.query import ContactQuery as Query
    from prospector.services.exports import ExportRequest as Request

    jean = workspace.contacts.add(Fields(first_name="Jean", last_name="Dupont")).id
    workspace.contacts.add(Fields(first_name="Marie", last_name="Vitrinaud"))
    workspace.contacts.add(Fields(first_name="Paul", last_name="Durand"))
    workspace.notes.add(jean, "veut une vitrine")
    for match_order in (False, True):
        query = Query(text="vitrin", match_order=match_order)
        assert workspace.contacts.count(query) == 2
        target = tmp_path / f"view-{match_order}.csv"
        last = list(workspace.exports.run_export(Request(path=target, query=query)))[-1]
        assert last.written == 2
        text = target.read_text(encoding="utf-8-sig")
        assert "Dupont" in text and "Vitrinaud" in text and "Durand" not in text
