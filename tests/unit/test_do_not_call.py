"""The do-not-call register: real messy files in, every matching contact flagged, never queued."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import deque
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from prospector.cli import main
from prospector.domain.contacts import ContactFields
from prospector.errors import UserFacingError
from prospector.services.do_not_call import DoNotCallProgress, NoNumbersInFile
from prospector.services.imports import DuplicatePolicy, ImportRequest
from prospector.services.workspace import Workspace, open_workspace
from prospector.storage import do_not_call_repository
from prospector.storage.do_not_call_repository import flag_contacts_of_import_run

TABLES = ("contacts", "notes", "do_not_call_entries")

# A vendor's opposition list: a title row, French headers, ';' and Windows-1252 (é, è).
SEMICOLON_CP1252 = (
    "Liste d'opposition - mars 2026;;;\r\n"
    "Nom;Téléphone;E-mail;Motif\r\n"
    "Lefèvre;01 98 76 54 32;F.Lefevre@Creme.FR;Opposé au démarchage\r\n"
    "Crème & Fils;+33 6 11 22 33 44;;\r\n"
    "Dupont;;jean.dupont@exemple.fr;\r\n"
)
# Numbers as people type them, no header, a blank line and a value that is no number.
BARE_NUMBERS = (
    "+33 1 23 45 67 89\r\n01 23 45 67 89\r\n(555) 010-2030\r\n\r\nn/a\r\n06 12 34 56 78\r\n"
)


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _state(db: Path, contact_id: int) -> tuple[str, int, str]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT stage, do_not_call, updated_at FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
    finally:
        conn.close()


def _notes(db: Path, contact_id: int) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [
            r[0] for r in conn.execute("SELECT text FROM notes WHERE contact_id = ?", (contact_id,))
        ]
    finally:
        conn.close()


def _import(ws: Workspace, path: Path, **kwargs) -> DoNotCallProgress:
    return deque(ws.do_not_call.import_file(path, **kwargs), maxlen=1)[0]


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _add(ws: Workspace, first: str, last: str, **fields: str) -> int:
    return ws.contacts.add(ContactFields(first_name=first, last_name=last, **fields)).id


def test_a_semicolon_cp1252_file_flags_contacts_by_phone_in_another_format_and_by_email(
    workspace: Workspace, db_path: Path, tmp_path: Path
):
    by_phone = _add(workspace, "Paul", "Lefèvre", phone="+33 1 98 76 54 32")
    by_mobile = _add(workspace, "Anne", "Crème", mobile="06.11.22.33.44")
    by_email = _add(workspace, "Jean", "Dupont", email="Jean.Dupont@Exemple.fr")
    untouched = _add(workspace, "Marie", "Martin", phone="04 72 00 00 00", email="m@martin.fr")
    before_untouched = _state(db_path, untouched)
    path = _write(tmp_path, "opposition.csv", SEMICOLON_CP1252, "cp1252")

    preview = workspace.do_not_call.preview(path)
    assert "cp1252" in preview.described and "semicolon" in preview.described
    assert preview.header_row == 2  # the title row above it is skipped
    assert [(c.letter, c.name, c.by_header) for c in preview.columns] == [
        ("B", "Téléphone", True),
        ("C", "E-mail", True),
    ]
    assert preview.ignored == ("Nom",)
    assert preview.reason_column == "Motif"
    assert preview.columns[0].samples[0] == ("01 98 76 54 32", "+33198765432")
    assert preview.columns[1].samples[0] == ("F.Lefevre@Creme.FR", "f.lefevre@creme.fr")
    assert (preview.phones, preview.emails, preview.unreadable) == (2, 2, 0)
    assert _counts(db_path)["do_not_call_entries"] == 0  # a preview writes nothing

    report = _import(workspace, path)
    assert report.status == "completed"
    assert (report.phones_added, report.emails_added, report.already_listed) == (2, 2, 0)
    assert report.flagged == 3
    assert sorted(report.flagged_names) == ["Anne Crème", "Jean Dupont", "Paul Lefèvre"]
    for contact_id in (by_phone, by_mobile, by_email):
        stage, flag, _updated = _state(db_path, contact_id)
        assert (stage, flag) == ("do_not_call", 1)
        notes = _notes(db_path, contact_id)
        assert len(notes) == 1 and "opposition.csv" in notes[0]
        assert notes[0].startswith("Put on the do-not-call list")
    assert _state(db_path, untouched) == before_untouched
    assert _notes(db_path, untouched) == []

    # The reason column is kept with each value; the origin is the file's name.
    conn = sqlite3.connect(db_path)
    rows = dict(conn.execute("SELECT value, reason || ' / ' || origin FROM do_not_call_entries"))
    conn.close()
    assert rows["+33198765432"] == "Opposé au démarchage / opposition.csv"
    assert workspace.do_not_call.count() == {"phone": 2, "email": 2}
    assert workspace.do_not_call.is_listed(phone="01.98.76.54.32")
    assert workspace.do_not_call.is_listed(email="JEAN.DUPONT@exemple.fr")
    assert not workspace.do_not_call.is_listed(phone="04 72 00 00 00", email="m@martin.fr")


def test_a_bare_column_of_numbers_in_mixed_formats(
    workspace: Workspace, db_path: Path, tmp_path: Path
):
    paris = _add(workspace, "Jean", "Paris", phone="01 23 45 67 89")
    # An American number: the register keeps the file's "(555) 010-2030" as its digits (it
    # cannot be read as a French number) and finds it among the contact's phone digits.
    boston = _add(workspace, "Ann", "Lee", phone="555 010 2030", country="United States")
    other = _add(workspace, "Luc", "Autre", phone="06 99 99 99 99")
    path = _write(tmp_path, "numeros.csv", BARE_NUMBERS)

    preview = workspace.do_not_call.preview(path)
    assert preview.header_row is None  # the first number is a value, not a header
    assert [c.name for c in preview.columns] == ["Column A"]
    kept = dict(preview.columns[0].samples)
    assert kept["+33 1 23 45 67 89"] == kept["01 23 45 67 89"] == "+33123456789"
    assert kept["(555) 010-2030"] == "5550102030"
    assert kept["n/a"] is None
    assert (preview.phones, preview.unreadable) == (3, 1)

    report = _import(workspace, path)
    assert (report.phones_added, report.emails_added, report.repeated) == (3, 0, 1)
    assert report.unreadable_count == 1
    assert [(u.row, u.value) for u in report.unreadable] == [(5, "n/a")]  # as Excel numbers it
    assert _state(db_path, paris)[:2] == ("do_not_call", 1)
    assert _state(db_path, boston)[:2] == ("do_not_call", 1)
    assert _state(db_path, other)[:2] == ("suspect", 0)
    assert set(report.flagged_names) == {"Jean Paris", "Ann Lee"}


def test_an_xlsx_with_an_email_column(workspace: Workspace, db_path: Path, tmp_path: Path):
    flagged = _add(workspace, "Ştefan", "Popescu", email="stefan@baneasa.ro")
    by_number = _add(workspace, "Paul", "Numéro", phone="01 23 45 67 89")
    kept = _add(workspace, "Ana", "Ionescu", email="ana@baneasa.ro")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Email", "Date", "Tel"])
    sheet.append(["Ştefan P.", "STEFAN@Baneasa.RO", "2026-03-01", None])
    sheet.append(["Somebody", "nobody@example.com", "2026-03-02", 123456789])  # Excel ate the 0
    sheet.append(["Broken", "not an address@", "2026-03-02", None])
    path = tmp_path / "unsubscribed.xlsx"
    book.save(path)

    preview = workspace.do_not_call.preview(path)
    assert [c.name for c in preview.columns] == ["Email", "Tel"]
    assert set(preview.ignored) == {"Name", "Date"}

    report = _import(workspace, path)
    assert (report.phones_added, report.emails_added, report.flagged) == (1, 2, 2)
    assert [(u.row, u.column, u.value) for u in report.unreadable] == [
        (4, "Email", "not an address@")
    ]
    assert _state(db_path, flagged)[:2] == ("do_not_call", 1)
    assert _state(db_path, by_number)[:2] == ("do_not_call", 1)
    assert _state(db_path, kept)[:2] == ("suspect", 0)


def test_every_sheet_of_a_workbook_holding_numbers_is_read(
    workspace: Workspace, db_path: Path, tmp_path: Path
):
    """A register split by region: the second sheet's numbers count as much as the first's."""
    paris = _add(workspace, "Luc", "Martin", phone="01 98 76 54 32")
    lyon = _add(workspace, "Zoé", "Morel", email="zoe@morel.fr")
    lyon_phone = _add(workspace, "Inès", "Roux", mobile="06 55 44 33 22")
    free = _add(workspace, "Ana", "Pop", phone="01 11 22 33 44")
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Paris"
    first.append(["Nom", "Téléphone", "Motif"])
    first.append(["Martin", "01 98 76 54 32", "Opposé"])
    about = book.create_sheet("Lisez-moi")
    about.append(["Liste d'opposition, mise à jour chaque mois."])
    about.append(["Contact : service clients"])
    second = book.create_sheet("Lyon")  # no header: the values tell what the columns are
    second.append(["zoe@morel.fr", "06 55 44 33 22"])
    second.append(["paul@exemple.fr", "not a number"])
    path = tmp_path / "opposition.xlsx"
    book.save(path)

    preview = workspace.do_not_call.preview(path)
    assert preview.sheets == ("Paris", "Lyon")
    assert preview.other_sheets == ("Lisez-moi",)
    assert [(c.sheet, c.name) for c in preview.columns] == [
        ("Paris", "Téléphone"),
        ("Lyon", "Column A"),
        ("Lyon", "Column B"),
    ]
    assert (preview.rows_counted, preview.phones, preview.emails) == (3, 2, 2)
    assert preview.reason_column == "Paris · Motif"

    report = _import(workspace, path)
    assert (report.phones_added, report.emails_added, report.flagged) == (2, 2, 3)
    assert [(u.row, u.column, u.value) for u in report.unreadable] == [
        (2, "Lyon · Column B", "not a number")
    ]
    for listed in (paris, lyon, lyon_phone):
        assert _state(db_path, listed)[:2] == ("do_not_call", 1)
    assert _state(db_path, free)[:2] == ("suspect", 0)


def test_a_workbook_whose_only_numbers_are_on_a_later_sheet(workspace: Workspace, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["Numbers are on the next sheet."])
    book.create_sheet("Numbers").append(["+33 1 98 76 54 32"])
    path = tmp_path / "register.xlsx"
    book.save(path)

    preview = workspace.do_not_call.preview(path)
    assert (preview.sheets, preview.other_sheets) == (("Numbers",), ("Read me",))
    assert [(c.sheet, c.name) for c in preview.columns] == [(None, "Column A")]
    assert _import(workspace, path).phones_added == 1


def test_the_queue_never_offers_a_flagged_contact(workspace: Workspace, tmp_path: Path):
    listed = _add(workspace, "Aaron", "Abel", phone="01 23 45 67 89")
    free = _add(workspace, "Zoé", "Zola", phone="06 12 34 56 78")
    assert workspace.queue.next_card(None).contact.id == listed  # first in list order
    _import(workspace, _write(tmp_path, "dnc.csv", "+33123456789\r\n"))

    card = workspace.queue.next_card(None)
    assert card is not None and card.contact.id == free
    workspace.queue.skip(free, "lunch")
    assert workspace.queue.next_card(None) is None  # the listed contact never comes back


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.csv", '+33 1 23 45 67 89\r\n"06 12 34 56 78\r\n07 00 00 00 00\r\n', "quote"),
        ("names.csv", "Nom;Ville\r\nDupont;Lyon\r\nMartin;Paris\r\n", "No phone numbers"),
        ("empty.csv", "", "empty"),
        ("truncated.xlsx", "PK\x03\x04\x14\x00\x00\x00", "damaged"),
    ],
)
def test_a_bad_file_gives_a_plain_message_and_changes_nothing(
    workspace: Workspace, db_path: Path, tmp_path: Path, name: str, content: str, expected: str
):
    contact = _add(workspace, "Jean", "Paris", phone="01 23 45 67 89")
    before = _counts(db_path), _state(db_path, contact)
    path = _write(tmp_path, name, content, "latin-1")
    with pytest.raises(UserFacingError) as caught:
        workspace.do_not_call.preview(path)
    assert expected in caught.value.user_message()
    with pytest.raises(UserFacingError):
        _import(workspace, path)
    assert (_counts(db_path), _state(db_path, contact)) == before


def test_a_file_without_phones_says_so(workspace: Workspace, tmp_path: Path):
    path = _write(tmp_path, "villes.csv", "Ville,Pays\r\nLyon,France\r\nCluj,Romania\r\n")
    with pytest.raises(NoNumbersInFile) as caught:
        workspace.do_not_call.preview(path)
    assert caught.value.code == "dnc.no_values"
    assert "villes.csv" in caught.value.user_message()


def _big_file(tmp_path: Path, rows: int = 3000) -> Path:
    lines = ["Phone"] + [
        f"06 {n // 10000:02d} {n // 100 % 100:02d} {n % 100:02d} 11" for n in range(rows)
    ]
    return _write(tmp_path, "big.csv", "\r\n".join(lines) + "\r\n")


def test_cancel_midway_leaves_nothing(workspace: Workspace, db_path: Path, tmp_path: Path):
    contact = _add(workspace, "Jean", "Paris", phone="06 00 00 00 11")  # the file's first row
    before = _counts(db_path), _state(db_path, contact)
    steps = []
    stop = {"now": False}
    for step in workspace.do_not_call.import_file(
        _big_file(tmp_path), should_stop=lambda: stop["now"], batch_size=1000
    ):
        steps.append(step)
        if step.status == "running":
            assert step.phones_added == 1000 and step.flagged == 1  # written, not committed
            stop["now"] = True
    assert [s.status for s in steps] == ["running", "cancelled"]
    assert (_counts(db_path), _state(db_path, contact)) == before


def test_a_crash_midway_leaves_nothing(
    workspace: Workspace, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    contact = _add(workspace, "Jean", "Paris", phone="06 00 00 00 11")
    before = _counts(db_path), _state(db_path, contact)
    original = do_not_call_repository.DoNotCallRepository.flag_matching
    calls = {"n": 0}

    def failing(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk I/O error")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(do_not_call_repository.DoNotCallRepository, "flag_matching", failing)
    with pytest.raises(OSError):
        _import(workspace, _big_file(tmp_path))
    assert (_counts(db_path), _state(db_path, contact)) == before


def test_importing_the_same_file_again_adds_nothing(
    workspace: Workspace, db_path: Path, tmp_path: Path
):
    _add(workspace, "Paul", "Lefèvre", phone="+33 1 98 76 54 32")
    path = _write(tmp_path, "opposition.csv", SEMICOLON_CP1252, "cp1252")
    first = _import(workspace, path)
    after_first = _counts(db_path)
    again = _import(workspace, path)
    assert (again.added, again.flagged, again.already_listed) == (0, 0, first.added)
    assert _counts(db_path) == after_first
    assert workspace.do_not_call.preview(path).already_listed == first.added


def test_marking_from_the_card_lists_the_numbers_for_later_imports(
    workspace: Workspace, db_path: Path, tmp_path: Path, clock
):
    contact = _add(
        workspace, "Jean", "Paris", phone="01 23 45 67 89", mobile="06 12 34 56 78",
        email="Jean@Paris.fr",
    )  # fmt: skip
    workspace.queue.mark_do_not_call(contact, "asked on the phone")
    assert workspace.do_not_call.count() == {"phone": 2, "email": 1}
    assert workspace.do_not_call.is_listed(phone="+33 6 12 34 56 78")
    assert workspace.do_not_call.is_listed(email="jean@paris.fr")

    # The same person comes back in a purchased list, typed differently, under another name.
    lst = _write(
        tmp_path,
        "achat.csv",
        "Prénom;Nom;Téléphone;E-mail\r\nJ.;Paris;0123456789;\r\nMarie;Neuve;04 72 11 11 11;\r\n",
        "cp1252",
    )
    request = ImportRequest(lst, "Achat", duplicates=DuplicatePolicy.IMPORT)  # a new contact
    result = deque(workspace.imports.run_import(request), maxlen=1)[0]
    assert result.status == "completed" and result.import_run_id is not None
    assert result.do_not_call == 1  # the import flagged J. Paris itself, in its transaction
    with workspace.database.sessions.begin() as session:  # and there is nothing left to flag
        assert flag_contacts_of_import_run(session, result.import_run_id, clock()) == []
    conn = sqlite3.connect(db_path)
    stages = dict(conn.execute("SELECT last_name || first_name, stage FROM contacts"))
    conn.close()
    assert stages == {"ParisJean": "do_not_call", "ParisJ.": "do_not_call", "NeuveMarie": "suspect"}

    # Flagged on arrival is not work: undoing the import removes both without asking.
    plan = workspace.history.undo_plan(result.import_run_id)
    assert (plan.added, plan.worked_count) == (2, 0)
    assert workspace.history.undo(result.import_run_id, keep_worked=True).removed == 2
    assert workspace.do_not_call.is_listed(phone="+33 1 23 45 67 89")  # the register stays


def test_the_do_not_call_key_in_the_queue_lists_the_numbers_and_undo_takes_them_off(
    workspace: Workspace,
):
    from prospector.domain.outcomes import CallOutcome

    contact = _add(workspace, "Jean", "Paris", phone="01 23 45 67 89", email="jean@paris.fr")
    logged = workspace.queue.log_outcome(contact, CallOutcome.DO_NOT_CALL, note="Angry")
    assert workspace.do_not_call.count() == {"phone": 1, "email": 1}
    workspace.queue.undo(logged)  # a slip of the key: the register is as it was
    assert workspace.do_not_call.count() == {"phone": 0, "email": 0}
    assert workspace.contacts.get(contact).fields.stage == "suspect"


def test_an_upgrade_lists_the_contacts_flagged_before(tmp_path: Path):
    saved = Path(__file__).parents[1] / "data" / "db" / "0004_call_queue.sqlite"
    path = tmp_path / "old.sqlite"
    shutil.copy(saved, path)
    ws = open_workspace(path, backups=False)
    try:
        assert ws.do_not_call.count() == {"phone": 1, "email": 0}
        assert ws.do_not_call.is_listed(phone="+389 70 123 456")
    finally:
        ws.close()


def test_dnc_import_from_the_command_line(db_path: Path, tmp_path: Path, capsys):
    ws = open_workspace(db_path)
    ws.settings.set_default_country("FR")
    ws.contacts.add(ContactFields(first_name="Paul", last_name="Lefèvre", phone="01 98 76 54 32"))
    ws.close()
    path = _write(tmp_path, "opposition.csv", SEMICOLON_CP1252, "cp1252")

    assert main(["dnc-import", str(path), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "2 numbers and 2 emails added to the do-not-call list" in out
    assert "1 contact you have was flagged" in out and "Paul Lefèvre" in out

    assert main(["dnc-import", str(path), "--db", str(db_path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["phones_added"], again["already_listed"], again["contacts_flagged"]) == (0, 4, 0)

    broken = _write(tmp_path, "broken.csv", '0123456789\r\n"0698765432\r\n')
    before = _counts(db_path)
    assert main(["dnc-import", str(broken), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("prospector: Row 2 opens a quote")
    assert _counts(db_path) == before

    # A purchased list brings the same number back under another name: the import says so.
    bought = _write(tmp_path, "achat.csv", "Nom;Téléphone\r\nDupuis;06 11 22 33 44\r\n")
    assert main(["import", str(bought), "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["do_not_call"] == 1


def test_ticking_do_not_call_on_the_contact_form_lists_the_numbers(workspace: Workspace):
    contact = workspace.contacts.add(
        ContactFields(first_name="Ana", last_name="Pop", phone="06 12 34 56 78")
    )
    assert workspace.do_not_call.count() == {"phone": 0, "email": 0}
    fields = replace(contact.fields, do_not_call=True, email="ana@pop.ro")
    workspace.contacts.update(contact.id, fields)
    assert workspace.do_not_call.is_listed(phone="+33 6 12 34 56 78")
    assert workspace.do_not_call.is_listed(email="ana@pop.ro")
    workspace.contacts.update(contact.id, fields)  # saved again: nothing listed twice
    assert workspace.do_not_call.count() == {"phone": 1, "email": 1}


def test_a_do_not_call_file_is_imported_only_after_a_backup(workspace: Workspace, tmp_path):
    from prospector.domain.backups import BackupReason

    _add(workspace, "Jean", "Paris", phone="01 23 45 67 89")
    path = _write(tmp_path, "dnc.csv", "Téléphone\n01 23 45 67 89\n")
    last = deque(workspace.do_not_call.import_file(path), maxlen=1)[0]
    assert last.status == "completed" and last.flagged == 1
    (backup,) = workspace.backups.backups()
    assert backup.reason is BackupReason.BEFORE_IMPORT
    assert backup.contacts == 1
