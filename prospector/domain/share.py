"""The share file colleagues pass around, and the rules for merging one into a database.

A share file is an .xlsx a person can read in Excel: one sheet per kind of record (Contacts,
Notes, Calls, Reminders, Qualifications, Sources, ...) and an About sheet saying what it is.
Every record carries its UUID, so the file can be merged back without duplicating anyone.

Merging a contact is a three-way decision per field. The *baseline* is the contact as the last
file from a colleague showed it (kept per contact, see ``storage/share_repository.py``):

- the two sides agree: nothing to do;
- only the colleague changed the field since the baseline: take theirs;
- only we changed it: keep ours;
- both changed it, to different values: a *conflict*, for the rep to decide.

With no baseline yet (the first exchange), the newer contact wins each field; a contact found
by email, phone or name rather than by UUID (two offices bought the same list) only has its
empty fields filled, and differing details are conflicts, never overwritten silently.
A contact is on the do-not-call list on both sides as soon as it is on one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from prospector.domain.contacts import FIELD_NAMES, fold_text
from prospector.domain.stages import Stage

FORMAT_NAME = "Prospector share"
FORMAT_VERSION = 1
SHARE_SUFFIX = ".xlsx"


class Sheet(StrEnum):
    """Sheet titles, in the order the file holds them."""

    CONTACTS = "Contacts"
    NOTES = "Notes"
    CALLS = "Calls"
    REMINDERS = "Reminders"
    QUALIFICATIONS = "Qualifications"
    QUESTIONNAIRES = "Questionnaires"
    SOURCES = "Sources"
    STAGE_HISTORY = "Stage history"
    DELETED = "Deleted"
    ABOUT = "About"


class CellKind(StrEnum):
    """How a value is written, so a person reads it and a merge gets it back exactly."""

    TEXT = "text"
    CODE = "code"  # phones, postal codes: text that must keep its zeros and '+'
    INTEGER = "integer"
    CENTS = "cents"  # money, written with two decimals
    DATE = "date"
    MOMENT = "moment"  # an instant, as ISO text in UTC: exact to the microsecond
    BOOLEAN = "boolean"
    JSON = "json"  # answers, extra fields: JSON text
    UUID = "uuid"  # a record's ID, or the ID of the record it belongs to


@dataclass(frozen=True)
class ShareColumn:
    key: str
    header: str
    kind: CellKind = CellKind.TEXT


def _columns(*spec: tuple[str, str, CellKind]) -> tuple[ShareColumn, ...]:
    return tuple(ShareColumn(k, h, kind) for k, h, kind in spec)


T, C, N, M = CellKind.TEXT, CellKind.CODE, CellKind.INTEGER, CellKind.MOMENT
U = CellKind.UUID

COLUMNS: dict[Sheet, tuple[ShareColumn, ...]] = {
    Sheet.CONTACTS: _columns(
        ("uuid", "ID", U),
        ("first_name", "First name", T),
        ("last_name", "Last name", T),
        ("full_name", "Full name", T),
        ("company", "Company", T),
        ("title", "Job title", T),
        ("phone", "Phone", C),
        ("mobile", "Mobile", C),
        ("email", "Email", T),
        ("website", "Website", T),
        ("address", "Address", T),
        ("postal_code", "Postal code", C),
        ("city", "City", T),
        ("country", "Country", T),
        ("birthday", "Birthday", CellKind.DATE),
        ("stage", "Stage", T),
        ("temperature", "Temperature", T),
        ("score", "Score", N),
        ("fit_grade", "Fit grade", T),
        ("estimated_value_cents", "Estimated value", CellKind.CENTS),
        ("do_not_call", "Do not call", CellKind.BOOLEAN),
        ("source", "List ID", U),
        ("custom_fields", "Extra fields", CellKind.JSON),
        ("last_called_at", "Last call (UTC)", M),
        ("last_outcome", "Last outcome", T),
        ("call_attempts", "Unanswered attempts", N),
        ("skipped_until", "Skipped until (UTC)", M),
        ("created_at", "Added (UTC)", M),
        ("updated_at", "Changed (UTC)", M),
    ),
    Sheet.NOTES: _columns(
        ("uuid", "ID", U),
        ("contact", "Contact ID", U),
        ("created_at", "Written (UTC)", M),
        ("edited_at", "Changed (UTC)", M),
        ("text", "Note", T),
    ),
    Sheet.CALLS: _columns(
        ("uuid", "ID", U),
        ("contact", "Contact ID", U),
        ("started_at", "Called (UTC)", M),
        ("duration_s", "Seconds", N),
        ("outcome", "Outcome", T),
        ("note", "Note", T),
    ),
    Sheet.REMINDERS: _columns(
        ("uuid", "ID", U),
        ("contact", "Contact ID", U),
        ("due_at", "Due (UTC)", M),
        ("kind", "Kind", T),
        ("text", "What to do", T),
        ("done_at", "Done (UTC)", M),
        ("recurrence", "Repeats", T),
        ("created_at", "Added (UTC)", M),
    ),
    Sheet.QUALIFICATIONS: _columns(
        ("uuid", "ID", U),
        ("contact", "Contact ID", U),
        ("questionnaire", "Questionnaire ID", U),
        ("answered_at", "Answered (UTC)", M),
        ("result", "Result", T),
        ("fit_grade", "Fit grade", T),
        ("score", "Score", N),
        ("temperature", "Temperature", T),
        ("answers", "Answers", CellKind.JSON),
        ("missing", "Missing", CellKind.JSON),
        ("reason", "Reason", T),
    ),
    Sheet.QUESTIONNAIRES: _columns(
        ("uuid", "ID", U),
        ("name", "Name", T),
        ("version", "Version", N),
        ("created_at", "Made (UTC)", M),
        ("questions", "Questions", CellKind.JSON),
    ),
    Sheet.SOURCES: _columns(
        ("uuid", "ID", U),
        ("name", "List", T),
        ("kind", "Kind", T),
        ("vendor", "Vendor", T),
        ("cost_cents", "Cost", CellKind.CENTS),
        ("currency", "Currency", T),
        ("acquired_on", "Bought on", CellKind.DATE),
        ("notes", "Notes", T),
        ("created_at", "Added (UTC)", M),
    ),
    Sheet.STAGE_HISTORY: _columns(
        ("contact", "Contact ID", U),
        ("changed_at", "Changed (UTC)", M),
        ("old_stage", "From", T),
        ("new_stage", "To", T),
    ),
    Sheet.DELETED: _columns(
        ("uuid", "ID", U),
        ("kind", "What", T),
        ("deleted_at", "Deleted (UTC)", M),
    ),
    Sheet.ABOUT: _columns(("key", "About", T), ("value", "Value", T)),
}

# About sheet keys (the first column), as a person reads them.
ABOUT_FORMAT = "Format"
ABOUT_VERSION = "Format version"
ABOUT_BY = "Exported by"
ABOUT_AT = "Exported at (UTC)"
ABOUT_APP = "Prospector version"
ABOUT_SELECTION = "Selection"
ABOUT_CONTACTS = "Contacts"


# -- merging one contact -----------------------------------------------------------------------

MERGED_FIELDS: tuple[str, ...] = (
    *("source" if name == "source_id" else name for name in FIELD_NAMES),
    "score",
    "fit_grade",
)
"""The fields a merge decides one by one (the queue's bookkeeping follows the calls)."""

# Where the pipeline stands: decided together, for the side that knows more (see below).
_PIPELINE_FIELDS = frozenset({"stage", "temperature", "score", "fit_grade"})
# Details of two copies of one person that may differ without anyone having to decide.
_KEEP_OURS_FIELDS = frozenset({"source", "estimated_value_cents", "custom_fields"})


class MatchedBy(StrEnum):
    UUID = "uuid"
    ALIAS = "alias"  # a colleague's UUID seen before
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


def comparable(key: str, value: Any) -> Any:
    """The form two values are compared in: blanks are one value, text ignores case and
    accents, a date is its ISO text (baselines are stored as JSON)."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and key not in ("stage", "temperature", "source"):
        return fold_text(" ".join(value.split()))
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return value


def baseline_value(value: Any) -> Any:
    """A value as a baseline stores it (JSON)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value == "" or value == {}:
        return None
    return value


@dataclass(frozen=True)
class FieldDecision:
    """What a merge does with one contact: fields to take from the colleague, and conflicts."""

    take: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[str, ...] = ()


def decide_fields(
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    baseline: Mapping[str, Any] | None,
    *,
    remote_is_newer: bool,
    matched_by: MatchedBy,
) -> FieldDecision:
    """Field by field, what the colleague's version changes here (see the module's rules)."""
    take: dict[str, Any] = {}
    conflicts: list[str] = []
    # Where the pipeline stands: a side that reached the person knows more than one that
    # never did; otherwise the newer side.
    their_pipeline = remote_is_newer
    if local.get("stage") == Stage.SUSPECT and remote.get("stage") != Stage.SUSPECT:
        their_pipeline = True
    elif remote.get("stage") == Stage.SUSPECT and local.get("stage") != Stage.SUSPECT:
        their_pipeline = False
    for key in MERGED_FIELDS:
        mine, theirs = comparable(key, local.get(key)), comparable(key, remote.get(key))
        if mine == theirs:
            continue
        if key == "do_not_call":
            if theirs:  # never taken off the list by a merge
                take[key] = True
            continue
        if baseline is not None and key in baseline:
            base = comparable(key, baseline[key])
            if theirs == base:
                continue  # only we changed it
            if mine == base:
                take[key] = remote.get(key)
                continue
            conflicts.append(key)
            continue
        if theirs is None:
            continue  # never blank a field we know
        if mine is None:
            take[key] = remote.get(key)
            continue
        if key in _PIPELINE_FIELDS:
            if their_pipeline:
                take[key] = remote.get(key)
            continue
        if matched_by in (MatchedBy.UUID, MatchedBy.ALIAS):
            if remote_is_newer:
                take[key] = remote.get(key)
            continue
        if key in _KEEP_OURS_FIELDS:
            continue
        conflicts.append(key)
    if take.get("stage") == Stage.DO_NOT_CALL.value or local.get("stage") == Stage.DO_NOT_CALL:
        take.pop("stage", None)
        if local.get("stage") != Stage.DO_NOT_CALL:
            take["stage"] = Stage.DO_NOT_CALL.value
        if not local.get("do_not_call"):
            take["do_not_call"] = True
        conflicts = [c for c in conflicts if c != "stage"]
    return FieldDecision(take, tuple(conflicts))


class Choice(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"


DELETED_FIELD = "(deleted)"
"""The "field" of a conflict about a contact the colleague deleted and we changed since."""


@dataclass(frozen=True)
class Conflict:
    """Both sides changed one field of one contact since the last exchange."""

    contact_uuid: str  # as the file names it
    contact_name: str
    field: str  # a MERGED_FIELDS key, or DELETED_FIELD
    mine: Any
    theirs: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.contact_uuid, self.field)


@dataclass
class MergeSummary:
    """What a merge did (or, in a preview, would do)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept_deleted: int = 0  # in the file, but deleted here: not brought back
    rejected: int = 0
    notes_added: int = 0
    calls_added: int = 0
    reminders_added: int = 0
    qualifications_added: int = 0
    sources_added: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rows that could not be read

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.deleted
            or self.notes_added
            or self.calls_added
            or self.reminders_added
            or self.qualifications_added
            or self.sources_added
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": len(self.conflicts),
            "deleted": self.deleted,
            "kept_deleted": self.kept_deleted,
            "rejected": self.rejected,
            "notes_added": self.notes_added,
            "calls_added": self.calls_added,
            "reminders_added": self.reminders_added,
            "qualifications_added": self.qualifications_added,
            "sources_added": self.sources_added,
            "problems": list(self.problems),
        }


FIELD_WORDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "company": "Company",
    "title": "Job title",
    "phone": "Phone",
    "mobile": "Mobile",
    "email": "Email",
    "website": "Website",
    "address": "Address",
    "postal_code": "Postal code",
    "city": "City",
    "country": "Country",
    "birthday": "Birthday",
    "stage": "Stage",
    "temperature": "Temperature",
    "score": "Score",
    "fit_grade": "Fit grade",
    "estimated_value_cents": "Estimated value",
    "do_not_call": "Do not call",
    "source": "List",
    "custom_fields": "Extra fields",
    DELETED_FIELD: "Deleted by your colleague",
}
