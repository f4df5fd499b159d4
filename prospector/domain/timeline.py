"""A contact's history as one list: notes, calls, questionnaire results and stage changes.

Plain data and one ordering rule, so the window and a future export read the same story.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EntryKind(StrEnum):
    ADDED = "added"  # the contact arrived (from a list, or typed in)
    CALL = "call"
    NOTE = "note"
    QUALIFICATION = "qualification"
    STAGE = "stage"


# At the same moment a consequence shows above its cause: the stage change a call made sits
# above that call, the questionnaire's result above the call it was asked on.
_SAME_TIME_ORDER = {
    EntryKind.STAGE: 4,
    EntryKind.QUALIFICATION: 3,
    EntryKind.NOTE: 2,
    EntryKind.CALL: 1,
    EntryKind.ADDED: 0,
}


@dataclass(frozen=True)
class TimelineEntry:
    kind: EntryKind
    at: datetime  # UTC
    ref_id: int | None = None  # the note's, call's or questionnaire answers' id
    text: str | None = None  # a note's text, a call's note, a qualification's reason
    edited_at: datetime | None = None  # a note changed after it was first written
    outcome: str | None = None  # a call's outcome
    duration_s: int = 0
    old_stage: str | None = None
    new_stage: str | None = None  # also a questionnaire's result
    fit_grade: str | None = None
    temperature: str | None = None
    source_name: str | None = None  # where an ADDED contact came from


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    more: bool  # older entries exist beyond ``entries``


def newest_first(entries: Iterable[TimelineEntry], limit: int) -> Timeline:
    """The ``limit`` newest entries, newest first; ``more`` says whether any were left out."""
    ordered = sorted(
        entries,
        key=lambda e: (e.at, _SAME_TIME_ORDER[e.kind], e.ref_id or 0),
        reverse=True,
    )
    return Timeline(entries=ordered[:limit], more=len(ordered) > limit)
