"""What a call's outcome does to a contact: its stage, whether it counts as reached, what follows.

One table of rules, so the call queue, the command line and later the reports agree on what
"reached" means: a suspect becomes a lead the first time a real person answers, never on a
voicemail or a busy tone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from prospector.domain.stages import Stage


class CallOutcome(StrEnum):
    """How a call ended. Values are stored in call_logs.outcome: never rename."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    GATEKEEPER = "gatekeeper"
    CALL_BACK = "call_back"
    NOT_INTERESTED = "not_interested"
    DO_NOT_CALL = "do_not_call"
    SEND_INFO = "send_info"
    TALKED = "talked"


class FollowUp(StrEnum):
    """What the rep must be asked, or what is created, after an outcome."""

    NONE = "none"
    RETRY = "retry"  # comes back in the queue after the retry wait
    ASK_WHEN = "ask_when"  # ask the date and time of the call-back: a reminder
    ASK_KEEP = "ask_keep"  # "may we keep you on the list?": nurture date or do not call
    SEND_MATERIAL = "send_material"  # a reminder to send the material and one to call again
    QUESTIONNAIRE = "questionnaire"  # a conversation: qualify now


@dataclass(frozen=True)
class OutcomeRule:
    reached: bool  # a real person of the contact's side answered
    follow_up: FollowUp
    junk: bool = False  # the list held a wrong entry (counts against the source)


RULES: dict[CallOutcome, OutcomeRule] = {
    CallOutcome.NO_ANSWER: OutcomeRule(reached=False, follow_up=FollowUp.RETRY),
    CallOutcome.BUSY: OutcomeRule(reached=False, follow_up=FollowUp.RETRY),
    CallOutcome.VOICEMAIL: OutcomeRule(reached=False, follow_up=FollowUp.RETRY),
    CallOutcome.WRONG_NUMBER: OutcomeRule(reached=False, follow_up=FollowUp.NONE, junk=True),
    # A receptionist is a person, not the contact: try again, the contact is not reached yet.
    CallOutcome.GATEKEEPER: OutcomeRule(reached=False, follow_up=FollowUp.RETRY),
    CallOutcome.CALL_BACK: OutcomeRule(reached=True, follow_up=FollowUp.ASK_WHEN),
    CallOutcome.NOT_INTERESTED: OutcomeRule(reached=True, follow_up=FollowUp.ASK_KEEP),
    CallOutcome.DO_NOT_CALL: OutcomeRule(reached=True, follow_up=FollowUp.NONE),
    CallOutcome.SEND_INFO: OutcomeRule(reached=True, follow_up=FollowUp.SEND_MATERIAL),
    CallOutcome.TALKED: OutcomeRule(reached=True, follow_up=FollowUp.QUESTIONNAIRE),
}

# Outcomes after which the queue offers the contact again once the retry wait is over.
RETRY_OUTCOMES: frozenset[CallOutcome] = frozenset(
    o for o, rule in RULES.items() if rule.follow_up == FollowUp.RETRY
)


def stage_after(stage: Stage, outcome: CallOutcome, *, keep_on_list: bool = True) -> Stage:
    """The contact's stage once ``outcome`` is logged.

    ``keep_on_list`` answers "may we keep you on the list?" after NOT_INTERESTED: yes keeps the
    contact for a later try (not interested), no puts it on the do-not-call list.
    """
    if outcome == CallOutcome.DO_NOT_CALL or (
        outcome == CallOutcome.NOT_INTERESTED and not keep_on_list
    ):
        return Stage.DO_NOT_CALL
    if stage == Stage.DO_NOT_CALL:
        return stage
    if outcome == CallOutcome.NOT_INTERESTED:
        return Stage.NOT_INTERESTED
    if RULES[outcome].reached and stage in (Stage.SUSPECT, Stage.NOT_INTERESTED):
        return Stage.LEAD
    return stage
