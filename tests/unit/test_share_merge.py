"""The share file: export, merge into another database, exchange both ways, deletions, conflicts."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.qualification import Engagement
from prospector.domain.query import ContactQuery
from prospector.domain.reminders import ReminderKind
from prospector.domain.share import DELETED_FIELD, Choice
from prospector.domain.stages import Stage, Temperature
from prospector.importers.share_reader import NotAShareFile, looks_like_share_file
from prospector.services.sharing import ShareRequest
from prospector.services.workspace import open_workspace
from tests.conftest import FakeClock

YES = {"market": "yes", "budget": "yes", "authority": "yes", "need": "yes"}
TABLES = (
    "sources",
    "contacts",
    "notes",
    "call_logs",
    "reminders",
    "qualifications",
    "questionnaires",
    "stage_changes",
)
# Columns that only mean something in one database (ids, which import brought a contact).
LOCAL_ONLY = {"id", "import_run_id", "contact_id", "source_id", "questionnaire_id"}


@pytest.fixture
def other(migrated_template: Path, tmp_path: Path, clock: FakeClock):
    """A colleague's database (B), on the same clock."""
    path = tmp_path / "colleague.sqlite"
    shutil.copy(migrated_template, path)
    ws = open_workspace(path, clock=clock, backups=False)
    ws.settings.set_default_country("FR")
    yield ws
    ws.close()


def _share(ws, path: Path, query: ContactQuery | None = None) -> Path:
    steps = list(ws.sharing.export_share(ShareRequest(path, query or ContactQuery())))
    assert steps[-1].status == "done"
    return path


def _merge(ws, path: Path, choices=None, preview: bool = False):
    steps = list(ws.sharing.merge(path, choices, preview=preview))
    assert steps[-1].status == "done"
    return steps[-1].summary


def _dump(db: Path) -> dict[str, set[tuple]]:
    """Every row of the shared tables, with local ids replaced by the UUIDs they point at."""
    conn = sqlite3.connect(db)
    try:
        uuid_of = {
            table: dict(conn.execute(f"SELECT id, uuid FROM {table}"))
            for table in ("contacts", "sources", "questionnaires")
        }
        dump: dict[str, set[tuple]] = {}
        for table in TABLES:
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            rows = set()
            for row in cursor:
                values = dict(zip(names, row, strict=True))
                refs = tuple(
                    uuid_of[parent].get(values[column])
                    for column, parent in (
                        ("contact_id", "contacts"),
                        ("source_id", "sources"),
                        ("questionnaire_id", "questionnaires"),
                    )
                    if column in values
                )
                kept = tuple(v for n, v in values.items() if n not in LOCAL_ONLY)
                rows.add((*kept, *refs))
            dump[table] = rows
        return dump
    finally:
        conn.close()


def _fill(ws, clock: FakeClock) -> dict[str, int]:
    """A database with a bit of everything: a bought list, people in several scripts, a call,
    answers, notes (one edited), reminders (one done), a do-not-call contact, a formula-like
    company name and extra fields."""
    source = ws.sources.add("Annuaire Lyon", "purchased_list", vendor="PagesPro", cost_cents=12050)
    ids = {}
    ids["lefevre"] = ws.contacts.add(
        ContactFields(
            first_name="François",
            last_name="Lefèvre",
            company="Crème & Fils",
            phone="06 12 34 56 78",
            email="f.lefevre@creme.fr",
            postal_code="01000",
            city="Lyon",
            country="France",
            birthday=datetime(1970, 2, 28).date(),
            estimated_value_cents=150000,
            source_id=source,
            custom_fields={"Effectif": "12", "Région": "Rhône"},
        )
    ).id
    ids["petrovski"] = ws.contacts.add(
        ContactFields(
            full_name="Петар Петровски", company="Македонски Телеком", mobile="+389 70 123 456"
        )
    ).id
    ids["formula"] = ws.contacts.add(
        ContactFields(
            company='=HYPERLINK("http://x","y")', title="-chef", phone="+33 4 78 00 00 00"
        )
    ).id
    ids["dnc"] = ws.contacts.add(
        ContactFields(
            first_name="Do", last_name="Notcall", phone="06 99 99 99 99", do_not_call=True
        )
    ).id
    clock.advance(minutes=5)
    logged = ws.queue.log_outcome(
        ids["lefevre"], CallOutcome.TALKED, duration_s=95, note="Wants a quote"
    )
    ws.queue.qualify(
        ids["lefevre"], {**YES}, engagement=[Engagement.AGREED_TO_MEETING], logged=logged
    )
    note = ws.notes.add(ids["lefevre"], "Prefers mornings")
    clock.advance(minutes=1)
    ws.notes.edit(note, "Prefers mornings, before 10")
    ws.notes.add(ids["petrovski"], "Говори само македонски")
    ws.followups.create(
        ids["lefevre"], clock.now + timedelta(days=2), ReminderKind.CALL_BACK, "Send the quote"
    )
    done = ws.followups.create(ids["petrovski"], clock.now + timedelta(days=1), ReminderKind.EMAIL)
    ws.followups.complete(done.id)
    clock.advance(minutes=1)
    return ids


