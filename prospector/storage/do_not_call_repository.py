"""Storage side of the do-not-call register: its entries, and flagging the contacts they match.

Values are stored as contacts store them (E.164 phones, lower-cased emails), so a match is an
indexed equality on ``contacts.phone_e164`` / ``mobile_e164`` / ``email_normalized``. A phone
that could not be read as a number is kept as its digits and matched against the digit tokens
of ``contacts.phone_digits`` (through the search index, which holds exactly those tokens).
Flagging is set-based and writes one note per newly flagged contact, like a rep's own "Do not
call" from the card does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from prospector.domain.stages import Stage
from prospector.storage import tables as t
from prospector.storage.privacy_repository import PrivacyRepository

C = t.Contact.__table__.c
E = t.DoNotCallEntry.__table__.c
PHONE = "phone"
EMAIL = "email"
_CHUNK = 400  # values per IN (...) list: well under SQLite's parameter limit


@dataclass(frozen=True)
class FlaggedContact:
    """A contact put on the do-not-call list just now, and the value that matched it."""

    id: int
    name: str
    matched: str


# A phone that cannot be read as E.164 is kept as its digits when it has this many.
MIN_DIGITS, MAX_DIGITS = 6, 15


def digits_of(typed: str) -> str | None:
    """The digits of a number that could not be read, or None when too few or too many."""
    digits = "".join(ch for ch in typed if ch.isascii() and ch.isdigit())
    return digits if MIN_DIGITS <= len(digits) <= MAX_DIGITS else None


def is_digits_only(value: str) -> bool:
    """A phone kept as digits because it could not be read as a number (no '+')."""
    return value.isdigit()


def _chunks(values: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class DoNotCallRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- the register ----------------------------------------------------------------------------

    def already_listed(self, kind: str, values: Iterable[str]) -> set[str]:
        """Which of ``values`` are on the register already (one indexed lookup per chunk)."""
        found: set[str] = set()
        for chunk in _chunks(sorted(set(values))):
            found.update(
                self._s.execute(select(E.value).where(E.kind == kind, E.value.in_(chunk))).scalars()
            )
        return found

    def add(
        self, kind: str, values: dict[str, str | None], origin: str, now: datetime
    ) -> list[str]:
        """Put values (value -> reason) on the register; those already there are left alone.

        Returns the values that were added.
        """
        new = sorted(set(values) - self.already_listed(kind, values))
        if new:
            self._s.execute(
                insert(t.DoNotCallEntry),
                [
                    {
                        "kind": kind,
                        "value": v,
                        "origin": origin,
                        "reason": values[v],
                        "added_at": now,
                    }
                    for v in new
                ],
            )
        return new

    def add_contact(
        self, contact_id: int, origin: str, reason: str | None, now: datetime
    ) -> list[tuple[str, str]]:
        """Put a contact's phones and email on the register (a rep's "Do not call"); returns
        the (kind, value) entries that were new, so that an undo can take them off again. A
        phone that could not be read goes on as its digits."""
        row = self._s.execute(
            select(C.phone, C.phone_e164, C.mobile, C.mobile_e164, C.email_normalized).where(
                C.id == contact_id
            )
        ).one_or_none()
        if row is None:
            return []
        phones: dict[str, str | None] = {}
        for typed, e164 in ((row.phone, row.phone_e164), (row.mobile, row.mobile_e164)):
            value = e164 or (digits_of(typed) if typed else None)
            if value:
                phones[value] = reason
        added = [(PHONE, value) for value in self.add(PHONE, phones, origin, now)]
        if row.email_normalized:
            emails = self.add(EMAIL, {row.email_normalized: reason}, origin, now)
            added += [(EMAIL, value) for value in emails]
        return added

    def remove(self, entries: Iterable[tuple[str, str]]) -> None:
        """Take entries off the register again (undoing a rep's "Do not call")."""
        for kind, value in entries:
            self._s.execute(delete(t.DoNotCallEntry).where(E.kind == kind, E.value == value))

    def count(self) -> dict[str, int]:
        """Entries per kind: {'phone': n, 'email': m}."""
        rows = self._s.execute(select(E.kind, func.count()).group_by(E.kind)).all()
        counts = {PHONE: 0, EMAIL: 0}
        counts.update({kind: int(n) for kind, n in rows})
        return counts

    def is_listed(self, kind: str, value: str) -> bool:
        return bool(self.already_listed(kind, [value]))

    def listed_values(self) -> frozenset[str]:
        """Every phone and email on the register (what ``RowCleaner(do_not_call=...)`` takes)."""
        return frozenset(self._s.execute(select(E.value)).scalars())

    # -- flagging contacts -----------------------------------------------------------------------

    def flag_matching(
        self,
        now: datetime,
        why: str,
        *,
        phones: Iterable[str] = (),
        emails: Iterable[str] = (),
    ) -> list[FlaggedContact]:
        """Flag every contact not yet flagged whose phone, mobile or email is among these.

        ``phones`` are E.164 values or, for numbers that could not be read, their digits.
        ``why`` ends the note written on each contact ("listed in dnc.csv").
        """
        phone_list = sorted(set(phones))
        e164 = [p for p in phone_list if not is_digits_only(p)]
        digits = {p for p in phone_list if is_digits_only(p)}
        email_set = set(emails)
        candidates: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(e164):
            self._collect(
                candidates, or_(C.phone_e164.in_(chunk), C.mobile_e164.in_(chunk)), set(chunk)
            )
        for chunk in _chunks(sorted(email_set)):
            self._collect(candidates, C.email_normalized.in_(chunk), set(chunk))
        for chunk in _chunks(sorted(digits), 100):
            self._collect(candidates, C.id.in_(_ids_with_digit_tokens(chunk)), set(chunk))
        return self._flag(candidates, now, why)

    def flag_contacts_of_import_run(self, run_id: int, now: datetime) -> list[FlaggedContact]:
        """Flag the contacts an import run added or merged into that are on the register."""
        of_run = or_(
            C.import_run_id == run_id,
            C.id.in_(select(t.ImportMerge.contact_id).where(t.ImportMerge.import_run_id == run_id)),
        )
        listed_phones = select(E.value).where(E.kind == PHONE)
        listed_emails = select(E.value).where(E.kind == EMAIL)
        candidates: dict[int, tuple[str, str]] = {}
        rows = self._s.execute(
            select(*_CANDIDATE_COLUMNS).where(
                of_run,
                C.do_not_call.is_(False),
                or_(
                    C.phone_e164.in_(listed_phones),
                    C.mobile_e164.in_(listed_phones),
                    C.email_normalized.in_(listed_emails),
                ),
            )
        )
        for row in rows:
            matched = self._s.execute(
                select(E.value).where(E.value.in_([v for v in (row[5], row[6], row[7]) if v]))
            ).scalar()
            candidates[row[0]] = (_name(row), matched or "")
        digits = {
            v
            for v in self._s.execute(listed_phones).scalars()
            if is_digits_only(v)  # rare: only numbers that could not be read are kept so
        }
        if digits:
            rows = self._s.execute(
                select(*_CANDIDATE_COLUMNS).where(
                    of_run, C.do_not_call.is_(False), C.phone_digits.is_not(None)
                )
            )
            for row in rows:
                hit = digits.intersection(row[8].split())
                if hit and row[0] not in candidates:
                    candidates[row[0]] = (_name(row), min(hit))
        privacy = PrivacyRepository(self._s)
        if privacy.count():  # someone asked to be erased: they are never called again
            run_rows = self._s.execute(
                select(*_CANDIDATE_COLUMNS).where(of_run, C.do_not_call.is_(False))
            ).all()
            names = {row[0]: _name(row) for row in run_rows}
            erased = privacy.erased_among((r[0], r[5], r[6], r[7]) for r in run_rows)
            for contact_id, kind in erased.items():
                candidates.setdefault(
                    contact_id, (names[contact_id], f"erased at their request ({kind})")
                )
        # A contact the run itself brought in arrives flagged, without a note: nobody worked on
        # it, so undoing the import still removes it without asking.
        new = set(
            self._s.execute(
                select(C.id).where(C.import_run_id == run_id, C.id.in_(list(candidates)))
            ).scalars()
        )
        return self._flag(
            candidates, now, "its number or email is on the do-not-call list", unnoted=new
        )

    def _collect(
        self, candidates: dict[int, tuple[str, str]], condition: object, values: set[str]
    ) -> None:
        rows = self._s.execute(
            select(*_CANDIDATE_COLUMNS).where(condition, C.do_not_call.is_(False))  # type: ignore[arg-type]
        )
        for row in rows:
            if row[0] in candidates:
                continue
            tokens = set(row[8].split()) if row[8] else set()
            hit = values.intersection({row[5], row[6], row[7]}) or values & tokens
            if hit:  # the search index matched a token: checked here against the real column
                candidates[row[0]] = (_name(row), min(hit))

    def _flag(
        self,
        candidates: dict[int, tuple[str, str]],
        now: datetime,
        why: str,
        unnoted: set[int] | frozenset[int] = frozenset(),
    ) -> list[FlaggedContact]:
        ids = sorted(candidates)
        for start in range(0, len(ids), _CHUNK):
            self._s.execute(
                update(t.Contact)
                .where(C.id.in_(ids[start : start + _CHUNK]), C.do_not_call.is_(False))
                .values(do_not_call=True, stage=Stage.DO_NOT_CALL.value, updated_at=now)
            )
        noted = [i for i in ids if i not in unnoted]
        if noted:
            self._s.execute(
                insert(t.Note),
                [
                    {
                        "uuid": str(uuid.uuid4()),
                        "contact_id": i,
                        "text": f"Put on the do-not-call list: {why} ({candidates[i][1]})",
                        "created_at": now,
                    }
                    for i in noted
                ],
            )
        return [FlaggedContact(i, candidates[i][0], candidates[i][1]) for i in ids]


_CANDIDATE_COLUMNS = (
    C.id,
    C.first_name,
    C.last_name,
    C.full_name,
    C.company,
    C.phone_e164,
    C.mobile_e164,
    C.email_normalized,
    C.phone_digits,
)


def _name(row: object) -> str:
    first, last, full, company = row[1], row[2], row[3], row[4]  # type: ignore[index]
    parts = " ".join(p for p in (first, last) if p)
    return parts or full or company or ""


def _ids_with_digit_tokens(digits: list[str]) -> object:
    """Contacts whose phone digit tokens include one of ``digits``: an FTS5 column query.

    ``phone_digits`` is not indexed in ``contacts`` itself; the search index holds its tokens,
    so this is a few index lookups instead of a scan. (SQLite only, like the search box.)
    """
    phrases = " OR ".join(f'"{d}"' for d in digits)
    return (
        select(text("rowid"))
        .select_from(text("contacts_fts"))
        .where(text("contacts_fts MATCH :q").bindparams(q=f"phones : ({phrases})"))
    )


def flag_contacts_of_import_run(
    session: Session, run_id: int, now: datetime | None = None
) -> list[FlaggedContact]:
    """Flag the contacts import run ``run_id`` added (or merged into) that are on the register.

    For the import service, inside its transaction once the run's contacts are written; the
    match uses the contacts' columns, not the search index, so it works before they are indexed.
    """
    return DoNotCallRepository(session).flag_contacts_of_import_run(
        run_id, now or datetime.now(UTC)
    )
