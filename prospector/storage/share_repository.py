"""The database side of sharing: what goes into a share file, and how a colleague's file is
written in (lookups by UUID, alias, email, phone and name; inserts and updates; baselines).

Everything here runs inside the caller's session; the service makes a merge one transaction.
Rows for a share file come out as lists in the order of ``domain.share.COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import Session

from prospector.domain.contacts import fold_text
from prospector.domain.query import ContactQuery
from prospector.domain.share import COLUMNS, MatchedBy, Sheet
from prospector.storage import tables as t
from prospector.storage.contact_export import ContactExportReader
from prospector.storage.contact_repository import search_conditions
from prospector.storage.import_repository import same_business

C = t.Contact.__table__.c
N = t.Note.__table__.c
L = t.CallLog.__table__.c
R = t.Reminder.__table__.c
Q = t.Qualification.__table__.c
QN = t.Questionnaire.__table__.c
QS = t.Question.__table__.c
S = t.Source.__table__.c
SC = t.StageChange.__table__.c
TB = t.Tombstone.__table__.c
AL = t.ShareAlias.__table__.c
BL = t.ShareBaseline.__table__.c

_CHUNK = 500
_BATCH = 1000
_BIRTHDAY = "birthday:"  # birthday reminders are made from the birthday on each side

# The contact columns a share file's Contacts sheet holds, as stored ("source" is source_id).
CONTACT_COLUMNS: tuple[str, ...] = tuple(
    "source_id" if c.key == "source" else c.key for c in COLUMNS[Sheet.CONTACTS]
)
# Columns a merge reads of a local contact to decide (and to find it by).
_LOCAL_COLUMNS = (
    C.id,
    *(C[name] for name in CONTACT_COLUMNS),
    C.phone_e164,
    C.mobile_e164,
    C.email_normalized,
)


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class ShareExportReader:
    """What a share file of ``query``'s contacts holds, read in the caller's one transaction."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def count(self, query: ContactQuery) -> int:
        return ContactExportReader(self._s).count(query)

    def contacts(self, query: ContactQuery) -> Iterator[list[list[Any]]]:
        sources = dict(self._s.execute(select(S.id, S.uuid)).all())
        at = CONTACT_COLUMNS.index("source_id")
        for batch in ContactExportReader(self._s).rows(query, CONTACT_COLUMNS, _BATCH):
            for row in batch:
                row[at] = sources.get(row[at])
                for i, value in enumerate(row):
                    if value == "":
                        row[i] = None
            yield batch

    def notes(self, query: ContactQuery) -> Iterator[list[list[Any]]]:
        stmt = select(N.uuid, C.uuid, N.created_at, N.edited_at, N.text).select_from(
            t.Note.__table__
        )
        return self._children(stmt, N.contact_id, N.id, query)

    def calls(self, query: ContactQuery) -> Iterator[list[list[Any]]]:
        stmt = select(L.uuid, C.uuid, L.started_at, L.duration_s, L.outcome, L.note).select_from(
            t.CallLog.__table__
        )
        return self._children(stmt, L.contact_id, L.id, query)

    def reminders(self, query: ContactQuery) -> Iterator[list[list[Any]]]:
        stmt = (
            select(R.uuid, C.uuid, R.due_at, R.kind, R.text, R.done_at, R.recurrence, R.created_at)
            .select_from(t.Reminder.__table__)
            .where(func.coalesce(R.recurrence, "").not_like(f"{_BIRTHDAY}%"))
        )
        return self._children(stmt, R.contact_id, R.id, query)

    def qualifications(self, query: ContactQuery) -> Iterator[list[list[Any]]]:
        stmt = select(
            Q.uuid,
            C.uuid,
            QN.uuid,
            Q.answered_at,
            Q.result,
            Q.fit_grade,
            Q.score,
            Q.temperature,
            Q.answers,
            Q.missing,
            Q.reason,
        ).select_from(t.Qualification.__table__.join(t.Questionnaire.__table__))
        return self._children(stmt, Q.contact_id, Q.id, query)

    def stage_history(self, query: ContactQuery) -> Iterator[list[list[Any]]]:
        stmt = select(C.uuid, SC.changed_at, SC.old_stage, SC.new_stage).select_from(
            t.StageChange.__table__
        )
        return self._children(stmt, SC.contact_id, SC.id, query)

    def _children(
        self, stmt: Select[Any], contact_id: Any, order: Any, query: ContactQuery
    ) -> Iterator[list[list[Any]]]:
        stmt = stmt.join(t.Contact.__table__, C.id == contact_id)
        stmt = stmt.where(*search_conditions(self._s, query)).order_by(order)
        result = self._s.execute(stmt.execution_options(yield_per=_BATCH))
        for part in result.partitions():
            yield [list(row) for row in part]

    def questionnaires(self, query: ContactQuery) -> list[list[Any]]:
        """The questionnaire versions the contacts' answers were given to, with questions."""
        used = (
            select(Q.questionnaire_id)
            .join(t.Contact.__table__, C.id == Q.contact_id)
            .where(*search_conditions(self._s, query))
            .distinct()
        )
        rows = []
        for row in self._s.execute(
            select(QN.id, QN.uuid, QN.name, QN.version, QN.created_at)
            .where(QN.id.in_(used))
            .order_by(QN.id)
        ):
            questions = [
                {
                    "position": q.position,
                    "key": q.key,
                    "prompt": q.prompt,
                    "kind": q.kind,
                    "criterion": q.criterion,
                    "choices": q.choices,
                    "weight": q.weight,
                    "disqualifies_if": q.disqualifies_if,
                }
                for q in self._s.execute(
                    select(QS).where(QS.questionnaire_id == row.id).order_by(QS.position)
                )
            ]
            rows.append([row.uuid, row.name, row.version, row.created_at, questions])
        return rows

    def sources(self) -> list[list[Any]]:
        stmt = select(
            S.uuid,
            S.name,
            S.kind,
            S.vendor,
            S.cost_cents,
            S.currency,
            S.acquired_on,
            S.notes,
            S.created_at,
        ).order_by(S.id)
        return [list(row) for row in self._s.execute(stmt)]

    def tombstones(self) -> Iterator[list[list[Any]]]:
        stmt = select(TB.uuid, TB.kind, TB.deleted_at).order_by(TB.deleted_at)
        result = self._s.execute(stmt.execution_options(yield_per=_BATCH))
        for part in result.partitions():
            yield [list(row) for row in part]


