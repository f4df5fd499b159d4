"""Notes on a contact, and the contact's timeline read from every table that tells its story."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from prospector.domain.timeline import EntryKind, TimelineEntry
from prospector.storage import tables as t

N = t.Note.__table__.c
CL = t.CallLog.__table__.c
Q = t.Qualification.__table__.c
SC = t.StageChange.__table__.c
C = t.Contact.__table__.c
S = t.Source.__table__.c


@dataclass(frozen=True)
class StoredNote:
    id: int
    contact_id: int
    text: str
    created_at: datetime
    edited_at: datetime | None


class NoteRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, contact_id: int, text: str, now: datetime) -> int:
        note = t.Note(uuid=str(uuid.uuid4()), contact_id=contact_id, text=text, created_at=now)
        self._s.add(note)
        self._s.flush()
        return note.id

    def get(self, note_id: int) -> StoredNote | None:
        row = self._s.execute(
            select(N.id, N.contact_id, N.text, N.created_at, N.edited_at).where(N.id == note_id)
        ).first()
        return StoredNote(*row) if row is not None else None

    def set_text(self, note_id: int, text: str, edited_at: datetime | None) -> bool:
        """Change a note's text; ``edited_at`` None keeps it as it was (a draft still being
        typed is not "edited"). False when the note is gone."""
        values: dict[str, object] = {"text": text}
        if edited_at is not None:
            values["edited_at"] = edited_at
        result = self._s.execute(update(t.Note).where(N.id == note_id).values(**values))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def delete(self, note_id: int) -> None:
        self._s.execute(delete(t.Note).where(N.id == note_id))

    def count_for(self, contact_id: int) -> int:
        return int(
            self._s.execute(select(func.count()).where(N.contact_id == contact_id)).scalar_one()
        )

    def timeline(self, contact_id: int, limit: int) -> list[TimelineEntry]:
        """Up to ``limit`` newest entries of each kind (the caller merges and cuts them)."""
        entries: list[TimelineEntry] = []
        notes = (
            select(N.id, N.created_at, N.text, N.edited_at)
            .where(N.contact_id == contact_id)
            .order_by(N.created_at.desc(), N.id.desc())
            .limit(limit)
        )
        for note_id, at, text, edited_at in self._s.execute(notes):
            entries.append(TimelineEntry(EntryKind.NOTE, at, note_id, text, edited_at=edited_at))
        calls = (
            select(CL.id, CL.started_at, CL.note, CL.outcome, CL.duration_s)
            .where(CL.contact_id == contact_id)
            .order_by(CL.started_at.desc(), CL.id.desc())
            .limit(limit)
        )
        for call_id, at, note, outcome, duration in self._s.execute(calls):
            entries.append(
                TimelineEntry(
                    EntryKind.CALL, at, call_id, note, outcome=outcome, duration_s=duration
                )
            )
        answers = (
            select(Q.id, Q.answered_at, Q.reason, Q.result, Q.fit_grade, Q.temperature)
            .where(Q.contact_id == contact_id)
            .order_by(Q.answered_at.desc(), Q.id.desc())
            .limit(limit)
        )
        for qid, at, reason, result, grade, temperature in self._s.execute(answers):
            entries.append(
                TimelineEntry(
                    EntryKind.QUALIFICATION,
                    at,
                    qid,
                    reason,
                    new_stage=result,
                    fit_grade=grade,
                    temperature=temperature,
                )
            )
        changes = (
            select(SC.id, SC.changed_at, SC.old_stage, SC.new_stage)
            .where(SC.contact_id == contact_id)
            .order_by(SC.changed_at.desc(), SC.id.desc())
            .limit(limit)
        )
        for change_id, at, old, new in self._s.execute(changes):
            entries.append(
                TimelineEntry(EntryKind.STAGE, at, change_id, old_stage=old, new_stage=new)
            )
        added = self._s.execute(
            select(C.created_at, S.name)
            .select_from(t.Contact.__table__.outerjoin(t.Source.__table__, S.id == C.source_id))
            .where(C.id == contact_id)
        ).first()
        if added is not None:
            entries.append(TimelineEntry(EntryKind.ADDED, added[0], source_name=added[1]))
        return entries