def _contact_by_name(ws, text: str):
    rows = ws.contacts.page(ContactQuery(text=text), 0, 10)
    assert len(rows) == 1, rows
    return ws.contacts.get(rows[0].id)


# -- the file and the round trip ----------------------------------------------------------------


def test_a_share_file_merged_into_an_empty_database_gives_identical_data(
    workspace, other, clock, tmp_path
):
    _fill(workspace, clock)
    path = _share(workspace, tmp_path / "share.xlsx")
    assert looks_like_share_file(path)

    summary = _merge(other, path)

    assert (summary.added, summary.updated, summary.conflicts, summary.problems) == (4, 0, [], [])
    assert summary.notes_added == 2  # the call's "Wants a quote" travels with the call
    assert (summary.calls_added, summary.reminders_added, summary.qualifications_added) == (1, 2, 1)
    mine, theirs = _dump(workspace.path), _dump(other.path)
    for table in TABLES:
        assert mine[table] == theirs[table], table


def test_merging_the_same_file_twice_changes_nothing_the_second_time(
    workspace, other, clock, tmp_path
):
    _fill(workspace, clock)
    path = _share(workspace, tmp_path / "share.xlsx")
    _merge(other, path)
    before = _dump(other.path)
    clock.advance(hours=1)

    again = _merge(other, path)

    assert not again.changed_anything
    assert (again.unchanged, again.conflicts) == (4, [])
    assert _dump(other.path) == before


def test_formula_like_text_and_leading_zeros_come_back_as_typed(workspace, other, clock, tmp_path):
    _fill(workspace, clock)
    _merge(other, _share(workspace, tmp_path / "share.xlsx"))
    formula = _contact_by_name(other, "HYPERLINK")
    assert formula.fields.company == '=HYPERLINK("http://x","y")'
    assert formula.fields.title == "-chef"
    lefevre = _contact_by_name(other, "Lefèvre")
    assert lefevre.fields.postal_code == "01000"
    assert lefevre.fields.custom_fields == {"Effectif": "12", "Région": "Rhône"}


def test_a_do_not_call_contact_arrives_flagged_and_on_the_register(
    workspace, other, clock, tmp_path
):
    _fill(workspace, clock)
    _merge(other, _share(workspace, tmp_path / "share.xlsx"))
    assert _contact_by_name(other, "Notcall").fields.do_not_call
    assert other.do_not_call.count()["phone"] >= 1


def test_a_selection_shares_only_its_contacts_and_what_hangs_off_them(
    workspace, other, clock, tmp_path
):
    _fill(workspace, clock)
    path = _share(workspace, tmp_path / "lyon.xlsx", ContactQuery(text="Lyon"))
    summary = _merge(other, path)
    assert summary.added == 1
    assert summary.notes_added == 1 and summary.reminders_added == 1
    assert other.contacts.total() == 1


# -- exchanging both ways -----------------------------------------------------------------------