class ShareMergeStore:
    """Lookups and writes of a merge, inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._s = session

    # -- sources and questionnaires ----------------------------------------------------------------

    def sources(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self._s.execute(select(S))]

    def add_source(self, values: dict[str, Any]) -> int:
        return int(self._s.execute(insert(t.Source).values(**values).returning(S.id)).scalar_one())

    def fill_source(self, source_id: int, values: dict[str, Any]) -> None:
        if values:
            self._s.execute(update(t.Source).where(S.id == source_id).values(**values))

    def questionnaire_ids(self) -> dict[str, int]:
        return dict(self._s.execute(select(QN.uuid, QN.id)).all())

    def add_questionnaire(
        self, uuid: str, name: str, version: int, created_at: datetime, questions: list[Any]
    ) -> int:
        """A colleague's questionnaire version: in use only if we have none of that name
        in use (ours stays); a version number already taken here gets the next free one."""
        in_use = self._s.execute(
            select(QN.id).where(QN.name == name, QN.is_active.is_(True))
        ).first()
        taken = self._s.execute(select(QN.id).where(QN.name == name, QN.version == version)).first()
        if taken is not None:
            top = self._s.execute(select(func.max(QN.version)).where(QN.name == name)).scalar()
            version = int(top or 0) + 1
        questionnaire_id = int(
            self._s.execute(
                insert(t.Questionnaire)
                .values(
                    uuid=uuid,
                    name=name,
                    version=version,
                    is_active=in_use is None,
                    created_at=created_at,
                )
                .returning(QN.id)
            ).scalar_one()
        )
        rows = [
            {
                "questionnaire_id": questionnaire_id,
                "position": int(q.get("position", i)),
                "key": str(q["key"]),
                "prompt": str(q.get("prompt", "")),
                "kind": str(q.get("kind", "text")),
                "criterion": q.get("criterion"),
                "choices": q.get("choices"),
                "weight": int(q.get("weight", 1)),
                "disqualifies_if": q.get("disqualifies_if"),
            }
            for i, q in enumerate(questions)
            if isinstance(q, dict) and q.get("key")
        ]
        if rows:
            self._s.execute(insert(t.Question), rows)
        return questionnaire_id

    # -- finding contacts --------------------------------------------------------------------------

    def tombstoned(self, uuids: Iterable[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for chunk in _chunks(list(uuids)):
            stmt = select(TB.uuid, TB.deleted_at).where(TB.uuid.in_(chunk))
            found.update(self._s.execute(stmt).all())
        return found

    def contacts_by_uuid(self, uuids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(uuids):
            for row in self._s.execute(select(*_LOCAL_COLUMNS).where(C.uuid.in_(chunk))):
                found[row.uuid] = dict(row._mapping)
        return found

    def contacts_by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(ids):
            for row in self._s.execute(select(*_LOCAL_COLUMNS).where(C.id.in_(chunk))):
                found[row.id] = dict(row._mapping)
        return found

    def aliases(self, uuids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(uuids):
            found.update(
                self._s.execute(select(AL.uuid, AL.contact_id).where(AL.uuid.in_(chunk))).all()
            )
        return found

    def add_alias(self, uuid: str, contact_id: int) -> None:
        self._s.execute(
            insert(t.ShareAlias).values(uuid=uuid, contact_id=contact_id).prefix_with("OR REPLACE")
        )

    def find_duplicates(
        self,
        wanted: Sequence[tuple[str | None, tuple[str, ...], str | None, str | None, str | None]],
    ) -> list[tuple[int, MatchedBy] | None]:
        """For each (email_normalized, phones E.164, name key, company, city): a contact here
        that is the same person by the import's rules, or None."""
        emails = sorted({e for e, *_ in wanted if e})
        phones = sorted({p for _, ps, *_ in wanted for p in ps})
        names = sorted({n for _, _, n, *_ in wanted if n})
        by_email: dict[str, int] = {}
        by_phone: dict[str, int] = {}
        by_name: dict[str, list[tuple[int, str, str]]] = {}
        for chunk in _chunks(emails):
            for cid, email in self._s.execute(
                select(C.id, C.email_normalized).where(C.email_normalized.in_(chunk))
            ):
                by_email.setdefault(email, cid)
        for chunk in _chunks(phones):
            for cid, phone, mobile in self._s.execute(
                select(C.id, C.phone_e164, C.mobile_e164).where(
                    C.phone_e164.in_(chunk) | C.mobile_e164.in_(chunk)
                )
            ):
                for number in (phone, mobile):
                    if number:
                        by_phone.setdefault(number, cid)
        for chunk in _chunks(names):
            for cid, key, company, city in self._s.execute(
                select(C.id, C.name_key, C.company, C.city).where(C.name_key.in_(chunk))
            ):
                by_name.setdefault(key, []).append((cid, _fold(company), _fold(city)))
        found: list[tuple[int, MatchedBy] | None] = []
        for email, numbers, key, company, city in wanted:
            hit: tuple[int, MatchedBy] | None = None
            if email and email in by_email:
                hit = (by_email[email], MatchedBy.EMAIL)
            if hit is None:
                for number in numbers:
                    if number in by_phone:
                        hit = (by_phone[number], MatchedBy.PHONE)
                        break
            if hit is None and key:
                for cid, other_company, other_city in by_name.get(key, ()):
                    if same_business(_fold(company), _fold(city), other_company, other_city):
                        hit = (cid, MatchedBy.NAME)
                        break
            found.append(hit)
        return found

    # -- writing contacts --------------------------------------------------------------------------

    def insert_contacts(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert whole contacts (UUIDs from the file); returns uuid -> new id."""
        if not rows:
            return {}
        self._s.execute(insert(t.Contact), rows)
        return {
            uuid: cid
            for chunk in _chunks([r["uuid"] for r in rows])
            for uuid, cid in self._s.execute(select(C.uuid, C.id).where(C.uuid.in_(chunk)))
        }

    def update_contact(self, contact_id: int, values: dict[str, Any]) -> None:
        self._s.execute(update(t.Contact).where(C.id == contact_id).values(**values))

    def delete_contact(self, contact_id: int) -> None:
        self._s.execute(delete(t.Contact).where(C.id == contact_id))

    def baselines(self, ids: Sequence[int]) -> dict[int, tuple[datetime, dict[str, Any]]]:
        found: dict[int, tuple[datetime, dict[str, Any]]] = {}
        for chunk in _chunks(ids):
            for cid, at, fields in self._s.execute(
                select(BL.contact_id, BL.remote_updated_at, BL.fields).where(
                    BL.contact_id.in_(chunk)
                )
            ):
                found[cid] = (at, fields)
        return found

    def set_baselines(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._s.execute(insert(t.ShareBaseline).prefix_with("OR REPLACE"), rows)

    def baselines_missing(self, ids: Sequence[int]) -> list[int]:
        """Of ``ids``, the contacts that have no baseline yet."""
        have: set[int] = set()
        for chunk in _chunks(ids):
            have.update(
                self._s.execute(select(BL.contact_id).where(BL.contact_id.in_(chunk))).scalars()
            )
        return [i for i in ids if i not in have]

    # -- children ----------------------------------------------------------------------------------

    def existing(self, table: Any, uuids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Rows of ``table`` (notes, calls, ...) with these UUIDs, by UUID."""
        found: dict[str, dict[str, Any]] = {}
        columns = table.__table__.c
        for chunk in _chunks(uuids):
            for row in self._s.execute(select(columns).where(columns.uuid.in_(chunk))):
                found[row.uuid] = dict(row._mapping)
        return found

    def insert_rows(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._s.execute(insert(table), rows)

    def update_row(self, table: Any, row_id: int, values: dict[str, Any]) -> None:
        columns = table.__table__.c
        self._s.execute(update(table).where(columns.id == row_id).values(**values))

    def delete_by_uuid(self, table: Any, uuid: str) -> int:
        columns = table.__table__.c
        return int(self._s.execute(delete(table).where(columns.uuid == uuid)).rowcount or 0)

    def stage_history(self, contact_ids: Sequence[int]) -> set[tuple[int, datetime, str, str]]:
        found: set[tuple[int, datetime, str, str]] = set()
        for chunk in _chunks(contact_ids):
            found.update(
                self._s.execute(
                    select(SC.contact_id, SC.changed_at, SC.old_stage, SC.new_stage).where(
                        SC.contact_id.in_(chunk)
                    )
                )
            )
        return found

    def last_stage_change_id(self) -> int:
        return int(self._s.execute(select(func.coalesce(func.max(SC.id), 0))).scalar_one())

    def forget_stage_changes_after(self, stage_change_id: int) -> None:
        """Drop what the stage trigger wrote during the merge: the file's own history says
        when the colleague moved the contact."""
        self._s.execute(delete(t.StageChange).where(SC.id > stage_change_id))


def _fold(value: str | None) -> str:
    return fold_text(value).strip() if value else ""


__all__ = ["CONTACT_COLUMNS", "ShareExportReader", "ShareMergeStore"]
