"""What the window calls each stored value, in the user's language, with one-line definitions."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from prospector.domain.stages import Stage, Temperature


def _tr(text: str) -> str:
    return QCoreApplication.translate("labels", text)


def stage_label(stage: Stage) -> str:
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


def stage_definition(stage: Stage) -> str:
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