def test_two_reps_edit_and_exchange_both_ways_and_end_equal_except_the_conflict(
    workspace, other, clock, tmp_path
):
    ids = _fill(workspace, clock)
    _merge(other, _share(workspace, tmp_path / "a1.xlsx"))
    clock.advance(hours=1)

    # A changes the Lyon contact's city and the formula contact's title; B changes the
    # Macedonian contact's email and, like A, the formula contact's title (differently).
    a = workspace.contacts
    lefevre = a.get(ids["lefevre"])
    a.update(ids["lefevre"], _with(lefevre.fields, city="Villeurbanne"))
    a.update(ids["formula"], _with(a.get(ids["formula"]).fields, title="Gérant"))
    b = other.contacts
    petrovski = _contact_by_name(other, "Петровски")
    b.update(petrovski.id, _with(petrovski.fields, email="petar@telekom.mk"))
    formula_b = _contact_by_name(other, "HYPERLINK")
    b.update(formula_b.id, _with(formula_b.fields, title="Directeur"))
    other.notes.add(petrovski.id, "Called back from Skopje")
    clock.advance(minutes=10)

    to_b = _merge(other, _share(workspace, tmp_path / "a2.xlsx"))
    to_a = _merge(workspace, _share(other, tmp_path / "b2.xlsx"))

    assert [(c.field, c.mine, c.theirs) for c in to_b.conflicts] == [
        ("title", "Directeur", "Gérant")
    ]
    assert [(c.field, c.mine, c.theirs) for c in to_a.conflicts] == [
        ("title", "Gérant", "Directeur")
    ]
    assert _contact_by_name(other, "Lefèvre").fields.city == "Villeurbanne"
    assert a.get(ids["petrovski"]).fields.email == "petar@telekom.mk"
    assert "Called back from Skopje" in _note_texts(workspace, ids["petrovski"])
    # Each side kept its own title, with the colleague's in a note: nothing lost.
    assert a.get(ids["formula"]).fields.title == "Gérant"
    assert any("Directeur" in n for n in _note_texts(workspace, ids["formula"]))
    mine, theirs = _dump(workspace.path), _dump(other.path)
    for table in ("sources", "call_logs", "reminders", "qualifications"):
        assert mine[table] == theirs[table], table
    titles = {r[_column(workspace.path, "contacts", "title")] for r in mine["contacts"]}
    assert {"Gérant"} <= titles

    # One more exchange: B's file now carries A's conflict note; no new conflict appears.
    again = _merge(workspace, _share(other, tmp_path / "b3.xlsx"))
    assert again.conflicts == []


def test_a_conflict_decided_for_the_colleague_takes_theirs_and_notes_ours(
    workspace, other, clock, tmp_path
):
    ids = _fill(workspace, clock)
    _merge(other, _share(workspace, tmp_path / "a1.xlsx"))
    clock.advance(hours=1)
    a_contact = workspace.contacts.get(ids["lefevre"])
    workspace.contacts.update(ids["lefevre"], _with(a_contact.fields, phone="04 78 11 22 33"))
    b_contact = _contact_by_name(other, "Lefèvre")
    other.contacts.update(b_contact.id, _with(b_contact.fields, phone="04 78 99 88 77"))
    path = _share(other, tmp_path / "b1.xlsx")
    before = _dump(workspace.path)

    preview = _merge(workspace, path, preview=True)
    assert _dump(workspace.path) == before  # a preview changes nothing
    [conflict] = preview.conflicts
    assert (conflict.field, conflict.mine, conflict.theirs) == (
        "phone",
        "04 78 11 22 33",
        "04 78 99 88 77",
    )

    _merge(workspace, path, {conflict.key: Choice.THEIRS})
    after = workspace.contacts.get(ids["lefevre"])
    assert after.fields.phone == "04 78 99 88 77"
    assert after.phone_e164 == "+33478998877"
    assert any("04 78 11 22 33" in n for n in _note_texts(workspace, ids["lefevre"]))


# -- deletions ----------------------------------------------------------------------------------


