"""What the window calls each stored value, in the user's language, with one-line definitions.

An office may rename the stages (Settings → Stage names): teams disagree on what a "lead" is.
Those names are held here, set at start and after saving, so that every widget that asks
``stage_label()`` shows the office's word and nothing else has to know about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from prospector.domain.outcomes import CallOutcome
from prospector.domain.qualification import Criterion, Engagement
from prospector.domain.stages import Stage, Temperature

if TYPE_CHECKING:
    from prospector.services.settings import SettingsService, StageName

# The office's own stage names and definitions (blank ones are left out).
_office_labels: dict[Stage, str] = {}
_office_definitions: dict[Stage, str] = {}


def _tr(text: str) -> str:
    return QCoreApplication.translate("labels", text)


def set_office_stage_names(names: Mapping[Stage, StageName]) -> None:
    """Use the office's names from now on (an empty mapping: the standard names again)."""
    _office_labels.clear()
    _office_definitions.clear()
    for stage, name in names.items():
        if name.label.strip():
            _office_labels[stage] = name.label.strip()
        if name.definition.strip():
            _office_definitions[stage] = name.definition.strip()


def use_office_stage_names(settings: SettingsService) -> None:
    """Read the office's stage names from the open database and show them everywhere."""
    set_office_stage_names(settings.stage_names())


def stage_label(stage: Stage) -> str:
    """The office's name for the stage when it chose one, else the standard translated name."""
    return _office_labels.get(stage) or standard_stage_label(stage)


def stage_definition(stage: Stage) -> str:
    """The office's one-line definition when it wrote one, else the standard translated one."""
    return _office_definitions.get(stage) or standard_stage_definition(stage)


def standard_stage_label(stage: Stage) -> str:
    return {
        Stage.SUSPECT: _tr("Suspect"),
        Stage.LEAD: _tr("Lead"),
        Stage.PROSPECT: _tr("Prospect"),
        Stage.CUSTOMER: _tr("Customer"),
        Stage.REPEAT_CUSTOMER: _tr("Repeat customer"),
        Stage.DISQUALIFIED: _tr("Disqualified"),
        Stage.NOT_INTERESTED: _tr("Not interested"),
        Stage.DO_NOT_CALL: _tr("Do not call"),
    }[stage]


def standard_stage_definition(stage: Stage) -> str:
    return {
        Stage.SUSPECT: _tr("On a list, not yet reached."),
        Stage.LEAD: _tr("Reached, not yet qualified."),
        Stage.PROSPECT: _tr(
            "Qualified: in the target market, can afford it, can decide, and has a need."
        ),
        Stage.CUSTOMER: _tr("Has bought once."),
        Stage.REPEAT_CUSTOMER: _tr("Has bought more than once."),
        Stage.DISQUALIFIED: _tr("Junk: not in the target market."),
        Stage.NOT_INTERESTED: _tr("Said no for now; kept for later."),
        Stage.DO_NOT_CALL: _tr("Asked not to be called. Never offered for a call again."),
    }[stage]


def temperature_label(temperature: Temperature) -> str:
    return {
        Temperature.HOT: _tr("Hot"),
        Temperature.WARM: _tr("Warm"),
        Temperature.COLD: _tr("Cold"),
    }[temperature]


def temperature_definition(temperature: Temperature) -> str:
    return {
        Temperature.HOT: _tr("Ready to buy."),
        Temperature.WARM: _tr("Interested, needs information."),
        Temperature.COLD: _tr("No interest shown yet."),
    }[temperature]


def source_kind_label(kind: str) -> str:
    return {
        "purchased_list": _tr("Purchased list"),
        "directory": _tr("Directory"),
        "web_form": _tr("Web form"),
        "referral": _tr("Referral"),
        "event": _tr("Event"),
        "social": _tr("Social media"),
    }.get(kind, kind)


