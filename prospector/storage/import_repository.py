"""Storage side of an import: the import run record and a batch writer that finds duplicates.

Duplicates are found by normalised email and by E.164 phone, within the file (a dictionary of
keys seen so far) and against the database (indexed IN lookups per batch). A merge only fills
empty fields: a non-empty field is never overwritten silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from prospector.domain.contacts import CleanContact
from prospector.storage import tables as t
from prospector.storage.search import defer_indexing_from, index_deferred

C = t.Contact.__table__.c
_FILL_COLUMNS = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "phone",
    "phone_e164",
    "mobile",
    "mobile_e164",
    "email",
    "email_normalized",
    "website",
    "address",
    "city",
    "postal_code",
    "country",
    "birthday",
)
_MERGED_COLUMNS = (*_FILL_COLUMNS, "custom_fields", "phone_digits")


class ImportRunRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def start(
        self,
        *,
        source_id: int,
        file_name: str,
        file_hash: str,
        sheet: str | None,
        mapping: dict[str, Any],
        now: datetime,
    ) -> int:
        run = t.ImportRun(
            uuid=str(uuid.uuid4()),
            source_id=source_id,
            file_name=file_name,
            file_hash=file_hash,
            sheet=sheet,
            column_mapping=mapping,
            started_at=now,
            status="running",
        )
        self._s.add(run)
        self._s.flush()
        return run.id

    def finish(self, run_id: int, counts: dict[str, int], now: datetime) -> None:
        self._s.execute(
            update(t.ImportRun)
            .where(t.ImportRun.id == run_id)
            .values(
                finished_at=now,
                rows_read=counts["read"],
                rows_imported=counts["imported"],
                rows_merged=counts["merged"],
                rows_rejected=counts["rejected"],
                status="completed",
            )
        )


class ContactBatchWriter:
    """Writes cleaned contacts, finding duplicates in the file and in the database."""

    def __init__(self, session: Session, run_id: int, *, merge: str, now: datetime) -> None:
        """``merge`` says what a duplicate does: 'skip', 'merge' (fill gaps) or 'import'."""
        self._s = session
        self._run_id = run_id
        self._policy = merge
        self._now = now
        self._seen: dict[str, int] = {}  # email/phone key -> contact id, for this file
        self._next_id: int | None = None  # ids are given here (see write)

    def write(self, batch: list[tuple[int, CleanContact]], counts: dict[str, int]) -> None:
        if not batch:
            return
        keys = {k for _row, c in batch for k in _keys(c)}
        existing = self._existing(keys - self._seen.keys())
        new_rows: list[dict[str, Any]] = []
        pending: dict[str, int] = {}  # key -> index in new_rows (duplicates inside the batch)
        merges: dict[int, list[CleanContact]] = {}
        for _row, contact in batch:
            contact_keys = _keys(contact)
            if self._policy != "import":
                known = next(
                    (
                        self._seen.get(k) or existing.get(k)
                        for k in contact_keys
                        if k in self._seen or k in existing
                    ),
                    None,
                )
                waiting = next((pending[k] for k in contact_keys if k in pending), None)
                if known is not None or waiting is not None:
                    if self._policy == "skip":
                        counts["skipped"] += 1
                    elif waiting is not None:
                        _fill(new_rows[waiting], _row_values(contact))
                        counts["merged"] += 1
                    else:
                        assert known is not None
                        merges.setdefault(known, []).append(contact)
                        counts["merged"] += 1
                    continue
            for key in contact_keys:
                pending.setdefault(key, len(new_rows))
            new_rows.append(self._insert_values(contact))
        if new_rows:
            # Ids are given here, not read back: we are the only writer inside this
            # transaction, and SQLite's RETURNING would force one INSERT per row.
            if self._next_id is None:
                self._next_id = (self._s.execute(select(func.max(C.id))).scalar() or 0) + 1
                defer_indexing_from(self._s, self._next_id)
            for offset, values in enumerate(new_rows):
                values["id"] = self._next_id + offset
            self._next_id += len(new_rows)
            self._s.execute(insert(t.Contact.__table__), new_rows)
            for key, index in pending.items():
                self._seen.setdefault(key, new_rows[index]["id"])
            counts["imported"] += len(new_rows)
        if merges:
            self._merge(merges)

    def finish(self) -> None:
        """Index this import's new contacts for search (one statement, before commit)."""
        if self._next_id is not None:
            index_deferred(self._s)

    def _existing(self, keys: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        emails = [k[2:] for k in keys if k.startswith("e:")]
        phones = [k[2:] for k in keys if k.startswith("p:")]
        for chunk in _chunks(emails):
            stmt = select(C.email_normalized, C.id).where(C.email_normalized.in_(chunk))
            for email, contact_id in self._s.execute(stmt):
                found.setdefault(f"e:{email}", contact_id)
        for chunk in _chunks(phones):
            for column in (C.phone_e164, C.mobile_e164):
                for phone, contact_id in self._s.execute(
                    select(column, C.id).where(column.in_(chunk))
                ):
                    found.setdefault(f"p:{phone}", contact_id)
        return found

    def _insert_values(self, contact: CleanContact) -> dict[str, Any]:
        values = _row_values(contact)
        f = contact.fields
        values.update(
            uuid=str(uuid.uuid4()),
            phone_digits=contact.phone_digits,
            stage=f.stage.value,
            temperature=f.temperature.value,
            score=0,
            fit_grade=None,
            estimated_value_cents=None,
            do_not_call=f.do_not_call,
            next_follow_up=None,
            source_id=f.source_id,
            import_run_id=self._run_id,
            custom_fields=dict(f.custom_fields) or None,
            created_at=self._now,
            updated_at=self._now,
        )
        return values

    def _merge(self, merges: dict[int, list[CleanContact]]) -> None:
        """Fill existing contacts' empty fields; a non-empty field is never overwritten."""
        columns = [getattr(C, name) for name in _MERGED_COLUMNS]
        rows = self._s.execute(select(C.id, *columns).where(C.id.in_(list(merges)))).all()
        updates = []
        for row in rows:
            current = dict(zip(_MERGED_COLUMNS, row[1:], strict=True))
            before = dict(current)
            for contact in merges[row.id]:
                _fill(current, _row_values(contact))
                extra = dict(contact.fields.custom_fields)
                if extra:
                    custom = dict(current["custom_fields"] or {})
                    for key, value in extra.items():
                        custom.setdefault(key, value)
                    current["custom_fields"] = custom
                current["phone_digits"] = current["phone_digits"] or contact.phone_digits
            if current != before:
                updates.append(
                    {"b_id": row.id, "updated_at": self._now}
                    | {f"v_{name}": value for name, value in current.items()}
                )
        if updates:
            stmt = (
                update(t.Contact.__table__)
                .where(C.id == bindparam("b_id"))
                .values(
                    {name: bindparam(f"v_{name}") for name in _MERGED_COLUMNS}
                    | {"updated_at": bindparam("updated_at", type_=C.updated_at.type)}
                )
            )
            self._s.execute(stmt, updates)


def _row_values(contact: CleanContact) -> dict[str, Any]:
    f = contact.fields
    values: dict[str, Any] = {name: getattr(f, name, None) for name in _FILL_COLUMNS}
    values.update(
        phone_e164=contact.phone_e164,
        mobile_e164=contact.mobile_e164,
        email_normalized=contact.email_normalized,
    )
    return values


def _fill(target: dict[str, Any], values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is not None and target.get(name) in (None, ""):
            target[name] = value


def _keys(contact: CleanContact) -> list[str]:
    keys = []
    if contact.email_normalized:
        keys.append(f"e:{contact.email_normalized}")
    for phone in (contact.phone_e164, contact.mobile_e164):
        if phone:
            keys.append(f"p:{phone}")
    return keys


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