def test_a_deleted_contact_stays_deleted_on_both_sides(workspace, other, clock, tmp_path):
    ids = _fill(workspace, clock)
    old_file = _share(workspace, tmp_path / "a1.xlsx")
    _merge(other, old_file)
    clock.advance(hours=1)
    workspace.contacts.delete(ids["petrovski"])

    to_b = _merge(other, _share(workspace, tmp_path / "a2.xlsx"))
    assert to_b.deleted == 1
    assert other.contacts.page(ContactQuery(text="Петровски"), 0, 5) == []

    # Neither A's own older file nor B's file from before the deletion brings it back.
    assert _merge(workspace, old_file).kept_deleted == 1
    assert workspace.contacts.total() == 3
    assert other.contacts.total() == 3


def test_a_contact_deleted_there_but_changed_here_since_is_asked_about(
    workspace, other, clock, tmp_path
):
    clock.now = datetime.now(UTC)  # a deletion is stamped by the database's own clock
    ids = _fill(workspace, clock)
    _merge(other, _share(workspace, tmp_path / "a1.xlsx"))
    clock.advance(hours=1)
    b_contact = _contact_by_name(other, "Lefèvre")
    workspace.contacts.delete(ids["lefevre"])
    clock.advance(minutes=5)
    other.contacts.update(b_contact.id, _with(b_contact.fields, city="Bron"))
    path = _share(workspace, tmp_path / "a2.xlsx")

    first = _merge(other, path)
    assert [c.field for c in first.conflicts] == [DELETED_FIELD]
    assert other.contacts.get(b_contact.id).fields.city == "Bron"  # kept, with a note
    assert _merge(other, path).conflicts == []  # decided once

    later = _merge(other, path, {first.conflicts[0].key: Choice.THEIRS})
    assert later.deleted == 0  # the decision was made; a later file may still delete it


# -- people found under another UUID ------------------------------------------------------------


def test_the_same_person_bought_by_both_offices_is_merged_not_duplicated(
    workspace, other, clock, tmp_path
):
    ids = _fill(workspace, clock)
    other.contacts.add(
        ContactFields(
            first_name="FRANCOIS",
            last_name="LEFEVRE",
            email="F.Lefevre@Creme.fr",
            title="Gérant",
            city="Lyon",
        )
    )
    summary = _merge(other, _share(workspace, tmp_path / "a1.xlsx"))
    assert (summary.added, summary.updated) == (3, 1)
    merged = _contact_by_name(other, "lefevre")
    assert merged.fields.title == "Gérant"  # ours kept
    assert merged.fields.phone == "06 12 34 56 78"  # the empty one filled
    assert merged.fields.stage == Stage.PROSPECT  # the pipeline follows the newer side
    assert merged.fields.temperature == workspace.contacts.get(ids["lefevre"]).fields.temperature
    assert merged.fields.temperature != Temperature.COLD
    # Next time their UUID finds it at once (an alias), even with the email changed there.
    clock.advance(hours=1)
    a = workspace.contacts.get(ids["lefevre"])
    workspace.contacts.update(ids["lefevre"], _with(a.fields, email="francois@creme.fr"))
    again = _merge(other, _share(workspace, tmp_path / "a2.xlsx"))
    assert (again.added, again.updated) == (0, 1)
    assert other.contacts.get(merged.id).fields.email == "francois@creme.fr"


# -- files that are not share files -------------------------------------------------------------


def test_a_workbook_that_is_not_a_share_file_is_refused_with_nothing_changed(workspace, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "Phone"])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    assert not looks_like_share_file(path)
    with pytest.raises(NotAShareFile) as caught:
        list(workspace.sharing.merge(path))
    assert "not a Prospector share file" in caught.value.user_message()


def test_a_cancelled_merge_changes_nothing(workspace, other, clock, tmp_path):
    _fill(workspace, clock)
    path = _share(workspace, tmp_path / "a1.xlsx")
    before = _dump(other.path)
    steps = list(other.sharing.merge(path, should_stop=lambda: True))
    assert steps[-1].status == "cancelled"
    assert _dump(other.path) == before


