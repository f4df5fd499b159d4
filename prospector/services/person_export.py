"""Export everything held about one contact to an Excel workbook (GDPR Art. 15 and 20).

A person may ask what the office holds about them, and for a copy they can take elsewhere.
The workbook answers both: a sheet "About this file" (whose data, when, in which time zone),
"Contact" (every field, one per row, the list's extra fields too), then one sheet per kind of
record (the list and the import it came from, notes, calls, follow-ups, questionnaire answers
with their questions, stage changes, what imports filled in, the do-not-call register's
entries for their phones and email, share-file links), empty sheets included so the answer is
complete. Times are shown in the rep's time zone. Reading is one read transaction
(``storage/person_data.py``); writing goes through ``exporters/person_xlsx.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.errors import NotFound
from prospector.exporters.person_xlsx import PersonSheet, write_person_workbook
from prospector.storage.person_data import everything_about

log = logging.getLogger(__name__)

SHEET_TITLES = {
    "contacts": "Contact",
    "sources": "List",
    "import_runs": "Imports",
    "notes": "Notes",
    "call_logs": "Calls",
    "reminders": "Follow-ups",
    "qualifications": "Questionnaires",
    "answers": "Answers",
    "stage_changes": "Stage changes",
    "import_merges": "Filled in by imports",
    "do_not_call_entries": "Do not call",
    "share_aliases": "Share file ids",
    "share_baselines": "Last shared",
}
_HEADERS = {
    "id": "Number",
    "uuid": "Id (in share files)",
    "contact_id": "Contact number",
    "source_id": "List number",
    "import_run_id": "Import number",
    "questionnaire_id": "Questionnaire number",
    "phone_e164": "Phone (international form)",
    "mobile_e164": "Mobile (international form)",
    "phone_digits": "Phone digits (for search)",
    "email_normalized": "Email (as compared)",
    "name_key": "Name (for finding duplicates)",
    "estimated_value_cents": "Estimated value (cents)",
    "cost_cents": "Cost (cents)",
    "duration_s": "Duration (seconds)",
    "custom_fields": "Extra fields from the list",
    "column_mapping": "Column matching",
    "file_hash": "File fingerprint (SHA-256)",
}


def _header(column: str) -> str:
    return _HEADERS.get(column) or column.replace("_", " ").capitalize()


@dataclass(frozen=True)
class PersonExport:
    path: Path
    name: str  # the contact's name, as the table shows it
    rows: dict[str, int]  # sheet title -> rows written (the contact's own fields excluded)

    @property
    def records(self) -> int:
        return sum(self.rows.values())


def export_person(
    sessions: sessionmaker[Session],
    contact_id: int,
    path: Path,
    *,
    clock: Clock = system_clock,
    zone: tzinfo | None = None,
) -> PersonExport:
    """Write everything held about contact ``contact_id`` to ``path`` (.xlsx).

    Raises:
        NotFound: no such contact.
        NotAWorkbookName: ``path`` does not end in .xlsx.
        ExportNotSaved: the file could not be written; nothing is left at ``path``.
    """
    with sessions() as session:
        held = everything_about(session, contact_id)
    if held is None:
        raise NotFound(f"contact {contact_id}")
    local = _local(zone)
    contact = dict(zip(held[0].columns, held[0].rows[0], strict=True))
    name = _name(contact)
    sheets: list[PersonSheet] = []
    rows: dict[str, int] = {}
    order = list(SHEET_TITLES)
    for table in sorted(held[1:], key=lambda h: order.index(h.name) if h.name in order else 99):
        title = SHEET_TITLES.get(table.name, _header(table.name))
        sheets.append(
            PersonSheet(
                title,
                [_header(c) for c in table.columns],
                [[local(v) for v in row] for row in table.rows],
            )
        )
        rows[title] = len(table.rows)
    sheets[:0] = [_about(name, clock(), zone, sheets), _contact_sheet(contact, local)]
    write_person_workbook(path, sheets)
    log.info("Exported the data held about contact %s (%d records)", contact_id, sum(rows.values()))
    return PersonExport(path, name, rows)


def _local(zone: tzinfo | None) -> Any:
    def local(value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(zone).replace(tzinfo=None)
        return value

    return local


def _name(contact: dict[str, Any]) -> str:
    parts = " ".join(p for p in (contact["first_name"], contact["last_name"]) if p)
    return parts or contact["full_name"] or contact["company"] or f"contact {contact['id']}"


def _about(
    name: str, now: datetime, zone: tzinfo | None, sheets: Sequence[PersonSheet]
) -> PersonSheet:
    moment = now.astimezone(zone)
    lines = [
        ("Whose data", name),
        ("Exported on", moment.replace(tzinfo=None)),
        ("Times are in", moment.tzname() or "local time"),
        ("What this is", "Everything this Prospector database holds about this person: one "
                         "sheet per kind of record. An empty sheet means nothing of that kind "
                         "is held."),
        ("Sheets", ", ".join(["Contact", *(s.title for s in sheets)])),
    ]  # fmt: skip
    return PersonSheet("About this file", ["About", "Details"], lines)


def _contact_sheet(contact: dict[str, Any], local: Any) -> PersonSheet:
    """Every field of the contact, one per row (a wide single row is hard to read)."""
    rows: list[list[object]] = []
    for column, value in contact.items():
        if column == "custom_fields":
            continue
        rows.append([_header(column), local(value)])
    for key, value in (contact.get("custom_fields") or {}).items():
        rows.append([f"From the list: {key}", value])
    return PersonSheet("Contact", ["Field", "Value"], rows)
