"""Erasing a contact for good, and remembering (as hashes only) whom not to bring back.

Erasure deletes the contact and, through the foreign keys, every note, call, reminder,
questionnaire answer and stage change; the search indexes follow by trigger. SQLite keeps
deleted bytes in free pages, the write-ahead log and old full-text segments, so the erasing
connection turns on ``secure_delete``, the full-text indexes are merged, and the log is
checkpointed: no readable trace stays in the file (backups age out, see docs/data-safety.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from prospector.storage import tables as t

C = t.Contact.__table__.c
E = t.DoNotCallEntry.__table__.c
X = t.ErasedIdentity.__table__.c

# One fixed salt for every database: offices passing share files can match the same person.
# A phone number has few enough digits to be guessed from its hash; the hash keeps the number
# out of sight, it does not make it secret (see docs/data-safety.md).
_SALT = b"prospector/erased/v1\x00"


def identity_hash(kind: str, value: str) -> str:
    """The stored form of an erased contact's normalised phone (E.164) or email."""
    return hashlib.sha256(_SALT + f"{kind}:{value}".encode()).hexdigest()


@dataclass(frozen=True)
class Erased:
    contact_id: int
    identities: int  # phones and emails remembered as hashes


def identities_of(phone_e164: str | None, mobile_e164: str | None, email: str | None) -> set[
    tuple[str, str]
]:
    found = {("phone", p) for p in (phone_e164, mobile_e164) if p}
    if email:
        found.add(("email", email))
    return found


class PrivacyRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def erase(self, contact_id: int, now: datetime) -> Erased | None:
        """Delete the contact and all it owns; keep its phones and email as hashes only.

        Its entries on the do-not-call register go too: the hashes bind the same way, and a
        clear number would undo the erasure. None when the contact does not exist.
        """
        row = self._s.execute(
            select(C.phone_e164, C.mobile_e164, C.email_normalized).where(C.id == contact_id)
        ).first()
        if row is None:
            return None
        self._s.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        identities = identities_of(*row)
        self._remember(identities, now)
        for kind, value in identities:
            self._s.execute(delete(t.DoNotCallEntry).where(E.kind == kind, E.value == value))
        self._s.execute(delete(t.Contact).where(C.id == contact_id))
        return Erased(contact_id, len(identities))

    def scrub_indexes(self) -> None:
        """Merge the full-text indexes so deleted words leave their old segments."""
        for index in ("contacts_fts", "notes_fts"):
            self._s.connection().exec_driver_sql(
                f"INSERT INTO {index}({index}) VALUES ('optimize')"
            )

    def end_secure_delete(self) -> None:
        """The connection goes back to the pool as it came: overwriting slows big deletes."""
        self._s.connection().exec_driver_sql("PRAGMA secure_delete = OFF")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file and empty it (outside any transaction)."""
        raw = self._s.get_bind().raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()

    def _remember(self, identities: Iterable[tuple[str, str]], now: datetime) -> None:
        rows = [
            {"kind": kind, "value_hash": identity_hash(kind, value), "erased_at": now}
            for kind, value in identities
        ]
        if rows:
            self._s.execute(insert(t.ErasedIdentity).prefix_with("OR IGNORE"), rows)

    def count(self) -> int:
        return int(self._s.execute(select(func.count()).select_from(t.ErasedIdentity)).scalar_one())

    def erased_hashes(self) -> frozenset[str]:
        """Every remembered hash (a set a few thousand long at most: one per erased number)."""
        return frozenset(self._s.execute(select(X.value_hash)).scalars())

    def erased_kind(
        self, phone_e164: str | None, mobile_e164: str | None, email: str | None
    ) -> str | None:
        """'phone' or 'email' when these belong to someone erased at their request, else None
        (a contact typed in by hand is checked before it is saved)."""
        return self.erased_among([(0, phone_e164, mobile_e164, email)]).get(0)

    def erased_among(
        self, rows: Iterable[tuple[int, str | None, str | None, str | None]]
    ) -> dict[int, str]:
        """Which of these contacts (id, phone, mobile, email) match an erased person, and by
        what kind ('phone' or 'email')."""
        hashes = self.erased_hashes()
        if not hashes:
            return {}
        hits: dict[int, str] = {}
        for contact_id, phone, mobile, email in rows:
            for kind, value in identities_of(phone, mobile, email):
                if identity_hash(kind, value) in hashes:
                    hits[contact_id] = kind
                    break
        return hits