def outcome_label(outcome: CallOutcome) -> str:
    """A call's outcome as the rep says it; the queue's buttons and the call history use it."""
    return {
        CallOutcome.NO_ANSWER: _tr("No answer"),
        CallOutcome.BUSY: _tr("Busy"),
        CallOutcome.VOICEMAIL: _tr("Voicemail"),
        CallOutcome.WRONG_NUMBER: _tr("Wrong number"),
        CallOutcome.GATEKEEPER: _tr("Gatekeeper"),
        CallOutcome.CALL_BACK: _tr("Call back"),
        CallOutcome.NOT_INTERESTED: _tr("Not interested"),
        CallOutcome.DO_NOT_CALL: _tr("Do not call"),
        CallOutcome.SEND_INFO: _tr("Send information"),
        CallOutcome.TALKED: _tr("Talked"),
    }[outcome]


def outcome_definition(outcome: CallOutcome) -> str:
    """What choosing an outcome does next, so the rep knows before pressing the key."""
    return {
        CallOutcome.NO_ANSWER: _tr("Nobody picked up. Offered again after the retry wait."),
        CallOutcome.BUSY: _tr("The line was busy. Offered again after the retry wait."),
        CallOutcome.VOICEMAIL: _tr("Reached voicemail. Offered again after the retry wait."),
        CallOutcome.WRONG_NUMBER: _tr("The number is not this contact's. Not offered again."),
        CallOutcome.GATEKEEPER: _tr(
            "A receptionist or assistant answered, not the contact. Offered again later."
        ),
        CallOutcome.CALL_BACK: _tr("The contact asked to be called back: choose when."),
        CallOutcome.NOT_INTERESTED: _tr(
            "The contact said no. Asks whether we may keep them on the list."
        ),
        CallOutcome.DO_NOT_CALL: _tr("The contact asked never to be called again."),
        CallOutcome.SEND_INFO: _tr(
            "The contact wants information: a reminder to send it and one to call again."
        ),
        CallOutcome.TALKED: _tr("A real conversation: answer the qualifying questions."),
    }[outcome]


def criterion_label(criterion: Criterion) -> str:
    """What a qualifying criterion checks, in the rep's words (for 'still to learn')."""
    return {
        Criterion.MARKET: _tr("in our target market"),
        Criterion.BUDGET: _tr("can afford it"),
        Criterion.AUTHORITY: _tr("can decide"),
        Criterion.NEED: _tr("has a need"),
        Criterion.TIMING: _tr("when they would buy"),
        Criterion.VALUE: _tr("what they could buy"),
    }[criterion]


def engagement_label(engagement: Engagement) -> str:
    return {
        Engagement.ANSWERED: _tr("Answered"),
        Engagement.ASKED_QUESTIONS: _tr("Asked questions"),
        Engagement.ASKED_FOR_INFORMATION: _tr("Asked for information"),
        Engagement.AGREED_TO_CALL_BACK: _tr("Agreed to a call-back"),
        Engagement.AGREED_TO_MEETING: _tr("Agreed to a meeting"),
    }[engagement]


def answer_label(answer: str) -> str:
    """A yes/no/unknown answer in the user's language; other answers are shown as stored."""
    return {"yes": _tr("Yes"), "no": _tr("No"), "unknown": _tr("Don't know")}.get(answer, answer)


def reminder_kind_label(kind: str) -> str:
    """What a follow-up asks the rep to do, as a list column says it ("Call back")."""
    return {
        "call_back": _tr("Call back"),
        "email": _tr("Email"),
        "send_card": _tr("Send a card"),
        "meeting": _tr("Meeting"),
    }.get(kind, kind.replace("_", " ").capitalize())


def reminder_action_text(kind: str, who: str) -> str:
    """A follow-up as a sentence about its contact, for notifications ("Call back Marie")."""
    template = {
        "call_back": _tr("Call back {who}"),
        "email": _tr("Email {who}"),
        "send_card": _tr("Send a card to {who}"),
        "meeting": _tr("Meeting with {who}"),
    }.get(kind)
    if template is None:
        return f"{reminder_kind_label(kind)}: {who}"
    return template.format(who=who)
