"""Working a list through the service: order, outcomes, reminders, qualification, undo."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.qualification import Engagement, Question, QuestionKind
from prospector.domain.queue import QueueBand, QueueEntry, next_contact
from prospector.domain.stages import Stage, Temperature
from prospector.services.call_queue import MissingAnswer, local_time_of

YES = {"market": "yes", "budget": "yes", "authority": "yes", "need": "yes"}


def _list(workspace, n: int = 5, name: str = "Annuaire") -> tuple[int, list[int]]:
    source_id = workspace.sources.add(name, "directory")
    ids = [
        workspace.contacts.add(
            ContactFields(
                first_name=f"Ana{i}",
                last_name="Pop",
                phone=f"06 12 34 56 {i:02d}",
                source_id=source_id,
            )
        ).id
        for i in range(n)
    ]
    return source_id, ids


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("call_logs", "reminders", "notes", "qualifications")
        }
    finally:
        conn.close()


def test_the_queue_walks_the_list_in_order_and_retries_after_the_wait(workspace, clock):
    source, ids = _list(workspace, 3)
    queue = workspace.queue
    assert queue.next_card(source).contact.id == ids[0]
    queue.log_outcome(ids[0], CallOutcome.NO_ANSWER, duration_s=20)
    assert queue.next_card(source).contact.id == ids[1]
    queue.log_outcome(ids[1], CallOutcome.TALKED, duration_s=120)
    queue.log_outcome(ids[2], CallOutcome.BUSY)
    assert queue.next_card(source) is None  # the two unanswered wait four hours
    clock.advance(hours=4, minutes=1)
    card = queue.next_card(source)
    assert (card.contact.id, card.band, card.attempts) == (ids[0], QueueBand.RETRY, 1)
    assert card.recent_calls[0].outcome == "no_answer"
    assert card.source_name == "Annuaire"
    progress = queue.progress(source)
    assert (progress.reached, progress.total, progress.never_tried) == (1, 3, 0)
    assert workspace.contacts.get(ids[1]).fields.stage == Stage.LEAD


def test_the_attempt_cap_takes_a_contact_out(workspace, clock):
    source, ids = _list(workspace, 1)
    workspace.queue.set_policy(retry_wait_hours=1, max_attempts=2)
    for _ in range(2):
        workspace.queue.log_outcome(ids[0], CallOutcome.NO_ANSWER)
        clock.advance(hours=2)
    assert workspace.queue.next_card(source) is None


def test_a_call_back_comes_first_when_due(workspace, clock):
    source, ids = _list(workspace, 3)
    when = clock() + timedelta(days=1)
    with pytest.raises(MissingAnswer):
        workspace.queue.log_outcome(ids[2], CallOutcome.CALL_BACK)
    workspace.queue.log_outcome(ids[2], CallOutcome.CALL_BACK, call_back_at=when)
    contact = workspace.contacts.get(ids[2])
    assert contact.fields.stage == Stage.LEAD and contact.next_follow_up == when
    assert workspace.queue.next_card(source).contact.id == ids[0]
    clock.advance(days=1)
    card = workspace.queue.next_card(source)
    assert (card.contact.id, card.band) == (ids[2], QueueBand.CALL_BACK_DUE)
    workspace.queue.log_outcome(ids[2], CallOutcome.TALKED)  # the call-back is done
    assert workspace.queue.next_card(source).contact.id == ids[0]


def test_not_interested_is_kept_for_later_or_never_called_again(workspace, clock):
    source, ids = _list(workspace, 2)
    later = clock() + timedelta(days=90)
    workspace.queue.log_outcome(ids[0], CallOutcome.NOT_INTERESTED, nurture_until=later)
    workspace.queue.log_outcome(ids[1], CallOutcome.NOT_INTERESTED, keep_on_list=False)
    assert workspace.contacts.get(ids[0]).fields.stage == Stage.NOT_INTERESTED
    dnc = workspace.contacts.get(ids[1]).fields
    assert dnc.stage == Stage.DO_NOT_CALL and dnc.do_not_call
    assert workspace.queue.next_card(source) is None
    clock.advance(days=91)
    assert workspace.queue.next_card(source).contact.id == ids[0]  # never ids[1]


def test_send_information_creates_two_follow_ups(workspace, clock, db_path: Path):
    _source, ids = _list(workspace, 1)
    workspace.queue.log_outcome(ids[0], CallOutcome.SEND_INFO)
    conn = sqlite3.connect(db_path)
    kinds = sorted(r[0] for r in conn.execute("SELECT kind FROM reminders"))
    conn.close()
    assert kinds == ["call_back", "email"]


def test_undo_takes_an_outcome_and_its_questionnaire_back_exactly(workspace, db_path: Path):
    source, ids = _list(workspace, 2)
    before = _counts(db_path)
    contact_before = workspace.contacts.get(ids[0])
    logged = workspace.queue.log_outcome(ids[0], CallOutcome.TALKED, duration_s=90)
    workspace.queue.qualify(
        ids[0],
        {**YES, "authority": "no"},
        notes={"authority": "Mme Durand, the owner"},
        engagement=[Engagement.ANSWERED],
        logged=logged,
    )
    assert workspace.contacts.get(ids[0]).fields.stage == Stage.LEAD
    assert _counts(db_path) == {**before, "call_logs": 1, "notes": 1, "qualifications": 1}
    workspace.queue.undo(logged)
    assert _counts(db_path) == before
    after = workspace.contacts.get(ids[0])
    assert after.fields == contact_before.fields
    assert (after.score, after.fit_grade) == (contact_before.score, contact_before.fit_grade)
    assert workspace.queue.next_card(source).contact.id == ids[0]


def test_qualifying_moves_the_stage_and_keeps_the_grade_score_and_temperature(workspace):
    _source, ids = _list(workspace, 2)
    result = workspace.queue.qualify(
        ids[0], {**YES, "timing": "within a month"}, engagement=[Engagement.AGREED_TO_MEETING]
    )
    contact = workspace.contacts.get(ids[0])
    assert (contact.fields.stage, contact.fit_grade, contact.score) == (Stage.PROSPECT, "A", 35)
    assert contact.fields.temperature == Temperature.HOT == result.temperature
    junk = workspace.queue.qualify(ids[1], {"market": "no"})
    assert junk.stage == workspace.contacts.get(ids[1]).fields.stage == Stage.DISQUALIFIED


def test_editing_the_questionnaire_makes_a_version_and_keeps_old_answers(workspace):
    _source, ids = _list(workspace, 1)
    first = workspace.queue.questionnaire()
    workspace.queue.qualify(ids[0], YES)
    edited = type(first)(
        first.name,
        first.version,
        (
            *first.questions,
            Question("employees", "How many people work there?", QuestionKind.NUMBER),
        ),
    )
    assert workspace.queue.save_questionnaire(edited) == 2
    assert workspace.queue.questionnaire().version == 2
    workspace.queue.qualify(ids[0], {**YES, "employees": 12})
    history = workspace.queue.qualifications(ids[0])
    assert [h["answers"]["answers"].get("employees") for h in history] == [12, None]
    assert history[0]["questionnaire_id"] != history[1]["questionnaire_id"]


def test_answers_are_judged_and_filed_by_the_version_that_was_asked(workspace):
    """Settings may save a new version while the questions are open on the call screen."""
    _source, ids = _list(workspace, 1)
    asked = workspace.queue.questionnaire()
    assert asked.question("budget").disqualifies_if == ()
    stricter = type(asked)(
        asked.name,
        asked.version,
        tuple(
            replace(q, disqualifies_if=("no",)) if q.key == "budget" else q for q in asked.questions
        ),
    )
    workspace.queue.save_questionnaire(stricter)
    answers = {"market": "yes", "budget": "no"}

    result = workspace.queue.qualify(ids[0], answers, asked=asked)

    assert result.stage != Stage.DISQUALIFIED  # version 1 does not drop a contact without budget
    assert workspace.contacts.get(ids[0]).fields.stage == result.stage
    filed = workspace.queue.qualifications(ids[0])[0]
    # The active version (2) would have judged the same answers junk, and filed them under it.
    assert workspace.queue.qualify(ids[0], answers).stage == Stage.DISQUALIFIED
    newest = workspace.queue.qualifications(ids[0])[0]
    assert filed["questionnaire_id"] != newest["questionnaire_id"]
    assert filed["result"] != newest["result"]


def test_skipping_asks_a_reason_and_the_contact_comes_back(workspace, clock):
    source, ids = _list(workspace, 2)
    with pytest.raises(MissingAnswer):
        workspace.queue.skip(ids[0], "  ")
    workspace.queue.skip(ids[0], "Lunch time in their office")
    assert workspace.queue.next_card(source).contact.id == ids[1]
    clock.advance(hours=1, minutes=1)
    card = workspace.queue.next_card(source)
    assert card.contact.id == ids[0]
    assert card.recent_notes[0].text == "Skipped in the call queue: Lunch time in their office"


def test_progress_tells_what_comes_back_later_even_after_a_restart(workspace, clock):
    from prospector.services.call_queue import CallQueueService

    source, ids = _list(workspace, 6)
    other, _ = _list(workspace, 2, name="Other list")
    queue = workspace.queue
    start = clock()
    queue.log_outcome(ids[0], CallOutcome.NO_ANSWER)
    queue.log_outcome(ids[1], CallOutcome.BUSY)
    queue.log_outcome(ids[2], CallOutcome.CALL_BACK, call_back_at=start + timedelta(days=2))
    queue.log_outcome(ids[3], CallOutcome.NOT_INTERESTED, nurture_until=start + timedelta(days=90))
    queue.skip(ids[4], "Lunch time")
    queue.log_outcome(ids[5], CallOutcome.DO_NOT_CALL)  # never comes back

    clock.advance(minutes=10)
    restarted = CallQueueService(workspace.database.sessions, clock)  # a new day, a new window
    waiting = restarted.progress(source).waiting
    policy = restarted.policy()
    assert (waiting.call_backs, waiting.next_call_back) == (2, start + timedelta(days=2))
    assert (waiting.retries, waiting.next_retry) == (2, start + policy.retry_wait)
    assert (waiting.skipped, waiting.next_back_from_skip) == (1, start + policy.skip_wait)
    assert restarted.progress(other).waiting.total == 0  # another list's are not counted
    assert restarted.progress(None).waiting.total == 5  # "All contacts" counts them all


def test_a_skip_can_be_undone(workspace, clock):
    source, ids = _list(workspace, 2)
    skipped = workspace.queue.skip(ids[0], "Wrong list")
    assert workspace.queue.next_card(source).contact.id == ids[1]
    workspace.queue.undo_skip(skipped)
    card = workspace.queue.next_card(source)
    assert card.contact.id == ids[0]  # offered again at once, and the note is gone
    assert card.recent_notes == ()


def test_the_sql_order_is_the_domain_order(workspace, clock):
    """Random histories: the database and the domain rules agree, contact after contact."""
    rng = random.Random(11)
    source, ids = _list(workspace, 40)
    policy = workspace.queue.policy()
    entries: dict[int, QueueEntry] = {}
    outcomes = [
        CallOutcome.NO_ANSWER,
        CallOutcome.BUSY,
        CallOutcome.VOICEMAIL,
        CallOutcome.WRONG_NUMBER,
        CallOutcome.TALKED,
        CallOutcome.CALL_BACK,
    ]
    for contact_id in ids:
        for _ in range(rng.randint(0, 3)):
            outcome = rng.choice(outcomes)
            call_back = clock() + timedelta(hours=rng.randint(-3, 3))
            workspace.queue.log_outcome(contact_id, outcome, call_back_at=call_back)
            clock.advance(minutes=rng.randint(1, 90))
    clock.advance(hours=2)
    now = clock()
    conn = sqlite3.connect(workspace.path)
    for row in conn.execute(
        "SELECT id, stage, do_not_call, call_attempts, last_called_at, last_outcome,"
        " (SELECT min(due_at) FROM reminders r WHERE r.contact_id = contacts.id"
        "  AND r.kind = 'call_back' AND r.done_at IS NULL) FROM contacts"
    ):
        entries[row[0]] = QueueEntry(
            contact_id=row[0],
            stage=Stage(row[1]),
            do_not_call=bool(row[2]),
            attempts=row[3],
            last_called_at=_utc(row[4]),
            last_outcome=CallOutcome(row[5]) if row[5] else None,
            call_back_at=_utc(row[6]),
        )
    conn.close()
    offered = 0
    while True:
        expected = next_contact(entries.values(), now, policy)
        card = workspace.queue.next_card(source)
        assert (card.contact.id if card else None) == (expected.contact_id if expected else None)
        if card is None:
            break
        offered += 1
        workspace.queue.skip(card.contact.id, "checked")  # out of the way, in both
        entries[card.contact.id] = QueueEntry(
            **{**entries[card.contact.id].__dict__, "skipped_until": now + timedelta(hours=1)}
        )
    assert offered > 10


def _utc(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def test_the_contacts_local_time_comes_from_its_number():
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    paris = local_time_of("+33612345678", now)
    assert paris is not None and paris.hour == 14
    assert local_time_of("+40721123456", now).hour == 15  # Bucharest, summer time
    assert local_time_of("+14155550123", now).hour == 5  # a San Francisco area code
    assert local_time_of("+18005550123", now) is None  # toll-free: no one place
    assert local_time_of("+79161234567", now) is None  # a mobile in a country of many zones
    assert local_time_of(None, now) is None


def test_a_lists_script_is_saved_and_filled_for_the_contact(workspace):
    from dataclasses import replace

    source, ids = _list(workspace, 1)
    default = workspace.queue.script(source)
    assert default.close  # every presentation ends with a call to action
    mine = replace(default, opening="Bonjour {first_name}, je vous appelle au sujet de {company}")
    workspace.queue.save_script(source, mine)
    card = workspace.queue.card(ids[0])
    filled = workspace.queue.script(source).filled(card.contact, "your company")
    assert filled.opening == "Bonjour Ana0, je vous appelle au sujet de your company"
    assert workspace.queue.script(None) == default  # other lists keep the default


def test_the_command_line_prints_the_next_contact(workspace, db_path: Path, capsys):
    import json

    from prospector.cli import main

    _source, ids = _list(workspace, 2, name="Annuaire Lyon")
    workspace.queue.log_outcome(ids[0], CallOutcome.TALKED)
    workspace.close()
    assert (
        main(["queue", "--db", str(db_path), "--source", "annuaire lyon", "--next", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert (data["reached"], data["total"], data["never_tried"]) == (1, 2, 1)
    assert data["next"]["id"] == ids[1] and data["next"]["why"] == "never_tried"
    assert main(["queue", "--db", str(db_path), "--source", "Nowhere", "--next"]) == 1
    assert "no list called 'Nowhere'" in capsys.readouterr().err


def test_a_contact_disqualified_on_the_phone_counts_as_reached(workspace):
    source, ids = _list(workspace, 2)
    logged = workspace.queue.log_outcome(ids[0], CallOutcome.TALKED)
    workspace.queue.qualify(ids[0], {"market": "no"}, logged=logged)
    progress = workspace.queue.progress(source)
    assert (progress.reached, progress.total) == (1, 2)