def test_a_cancelled_share_export_leaves_no_file(workspace, clock, tmp_path):
    _fill(workspace, clock)
    path = tmp_path / "share.xlsx"
    request = ShareRequest(path)
    steps = list(workspace.sharing.export_share(request, should_stop=lambda: True))
    assert steps[-1].status == "cancelled"
    assert not path.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("prospector.")] == []


# -- helpers ------------------------------------------------------------------------------------


def _with(fields: ContactFields, **changes) -> ContactFields:
    from dataclasses import replace

    return replace(fields, **changes)


def _note_texts(ws, contact_id: int) -> list[str]:
    return [e.text for e in ws.notes.timeline(contact_id).entries if e.text]


def _column(db: Path, table: str, name: str) -> int:
    conn = sqlite3.connect(db)
    try:
        names = [d[0] for d in conn.execute(f"SELECT * FROM {table} LIMIT 0").description]
    finally:
        conn.close()
    return [n for n in names if n not in LOCAL_ONLY].index(name)


# -- the command line ---------------------------------------------------------------------------


def test_the_command_line_exports_a_share_file_and_import_merges_it(
    workspace, other, clock, tmp_path, capsys
):
    import json

    from prospector.cli import main

    _fill(workspace, clock)
    workspace.close()
    other.close()
    out = tmp_path / "share.xlsx"
    a, b = str(workspace.path), str(other.path)
    assert main(["export", "--share", "--db", a, "--to", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == 4

    assert main(["import", str(out), "--db", b, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["share_file"], first["added"], first["notes_added"]) == (True, 4, 2)
    assert main(["import", str(out), "--db", b]) == 0
    assert capsys.readouterr().out.startswith(
        "Merged share.xlsx: 0 added, 0 updated, 4 unchanged, 0 conflicts, 0 deleted."
    )

    assert main(["export", "--share", "--db", a, "--to", str(tmp_path / "share.csv")]) == 1
    assert "end its name with .xlsx" in capsys.readouterr().err


def test_a_merge_killed_midway_leaves_the_database_exactly_as_before(
    workspace, other, tmp_path
):
    import signal
    import subprocess
    import sys
    import textwrap

    from prospector.services.imports import ImportRequest

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "benchmarks"))
    import leadgen

    big = tmp_path / "big.csv"
    leadgen.write_csv(big, leadgen.generate_leads(6_000, seed=11))
    list(workspace.imports.run_import(ImportRequest(big, "Big")))
    share = _share(workspace, tmp_path / "big-share.xlsx")
    other.contacts.add(ContactFields(first_name="Already", last_name="There"))
    other.close()
    before = _dump(other.path)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from prospector.services.workspace import open_workspace
        ws = open_workspace(Path({str(other.path)!r}), backups=False)
        for step in ws.sharing.merge(Path({str(share)!r})):
            print("progress", step.done, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    killed_at = 0
    for line in proc.stdout:
        if line.startswith("progress") and int(line.split()[1]) >= 1500:
            killed_at = int(line.split()[1])
            proc.send_signal(signal.SIGKILL)  # inside the merge's transaction
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL and 1500 <= killed_at < 6000
    assert _dump(other.path) == before
    conn = sqlite3.connect(other.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.allow_log_warnings
def test_a_share_file_is_reported_saved_even_if_the_database_is_busy_afterwards(
    workspace, clock, tmp_path, monkeypatch, caplog
):
    """The file is in place before the baselines are written; a busy database then must not
    turn a saved file into an error."""
    from prospector.errors import DatabaseBusy
    from prospector.services.sharing import SharingService

    _fill(workspace, clock)

    def busy(self, exported):
        raise DatabaseBusy(workspace.path)

    monkeypatch.setattr(SharingService, "_first_baselines", busy)
    path = tmp_path / "share.xlsx"
    with caplog.at_level("WARNING"):
        steps = list(workspace.sharing.export_share(ShareRequest(path)))
    assert steps[-1].status == "done" and path.exists()
    assert "first baselines not recorded" in caplog.text
