"""The call queue's order, outcomes and qualification rules, without a database or a window."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prospector.domain.outcomes import RULES, CallOutcome, FollowUp, stage_after
from prospector.domain.qualification import (
    Criterion,
    Engagement,
    engagement_score,
    qualify,
    questionnaire_from_json,
)
from prospector.domain.queue import (
    QueueBand,
    QueueEntry,
    QueuePolicy,
    band_of,
    next_contact,
    queue_order,
)
from prospector.domain.stages import Stage, Temperature

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
POLICY = QueuePolicy(retry_wait=timedelta(hours=4), max_attempts=3)
DEFAULT = questionnaire_from_json(
    json.loads(
        (Path(__file__).parents[2] / "resources" / "default_questionnaire.json").read_text(
            encoding="utf-8"
        )
    )
)


def _entry(contact_id: int, **kwargs) -> QueueEntry:
    return QueueEntry(contact_id=contact_id, stage=kwargs.pop("stage", Stage.SUSPECT), **kwargs)


def test_due_call_backs_come_first_then_untried_suspects_then_retries():
    hour = timedelta(hours=1)
    entries = [
        _entry(1),  # never tried
        _entry(2, last_called_at=NOW - 5 * hour, last_outcome=CallOutcome.NO_ANSWER, attempts=1),
        _entry(
            3,
            stage=Stage.LEAD,
            call_back_at=NOW - hour,
            last_called_at=NOW - 24 * hour,
            last_outcome=CallOutcome.CALL_BACK,
        ),
        _entry(4),
        _entry(5, last_called_at=NOW - 5 * hour, last_outcome=CallOutcome.BUSY, attempts=2),
        _entry(6, last_called_at=NOW - 6 * hour, last_outcome=CallOutcome.VOICEMAIL, attempts=1),
        _entry(7, stage=Stage.LEAD, call_back_at=NOW - 2 * hour),
    ]
    assert [e.contact_id for e in queue_order(entries, NOW, POLICY)] == [7, 3, 1, 4, 6, 2, 5]
    assert next_contact(entries, NOW, POLICY).contact_id == 7


def test_retry_waits_and_the_attempt_cap():
    recent = _entry(
        1, last_called_at=NOW - timedelta(hours=3), last_outcome=CallOutcome.NO_ANSWER, attempts=1
    )
    assert band_of(recent, NOW, POLICY) is None  # not before the wait is over
    assert band_of(recent, NOW + timedelta(hours=1), POLICY) == QueueBand.RETRY
    capped = _entry(
        2, last_called_at=NOW - timedelta(days=1), last_outcome=CallOutcome.NO_ANSWER, attempts=3
    )
    assert band_of(capped, NOW, POLICY) is None


@pytest.mark.parametrize(
    "entry",
    [
        _entry(1, do_not_call=True),
        _entry(2, stage=Stage.DO_NOT_CALL),
        _entry(3, stage=Stage.DISQUALIFIED),
        _entry(4, skipped_until=NOW + timedelta(minutes=30)),
        _entry(5, stage=Stage.LEAD, call_back_at=NOW + timedelta(days=1)),  # not due yet
        _entry(6, last_called_at=NOW - timedelta(days=2), last_outcome=CallOutcome.WRONG_NUMBER),
        _entry(7, stage=Stage.PROSPECT),
    ],
)
def test_contacts_the_queue_never_offers_now(entry):
    assert band_of(entry, NOW, POLICY) is None


def test_a_skipped_contact_comes_back():
    skipped = _entry(1, skipped_until=NOW + timedelta(minutes=30))
    assert band_of(skipped, NOW + timedelta(minutes=31), POLICY) == QueueBand.NEVER_TRIED


def test_the_queue_leads_through_every_callable_contact_of_a_list():
    rng = random.Random(7)
    entries = [
        _entry(i, stage=rng.choice([Stage.SUSPECT, Stage.SUSPECT, Stage.DO_NOT_CALL]))
        for i in range(1, 200)
    ]
    order = queue_order(entries, NOW, POLICY)
    callable_ids = [e.contact_id for e in entries if e.stage == Stage.SUSPECT]
    assert [e.contact_id for e in order] == callable_ids  # none left out, list order kept


@pytest.mark.parametrize(
    ("stage", "outcome", "keep", "expected"),
    [
        (Stage.SUSPECT, CallOutcome.NO_ANSWER, True, Stage.SUSPECT),
        (Stage.SUSPECT, CallOutcome.VOICEMAIL, True, Stage.SUSPECT),
        (Stage.SUSPECT, CallOutcome.GATEKEEPER, True, Stage.SUSPECT),
        (Stage.SUSPECT, CallOutcome.TALKED, True, Stage.LEAD),
        (Stage.SUSPECT, CallOutcome.CALL_BACK, True, Stage.LEAD),
        (Stage.SUSPECT, CallOutcome.SEND_INFO, True, Stage.LEAD),
        (Stage.SUSPECT, CallOutcome.NOT_INTERESTED, True, Stage.NOT_INTERESTED),
        (Stage.SUSPECT, CallOutcome.NOT_INTERESTED, False, Stage.DO_NOT_CALL),
        (Stage.LEAD, CallOutcome.DO_NOT_CALL, True, Stage.DO_NOT_CALL),
        (Stage.PROSPECT, CallOutcome.TALKED, True, Stage.PROSPECT),
        (Stage.NOT_INTERESTED, CallOutcome.TALKED, True, Stage.LEAD),
        (Stage.DO_NOT_CALL, CallOutcome.TALKED, True, Stage.DO_NOT_CALL),
    ],
)
def test_stage_after_an_outcome(stage, outcome, keep, expected):
    assert stage_after(stage, outcome, keep_on_list=keep) == expected


def test_every_outcome_has_a_rule_and_only_conversations_count_as_reached():
    assert set(RULES) == set(CallOutcome)
    reached = {o for o, rule in RULES.items() if rule.reached}
    assert CallOutcome.VOICEMAIL not in reached and CallOutcome.TALKED in reached
    assert RULES[CallOutcome.TALKED].follow_up == FollowUp.QUESTIONNAIRE
    assert RULES[CallOutcome.WRONG_NUMBER].junk


def test_a_contact_answering_yes_on_every_criterion_is_a_hot_prospect():
    answers = {
        "market": "yes",
        "budget": "yes",
        "authority": "yes",
        "need": "yes",
        "timing": "within a month",
        "value": "repeated large purchases",
    }
    result = qualify(DEFAULT, answers, [Engagement.ANSWERED, Engagement.AGREED_TO_MEETING])
    assert (result.stage, result.fit_grade, result.temperature) == (
        Stage.PROSPECT,
        "A",
        Temperature.HOT,
    )
    assert result.engagement == 45 and result.missing == ()


def test_a_partly_qualified_contact_is_a_lead_with_what_is_missing():
    answers = {"market": "yes", "budget": "unknown", "authority": "no", "need": "yes"}
    result = qualify(DEFAULT, answers, [Engagement.ANSWERED, Engagement.ASKED_FOR_INFORMATION])
    assert result.stage == Stage.LEAD
    assert result.missing == (Criterion.BUDGET, Criterion.AUTHORITY)
    assert result.fit_grade == "C"  # market (3 of 7 weight points) only
    assert result.temperature == Temperature.WARM  # interested, needs information


def test_not_our_market_is_junk_whatever_else_was_said():
    answers = {"market": "no", "budget": "yes", "authority": "yes", "need": "yes"}
    result = qualify(DEFAULT, answers, [Engagement.AGREED_TO_MEETING])
    assert (result.stage, result.fit_grade, result.reasons) == (
        Stage.DISQUALIFIED,
        "D",
        ("market",),
    )


def test_engagement_counts_each_behaviour_once_and_caps_at_100():
    assert engagement_score([]) == 0
    assert engagement_score([Engagement.ANSWERED, Engagement.ANSWERED]) == 10
    assert engagement_score(list(Engagement) * 3) == 100
