"""The pipeline stages and temperatures, and which moves between stages make sense.

The rules live here, not in widgets, so the call queue, the import and the command line all
agree on them.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where a contact stands in the pipeline. Values are stored in the database: never rename."""

    SUSPECT = "suspect"
    LEAD = "lead"
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    REPEAT_CUSTOMER = "repeat_customer"
    DISQUALIFIED = "disqualified"
    NOT_INTERESTED = "not_interested"
    DO_NOT_CALL = "do_not_call"


class Temperature(StrEnum):
    """How ready to buy a contact seems. Values are stored in the database: never rename."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


PIPELINE: tuple[Stage, ...] = (
    Stage.SUSPECT,
    Stage.LEAD,
    Stage.PROSPECT,
    Stage.CUSTOMER,
    Stage.REPEAT_CUSTOMER,
)
SIDE_EXITS: tuple[Stage, ...] = (Stage.DISQUALIFIED, Stage.NOT_INTERESTED, Stage.DO_NOT_CALL)
ALL_STAGES: tuple[Stage, ...] = PIPELINE + SIDE_EXITS

# English one-liners for the command line and logs; the window shows translated versions.
DEFINITIONS: dict[Stage, str] = {
    Stage.SUSPECT: "On a list, not yet reached.",
    Stage.LEAD: "Reached, not yet qualified.",
    Stage.PROSPECT: "Qualified: target market, can afford it, can decide, has a need.",
    Stage.CUSTOMER: "Has bought once.",
    Stage.REPEAT_CUSTOMER: "Has bought more than once.",
    Stage.DISQUALIFIED: "Junk: not in the target market.",
    Stage.NOT_INTERESTED: "Said no for now; kept for later.",
    Stage.DO_NOT_CALL: "Asked not to be called. Never queued again.",
}

_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.SUSPECT: frozenset(
        {Stage.LEAD, Stage.DISQUALIFIED, Stage.NOT_INTERESTED, Stage.DO_NOT_CALL}
    ),
    Stage.LEAD: frozenset(
        {Stage.PROSPECT, Stage.DISQUALIFIED, Stage.NOT_INTERESTED, Stage.DO_NOT_CALL}
    ),
    Stage.PROSPECT: frozenset(
        {Stage.CUSTOMER, Stage.LEAD, Stage.DISQUALIFIED, Stage.NOT_INTERESTED, Stage.DO_NOT_CALL}
    ),
    Stage.CUSTOMER: frozenset({Stage.REPEAT_CUSTOMER, Stage.NOT_INTERESTED, Stage.DO_NOT_CALL}),
    Stage.REPEAT_CUSTOMER: frozenset({Stage.NOT_INTERESTED, Stage.DO_NOT_CALL}),
    # A rep may have judged too fast: a disqualified or uninterested contact can be worked again.
    Stage.DISQUALIFIED: frozenset({Stage.LEAD, Stage.DO_NOT_CALL}),
    Stage.NOT_INTERESTED: frozenset({Stage.LEAD, Stage.PROSPECT, Stage.DO_NOT_CALL}),
    # Leaving do-not-call is a legal matter, not a quick edit: no move out of it here.
    Stage.DO_NOT_CALL: frozenset(),
}


def allowed_moves(current: Stage) -> frozenset[Stage]:
    """The stages a contact at ``current`` may be moved to by hand (not including itself)."""
    return _MOVES[current]


def can_move(current: Stage, target: Stage) -> bool:
    return target == current or target in _MOVES[current]


def is_callable(stage: Stage, do_not_call: bool) -> bool:
    """Whether a call queue may ever offer this contact."""
    return not do_not_call and stage not in (Stage.DO_NOT_CALL, Stage.DISQUALIFIED)
