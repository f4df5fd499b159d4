"""Everything the database holds about one contact, for a person's access request (GDPR Art. 15).

Read generically from the model so that no table is forgotten, now or later: the contact's own
row (every column, the custom fields among them), its list and the import that brought it in,
every table with a ``contact_id`` pointing at contacts (notes, calls, follow-ups, questionnaire
answers, stage changes, what imports filled in, share-file links…), each answer beside its
question, and the do-not-call register's entries for the contact's phones and email.
Values are handed back as stored (times aware UTC); the service decides how they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.orm import Session

from prospector.storage import tables as t
from prospector.storage.do_not_call_repository import digits_of

C = t.Contact.__table__.c


@dataclass(frozen=True)
class HeldTable:
    """Rows of one table (or of one view of it) about the person; ``name`` is the table's."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _rows(session: Session, table: Table, condition: Any, name: str | None = None) -> HeldTable:
    columns = tuple(c.name for c in table.columns)
    order = [table.c.id] if "id" in table.c else []
    rows = session.execute(select(*table.columns).where(condition).order_by(*order)).all()
    return HeldTable(name or table.name, columns, tuple(tuple(r) for r in rows))


def _children(metadata_tables: Sequence[Table]) -> list[Table]:
    """Every table holding rows that belong to one contact (a contact_id to contacts.id)."""
    found = []
    for table in metadata_tables:
        column = table.c.get("contact_id")
        if column is None:
            continue
        if any(fk.column.table.name == "contacts" for fk in column.foreign_keys):
            found.append(table)
    return found


def everything_about(session: Session, contact_id: int) -> list[HeldTable] | None:
    """The person's data, table by table (the contact first); None when there is no such
    contact. Tables with nothing about them are included, empty: the answer says so."""
    contacts = t.Contact.__table__
    contact = _rows(session, contacts, C.id == contact_id)
    if not contact.rows:
        return None
    row = dict(zip(contact.columns, contact.rows[0], strict=True))
    held = [contact]
    held.append(_rows(session, t.Source.__table__, t.Source.__table__.c.id == row["source_id"]))
    runs = t.ImportRun.__table__
    merges = t.ImportMerge.__table__
    merged_by = select(merges.c.import_run_id).where(merges.c.contact_id == contact_id)
    held.append(
        _rows(session, runs, or_(runs.c.id == row["import_run_id"], runs.c.id.in_(merged_by)))
    )
    for table in _children(t.Base.metadata.sorted_tables):
        held.append(_rows(session, table, table.c.contact_id == contact_id))
    held.append(_answers(session, contact_id))
    held.append(_do_not_call(session, row))
    return held


def _answers(session: Session, contact_id: int) -> HeldTable:
    """Each questionnaire answer beside its question (the answers are stored by question key)."""
    quals = t.Qualification.__table__
    forms = t.Questionnaire.__table__
    questions = t.Question.__table__
    given = session.execute(
        select(quals.c.answered_at, forms.c.name, forms.c.version, quals.c.answers, forms.c.id)
        .join(forms, forms.c.id == quals.c.questionnaire_id)
        .where(quals.c.contact_id == contact_id)
        .order_by(quals.c.answered_at, quals.c.id)
    ).all()
    rows = []
    for answered_at, name, version, answers, form_id in given:
        prompts = dict(
            session.execute(
                select(questions.c.key, questions.c.prompt).where(
                    questions.c.questionnaire_id == form_id
                )
            ).all()
        )
        stored = answers or {}
        given_answers = stored.get("answers", stored) if isinstance(stored, dict) else {}
        notes = stored.get("notes") or {} if isinstance(stored, dict) else {}
        for key, answer in given_answers.items():
            note = notes.get(key) if isinstance(notes, dict) else None
            rows.append((answered_at, name, version, prompts.get(key, key), answer, note))
    columns = ("answered_at", "questionnaire", "version", "question", "answer", "note")
    return HeldTable("answers", columns, tuple(rows))


def _do_not_call(session: Session, contact: dict[str, Any]) -> HeldTable:
    """The register's entries for the person's phones (E.164, or digits when unreadable) and
    email."""
    entries = t.DoNotCallEntry.__table__
    phones = {contact["phone_e164"], contact["mobile_e164"]}
    phones |= {digits_of(typed) for typed in (contact["phone"], contact["mobile"]) if typed}
    phones.discard(None)
    conditions = [and_(entries.c.kind == "phone", entries.c.value.in_(sorted(phones)))]
    if contact["email_normalized"]:
        conditions.append(
            and_(entries.c.kind == "email", entries.c.value == contact["email_normalized"])
        )
    return _rows(session, entries, or_(*conditions))
