"""Everything held about one contact, in one workbook (GDPR Art. 15 access, Art. 20 portability),
and a person erased at their request who is typed in again by hand.

The workbook is read back with openpyxl (another reader than ours) and every item given to the
contact must be found in it, and nothing of another contact.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from prospector.cli import main
from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.stages import Stage
from prospector.errors import NotFound
from prospector.exporters.person_xlsx import NotAWorkbookName
from prospector.exporters.target_file import ExportNotSaved
from prospector.services.imports import ImportRequest


def _cells(path: Path) -> dict[str, list[str]]:
    """Every non-empty cell of every sheet, as text, by sheet title."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: [
                str(value)
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            ]
            for sheet in book.worksheets
        }
    finally:
        book.close()


@pytest.fixture
def worked_contact(workspace, tmp_path: Path) -> int:
    """Élise, imported from a list with an extra column, then worked in every way there is."""
    listing = tmp_path / "salon-lyon.csv"
    listing.write_text(
        "Prénom;Nom;Téléphone;E-mail;Stand\n"
        "Élise;Guillet;04 72 00 00 01;elise@guillet.fr;Hall B, stand 12\n"
        "Marc;Autre;04 72 00 00 02;marc@autre.fr;Hall A\n",
        encoding="utf-8",
    )
    deque(workspace.imports.run_import(ImportRequest(listing, "Salon Lyon 2026")), maxlen=1)
    elise = next(c for c in workspace.contacts.page(_everyone(), 0, 10) if c.name.startswith("É"))
    other = next(c for c in workspace.contacts.page(_everyone(), 0, 10) if c.name.startswith("M"))
    workspace.notes.add(other.id, "Marc's own note, not Élise's")

    workspace.notes.add(elise.id, "=Prefers calls after 14:00")
    logged = workspace.queue.log_outcome(
        elise.id, CallOutcome.TALKED, duration_s=95, note="Interested in the spring offer"
    )
    workspace.queue.qualify(
        elise.id, {"market": "yes", "budget": "no"}, notes={"budget": "next year"}, logged=logged
    )
    workspace.followups.create(
        elise.id, workspace.queue._clock() + timedelta(days=3), "email", "Send the brochure"
    )
    workspace.queue.mark_do_not_call(elise.id, "asked by phone")
    return elise.id


def _everyone():  # type: ignore[no-untyped-def]
    from prospector.domain.query import ContactQuery

    return ContactQuery()


def test_the_workbook_holds_every_item_about_the_person_and_nothing_else(
    workspace, worked_contact: int, tmp_path: Path
):
    path = tmp_path / "elise.xlsx"
    done = workspace.privacy.export_person(worked_contact, path)
    assert done.name == "Élise Guillet"
    cells = _cells(path)
    assert list(cells)[:2] == ["About this file", "Contact"]
    assert {"List", "Imports", "Notes", "Calls", "Follow-ups", "Questionnaires", "Answers",
            "Stage changes", "Do not call"} <= set(cells)  # fmt: skip
    everything = [value for values in cells.values() for value in values]

    assert "Élise Guillet" in cells["About this file"]
    assert {"Élise", "Guillet", "04 72 00 00 01", "elise@guillet.fr"} <= set(cells["Contact"])
    assert "From the list: Stand" in cells["Contact"] and "Hall B, stand 12" in cells["Contact"]
    assert "Salon Lyon 2026" in cells["List"]
    assert "salon-lyon.csv" in cells["Imports"]
    assert "=Prefers calls after 14:00" in cells["Notes"]  # text, never a formula
    assert "Interested in the spring offer" in cells["Calls"] and "95" in cells["Calls"]
    assert "Send the brochure" in cells["Follow-ups"]
    assert any("target market" in v for v in cells["Answers"]) and "no" in cells["Answers"]
    assert "next year" in cells["Answers"]
    assert "do_not_call" in cells["Stage changes"]
    assert "+33472000001" in cells["Do not call"] and "elise@guillet.fr" in cells["Do not call"]
    assert "asked by phone" in cells["Do not call"]
    # Another contact's data stays out.
    assert not any("Marc" in v for v in everything)
    assert done.rows["Notes"] == 2  # her note and the do-not-call note


def test_the_formula_looking_note_stays_text(workspace, worked_contact: int, tmp_path: Path):
    path = tmp_path / "elise.xlsx"
    workspace.privacy.export_person(worked_contact, path)
    book = openpyxl.load_workbook(path)
    notes = book["Notes"]
    texts = [c for row in notes.iter_rows() for c in row if c.value == "=Prefers calls after 14:00"]
    assert texts and texts[0].data_type == "s"


def test_a_missing_contact_a_wrong_name_and_a_missing_folder_are_refused(
    workspace, worked_contact: int, tmp_path: Path
):
    with pytest.raises(NotFound):
        workspace.privacy.export_person(worked_contact + 1000, tmp_path / "x.xlsx")
    with pytest.raises(NotAWorkbookName) as wrong:
        workspace.privacy.export_person(worked_contact, tmp_path / "elise.csv")
    assert ".xlsx" in wrong.value.user_message()
    with pytest.raises(ExportNotSaved) as missing:
        workspace.privacy.export_person(worked_contact, tmp_path / "nowhere" / "elise.xlsx")
    assert missing.value.reason == "folder_missing"
    assert not list(tmp_path.glob("*.xlsx"))


def test_the_command_line_exports_one_person(
    workspace, worked_contact: int, db_path: Path, tmp_path: Path, capsys
):
    workspace.close()
    path = tmp_path / "elise.xlsx"
    code = main(["export-person", str(worked_contact), "--to", str(path), "--db", str(db_path)])
    assert code == 0 and "Élise Guillet" in capsys.readouterr().out
    assert "Send the brochure" in _cells(path)["Follow-ups"]
    code = main(["export-person", "99999", "--to", str(path), "--db", str(db_path), "--json"])
    assert code == 1 and '"not_found"' in capsys.readouterr().out


def test_someone_erased_who_is_typed_in_again_arrives_flagged_do_not_call(workspace):
    """Art. 21(3): an erased person is never called again, whichever way they come back."""
    first = workspace.contacts.add(
        ContactFields(first_name="Ana", last_name="Pop", phone="06 12 34 56 78", email="a@b.fr")
    )
    workspace.privacy.erase(first.id)

    typed = workspace.contacts.add(ContactFields(first_name="A.", phone="+33 6 12 34 56 78"))
    assert typed.fields.do_not_call and typed.fields.stage == Stage.DO_NOT_CALL
    assert workspace.contacts.erased_match(typed.id) == "phone"
    story = workspace.notes.timeline(typed.id)
    assert any("asked to be erased" in (e.text or "") for e in story.entries)

    by_email = workspace.contacts.add(ContactFields(last_name="Pop", email="A@B.FR"))
    assert by_email.fields.do_not_call and workspace.contacts.erased_match(by_email.id) == "email"

    stranger = workspace.contacts.add(ContactFields(first_name="Bob", phone="06 98 76 54 32"))
    assert not stranger.fields.do_not_call and workspace.contacts.erased_match(stranger.id) is None
    # The erased person's numbers stay off the register in clear (only their hashes are kept).
    assert workspace.do_not_call.count() == {"phone": 0, "email": 0}
